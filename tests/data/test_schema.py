"""cheatsheet.data.schema: the Table Schema beside each CSV is read strictly; every error names the
file and the JSON path."""

from __future__ import annotations

import json

import pytest

from cheatsheet.data.schema import Schema, schema_path_for
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS


def test_every_integer_column_of_the_committed_schemas_has_a_maximum():
    schemas = sorted(MEASUREMENTS.glob("*.schema.json"))
    assert len(schemas) >= 5
    for path in schemas:
        for f in Schema.load(path).fields:
            if f.type == "integer":
                assert f.maximum is not None, (path.name, f.name)


def test_a_schema_with_an_unbounded_integer_is_refused(tmp_path):
    path = tmp_path / "x.schema.json"
    path.write_text(json.dumps({"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]}))
    with pytest.raises(
        DataError, match=r"x\.schema\.json:1:1: \$\.fields\[0\]\.constraints: integer column 'n' needs a maximum"
    ):
        Schema.load(path)


MALFORMED = [
    ({"fields": [{"type": "string"}]}, r"\$\.fields\[0\]: missing key 'name'"),
    (
        {"fields": [{"name": "a", "constraints": {"pattern": "[a-"}}]},
        r"\$\.fields\[0\]\.constraints\.pattern: not a valid regular expression",
    ),
    (
        {"fields": [{"name": "a", "constraints": {"required": "yes"}}]},
        r"\$\.fields\[0\]\.constraints\.required: must be true or false, not str",
    ),
    (
        {"fields": [{"name": "a", "type": "integer", "constraints": {"maximum": "9"}}]},
        r"\$\.fields\[0\]\.constraints\.maximum: must be an integer",
    ),
    ({"fields": [{"name": "a", "type": "float"}]}, r"\$\.fields\[0\]\.type: unsupported type 'float'"),
    ({"fields": "a"}, r"\$\.fields: must be a list, not str"),
    ({"fields": [{"name": "a"}], "primarykey": ["a"]}, r"\$: unknown key\(s\) 'primarykey'"),
    ({"fields": [{"name": "a", "size": 3}]}, r"\$\.fields\[0\]: unknown key\(s\) 'size'"),
    (
        {"fields": [{"name": "a", "constraints": {"maxLenght": 3}}]},
        r"\$\.fields\[0\]\.constraints: unknown key\(s\) 'maxLenght'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "rules": [
                {"rule": "empty-when", "field": "a", "when": {"field": "a", "equals": ""}, "message": "m", "extra": 1}
            ],
        },
        r"\$\.rules\[0\]: unknown key\(s\) 'extra'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "rules": [{"rule": "empty-when", "field": "b", "when": {"field": "a", "equals": ""}, "message": "m"}],
        },
        r"\$\.rules\[0\]\.field: no field is named 'b'",
    ),
    (
        {"fields": [{"name": "a"}], "rules": [{"rule": "nonsense", "field": "a", "message": "m"}]},
        r"\$\.rules\[0\]\.rule: unknown rule 'nonsense'; known: empty-when, required-when, equals-when",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "rules": [{"rule": "empty-when", "field": "a", "when": {"field": "a"}, "message": "m"}],
        },
        r"\$\.rules\[0\]\.when: needs exactly one of 'equals' and 'in'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "foreignKeys": [{"fields": ["a"], "reference": {"resource": "x", "fields": ["id"], "extra": 1}}],
        },
        r"\$\.foreignKeys\[0\]\.reference: unknown key\(s\) 'extra'",
    ),
    ({"fields": [{"name": "a"}], "primaryKey": ["b"]}, r"\$\.primaryKey\[0\]: no field is named 'b'"),
    ([1], r"\$: must be an object, not list"),
]


@pytest.mark.parametrize("schema, expected", MALFORMED, ids=[e[1][:40] for e in MALFORMED])
def test_a_malformed_schema_names_the_file_and_the_json_path(tmp_path, schema, expected):
    path = tmp_path / "bad.schema.json"
    path.write_text(json.dumps(schema))
    with pytest.raises(DataError, match=rf"^{path}:1:1: {expected}"):
        Schema.load(path)


def test_a_schema_that_is_not_json_is_located(tmp_path):
    path = tmp_path / "bad.schema.json"
    path.write_text('{"fields": [\n  {"name": "a",}\n]}')
    with pytest.raises(DataError, match=rf"^{path}:2:16: invalid JSON"):
        Schema.load(path)


def test_the_committed_schema_reads_with_its_keys_and_rules():
    schema = Schema.load(MEASUREMENTS / "images.schema.json")
    assert schema.primary_key == ("program", "variant")
    assert schema.names[:2] == ("program", "variant") and schema.field("image_bytes").unit == "B"
    assert {fk.resource for fk in schema.foreign_keys} == {"toolchains"}
    assert {rule["rule"] for rule in schema.rules} == {"required-when", "empty-when", "equals-when", "compare"}
    with pytest.raises(KeyError):
        schema.field("colour")


def test_the_schema_of_a_csv_is_beside_it(tmp_path):
    assert schema_path_for(tmp_path / "images.csv") == tmp_path / "images.schema.json"
