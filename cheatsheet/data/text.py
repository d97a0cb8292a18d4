"""The CSV text of the project's datasets: splitting a line with positions, writing one, typed values as
text, and the one error type every check reports (``file:line:column: message``)."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import unicodedata
from collections.abc import Iterable
from typing import Any

QUOTE_LIMIT = 60
# Unicode categories no value may contain: controls, format characters (bidirectional overrides and
# isolates, zero-width characters, soft hyphen...), private use, surrogates, unassigned code points,
# line and paragraph separators. Space separators other than U+0020 (no-break space, em space...) are
# refused too: they look like a space but are not one.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"}
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt) outside those categories:
# letters and marks that render as nothing, such as U+3164 HANGUL FILLER (a letter, category Lo).
DEFAULT_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

Problem = tuple[str, int, int, str]


class DataError(Exception):
    """One or more problems in a data file; ``str()`` gives one ``file:line:column: message`` per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(f"{p}:{line}:{col}: {msg}" for p, line, col, msg in problems))


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters (plus "…"), for error messages."""
    s = str(value)
    return repr(s) if len(s) <= limit else repr(s[:limit]) + "…"


def invisible(ch: str) -> bool:
    """Whether ``ch`` is a control, format or other character a reader cannot see (U+0020 is fine)."""
    if ch == " ":
        return False
    if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in DEFAULT_IGNORABLE)


def forbidden_character(text: str, allow: str = "") -> tuple[int, str] | None:
    """(offset, description) of the first invisible or control character in ``text`` that is not in
    ``allow``, or None. The one test of the project's data and recipes for such characters."""
    if text.isascii() and text.isprintable():  # U+0020..U+007E: nothing invisible (the common case)
        return None
    for i, ch in enumerate(text):
        if ch not in allow and invisible(ch):
            name = unicodedata.name(ch, "control character")
            return i, f"U+{ord(ch):04X} ({name})"
    return None


def split_csv_line(line: str) -> tuple[list[str], list[int]]:
    """Split one physical CSV line (RFC 4180 quoting) into values and their 0-based start offsets.

    Raises ValueError(offset, message) for a quote left open or text after a closing quote.
    """
    values: list[str] = []
    starts: list[int] = []
    i, n = 0, len(line)
    while True:
        starts.append(i)
        if i < n and line[i] == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise ValueError(starts[-1], "quoted field is not closed on this line (fields may not span lines)")
                c = line[i]
                if c == '"':
                    if i + 1 < n and line[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                buf.append(c)
                i += 1
            if i < n and line[i] != ",":
                raise ValueError(i, "unexpected text after a closing quote")
            values.append("".join(buf))
        else:
            j = line.find(",", i)
            end = n if j < 0 else j
            text = line[i:end]
            if '"' in text:
                raise ValueError(
                    i + text.index('"'), "a quote inside an unquoted field (quote the whole field and double the quote)"
                )
            values.append(text)
            i = end
        if i >= n:
            return values, starts
        i += 1  # the comma


def to_text(value: Any) -> str:
    """The CSV text of a typed value (the inverse of what :func:`read_table` gives)."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def csv_line(values: Iterable[str]) -> str:
    """One CSV line (no line ending) as the project writes them: quoted only where needed."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(list(values))
    return buf.getvalue()[:-1]
