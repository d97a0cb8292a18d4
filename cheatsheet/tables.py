"""Read a CSV file and check it against the Table Schema beside it.

Every problem is reported as ``file:line:column: message`` (line and column count from 1, the column
being the character where the offending field, or character, starts), and all problems of a file are
reported together. Nothing here imports pandas: validation is plain Python so that it stays fast and
its errors can point at exact positions; :mod:`cheatsheet.datasets` turns validated tables into frames.

This is the one reader of the project's CSVs: ``scripts/validate.py``, the site build and the
measurement writer all go through :func:`read_table` (or :func:`validate_row` for a row about to be
written), so they accept and reject exactly the same files.

The schema files follow the Frictionless Table Schema (``fields``, ``constraints``, ``primaryKey``,
``foreignKeys``) with one addition in the style of a linter: ``rules``, a list of small row checks
that relate fields (see ``RULES``). The schema format is strict: an unknown key anywhere, a value of
the wrong type, a pattern that does not compile or an integer column without a ``maximum`` is an
error naming the schema file and the JSON path.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

TYPES = ("string", "integer", "number", "date", "datetime")
DECIMAL_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}
QUOTE_LIMIT = 60
# Unicode categories no value may contain: controls, format characters (bidirectional overrides and
# isolates, zero-width characters, soft hyphen...), private use, surrogates, line and paragraph
# separators. Space separators other than U+0020 (no-break space, em space...) are refused too: they
# look like a space but are not one.
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp", "Zs"}

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


def forbidden_character(text: str) -> tuple[int, str] | None:
    """(offset, description) of the first invisible or control character in ``text``, or None."""
    for i, ch in enumerate(text):
        if ch != " " and unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            name = unicodedata.name(ch, "control character")
            return i, f"U+{ord(ch):04X} ({name})"
    return None


# -- the schema ----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the dataset name: "sources" is sources.csv beside this file
    resource_fields: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    path: Path
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
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
    def load(cls, path: Path) -> Schema:
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError([(str(path), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None
        except UnicodeDecodeError:
            raise DataError([(str(path), 1, 1, "not valid UTF-8")]) from None
        except OSError as exc:
            raise DataError([(str(path), 1, 1, f"cannot read schema: {exc.strerror}")]) from None
        return _SchemaReader(path).read(raw)


_TOP_KEYS = {"$comment", "$schema", "title", "description", "fields", "primaryKey", "foreignKeys", "rules"}
_FIELD_KEYS = {"$comment", "name", "title", "type", "description", "unit", "constraints"}
_CONSTRAINT_KEYS = {"required", "enum", "pattern", "minimum", "maximum", "maxLength"}
_FK_KEYS = {"$comment", "fields", "reference"}
_REF_KEYS = {"resource", "fields"}
_WHEN_KEYS = {"field", "equals", "in"}


class _SchemaReader:
    """Check a parsed schema document; every error names the file and the JSON path."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str) -> DataError:
        return DataError([(str(self.path), 1, 1, f"{where}: {message}")])

    def obj(self, value: Any, where: str, keys: set[str], required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, f"must be an object, not {type(value).__name__}")
        unknown = sorted(set(value) - keys)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(sorted(keys))}")
        for key in required:
            if key not in value:
                raise self.fail(where, f"missing key {key!r}")
        return value

    def kind(self, value: Any, where: str, kind: type | tuple[type, ...], what: str) -> Any:
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(where, f"must be {what}, not a boolean")
        if not isinstance(value, kind):
            raise self.fail(where, f"must be {what}, not {type(value).__name__}")
        return value

    def strings(self, value: Any, where: str, *, non_empty: bool = True) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        self.kind(value, where, list, "a list of strings")
        if non_empty and not value:
            raise self.fail(where, "must not be empty")
        for i, item in enumerate(value):
            self.kind(item, f"{where}[{i}]", str, "a string")
        return tuple(value)

    def read(self, raw: Any) -> Schema:
        self.obj(raw, "$", _TOP_KEYS, required=("fields",))
        title = self.kind(raw.get("title", self.path.stem), "$.title", str, "a string")
        fields = [
            self.field(spec, f"$.fields[{i}]")
            for i, spec in enumerate(self.kind(raw["fields"], "$.fields", list, "a list"))
        ]
        if not fields:
            raise self.fail("$.fields", "must list at least one field")
        names = [f.name for f in fields]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(f"$.fields[{i}].name", f"field {name!r} is declared twice")
        pk = self.strings(raw.get("primaryKey", []), "$.primaryKey", non_empty=False)
        for i, name in enumerate(pk):
            self.known(name, names, f"$.primaryKey[{i}]")
        fks = []
        for i, spec in enumerate(self.kind(raw.get("foreignKeys", []), "$.foreignKeys", list, "a list")):
            where = f"$.foreignKeys[{i}]"
            self.obj(spec, where, _FK_KEYS, required=("fields", "reference"))
            own = self.strings(spec["fields"], f"{where}.fields")
            for j, name in enumerate(own):
                self.known(name, names, f"{where}.fields[{j}]")
            ref = self.obj(spec["reference"], f"{where}.reference", _REF_KEYS, required=("resource", "fields"))
            resource = self.kind(ref["resource"], f"{where}.reference.resource", str, "a string")
            other = self.strings(ref["fields"], f"{where}.reference.fields")
            if len(other) != len(own):
                raise self.fail(
                    f"{where}.reference.fields", f"names {len(other)} field(s) but {where}.fields names {len(own)}"
                )
            fks.append(ForeignKey(fields=own, resource=resource, resource_fields=other))
        by_name = {f.name: f for f in fields}
        rules = []
        for i, rule in enumerate(self.kind(raw.get("rules", []), "$.rules", list, "a list")):
            rules.append(self.rule(rule, f"$.rules[{i}]", by_name))
        return Schema(
            path=self.path,
            title=title,
            fields=tuple(fields),
            primary_key=pk,
            foreign_keys=tuple(fks),
            rules=tuple(rules),
        )

    def known(self, name: str, names: list[str], where: str) -> None:
        if name not in names:
            raise self.fail(where, f"no field is named {name!r}; fields: {', '.join(names)}")

    def field(self, spec: Any, where: str) -> Field:
        self.obj(spec, where, _FIELD_KEYS, required=("name",))
        name = self.kind(spec["name"], f"{where}.name", str, "a string")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise self.fail(f"{where}.name", f"{quote(name)} is not a column name (lower-case letters, digits, _)")
        ftype = self.kind(spec.get("type", "string"), f"{where}.type", str, "a string")
        if ftype not in TYPES:
            raise self.fail(f"{where}.type", f"unsupported type {quote(ftype)}; supported: {', '.join(TYPES)}")
        for key in ("description", "unit", "title"):
            if key in spec:
                self.kind(spec[key], f"{where}.{key}", str, "a string")
        c = self.obj(spec.get("constraints", {}), f"{where}.constraints", _CONSTRAINT_KEYS)
        cw = f"{where}.constraints"
        required = self.kind(c.get("required", False), f"{cw}.required", bool, "true or false")
        enum = None
        if "enum" in c:
            enum = self.strings(c["enum"], f"{cw}.enum")
        pattern = None
        if "pattern" in c:
            pattern = self.kind(c["pattern"], f"{cw}.pattern", str, "a string")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise self.fail(f"{cw}.pattern", f"not a valid regular expression: {exc}") from None
        bounds = {}
        for key in ("minimum", "maximum", "maxLength"):
            if key in c:
                bounds[key] = self.kind(c[key], f"{cw}.{key}", int, "an integer")
        if ftype in ("integer", "number"):
            for key in ("enum", "pattern", "maxLength"):
                if key in c:
                    raise self.fail(f"{cw}.{key}", f"applies to strings; an {ftype} column has minimum and maximum")
            if "maximum" not in bounds:
                raise self.fail(cw, f"{ftype} column {name!r} needs a maximum (every numeric column is bounded)")
            if "minimum" in bounds and bounds["minimum"] > bounds["maximum"]:
                raise self.fail(f"{cw}.maximum", "is below the minimum")
        elif "minimum" in bounds or "maximum" in bounds:
            raise self.fail(cw, f"minimum and maximum apply to integer and number columns, not {ftype}")
        if "maxLength" in bounds and bounds["maxLength"] < 1:
            raise self.fail(f"{cw}.maxLength", "must be at least 1")
        return Field(
            name=name,
            type=ftype,
            required=required,
            enum=enum,
            pattern=pattern,
            minimum=bounds.get("minimum"),
            maximum=bounds.get("maximum"),
            max_length=bounds.get("maxLength"),
            unit=spec.get("unit"),
            description=spec.get("description", ""),
        )

    def rule(self, rule: Any, where: str, fields: dict[str, Field]) -> dict:
        if not isinstance(rule, dict):
            raise self.fail(where, f"must be an object, not {type(rule).__name__}")
        kind = rule.get("rule")
        if kind not in RULES:
            raise self.fail(f"{where}.rule", f"unknown rule {quote(kind)}; known: {', '.join(RULES)}")
        _, keys, field_keys = RULES[kind]
        self.obj(rule, where, keys | {"$comment", "rule", "message"}, required=("field", "message"))
        self.kind(rule["message"], f"{where}.message", str, "a string")
        names = list(fields)
        for key in field_keys:
            if key not in rule:
                if key in ("when", "sum"):
                    continue
                raise self.fail(where, f"missing key {key!r}")
            if key == "sum":
                for j, name in enumerate(self.strings(rule["sum"], f"{where}.sum")):
                    self.known(name, names, f"{where}.sum[{j}]")
                    if fields[name].type != "integer":
                        raise self.fail(f"{where}.sum[{j}]", f"{name!r} is not an integer column")
            elif key == "when":
                when = self.obj(rule["when"], f"{where}.when", _WHEN_KEYS, required=("field",))
                self.known(
                    self.kind(when["field"], f"{where}.when.field", str, "a string"), names, f"{where}.when.field"
                )
                if ("equals" in when) == ("in" in when):
                    raise self.fail(f"{where}.when", "needs exactly one of 'equals' and 'in'")
                if "in" in when:
                    self.kind(when["in"], f"{where}.when.in", list, "a list")
            else:
                self.known(self.kind(rule[key], f"{where}.{key}", str, "a string"), names, f"{where}.{key}")
        if kind == "compare":
            if rule.get("op") not in _OPS:
                raise self.fail(f"{where}.op", f"must be one of: {', '.join(_OPS)}")
            self.kind(rule.get("plus", 0), f"{where}.plus", int, "an integer")
            if fields[rule["field"]].type != "integer":
                raise self.fail(f"{where}.field", f"{rule['field']!r} is not an integer column")
        return rule


