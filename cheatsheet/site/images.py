"""Image sizes: the measured table beside published figures, provenance, single figures for prose,
the Dockerfiles, citations and the datasets' schemas."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..recipes.arch import DEFAULT_ARCH
from ..recipes.dockerfile import dockerfile as recipe_dockerfile
from ..recipes.dockerfile import dockerfile_sha256, full_dockerfile
from ..recipes.model import Variant
from . import render
from .context import COMPARE_SOURCE, Row, Site, macro
from .network import BASE_ORDER
from .render import Column, text

# (column, title, default): shown in the image-size table only when a row differs from the default
OPTIONAL_COLUMNS = (("tls", "TLS", "none"), ("dns", "DNS", "none"), ("allocator", "Allocator", "system"))


@dataclass(frozen=True)
class SizeRow:
    """One row of :func:`image_size_table`: a variant, what describes it, its figures."""

    variant: str
    described: Row
    measured: Row | None
    published: Row | None


@macro
def cite(site: Site, source: str) -> str:
    """A footnote reference to a published source."""
    return site.citation(source)


@macro
def image_size_table(
    site: Site, program: str, variants: Sequence[str] | None = None, compare: str = COMPARE_SOURCE
) -> str:
    """Every variant of ``program`` (or the listed ones): measured sizes beside a published figure."""
    program = site.program(program)
    ids = site.variant_list(program, variants)
    source = site.source(compare, "compare")
    items = []
    for vid in ids:
        measured, published = site.measured(program, vid), site.published_row(program, vid, compare)
        if measured:
            described = measured
        else:
            try:
                described = site.data.recipes.variant(program, vid).descriptors()
            except KeyError:
                described = {**published, "allocator": "system"} if published else {}
        items.append(SizeRow(vid, described, measured, published))

    def sort_size(item: SizeRow) -> int:
        # largest first; a failed build, then a variant known only by name, at the end
        if item.measured:
            return -1 if item.measured["image_bytes"] is None else int(item.measured["image_bytes"])
        return int(item.published["image_bytes"]) if item.published else -2

    items.sort(key=sort_size, reverse=True)
    measured_rows = [i.measured for i in items if i.measured]
    # Each note once per table (see Site.header_note): a setting every measured row shares is noted
    # in the Binary header; one that differs gets its own column, noted once in that header.
    base_title = "Base" + site.header_note(measured_rows, lambda r: text(r["base"]), site.base_note_text)
    binary_title = "Binary"
    by_setting: list[Column[SizeRow]] = []
    if len({r["strip"] for r in measured_rows}) == 1:
        binary_title += site.strip_note(measured_rows[0])
    elif measured_rows:
        note = site.notes.ref("data", "The strip setting of cargo's release profile the binary was built with.")
        by_setting.append(Column("Strip" + note, lambda i: text(i.measured["strip"]) if i.measured else ""))
    if len({(r["toolchain"], r["rustc_version"]) for r in measured_rows}) == 1:
        binary_title += site.toolchain_note(measured_rows[0])
    elif measured_rows:
        note = site.header_note(measured_rows, lambda r: text(r["toolchain"]), site.toolchain_note_text)
        by_setting.append(Column("Toolchain" + note, lambda i: text(i.measured["toolchain"]) if i.measured else ""))

    def measured_cell(fn: Callable[[Row], str], missing: Callable[[SizeRow], str] = lambda _: "") -> Callable:
        return lambda i: fn(i.measured) if i.measured else missing(i)

    def figure(column: str) -> Callable[[Row], str]:
        return lambda m: render.size(int(m[column])) if m[column] is not None else "–"

    def build_time(m: Row) -> str:
        return f"{m['build_seconds']:.1f}" if m["build_seconds"] is not None else "–"

    def runs(m: Row) -> str:
        return "yes" if m["runs"] == "yes" else "no" + site.notes.ref("data", f"Does not run: {text(m['failure'])}")

    def published_size(p: Row) -> str:
        # a published figure is shown as it was printed (no precision it never had), sorted by its bytes
        return render.sort_key(text(p["size_as_published"]), int(p["image_bytes"]))

    def descriptor(key: str) -> Callable[[SizeRow], str]:
        return lambda i: text(i.described.get(key, ""))

    extra: list[Column[SizeRow]] = [
        Column(title, descriptor(key))
        for key, title, default in OPTIONAL_COLUMNS
        if any(i.described.get(key, default) != default for i in items)
    ]
    if any(r["build_seconds"] is not None for r in measured_rows):
        note = site.notes.ref(
            "data",
            "Wall time of the binary's cargo build from an empty target directory, with the crates "
            "downloaded beforehand, on the two-CPU machine that measured the row (other work on it "
            "lengthens the figure; the CSV also has the build's CPU time, which it changes far less); "
            "– where the row was measured before build times were recorded.",
        )
        by_setting.append(Column("Cold build (s)" + note, measured_cell(build_time), "r"))
    columns: list[Column[SizeRow]] = [
        Column("Variant", lambda i: render.code(i.variant)),
        Column(base_title, lambda i: text(i.described["base"])),
        Column("C library", lambda i: f"{text(i.described['libc'])}, {text(i.described['crt_linkage'])}"),
        *extra,
        Column("Image", lambda i: site.size(i.measured, "image_bytes", program, i.variant), "r", key=True),
        Column("Compressed", measured_cell(figure("compressed_bytes")), "r"),
        Column(binary_title, measured_cell(figure("binary_bytes")), "r"),
        *by_setting,
        Column("Runs", measured_cell(runs)),
        Column(
            f"{text(source['short_title'])}{site.citation(source['id'])}",
            lambda i: published_size(i.published) if i.published else "",
            "r",
        ),
    ]
    return render.table(columns, items)


@macro
def published_table(site: Site, source: str, program: str) -> str:
    """A source's own table for ``program``, in its order and with its wording."""
    source = site.source(source)["id"]
    program = site.string("program", program)
    records = site.data.published_by_program.get((source, program), [])
    if not records:
        if program not in site.data.variants_by_program:
            raise site.fail(f"unknown program {program!r}")
        return f"{text(site.source(source)['short_title'])} lists no figures for {render.code(program)} here."
    with_net = any(r["tls"] != "none" or r["dns"] != "none" for r in records)
    notes = {r["note"] for r in records}
    shared_note = len(records) > 1 and len(notes) == 1
    size_title = "Size" + site.citation(source)
    if shared_note and records[0]["note"]:
        size_title += site.notes.ref("data", f"The source notes: {text(records[0]['note'])}.")

    def size(r: Row) -> str:
        # shown as the source printed it, sorted by its bytes
        cell = render.sort_key(text(r["size_as_published"]), int(r["image_bytes"]))
        if r["note"] and not shared_note:
            cell += site.notes.ref("data", f"The source notes: {text(r['note'])}.")
        return cell

    columns: list[Column[Row]] = [
        Column("Base", lambda r: text(r["base_as_published"])),
        Column(size_title, size, "r", key=True),
        Column("Libc", lambda r: text(r["libc"])),
        Column("CRT linkage", lambda r: text(r["crt_linkage"])),
    ]
    if with_net:
        columns += [
            Column("TLS", lambda r: text(r["tls"])),
            Column("DNS", lambda r: text(r["dns_as_published"] or r["dns"])),
        ]
    return render.table(columns, records)


