"""Ladder steps measured with the real Docker engine by scripts/measure.py, into a temporary CSV.

A CI-sized smoke test of two steps of tests/fixtures/ladder.toml (both build with rustup's stable
toolchain in seconds), and bad steps: a profile value cargo refuses, a nightly-only knob on the stable
toolchain, a program that builds but prints nothing. Each gives a row that records the failure with
its message, and nothing else changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rows import empty_datasets

from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
pytestmark = pytest.mark.docker
ROOTS = ("--program-root", str(REPO / "programs"), "--program-root", str(FIXTURES / "programs"))


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "ladder.toml", tmp_path / "recipes.toml")
    return tmp_path


def measure(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
        "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(workdir / "cache"), *ROOTS, *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=dict(os.environ))


def rows(workdir: Path) -> dict[str, dict]:
    return {r["variant"]: r for r in read_table(workdir / "measurements" / "images.csv").rows}


def add_step(workdir: Path, step: str) -> None:
    path = workdir / "recipes.toml"
    path.write_text(path.read_text() + "\n[[ladders.smoke.steps]]\n" + step)


def test_two_ladder_steps_are_measured_with_docker(workdir):
    proc = measure(workdir, "--only", "hello*/ladder-*")
    assert proc.returncode == 0, proc.stderr
    got = rows(workdir)
    release, tiny = got["ladder-glibc-01-release"], got["ladder-glibc-02-tiny"]
    for row in (release, tiny):
        assert row["runs"] == "yes" and row["failure"] == "" and row["base"] == "scratch"
        assert row["image_bytes"] == row["binary_bytes"] and 0 < row["compressed_bytes"] <= row["image_bytes"]
    assert release["program"] == "hello-world" and release["binary_bytes"] > 100_000
    assert tiny["program"] == "hello-nostd" and tiny["binary_bytes"] <= 512
    assert tiny["cargo_profile"] == "strip=symbols opt-level=z lto=true codegen-units=1 panic=abort"
    # a re-run with nothing changed comes from the cache and changes nothing
    before = (workdir / "measurements" / "images.csv").read_bytes()
    again = measure(workdir, "--only", "hello*/ladder-*")
    assert again.returncode == 0 and again.stderr.count("; cached,") == 2, again.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == before


@pytest.mark.parametrize(
    ("step", "vid", "failure"),
    [
        (  # a profile value cargo does not accept
            'id = "bad-opt"\nknob = "x"\nprice = "x"\nadds = { profile = { opt-level = "x" } }\n',
            "ladder-glibc-03-bad-opt",
            "cargo build failed: error: ",
        ),
        (  # a nightly-only knob on rustup's stable toolchain
            'id = "nightly"\nknob = "x"\nprice = "x"\nadds = { cargo_flags = ["-Zpanic-immediate-abort"] }\n',
            "ladder-glibc-03-nightly",
            "cargo build failed: error: the `-Z` flag is only accepted on the nightly channel of Cargo",
        ),
    ],
)
def test_a_step_that_does_not_build_records_cargos_error(workdir, step, vid, failure):
    add_step(workdir, step)
    proc = measure(workdir, "--only", vid)
    assert proc.returncode == 0, proc.stderr
    [row] = rows(workdir).values()
    assert row["variant"] == vid and row["runs"] == "no"
    assert row["failure"].startswith(failure), row["failure"]
    assert "full log" not in row["failure"]
    assert row["image_bytes"] is None and row["binary_bytes"] is None and row["compressed_bytes"] is None


def test_a_step_that_prints_nothing_is_recorded_as_not_running(workdir):
    add_step(workdir, 'id = "silent"\nknob = "x"\nprice = "x"\nadds = { program = "webserver" }\n')
    proc = measure(workdir, "--only", "webserver/ladder-glibc-03-silent", "--only", "ladder-glibc-01-release")
    assert proc.returncode == 0, proc.stderr
    got = rows(workdir)
    assert set(got) == {"ladder-glibc-01-release", "ladder-glibc-03-silent"}
    silent = got["ladder-glibc-03-silent"]
    assert silent["runs"] == "no" and silent["failure"] == "printed '' instead of 'Hello, world!\\n'"
    assert silent["binary_bytes"] > 0
    assert got["ladder-glibc-01-release"]["runs"] == "yes"