# -- the table -------------------------------------------------------------------------------------


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

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(min(line for line, _ in pos.values()) for pos in self.positions)

    def locate(self, index: int, column: str) -> tuple[int, int]:
        return self.positions[index][column]

    def error(self, index: int, column: str, message: str) -> Problem:
        line, col = self.locate(index, column)
        return (self.label or str(self.path), line, col, message)


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


# -- rules: one small check each; (rule spec, row) -> problem or None ----------------------------


def _when(rule: dict, row: Mapping[str, Any]) -> bool:
    cond = rule.get("when")
    if cond is None:
        return True
    value = row.get(cond["field"])
    if "equals" in cond:
        return bool(value == cond["equals"])
    return value in cond.get("in", [])


def _rule_empty_when(rule: dict, row: Mapping[str, Any]) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) not in ("", None):
        return f"column {rule['field']!r} must be empty here: {rule['message']}"
    return None


def _rule_required_when(rule: dict, row: Mapping[str, Any]) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) in ("", None):
        return f"column {rule['field']!r} must not be empty here: {rule['message']}"
    return None


def _rule_equals_when(rule: dict, row: Mapping[str, Any]) -> str | None:
    if _when(rule, row) and row.get(rule["field"]) != rule["value"]:
        return f"column {rule['field']!r} must be {quote(rule['value'])} here: {rule['message']}"
    return None


