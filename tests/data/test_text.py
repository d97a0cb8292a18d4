"""cheatsheet.data.text: splitting and writing CSV lines, typed values as text, quoting in messages."""

from __future__ import annotations

import datetime as dt

import pytest

from cheatsheet.data.text import DataError, csv_line, forbidden_character, quote, split_csv_line, to_text


def test_split_csv_line_reports_offsets():
    values, starts = split_csv_line('a,"b,""c""",,d')
    assert values == ["a", 'b,"c"', "", "d"]
    assert starts == [0, 2, 12, 13]


@pytest.mark.parametrize(
    ("line", "offset", "message"),
    [
        ('a,"b', 2, "quoted field is not closed on this line"),
        ('a,"b"c', 5, "unexpected text after a closing quote"),
        ('a,b"c', 3, "a quote inside an unquoted field"),
    ],
)
def test_split_csv_line_locates_a_bad_quote(line, offset, message):
    with pytest.raises(ValueError) as info:
        split_csv_line(line)
    assert info.value.args[0] == offset and message in info.value.args[1]


def test_csv_line_quotes_only_where_needed_and_splits_back():
    values = ["plain", "with, comma", 'with "quotes"', ""]
    line = csv_line(values)
    assert line == 'plain,"with, comma","with ""quotes""",'
    assert split_csv_line(line)[0] == values


def test_to_text_writes_values_as_the_reader_reads_them():
    assert to_text(None) == "" and to_text(7) == "7" and to_text("x") == "x"
    assert to_text(dt.date(2026, 1, 2)) == "2026-01-02"
    assert to_text(dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)) == "2026-11-28T09:30:00Z"


def test_forbidden_character_names_the_first_invisible_one():
    assert forbidden_character("plain text, with spaces") is None
    assert forbidden_character("ab\u202ec") == (2, "U+202E (RIGHT-TO-LEFT OVERRIDE)")
    assert forbidden_character("a\u00a0b")[0] == 1  # a no-break space looks like a space but is not one


def test_a_quoted_value_is_cut_to_a_prefix():
    assert quote("short") == "'short'"
    assert quote("x" * 1000) == "'" + "x" * 60 + "'…"


def test_a_data_error_is_one_line_per_problem():
    exc = DataError([("a.csv", 2, 5, "first"), ("b.csv", 9, 1, "second")])
    assert str(exc) == "a.csv:2:5: first\nb.csv:9:1: second"
