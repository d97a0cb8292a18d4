"""``required-when``: a column is filled in the rows that meet a condition (a failed run says why)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Rule, applies


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    if applies(rule, row) and row.get(rule["field"]) in ("", None):
        return f"column {rule['field']!r} must not be empty here: {rule['message']}"
    return None


RULE = Rule(
    name="required-when",
    description="The column is filled in every row that meets the condition.",
    keys=frozenset({"field", "when"}),
    field_keys=("field", "when"),
    check=check,
)
