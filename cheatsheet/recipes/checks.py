"""Checks of programs/recipes.toml values: every message names the file, the table and the key at fault."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..data.text import forbidden_character

SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"
# name[:tag]@sha256:<64 hex>, name = [registry host[:port]/]path-component(/path-component)*
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = (
    rf"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}"
)
FILE_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}"
RELATIVE_PATH = r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*"
FEATURE = r"[A-Za-z0-9_][A-Za-z0-9_+.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_+.-]*)?"
PROFILE_KEY = r"[a-z][a-z0-9-]*"
PROFILE_TEXT = r"[A-Za-z0-9._-]+"
DEBIAN_PACKAGE = r"[a-z0-9][a-z0-9+.-]+"  # Debian policy 5.6.1


class RecipeError(Exception):
    """A problem in the recipes file, naming the file and the table or key at fault."""


def shown(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def need(table: dict, key: str, where: str, path: Path, kind: type = str) -> Any:
    if key not in table:
        raise RecipeError(f"{path}: {where}: missing key {key!r}")
    value = table[key]
    if not isinstance(value, kind):
        raise RecipeError(f"{path}: {where}: {key!r} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def matching(value: str, pattern: str, what: str, key: str, where: str, path: Path) -> str:
    if not re.fullmatch(pattern, value):
        raise RecipeError(f"{path}: {where}: {key} = {shown(value)} must be {what}")
    return value


def slug(value: str, key: str, where: str, path: Path) -> str:
    return matching(value, SLUG, "a slug (lower-case letters and digits joined by single hyphens)", key, where, path)


def plain_text(value: str, key: str, where: str, path: Path, *, allow: str = "") -> str:
    """Refuse invisible and control characters, as the datasets do (:func:`cheatsheet.data.text.invisible`)."""
    bad = forbidden_character(value, allow)
    if bad:
        raise RecipeError(
            f"{path}: {where}: {key} contains the invisible or control character {bad[1]} at offset {bad[0]}"
        )
    return value


def choice(
    table: dict,
    key: str,
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]],
    where: str,
    path: Path,
    default: str | None = None,
) -> str:
    value = table.get(key, default) if default is not None else need(table, key, where, path)
    allowed = choices() if callable(choices) else choices
    if value not in allowed:
        raise RecipeError(f"{path}: {where}: {key} = {shown(value)} is not one of: {', '.join(allowed)}")
    return value


def strings(
    table: dict, key: str, where: str, path: Path, *, pattern: str | None = None, what: str = ""
) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecipeError(f"{path}: {where}: {key!r} must be a list of strings")
    for i, item in enumerate(value):
        plain_text(item, f"{key}[{i}]", where, path)
        if item == "" or item != item.strip():
            raise RecipeError(f"{path}: {where}: {key}[{i}] = {shown(item)} is empty or has surrounding spaces")
        if pattern is not None:
            matching(item, pattern, what, f"{key}[{i}]", where, path)
    return tuple(value)


def check_table(table: object, known: set[str], where: str, path: Path, noun: str = "key(s)") -> dict[str, Any]:
    """``table``, checked to be a TOML table using only ``known`` keys; RecipeError names the file,
    the table and the unknown keys."""
    if not isinstance(table, dict):
        raise RecipeError(f"{path}: {where}: must be a table, not {type(table).__name__}")
    unknown = set(table) - known
    if unknown:
        raise RecipeError(
            f"{path}: {where}: unknown {noun} {', '.join(sorted(map(shown, unknown)))}; "
            f"known: {', '.join(sorted(known))}"
        )
    return table
