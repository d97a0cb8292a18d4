"""``compare``: an integer column against the sum of others plus a constant (image >= base + binary)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .base import Rule, applies

if TYPE_CHECKING:
    from ..field import Field

OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    """``field op sum(sum) + plus`` over integer columns, e.g. image_bytes >= base_bytes + binary_bytes."""
    if not applies(rule, row):
        return None
    value = row.get(rule["field"])
    terms = rule.get("sum", [])
    parts = [row.get(name) for name in terms]
    if value is None or any(p is None for p in parts):
        return None  # an empty optional column: nothing to compare
    plus = rule.get("plus", 0)
    bound = sum(parts) + plus  # type: ignore[arg-type]
    if OPS[rule["op"]](value, bound):
        return None
    described = " + ".join(f"{name} ({row[name]:,})" for name in terms) or "0"
    if plus:
        described += f" + {plus:,}"
    if len(terms) > 1 or plus:
        described += f" = {bound:,}"
    return f"column {rule['field']!r} is {value:,} but must be {rule['op']} {described}: {rule['message']}"


def check_spec(rule: dict, fields: Mapping[str, Field]) -> tuple[str, str] | None:
    if rule.get("op") not in OPS:
        return ".op", f"must be one of: {', '.join(OPS)}"
    plus = rule.get("plus", 0)
    if isinstance(plus, bool) or not isinstance(plus, int):
        return ".plus", f"must be an integer, not {'a boolean' if isinstance(plus, bool) else type(plus).__name__}"
    if fields[rule["field"]].type != "integer":
        return ".field", f"{rule['field']!r} is not an integer column"
    return None


RULE = Rule(
    name="compare",
    description="An integer column compared (>=, <= or ==) with the sum of other integer columns plus a constant.",
    keys=frozenset({"field", "op", "sum", "plus", "when"}),
    field_keys=("field", "sum", "when"),
    check=check,
    check_spec=check_spec,
)
