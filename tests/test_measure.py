"""scripts/measure.py against the real Docker engine: a smoke measurement, the cache, and faults.

Each test runs the script as a user would, on a copy of images.csv, with the small variants of
tests/fixtures/recipes.toml (static glibc binaries on scratch: no base image to bootstrap).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rows import empty_datasets

from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
pytestmark = pytest.mark.docker
# The fixture recipes measure programs/hello-world and the programs under tests/fixtures/programs.
PROGRAM_ROOTS = ("--program-root", str(REPO / "programs"), "--program-root", str(FIXTURES / "programs"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "recipes.toml", tmp_path / "recipes.toml")
    return tmp_path


def measure_command(workdir: Path, *args: str, cache: Path | None = None) -> list[str]:
    return [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
        "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(cache or workdir / "cache"),
        *PROGRAM_ROOTS, *args,
    ]  # fmt: skip


def measure(
    workdir: Path, *args: str, env: dict | None = None, cache: Path | None = None
) -> subprocess.CompletedProcess:
    cmd = measure_command(workdir, *args, cache=cache)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})


def rows(workdir: Path) -> dict[str, dict]:
    return {r["variant"]: r for r in read_table(workdir / "measurements" / "images.csv").rows}


def test_smoke_measurement_builds_runs_and_records_a_row(workdir):
    before = rows(workdir)
    proc = measure(workdir, "--only", "hello-world/scratch-glibc")
    assert proc.returncode == 0, proc.stderr
    after = rows(workdir)
    row = after["scratch-glibc"]
    assert row["runs"] == "yes" and row["failure"] == ""
    assert row["image_bytes"] == row["binary_bytes"] > 100_000  # scratch: the image is the binary
    assert 0 < row["compressed_bytes"] < row["image_bytes"]
    assert row["base_source"] == "none" and row["toolchain"] == "rustup"
    assert row["rustc_version"].startswith("rustc ") and row["docker_version"]
    assert {k: v for k, v in after.items() if k != "scratch-glibc"} == {
        k: v for k, v in before.items() if k != "scratch-glibc"
    }
    assert "[1/1] hello-world/scratch-glibc: docker run" in proc.stderr  # progress is printed
    inspected = subprocess.run(
        ["docker", "image", "inspect", "-f", "{{.Size}}", "cheatsheet/hello-world:scratch-glibc"],
        capture_output=True,
        text=True,
    )
    assert int(inspected.stdout) == row["image_bytes"]


def test_a_second_run_with_nothing_changed_is_cached_and_writes_nothing(workdir):
    assert measure(workdir, "--only", "scratch-glibc").returncode == 0
    content = (workdir / "measurements" / "images.csv").read_bytes()
    started = time.monotonic()
    proc = measure(workdir, "--only", "scratch-glibc")
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert "cached" in proc.stderr and "unchanged" in proc.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == content
    print(f"cached re-run took {elapsed:.2f} s")


def test_a_changed_recipe_is_measured_again(workdir):
    assert measure(workdir, "--only", "scratch-glibc").returncode == 0
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text().replace(
            'settings = { strip = "symbols" }', 'settings = { strip = "symbols", opt-level = "s" }'
        )
    )
    proc = measure(workdir, "--only", "scratch-glibc")
    assert proc.returncode == 0 and "measured" in proc.stderr and "cached" not in proc.stderr
    assert rows(workdir)["scratch-glibc"]["cargo_profile"] == "strip=symbols opt-level=s"


def test_an_image_that_builds_but_does_not_run_is_recorded_with_the_reason(workdir):
    proc = measure(workdir, "--only", "scratch-dynamic", "--only", "exits-three")
    assert proc.returncode == 0, proc.stderr
    got = rows(workdir)
    assert got["scratch-dynamic"]["runs"] == "no"
    assert "no such file or directory" in got["scratch-dynamic"]["failure"]
    assert got["exits-three"]["runs"] == "no"
    assert got["exits-three"]["failure"].startswith("exit status 3")


def test_docker_unreachable_is_one_clear_line_and_no_csv_change(workdir, tmp_path):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "scratch-glibc", env={"DOCKER_HOST": f"unix://{tmp_path}/nowhere.sock"})
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith("error: hello-world/scratch-glibc: ") and "Docker daemon" in line
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_a_missing_base_image_names_the_variant_and_changes_no_csv(workdir):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "missing-base")
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("skipped:")]
    assert line.startswith("skipped: hello-world/missing-base: ") and "cheatsheet-test/no-such-image" in line
    assert "1 skipped because the base image cannot be obtained here" in proc.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_a_cargo_build_failure_names_the_variant_and_the_error(workdir):
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text()
        .replace("tests/fixtures/programs/exit-three", "tests/fixtures/programs/does-not-compile")
        .replace('binary = "exit-three"', 'binary = "does-not-compile"')
    )
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "exits-three")
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith(
        "error: webserver/exits-three: cargo build failed: error[E0425]: cannot find value `undefined_name`"
    )
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_an_unknown_only_pattern_lists_the_ids(workdir):
    proc = measure(workdir, "--only", "hello-world/debian-sid")
    assert proc.returncode == 2
    assert (
        "matches no variant; the variants are: unlisted/not-in-the-schema, hello-world/scratch-glibc, " in proc.stderr
    )


def test_list_prints_the_ids(workdir):
    proc = measure(workdir, "--list")
    assert proc.stdout.split() == [
        "unlisted/not-in-the-schema",
        "hello-world/scratch-glibc",
        "hello-world/scratch-dynamic",
        "webserver/exits-three",
        "hello-world/missing-base",
    ]


def test_a_broken_csv_stops_the_run_before_any_work(workdir):
    path = workdir / "measurements" / "images.csv"
    path.write_text(path.read_text() + "hello-world,oops\n")
    proc = measure(workdir, "--only", "scratch-glibc")
    assert proc.returncode == 2 and "nothing was measured" in proc.stderr and ":2:" in proc.stderr


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_every_csv_whole(workdir):
    """Kill the run at increasing moments; each time the CSV must parse and hold only whole rows."""
    seed = measure(workdir, "--only", "scratch-glibc")  # one existing row that later runs rewrite
    assert seed.returncode == 0
    path = workdir / "measurements" / "images.csv"
    for delay in (0.3, 0.8, 1.5, 2.5, 3.5, 5.0):
        before = read_table(path).rows
        cmd = measure_command(
            workdir, "--no-cache", "--only", "scratch-glibc", "--only", "scratch-dynamic", "--only", "exits-three"
        )
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = read_table(path).rows  # raises if the file is not whole
        keys_before = {(r["program"], r["variant"]) for r in before}
        assert keys_before <= {(r["program"], r["variant"]) for r in after}
        assert len(after) <= 3
    # A temporary file left by a kill during a write is removed by the next run.
    assert measure(workdir, "--only", "scratch-glibc").returncode == 0
    assert list(path.parent.glob(".*.tmp")) == []


# -- issue 6, defect 2: a row that breaks the schema -------------------------------------------------


def test_a_failure_message_longer_than_the_column_is_cut_and_kept_in_full_in_the_log(workdir):
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text().replace(
            'tests/fixtures/programs/exit-three"\nbinary = "exit-three"\nverify',
            'tests/fixtures/programs/long-failure"\nbinary = "long-failure"\nverify',
        )
    )
    proc = measure(workdir, "--only", "exits-three")
    assert proc.returncode == 0, proc.stderr
    row = rows(workdir)["exits-three"]
    assert row["runs"] == "no" and len(row["failure"]) == 500 and row["failure"].endswith("…")
    assert row["failure"].startswith("exit status 1: this failure message is much too long")
    log = workdir / "cache" / "logs" / "webserver--exits-three.row.log"
    assert "end of the message" in log.read_text()
    assert f"full text in {log}" in proc.stderr


def test_a_row_that_breaks_the_schema_is_not_cached_and_does_not_stop_the_others(workdir):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    for attempt in (1, 2):  # the second run must fail the same clear way: nothing was cached
        proc = measure(workdir, "--only", "not-in-the-schema", "--only", "scratch-glibc")
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        [error] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
        assert error.startswith("error: unlisted/not-in-the-schema: the measured row breaks the schema: ")
        assert "'unlisted' is not one of" in error
        summary = proc.stderr.splitlines()[-1]
        assert summary.startswith("done: 1 of 2 variants measured, 1 failed (unlisted/not-in-the-schema)"), summary
        assert set(rows(workdir)) == {"scratch-glibc"}, attempt
    assert (workdir / "measurements" / "images.csv").read_bytes() != content


def test_a_starting_run_leaves_another_runs_temporary_file_alone(workdir, tmp_path):
    csv_path = workdir / "measurements" / "images.csv"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = csv_path.with_name(f".images.csv.{sleeper.pid}.x1y2z3.tmp")
        live.write_text("another run is writing this\n")
        proc = measure(workdir, "--only", "scratch-glibc", env={"DOCKER_HOST": f"unix://{tmp_path}/nowhere.sock"})
        assert proc.returncode == 1
        assert live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_list_json_is_a_job_matrix(workdir):
    proc = measure(workdir, "--list", "--json")
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(proc.stdout)
    assert [e["only"] for e in entries] == measure(workdir, "--list").stdout.split()
    first = entries[1]
    assert first == {
        "group": "hello-world",
        "program": "hello-world",
        "id": "scratch-glibc",
        "only": "hello-world/scratch-glibc",
        "base": "scratch",
        "target": "x86_64-unknown-linux-gnu",
        "arch": "amd64",
        "libc": "glibc",
        "tls": "none",
        "dns": "none",
    }


def test_a_program_outside_the_program_roots_is_refused(workdir):
    cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"), "--list"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "[programs.webserver]: path = 'tests/fixtures/programs/exit-three' leaves programs/" in proc.stderr
