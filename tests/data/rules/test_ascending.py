"""The ``ascending`` rule: min <= median <= max, p50 <= p99."""

from cheatsheet.data.rules import RULES
from cheatsheet.data.rules.ascending import check

RULE = {"rule": "ascending", "field": "low", "then": ["mid", "high"], "message": "a median lies between"}


def test_in_order_passes_and_empty_columns_are_skipped():
    assert check(RULE, {"low": 1.0, "mid": 2.0, "high": 3.0}) is None
    assert check(RULE, {"low": 1.0, "mid": None, "high": 3.0}) is None
    assert check(RULE, {"low": 2.0, "mid": 2.0, "high": 2.0}) is None


def test_a_minimum_above_the_maximum_is_named():
    problem = check(RULE, {"low": 5000.0, "mid": None, "high": 10.0})
    assert problem == "column 'low' is 5,000.0 but must not be above 'high' (10.0): a median lies between"


def test_registered_by_name():
    assert RULES["ascending"].check is check
