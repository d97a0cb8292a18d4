"""cheatsheet.data.rules: the registry of row rules and the ``when`` condition they share."""

from __future__ import annotations

from cheatsheet.data.rules import RULES, applies


def test_every_rule_module_is_registered_under_its_name():
    assert list(RULES) == ["empty-when", "required-when", "equals-when", "size-matches-text", "compare", "ascending"]
    for name, rule in RULES.items():
        assert rule.name == name and rule.description.endswith(".")
        assert set(rule.field_keys) <= set(rule.keys)


def test_when_equals_and_when_in():
    assert applies({}, {"runs": "no"})  # no condition: every row
    assert applies({"when": {"field": "runs", "equals": "yes"}}, {"runs": "yes"})
    assert not applies({"when": {"field": "runs", "equals": "yes"}}, {"runs": "no"})
    when_in = {"when": {"field": "base_source", "in": ["pulled", "bootstrapped"]}}
    assert applies(when_in, {"base_source": "pulled"}) and not applies(when_in, {"base_source": "none"})
