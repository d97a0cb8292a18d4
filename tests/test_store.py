"""Atomic, idempotent CSV writes: rows replaced by key, other lines byte for byte, bad rows refused."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from cheatsheet.store import upsert_rows
from cheatsheet.tables import DataError, read_table
from rows import IMAGE_ROW, image_row, write_csv

MEASUREMENTS = Path(__file__).resolve().parent.parent / "measurements"


@pytest.fixture
def images(tmp_path: Path) -> Path:
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    return write_csv(tmp_path / "images.csv", [image_row(), image_row(variant="scratch-glibc", libc="glibc")])


def typed(**changes) -> dict:
    row = {k: v for k, v in image_row(**changes).items()}
    for k in ("image_bytes", "compressed_bytes", "binary_bytes", "base_bytes"):
        row[k] = int(row[k])
    row["measured_at"] = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone.utc)
    return row


def test_replacing_a_row_keeps_every_other_line(images):
    before = images.read_text().splitlines()
    assert upsert_rows(images, [typed(variant="scratch-glibc", libc="glibc", image_bytes=777)])
    after = images.read_text().splitlines()
    assert after[:2] == before[:2] and len(after) == 3
    assert ",777," in after[2] and "2026-11-28T09:30:00Z" in after[2]


def test_the_same_row_twice_changes_nothing(images):
    upsert_rows(images, [typed(variant="new-one")])
    content = images.read_bytes()
    assert not upsert_rows(images, [typed(variant="new-one")])
    assert images.read_bytes() == content
    assert len(read_table(images).rows) == 3


def test_an_invalid_row_is_refused_and_the_file_is_untouched(images):
    content = images.read_bytes()
    with pytest.raises(DataError) as info:
        upsert_rows(images, [typed(variant="x", base="ubuntu")])
    assert "'ubuntu' is not one of" in str(info.value)
    assert images.read_bytes() == content
    assert [p.name for p in images.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_row_lacking_a_column_is_refused(images):
    row = typed(variant="x")
    del row["recipe_key"]
    with pytest.raises(DataError, match="recipe_key"):
        upsert_rows(images, [row])


def test_a_broken_file_is_not_written_to(images):
    images.write_text(images.read_text().replace("455456", "big", 1))
    content = images.read_bytes()
    with pytest.raises(DataError):
        upsert_rows(images, [typed(variant="x")])
    assert images.read_bytes() == content


def test_values_with_commas_and_quotes_round_trip(images):
    failure = 'exit status 1: exec /x: no such file, or "directory"'
    upsert_rows(images, [typed(variant="q", runs="no", failure=failure)])
    [row] = [r for r in read_table(images).rows if r["variant"] == "q"]
    assert row["failure"] == failure
    assert set(IMAGE_ROW) == set(row)
