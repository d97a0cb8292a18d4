"""What a value may hold: no invisible characters (one test for data and recipes), no spreadsheet formula."""

from __future__ import annotations

import shutil

import pytest

from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError, csv_line, forbidden_character
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes.checks import RecipeError, plain_text


def sources(tmp_path, note: str):
    """sources.csv with one row whose last column, ``note``, is ``note``; and that column's position."""
    shutil.copy(MEASUREMENTS / "sources.schema.json", tmp_path / "sources.schema.json")
    header = (MEASUREMENTS / "sources.csv").read_text().splitlines()[0]
    assert header.endswith(",note")
    prefix = "seed,Seed,A source,https://example.invalid/x,2026-11-27,"
    path = tmp_path / "sources.csv"
    path.write_text(header + "\n" + prefix + csv_line([note]) + "\n")
    return path, len(prefix) + 1


def test_a_hangul_filler_is_invisible_to_the_csv_reader_and_the_recipes_alike():
    assert forbidden_character("a\u3164b") == (1, "U+3164 (HANGUL FILLER)")
    with pytest.raises(RecipeError, match="U\\+3164"):
        plain_text("a\u3164b", "knob", "[ladders.x]", MEASUREMENTS)


def test_a_cell_that_starts_like_a_formula_is_refused_at_its_position(tmp_path):
    path, column = sources(tmp_path, '=HYPERLINK("http://example.invalid")')
    with pytest.raises(DataError) as info:
        read_table(path)
    [(_name, line, col, message)] = info.value.problems
    assert (line, col) == (2, column) and "starts like a spreadsheet formula ('=')" in message


@pytest.mark.parametrize("value", ["+1", "@sum", "-2+3"])
def test_other_formula_starts_are_refused(tmp_path, value):
    path, _ = sources(tmp_path, value)
    with pytest.raises(DataError, match="spreadsheet formula"):
        read_table(path)


def test_a_flag_is_not_a_formula(tmp_path):
    path, _ = sources(tmp_path, "-C target-feature=+crt-static")
    assert read_table(path).rows[0]["note"] == "-C target-feature=+crt-static"
