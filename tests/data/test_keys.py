"""cheatsheet.data.keys: the foreignKeys of every schema, checked across the datasets."""

from __future__ import annotations

import json
import shutil

import pytest
from support import edit

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.keys import check_foreign_keys
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS


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


def copy_measurements(tmp_path):
    out = tmp_path / "measurements"
    shutil.copytree(MEASUREMENTS, out)
    return out


def test_the_committed_images_agree_with_their_bases():
    tables = read_datasets()
    assert tables["images"].schema.agreements


def test_base_bytes_that_disagree_with_base_images_are_refused_at_the_image_row(tmp_path):
    out = copy_measurements(tmp_path)
    tables = read_datasets(out)
    used = {(r["base"], r["arch"], r["base_id"]) for r in tables["images"].rows if r["base"] != "scratch"}
    lines = (out / "base_images.csv").read_text().splitlines()
    header = lines[0].split(",")
    at, base_id = header.index("base_bytes"), header.index("base_id")
    changed = 0
    for i, line in enumerate(lines[1:], start=1):
        fields = line.split(",")
        if (fields[0], fields[1], fields[base_id]) in used:
            fields[at] = str(int(fields[at]) + 1)
            lines[i] = ",".join(fields)
            changed += 1
    assert changed, "no image row names a base image of base_images.csv"
    (out / "base_images.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read_datasets(out)
    found = [p for p in info.value.problems if "base_images.csv has" in p[3]]
    assert found and all(p[0].endswith("images.csv") and p[1] > 1 and p[2] > 1 for p in found)
    assert "the base image's size is measured once" in found[0][3]


def test_a_non_scratch_base_of_zero_bytes_is_refused(tmp_path):
    out = copy_measurements(tmp_path)
    text = (out / "base_images.csv").read_text()
    lines = text.splitlines()
    header = lines[0].split(",")
    at = next(i for i, line in enumerate(lines) if i and not line.startswith("scratch,"))
    fields = lines[at].split(",")
    fields[header.index("base_bytes")] = "0"
    lines[at] = ",".join(fields)
    (out / "base_images.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        read_datasets(out)
    assert any("a base other than scratch is not empty" in p[3] and p[1] == at + 1 for p in info.value.problems)
