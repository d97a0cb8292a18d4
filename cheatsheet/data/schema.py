"""The Table Schema beside each CSV: fields, constraints, keys and row rules, read strictly.

The schema files follow the Frictionless Table Schema (``fields``, ``constraints``, ``primaryKey``,
``foreignKeys``) with one addition in the style of a linter: ``rules``, a list of small row checks
that relate fields (one module each under :mod:`cheatsheet.data.rules`). The schema format is strict:
an unknown key anywhere, a value of the wrong type, a pattern that does not compile or an integer
column without a ``maximum`` is an error naming the schema file and the JSON path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .field import TYPES, Field
from .rules import RULES, TABLE_RULES, WHEN_KEYS, Rule, TableRule
from .text import DataError, quote


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # the dataset name: "sources" is sources.csv beside this file
    resource_fields: tuple[str, ...]


@dataclass(frozen=True)
class Agreement:
    """Rows that match a row of another dataset on ``match`` must agree with it on ``fields``."""

    resource: str
    match: tuple[str, ...]
    fields: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Schema:
    path: Path
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    rules: tuple[dict, ...] = ()
    table_rules: tuple[dict, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    #: (program column, variant column) when every row is a variant of programs/recipes.toml
    recipe_key: tuple[str, ...] = ()

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


_TOP_KEYS = {
    "$comment",
    "$schema",
    "title",
    "description",
    "fields",
    "primaryKey",
    "foreignKeys",
    "rules",
    "tableRules",
    "agreements",
    "recipeKey",
}
_AGREEMENT_KEYS = {"$comment", "resource", "match", "fields", "message"}
_FIELD_KEYS = {"$comment", "name", "title", "type", "description", "unit", "constraints"}
_CONSTRAINT_KEYS = {"required", "enum", "pattern", "minimum", "maximum", "maxLength"}
_FK_KEYS = {"$comment", "fields", "reference"}
_REF_KEYS = {"resource", "fields"}


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
        rules = [
            self.rule(rule, f"$.rules[{i}]", by_name, RULES)
            for i, rule in enumerate(self.kind(raw.get("rules", []), "$.rules", list, "a list"))
        ]
        table_rules = [
            self.rule(rule, f"$.tableRules[{i}]", by_name, TABLE_RULES)
            for i, rule in enumerate(self.kind(raw.get("tableRules", []), "$.tableRules", list, "a list"))
        ]
        agreements = []
        for i, spec in enumerate(self.kind(raw.get("agreements", []), "$.agreements", list, "a list")):
            where = f"$.agreements[{i}]"
            self.obj(spec, where, _AGREEMENT_KEYS, required=("resource", "match", "fields", "message"))
            match = self.strings(spec["match"], f"{where}.match")
            agreed = self.strings(spec["fields"], f"{where}.fields")
            for j, name in enumerate(match):
                self.known(name, names, f"{where}.match[{j}]")
            for j, name in enumerate(agreed):
                self.known(name, names, f"{where}.fields[{j}]")
            agreements.append(
                Agreement(
                    resource=self.kind(spec["resource"], f"{where}.resource", str, "a string"),
                    match=match,
                    fields=agreed,
                    message=self.kind(spec["message"], f"{where}.message", str, "a string"),
                )
            )
        recipe_key = self.strings(raw.get("recipeKey", []), "$.recipeKey", non_empty=False)
        if recipe_key and len(recipe_key) != 2:
            raise self.fail("$.recipeKey", "names the program column and the variant column, in that order")
        for i, name in enumerate(recipe_key):
            self.known(name, names, f"$.recipeKey[{i}]")
        return Schema(
            path=self.path,
            title=title,
            fields=tuple(fields),
            primary_key=pk,
            foreign_keys=tuple(fks),
            rules=tuple(rules),
            table_rules=tuple(table_rules),
            agreements=tuple(agreements),
            recipe_key=recipe_key,
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

    def rule(self, rule: Any, where: str, fields: dict[str, Field], registry: Mapping[str, Rule | TableRule]) -> dict:
        if not isinstance(rule, dict):
            raise self.fail(where, f"must be an object, not {type(rule).__name__}")
        kind = rule.get("rule")
        if not isinstance(kind, str) or kind not in registry:
            raise self.fail(f"{where}.rule", f"unknown rule {quote(kind)}; known: {', '.join(registry)}")
        spec = registry[kind]
        self.obj(rule, where, set(spec.keys) | {"$comment", "rule", "message"}, required=("field", "message"))
        self.kind(rule["message"], f"{where}.message", str, "a string")
        names = list(fields)
        for key in spec.field_keys:
            if key not in rule:
                if key in ("when", "sum"):
                    continue
                raise self.fail(where, f"missing key {key!r}")
            if key == "then":
                for j, name in enumerate(self.strings(rule["then"], f"{where}.then")):
                    self.known(name, names, f"{where}.then[{j}]")
            elif key == "sum":
                for j, name in enumerate(self.strings(rule["sum"], f"{where}.sum")):
                    self.known(name, names, f"{where}.sum[{j}]")
                    if fields[name].type != "integer":
                        raise self.fail(f"{where}.sum[{j}]", f"{name!r} is not an integer column")
            elif key == "when":
                when = self.obj(rule["when"], f"{where}.when", WHEN_KEYS, required=("field",))
                self.known(
                    self.kind(when["field"], f"{where}.when.field", str, "a string"), names, f"{where}.when.field"
                )
                if ("equals" in when) == ("in" in when):
                    raise self.fail(f"{where}.when", "needs exactly one of 'equals' and 'in'")
                if "in" in when:
                    self.kind(when["in"], f"{where}.when.in", list, "a list")
            else:
                self.known(self.kind(rule[key], f"{where}.{key}", str, "a string"), names, f"{where}.{key}")
        if spec.check_spec is not None and (bad := spec.check_spec(rule, fields)):
            raise self.fail(f"{where}{bad[0]}", bad[1])
        return rule


def schema_path_for(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name.removesuffix(".csv") + ".schema.json")
