"""scripts/bench.py: a tiny real run (one variant, a second of load), and its arguments.

No timing is asserted: a benchmark prints numbers; this checks that it produces them, that the CSV it
writes is valid, and that it cleans up. Bad arguments and parts that cannot be obtained end in one
line and status 2, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import WEBSERVER, bench_rows, empty_datasets, labelled, write_bench_rows, write_csv

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table
from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.paths import CACHE, MEASUREMENTS, REPO


@pytest.mark.docker
@pytest.mark.slow
def test_a_tiny_real_run_writes_a_valid_row_and_leaves_nothing_behind(webserver, tmp_path):
    """The benchmarked variant is the one the webserver fixture measured (and checked against the peers)
    with the same cache: the benchmark reads its row and image from there, as a second run would."""
    measurements = empty_datasets(tmp_path, ("images", "bench", "bench_checks", "base_images"))
    # the check of an earlier run: the new run has not been checked, so it empties the file
    (measurements / "bench_checks.csv").write_bytes((MEASUREMENTS / "bench_checks.csv").read_bytes())
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
    assert read_table(measurements / "bench_checks.csv").rows == ()


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


def test_the_check_prints_and_writes_every_ratio_and_fails_beyond_the_limit(tmp_path, capsys):
    """report_check on two runs as files: the committed one and a second one, the same but for one ratio."""
    sys.path.insert(0, str(REPO / "scripts"))
    import bench as bench_script

    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    committed = write_bench_rows(tmp_path / "a" / "bench.csv")
    rows = bench_rows()
    for r in rows:
        r["measured_at"] = "2026-12-02T00:00:00Z"
    rerun = write_csv(tmp_path / "b" / "bench.csv", rows, committed.read_text().splitlines()[0].split(","))
    checks = tmp_path / "a" / "bench_checks.csv"
    assert bench_script.report_check(committed, rerun, checks) == 0
    written = read_table(checks, Schema.load(MEASUREMENTS / "bench_checks.schema.json")).rows
    assert len(written) == 5 * 7 and {r["rerun"] == r["committed"] for r in written} == {True}
    assert {str(r["committed_at"]) for r in written} == {"2026-12-01 00:00:00+00:00"}
    assert "the largest change is 0.0%: within" in capsys.readouterr().err
    musl = next(r for r in rows if r["variant"] == "alloc-musl")
    musl["rss_bytes"] = str(int(int(musl["rss_bytes"]) * 1.2))
    musl["rss_bytes_max"] = str(int(musl["rss_bytes"]) + 1000)
    musl["rss_ratio"] = f"{int(musl['rss_bytes']) / int(rows[0]['rss_bytes']):.3f}"
    write_csv(rerun, rows, committed.read_text().splitlines()[0].split(","))
    assert bench_script.report_check(committed, rerun, checks) == 1
    err = capsys.readouterr().err
    assert "alloc-musl" in err and "<-- beyond ±10%" in err and "the largest change is 20.0%: beyond" in err
    assert "different CPUs" not in err
    for r in rows:
        r["cpu_model"] = "Another CPU"
    write_csv(rerun, rows, committed.read_text().splitlines()[0].split(","))
    bench_script.report_check(committed, rerun, checks)
    assert "ran on different CPUs (A test CPU / Another CPU)" in capsys.readouterr().err
