"""Run-time hardening macros: which measured images pass their check as an unprivileged user, on a
read-only root filesystem and without capabilities (``hardening.csv``), what each image offers an
intruder, and the hardened ``docker run`` line as it was run.

Every sentence about which images run hardened is built here from the rows (:func:`summary`), never
written on a page; the pure functions are tested on their own (tests/site/test_hardening.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..recipes.arch import DEFAULT_ARCH
from . import render
from .context import Row, Site, macro
from .network import BASE_ORDER
from .render import Column, text

#: The checks of a hardening row: (column, the header a reader sees).
CHECKS = (
    ("nonroot", "<code>--user 65532:65532</code>"),
    ("read_only", "<code>--read-only</code>"),
    ("no_caps", "<code>--cap-drop ALL</code>, no-new-privileges"),
    ("hardened", "All together"),
)
#: What makes two images on a base offer an intruder the same things (the binary aside).
CONTENTS = (
    "arch",
    "setuid_paths",
    "shell",
    "package_manager",
    "packages",
    "interpreters",
    "network_tools",
    "world_writable_paths",
    "vulnerabilities_measured",
    "vulnerabilities",
)


def image_id(r: Row) -> str:
    return f"{r['program']}/{r['variant']}"


def order(r: Row) -> tuple:
    base = BASE_ORDER.index(r["base"]) if r["base"] in BASE_ORDER else len(BASE_ORDER)
    return (r["program"], base, r["arch"] != DEFAULT_ARCH, r["arch"], r["variant"])


def summary(rows: Sequence[Row], where: str = "") -> str:
    """Sentences (safe Markdown) saying how many of ``rows`` pass the hardened run, which fail and how,
    and how many run as root unless told otherwise. ``where`` ("on distroless-cc") follows "checked"."""
    if not rows:
        raise ValueError("a summary needs at least one row")
    rows = sorted(rows, key=order)
    passed = [r for r in rows if r["hardened"] == "yes"]
    failed = [r for r in rows if r["hardened"] != "yes"]
    n = len(rows)
    images = "image" if n == 1 else "images"
    where = f" {text(where)}" if where else ""
    if not failed:
        every = {1: "The", 2: "Both"}.get(n, f"All {n}")
        out = f"{every} {images} checked here{where} {'passes' if n == 1 else 'pass'} "
        out += "the hardened run."
    else:
        out = f"{len(passed)} of the {n} {images} checked here{where} pass the hardened run; "
        out += "; ".join(f"{render.code(image_id(r))} fails it: {text(r['hardened_failure'])}" for r in failed) + "."
    tmpfs = [r for r in rows if r["read_only_tmpfs"]]
    if tmpfs:
        needs = (f"{render.code(image_id(r))} needs a tmpfs at {render.code(r['read_only_tmpfs'])}" for r in tmpfs)
        out += " " + "; ".join(needs) + " on a read-only root filesystem."
    root = [r for r in rows if r["default_user_kind"] == "root"]
    run = render.code("docker run")
    if len(root) == n:
        out += f" {'It runs' if n == 1 else 'Every one runs'} as root unless {run} is told otherwise."
    elif root:
        out += f" {len(root)} of them run as root unless {run} is told otherwise."
    else:
        out += " None of them runs as root by default."
    return out


def words(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def bases_that_pass(rows: Sequence[Row]) -> tuple[list[str], list[str]]:
    """(bases every checked image of which passes the hardened run, bases with an image that fails)."""
    by_base: dict[str, list[Row]] = {}
    for r in rows:
        by_base.setdefault(r["base"], []).append(r)
    ordered = sorted(by_base, key=lambda b: BASE_ORDER.index(b) if b in BASE_ORDER else len(BASE_ORDER))
    good = [b for b in ordered if all(r["hardened"] == "yes" for r in by_base[b])]
    return good, [b for b in ordered if b not in good]


def _bases(site: Site, base: object) -> list[str]:
    names = [base] if isinstance(base, str) else base
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(b, str) for b in names):
        raise site.fail(f"argument 'base' must be a base name or a list of them, not {base!r}")
    for b in names:
        if b not in site.data.recipes.bases:
            raise site.fail(f"unknown base {b!r}; the recipes declare: {', '.join(site.data.recipes.bases)}")
    return list(names)


def _rows(site: Site, bases: list[str]) -> list[Row]:
    return sorted((r for r in site.data.rows("hardening") if r["base"] in bases), key=order)


def _none_yet(site: Site, bases: list[str]) -> str:
    """Why no image on ``bases`` has a hardening row: a base that cannot be obtained here says so."""
    recipes = site.data.recipes
    unobtainable = [b for b in bases if b != "scratch" and not recipes.bases[b].bootstrap]
    if unobtainable and len(unobtainable) == len(bases):
        why = (
            f"Not measured here: the {text(', '.join(unobtainable))} base can only be pulled from a registry, "
            "and the machine that made these measurements reached none."
        )
    else:
        why = "Not measured yet: scripts/measure.py checks every image it measures under the hardening options."
    return f"No image on {text(' or '.join(bases))} has been checked hardened here." + site.notes.ref("data", why)


def _outcome(site: Site, column: str) -> Callable[[Row], str]:
    def cell(r: Row) -> str:
        if r[column] == "yes":
            if column == "read_only" and r["read_only_tmpfs"]:
                return f"yes, with a tmpfs at {render.code(r['read_only_tmpfs'])}"
            return "yes"
        return "no" + site.notes.ref("data", f"{text(image_id(r))}: {text(r[f'{column}_failure'])}")

    return cell


def _user(r: Row) -> str:
    if r["default_user_kind"] == "root":
        return "root"
    return f"{render.code(r['default_user'])} ({'a UID' if r['default_user_kind'] == 'uid' else 'a named user'})"


@macro
def hardening_table(site: Site, base: object) -> str:
    """Each measured image on ``base`` (a name or a list): its default user and whether it passes its
    program's check under each hardening option and all of them together."""
    bases = _bases(site, base)
    rows = _rows(site, bases)
    if not rows:
        return _none_yet(site, bases)
    columns: list[Column[Row]] = [
        # the variant alone names the row (a phone shows it beside the answer); its program is a column
        Column("Variant", lambda r: render.code(r["variant"])),
        Column("Program", lambda r: text(r["program"])),
        Column("Arch", lambda r: text(r["arch"])),
        Column("Default user", _user),
        # the hardened run is the table's answer: beside the image, never folded into the caption
        *(Column(title, _outcome(site, column), key=column == "hardened") for column, title in CHECKS),
    ]
    return render.table(columns, rows)


