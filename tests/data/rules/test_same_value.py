"""The ``same-value`` table rule: one baseline (one run) for the whole file."""

from cheatsheet.data.rules import TABLE_RULES
from cheatsheet.data.rules.same_value import check

RULE = {"rule": "same-value", "field": "baseline", "message": "one run has one baseline"}


def test_one_value_passes_and_an_empty_file_too():
    assert check(RULE, [{"baseline": "a"}, {"baseline": "a"}]) == []
    assert check(RULE, []) == []


def test_each_row_that_differs_is_reported():
    problems = check(RULE, [{"baseline": "a"}, {"baseline": "b"}, {"baseline": "a"}])
    assert problems == [(1, "baseline", "column 'baseline' is 'b' but 'a' in the first row: one run has one baseline")]
    assert TABLE_RULES["same-value"].check is check
