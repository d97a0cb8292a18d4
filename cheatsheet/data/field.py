"""One column of a dataset as its Table Schema declares it."""

from __future__ import annotations

from dataclasses import dataclass

TYPES = ("string", "integer", "number", "date", "datetime")


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    unit: str | None = None
    description: str = ""
