"""The project's datasets: images measured here, figures published elsewhere, and their sources.

:func:`load_measurements` validates every CSV against its schema, then checks what spans files
(published rows name a known source; measured rows match a variant of the recipes). pandas is the
data layer for the site: :meth:`Measurements.frame` builds a typed DataFrame once per table, and
pandas itself is imported only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .recipes import Recipes, load_recipes
from .tables import DataError, Table, read_table

if TYPE_CHECKING:
    import pandas

REPO = Path(__file__).resolve().parent.parent
MEASUREMENTS = REPO / "measurements"
DATASETS = ("images", "published", "sources")


@cache
def _pandas():
    import pandas

    return pandas


@dataclass
class Measurements:
    images: Table
    published: Table
    sources: Table
    recipes: Recipes
    _frames: dict = field(default_factory=dict, repr=False)

    def frame(self, name: str) -> "pandas.DataFrame":
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


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def load_measurements(directory: Path = MEASUREMENTS, recipes: Recipes | None = None) -> Measurements:
    """Read and check every dataset in ``directory``; raise DataError naming file:line:column."""
    directory = Path(directory)
    tables: dict[str, Table] = {}
    problems = []
    for name in DATASETS:
        path = directory / f"{name}.csv"
        try:
            tables[name] = read_table(path, label=_label(path))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    recipes = recipes or load_recipes()
    source_ids = {row["id"] for row in tables["sources"].rows}
    published = tables["published"]
    for i, row in enumerate(published.rows):
        if row["source"] not in source_ids:
            problems.append(published.error(i, "source", f"unknown source {row['source']!r}; sources.csv has: {', '.join(sorted(source_ids))}"))
    images = tables["images"]
    for i, row in enumerate(images.rows):
        try:
            variant = recipes.variant(row["program"], row["variant"])
        except KeyError:
            problems.append(images.error(i, "variant", f"{row['program']}/{row['variant']} is not a variant in {_label(recipes.path)}"))
            continue
        declared = variant.descriptors()
        for column, value in declared.items():
            if row[column] != value:
                problems.append(images.error(i, column, f"{row[column]!r} but the recipe of {row['program']}/{row['variant']} says {value!r}: re-measure it"))
    if problems:
        raise DataError(problems)
    return Measurements(recipes=recipes, **tables)
