"""cheatsheet.measure.arm64_routes.rows: what readelf says a binary needs, and the row of a build that
timed out, failed or ran, held to the dataset's schema; with Docker, the cross-linker route on hello-world
for real."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table, validate_row
from cheatsheet.data.text import DataError
from cheatsheet.measure.arm64_routes.builders import Built
from cheatsheet.measure.arm64_routes.rows import PROGRAMS, glibc_max, glibc_versions, route_row
from cheatsheet.measure.arm64_routes.timing import Timed
from cheatsheet.paths import MEASUREMENTS

SCHEMA = Schema.load(MEASUREMENTS / "arm64_builds.schema.json")
WHEN = dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)

# `aarch64-linux-gnu-readelf -V --wide` of a dynamically linked hello world (trimmed): the version
# needs name GLIBC_2.17 ... GLIBC_2.34; the definitions section of a library would name others.
READELF_DYNAMIC = """
Version symbols section '.gnu.version' contains 48 entries:
 Addr: 0x0000000000000a1e  Offset: 0x000a1e  Link: 6 (.dynsym)
  000:   0 (*local*)       2 (GLIBC_2.17)    3 (GLIBC_2.34)    2 (GLIBC_2.17)
  004:   4 (GCC_3.0)       2 (GLIBC_2.17)    5 (GLIBC_2.18)    2 (GLIBC_2.17)

Version needs section '.gnu.version_r' contains 2 entries:
 Addr: 0x0000000000000a80  Offset: 0x000a80  Link: 7 (.dynstr)
  000000: Version: 1  File: libgcc_s.so.1  Cnt: 1
  0x0010:   Name: GCC_3.0  Flags: none  Version: 4
  0x0020: Version: 1  File: libc.so.6  Cnt: 4
  0x0030:   Name: GLIBC_2.18  Flags: none  Version: 5
  0x0040:   Name: GLIBC_2.34  Flags: none  Version: 3
  0x0050:   Name: GLIBC_2.17  Flags: none  Version: 2
  0x0060:   Name: GLIBC_2.3.4  Flags: none  Version: 6
"""
READELF_STATIC = "\nNo version information found in this file.\n"


def test_the_newest_glibc_version_is_compared_as_numbers_not_text():
    assert glibc_versions(READELF_DYNAMIC) == ["GLIBC_2.3.4", "GLIBC_2.17", "GLIBC_2.18", "GLIBC_2.34"]
    assert glibc_max(READELF_DYNAMIC) == "GLIBC_2.34"  # as text, GLIBC_2.3.4 would sort after GLIBC_2.18


def test_a_binary_without_version_needs_needs_no_glibc():
    assert glibc_max(READELF_STATIC) == ""
    assert glibc_max("  0x0010:   Name: GCC_3.0  Flags: none  Version: 4\n") == ""


def built(outcome: str, wall: float = 100.0, cpu: float | None = 180.0, output: str = "") -> Built:
    return Built(
        timed=Timed(outcome, wall, cpu, output, 3.5, 2.1),
        binary=None,
        build_target="aarch64-unknown-linux-gnu",
        std="rebuilt",
        toolchain="debian-build-std",
        rustc_version="rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)",
        linker="aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0",
    )


def row_for(recipes, outcome: str, **figures) -> dict:
    variant = recipes.variant("hello-world", PROGRAMS["hello-world"])
    timed = built(outcome, output="error: linking with `cc` failed: exit status: 1\n" if outcome == "failed" else "")
    return route_row(variant, "cross-gcc", timed, timeout=900, docker_version="20.10.24+dfsg1", measured_at=WHEN,
                     **figures)  # fmt: skip


def test_a_build_stopped_at_its_bound_is_a_row_with_the_bound_and_nothing_else(recipes):
    row = row_for(recipes, "timed-out", binary_bytes=1, glibc="GLIBC_2.17", image_bytes=2, runs="yes")
    assert row["outcome"] == "timed-out" and row["timeout_seconds"] == 900
    assert row["build_seconds"] is None and row["build_cpu_seconds"] is None
    assert row["binary_bytes"] is None and row["glibc_max"] == "" and row["runs"] == ""
    assert row["failure"] == "did not finish within the bound of 900 s"
    validate_row(SCHEMA, row, label="timed-out row")


def test_a_failed_build_says_why_and_keeps_its_wall_time(recipes):
    row = row_for(recipes, "failed")
    assert row["failure"] == "error: linking with `cc` failed: exit status: 1"
    assert row["build_seconds"] == 100.0 and row["binary_bytes"] is None
    validate_row(SCHEMA, row, label="failed row")


def test_a_built_row_carries_its_figures_and_validates(recipes):
    row = row_for(recipes, "built", binary_bytes=400_000, glibc="GLIBC_2.34", image_bytes=24_000_000, runs="yes")
    assert (row["build_seconds"], row["build_cpu_seconds"], row["others_cpu_pct"], row["load_average"]) == (
        100.0, 180.0, 3.5, 2.1,
    )  # fmt: skip
    assert row["glibc_max"] == "GLIBC_2.34" and row["failure"] == "" and row["cpus"] == (os.cpu_count() or 1)
    validate_row(SCHEMA, row, label="built row")
    no = row_for(recipes, "built", binary_bytes=1, glibc="", image_bytes=2, runs="no", failure="exit status 127")
    assert no["failure"] == "exit status 127"
    validate_row(SCHEMA, no, label="a row that does not run")


def test_every_program_follows_a_glibc_dynamic_arm64_variant_of_the_recipes(recipes):
    for program, vid in PROGRAMS.items():
        variant = recipes.variant(program, vid)
        assert variant.arch == "arm64" and variant.target.libc == "glibc" and variant.target.crt_linkage == "dynamic"


@pytest.mark.docker
@pytest.mark.slow
def test_the_cross_linker_route_builds_hello_world_that_runs_under_emulation(arm64_route_run):
    """The real thing, on the smallest program: a cold -Zbuild-std build (std compiled for aarch64),
    its image on the arm64 distroless/cc base, checked under emulation; one row written (the run is
    conftest's arm64_route_run, started in the background)."""
    out, run = arm64_route_run
    proc = run.result()
    assert proc.returncode == 0, proc.stderr[-3000:]
    (row,) = read_table(out / "arm64_builds.csv").rows
    assert (row["route"], row["outcome"], row["runs"]) == ("cross-gcc", "built", "yes")
    assert row["glibc_max"].startswith("GLIBC_2.") and 0 < row["binary_bytes"] <= row["image_bytes"]
    assert row["build_seconds"] > 0 and row["build_cpu_seconds"] > 0


def test_a_row_that_breaks_its_own_rules_is_refused(recipes):
    row = row_for(recipes, "built", binary_bytes=400_000, glibc="", image_bytes=24_000_000, runs="yes")
    with pytest.raises(DataError, match="a native build names the builder image it ran in"):
        validate_row(SCHEMA, {**row, "route": "native-emulated", "std": "prebuilt"}, label="x")
    with pytest.raises(DataError, match="no prebuilt aarch64 std can be installed on the x86-64 host"):
        validate_row(SCHEMA, {**row, "std": "prebuilt"}, label="x")
