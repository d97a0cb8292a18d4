"""What the site's macros render: tables, inline figures, Dockerfiles and citations.

:class:`Site` holds the validated datasets and the footnotes of the page being rendered;
``macros.py`` registers its public methods as macros. Every method returns Markdown in which data
values are encoded as text (:func:`cheatsheet.render.text`), and raises :class:`MacroError`, naming
the page and the bad argument, instead of rendering an empty or partial result. Tables are declared
as lists of :class:`cheatsheet.render.Column` (title, alignment, cell function).

Wording that belongs to the data lives with the data: the toolchain notes in
``measurements/toolchains.csv``, the short names of sources in ``measurements/sources.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import render
from .datasets import DATASETS, Measurements, load_measurements
from .recipes import DEFAULT_ARCH
from .render import Column, Footnotes, format_bytes, text

COMPARE_SOURCE = "seed"
# (column, title, default): shown in the image-size table only when a row differs from the default
OPTIONAL_COLUMNS = (("tls", "TLS", "none"), ("dns", "DNS", "none"), ("allocator", "Allocator", "system"))

Row = dict[str, Any]


class MacroError(Exception):
    """A macro was called with something the data does not have."""


@dataclass(frozen=True)
class SizeRow:
    """One row of :meth:`Site.image_size_table`: a variant, what describes it, its figures."""

    variant: str
    described: Row
    measured: Row | None
    published: Row | None


class Site:
    def __init__(self, load: Callable[[], Measurements] = load_measurements):
        self._load = load
        self._data: Measurements | None = None
        self.page = "(no page)"
        self.notes = Footnotes()

    # -- page life cycle -------------------------------------------------------------------------
    @property
    def data(self) -> Measurements:
        if self._data is None:
            self._data = self._load()
        return self._data

    def start_page(self, page: str) -> None:
        self.page = page
        self.notes = Footnotes()

    def finish_page(self) -> str:
        """Footnote definitions to append to the page that was rendered."""
        return self.notes.definitions()

    def _fail(self, message: str) -> MacroError:
        return MacroError(f"{self.page}: {message}")

    # -- arguments -------------------------------------------------------------------------------
    def _string(self, argument: str, value: object) -> str:
        if not isinstance(value, str):
            raise self._fail(f"argument {argument!r} must be a string, not {type(value).__name__} {value!r}")
        return value

    def _program(self, program: object) -> str:
        program = self._string("program", program)
        known = self.data.variants_by_program
        if program not in known:
            raise self._fail(f"unknown program {program!r}; known: {', '.join(sorted(known))}")
        return program

    def _variant(self, program: str, variant: object, argument: str = "variant") -> str:
        variant = self._string(argument, variant)
        ids = self.data.variants_by_program[program]
        if variant not in ids:
            raise self._fail(f"{program} has no variant {variant!r}; known: {', '.join(ids)}")
        return variant

    def _variant_list(self, program: str, variants: object) -> list[str]:
        if variants is None:  # a size ladder's steps are shown by the ladder macros, not in every table,
            # and other architectures side by side with x86-64 by arch_table
            elsewhere = {
                v.id
                for v in self.data.recipes.variants
                if v.program.id == program and (v.ladder or v.arch != DEFAULT_ARCH)
            }
            return [v for v in self.data.variants_by_program[program] if v not in elsewhere]
        if isinstance(variants, str) or not isinstance(variants, (list, tuple)):
            raise self._fail(
                f"argument 'variants' must be a list of variant ids, not {type(variants).__name__} {variants!r}"
                f" (write variants=[{variants!r}])"
                if isinstance(variants, str)
                else f"argument 'variants' must be a list of variant ids, not {type(variants).__name__}"
            )
        if not variants:
            raise self._fail(f"argument 'variants' is an empty list; name at least one variant of {program}")
        ids: list[str] = []
        for i, item in enumerate(variants):
            vid = self._variant(program, item, f"variants[{i}]")
            if vid in ids:
                raise self._fail(f"argument 'variants' names {vid!r} twice")
            ids.append(vid)
        return ids

    # -- lookups ---------------------------------------------------------------------------------
    def _measured(self, program: str, variant: str) -> Row | None:
        return self.data.images_by_variant.get((program, variant))

    def _published_row(self, program: str, variant: str, source: str = COMPARE_SOURCE) -> Row | None:
        return self.data.published_by_variant.get((source, program, variant))

    def _source(self, source: object, argument: str = "source") -> Row:
        source = self._string(argument, source)
        sources = self.data.sources_by_id
        if source not in sources:
            raise self._fail(f"unknown source {source!r}; sources.csv has: {', '.join(sources) or 'no rows'}")
        return sources[source]

    # -- notes -----------------------------------------------------------------------------------
    def cite(self, source: str) -> str:
        """A footnote reference to a published source."""
        row = self._source(source)
        note = f"{text(row['title'])}. {text(row['location'])}. Figures copied on {row['retrieved'].isoformat()}."
        if row["note"]:
            note += f" {text(row['note'])}"
        return self.notes.ref("src", note)

    def _not_measured_note(self, program: str, variant: str) -> str:
        try:
            recipe = self.data.recipes.variant(program, variant)
        except KeyError:
            return self.notes.ref("data", "Not measured here yet: no recipe for this variant exists so far.")
        if recipe.base.name != "scratch" and not recipe.base.bootstrap:
            return self.notes.ref(
                "data",
                f"Not measured here: the {text(recipe.base.name)} base can only be pulled from a registry "
                f"(there is no recipe to bootstrap it from Debian packages), and the machine that made "
                f"these measurements reached none.",
            )
        return self.notes.ref("data", "Not measured yet: run the measurement script for this variant.")

    def _base_note_text(self, row: Row) -> str:
        if row["base_source"] == "bootstrapped":
            return (
                "Base bootstrapped from Debian 12 packages on the measuring machine, which reaches no "
                "container registry; the Dockerfile defaults to the pinned pull reference. The local "
                "image ids are listed on the methodology page."
            )
        if row["base_source"] == "pulled":
            return f"Base pulled as {text(row['base_ref'])}."
        return ""

    def _base_note(self, row: Row) -> str:
        note = self._base_note_text(row)
        return self.notes.ref("data", note) if note else ""

    def _strip_note(self, row: Row) -> str:
        return self.notes.ref("data", f"Binary built with cargo's strip = {text(row['strip'])} setting.")

    def _toolchain_note_text(self, row: Row) -> str:
        note = self.data.toolchain_notes[row["toolchain"]]  # a foreign key of images.csv guarantees it
        return text(note) + f" {text(row['rustc_version'])}."

    def _toolchain_note(self, row: Row) -> str:
        return self.notes.ref("data", self._toolchain_note_text(row))

    def _header_note(self, rows: Sequence[Row], label: Callable[[Row], str], note: Callable[[Row], str]) -> str:
        """One footnote for a column header explaining ``note`` of every row, whatever row it is.

        A table references each of its notes once (Python-Markdown's footnotes take time quadratic in
        the references to one note, and a note with hundreds of back-links helps no reader): a note
        every row shares is referenced from the header; notes that differ go in one header note, each
        after the values of ``label`` it applies to.
        """
        groups: dict[str, list[str]] = {}
        for row in rows:
            if n := note(row):
                labels = groups.setdefault(n, [])
                if label(row) not in labels:
                    labels.append(label(row))
        if not groups:
            return ""
        if len(groups) == 1:
            return self.notes.ref("data", next(iter(groups)))
        return self.notes.ref("data", " ".join(f"{', '.join(labels)}: {n}" for n, labels in groups.items()))

    # -- tables ----------------------------------------------------------------------------------
    def image_size_table(
        self, program: str, variants: Sequence[str] | None = None, compare: str = COMPARE_SOURCE
    ) -> str:
        """Every variant of ``program`` (or the listed ones): measured sizes beside a published figure."""
        program = self._program(program)
        ids = self._variant_list(program, variants)
        source = self._source(compare, "compare")
        items = []
        for vid in ids:
            measured, published = self._measured(program, vid), self._published_row(program, vid, compare)
            if measured:
                described = measured
            else:
                try:
                    described = self.data.recipes.variant(program, vid).descriptors()
                except KeyError:
                    described = {**published, "allocator": "system"} if published else {}
            items.append(SizeRow(vid, described, measured, published))

        def sort_size(item: SizeRow) -> int:
            if item.measured:
                return int(item.measured["image_bytes"])
            return int(item.published["image_bytes"]) if item.published else -1

        items.sort(key=sort_size, reverse=True)
        measured_rows = [i.measured for i in items if i.measured]
        # Each note once per table (see _header_note): a setting every measured row shares is noted
        # in the Binary header; one that differs gets its own column, noted once in that header.
        base_title = "Base" + self._header_note(measured_rows, lambda r: text(r["base"]), self._base_note_text)
        binary_title = "Binary"
        by_setting: list[Column[SizeRow]] = []
        if len({r["strip"] for r in measured_rows}) == 1:
            binary_title += self._strip_note(measured_rows[0])
        elif measured_rows:
            note = self.notes.ref("data", "The strip setting of cargo's release profile the binary was built with.")
            by_setting.append(Column("Strip" + note, lambda i: text(i.measured["strip"]) if i.measured else ""))
        if len({(r["toolchain"], r["rustc_version"]) for r in measured_rows}) == 1:
            binary_title += self._toolchain_note(measured_rows[0])
        elif measured_rows:
            note = self._header_note(measured_rows, lambda r: text(r["toolchain"]), self._toolchain_note_text)
            by_setting.append(Column("Toolchain" + note, lambda i: text(i.measured["toolchain"]) if i.measured else ""))

        def measured_cell(fn: Callable[[Row], str], missing: Callable[[SizeRow], str] = lambda _: "") -> Callable:
            return lambda i: fn(i.measured) if i.measured else missing(i)

        def binary(m: Row) -> str:
            return render.size(int(m["binary_bytes"]))

        def runs(m: Row) -> str:
            return "yes" if m["runs"] == "yes" else "no" + self.notes.ref("data", f"Does not run: {text(m['failure'])}")

        def published_size(p: Row) -> str:
            # a published figure is a rounded text: it sorts by its bytes, but shows no exact bytes
            return render.sort_key(format_bytes(int(p["image_bytes"])), int(p["image_bytes"]))

        def descriptor(key: str) -> Callable[[SizeRow], str]:
            return lambda i: text(i.described.get(key, ""))

        extra: list[Column[SizeRow]] = [
            Column(title, descriptor(key))
            for key, title, default in OPTIONAL_COLUMNS
            if any(i.described.get(key, default) != default for i in items)
        ]
        columns: list[Column[SizeRow]] = [
            Column("Variant", lambda i: render.code(i.variant)),
            Column(base_title, lambda i: text(i.described["base"])),
            Column("C library", lambda i: f"{text(i.described['libc'])}, {text(i.described['crt_linkage'])}"),
            *extra,
            Column(
                "Image",
                measured_cell(
                    lambda m: render.size(int(m["image_bytes"])),
                    lambda i: "not measured" + self._not_measured_note(program, i.variant),
                ),
                "r",
            ),
            Column("Compressed", measured_cell(lambda m: render.size(int(m["compressed_bytes"]))), "r"),
            Column(binary_title, measured_cell(binary), "r"),
            *by_setting,
            Column("Runs", measured_cell(runs)),
            Column(
                f"{text(source['short_title'])}{self.cite(source['id'])}",
                lambda i: published_size(i.published) if i.published else "",
                "r",
            ),
        ]
        return render.table(columns, items)

    def published_table(self, source: str, program: str) -> str:
        """A source's own table for ``program``, in its order and with its wording."""
        source = self._source(source)["id"]
        program = self._string("program", program)
        records = self.data.published_by_program.get((source, program), [])
        if not records:
            raise self._fail(f"source {source!r} publishes no figures for {program!r}")
        with_net = any(r["tls"] != "none" or r["dns"] != "none" for r in records)
        notes = {r["note"] for r in records}
        shared_note = len(records) > 1 and len(notes) == 1
        size_title = "Size" + self.cite(source)
        if shared_note and records[0]["note"]:
            size_title += self.notes.ref("data", f"The source notes: {text(records[0]['note'])}.")

        def size(r: Row) -> str:
            cell = text(r["size_as_published"])
            if r["note"] and not shared_note:
                cell += self.notes.ref("data", f"The source notes: {text(r['note'])}.")
            return cell

        columns: list[Column[Row]] = [
            Column("Base", lambda r: text(r["base_as_published"])),
            Column(size_title, size, "r"),
            Column("Libc", lambda r: text(r["libc"])),
            Column("CRT linkage", lambda r: text(r["crt_linkage"])),
        ]
        if with_net:
            columns += [
                Column("TLS", lambda r: text(r["tls"])),
                Column("DNS", lambda r: text(r["dns_as_published"] or r["dns"])),
            ]
        return render.table(columns, records)

    def provenance_table(self, program: str) -> str:
        """Toolchain, Docker version, base image and date behind each measured row of ``program``."""
        program = self._program(program)
        rows = self.data.images_by_program.get(program, [])
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
            Column("Measured", lambda r: text(r["measured_at"].strftime("%Y-%m-%d"))),
        ]
        return render.table(columns, rows)

    def schema_table(self, dataset: str) -> str:
        """The columns of a dataset as its schema describes them: name, type, unit, allowed values."""
        dataset = self._string("dataset", dataset)
        if dataset not in DATASETS:
            raise self._fail(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
        schema = getattr(self.data, dataset).schema

        def allowed(f: Any) -> str:
            if f.minimum is not None or f.maximum is not None:
                return f"{f.minimum:,} to {f.maximum:,}" if f.minimum is not None else f"at most {f.maximum:,}"
            return ", ".join(f.enum) if f.enum else (f"pattern {f.pattern}" if f.pattern else "")

        columns: list[Column[Any]] = [
            Column("Column", lambda f: render.code(f.name) + (" (key)" if f.name in schema.primary_key else "")),
            Column("Type", lambda f: text(f.type + (f" ({f.unit})" if f.unit else ""))),
            Column("Required", lambda f: "yes" if f.required else "no"),
            Column("Allowed", lambda f: text(allowed(f))),
            Column("Meaning", lambda f: text(f.description)),
        ]
        return render.table(columns, schema.fields)

    # -- inline figures --------------------------------------------------------------------------
    def image_size(self, program: str, variant: str) -> str:
        program = self._program(program)
        variant = self._variant(program, variant)
        m = self._measured(program, variant)
        if m:
            return render.size(int(m["image_bytes"]))
        p = self._published_row(program, variant)
        if not p:
            raise self._fail(f"{program}/{variant} is neither measured nor published anywhere")
        return format_bytes(int(p["image_bytes"])) + self._not_measured_note(program, variant) + self.cite(p["source"])

    def binary_size(self, program: str, variant: str) -> str:
        program = self._program(program)
        variant = self._variant(program, variant)
        m = self._measured(program, variant)
        if not m:
            raise self._fail(f"{program}/{variant} has no measured binary size")
        return render.size(int(m["binary_bytes"]))

    def size_difference(self, program: str, variant: str, other: str) -> str:
        program = self._program(program)
        variant, other = self._variant(program, variant), self._variant(program, other, "other")
        a, b = self._measured(program, variant), self._measured(program, other)
        missing = [v for v, row in ((variant, a), (other, b)) if not row]
        if missing or a is None or b is None:
            raise self._fail(f"size_difference needs measured rows; not measured: {', '.join(missing)}")
        return render.size(abs(int(a["image_bytes"]) - int(b["image_bytes"])))

    def base_size(self, base: str) -> str:
        base = self._string("base", base)
        rows = [r for r in self.data.images_by_base.get(base, []) if r["arch"] == DEFAULT_ARCH]
        if not rows:
            known = ", ".join(sorted(self.data.images_by_base))
            raise self._fail(f"no measured image uses base {base!r}; measured bases: {known or 'none'}")
        return render.size(int(rows[-1]["base_bytes"]))  # the latest measurement

    def dockerfile(self, program: str, variant: str) -> str:
        """Two tabs: a complete Dockerfile for the reader's crate, and the stage measured, byte for byte."""
        from .recipes import dockerfile as recipe_dockerfile  # noqa: PLC0415 -- only pages that show one
        from .recipes import full_dockerfile  # noqa: PLC0415

        program = self._program(program)
        variant = self._variant(program, variant)
        try:
            recipe = self.data.recipes.variant(program, variant)
        except KeyError:
            raise self._fail(f"{program}/{variant} has no recipe, so there is no Dockerfile to show") from None
        return render.tabs(
            [
                ("Full Dockerfile", render.code_block(full_dockerfile(recipe), "dockerfile", title="Dockerfile")),
                ("Measured stage", render.code_block(recipe_dockerfile(recipe), "dockerfile", title="Dockerfile")),
            ]
        )

    MACROS = (
        "image_size_table",
        "published_table",
        "provenance_table",
        "schema_table",
        "image_size",
        "binary_size",
        "size_difference",
        "base_size",
        "dockerfile",
        "cite",
        "ladder_table",
        "ladder_chart",
        "ladder_commands",
        "ladder_smallest",
        "ladder_size",
        "tls_matrix",
        "tls_cost_table",
        "server_checks_table",
        "base_facts_table",
        "base_fact",
        "bench_table",
        "bench_chart",
        "bench_figure",
        "startup_memory_table",
        "arch_table",
        "base_arch_table",
    )

    # -- size ladders (issue 8): the rendering is in cheatsheet/ladder_site.py --------------------
    def ladder_table(self, ladder: str = "hello-size") -> str:
        """Every step of a size ladder: knob, price, image bytes per libc, whether it runs."""
        from . import ladder_site  # noqa: PLC0415 -- only the pages that show a ladder

        return ladder_site.table(self, ladder)

    def ladder_chart(self, ladder: str = "hello-size") -> str:
        """The ladder's image sizes as an inline SVG bar chart (log scale); the figures are in ladder_table."""
        from . import ladder_site  # noqa: PLC0415

        return ladder_site.chart(self, ladder)

    def ladder_commands(self, ladder: str = "hello-size") -> str:
        """Each step's cargo command and Dockerfile per libc, from the same recipes that were measured."""
        from . import ladder_site  # noqa: PLC0415

        return ladder_site.commands(self, ladder)

    def ladder_smallest(self, kind: str, ladder: str = "hello-size", page: str = "") -> str:
        """The smallest image of the ladder that runs (kind "std", "no_std" or "any"), linked to its row."""
        from . import ladder_site  # noqa: PLC0415

        return ladder_site.smallest(self, ladder, kind, page)

    def ladder_size(self, step: str, libc: str, ladder: str = "hello-size") -> str:
        """The image bytes of one ladder step for one libc, for prose."""
        from . import ladder_site  # noqa: PLC0415

        return ladder_site.size(self, ladder, step, libc)

    # -- the networked program (issue 7): the rendering is in cheatsheet/network_site.py -------------
    def tls_matrix(self, program: str = "webserver", stacks: Sequence[str] | None = None) -> str:
        """TLS stacks × bases: image size and whether the server check passed, failures as footnotes."""
        from . import network_site  # noqa: PLC0415 -- only the pages that show it

        return network_site.tls_matrix(self, program, stacks)

    def tls_cost_table(self, program: str = "webserver") -> str:
        """Binary size per TLS stack on the static builds, and the difference to rustls with ring."""
        from . import network_site  # noqa: PLC0415

        return network_site.tls_cost_table(self, program)

    def server_checks_table(self, program: str, variants: Sequence[str]) -> str:
        """The listed server variants: what each check on the private network gave, trust anchors loaded."""
        from . import network_site  # noqa: PLC0415

        return network_site.server_checks_table(self, program, variants)

    def base_facts_table(self) -> str:
        """What every measured base image carries: CA bundle, users, tzdata, shell, libraries."""
        from . import network_site  # noqa: PLC0415

        return network_site.base_facts_table(self)

    def base_fact(self, base: str, column: str) -> str:
        """One fact of one base image (a column of base_images.csv), for prose."""
        from . import network_site  # noqa: PLC0415

        return network_site.base_fact(self, base, column)

    # -- the allocator benchmark (issue 9): the rendering is in cheatsheet/bench_site.py -------------
    def bench_table(self) -> str:
        """bench.csv: throughput, latency, memory, start-up and build time per variant, ratios to the baseline."""
        from . import bench_site  # noqa: PLC0415 -- only the page that shows it

        return bench_site.bench_table(self)

    def bench_chart(self) -> str:
        """Requests per second per variant on /alloc and /cpu, as an inline SVG chart."""
        from . import bench_site  # noqa: PLC0415

        return bench_site.bench_chart(self)

    def startup_memory_table(self) -> str:
        """The benchmarked webserver images: base, size, start-up time and peak memory from bench.csv."""
        from . import bench_site  # noqa: PLC0415

        return bench_site.startup_memory_table(self)

    def bench_figure(self, variant: str, column: str) -> str:
        """One figure of bench.csv, for prose."""
        from . import bench_site  # noqa: PLC0415

        return bench_site.bench_figure(self, variant, column)

    # -- other architectures (issue 11): the rendering is in cheatsheet/arch_site.py ------------------
    def arch_table(self, program: str, variants: Sequence[str] | None = None) -> str:
        """Variants declared for x86-64 and arm64: image and binary sizes side by side, the difference."""
        from . import arch_site  # noqa: PLC0415 -- only the pages that show it

        return arch_site.arch_table(self, program, variants)

    def base_arch_table(self) -> str:
        """Base images measured for x86-64 and arm64: sizes and files side by side."""
        from . import arch_site  # noqa: PLC0415

        return arch_site.base_arch_table(self)
