"""scripts/bench.py: the numbers' plumbing, and a tiny real run (one variant, a second of load).

No timing is asserted: a benchmark prints numbers; these tests check that it produces them, that
the CSV it writes is valid, and that it cleans up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from labelled import labelled
from rows import empty_datasets

from cheatsheet.bench import Samples, parse_wrk, round_ratios, summarise
from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache"  # the cache a real measurement uses, as tests/test_webserver.py


def test_parse_wrk_reads_the_report_line():
    out = 'Running 1s test @ http://127.0.0.1:1/alloc\n  1 threads\n{"requests": 500, "duration_us": 1000000, ' \
          '"errors": 0, "p50_us": 900, "p99_us": 4000}\n'  # fmt: skip
    figures = parse_wrk(out)
    assert figures["rps"] == 500 and figures["p99_us"] == 4000


def test_parse_wrk_without_a_report_is_a_clear_error():
    with pytest.raises(ValueError, match="wrk printed no summary"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_ratios_are_taken_round_by_round_then_the_median():
    assert round_ratios([10, 30, 20], [10, 10, 10]) == 2.0
    assert round_ratios([1, 2], [0, 0]) is None


def test_summarise_gives_medians_spreads_and_ratios_to_the_baseline():
    base, other = Samples(), Samples()
    for s, k in ((base, 1.0), (other, 0.5)):
        s.rps["alloc"] += [1000 * k, 1100 * k, 900 * k]
        s.rps["cpu"] += [2000.0, 2000.0, 2000.0]
        s.p50_us["alloc"] += [100, 100, 100]
        s.p99_us["alloc"] += [400 / k, 400 / k, 400 / k]
        s.rss_bytes += [10_000_000, 12_000_000, 11_000_000]
        s.startup_ms += [300.0, 320.0]
    rows = summarise({"base": base, "other": other}, "base")
    assert rows["base"]["alloc_rps_ratio"] == 1.0 and rows["other"]["alloc_rps_ratio"] == 0.5
    assert rows["other"]["alloc_rps"] == 500 and rows["other"]["alloc_rps_min"] == 450
    assert rows["other"]["alloc_p99_ratio"] == 2.0 and rows["other"]["cpu_rps_ratio"] == 1.0
    assert rows["other"]["rss_bytes"] == 11_000_000 and rows["other"]["startup_runs"] == 2


@pytest.mark.docker
@pytest.mark.slow
def test_a_tiny_real_run_writes_a_valid_row_and_leaves_nothing_behind(tmp_path):
    measurements = empty_datasets(tmp_path, ("images", "bench", "base_images"))
    cmd = [
        sys.executable, str(REPO / "scripts" / "bench.py"), "--only", "webserver/alloc-glibc-static",
        "--rounds", "1", "--duration", "1", "--startup-runs", "2", "--no-build-time",
        "--csv", str(measurements / "bench.csv"), "--images-csv", str(measurements / "images.csv"),
        "--cache-dir", str(CACHE),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stderr
    (row,) = read_table(measurements / "bench.csv").rows
    assert row["variant"] == "alloc-glibc-static" and row["failure"] == ""
    assert row["alloc_rps"] > 0 and row["cpu_rps"] > 0 and row["alloc_p99_us"] > 0
    assert row["alloc_rps_ratio"] == 1.0  # its own baseline
    assert row["startup_runs"] == 2 and row["startup_ms"] > 0
    assert row["rounds"] == 1 and row["duration_s"] == 1 and row["load_generator"].startswith("wrk")
    assert row["cores"] >= 1 and row["kernel"] and row["image_id"].startswith("sha256:")
    assert "alloc-glibc-static" in proc.stderr and "req/s" in proc.stderr
    assert labelled("container") == [] and labelled("network") == []
