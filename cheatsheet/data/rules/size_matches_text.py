"""``size-matches-text``: a size in bytes agrees with the rounded text it was read from (``23MB``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..text import quote
from .base import Rule

DECIMAL_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}


def check(rule: dict, row: Mapping[str, Any]) -> str | None:
    text = row.get(rule["text"]) or ""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(B|KB|MB|GB)", text)
    if not m:
        return None  # the field's own pattern reports it
    expected = int(Decimal(m.group(1)) * DECIMAL_UNITS[m.group(2)])
    if row.get(rule["field"]) != expected:
        return (
            f"column {rule['field']!r} is {row.get(rule['field'])} but {quote(text)} is {expected}: {rule['message']}"
        )
    return None


RULE = Rule(
    name="size-matches-text",
    description="The size in bytes equals the published text (decimal units: 1 MB = 1,000,000 bytes).",
    keys=frozenset({"field", "text"}),
    field_keys=("field", "text"),
    check=check,
)
