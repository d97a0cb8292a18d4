"""``empty-when``: a column stays empty in the rows that meet a condition (a failed build has no size)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Rule, applies


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    if applies(rule, row) and row.get(rule["field"]) not in ("", None):
        return f"column {rule['field']!r} must be empty here: {rule['message']}"
    return None


RULE = Rule(
    name="empty-when",
    description="The column is empty in every row that meets the condition (or in every row, without one).",
    keys=frozenset({"field", "when"}),
    field_keys=("field", "when"),
    check=check,
)
