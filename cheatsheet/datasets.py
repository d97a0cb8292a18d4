"""The project's datasets: images measured here, figures published elsewhere, their sources, and notes.

:func:`load_measurements` validates every CSV against its schema (:func:`cheatsheet.tables.read_table`,
the same reader ``scripts/validate.py`` and the measurement writer use), then checks what spans
files: the ``foreignKeys`` every schema declares (generically), and that measured rows match a
variant of the recipes (programs/recipes.toml is not a CSV, so that check is written here).

pandas is the data layer for the site: :meth:`Measurements.frame` builds a typed DataFrame once per
table, pandas itself is imported only then, and the lookups the macros make are indexed once per
build (by program, and by program and variant), never by filtering the whole frame per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .recipes import Recipes, load_recipes
from .tables import DataError, Problem, Table, check_foreign_keys, read_table

if TYPE_CHECKING:
    import pandas

REPO = Path(__file__).resolve().parent.parent
MEASUREMENTS = REPO / "measurements"
DATASETS = ("images", "published", "sources", "toolchains", "base_images", "bench")

Row = dict[str, Any]


@cache
def _pandas() -> Any:
    import pandas  # noqa: PLC0415 -- imported on first use: the site's floor cost

    return pandas


@dataclass
class Measurements:
    images: Table
    published: Table
    sources: Table
    toolchains: Table
    base_images: Table
    bench: Table
    recipes: Recipes
    _frames: dict = field(default_factory=dict, repr=False)

    def frame(self, name: str) -> pandas.DataFrame:
        """The validated table ``name`` as a DataFrame (integers as nullable Int64)."""
        if name not in self._frames:
            pd = _pandas()
            table: Table = getattr(self, name)
            frame = pd.DataFrame.from_records(list(table.rows), columns=list(table.schema.names))
            for f in table.schema.fields:
                if f.type == "integer":
                    frame[f.name] = frame[f.name].astype("Int64")
            self._frames[name] = frame
        return self._frames[name]

    # -- indexes, built once ---------------------------------------------------------------------
    def _group(self, name: str, by: list[str], order: str | None = None) -> dict[Any, list[Row]]:
        frame = self.frame(name)
        if order:
            frame = frame.sort_values(order, kind="stable")
        out: dict[Any, list[Row]] = {}
        for key, sub in frame.groupby(by if len(by) > 1 else by[0], sort=False):
            out[key] = [_plain(r) for r in sub.to_dict("records")]
        return out

    @cached_property
    def images_by_program(self) -> dict[str, list[Row]]:
        """Measured rows per program, in file order."""
        return self._group("images", ["program"])

    @cached_property
    def images_by_variant(self) -> dict[tuple[str, str], Row]:
        return {(r["program"], r["variant"]): r for rows in self.images_by_program.values() for r in rows}

    @cached_property
    def images_by_base(self) -> dict[str, list[Row]]:
        return self._group("images", ["base"], order="measured_at")

    @cached_property
    def published_by_program(self) -> dict[tuple[str, str], list[Row]]:
        """Published rows per (source, program), in the source's order."""
        return self._group("published", ["source", "program"], order="position")

    @cached_property
    def published_by_variant(self) -> dict[tuple[str, str, str], Row]:
        return {
            (r["source"], r["program"], r["variant"]): r for rows in self.published_by_program.values() for r in rows
        }

    @cached_property
    def sources_by_id(self) -> dict[str, Row]:
        return {r["id"]: r for r in self.sources.rows}

    @cached_property
    def toolchain_notes(self) -> dict[str, str]:
        return {r["id"]: r["note"] for r in self.toolchains.rows}

    @cached_property
    def variants_by_program(self) -> dict[str, list[str]]:
        """Every variant id of each program: recipes first (in file order), then published-only ones."""
        out: dict[str, list[str]] = {}
        for v in self.recipes.variants:
            out.setdefault(v.program.id, []).append(v.id)
        for (_, program), rows in self.published_by_program.items():
            ids = out.setdefault(program, [])
            ids += [r["variant"] for r in rows if r["variant"] not in ids]
        return out


def _plain(record: dict) -> Row:
    """A frame record with pandas' missing values as None and numpy scalars as Python ones."""
    out: Row = {}
    for k, v in record.items():
        if v is _pandas().NA:
            out[k] = None
        elif hasattr(v, "to_pydatetime"):
            out[k] = v.to_pydatetime()
        elif hasattr(v, "item") and not isinstance(v, (str, bytes)):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def recipe_problems(images: Table, recipes: Recipes, label: Callable[[Path], str] = _label) -> list[Problem]:
    """Measured rows that are no variant of ``recipes``, or disagree with what the recipe declares."""
    problems = []
    for i, row in enumerate(images.rows):
        try:
            variant = recipes.variant(row["program"], row["variant"])
        except KeyError:
            where = f"{row['program']}/{row['variant']}"
            problems.append(images.error(i, "variant", f"{where} is not a variant in {label(recipes.path)}"))
            continue
        for column, value in variant.descriptors().items():
            if row[column] != value:
                problems.append(
                    images.error(
                        i,
                        column,
                        f"{row[column]!r} but the recipe of {row['program']}/{row['variant']} says {value!r}: "
                        "re-measure it",
                    )
                )
    return problems


def load_measurements(directory: Path = MEASUREMENTS, recipes: Recipes | None = None) -> Measurements:
    """Read and check every dataset in ``directory``; raise DataError naming file:line:column."""
    directory = Path(directory)
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name in DATASETS:
        path = directory / f"{name}.csv"
        try:
            tables[name] = read_table(path, label=_label(path))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    problems += check_foreign_keys(tables)
    recipes = recipes or load_recipes()
    problems += recipe_problems(tables["images"], recipes)
    if problems:
        raise DataError(problems)
    return Measurements(
        images=tables["images"],
        published=tables["published"],
        sources=tables["sources"],
        toolchains=tables["toolchains"],
        base_images=tables["base_images"],
        bench=tables["bench"],
        recipes=recipes,
    )
