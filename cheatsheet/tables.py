"""Read a CSV file and check it against the Table Schema beside it.

Every problem is reported as ``file:line:column: message`` (line and column count from 1, the column
being the character where the offending field starts), and all problems of a file are reported
together. Nothing here imports pandas: validation is plain Python so that it stays fast and its
errors can point at exact positions; :mod:`cheatsheet.datasets` turns validated tables into frames.

The schema files follow the Frictionless Table Schema (``fields``, ``constraints``, ``primaryKey``,
``foreignKeys``) with one addition in the style of a linter: ``rules``, a list of small row checks
that relate two fields (see ``RULES``).
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

TYPES = ("string", "integer", "date", "datetime")
DECIMAL_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}


class DataError(Exception):
    """One or more problems in a data file; ``str()`` gives one ``file:line:column: message`` per line."""

    def __init__(self, problems: list[tuple[str, int, int, str]]):
        self.problems = problems
        super().__init__("\n".join(f"{p}:{line}:{col}: {msg}" for p, line, col, msg in problems))


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    required: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: int | None = None
    max_length: int | None = None
    unit: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Schema:
    path: Path
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[dict, ...] = ()
    rules: tuple[dict, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @classmethod
    def load(cls, path: Path) -> "Schema":
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError([(str(path), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None
        except OSError as exc:
            raise DataError([(str(path), 1, 1, f"cannot read schema: {exc.strerror}")]) from None
        fields = []
        for spec in raw.get("fields", []):
            c = spec.get("constraints", {})
            ftype = spec.get("type", "string")
            if ftype not in TYPES:
                raise DataError([(str(path), 1, 1, f"field {spec.get('name')!r}: unsupported type {ftype!r}")])
            fields.append(
                Field(
                    name=spec["name"],
                    type=ftype,
                    required=bool(c.get("required", False)),
                    enum=tuple(c["enum"]) if "enum" in c else None,
                    pattern=c.get("pattern"),
                    minimum=c.get("minimum"),
                    max_length=c.get("maxLength"),
                    unit=spec.get("unit"),
                    description=spec.get("description", ""),
                )
            )
        for rule in raw.get("rules", []):
            if rule.get("rule") not in RULES:
                raise DataError([(str(path), 1, 1, f"unknown rule {rule.get('rule')!r}; known: {', '.join(RULES)}")])
        pk = raw.get("primaryKey", [])
        return cls(
            path=path,
            title=raw.get("title", path.stem),
            fields=tuple(fields),
            primary_key=tuple([pk] if isinstance(pk, str) else pk),
            foreign_keys=tuple(raw.get("foreignKeys", [])),
            rules=tuple(raw.get("rules", [])),
        )


@dataclass(frozen=True)
class Table:
    """A validated CSV file: typed rows plus where each field stands in the file."""

    path: Path
    schema: Schema
    rows: tuple[dict[str, Any], ...]
    positions: tuple[dict[str, tuple[int, int]], ...] = field(repr=False)

    def locate(self, index: int, column: str) -> tuple[int, int]:
        return self.positions[index][column]

    def error(self, index: int, column: str, message: str) -> tuple[str, int, int, str]:
        line, col = self.locate(index, column)
        return (str(self.path), line, col, message)


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
                raise ValueError(i + text.index('"'), 'a quote inside an unquoted field (quote the whole field and double the quote)')
            values.append(text)
            i = end
        if i >= n:
            return values, starts
        i += 1  # the comma


def _convert(f: Field, text: str) -> tuple[Any, str | None]:
    """Typed value of ``text`` for field ``f``, or (None, problem)."""
    if text == "":
        if f.required:
            return None, f"column {f.name!r} is required but empty"
        return ("" if f.type == "string" else None), None
    if text != text.strip():
        return None, f"column {f.name!r}: value {text!r} has leading or trailing spaces"
    value: Any = text
    if f.type == "integer":
        if not re.fullmatch(r"-?[0-9]+", text):
            return None, f"column {f.name!r}: {text!r} is not an integer"
        value = int(text)
    elif f.type == "date":
        try:
            value = _dt.date.fromisoformat(text)
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
        except ValueError:
            return None, f"column {f.name!r}: {text!r} is not a date (YYYY-MM-DD)"
    elif f.type == "datetime":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", text):
            return None, f"column {f.name!r}: {text!r} is not a UTC time (YYYY-MM-DDTHH:MM:SSZ)"
        try:
            value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None, f"column {f.name!r}: {text!r} is not a valid time"
    if f.enum is not None and text not in f.enum:
        return None, f"column {f.name!r}: {text!r} is not one of: {', '.join(f.enum)}"
    if f.pattern is not None and not re.fullmatch(f.pattern, text):
        return None, f"column {f.name!r}: {text!r} does not match the pattern {f.pattern}"
    if f.minimum is not None and isinstance(value, int) and value < f.minimum:
        return None, f"column {f.name!r}: {value} is below the minimum {f.minimum}"
    if f.max_length is not None and len(text) > f.max_length:
        return None, f"column {f.name!r}: value is {len(text)} characters, more than {f.max_length}"
    if "\x00" in text or any(ord(ch) < 32 for ch in text):
        return None, f"column {f.name!r}: value contains a control character"
    return value, None


# -- rules: one small check each; (rule spec, row) -> problem or None ----------------------------


def _when(rule: dict, row: dict) -> bool:
    cond = rule["when"]
    value = row.get(cond["field"])
    if "equals" in cond:
        return value == cond["equals"]
    return value in cond.get("in", [])


def _rule_empty_when(rule: dict, row: dict) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) not in ("", None):
        return f"column {rule['field']!r} must be empty here: {rule['message']}"
    return None


def _rule_required_when(rule: dict, row: dict) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) in ("", None):
        return f"column {rule['field']!r} must not be empty here: {rule['message']}"
    return None


def _rule_equals_when(rule: dict, row: dict) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) != rule["value"]:
        return f"column {rule['field']!r} must be {rule['value']!r} here: {rule['message']}"
    return None


def _rule_size_matches_text(rule: dict, row: dict) -> str | None:
    text = row.get(rule["text"]) or ""
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(B|KB|MB|GB)", text)
    if not m:
        return None  # the field's own pattern reports it
    whole, _, frac = m.group(1).partition(".")
    scale = DECIMAL_UNITS[m.group(2)]
    expected = (int(whole) * scale) + (int(frac) * scale // 10 ** len(frac) if frac else 0)
    if row.get(rule["field"]) != expected:
        return f"column {rule['field']!r} is {row.get(rule['field'])} but {text!r} is {expected}: {rule['message']}"
    return None


RULES: dict[str, Callable[[dict, dict], str | None]] = {
    "empty-when": _rule_empty_when,
    "required-when": _rule_required_when,
    "equals-when": _rule_equals_when,
    "size-matches-text": _rule_size_matches_text,
}


def schema_path_for(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name.removesuffix(".csv") + ".schema.json")


def read_table(csv_path: Path, schema: Schema | None = None, *, label: str | None = None) -> Table:
    """Read and validate ``csv_path``; raise DataError listing every problem with its position.

    ``label`` is how the file is named in messages (default: the path as given).
    """
    csv_path = Path(csv_path)
    name = label or str(csv_path)
    schema = schema or Schema.load(schema_path_for(csv_path))
    problems: list[tuple[str, int, int, str]] = []
    try:
        raw = csv_path.read_bytes()
    except OSError as exc:
        raise DataError([(name, 1, 1, f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError([(name, line, col, "not valid UTF-8")]) from None
    if text.startswith("\ufeff"):
        raise DataError([(name, 1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")])
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    if not lines:
        raise DataError([(name, 1, 1, "file is empty: the header line is missing")])

    try:
        header, header_starts = split_csv_line(lines[0])
    except ValueError as exc:
        raise DataError([(name, 1, exc.args[0] + 1, exc.args[1])]) from None
    seen: dict[str, int] = {}
    for col_name, start in zip(header, header_starts):
        if col_name in seen:
            problems.append((name, 1, start + 1, f"column {col_name!r} appears twice"))
        elif col_name not in schema.names:
            problems.append((name, 1, start + 1, f"unknown column {col_name!r}; the schema has: {', '.join(schema.names)}"))
        seen.setdefault(col_name, start)
    for f in schema.fields:
        if f.name not in seen:
            problems.append((name, 1, len(lines[0]) + 1, f"missing column {f.name!r} (see {schema.path.name})"))
    if problems:
        raise DataError(problems)

    rows: list[dict[str, Any]] = []
    positions: list[dict[str, tuple[int, int]]] = []
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
        row: dict[str, Any] = {}
        pos: dict[str, tuple[int, int]] = {}
        row_ok = True
        for col_name, value, start in zip(header, values, starts):
            f = schema.field(col_name)
            pos[col_name] = (lineno, start + 1)
            typed, problem = _convert(f, value)
            if problem:
                problems.append((name, lineno, start + 1, problem))
                row_ok = False
            row[col_name] = typed
        if not row_ok:
            continue
        for rule in schema.rules:
            problem = RULES[rule["rule"]](rule, row)
            if problem:
                line_, col_ = pos[rule["field"]]
                problems.append((name, line_, col_, problem))
                row_ok = False
        if schema.primary_key:
            key = tuple(row[k] for k in schema.primary_key)
            if key in keys:
                line_, col_ = pos[schema.primary_key[0]]
                problems.append(
                    (name, line_, col_, f"duplicate key ({', '.join(map(str, key))}): first at line {keys[key]}")
                )
                row_ok = False
            else:
                keys[key] = lineno
        if row_ok:
            rows.append(row)
            positions.append(pos)
    if problems:
        raise DataError(problems)
    return Table(path=csv_path, schema=schema, rows=tuple(rows), positions=tuple(positions))
