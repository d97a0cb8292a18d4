"""The rules a schema may name: row rules (``rules``: one row at a time) and table rules (``tableRules``:
the whole file at once), one module each, registered here by name.

Each is a :class:`~.base.Rule` or :class:`~.table_base.TableRule` (name, description, allowed keys,
check); the methodology and contributing pages list them from :data:`RULES` and :data:`TABLE_RULES`.
"""

from __future__ import annotations

from . import (
    ascending,
    compare,
    empty_when,
    equals_when,
    names_a_row,
    ratio_to_row,
    required_when,
    same_value,
    size_matches_text,
)
from .base import WHEN_KEYS, Rule, applies
from .table_base import TableRule

RULES: dict[str, Rule] = {
    m.RULE.name: m.RULE for m in (empty_when, required_when, equals_when, size_matches_text, compare, ascending)
}
TABLE_RULES: dict[str, TableRule] = {m.RULE.name: m.RULE for m in (same_value, names_a_row, ratio_to_row)}

__all__ = ["RULES", "TABLE_RULES", "WHEN_KEYS", "Rule", "TableRule", "applies"]
