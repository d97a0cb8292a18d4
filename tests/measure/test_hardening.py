"""cheatsheet.measure.hardening: the checks under docker run's hardening options, the default user, the
row of hardening.csv; and one small image measured hardened for real."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from support import FIXTURES, empty_datasets, typed_row

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table, validate_row
from cheatsheet.measure.hardening import (
    NONROOT,
    VULNERABILITIES_NOT_MEASURED,
    hardened_options,
    hardening_row,
    run_checks,
    user_kind,
)
from cheatsheet.measure.imagefacts import ImageFacts
from cheatsheet.paths import MEASUREMENTS, PROGRAMS, REPO

SCHEMA = Schema.load(MEASUREMENTS / "hardening.schema.json")
HARDENED = ("--user", NONROOT, "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges")


@pytest.mark.parametrize(
    ("user", "shown"),
    [
        ("", ("root", "root")),
        ("0", ("root", "root")),
        ("root", ("root", "root")),
        ("0:0", ("root", "root")),
        ("65532", ("65532", "uid")),
        ("65532:65532", ("65532:65532", "uid")),
        ("nonroot", ("nonroot", "name")),
        ("app:app", ("app:app", "name")),
    ],
)
def test_the_default_user_is_root_a_name_or_a_uid(user, shown):
    assert user_kind(user) == shown


def test_the_hardened_options_are_every_option_and_a_tmpfs_only_when_given():
    assert hardened_options() == HARDENED
    assert hardened_options(("/tmp",)) == (*HARDENED[:3], "--tmpfs", "/tmp", *HARDENED[3:])


class FakeCheck:
    """A check that fails whenever ``failing`` options are all in the run, and records every run."""

    def __init__(self, *failing: str, unless: str = ""):
        self.failing, self.unless, self.runs = failing, unless, []

    def __call__(self, options: Sequence[str]) -> tuple[str, str]:
        self.runs.append(tuple(options))
        if all(o in options for o in self.failing) and not (self.unless and self.unless in options):
            return "no", f"exit status 1: cannot write with {' '.join(self.failing)}"
        return "yes", ""


def test_every_option_alone_then_all_together_each_with_its_exact_error():
    check = FakeCheck("--cap-drop")
    out = run_checks(check, server=False)
    assert check.runs == [("--user", NONROOT), ("--cap-drop", "ALL", "--security-opt", "no-new-privileges"),
                          ("--read-only",), HARDENED]  # fmt: skip
    assert (out["nonroot"], out["read_only"], out["no_caps"], out["hardened"]) == ("yes", "yes", "no", "no")
    assert out["no_caps_failure"] == out["hardened_failure"] == "exit status 1: cannot write with --cap-drop"
    assert out["hardened_command"] == "docker run " + " ".join(HARDENED)


def test_a_server_that_needs_a_tmpfs_to_run_read_only_gets_one_and_the_row_says_where():
    out = run_checks(FakeCheck("--read-only", unless="--tmpfs"), server=True)
    assert (out["read_only"], out["read_only_tmpfs"], out["read_only_failure"]) == ("yes", "/tmp", "")
    assert out["hardened"] == "yes" and "--tmpfs /tmp" in out["hardened_command"]


def test_a_program_that_fails_read_only_is_not_given_a_tmpfs():
    check = FakeCheck("--read-only", unless="--tmpfs")
    out = run_checks(check, server=False)
    assert (out["read_only"], out["read_only_tmpfs"], out["hardened"]) == ("no", "", "no")
    assert not any("--tmpfs" in run for run in check.runs)


def test_a_server_that_fails_read_only_even_with_a_tmpfs_keeps_the_first_error():
    out = run_checks(FakeCheck("--read-only"), server=True)
    assert (out["read_only"], out["read_only_tmpfs"]) == ("no", "")
    assert out["read_only_failure"] == "exit status 1: cannot write with --read-only"


def facts() -> ImageFacts:
    return ImageFacts(
        files=5239, ca_bundle="", ca_certs=0, passwd="yes", unprivileged_users="", tzdata="yes", shell="dash",
        package_manager="apt", libc="glibc", libssl="", libgcc_s="yes", nsswitch="yes", setuid_files=2,
        setuid_paths="/usr/bin/su /usr/bin/passwd", interpreters="perl", network_tools="", packages=88,
        world_writable_dirs=1, world_writable_paths="/tmp",
    )  # fmt: skip


def test_the_row_passes_the_schema_and_says_vulnerabilities_were_not_measured():
    image = typed_row(base="debian", base_source="bootstrapped", base_id="sha256:" + "c" * 64)
    outcome = run_checks(FakeCheck("--user"), server=False)
    when = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    row = hardening_row(image, outcome, facts(), "", "sha256:" + "d" * 64, "20.10.24+dfsg1", when)
    validate_row(SCHEMA, row, label="hardening row")
    assert (row["default_user"], row["default_user_kind"], row["nonroot"], row["hardened"]) == ("root", "root", "no",
                                                                                                "no")  # fmt: skip
    assert row["vulnerabilities"] is None and row["vulnerabilities_measured"] == "no"
    assert row["vulnerabilities_note"] == VULNERABILITIES_NOT_MEASURED
    assert row["recipe_key"] == image["recipe_key"] and row["packages"] == 88
    assert set(row) == set(SCHEMA.names)


# -- one small image measured hardened for real ----------------------------------------------------


def measure(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
        "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(workdir / "cache"),
        "--program-root", str(PROGRAMS), "--program-root", str(FIXTURES / "programs"),
        "--only", "hello-world/scratch-glibc", *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=dict(os.environ))


@pytest.mark.docker
def test_hello_world_on_scratch_runs_hardened_for_real_and_a_cached_run_fills_a_missing_row(tmp_path):
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "recipes.toml", tmp_path / "recipes.toml")
    first = measure(tmp_path, "--no-cache")
    assert first.returncode == 0, first.stderr
    path = tmp_path / "measurements" / "hardening.csv"
    (row,) = read_table(path, SCHEMA).rows
    (image,) = read_table(tmp_path / "measurements" / "images.csv").rows
    assert (row["program"], row["variant"], row["base"], row["arch"]) == ("hello-world", "scratch-glibc", "scratch",
                                                                          "amd64")  # fmt: skip
    assert row["recipe_key"] == image["recipe_key"]
    assert (row["default_user"], row["default_user_kind"]) == ("root", "root")  # FROM scratch names no user
    assert [row[c] for c in ("nonroot", "read_only", "no_caps", "hardened")] == ["yes"] * 4
    assert row["read_only_tmpfs"] == "" and row["hardened_failure"] == ""
    assert row["hardened_command"] == "docker run " + " ".join(HARDENED)
    # the exported image is the binary alone
    assert (row["files"], row["setuid_files"], row["world_writable_dirs"]) == (1, 0, 0)
    assert (row["shell"], row["package_manager"], row["interpreters"], row["network_tools"]) == ("", "", "", "")
    assert row["packages"] is None and row["vulnerabilities"] is None
    assert "hardening measured (nonroot yes, read_only yes, no_caps yes, hardened yes)" in first.stderr

    # A cached run with the hardening row gone measures hardening again, and builds nothing.
    path.write_text(path.read_text().splitlines()[0] + "\n")
    second = measure(tmp_path)
    assert second.returncode == 0, second.stderr
    assert "cached" in second.stderr and "cargo build" not in second.stderr and "docker build" not in second.stderr
    assert "hardening measured" in second.stderr
    assert [r["variant"] for r in read_table(path, SCHEMA).rows] == ["scratch-glibc"]
    third = measure(tmp_path)
    assert "hardening cached" in third.stderr
