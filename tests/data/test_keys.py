"""cheatsheet.data.keys: the foreignKeys of every schema, checked across the datasets."""

from __future__ import annotations

import json

import pytest
from support import edit

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.keys import check_foreign_keys
from cheatsheet.data.text import DataError


def test_foreign_keys_are_declared_and_enforced_generically(data_dir):
    schema = json.loads((data_dir / "published.schema.json").read_text())
    assert schema["foreignKeys"] == [{"fields": ["source"], "reference": {"resource": "sources", "fields": ["id"]}}]
    published = edit(data_dir / "published.csv", "\nseed,hello-world,alpine,", "\nblog,hello-world,alpine,")
    with pytest.raises(DataError) as info:
        read_datasets(data_dir)
    assert str(info.value) == f"{published}:5:1: unknown source 'blog'; sources.csv has id: seed"
    edit(published, "\nblog,hello-world,alpine,", "\nseed,hello-world,alpine,")
    edit(data_dir / "toolchains.csv", "\nrustup,", "\nrustup-nightly,")
    with pytest.raises(DataError, match=r"images\.csv:2:\d+: unknown toolchain 'rustup'; toolchains\.csv has id: "):
        read_datasets(data_dir)


def test_the_committed_datasets_satisfy_their_foreign_keys(data_dir):
    tables = read_datasets(data_dir)
    assert check_foreign_keys(tables) == []
    assert any(table.schema.foreign_keys for table in tables.values())


def test_a_key_to_an_unknown_dataset_is_named(data_dir):
    tables = read_datasets(data_dir)
    del tables["sources"]
    [problem] = check_foreign_keys(tables)
    assert problem[0].endswith("published.schema.json") and "foreign key to unknown resource 'sources'" in problem[3]
