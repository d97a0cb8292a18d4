"""The ``required-when`` rule: a variant that does not run says why; one that runs has its sizes."""

from __future__ import annotations

import shutil

import pytest
from support import column_of, image_row, write_csv

from cheatsheet.data.rules.required_when import RULE, check
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS

SPEC = {"rule": "required-when", "field": "base_id", "when": {"field": "base_source", "in": ["pulled"]}, "message": "m"}


def test_the_column_must_be_filled_where_the_condition_holds():
    assert check(SPEC, {"base_source": "pulled", "base_id": "sha256:ab"}) is None
    assert check(SPEC, {"base_source": "none", "base_id": ""}) is None
    assert check(SPEC, {"base_source": "pulled", "base_id": ""}) == "column 'base_id' must not be empty here: m"
    assert check(SPEC, {"base_source": "pulled", "base_id": None}) is not None
    assert RULE.name == "required-when"


def test_a_variant_that_does_not_run_must_say_why(tmp_path):
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    row = image_row(runs="no")
    path = write_csv(tmp_path / "images.csv", [row])
    with pytest.raises(DataError) as info:
        read_table(path)
    assert str(info.value) == (
        f"{path}:2:{column_of('failure', row)}: column 'failure' must not be empty here: a variant that does not"
        " run must say why"
    )


def test_a_variant_that_runs_has_its_sizes(tmp_path):
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    path = write_csv(tmp_path / "images.csv", [image_row(image_bytes="", compressed_bytes="")])
    with pytest.raises(DataError) as info:
        read_table(path)
    messages = str(info.value)
    assert "column 'image_bytes' must not be empty here: a variant that runs was built" in messages
    assert "column 'compressed_bytes' must not be empty here" in messages
