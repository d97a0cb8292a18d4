"""bench.schema.json: impossible benchmark figures are refused with their position, not rendered as facts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import refusal

from cheatsheet.data.table import read_table
from cheatsheet.data.text import csv_line
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes import load_recipes
from cheatsheet.recipes.rows import recipe_problems

SCHEMA = MEASUREMENTS / "bench.schema.json"
HEADER = (MEASUREMENTS / "bench.csv").read_text().splitlines()[0].split(",")


def run_rows() -> list[dict[str, str]]:
    """A consistent run of two variants: the baseline and one more."""
    common = {
        "program": "webserver", "baseline": "alloc-glibc-dynamic", "rounds": "5", "duration_s": "10", "slice_s": "1",
        "warmup_s": "3", "connections": "16", "server_cpus": "1", "load_cpus": "0", "memory_bytes": "536870912",
        "workers": "2", "load_generator": "wrk 4.1.0", "cpu_model": "A CPU", "cores": "2", "kernel": "6.1.0",
        "docker_version": "20.10.24", "quiet": "yes", "measured_at": "2026-12-01T00:00:00Z",
    }  # fmt: skip
    base = dict(common, variant="alloc-glibc-dynamic", libc="glibc", crt_linkage="dynamic", allocator="system",
                alloc_rps="783.083", alloc_rps_min="700.000", alloc_rps_max="800.000", alloc_p50_us="10000.000",
                alloc_p99_us="65500.000", alloc_rps_ratio="1.000", alloc_p99_ratio="1.000")  # fmt: skip
    other = dict(common, variant="alloc-musl", libc="musl", crt_linkage="static", allocator="system",
                 alloc_rps="1067.223", alloc_rps_min="1000.000", alloc_rps_max="1100.000", alloc_p50_us="9000.000",
                 alloc_p99_us="60200.000", alloc_rps_ratio="1.363", alloc_p99_ratio="0.919")  # fmt: skip
    return [base, other]


def write(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    shutil.copy(SCHEMA, tmp_path / "bench.schema.json")
    lines = [csv_line(HEADER)] + [csv_line(row.get(h, "") for h in HEADER) for row in rows]
    (tmp_path / "bench.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "bench.csv"


def problems(path: Path) -> list[str]:
    return refusal(path).splitlines()


def test_a_consistent_run_is_valid(tmp_path):
    assert len(read_table(write(tmp_path, run_rows())).rows) == 2


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"alloc_p50_us": "70000.000"}, "column 'alloc_p50_us' is 70,000.0 but must not be above 'alloc_p99_us'"),
        ({"alloc_rps_min": "5000.000"}, "column 'alloc_rps_min' is 5,000.0 but must not be above 'alloc_rps'"),
        ({"alloc_rps_ratio": "999.000"}, "column 'alloc_rps_ratio' is 999.0 but 'alloc_rps' gives"),
        ({"baseline": "alloc-musl"}, "column 'baseline' is 'alloc-musl' but 'alloc-glibc-dynamic' in the first row"),
        ({"rounds": "3"}, "column 'rounds' is '3' but '5' in the first row"),
    ],
)
def test_an_impossible_figure_is_refused_at_its_position(tmp_path, changes, expected):
    rows = run_rows()
    rows[1].update(changes)
    path = write(tmp_path, rows)
    found = problems(path)
    assert any(expected in p for p in found), found
    assert all(p.startswith(f"{path}:3:") for p in found if expected in p)


def test_a_baseline_that_is_no_row_is_refused(tmp_path):
    rows = run_rows()[1:]
    for row in rows:
        row["alloc_rps_ratio"] = row["alloc_p99_ratio"] = ""
    found = problems(write(tmp_path, rows))
    assert any("which no row's 'variant' is: the baseline was benchmarked in the same run" in p for p in found)


def test_a_variant_not_in_the_recipes_is_refused(tmp_path):
    rows = run_rows()
    rows[1]["variant"] = "alloc-unheard-of"
    table = read_table(write(tmp_path, rows))
    [(_path, line, _column, message)] = recipe_problems({"bench": table}, load_recipes())
    assert line == 3 and "webserver/alloc-unheard-of is not a variant in programs/recipes.toml" in message