@macro
def provenance_table(site: Site, program: str, ladder: str = "") -> str:
    """Toolchain, Docker version, base image and date behind each measured row of ``program`` (or, with
    ``ladder``, of that size ladder's steps, which the other tables of the program leave out)."""
    program = site.program(program)
    ladders = {item.id: item for item in site.data.recipes.ladders}
    if ladder and ladder not in ladders:
        raise site.fail(f"unknown ladder {ladder!r}; ladders in the recipes: {', '.join(ladders)}")
    if ladder:  # the ladder's steps, whichever program a step builds
        keys = {v.key for v in ladders[ladder].variants}
        rows = [r for r in site.data.rows("images") if (r["program"], r["variant"]) in keys]
    else:
        steps = {v.key for v in site.data.recipes.variants if v.ladder}
        rows = [r for r in site.data.images_by_program.get(program, []) if (program, r["variant"]) not in steps]
    if not rows:
        return f"No measured rows for {render.code(program)} yet."

    def base(r: Row) -> str:
        return text(r["base_ref"]) + (f" ({render.code(r['base_id'][:19])})" if r["base_id"] else "")

    columns: list[Column[Row]] = [
        Column("Variant", lambda r: render.code(r["variant"])),
        Column("Toolchain", lambda r: f"rustc {text(r['rustc_release'])}, {text(r['toolchain'])}"),
        Column("Base image", base),
        Column("Base obtained", lambda r: text(r["base_source"])),
        Column("Docker", lambda r: text(r["docker_version"])),
        Column("Built for", lambda r: text(r["arch"])),
        Column("Measured on", lambda r: text(r["host_arch"])),
        Column("Measured", lambda r: text(r["measured_at"].strftime("%Y-%m-%d")), key=True),
    ]
    return render.table(columns, rows)


