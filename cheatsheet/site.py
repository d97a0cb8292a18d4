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
        if variants is None:
            return list(self.data.variants_by_program[program])
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

    def _base_note(self, row: Row) -> str:
        if row["base_source"] == "bootstrapped":
            return self.notes.ref(
                "data",
                "Base bootstrapped from Debian 12 packages on the measuring machine, which reaches no "
                "container registry; the Dockerfile defaults to the pinned pull reference. The local "
                "image ids are listed on the methodology page.",
            )
        if row["base_source"] == "pulled":
            return self.notes.ref("data", f"Base pulled as {text(row['base_ref'])}.")
        return ""

    def _strip_note(self, row: Row) -> str:
        return self.notes.ref("data", f"Binary built with cargo's strip = {text(row['strip'])} setting.")

    def _toolchain_note(self, row: Row) -> str:
        note = self.data.toolchain_notes[row["toolchain"]]  # a foreign key of images.csv guarantees it
        return self.notes.ref("data", text(note) + f" {text(row['rustc_version'])}.")

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
        per_row_notes = [("strip", self._strip_note), ("toolchain", self._toolchain_note)]
        shared = ""
        for column, note in list(per_row_notes):
            if len(measured_rows) > 1 and len({r[column] for r in measured_rows}) == 1:
                shared += note(measured_rows[0])
                per_row_notes.remove((column, note))

        def measured_cell(fn: Callable[[Row], str], missing: Callable[[SizeRow], str] = lambda _: "") -> Callable:
            return lambda i: fn(i.measured) if i.measured else missing(i)

        def binary(m: Row) -> str:
            return format_bytes(int(m["binary_bytes"])) + "".join(note(m) for _, note in per_row_notes)

        def runs(m: Row) -> str:
            return "yes" if m["runs"] == "yes" else "no" + self.notes.ref("data", f"Does not run: {text(m['failure'])}")

        def descriptor(key: str) -> Callable[[SizeRow], str]:
            return lambda i: text(i.described.get(key, ""))

        extra: list[Column[SizeRow]] = [
            Column(title, descriptor(key))
            for key, title, default in OPTIONAL_COLUMNS
            if any(i.described.get(key, default) != default for i in items)
        ]
        columns: list[Column[SizeRow]] = [
            Column("Variant", lambda i: render.code(i.variant)),
            Column("Base", lambda i: text(i.described["base"]) + (self._base_note(i.measured) if i.measured else "")),
            Column("C library", lambda i: f"{text(i.described['libc'])}, {text(i.described['crt_linkage'])}"),
            *extra,
            Column(
                "Image",
                measured_cell(
                    lambda m: format_bytes(int(m["image_bytes"])),
                    lambda i: "not measured" + self._not_measured_note(program, i.variant),
                ),
                "r",
            ),
            Column("Compressed", measured_cell(lambda m: format_bytes(int(m["compressed_bytes"]))), "r"),
            Column("Binary" + shared, measured_cell(binary), "r"),
            Column("Runs", measured_cell(runs)),
            Column(
                f"{text(source['short_title'])}{self.cite(source['id'])}",
                lambda i: format_bytes(int(i.published["image_bytes"])) if i.published else "",
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
            Column("Arch", lambda r: text(r["host_arch"])),
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
            return format_bytes(int(m["image_bytes"]))
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
        return format_bytes(int(m["binary_bytes"]))

    def size_difference(self, program: str, variant: str, other: str) -> str:
        program = self._program(program)
        variant, other = self._variant(program, variant), self._variant(program, other, "other")
        a, b = self._measured(program, variant), self._measured(program, other)
        missing = [v for v, row in ((variant, a), (other, b)) if not row]
        if missing or a is None or b is None:
            raise self._fail(f"size_difference needs measured rows; not measured: {', '.join(missing)}")
        return format_bytes(abs(int(a["image_bytes"]) - int(b["image_bytes"])))

    def base_size(self, base: str) -> str:
        base = self._string("base", base)
        rows = self.data.images_by_base.get(base)
        if not rows:
            known = ", ".join(sorted(self.data.images_by_base))
            raise self._fail(f"no measured image uses base {base!r}; measured bases: {known or 'none'}")
        return format_bytes(int(rows[-1]["base_bytes"]))  # the latest measurement

    def dockerfile(self, program: str, variant: str) -> str:
        from .recipes import dockerfile as recipe_dockerfile  # noqa: PLC0415 -- only pages that show one

        program = self._program(program)
        variant = self._variant(program, variant)
        try:
            recipe = self.data.recipes.variant(program, variant)
        except KeyError:
            raise self._fail(f"{program}/{variant} has no recipe, so there is no Dockerfile to show") from None
        return render.code_block(recipe_dockerfile(recipe), "dockerfile", title="Dockerfile")

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
    )
