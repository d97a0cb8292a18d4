"""What a row rule is: a name, a description for readers, the keys its spec may use, and the check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..field import Field

#: (rule spec, typed row) -> the problem, or None
Check = Callable[[dict, Mapping[str, Any]], "str | None"]
#: (rule spec, the schema's fields by name) -> (JSON path suffix, message) of a bad spec, or None
SpecCheck = Callable[[dict, "Mapping[str, Field]"], "tuple[str, str] | None"]

#: The keys of a rule's ``when`` condition.
WHEN_KEYS = {"field", "equals", "in"}


@dataclass(frozen=True)
class Rule:
    """One small row check of the schemas' ``rules`` (as mdn/browser-compat-data writes its lint rules).

    ``keys`` are the spec keys it allows besides ``rule``, ``message`` and ``$comment``; ``field_keys``
    those of them that name a column (``sum``: a list of integer columns; ``when``: a condition), of
    which only ``when`` and ``sum`` are optional.
    """

    name: str
    description: str
    keys: frozenset[str]
    field_keys: tuple[str, ...]
    check: Check
    check_spec: SpecCheck | None = None


def applies(rule: dict, row: Mapping[str, Any]) -> bool:
    """Whether the row meets the rule's ``when`` condition (always, without one)."""
    cond = rule.get("when")
    if cond is None:
        return True
    value = row.get(cond["field"])
    if "equals" in cond:
        return bool(value == cond["equals"])
    return value in cond.get("in", [])
