"""Read a CSV file and check it against the Table Schema beside it.

Every problem is reported as ``file:line:column: message`` (line and column count from 1, the column
being the character where the offending field, or character, starts), and all problems of a file are
reported together. Nothing here imports pandas: validation is plain Python so that it stays fast and
its errors can point at exact positions.

This is the one reader of the project's CSVs: ``scripts/validate.py``, the site build and the
measurement writer all go through :func:`read_table` (or :func:`validate_row` for a row about to be
written), so they accept and reject exactly the same files.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import RULES, TABLE_RULES
from .schema import Field, Schema, schema_path_for
from .text import DataError, Problem, csv_line, forbidden_character, quote, split_csv_line, to_text

#: How a text value may not start: a spreadsheet runs such a cell as a formula (``=``, ``+``, ``@``,
#: ``-`` but for a command-line flag such as ``-C``). No value of the project's data needs it.
FORMULA_START = re.compile(r"[=+@]|-(?![A-Za-z])")


@dataclass(frozen=True)
class Table:
    """A validated CSV file: typed rows plus where each field stands in the file.

    ``header`` is the header line as parsed (quotes removed), in file order: a writer builds new
    lines in that order. ``lines[i]`` is the 1-based line number of ``rows[i]``.
    """

    path: Path
    schema: Schema
    rows: tuple[dict[str, Any], ...]
    positions: tuple[dict[str, tuple[int, int]], ...] = field(repr=False)
    header: tuple[str, ...] = ()
    label: str = ""
    texts: tuple[dict[str, str], ...] = field(default=(), repr=False)  # each row's values as written

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(min(line for line, _ in pos.values()) for pos in self.positions)

    def locate(self, index: int, column: str) -> tuple[int, int]:
        return self.positions[index][column]

    def error(self, index: int, column: str, message: str) -> Problem:
        line, col = self.locate(index, column)
        return (self.label or str(self.path), line, col, message)


def _convert(f: Field, text: str) -> tuple[Any, str | None, int]:
    """Typed value of ``text`` for field ``f``, or (None, problem, offset of the problem in ``text``)."""
    bad = forbidden_character(text)
    if bad:
        return None, f"column {f.name!r}: {bad[1]} is not allowed in a value (invisible or control character)", bad[0]
    if text == "":
        if f.required:
            return None, f"column {f.name!r} is required but empty", 0
        return ("" if f.type == "string" else None), None, 0
    if text != text.strip():
        return None, f"column {f.name!r}: value {quote(text)} has leading or trailing spaces", 0
    if f.type == "string" and FORMULA_START.match(text):
        return (
            None,
            f"column {f.name!r}: {quote(text)} starts like a spreadsheet formula ({text[0]!r}); "
            "a spreadsheet opening the downloaded CSV would run it",
            0,
        )
    value: Any = text
    if f.type == "integer":
        if not re.fullmatch(r"-?[0-9]+", text) or len(text) > 30:
            return None, f"column {f.name!r}: {quote(text)} is not an integer", 0
        value = int(text)
    elif f.type == "number":
        if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) or len(text) > 30:
            return None, f"column {f.name!r}: {quote(text)} is not a decimal number (digits, an optional point)", 0
        value = float(text)
    elif f.type == "date":
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
            value = _dt.date.fromisoformat(text)
        except ValueError:
            return None, f"column {f.name!r}: {quote(text)} is not a date (YYYY-MM-DD)", 0
    elif f.type == "datetime":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", text):
            return None, f"column {f.name!r}: {quote(text)} is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)", 0
        try:
            value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, f"column {f.name!r}: {quote(text)} is not a valid time", 0
    if f.max_length is not None and len(text) > f.max_length:
        return None, f"column {f.name!r}: value is {len(text)} characters, more than {f.max_length}", 0
    if f.enum is not None and text not in f.enum:
        return None, f"column {f.name!r}: {quote(text)} is not one of: {', '.join(f.enum)}", 0
    if f.pattern is not None and not re.fullmatch(f.pattern, text):
        return None, f"column {f.name!r}: {quote(text)} does not match the pattern {f.pattern}", 0
    if f.minimum is not None and isinstance(value, (int, float)) and value < f.minimum:
        return None, f"column {f.name!r}: {value} is below the minimum {f.minimum}", 0
    if f.maximum is not None and isinstance(value, (int, float)) and value > f.maximum:
        return None, f"column {f.name!r}: {value} is above the maximum {f.maximum}", 0
    return value, None, 0


def _check_row(
    schema: Schema, header: list[str], line: str, split: tuple[list[str], list[int]], *, lineno: int, name: str
) -> tuple[dict[str, Any] | None, dict[str, tuple[int, int]], list[Problem]]:
    """Typed row (None if it has problems), positions and problems of one split CSV line."""
    problems: list[Problem] = []
    row: dict[str, Any] = {}
    pos: dict[str, tuple[int, int]] = {}
    values, starts = split
    for col_name, value, start in zip(header, values, starts, strict=True):
        f = schema.field(col_name)
        pos[col_name] = (lineno, start + 1)
        typed, problem, offset = _convert(f, value)
        if problem:
            if offset and line[start : start + 1] == '"':  # the opening quote, and each doubled quote before
                offset += 1 + value[:offset].count('"')
            problems.append((name, lineno, start + 1 + offset, problem))
        row[col_name] = typed
    if problems:
        return None, pos, problems
    for rule in schema.rules:
        problem = RULES[rule["rule"]].check(rule, row)
        if problem:
            line_, col_ = pos[rule["field"]]
            problems.append((name, line_, col_, problem))
    return (None if problems else row), pos, problems


def read_table(csv_path: Path, schema: Schema | None = None, *, label: str | None = None) -> Table:
    """Read and validate ``csv_path``; raise DataError listing every problem with its position.

    ``label`` is how the file is named in messages (default: the path as given). A file with a
    header and no rows is a valid, empty table.
    """
    csv_path = Path(csv_path)
    name = label or str(csv_path)
    schema = schema or Schema.load(schema_path_for(csv_path))
    problems: list[Problem] = []
    try:
        raw = csv_path.read_bytes()
    except OSError as exc:
        raise DataError([(name, 1, 1, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError([(name, bad_line, col, "not valid UTF-8")]) from None
    if text.startswith("\ufeff"):
        raise DataError([(name, 1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    if "\r" in text:
        at = text.index("\r")
        at_line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        what = "line ends with CR LF" if text[at + 1 : at + 2] == "\n" else "carriage return (CR) in the file"
        raise DataError(
            [(name, at_line, col, f"{what}: the project's CSVs use LF line endings only; convert the file")]
        )
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise DataError([(name, 1, 1, "file is empty: the header line is missing")])

    try:
        header, header_starts = split_csv_line(lines[0])
    except ValueError as exc:
        raise DataError([(name, 1, exc.args[0] + 1, exc.args[1])]) from None
    seen: dict[str, int] = {}
    for col_name, start in zip(header, header_starts, strict=True):
        if col_name in seen:
            problems.append((name, 1, start + 1, f"column {quote(col_name)} appears twice"))
        elif col_name not in schema.names:
            problems.append(
                (name, 1, start + 1, f"unknown column {quote(col_name)}; the schema has: {', '.join(schema.names)}")
            )
        seen.setdefault(col_name, start)
    for f in schema.fields:
        if f.name not in seen:
            problems.append((name, 1, len(lines[0]) + 1, f"missing column {f.name!r} (see {schema.path.name})"))
    if problems:
        raise DataError(problems)

    rows: list[dict[str, Any]] = []
    positions: list[dict[str, tuple[int, int]]] = []
    texts: list[dict[str, str]] = []
    keys: dict[tuple, int] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        if line.strip() == "":
            problems.append((name, lineno, 1, "blank line"))
            continue
        try:
            values, starts = split_csv_line(line)
        except ValueError as exc:
            problems.append((name, lineno, exc.args[0] + 1, exc.args[1]))
            continue
        if len(values) != len(header):
            col = starts[len(header)] + 1 if len(values) > len(header) else len(line) + 1
            problems.append((name, lineno, col, f"{len(values)} fields, but the header has {len(header)}"))
            continue
        row, pos, row_problems = _check_row(schema, header, line, (values, starts), lineno=lineno, name=name)
        problems += row_problems
        if row is None:
            continue
        if schema.primary_key:
            key = tuple(row[k] for k in schema.primary_key)
            if key in keys:
                line_, col_ = pos[schema.primary_key[0]]
                shown = ", ".join(quote(k, 30)[1:-1] if isinstance(k, str) else str(k) for k in key)
                problems.append((name, line_, col_, f"duplicate key ({shown}): first at line {keys[key]}"))
                continue
            keys[key] = lineno
        rows.append(row)
        positions.append(pos)
        texts.append(dict(zip(header, values, strict=True)))
    for rule in schema.table_rules:
        for index, column, message in TABLE_RULES[rule["rule"]].check(rule, rows):
            line_, col_ = positions[index][column]
            problems.append((name, line_, col_, message))
    if problems:
        raise DataError(sorted(problems, key=lambda p: (p[1], p[2])))
    return Table(
        path=csv_path,
        schema=schema,
        rows=tuple(rows),
        positions=tuple(positions),
        header=tuple(header),
        label=name,
        texts=tuple(texts),
    )


def validate_row(schema: Schema, row: Mapping[str, Any], *, label: str = "(new row)") -> dict[str, Any]:
    """Check one row about to be written exactly as :func:`read_table` will check it once written.

    ``row`` maps every column of ``schema`` to a typed value or its text. The row is written as a
    CSV line in schema order (:func:`csv_line` of :func:`to_text`) and read back; problems are
    reported as ``label:1:column`` of that line. Returns the typed row. Checks that need other rows
    (primary key, foreign keys) are the file's, not the row's.
    """
    missing = [n for n in schema.names if n not in row]
    unknown = [n for n in row if n not in schema.names]
    if missing or unknown:
        parts = ([f"lacks column(s): {', '.join(missing)}"] if missing else []) + (
            [f"has unknown column(s): {', '.join(map(quote, unknown))}"] if unknown else []
        )
        raise DataError([(label, 1, 1, "the row " + "; ".join(parts))])
    line = csv_line(to_text(row[n]) for n in schema.names)
    if "\n" in line or "\r" in line:
        offset = min(i for i in (line.find("\n"), line.find("\r")) if i >= 0)
        raise DataError([(label, 1, offset + 1, "a value contains a line break")])
    values, starts = split_csv_line(line)
    typed, _, problems = _check_row(schema, list(schema.names), line, (values, starts), lineno=1, name=label)
    if problems or typed is None:
        raise DataError(problems)
    return typed
