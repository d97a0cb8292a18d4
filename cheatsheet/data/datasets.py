"""The project's datasets: every ``<name>.csv`` of measurements/ with its ``<name>.schema.json`` beside it.

:func:`read_datasets` is the one way the datasets are found and read: the validator, the site's
macros and its downloads all use it, so a file is a dataset for all of them or for none. Each CSV is
validated against its schema, then the ``foreignKeys`` and ``agreements`` of every schema are checked
across files.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..paths import MEASUREMENTS, label
from .keys import check_agreements, check_foreign_keys
from .schema import schema_path_for
from .table import Table, read_table
from .text import DataError, Problem

NAME = r"[a-z0-9]+(?:_[a-z0-9]+)*"


def dataset_paths(directory: Path = MEASUREMENTS) -> dict[str, Path]:
    """Each dataset's CSV by name, in name order; DataError for a schema without a CSV or a CSV without a schema."""
    directory = Path(directory)
    problems: list[Problem] = []
    found: dict[str, Path] = {}
    for schema in sorted(directory.glob("*.schema.json")):
        name = schema.name.removesuffix(".schema.json")
        csv_path = directory / f"{name}.csv"
        if not re.fullmatch(NAME, name):
            problems.append((label(schema), 1, 1, "a dataset's name is lower-case letters and digits joined by _"))
        elif not csv_path.is_file():
            problems.append((label(schema), 1, 1, f"a schema without its data: {csv_path.name} is missing"))
        else:
            found[name] = csv_path
    for csv_path in sorted(directory.glob("*.csv")):
        if not schema_path_for(csv_path).is_file():
            missing = schema_path_for(csv_path).name
            problems.append((label(csv_path), 1, 1, f"no schema beside it: {missing} is missing"))
    if problems:
        raise DataError(problems)
    return found


def read_datasets(directory: Path = MEASUREMENTS) -> dict[str, Table]:
    """Every dataset of ``directory``, validated, foreign keys checked; DataError lists every problem."""
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for name, path in dataset_paths(directory).items():
        try:
            tables[name] = read_table(path, label=label(path))
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    problems = check_foreign_keys(tables) + check_agreements(tables)
    if problems:
        raise DataError(problems)
    return tables
