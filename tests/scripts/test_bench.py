"""scripts/bench.py: a tiny real run (one variant, a second of load).

No timing is asserted: a benchmark prints numbers; this checks that it produces them, that the CSV it
writes is valid, and that it cleans up.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import WEBSERVER, empty_datasets, labelled

from cheatsheet.data.table import read_table
from cheatsheet.paths import CACHE, REPO


@pytest.mark.docker
@pytest.mark.slow
def test_a_tiny_real_run_writes_a_valid_row_and_leaves_nothing_behind(webserver, tmp_path):
    """The benchmarked variant is the one the webserver fixture measured (and checked against the peers)
    with the same cache: the benchmark reads its row and image from there, as a second run would."""
    measurements = empty_datasets(tmp_path, ("images", "bench", "base_images"))
    cmd = [
        sys.executable, str(REPO / "scripts" / "bench.py"), "--only", WEBSERVER,
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
