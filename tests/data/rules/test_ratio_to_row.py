"""The ``ratio-to-row`` table rule: a ratio equals the raw figures' ratio, to its stated rounding."""

from cheatsheet.data.rules import TABLE_RULES
from cheatsheet.data.rules.ratio_to_row import check

RULE = {"rule": "ratio-to-row", "field": "r", "of": "x", "row": "baseline", "key": "variant", "places": 3,
        "message": "a ratio is the row's figure over the baseline's"}  # fmt: skip


def rows(ratio, x=1067.223, base=783.083):
    return [
        {"variant": "b", "baseline": "b", "x": base, "r": 1.0},
        {"variant": "v", "baseline": "b", "x": x, "r": ratio},
    ]


def test_a_ratio_within_its_rounding_passes():
    assert check(RULE, rows(1.363)) == []
    assert check(RULE, rows(1.362)) == []  # 1.36284...: one unit of the third decimal either way


def test_a_ratio_the_figures_do_not_give_is_reported():
    [(index, column, message)] = check(RULE, rows(999.0))
    assert (index, column) == (1, "r")
    assert "'r' is 999.0 but 'x' gives 1,067.223 / 783.083 = 1.363" in message


def test_a_ratio_with_nothing_to_divide_must_be_empty_and_one_with_figures_must_not():
    assert "must be empty" in check(RULE, rows(1.0, x=None))[0][2]
    assert "is empty but 'x' gives 1.363" in check(RULE, rows(None))[0][2]
    assert check(RULE, rows(None, x=None)) == []
    assert TABLE_RULES["ratio-to-row"].check is check