def _rule_size_matches_text(rule: dict, row: Mapping[str, Any]) -> str | None:
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


_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}


def _rule_compare(rule: dict, row: Mapping[str, Any]) -> str | None:
    """``field op sum(sum) + plus`` over integer columns, e.g. image_bytes >= base_bytes + binary_bytes."""
    if not _when(rule, row):
        return None
    value = row.get(rule["field"])
    terms = rule.get("sum", [])
    parts = [row.get(name) for name in terms]
    if value is None or any(p is None for p in parts):
        return None  # an empty optional column: nothing to compare
    plus = rule.get("plus", 0)
    bound = sum(parts) + plus  # type: ignore[arg-type]
    if _OPS[rule["op"]](value, bound):
        return None
    described = " + ".join(f"{name} ({row[name]:,})" for name in terms) or "0"
    if plus:
        described += f" + {plus:,}"
    if len(terms) > 1 or plus:
        described += f" = {bound:,}"
    return f"column {rule['field']!r} is {value:,} but must be {rule['op']} {described}: {rule['message']}"


# name -> (check, allowed keys, keys naming fields or conditions)
RULES: dict[str, tuple[Callable[[dict, Mapping[str, Any]], str | None], set[str], tuple[str, ...]]] = {
    "empty-when": (_rule_empty_when, {"field", "when"}, ("field", "when")),
    "required-when": (_rule_required_when, {"field", "when"}, ("field", "when")),
    "equals-when": (_rule_equals_when, {"field", "when", "value"}, ("field", "when")),
    "size-matches-text": (_rule_size_matches_text, {"field", "text"}, ("field", "text")),
    "compare": (_rule_compare, {"field", "op", "sum", "plus", "when"}, ("field", "sum", "when")),
}


def schema_path_for(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name.removesuffix(".csv") + ".schema.json")


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
        problem = RULES[rule["rule"]][0](rule, row)
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
    if problems:
        raise DataError(problems)
    return Table(
        path=csv_path, schema=schema, rows=tuple(rows), positions=tuple(positions), header=tuple(header), label=name
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


def check_foreign_keys(tables: Mapping[str, Table]) -> list[Problem]:
    """Problems of every ``foreignKeys`` declaration of ``tables`` (by dataset name) against the others."""
    problems: list[Problem] = []
    for table in tables.values():
        for fk in table.schema.foreign_keys:
            target = tables.get(fk.resource)
            if target is None:
                problems.append((str(table.schema.path), 1, 1, f"foreign key to unknown resource {fk.resource!r}"))
                continue
            known = {tuple(r[f] for f in fk.resource_fields) for r in target.rows}
            shown = ", ".join(sorted(", ".join(map(str, k)) for k in known)) or "no rows"
            where = f"{Path(target.label or target.path).name} has {'/'.join(fk.resource_fields)}"
            for i, row in enumerate(table.rows):
                key = tuple(row[f] for f in fk.fields)
                if key not in known:
                    value = ", ".join(quote(k) for k in key)
                    problems.append(
                        table.error(i, fk.fields[0], f"unknown {'/'.join(fk.fields)} {value}; {where}: {shown}")
                    )
    return problems
