"""``same-value`` (table rule): one value of a column for the whole file (one baseline per benchmark run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..text import quote
from .table_base import TableRule


def check(rule: dict, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    column = rule["field"]
    if not rows:
        return []
    first = rows[0][column]
    return [
        (i, column, f"column {column!r} is {quote(row[column])} but {quote(first)} in the first row: {rule['message']}")
        for i, row in enumerate(rows)
        if row[column] != first
    ]


RULE = TableRule(
    name="same-value",
    description="Every row of the file has the same value in the column.",
    keys=frozenset({"field"}),
    field_keys=("field",),
    check=check,
)
