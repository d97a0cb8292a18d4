"""The ``names-a-row`` table rule: the baseline is a row of the same file."""

from cheatsheet.data.rules import TABLE_RULES
from cheatsheet.data.rules.names_a_row import check

RULE = {"rule": "names-a-row", "field": "baseline", "key": "variant", "message": "the baseline is a row"}


def test_a_baseline_that_is_a_row_passes():
    assert check(RULE, [{"variant": "a", "baseline": "a"}, {"variant": "b", "baseline": "a"}]) == []


def test_a_baseline_that_names_no_row_is_reported_on_every_row():
    rows = [{"variant": "b", "baseline": "gone"}, {"variant": "c", "baseline": "gone"}]
    problems = check(RULE, rows)
    assert [p[:2] for p in problems] == [(0, "baseline"), (1, "baseline")]
    assert "'gone', which no row's 'variant' is" in problems[0][2]
    assert TABLE_RULES["names-a-row"].check is check
