"""The ``empty-when`` rule: a variant that runs has no failure text."""

from __future__ import annotations

import shutil

import pytest
from support import column_of, image_row, write_csv

from cheatsheet.data.rules.empty_when import RULE, check
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS

SPEC = {"rule": "empty-when", "field": "failure", "when": {"field": "runs", "equals": "yes"}, "message": "m"}


def test_the_column_must_be_empty_where_the_condition_holds():
    assert check(SPEC, {"runs": "yes", "failure": ""}) is None
    assert check(SPEC, {"runs": "yes", "failure": None}) is None
    assert check(SPEC, {"runs": "no", "failure": "exit status 1"}) is None  # the condition does not hold
    assert check(SPEC, {"runs": "yes", "failure": "boom"}) == "column 'failure' must be empty here: m"
    assert RULE.name == "empty-when"


def test_a_running_variant_with_a_failure_is_refused_where_it_stands(tmp_path):
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    row = image_row(failure="it printed nothing")
    path = write_csv(tmp_path / "images.csv", [row])
    with pytest.raises(DataError) as info:
        read_table(path)
    assert str(info.value) == (
        f"{path}:2:{column_of('failure', row)}: column 'failure' must be empty here: a variant that runs has no"
        " failure text"
    )
