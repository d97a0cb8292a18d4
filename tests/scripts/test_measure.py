"""scripts/measure.py, run as a user runs it: listing and selecting variants, refusing bad input before
any work, and leaving every CSV whole whatever happens to the run (an unreachable daemon, SIGKILL).

The measurements themselves (rows, the cache, failures recorded) are tested in
tests/measure/test_runner.py.
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
from support import FIXTURES, empty_datasets

from cheatsheet.data.table import read_table
from cheatsheet.paths import PROGRAMS, REPO

# The fixture recipes measure programs/hello-world and the programs under tests/fixtures/programs.
PROGRAM_ROOTS = ("--program-root", str(PROGRAMS), "--program-root", str(FIXTURES / "programs"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "recipes.toml", tmp_path / "recipes.toml")
    return tmp_path


def measure_command(workdir: Path, *args: str) -> list[str]:
    return [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
        "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(workdir / "cache"),
        *PROGRAM_ROOTS, *args,
    ]  # fmt: skip


def measure(workdir: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = measure_command(workdir, *args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})


def test_list_prints_the_ids(workdir):
    proc = measure(workdir, "--list")
    assert proc.stdout.split() == [
        "unlisted/not-in-the-schema",
        "hello-world/scratch-glibc",
        "hello-world/scratch-dynamic",
        "webserver/exits-three",
        "hello-world/missing-base",
    ]


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


def test_only_selects_and_lists_what_it_selects(workdir):
    proc = measure(workdir, "--list", "--only", "scratch-*", "--only", "webserver/*")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["hello-world/scratch-glibc", "hello-world/scratch-dynamic", "webserver/exits-three"]


def test_an_unknown_only_pattern_lists_the_ids(workdir):
    proc = measure(workdir, "--only", "hello-world/debian-sid")
    assert proc.returncode == 2
    assert (
        "matches no variant; the variants are: unlisted/not-in-the-schema, hello-world/scratch-glibc, " in proc.stderr
    )


def test_a_program_outside_the_program_roots_is_refused(workdir):
    cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"), "--list"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "[programs.webserver]: path = 'tests/fixtures/programs/exit-three' leaves programs/" in proc.stderr


def test_a_broken_csv_stops_the_run_before_any_work(workdir):
    path = workdir / "measurements" / "images.csv"
    path.write_text(path.read_text() + "hello-world,oops\n")
    proc = measure(workdir, "--only", "scratch-glibc")
    assert proc.returncode == 2 and "nothing was measured" in proc.stderr and ":2:" in proc.stderr


def test_docker_unreachable_is_one_clear_line_and_no_csv_change(workdir, tmp_path):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, "--only", "scratch-glibc", env={"DOCKER_HOST": f"unix://{tmp_path}/nowhere.sock"})
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith("error: hello-world/scratch-glibc: ") and "Docker daemon" in line
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


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


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.timing
def test_sigkill_at_any_moment_leaves_every_csv_whole(workdir):
    """Kill the run at increasing moments; each time the CSV must parse and hold only whole rows."""
    seed = measure(workdir, "--only", "scratch-glibc")  # one existing row that later runs rewrite
    assert seed.returncode == 0, seed.stderr
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


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/measure.py", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_list_follows_only():
    proc = run_script("--list", "--only", "hello-world/scratch-musl*")
    assert proc.returncode == 0
    assert proc.stdout.split() == ["hello-world/scratch-musl", "hello-world/scratch-musl-arm64"]


def test_a_cache_directory_that_cannot_be_made_is_one_line():
    proc = run_script("--cache-dir", "/dev/null/x", "--only", "hello-world/scratch-musl")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: cannot create /dev/null/x: Not a directory"
