"""What a table rule is: a check over every row of a file at once (one baseline, ratios to a row)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..field import Field

#: (rule spec, every typed row) -> [(row index, column, message)]
TableCheck = Callable[[dict, Sequence[Mapping[str, Any]]], "list[tuple[int, str, str]]"]
SpecCheck = Callable[[dict, "Mapping[str, Field]"], "tuple[str, str] | None"]


@dataclass(frozen=True)
class TableRule:
    """One check of a schema's ``tableRules``: ``keys`` it allows besides ``rule``, ``message`` and
    ``$comment``, of which ``field_keys`` name columns (all required)."""

    name: str
    description: str
    keys: frozenset[str]
    field_keys: tuple[str, ...]
    check: TableCheck
    check_spec: SpecCheck | None = None
