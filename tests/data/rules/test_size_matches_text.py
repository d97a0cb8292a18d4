"""The ``size-matches-text`` rule: a published size in bytes is its rounded text in decimal units."""

from __future__ import annotations

import shutil

import pytest

from cheatsheet.data.rules.size_matches_text import RULE, check
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS

SPEC = {"rule": "size-matches-text", "field": "image_bytes", "text": "size_as_published", "message": "m"}


@pytest.mark.parametrize(("text", "size"), [("80.8MB", 80_800_000), ("416KB", 416_000), ("2GB", 2_000_000_000)])
def test_the_size_is_the_text_in_decimal_units(text, size):
    assert check(SPEC, {"image_bytes": size, "size_as_published": text}) is None
    assert check(SPEC, {"image_bytes": size + 1, "size_as_published": text}) == (
        f"column 'image_bytes' is {size + 1} but '{text}' is {size}: m"
    )


def test_a_text_that_is_no_size_is_left_to_the_fields_pattern():
    assert check(SPEC, {"image_bytes": 5, "size_as_published": "about 5 MB"}) is None
    assert RULE.name == "size-matches-text"


def test_published_size_must_match_its_text(tmp_path):
    shutil.copy(MEASUREMENTS / "published.schema.json", tmp_path / "published.schema.json")
    path = tmp_path / "published.csv"
    text = (MEASUREMENTS / "published.csv").read_text().replace(",80800000,80.8MB,", ",80000000,80.8MB,")
    path.write_text(text)
    with pytest.raises(DataError) as info:
        read_table(path)
    [message] = str(info.value).splitlines()
    assert message.startswith(f"{path}:3:") and "'80.8MB' is 80800000" in message
