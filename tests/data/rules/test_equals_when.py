"""The ``equals-when`` rule: scratch is not obtained from anywhere."""

from __future__ import annotations

import shutil

import pytest
from support import column_of, image_row, write_csv

from cheatsheet.data.rules.equals_when import RULE, check
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS

SPEC = {
    "rule": "equals-when",
    "field": "base_source",
    "value": "none",
    "when": {"field": "base", "equals": "scratch"},
    "message": "m",
}


def test_the_column_must_hold_the_value_where_the_condition_holds():
    assert check(SPEC, {"base": "scratch", "base_source": "none"}) is None
    assert check(SPEC, {"base": "debian", "base_source": "pulled"}) is None
    assert check(SPEC, {"base": "scratch", "base_source": "pulled"}) == "column 'base_source' must be 'none' here: m"
    assert RULE.name == "equals-when"


def test_a_scratch_row_whose_base_was_pulled_is_refused(tmp_path):
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    row = image_row(base_source="pulled", base_id="sha256:" + "b" * 64)
    path = write_csv(tmp_path / "images.csv", [row])
    with pytest.raises(DataError) as info:
        read_table(path)
    assert str(info.value) == (
        f"{path}:2:{column_of('base_source', row)}: column 'base_source' must be 'none' here: scratch is not obtained"
        " from anywhere"
    )
