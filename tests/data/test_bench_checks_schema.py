"""bench_checks.schema.json: a check belongs to the committed benchmark run (a check of an older run is
refused, naming file, line and column), one file is one check, and the committed benchmark has a check
of every published ratio."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support import write_bench_rows, write_csv

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS

RATIOS = ("alloc_rps_ratio", "alloc_p99_ratio", "cpu_rps_ratio", "cpu_p99_ratio", "rss_ratio", "startup_ratio",
          "alloc_instructions_ratio")  # fmt: skip


def committed_rows() -> list[dict[str, str]]:
    with open(MEASUREMENTS / "bench_checks.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def write_checks(data_dir: Path, rows: list[dict[str, str]]) -> Path:
    return write_csv(data_dir / "bench_checks.csv", rows, list(committed_rows()[0]))


def test_the_committed_benchmark_was_checked_on_every_ratio():
    """The published figures are a run a second, separate run was compared with: every ratio of every
    variant but the baseline, the committed value as bench.csv holds it. (Whether each held within the
    limit is what the pages show; the figures say so, not this test.)"""
    tables = read_datasets()
    bench, checks = tables["bench"].rows, tables["bench_checks"].rows
    compared = {(r["variant"], r["ratio"]) for r in checks}
    expected = {(r["variant"], ratio) for r in bench if r["variant"] != r["baseline"] and not r["failure"]
                for ratio in RATIOS if r[ratio] is not None}  # fmt: skip
    assert compared == expected
    for r in checks:
        assert r["committed"] == bench[[b["variant"] for b in bench].index(r["variant"])][r["ratio"]]


def test_a_check_of_an_older_run_is_refused_at_its_line(data_dir):
    rows = committed_rows()
    write_bench_rows(data_dir / "bench.csv")  # another run: measured at another time
    with pytest.raises(DataError) as info:
        read_datasets(data_dir)
    message = str(info.value)
    assert "bench_checks.csv:2:" in message and "program/variant/committed_at" in message
    write_checks(data_dir, rows[:1])
    with pytest.raises(DataError, match=r"bench_checks\.csv:2:"):
        read_datasets(data_dir)


def test_a_file_holds_one_check(data_dir):
    rows = committed_rows()
    rows[1]["checked_at"] = "2026-12-03T00:00:00Z"
    with pytest.raises(DataError, match="one file is one check of one benchmark run"):
        read_table(write_checks(data_dir, rows))
