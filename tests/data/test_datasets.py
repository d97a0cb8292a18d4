"""cheatsheet.data.datasets: every <name>.csv with its <name>.schema.json is a dataset, found one way."""

from __future__ import annotations

import pytest

from cheatsheet.data.datasets import dataset_paths, read_datasets
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS


def test_the_committed_datasets_are_valid():
    tables = read_datasets()
    assert {"images", "published", "sources", "toolchains", "bench", "base_images"} <= set(tables)
    assert set(tables) == set(dataset_paths())
    for name, table in tables.items():
        assert table.path == MEASUREMENTS / f"{name}.csv" and table.label == f"measurements/{name}.csv"
        # bench.csv holds one benchmark run, or none before the first: every other dataset has rows
        assert table.rows or name == "bench", f"{name}.csv has no rows"


def test_a_csv_without_a_schema_and_a_schema_without_a_csv_are_refused(data_dir):
    (data_dir / "stray.csv").write_text("a\n1\n")
    (data_dir / "sources.csv").unlink()
    with pytest.raises(DataError) as info:
        dataset_paths(data_dir)
    messages = str(info.value)
    assert "sources.schema.json:1:1: a schema without its data: sources.csv is missing" in messages
    assert "stray.csv:1:1: no schema beside it: stray.schema.json is missing" in messages


def test_a_dataset_name_is_a_lower_case_slug(data_dir):
    (data_dir / "Bad-Name.schema.json").write_text('{"fields": [{"name": "a"}]}')
    (data_dir / "Bad-Name.csv").write_text("a\n")
    with pytest.raises(DataError, match="a dataset's name is lower-case letters and digits joined by _"):
        dataset_paths(data_dir)


def test_every_problem_of_every_file_is_reported_together(data_dir):
    for name in ("sources.csv", "toolchains.csv"):
        path = data_dir / name
        path.write_text(path.read_text() + "oops\n")
    with pytest.raises(DataError) as info:
        read_datasets(data_dir)
    assert {p[0].rsplit("/", 1)[-1] for p in info.value.problems} == {"sources.csv", "toolchains.csv"}