@macro
def schema_table(site: Site, dataset: str) -> str:
    """The columns of a dataset as its schema describes them: name, type, unit, allowed values."""
    dataset = site.string("dataset", dataset)
    tables = site.data.tables
    if dataset not in tables:
        raise site.fail(f"unknown dataset {dataset!r}; known: {', '.join(tables)}")
    schema = tables[dataset].schema

    def allowed(f: Any) -> str:
        if f.minimum is not None or f.maximum is not None:
            return f"{f.minimum:,} to {f.maximum:,}" if f.minimum is not None else f"at most {f.maximum:,}"
        return ", ".join(f.enum) if f.enum else (f"pattern {f.pattern}" if f.pattern else "")

    columns: list[Column[Any]] = [
        Column("Column", lambda f: render.code(f.name) + (" (key)" if f.name in schema.primary_key else "")),
        Column("Type", lambda f: text(f.type + (f" ({f.unit})" if f.unit else ""))),
        Column("Required", lambda f: "yes" if f.required else "no"),
        Column("Allowed", lambda f: text(allowed(f))),
        Column("Meaning", lambda f: text(f.description), key=True),
    ]
    return render.table(columns, schema.fields)


@macro
def image_size(site: Site, program: str, variant: str) -> str:
    program = site.program(program)
    variant = site.variant(program, variant)
    m = site.measured(program, variant)
    p = site.published_row(program, variant)
    if m is None and p is not None:
        return text(p["size_as_published"]) + site.not_measured_note(program, variant) + site.citation(p["source"])
    return site.size(m, "image_bytes", program, variant)


@macro
def build_time(site: Site, program: str, variant: str) -> str:
    """The variant's cold cargo build as images.csv has it ("159 s"), or why there is none."""
    program = site.program(program)
    variant = site.variant(program, variant)
    m = site.measured(program, variant)
    if m is None:
        return "not measured" + site.not_measured_note(program, variant)
    if m["build_seconds"] is None:
        return "not timed" + site.notes.ref(
            "data",
            f"images.csv has no build time for {text(program)}/{text(variant)}: it was measured before build "
            "times were recorded, or with scripts/measure.py --no-build-time.",
        )
    return text(f"{m['build_seconds']:,.0f} s")


@macro
def binary_size(site: Site, program: str, variant: str) -> str:
    program = site.program(program)
    variant = site.variant(program, variant)
    return site.size(site.measured(program, variant), "binary_bytes", program, variant)


@macro
def size_difference(site: Site, program: str, variant: str, other: str) -> str:
    program = site.program(program)
    variant, other = site.variant(program, variant), site.variant(program, other, "other")
    a, b = site.measured(program, variant), site.measured(program, other)
    for vid, row in ((variant, a), (other, b)):
        if row is None or row["image_bytes"] is None:
            return site.size(row, "image_bytes", program, vid)  # why there is no difference to show
    assert a is not None and b is not None
    return render.size(abs(int(a["image_bytes"]) - int(b["image_bytes"])))


@macro
def base_size(site: Site, base: str) -> str:
    base = site.string("base", base)
    if base not in site.data.recipes.bases:
        raise site.fail(f"unknown base {base!r}; the recipes declare: {', '.join(site.data.recipes.bases)}")
    rows = [r for r in site.data.images_by_base.get(base, []) if r["arch"] == DEFAULT_ARCH]
    if not rows:
        return "not measured" + site.notes.ref("data", f"No image on the {text(base)} base has been measured yet.")
    return render.size(int(rows[-1]["base_bytes"]))  # the latest measurement


@macro
def dockerfile(site: Site, program: str, variant: str) -> str:
    """Two tabs: a complete Dockerfile for the reader's crate, and the stage measured, byte for byte;
    above them, whether the complete file was built and run as shown (dockerfile_builds.csv)."""
    program = site.program(program)
    variant = site.variant(program, variant)
    try:
        recipe = site.data.recipes.variant(program, variant)
    except KeyError:
        raise site.fail(f"{program}/{variant} has no recipe, so there is no Dockerfile to show") from None
    build = site.data.verbatim_builds.get((program, variant))
    status = verbatim_status(recipe, build, site.measured(program, variant))
    return (
        status
        + "\n\n"
        + render.tabs(
            [
                ("Full Dockerfile", render.code_block(full_dockerfile(recipe), "dockerfile", title="Dockerfile")),
                ("Measured stage", render.code_block(recipe_dockerfile(recipe), "dockerfile", title="Dockerfile")),
            ]
        )
    )


