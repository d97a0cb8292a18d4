"""cheatsheet.site.reference: the macro table shows each macro's name, what it shows and its arguments."""

from __future__ import annotations

from cheatsheet.site.context import MACROS
from cheatsheet.site.reference import arguments


def test_arguments_are_those_a_page_gives_with_their_defaults():
    assert arguments("image_size") == "(program, variant)"
    assert arguments("server_checks_table") == "(program, variants, key='proxies')"
    assert arguments("base_facts_table") == "()"


def test_the_macro_table_has_the_name_first_then_what_it_shows_then_the_arguments(site):
    table = site.call("macro_table")
    lines = [line for line in table.splitlines() if line.startswith("|")]
    assert lines[0] == "| Macro | Shows | Arguments |"  # no key column: the table scrolls on a phone
    assert len(lines) == 2 + len(MACROS)
    row = next(line for line in lines if line.startswith("| <code>image&#95;size</code> |"))
    assert row.endswith("| <code>&#40;program, variant)</code> |")  # a leading "(" is encoded, as any
