"""The site's data: every dataset read and checked once per build, with the recipes, as pandas frames.

:func:`load_measurements` reads every dataset (:func:`cheatsheet.data.datasets.read_datasets`, the
reader ``scripts/validate.py`` and the measurement writer use too), then checks what spans files and
the recipes: measured rows must be variants of programs/recipes.toml and agree with them. A build
loads the data once: the macros and the downloads hook get the same :class:`Measurements` (a second
call with unchanged files returns it again).

pandas is the site's data layer: :meth:`Measurements.frame` builds a typed DataFrame once per table
(pandas itself is imported only then) for the work that pairs and pivots rows; lookups the macros
make by key are plain dictionaries built once per build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.datasets import dataset_paths, read_datasets
from ..data.table import Table
from ..data.text import DataError
from ..paths import MEASUREMENTS, RECIPES
from ..recipes.load import load_recipes
from ..recipes.model import Recipes
from ..recipes.rows import recipe_problems

if TYPE_CHECKING:
    import pandas

Row = dict[str, Any]


@cache
def pandas_module() -> Any:
    import pandas  # noqa: PLC0415 -- imported on first use: the site's floor cost

    return pandas


@dataclass
class Measurements:
    tables: dict[str, Table]
    recipes: Recipes
    _frames: dict = field(default_factory=dict, repr=False)

    def frame(self, name: str) -> pandas.DataFrame:
        """The validated table ``name`` as a DataFrame (integers as nullable Int64)."""
        if name not in self._frames:
            pd = pandas_module()
            table = self.tables[name]
            frame = pd.DataFrame.from_records(list(table.rows), columns=list(table.schema.names))
            for f in table.schema.fields:
                if f.type == "integer":
                    frame[f.name] = frame[f.name].astype("Int64")
            self._frames[name] = frame
        return self._frames[name]

    def rows(self, name: str) -> tuple[Row, ...]:
        return self.tables[name].rows

    # -- lookups, built once ---------------------------------------------------------------------
    @cached_property
    def images_by_program(self) -> dict[str, list[Row]]:
        """Measured rows per program, in file order."""
        out: dict[str, list[Row]] = {}
        for r in self.rows("images"):
            out.setdefault(r["program"], []).append(r)
        return out

    @cached_property
    def verbatim_builds(self) -> dict[tuple[str, str], Row]:
        """dockerfile_builds.csv by (program, variant)."""
        return {(r["program"], r["variant"]): r for r in self.rows("dockerfile_builds")}

    @cached_property
    def images_by_variant(self) -> dict[tuple[str, str], Row]:
        return {(r["program"], r["variant"]): r for r in self.rows("images")}

    @cached_property
    def images_by_base(self) -> dict[str, list[Row]]:
        """Measured rows per base, oldest measurement first."""
        out: dict[str, list[Row]] = {}
        for r in sorted(self.rows("images"), key=lambda r: r["measured_at"]):
            out.setdefault(r["base"], []).append(r)
        return out

    @cached_property
    def published_by_program(self) -> dict[tuple[str, str], list[Row]]:
        """Published rows per (source, program), in the source's order."""
        out: dict[tuple[str, str], list[Row]] = {}
        for r in sorted(self.rows("published"), key=lambda r: r["position"]):
            out.setdefault((r["source"], r["program"]), []).append(r)
        return out

    @cached_property
    def published_by_variant(self) -> dict[tuple[str, str, str], Row]:
        return {(r["source"], r["program"], r["variant"]): r for r in self.rows("published")}

    @cached_property
    def sources_by_id(self) -> dict[str, Row]:
        return {r["id"]: r for r in self.rows("sources")}

    @cached_property
    def toolchain_notes(self) -> dict[str, str]:
        return {r["id"]: r["note"] for r in self.rows("toolchains")}

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


_loaded: dict[tuple, Measurements] = {}


def _stamp(directory: Path, recipes_path: Path) -> tuple:
    """What identifies the files a load read: their paths, sizes and modification times."""
    paths = [*sorted(directory.glob("*.csv")), *sorted(directory.glob("*.schema.json")), recipes_path]
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths if p.exists())


def load_measurements(directory: Path = MEASUREMENTS, recipes: Recipes | None = None) -> Measurements:
    """Read and check every dataset in ``directory`` against the schemas and the recipes; raise
    DataError naming file:line:column (or RecipeError naming the recipes file's table and key)."""
    directory = Path(directory).resolve()
    recipes_path = recipes.path if recipes is not None else RECIPES
    stamp = _stamp(directory, recipes_path)
    if recipes is None and stamp in _loaded:
        return _loaded[stamp]
    dataset_paths(directory)  # a stray CSV or schema is a problem before anything is read
    tables = read_datasets(directory)
    recipes = recipes or load_recipes()
    problems = recipe_problems(tables, recipes)
    if problems:
        raise DataError(problems)
    data = Measurements(tables=tables, recipes=recipes)
    if recipes.path == RECIPES:
        _loaded.clear()
        _loaded[stamp] = data
    return data
