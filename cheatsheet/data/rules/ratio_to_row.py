"""``ratio-to-row`` (table rule): a ratio equals this row's figure over the named row's, to its rounding.

``{"field": "alloc_rps_ratio", "of": "alloc_rps", "row": "baseline", "key": "variant", "places": 3}``:
``alloc_rps_ratio`` is ``alloc_rps`` of this row divided by ``alloc_rps`` of the row whose ``variant``
is this row's ``baseline``, within one unit of the third decimal. A ratio is empty exactly when either
figure is missing or the divisor is zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .table_base import TableRule

if TYPE_CHECKING:
    from ..field import Field


def check(rule: dict, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    column, of, places = rule["field"], rule["of"], rule["places"]
    by_key = {row[rule["key"]]: row for row in rows}
    problems = []
    for i, row in enumerate(rows):
        other = by_key.get(row[rule["row"]])
        if other is None:
            continue  # names-a-row reports it
        mine, theirs, ratio = row.get(of), other.get(of), row.get(column)
        if mine is None or theirs is None or theirs == 0:
            if ratio is not None:
                problems.append((i, column, f"column {column!r} must be empty: there is no {of!r} to divide"))
            continue
        expected = mine / theirs
        if ratio is None:
            problems.append((i, column, f"column {column!r} is empty but {of!r} gives {expected:.{places}f}"))
        elif abs(ratio - expected) > 10**-places:
            problems.append(
                (
                    i,
                    column,
                    f"column {column!r} is {ratio} but {of!r} gives {mine:,} / {theirs:,} = {expected:.{places}f}: "
                    f"{rule['message']}",
                )
            )
    return problems


def check_spec(rule: dict, fields: Mapping[str, Field]) -> tuple[str, str] | None:
    places = rule["places"]
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 9:
        return ".places", "must be an integer from 0 to 9"
    for key in ("field", "of"):
        if fields[rule[key]].type not in ("integer", "number"):
            return f".{key}", f"{rule[key]!r} is not a numeric column"
    return None


RULE = TableRule(
    name="ratio-to-row",
    description="A ratio column equals the row's figure divided by the same figure of the row it names, "
    "within one unit of its last decimal.",
    keys=frozenset({"field", "of", "row", "key", "places"}),
    field_keys=("field", "of", "row", "key"),
    check=check,
    check_spec=check_spec,
)
