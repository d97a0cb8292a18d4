"""``ascending``: numeric columns that must not decrease left to right (min <= median <= max, p50 <= p99)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .base import Rule

if TYPE_CHECKING:
    from ..field import Field


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    names = [rule["field"], *rule["then"]]
    present = [(n, row.get(n)) for n in names if row.get(n) is not None]
    for (a, x), (b, y) in pairwise(present):
        if x > y:  # type: ignore[operator]  # both numeric: the spec check holds it
            return f"column {a!r} is {x:,} but must not be above {b!r} ({y:,}): {rule['message']}"
    return None


def check_spec(rule: dict, fields: Mapping[str, Field]) -> tuple[str, str] | None:
    for name in [rule["field"], *rule["then"]]:
        if fields[name].type not in ("integer", "number"):
            return ".field", f"{name!r} is not a numeric column"
    if not rule["then"]:
        return ".then", "names no column to compare with"
    return None


RULE = Rule(
    name="ascending",
    description="Numeric columns that must not decrease in the order given (empty ones are skipped).",
    keys=frozenset({"field", "then"}),
    field_keys=("field", "then"),
    check=check,
    check_spec=check_spec,
)