def binary_comparison(build: Row, measured: Row) -> str:
    """How the binary of a verbatim build compares with the measured one, and what differed in making them."""
    built_bytes = int(build["binary_bytes"])
    diff = built_bytes - int(measured["binary_bytes"])
    if diff == 0:
        return "Its binary has the measured binary's size to the byte."
    said = (
        f"Its binary is {abs(diff):,} bytes {'larger' if diff > 0 else 'smaller'} than the measured one "
        f"({built_bytes:,} against {int(measured['binary_bytes']):,})"
    )
    if measured["toolchain"] != "rustup":
        return said + (
            f": the measured binary was built by Debian's rustc {text(measured['rustc_release'])} with the standard "
            "library rebuilt from source, this one by the builder's rustup toolchain with its prebuilt standard "
            "library (see the methodology page)."
        )
    if build.get("build_packages") and build["build_packages"] != build.get("host_packages"):
        return said + (
            f". Both come from the same rustup release and command, but the build stage installed "
            f"{render.code(build['build_packages'])} from Debian's current packages, while the measured binary "
            f"was built against the measuring machine's {render.code(build['host_packages'])}."
        )
    return said + ", although both were built by the same rustup release with the same command: not explained here."


def verbatim_note(recipe: Variant, build: Row | None) -> str:
    """:func:`verbatim_status` in a few plain words (no markup): for the chooser's results."""
    if build is None or build["dockerfile_sha256"] != dockerfile_sha256(recipe):
        return "Not built as shown here yet; its runtime stage is the measured image."
    day = build["measured_at"].strftime("%Y-%m-%d")
    if build["built"] != "yes":
        return f"Could not be built as shown on the measuring machine ({day}); see its program's page."
    if build["runs"] != "yes":
        return f"Built as shown on {day}, but the image failed its check; see its program's page."
    return f"Built as shown and run here on {day}, as user {build['runs_as']}."


def verbatim_status(recipe: Variant, build: Row | None, measured: Row | None) -> str:
    """One paragraph: was this full Dockerfile built, unchanged, and did its image pass the check?"""
    lead = "**Built as shown:**"
    if build is None:
        return (
            f"{lead} not yet. Only the runtime stage was measured; "
            "`scripts/build_dockerfiles.py` builds the whole file and records the outcome."
        )
    day = text(build["measured_at"].strftime("%Y-%m-%d"))
    if build["dockerfile_sha256"] != dockerfile_sha256(recipe):
        return f"{lead} not this version. An earlier version of the file was built on {day}; it has changed since."
    where = (
        "on the measuring machine"
        if build["host_arch"] == DEFAULT_ARCH
        else f"on an {text(build['host_arch'])} machine"
    )
    if build["built"] != "yes":
        return f"{lead} no, it could not be built {where} on {day}: {render.code(build['failure'])}"
    builder = "made here from Debian packages" if build["builder_source"] == "made-here" else "pulled"
    said = (
        f"{lead} yes, {where} on {day}: `docker build --no-cache .` of this file, unchanged, took "
        f"{build['build_seconds']:.0f} s with {render.code(build['builder'])} ({builder})"
    )
    if build["runs"] != "yes":
        return f"{said}, but the image failed the program's check: {render.code(build['failure'])}"
    said += (
        f"; the image ({render.size(int(build['image_bytes']))}) passed the same check as the measured one, "
        f"running as user {render.code(build['runs_as'])}."
    )
    if measured is not None and measured.get("binary_bytes") is not None:
        said += " " + binary_comparison(build, measured)
    return said


BINARY_TITLES = {
    "glibc-dynamic": "glibc, dynamic (a default -gnu build)",
    "glibc-static": "glibc, static (+crt-static)",
    "musl-static": "musl, static (a default -musl build)",
}


@macro
def runs_where(site: Site, program: str = "hello-world") -> str:
    """Which binary runs on which base, as measured: one row per binary (glibc dynamic, glibc static,
    musl static), one column per base, each cell the run of that binary on that base."""
    program = site.program(program)
    cells = {
        (v.target.id, v.base.name): v
        for v in site.data.recipes.variants
        if v.program.id == program
        and v.arch == DEFAULT_ARCH
        and not v.ladder
        and not v.like_for_like_of
        and v.target.id in BINARY_TITLES
    }
    bases = [b for b in BASE_ORDER if any(base == b for _, base in cells)]

    def cell(base: str) -> Callable[[str], str]:
        def render_cell(target: str) -> str:
            v = cells.get((target, base))
            if v is None:
                return "–"
            row = site.measured(program, v.id)
            if row is None:
                return "not measured" + site.not_measured_note(program, v.id)
            if row["runs"] == "yes":
                return "runs"
            return "fails" + site.notes.ref("data", f"{text(row['failure'])}")

        return render_cell

    # a grid: every cell is a key figure, so no column is marked key
    columns: list[Column[str]] = [Column("Binary", lambda t: text(BINARY_TITLES[t]))]
    columns += [Column(text(base), cell(base)) for base in bases]
    return render.table(columns, list(BINARY_TITLES))
