"""``names-a-row`` (table rule): a column names another row of the same file (the baseline is a row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..text import quote
from .table_base import TableRule


def check(rule: dict, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    column, key = rule["field"], rule["key"]
    known = {row[key] for row in rows}
    return [
        (i, column, f"column {column!r} is {quote(row[column])}, which no row's {key!r} is: {rule['message']}")
        for i, row in enumerate(rows)
        if row[column] not in known
    ]


RULE = TableRule(
    name="names-a-row",
    description="The column's value is the key column of a row of the same file.",
    keys=frozenset({"field", "key"}),
    field_keys=("field", "key"),
    check=check,
)
