"""The ``compare`` rule: sizes checked against each other (image >= binary, compressed <= image,
image = base + binary within one block)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import column_of, image_row, write_csv

from cheatsheet.data.rules.compare import RULE, check
from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS


@pytest.fixture
def images(tmp_path: Path) -> Path:
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    return tmp_path / "images.csv"


def test_a_column_against_a_sum_plus_a_constant():
    spec = {"field": "a", "op": "<=", "sum": ["b", "c"], "plus": 10, "message": "m"}
    assert check(spec, {"a": 30, "b": 10, "c": 10}) is None
    assert check(spec, {"a": 31, "b": 10, "c": 10}) == "column 'a' is 31 but must be <= b (10) + c (10) + 10 = 30: m"
    assert check(spec, {"a": 31, "b": None, "c": 10}) is None  # an empty optional column: nothing to compare
    assert check({"field": "a", "op": "==", "sum": ["b"], "message": "m"}, {"a": 1, "b": 2}) == (
        "column 'a' is 1 but must be == b (2): m"
    )
    assert RULE.name == "compare"


@pytest.mark.parametrize(
    "changes, column, expected",
    [
        (
            {"image_bytes": "1", "binary_bytes": "1224968", "compressed_bytes": "1"},
            "image_bytes",
            "column 'image_bytes' is 1 but must be >= binary_bytes (1,224,968): the image contains the binary",
        ),
        (
            {"compressed_bytes": "455457"},
            "compressed_bytes",
            "column 'compressed_bytes' is 455,457 but must be <= image_bytes (455,456): gzip of the layers",
        ),
        (
            {"image_bytes": "555456"},
            "image_bytes",
            "column 'image_bytes' is 555,456 but must be <= base_bytes (0) + binary_bytes (455,456) + 4,096 = 459,552",
        ),
        (
            {"image_bytes": "2455456", "base_bytes": "2100000"},
            "image_bytes",
            "column 'image_bytes' is 2,455,456 but must be >= base_bytes (2,100,000) + binary_bytes (455,456)"
            " = 2,555,456",
        ),
    ],
    ids=[
        "image-below-binary",
        "compressed-above-image",
        "image-above-base-plus-binary",
        "image-below-base-plus-binary",
    ],
)
def test_sizes_are_checked_against_each_other(images, changes, column, expected):
    row = image_row(**changes)
    write_csv(images, [row])
    with pytest.raises(DataError) as info:
        read_table(images)
    messages = str(info.value).splitlines()
    assert any(m.startswith(f"{images}:2:{column_of(column, row)}: {expected}") for m in messages), messages


def test_image_within_the_allowance_passes(images):
    write_csv(images, [image_row(image_bytes=str(455456 + 4096))])
    assert read_table(images).rows[0]["image_bytes"] == 459552


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"op": ">"}, r"\$\.rules\[0\]\.op: must be one of: >=, <=, =="),
        ({"plus": True}, r"\$\.rules\[0\]\.plus: must be an integer, not a boolean"),
        ({"field": "name"}, r"\$\.rules\[0\]\.field: 'name' is not an integer column"),
        ({"sum": ["name"]}, r"\$\.rules\[0\]\.sum\[0\]: 'name' is not an integer column"),
    ],
)
def test_a_bad_compare_rule_is_a_schema_error(tmp_path, change, expected):
    rule = {"rule": "compare", "field": "n", "op": ">=", "sum": ["m"], "message": "x", **change}
    fields = [
        {"name": "name"},
        {"name": "n", "type": "integer", "constraints": {"maximum": 9}},
        {"name": "m", "type": "integer", "constraints": {"maximum": 9}},
    ]
    path = tmp_path / "x.schema.json"
    path.write_text(json.dumps({"fields": fields, "rules": [rule]}))
    with pytest.raises(DataError, match=rf"^{path}:1:1: {expected}"):
        Schema.load(path)
