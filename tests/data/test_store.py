"""cheatsheet.data.store: atomic, idempotent CSV writes; rows replaced by key, other lines byte for byte,
bad rows refused, two writers at once both kept."""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import IMAGE_ROW, TESTS, image_row, write_csv
from support import typed_row as typed

from cheatsheet.data.schema import Schema
from cheatsheet.data.store import check_row, fit_to_schema, upsert_rows
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS


@pytest.fixture
def images(tmp_path: Path) -> Path:
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    return write_csv(tmp_path / "images.csv", [image_row(), image_row(variant="scratch-glibc", libc="glibc")])


def test_replacing_a_row_keeps_every_other_line(images):
    before = images.read_text().splitlines()
    assert upsert_rows(images, [typed(variant="scratch-glibc", libc="glibc", compressed_bytes=777)])
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


# -- two writers at once ------------------------------------------------------

HOLDING_WRITER = r"""
import sys, time
from pathlib import Path
import cheatsheet.data.store as store
sys.path.insert(0, sys.argv[4])
from support import typed_row as typed

csv_path, ready, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
real_read_table = store.read_table

def read_then_hold(path, *args, **kwargs):
    table = real_read_table(path, *args, **kwargs)
    if Path(path) != csv_path:  # the check of the new content: after the read, before the rename
        ready.touch()
        deadline = time.monotonic() + 30
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    return table

store.read_table = read_then_hold
store.upsert_rows(csv_path, [typed(variant="from-the-holder")])
"""

QUICK_WRITER = r"""
import sys
from pathlib import Path
import cheatsheet.data.store as store
sys.path.insert(0, sys.argv[2])
from support import typed_row as typed
store.upsert_rows(Path(sys.argv[1]), [typed(variant="from-the-other-run")])
"""


@pytest.mark.timing
def test_two_writers_at_once_both_keep_their_rows(images, tmp_path):
    """One writer holds between its read and its write while a second one writes: no row is lost."""
    tests_dir = str(TESTS)
    ready, go = tmp_path / "ready", tmp_path / "go"
    holder = subprocess.Popen([sys.executable, "-c", HOLDING_WRITER, str(images), str(ready), str(go), tests_dir])
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert holder.poll() is None and time.monotonic() < deadline, "the holding writer never read the file"
            time.sleep(0.02)
        other = subprocess.Popen([sys.executable, "-c", QUICK_WRITER, str(images), tests_dir])
        with contextlib.suppress(subprocess.TimeoutExpired):
            other.wait(timeout=3)  # with the lock it waits for the holder; without, it writes now
        go.touch()
        assert holder.wait(timeout=60) == 0
        assert other.wait(timeout=60) == 0
    finally:
        go.touch()
        holder.kill()
    variants = {r["variant"] for r in read_table(images).rows}
    assert {"from-the-holder", "from-the-other-run", "scratch-musl", "scratch-glibc"} <= variants


def test_a_live_writers_temporary_file_is_left_alone_and_a_dead_ones_removed(images):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = images.with_name(f".images.csv.{sleeper.pid}.abc123.tmp")
        live.write_text("being written by another run\n")
        dead_pid = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dead = images.with_name(f".images.csv.{dead_pid}.def456.tmp")
        dead.write_text("left by a killed run\n")
        upsert_rows(images, [typed(variant="new-one")])
        assert live.exists() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# -- the writer follows the reader -------------------------------------------


def test_quoted_header_names_are_understood(images):
    text = images.read_text()
    header, rest = text.split("\n", 1)
    images.write_text(header.replace("program,", '"program",', 1) + "\n" + rest)
    upsert_rows(images, [typed(variant="quoted")])
    lines = images.read_text().splitlines()
    assert lines[0].startswith('"program",') and lines[1:3] == rest.splitlines()[:2]
    assert "quoted" in {r["variant"] for r in read_table(images).rows}


def test_a_crlf_file_is_refused_with_the_readers_position_and_left_unchanged(images):
    images.write_bytes(images.read_bytes().replace(b"\n", b"\r\n"))
    content = images.read_bytes()
    with pytest.raises(DataError) as info:
        upsert_rows(images, [typed(variant="x")])
    assert re.search(r"images\.csv:1:[0-9]+: ", str(info.value)), str(info.value)
    assert images.read_bytes() == content


# -- a row is checked before it is cached -------------------------------------


def test_check_row_reports_a_bad_row_without_touching_the_file(images):
    content = images.read_bytes()
    check_row(images, typed(variant="fine"))
    with pytest.raises(DataError, match="'ubuntu' is not one of"):
        check_row(images, typed(variant="x", base="ubuntu"))
    assert images.read_bytes() == content


def test_long_text_is_cut_to_the_columns_limit(images):
    schema = Schema.load(images.with_name("images.schema.json"))
    limit = schema.field("failure").max_length
    long = "exit status 1: " + "x" * 5000
    row, cut = fit_to_schema(typed(variant="long", runs="no", failure=long), schema)
    assert cut == {"failure": long}
    assert len(row["failure"]) == limit and row["failure"].endswith("…")
    check_row(images, row)
