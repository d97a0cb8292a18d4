"""What the site's macros render: tables, inline figures, Dockerfiles and citations.

:class:`Site` holds the validated datasets and the footnotes of the page being rendered;
``macros.py`` registers its public methods as macros. Every method returns Markdown in which data
values are encoded as text (:func:`cheatsheet.render.text`), and raises :class:`MacroError`, naming
the page and the bad argument, instead of rendering an empty or partial result.
"""

from __future__ import annotations

from typing import Callable

from . import render
from .datasets import Measurements, load_measurements
from .recipes import dockerfile as recipe_dockerfile
from .render import Footnotes, format_bytes, text

COMPARE_SOURCE = "seed"
TOOLCHAIN_NOTES = {
    "rustup": "Built with the rustup toolchain and its prebuilt standard library.",
    "debian-build-std": (
        "Built with Debian's rustc-web toolchain, the standard library rebuilt from source with "
        "-Zbuild-std: no prebuilt musl standard library can be installed on the measuring machine. "
        "See the methodology page."
    ),
}
OPTIONAL_COLUMNS = (("tls", "TLS", "none"), ("dns", "DNS", "none"), ("allocator", "Allocator", "system"))


class MacroError(Exception):
    """A macro was called with something the data does not have."""


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

    # -- lookups ---------------------------------------------------------------------------------
    def _images(self, program: str):
        frame = self.data.frame("images")
        return frame[frame["program"] == program]

    def _published(self, program: str, source: str = COMPARE_SOURCE):
        frame = self.data.frame("published")
        return frame[(frame["program"] == program) & (frame["source"] == source)]

    def _known_programs(self) -> list[str]:
        programs = set(self.data.recipes.programs)
        programs |= set(self.data.frame("published")["program"])
        return sorted(programs)

    def _variant_ids(self, program: str) -> list[str]:
        """Every variant of ``program``: recipes first (in file order), then published-only ones."""
        ids = [v.id for v in self.data.recipes.variants if v.program.id == program]
        frame = self.data.frame("published")
        for vid in frame[frame["program"] == program].sort_values("position")["variant"]:
            if vid not in ids:
                ids.append(vid)
        return ids

    def _check_variant(self, program: str, variant: str) -> None:
        if program not in self._known_programs():
            raise self._fail(f"unknown program {program!r}; known: {', '.join(self._known_programs())}")
        ids = self._variant_ids(program)
        if variant not in ids:
            raise self._fail(f"{program} has no variant {variant!r}; known: {', '.join(ids)}")

    def _measured(self, program: str, variant: str) -> dict | None:
        self._check_variant(program, variant)
        rows = self._images(program)
        rows = rows[rows["variant"] == variant]
        return None if rows.empty else rows.iloc[0].to_dict()

    def _published_row(self, program: str, variant: str, source: str = COMPARE_SOURCE) -> dict | None:
        rows = self._published(program, source)
        rows = rows[rows["variant"] == variant]
        return None if rows.empty else rows.iloc[0].to_dict()

    def _source(self, source: str) -> dict:
        for row in self.data.sources.rows:
            if row["id"] == source:
                return row
        known = ", ".join(r["id"] for r in self.data.sources.rows)
        raise self._fail(f"unknown source {source!r}; sources.csv has: {known}")

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

    def _base_note(self, row: dict) -> str:
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

    # -- tables ----------------------------------------------------------------------------------
    def image_size_table(self, program: str, variants: list[str] | None = None, compare: str = COMPARE_SOURCE) -> str:
        """Every variant of ``program`` (or the listed ones): measured sizes beside a published figure."""
        ids = self._variant_ids(program) if variants is None else list(variants)
        if not ids:
            raise self._fail(f"unknown program {program!r}; known: {', '.join(self._known_programs())}")
        for vid in ids:
            self._check_variant(program, vid)
        source = self._source(compare)
        measured = {vid: self._measured(program, vid) for vid in ids}
        published = {vid: self._published_row(program, vid, compare) for vid in ids}

        def describe(vid: str) -> dict:
            if measured[vid]:
                return measured[vid]
            try:
                return self.data.recipes.variant(program, vid).descriptors()
            except KeyError:
                return {**published[vid], "allocator": "system"}

        described = {vid: describe(vid) for vid in ids}
        extra = [(key, title) for key, title, default in OPTIONAL_COLUMNS
                 if any(described[v][key] != default for v in ids)]

        def sort_size(vid: str) -> int:
            if measured[vid]:
                return int(measured[vid]["image_bytes"])
            return int(published[vid]["image_bytes"]) if published[vid] else -1

        ids.sort(key=sort_size, reverse=True)
        measured_rows = [measured[v] for v in ids if measured[v]]
        shared: dict[str, str] = {}
        for column, note in (("strip", self._strip_note), ("toolchain", self._toolchain_note)):
            values = {r[column] for r in measured_rows}
            if len(values) == 1 and len(measured_rows) > 1:
                shared[column] = note(measured_rows[0])

        headers = ["Variant", "Base", "C library"] + [title for _, title in extra]
        headers += ["Image", "Compressed", "Binary" + "".join(shared.values()), "Runs",
                    f"{text(self._source_short(source))}{self.cite(compare)}"]
        align = ["l"] * (3 + len(extra)) + ["r", "r", "r", "l", "r"]
        rows = []
        for vid in ids:
            d, m, p = described[vid], measured[vid], published[vid]
            cells = [render.code(vid), text(d["base"]) + (self._base_note(m) if m else ""),
                     f"{text(d['libc'])}, {text(d['crt_linkage'])}"]
            cells += [text(d[key]) for key, _ in extra]
            if m:
                binary_notes = "".join(
                    note(m) for column, note in (("strip", self._strip_note), ("toolchain", self._toolchain_note))
                    if column not in shared)
                runs = "yes" if m["runs"] == "yes" else "no" + self.notes.ref("data", f"Does not run: {text(m['failure'])}")
                cells += [format_bytes(int(m["image_bytes"])), format_bytes(int(m["compressed_bytes"])),
                          format_bytes(int(m["binary_bytes"])) + binary_notes, runs]
            else:
                missing = "not measured" + self._not_measured_note(program, vid)
                cells += [missing, "", "", ""]
            cells.append(format_bytes(int(p["image_bytes"])) if p else "")
            rows.append(cells)
        return render.markdown_table(headers, rows, align)

    def _strip_note(self, row: dict) -> str:
        return self.notes.ref("data", f"Binary built with cargo's strip = {text(row['strip'])} setting.")

    def _toolchain_note(self, row: dict) -> str:
        return self.notes.ref("data", text(TOOLCHAIN_NOTES[row["toolchain"]]) + f" {text(row['rustc_version'])}.")

    @staticmethod
    def _source_short(source: dict) -> str:
        return "Original cheatsheet" if source["id"] == "seed" else source["id"]

    def published_table(self, source: str, program: str) -> str:
        """A source's own table for ``program``, in its order and with its wording."""
        self._source(source)
        rows = self._published(program, source)
        if rows.empty:
            raise self._fail(f"source {source!r} publishes no figures for {program!r}")
        rows = rows.sort_values("position")
        with_net = (rows["tls"] != "none").any() or (rows["dns"] != "none").any()
        headers = ["Base", "Size", "Libc", "CRT linkage"] + (["TLS", "DNS"] if with_net else [])
        records = rows.to_dict("records")
        notes = {r["note"] for r in records}
        shared_note = len(records) > 1 and len(notes) == 1
        headers[1] += self.cite(source)
        if shared_note and records[0]["note"]:
            headers[1] += self.notes.ref("data", f"The source notes: {text(records[0]['note'])}.")
        out = []
        for r in records:
            cells = [text(r["base_as_published"]), text(r["size_as_published"]), text(r["libc"]), text(r["crt_linkage"])]
            if with_net:
                cells += [text(r["tls"]), text(r["dns_as_published"] or r["dns"])]
            if r["note"] and not shared_note:
                cells[1] += self.notes.ref("data", f"The source notes: {text(r['note'])}.")
            out.append(cells)
        return render.markdown_table(headers, out, ["l", "r", "l", "l"] + (["l", "l"] if with_net else []))

    def provenance_table(self, program: str) -> str:
        """Toolchain, Docker version, base image and date behind each measured row of ``program``."""
        rows = self._images(program)
        if rows.empty:
            raise self._fail(f"no measured rows for {program!r} in measurements/images.csv")
        headers = ["Variant", "Toolchain", "Base image", "Base obtained", "Docker", "Arch", "Measured"]
        out = []
        for r in rows.to_dict("records"):
            base = text(r["base_ref"]) + (f" ({render.code(r['base_id'][:19])})" if r["base_id"] else "")
            out.append([render.code(r["variant"]), f"rustc {text(r['rustc_release'])}, {text(r['toolchain'])}", base,
                        text(r["base_source"]), text(r["docker_version"]), text(r["host_arch"]),
                        text(r["measured_at"].strftime("%Y-%m-%d"))])
        return render.markdown_table(headers, out, ["l"] * len(headers))

    def schema_table(self, dataset: str) -> str:
        """The columns of a dataset as its schema describes them: name, type, unit, allowed values."""
        from .datasets import DATASETS

        if dataset not in DATASETS:
            raise self._fail(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
        schema = getattr(self.data, dataset).schema
        out = []
        for f in schema.fields:
            kind = f.type + (f" ({f.unit})" if f.unit else "")
            allowed = ", ".join(f.enum) if f.enum else (f"pattern {f.pattern}" if f.pattern else "")
            if f.minimum is not None:
                allowed = f"at least {f.minimum}"
            key = " (key)" if f.name in schema.primary_key else ""
            out.append([render.code(f.name) + key, text(kind), "yes" if f.required else "no", text(allowed),
                        text(f.description)])
        return render.markdown_table(["Column", "Type", "Required", "Allowed", "Meaning"], out, ["l"] * 5)

    # -- inline figures --------------------------------------------------------------------------
    def image_size(self, program: str, variant: str) -> str:
        m = self._measured(program, variant)
        if m:
            return format_bytes(int(m["image_bytes"]))
        p = self._published_row(program, variant)
        if not p:
            raise self._fail(f"{program}/{variant} is neither measured nor published anywhere")
        return format_bytes(int(p["image_bytes"])) + self._not_measured_note(program, variant) + self.cite(p["source"])

    def binary_size(self, program: str, variant: str) -> str:
        m = self._measured(program, variant)
        if not m:
            raise self._fail(f"{program}/{variant} has no measured binary size")
        return format_bytes(int(m["binary_bytes"]))

    def size_difference(self, program: str, variant: str, other: str) -> str:
        a, b = self._measured(program, variant), self._measured(program, other)
        missing = [v for v, row in ((variant, a), (other, b)) if not row]
        if missing:
            raise self._fail(f"size_difference needs measured rows; not measured: {', '.join(missing)}")
        return format_bytes(abs(int(a["image_bytes"]) - int(b["image_bytes"])))

    def base_size(self, base: str) -> str:
        frame = self.data.frame("images")
        rows = frame[frame["base"] == base]
        if rows.empty:
            known = ", ".join(sorted(set(frame["base"])))
            raise self._fail(f"no measured image uses base {base!r}; measured bases: {known or 'none'}")
        latest = rows.sort_values("measured_at").iloc[-1]
        return format_bytes(int(latest["base_bytes"]))

    def dockerfile(self, program: str, variant: str) -> str:
        self._check_variant(program, variant)
        try:
            recipe = self.data.recipes.variant(program, variant)
        except KeyError:
            raise self._fail(f"{program}/{variant} has no recipe, so there is no Dockerfile to show") from None
        return render.code_block(recipe_dockerfile(recipe), "dockerfile", title="Dockerfile")

    MACROS = ("image_size_table", "published_table", "provenance_table", "schema_table", "image_size", "binary_size",
              "size_difference", "base_size", "dockerfile", "cite")
