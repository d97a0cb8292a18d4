"""The data layer: CSV text, Table Schemas, one module per row rule, foreign keys, the datasets and the
store that writes rows. It imports nothing of the project but :mod:`cheatsheet.util` and
:mod:`cheatsheet.paths`: no recipes, no Docker, no site."""

from .schema import Field, Schema, schema_path_for
from .table import Table, read_table, validate_row
from .text import DataError, Problem, csv_line, split_csv_line, to_text

__all__ = [
    "DataError",
    "Field",
    "Problem",
    "Schema",
    "Table",
    "csv_line",
    "read_table",
    "schema_path_for",
    "split_csv_line",
    "to_text",
    "validate_row",
]