def _paths(site: Site, count: str, paths: str, r: Row) -> str:
    n = int(r[count])
    return f"{n}{site.notes.ref('data', text(r[paths]))}" if n else "0"


def _vulnerabilities(site: Site, r: Row) -> str:
    if r["vulnerabilities_measured"] != "yes":
        return "not measured here" + site.notes.ref("data", text(r["vulnerabilities_note"]))
    note = f"{text(r['vulnerability_scanner'])}, database of {r['vulnerability_db'].isoformat()}."
    return f"{int(r['vulnerabilities']):,}{site.notes.ref('data', note)}"


@macro
def hardening_contents_table(site: Site, base: object) -> str:
    """What the measured images on ``base`` offer someone who gets code running in them, read from each
    exported image; images that offer the same (their binary aside) share a row."""
    bases = _bases(site, base)
    rows = _rows(site, bases)
    if not rows:
        return _none_yet(site, bases)
    groups: dict[tuple, list[Row]] = {}
    for r in rows:
        groups.setdefault((r["base"], *(r[c] for c in CONTENTS)), []).append(r)
    items = list(groups.values())

    def first(fn: Callable[[Row], str]) -> Callable[[list[Row]], str]:
        return lambda g: fn(g[0])

    def files(g: list[Row]) -> str:
        low, high = min(int(r["files"]) for r in g), max(int(r["files"]) for r in g)
        shown = f"{low:,}" if low == high else f"{low:,} to {high:,}"
        return render.sort_key(shown, low)

    def or_none(column: str) -> Callable[[Row], str]:
        return lambda r: text(r[column]) if r[column] else "none"

    def packages(r: Row) -> str:
        return f"{int(r['packages']):,}" if r["packages"] is not None else "no package database"

    columns: list[Column[list[Row]]] = [
        Column("Images", lambda g: ", ".join(render.code(image_id(r)) for r in g)),
        Column("Base", first(lambda r: text(r["base"]))),
        Column("Arch", first(lambda r: text(r["arch"]))),
        Column("Files", files, "r"),
        Column("Setuid, setgid", first(lambda r: _paths(site, "setuid_files", "setuid_paths", r)), "r"),
        Column("Shell", first(or_none("shell"))),
        Column("Package manager", first(or_none("package_manager"))),
        Column("Packages", first(packages), "r"),
        Column("Interpreters", first(or_none("interpreters"))),
        Column("curl, wget", first(or_none("network_tools"))),
        Column("World-writable", first(lambda r: _paths(site, "world_writable_dirs", "world_writable_paths", r)), "r"),
        Column("Known vulnerabilities", first(lambda r: _vulnerabilities(site, r))),
    ]
    return render.table(columns, items)


