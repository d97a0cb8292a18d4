"""scripts/bench.py: a tiny real run (one variant, a second of load), and its arguments.

No timing is asserted: a benchmark prints numbers; this checks that it produces them, that the CSV it
writes is valid, and that it cleans up. Bad arguments and parts that cannot be obtained end in one
line and status 2, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import WEBSERVER, empty_datasets, labelled

from cheatsheet.data.table import read_table
from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.paths import CACHE, REPO


@pytest.mark.docker
@pytest.mark.slow
def test_a_tiny_real_run_writes_a_valid_row_and_leaves_nothing_behind(webserver, tmp_path):
    """The benchmarked variant is the one the webserver fixture measured (and checked against the peers)
    with the same cache: the benchmark reads its row and image from there, as a second run would."""
    measurements = empty_datasets(tmp_path, ("images", "bench", "base_images"))
    cmd = [
        sys.executable, str(REPO / "scripts" / "bench.py"), "--only", WEBSERVER, "--baseline", "alloc-glibc-static",
        "--rounds", "1", "--max-rounds", "1", "--duration", "1", "--warmup", "0", "--startup-runs", "2",
        "--no-build-time", "--instruction-requests", "10", "--allow-busy",
        "--csv", str(measurements / "bench.csv"), "--images-csv", str(measurements / "images.csv"),
        "--cache-dir", str(CACHE),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stderr
    (row,) = read_table(measurements / "bench.csv").rows
    assert row["variant"] == "alloc-glibc-static" and row["failure"] == ""
    assert row["alloc_rps"] > 0 and row["cpu_rps"] > 0 and row["alloc_p99_us"] > 0
    assert row["alloc_rps_ratio"] == 1.0 and row["baseline"] == "alloc-glibc-static"  # named as the baseline
    assert row["alloc_instructions"] > 0 and row["instruction_requests"] == 10
    assert row["quiet"] == "no" and row["server_cpus"] != row["load_cpus"]
    assert row["startup_runs"] == 2 and row["startup_ms"] > 0
    assert row["rounds"] == 1 and row["duration_s"] == 1 and row["load_generator"].startswith("wrk")
    assert row["cores"] >= 1 and row["kernel"] and row["image_id"].startswith("sha256:")
    assert "alloc-glibc-static" in proc.stderr and "req/s" in proc.stderr
    assert labelled("container") == [] and labelled("network") == []


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/bench.py", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "abc"], "'abc' is not a memory size"),
        (["--rounds", "0"], "'0' must be at least 1"),
        (["--rounds", "5", "--max-rounds", "3"], "--max-rounds must be at least --rounds"),
        (["--only", "webserver/no-such-variant"], "matches no variant"),
    ],
)
def test_bad_arguments_say_why_in_one_line(args, message):
    proc = run_script(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_base_that_cannot_be_obtained_is_one_line(monkeypatch, capsys):
    sys.path.insert(0, str(REPO / "scripts"))
    import bench as bench_script

    def unobtainable(*_args, **_kwargs):
        raise BaseUnavailable("alpine: cannot pull alpine:3.22@sha256:...: no registry; no bootstrap recipe")

    monkeypatch.setattr(bench_script, "run", unobtainable)
    assert bench_script.main(["--only", "webserver/alloc-musl"]) == 2
    err = capsys.readouterr().err
    assert err.strip().startswith("error: alpine: cannot pull") and "Traceback" not in err
