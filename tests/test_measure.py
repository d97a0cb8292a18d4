"""scripts/measure.py against the real Docker engine: a smoke measurement, the cache, and faults.

Each test runs the script as a user would, on a copy of images.csv, with the small variants of
tests/fixtures/recipes.toml (static glibc binaries on scratch: no base image to bootstrap).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
pytestmark = pytest.mark.docker


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "measurements").mkdir()
    shutil.copy(REPO / "measurements" / "images.schema.json", tmp_path / "measurements")
    header = (REPO / "measurements" / "images.csv").read_text().splitlines()[0]
    (tmp_path / "measurements" / "images.csv").write_text(header + "\n")
    shutil.copy(FIXTURES / "recipes.toml", tmp_path / "recipes.toml")
    return tmp_path


def measure(workdir: Path, *args: str, env: dict | None = None, cache: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
           "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(cache or workdir / "cache"), *args]
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
    assert {k: v for k, v in after.items() if k != "scratch-glibc"} == {k: v for k, v in before.items() if k != "scratch-glibc"}
    assert "[1/1] hello-world/scratch-glibc: docker run" in proc.stderr  # progress is printed
    inspected = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", "cheatsheet/hello-world:scratch-glibc"],
                               capture_output=True, text=True)
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
    recipes.write_text(recipes.read_text().replace('settings = { strip = "symbols" }', 'settings = { strip = "symbols", opt-level = "s" }'))
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
    [line] = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert line.startswith("error: hello-world/scratch-glibc: ") and "Docker daemon" in line
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_a_missing_base_image_names_the_variant_and_changes_no_csv(workdir):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "missing-base")
    [line] = [l for l in proc.stderr.splitlines() if l.startswith("skipped:")]
    assert line.startswith("skipped: hello-world/missing-base: ") and "cheatsheet-test/no-such-image" in line
    assert "1 skipped because the base image cannot be obtained here" in proc.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_a_cargo_build_failure_names_the_variant_and_the_error(workdir):
    recipes = workdir / "recipes.toml"
    recipes.write_text(recipes.read_text().replace("tests/fixtures/programs/exit-three", "tests/fixtures/programs/does-not-compile")
                       .replace('binary = "exit-three"', 'binary = "does-not-compile"'))
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "exits-three")
    assert proc.returncode == 1
    [line] = [l for l in proc.stderr.splitlines() if l.startswith("error:")]
    assert line.startswith("error: webserver/exits-three: cargo build failed: error[E0425]: cannot find value `undefined_name`")
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


def test_an_unknown_only_pattern_lists_the_ids(workdir):
    proc = measure(workdir, "--only", "hello-world/debian-sid")
    assert proc.returncode == 2
    assert "matches no variant; the variants are: hello-world/scratch-glibc, hello-world/scratch-dynamic" in proc.stderr


def test_list_prints_the_ids(workdir):
    proc = measure(workdir, "--list")
    assert proc.stdout.split() == ["hello-world/scratch-glibc", "hello-world/scratch-dynamic", "webserver/exits-three",
                                   "hello-world/missing-base"]


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
    cache = workdir / "cache"
    path = workdir / "measurements" / "images.csv"
    for delay in (0.3, 0.8, 1.5, 2.5, 3.5, 5.0):
        before = read_table(path).rows
        cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
               "--csv", str(path), "--cache-dir", str(cache), "--no-cache",
               "--only", "scratch-glibc", "--only", "scratch-dynamic", "--only", "exits-three"]
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
