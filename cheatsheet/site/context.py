"""The page context every macro renders with, and the registry macros add themselves to.

:class:`Site` holds the validated datasets (:mod:`.measurements`) and the footnotes of the page being
rendered, and offers what every topic's macros need: argument checks that name the page and the bad
argument (:class:`MacroError`, never an empty or partial result), lookups of measured and published
rows, and the footnotes that explain them. A topic module registers each macro with :func:`macro`;
``cheatsheet.site.macros`` hands them all to mkdocs-macros.

Wording that belongs to the data lives with the data: the toolchain notes in
``measurements/toolchains.csv``, the short names of sources in ``measurements/sources.csv``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..recipes.arch import DEFAULT_ARCH
from . import render
from .measurements import Measurements
from .render import Footnotes, text

COMPARE_SOURCE = "seed"

Row = dict[str, Any]
Macro = Callable[..., str]
M = TypeVar("M", bound=Macro)

#: Every macro by name: a function of the page context and the page's arguments.
MACROS: dict[str, Macro] = {}


def macro(fn: M) -> M:
    """Register ``fn(site, ...)`` as the macro named like the function."""
    if fn.__name__ in MACROS:
        raise ValueError(f"a macro named {fn.__name__!r} is registered twice")
    MACROS[fn.__name__] = fn
    return fn


class MacroError(Exception):
    """A macro was called with something the data does not have."""


class Site:
    def __init__(self, load: Callable[[], Measurements]):
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

    def fail(self, message: str) -> MacroError:
        return MacroError(f"{self.page}: {message}")

    def call(self, name: str, *args: Any, **kwargs: Any) -> str:
        """Render the macro ``name`` on the current page (what a page's ``{{ name(...) }}`` does)."""
        return MACROS[name](self, *args, **kwargs)

    # -- arguments -------------------------------------------------------------------------------
    def string(self, argument: str, value: object) -> str:
        if not isinstance(value, str):
            raise self.fail(f"argument {argument!r} must be a string, not {type(value).__name__} {value!r}")
        return value

    def program(self, program: object) -> str:
        program = self.string("program", program)
        known = self.data.variants_by_program
        if program not in known:
            raise self.fail(f"unknown program {program!r}; known: {', '.join(sorted(known))}")
        return program

    def variant(self, program: str, variant: object, argument: str = "variant") -> str:
        variant = self.string(argument, variant)
        ids = self.data.variants_by_program[program]
        if variant not in ids:
            raise self.fail(f"{program} has no variant {variant!r}; known: {', '.join(ids)}")
        return variant

    def variant_list(self, program: str, variants: object) -> list[str]:
        if variants is None:  # a size ladder's steps are shown by the ladder macros, not in every table,
            # and other architectures side by side with x86-64 (and its like-for-like partners) by arch_table
            elsewhere = {
                v.id
                for v in self.data.recipes.variants
                if v.program.id == program and (v.ladder or v.arch != DEFAULT_ARCH or v.like_for_like_of or v.matrix)
            }
            return [v for v in self.data.variants_by_program[program] if v not in elsewhere]
        if isinstance(variants, str) or not isinstance(variants, (list, tuple)):
            raise self.fail(
                f"argument 'variants' must be a list of variant ids, not {type(variants).__name__} {variants!r}"
                f" (write variants=[{variants!r}])"
                if isinstance(variants, str)
                else f"argument 'variants' must be a list of variant ids, not {type(variants).__name__}"
            )
        if not variants:
            raise self.fail(f"argument 'variants' is an empty list; name at least one variant of {program}")
        ids: list[str] = []
        for i, item in enumerate(variants):
            vid = self.variant(program, item, f"variants[{i}]")
            if vid in ids:
                raise self.fail(f"argument 'variants' names {vid!r} twice")
            ids.append(vid)
        return ids

    # -- lookups ---------------------------------------------------------------------------------
    def measured(self, program: str, variant: str) -> Row | None:
        return self.data.images_by_variant.get((program, variant))

    def published_row(self, program: str, variant: str, source: str = COMPARE_SOURCE) -> Row | None:
        return self.data.published_by_variant.get((source, program, variant))

    def source(self, source: object, argument: str = "source") -> Row:
        source = self.string(argument, source)
        sources = self.data.sources_by_id
        if source not in sources:
            raise self.fail(f"unknown source {source!r}; sources.csv has: {', '.join(sources) or 'no rows'}")
        return sources[source]

    def size(self, row: Row | None, column: str, program: str, variant: str) -> str:
        """A measured size for a table or prose: the figure, or why there is none ("not measured",
        or "not built" with the build's failure as a footnote)."""
        if row is None:
            return "not measured" + self.not_measured_note(program, variant)
        if row[column] is None:
            return "not built" + self.notes.ref("data", f"The build failed: {text(row['failure'])}")
        return render.size(int(row[column]))

    # -- notes -----------------------------------------------------------------------------------
    def citation(self, source: str) -> str:
        """A footnote reference to a published source."""
        row = self.source(source)
        note = (
            f"{text(row['title'])}. {render.linked(row['location'])}. Figures copied on {row['retrieved'].isoformat()}."
        )
        if row["note"]:
            note += f" {render.inline(row['note'])}"
        return self.notes.ref("src", note)

    def not_measured_note(self, program: str, variant: str) -> str:
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

    def base_note_text(self, row: Row) -> str:
        if row["base_source"] == "bootstrapped":
            return (
                "Base bootstrapped from Debian 12 packages on the measuring machine, which reaches no "
                "container registry; the Dockerfile defaults to the pinned pull reference. The local "
                "image ids are listed on the methodology page."
            )
        if row["base_source"] == "pulled":
            return f"Base pulled as {text(row['base_ref'])}."
        return ""

    def strip_note(self, row: Row) -> str:
        return self.notes.ref("data", f"Binary built with cargo's strip = {text(row['strip'])} setting.")

    def toolchain_note_text(self, row: Row) -> str:
        note = self.data.toolchain_notes[row["toolchain"]]  # a foreign key of images.csv guarantees it
        return text(note) + f" {text(row['rustc_version'])}."

    def toolchain_note(self, row: Row) -> str:
        return self.notes.ref("data", self.toolchain_note_text(row))

    def header_note(self, rows: Sequence[Row], label: Callable[[Row], str], note: Callable[[Row], str]) -> str:
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
