"""``equals-when``: a column has one given value in the rows that meet a condition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..text import quote
from .base import Rule, applies


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    if applies(rule, row) and row.get(rule["field"]) != rule["value"]:
        return f"column {rule['field']!r} must be {quote(rule['value'])} here: {rule['message']}"
    return None


RULE = Rule(
    name="equals-when",
    description="The column holds the given value in every row that meets the condition.",
    keys=frozenset({"field", "when", "value"}),
    field_keys=("field", "when"),
    check=check,
)
