"""The networked program's macros: TLS matrix, server checks, base facts.

Everything comes from measured rows: images.csv (sizes and the outcome of each server check on the
private test network) and base_images.csv (what each base image carries, read from its filesystem).
Which variants form the TLS matrix is read from the recipes, not listed here: the variants of the
program built with the default profile and no features but a TLS stack, compiled-in roots and
hickory, one per TLS stack and base.
A failure is a footnote holding the message exactly as it was recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..recipes.arch import DEFAULT_ARCH
from ..recipes.model import Variant
from . import render
from .context import Site, macro
from .render import Column, text

Row = dict[str, Any]
TLS_ORDER = ("rustls-ring", "rustls-aws-lc-rs", "openssl", "openssl-vendored")
MATRIX_PROFILE = "stripped"
BASE_ORDER = ("debian", "debian-slim", "distroless-cc", "distroless-static", "alpine", "scratch")
CHECKS = (("health", "/health"), ("resolves", "Resolves"), ("proxies", "Proxied HTTPS"))
#: What a server-checks table may be about: its key column (see render.Column.key).
SERVER_CHECK_KEYS = ("image", *(column for column, _ in CHECKS), "trust_anchors")


def _row(site: Site, v: Variant) -> Row | None:
    return site.measured(v.program.id, v.id)


def _outcome(site: Site, row: Row | None) -> str:
    """ "works" or "fails" (with the failure as a footnote), "not measured" for a missing row."""
    if row is None:
        return "not measured"
    if row["runs"] == "yes":
        return "works"
    return "fails" + site.notes.ref("data", text(row["failure"]))


def _size(row: Row | None, column: str = "image_bytes") -> str:
    return render.size(int(row[column])) if row is not None and row[column] is not None else ""


def _matrix_variants(site: Site, program: str) -> list[Variant]:
    return [
        v
        for v in site.data.recipes.variants
        if v.program.id == program
        and v.profile.id == MATRIX_PROFILE
        and v.roots == "compiled-in"
        and v.dns == "hickory"
        and v.tls in TLS_ORDER
        and v.arch == DEFAULT_ARCH  # other architectures are compared on the architecture page
        and set(v.features) == {f"tls-{v.tls}", "roots-compiled-in", "dns-hickory"}  # nothing else on
    ]


def _column_key(v: Variant) -> tuple[str, str]:
    return (v.base.name, v.target.id)


def _column_title(v: Variant) -> str:
    return f"{text(v.base.name)}<br>{text(v.target.libc)} {text(v.target.crt_linkage)}"


@macro
def tls_matrix(site: Site, program: object = "webserver", stacks: object = None) -> str:
    """TLS stacks (rows) × base and C runtime (columns): image size and whether the image works."""
    pid = site.program(program)
    variants = _matrix_variants(site, pid)
    if stacks is not None:
        if isinstance(stacks, str) or not isinstance(stacks, (list, tuple)) or not stacks:
            raise site.fail(f"argument 'stacks' must be a non-empty list of TLS stacks, not {stacks!r}")
        unknown = [s for s in stacks if s not in TLS_ORDER]
        if unknown:
            raise site.fail(f"argument 'stacks' names unknown TLS stack(s) {unknown!r}; known: {', '.join(TLS_ORDER)}")
        variants = [v for v in variants if v.tls in stacks]
    if not variants:
        raise site.fail(f"{pid} has no TLS matrix in the recipes (profile {MATRIX_PROFILE}, compiled-in, hickory)")
    columns_seen: dict[tuple[str, str], Variant] = {}
    for v in variants:
        columns_seen.setdefault(_column_key(v), v)
    keys = sorted(columns_seen, key=lambda k: (BASE_ORDER.index(k[0]) if k[0] in BASE_ORDER else 99, k[1]))
    cells = {(v.tls, _column_key(v)): v for v in variants}
    stacks = [t for t in TLS_ORDER if any(t == v.tls for v in variants)]

    def cell(key: tuple[str, str]) -> Callable[[str], str]:
        def render_cell(stack: str) -> str:
            v = cells.get((stack, key))
            if v is None:
                return "–"
            row = _row(site, v)
            size = _size(row)
            outcome = _outcome(site, row)
            return f"{size}<br>{outcome}" if size else outcome

        return render_cell

    # a grid: every cell is a key figure, so no column is marked key; on a phone it scrolls with its cue
    columns: list[Column[str]] = [Column("TLS stack", render.code)]
    columns += [Column(_column_title(columns_seen[k]), cell(k), "r") for k in keys]
    return render.table(columns, stacks)


@macro
def tls_cost_table(site: Site, program: object = "webserver") -> str:
    """Binary size per TLS stack for each static build, and the difference to rustls with ring."""
    pid = site.program(program)
    variants = [v for v in _matrix_variants(site, pid) if v.base.name == "scratch"]
    by_stack_target = {(v.tls, v.target.id): v for v in variants}
    targets = sorted({v.target.id for v in variants})
    stacks = [t for t in TLS_ORDER if any(t == v.tls for v in variants)]

    def binary(stack: str, target: str) -> int | None:
        v = by_stack_target.get((stack, target))
        row = _row(site, v) if v is not None else None
        return int(row["binary_bytes"]) if row is not None and row["binary_bytes"] is not None else None

    def size_cell(target: str) -> Callable[[str], str]:
        def render_cell(stack: str) -> str:
            n = binary(stack, target)
            if n is not None:
                return render.size(n)
            v = by_stack_target.get((stack, target))
            row = _row(site, v) if v is not None else None
            return _outcome(site, row) if row is not None else "not measured"

        return render_cell

    def delta_cell(target: str) -> Callable[[str], str]:
        def render_cell(stack: str) -> str:
            n, base = binary(stack, target), binary(TLS_ORDER[0], target)
            if n is None or base is None:
                return ""
            sign = "+" if n >= base else "−"
            return render.sort_key(f"{sign}{render.format_bytes(abs(n - base))}", n - base)

        return render_cell

    columns: list[Column[str]] = [Column("TLS stack", render.code)]
    for target in targets:
        v = next(v for v in variants if v.target.id == target)
        title = f"{text(v.target.libc)} {text(v.target.crt_linkage)}"
        columns += [
            Column(f"Binary, {title}", size_cell(target), "r"),
            Column(f"vs {TLS_ORDER[0]}", delta_cell(target), "r"),
        ]
    return render.table(columns, stacks)


@macro
def server_checks_table(site: Site, program: object, variants: object, key: object = "proxies") -> str:
    """The listed variants with what each server check gave on the private network; ``key`` names the
    column the table is about (one of :data:`SERVER_CHECK_KEYS`), shown next to the variant."""
    pid = site.program(program)
    key = site.string("key", key)
    if key not in SERVER_CHECK_KEYS:
        raise site.fail(f"argument 'key' must be one of {', '.join(SERVER_CHECK_KEYS)}, not {key!r}")
    ids = site.variant_list(pid, variants)
    recipes = {v.id: v for v in site.data.recipes.variants if v.program.id == pid}
    items = [(recipes[vid], _row(site, recipes[vid])) for vid in ids if vid in recipes]

    def check(column: str) -> Callable[[tuple[Variant, Row | None]], str]:
        def render_cell(item: tuple[Variant, Row | None]) -> str:
            row = item[1]
            if row is None:
                return "not measured"
            value = row[column]
            if not value:
                return "–"
            if value == "no" and row["failure"]:
                return "no" + site.notes.ref("data", text(row["failure"]))
            return text(value)

        return render_cell

    def anchors(item: tuple[Variant, Row | None]) -> str:
        row = item[1]
        if row is None or row["trust_anchors"] is None:
            return ""
        return render.sort_key(f"{int(row['trust_anchors'])} ({text(row['anchors_from'])})", int(row["trust_anchors"]))

    def starts(item: tuple[Variant, Row | None]) -> str:
        row = item[1]
        if row is None:
            return "not measured"
        if row["health"] or row["runs"] == "yes":
            return "yes"
        return "no" + site.notes.ref("data", text(row["failure"]))

    columns: list[Column[tuple[Variant, Row | None]]] = [
        Column("Variant", lambda i: render.code(i[0].id)),
        Column("Base", lambda i: text(i[0].base.name)),
        Column("C library", lambda i: f"{text(i[0].target.libc)}, {text(i[0].target.crt_linkage)}"),
        Column("TLS", lambda i: text(i[0].tls)),
        Column("Roots", lambda i: text(i[0].roots)),
        Column("Resolver", lambda i: text(i[0].dns)),
        Column("Image", lambda i: _size(i[1]), "r", key=key == "image"),
        Column("Starts", starts),
        *(Column(title, check(column), key=key == column) for column, title in CHECKS),
        Column("Trust anchors loaded", anchors, key=key == "trust_anchors"),
    ]
    return render.table(columns, items)


@macro
def base_facts_table(site: Site) -> str:
    """What every measured base image carries, read from its filesystem."""
    rows = sorted(
        (r for r in site.data.rows("base_images") if r["arch"] == DEFAULT_ARCH),
        key=lambda r: BASE_ORDER.index(r["base"]) if r["base"] in BASE_ORDER else 99,
    )
    if not rows:
        return "No base image has been measured yet." + site.notes.ref(
            "data", "Not measured yet: scripts/measure.py records each base image it uses in base_images.csv."
        )

    def yes_no(column: str) -> Callable[[Row], str]:
        return lambda r: text(r[column])

    def ca(r: Row) -> str:
        if not r["ca_bundle"]:
            return "none"
        return render.sort_key(f"{render.code(r['ca_bundle'])} ({int(r['ca_certs'])})", int(r["ca_certs"]))

    def or_none(column: str) -> Callable[[Row], str]:
        return lambda r: text(r[column]) if r[column] else "none"

    def users(r: Row) -> str:
        if r["passwd"] != "yes":
            return "no /etc/passwd"
        return text(r["unprivileged_users"]) if r["unprivileged_users"] else "root only"

    def libraries(r: Row) -> str:
        found = [r["libc"], r["libssl"], "libgcc_s" if r["libgcc_s"] == "yes" else ""]
        return text(", ".join(f for f in found if f)) or "none"

    columns: list[Column[Row]] = [
        Column("Base", lambda r: text(r["base"])),
        Column("Size", lambda r: render.size(int(r["base_bytes"])), "r", key=True),
        Column("Files", lambda r: render.sort_key(f"{int(r['files']):,}", int(r["files"])), "r"),
        Column("CA bundle (certificates)", ca),
        Column("Users uid ≥ 1000", users),
        Column("tzdata", yes_no("tzdata")),
        Column("Shell", or_none("shell")),
        Column("Package manager", or_none("package_manager")),
        Column("C library and runtime libraries", libraries),
    ]
    return render.table(columns, rows)


@macro
def base_fact(site: Site, base: object, column: object) -> str:
    """One fact of one base image, for prose."""
    name = site.string("base", base)
    col = site.string("column", column)
    if name not in site.data.recipes.bases:
        raise site.fail(f"unknown base {name!r}; the recipes declare: {', '.join(site.data.recipes.bases)}")
    if col not in site.data.tables["base_images"].schema.names or col == "base":
        raise site.fail(f"base_images.csv has no column {col!r}")
    rows = {r["base"]: r for r in site.data.rows("base_images") if r["arch"] == DEFAULT_ARCH}
    if name not in rows:
        return "not measured" + site.notes.ref("data", f"base_images.csv has no row for the {text(name)} base yet.")
    value = rows[name][col]
    if isinstance(value, int) and col.endswith("bytes"):
        return render.size(value)
    return text(value) if value not in (None, "") else "none"


OUTCOME_COLUMNS = ("runs", "health", "resolves", "proxies")


@macro
def check_outcome(site: Site, program: object, variant: object, check: object, passed: object, failed: object) -> str:
    """The page's own words for what one check of one measured image gave: ``passed`` or ``failed``
    (with the recorded error as a footnote), or "not measured". The page writes the sentence; the row
    picks its words."""
    pid = site.program(program)
    vid = site.variant(pid, variant)
    column = site.string("check", check)
    if column not in OUTCOME_COLUMNS:
        raise site.fail(f"argument 'check' must be one of {', '.join(OUTCOME_COLUMNS)}, not {column!r}")
    yes, no = site.string("passed", passed), site.string("failed", failed)
    row = site.measured(pid, vid)
    if row is None or row[column] in (None, ""):
        return "(not measured)" + site.not_measured_note(pid, vid)
    if row[column] == "yes":
        return text(yes)
    return text(no) + (site.notes.ref("data", text(row["failure"])) if row["failure"] else "")


@macro
def tls_matrix_summary(site: Site, program: object = "webserver") -> str:
    """How many images the TLS matrix holds, on how many bases, and how many of them were built and ran."""
    pid = site.program(program)
    variants = _matrix_variants(site, pid)
    rows = [_row(site, v) for v in variants]
    built = [r for r in rows if r is not None and r["image_bytes"] is not None]
    failed_builds = [r for r in rows if r is not None and r["image_bytes"] is None]
    running = [r for r in built if r["runs"] == "yes"]
    stacks = len({v.tls for v in variants})
    bases = len({_column_key(v) for v in variants})
    words = f"{len(variants)} combinations: {stacks} TLS stacks on {bases} bases and C runtimes. "
    words += f"{len(built)} were built, and {len(running)} of those passed every server check"
    if failed_builds:
        words += f"; {len(failed_builds)} could not be built"
    not_measured = len(variants) - len(built) - len(failed_builds)
    if not_measured:
        words += f"; {not_measured} not measured yet"
    return text(words + ".")


@macro
def tls_cost_summary(site: Site, program: object = "webserver") -> str:
    """One line: what each TLS stack adds to the static glibc binary over rustls with ring, and the
    dynamically linked OpenSSL binary on distroless/cc against rustls with ring there."""
    pid = site.program(program)
    variants = _matrix_variants(site, pid)

    def binary(tls: str, base: str, linkage: str) -> int | None:
        v = next((v for v in variants if v.tls == tls and v.base.name == base and v.target.crt_linkage == linkage
                  and v.target.libc == "glibc"), None)  # fmt: skip
        row = _row(site, v) if v is not None else None
        return int(row["binary_bytes"]) if row is not None and row["binary_bytes"] is not None else None

    base = binary(TLS_ORDER[0], "scratch", "static")
    if base is None:
        return "not measured yet" + site.notes.ref("data", "The static rustls-with-ring webserver has no row yet.")
    parts = [f"{TLS_ORDER[0]} {render.format_bytes(base)} (the baseline)"]
    for tls in TLS_ORDER[1:]:
        n = binary(tls, "scratch", "static")
        if n is not None:
            sign = "+" if n >= base else "−"
            parts.append(f"{tls} {sign}{render.format_bytes(abs(n - base))}")
    line = text("; ".join(parts) + ".")
    dynamic, ring = binary("openssl", "distroless-cc", "dynamic"), binary(TLS_ORDER[0], "distroless-cc", "dynamic")
    if dynamic is not None and ring is not None:
        relation = "smaller" if dynamic < ring else "larger"
        line += text(
            f" Linked dynamically against the system OpenSSL on distroless/cc, the binary is "
            f"{render.format_bytes(dynamic)}, {render.format_bytes(abs(ring - dynamic))} {relation} than with "
            f"{TLS_ORDER[0]} there: the library is the base's."
        )
    return line