@macro
def hardening_summary(site: Site, base: object = None) -> str:
    """Sentences, from the rows, on how the measured images (on ``base``, or all) fare hardened."""
    if base is None:
        rows = sorted(site.data.rows("hardening"), key=order)
        if not rows:
            return _none_yet(site, list(site.data.recipes.bases))
        good, bad = bases_that_pass(rows)
        out = summary(rows)
        programs = sorted({r["program"] for r in rows})
        out += " " + text(f"Programs checked: {words(programs)}.")
        if good:
            out += " " + text(f"Every image checked on {words(good)} runs hardened.")
        if bad:
            out += " " + text(f"On {words(bad)}, at least one image does not.")
        return out
    bases = _bases(site, base)
    rows = _rows(site, bases)
    if not rows:
        return _none_yet(site, bases)
    return summary(rows, f"on {' and '.join(bases)}")


@macro
def hardened_run(site: Site, program: str, variant: str) -> str:
    """The hardened ``docker run`` line exactly as the measurement ran it on ``program/variant``, as a
    code block a reader can copy, and a sentence on how that run went."""
    program = site.program(program)
    variant = site.variant(program, variant)
    row = next((r for r in site.data.rows("hardening") if (r["program"], r["variant"]) == (program, variant)), None)
    if row is None:
        image = render.code(f"{program}/{variant}")
        return (
            f"Not measured yet: the hardened line is shown here as it was run once {image} has been checked hardened."
            + site.notes.ref("data", "Not measured yet: run the measurement script for this variant.")
        )
    block = render.code_block(f"{row['hardened_command']} --rm your-image", "sh")
    if row["hardened"] == "yes":
        said = f"Measured: {render.code(image_id(row))} passes its check run this way."
    else:
        said = f"Measured: {render.code(image_id(row))} fails its check run this way: {text(row['hardened_failure'])}."
    return f"{block}\n\n{said}"


def _distinct(rows: Sequence[Row], column: str) -> str:
    """The values of ``column`` in ``rows``, each once, in order (safe Markdown); "none" for empty."""
    seen: list[str] = []
    for r in rows:
        value = "none" if r[column] in ("", None) else str(r[column])
        if value not in seen:
            seen.append(value)
    return text(" / ".join(seen))


@macro
def hardening_overview_table(site: Site) -> str:
    """One row per base and architecture: how many of its measured images pass the hardened run, how
    many run as root by default, and what the images on it offer an intruder."""
    rows = sorted(site.data.rows("hardening"), key=order)
    if not rows:
        return _none_yet(site, list(site.data.recipes.bases))
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in sorted(rows, key=lambda r: order(r)[1:4]):
        groups.setdefault((r["base"], r["arch"]), []).append(r)

    def count(fn: Callable[[Row], bool]) -> Callable[[tuple[tuple[str, str], list[Row]]], str]:
        def cell(item: tuple[tuple[str, str], list[Row]]) -> str:
            n = sum(1 for r in item[1] if fn(r))
            return render.sort_key(f"{n} of {len(item[1])}", n)

        return cell

    def distinct(column: str) -> Callable[[tuple[tuple[str, str], list[Row]]], str]:
        return lambda item: _distinct(item[1], column)

    Item = tuple[tuple[str, str], list[Row]]
    columns: list[Column[Item]] = [
        Column("Base", lambda item: text(item[0][0])),
        Column("Arch", lambda item: text(item[0][1])),
        Column("Pass hardened", count(lambda r: r["hardened"] == "yes"), "r"),
        Column("Root by default", count(lambda r: r["default_user_kind"] == "root"), "r"),
        Column("Setuid, setgid files", distinct("setuid_files"), "r"),
        Column("Shell", distinct("shell")),
        Column("Package manager", distinct("package_manager")),
        Column("Interpreters", distinct("interpreters")),
        Column("curl, wget", distinct("network_tools")),
        Column("World-writable dirs", distinct("world_writable_dirs"), "r"),
    ]
    return render.table(columns, list(groups.items()))
