"""The row rules a schema's ``rules`` may name: one module each, registered here by name.

Each rule is a :class:`~.base.Rule` (name, description, allowed keys, check); the methodology and
contributing pages list them from :data:`RULES`.
"""

from __future__ import annotations

from . import compare, empty_when, equals_when, required_when, size_matches_text
from .base import WHEN_KEYS, Rule, applies

RULES: dict[str, Rule] = {
    m.RULE.name: m.RULE for m in (empty_when, required_when, equals_when, size_matches_text, compare)
}

__all__ = ["RULES", "WHEN_KEYS", "Rule", "applies"]
