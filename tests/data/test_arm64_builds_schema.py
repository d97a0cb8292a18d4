"""arm64_builds.schema.json: a timed build route says how it ended, with no figure it could not have made
(no time for a build stopped at its bound, no binary without a build, a failure that says why), and
names an arm64 variant of the recipes whose libc and linkage it agrees with."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import refusal, write_csv

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.table import read_table
from cheatsheet.recipes import load_recipes
from cheatsheet.recipes.rows import recipe_problems

ROW = {
    "program": "webserver", "variant": "cc-rustls-ring-arm64", "route": "cross-gcc",
    "target": "aarch64-unknown-linux-gnu", "build_target": "aarch64-unknown-linux-gnu", "libc": "glibc",
    "crt_linkage": "dynamic", "std": "rebuilt", "toolchain": "debian-build-std",
    "rustc_version": "rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)",
    "linker": "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0", "outcome": "built", "timeout_seconds": "1500",
    "build_seconds": "201.4", "build_cpu_seconds": "371.9", "others_cpu_pct": "4.2", "load_average": "2.3",
    "cpus": "2", "binary_bytes": "3456789", "glibc_max": "GLIBC_2.34", "image_bytes": "27000000", "runs": "yes",
    "failure": "", "builder_image": "", "docker_version": "20.10.24+dfsg1", "host_arch": "amd64",
    "measured_at": "2026-12-02T06:00:00Z",
}  # fmt: skip
TIMED_OUT = {
    "outcome": "timed-out", "build_seconds": "", "build_cpu_seconds": "", "binary_bytes": "", "glibc_max": "",
    "image_bytes": "", "runs": "", "failure": "did not finish within the bound of 1500 s",
}  # fmt: skip
NATIVE = {
    "route": "native-emulated", "std": "prebuilt", "toolchain": "debian-arm64", "builder_image": "sha256:" + "b" * 64,
    "linker": "gcc (Debian 12.2.0-14) 12.2.0, arm64, emulated",
}  # fmt: skip


def row(**changes: str) -> dict[str, str]:
    return {**ROW, **changes}


def write(data_dir: Path, rows: list[dict[str, str]]) -> Path:
    return write_csv(data_dir / "arm64_builds.csv", rows, list(ROW))


def problems(data_dir: Path, rows: list[dict[str, str]]) -> str:
    return refusal(write(data_dir, rows))


def test_valid_rows_of_each_outcome_are_read(data_dir):
    rows = [row(), row(route="zigbuild", glibc_max="GLIBC_2.17", build_target="aarch64-unknown-linux-gnu.2.17"),
            row(**NATIVE, **TIMED_OUT),
            row(program="hello-world", variant="distroless-cc-arm64", outcome="failed", binary_bytes="",
                glibc_max="", image_bytes="", runs="", failure="error: linking with `cc` failed")]  # fmt: skip
    table = read_table(write(data_dir, rows))
    assert [r["outcome"] for r in table.rows] == ["built", "built", "timed-out", "failed"]
    assert table.rows[0]["build_seconds"] == 201.4 and table.rows[2]["build_seconds"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (TIMED_OUT | {"build_seconds": "1500.0"}, "a build stopped at its bound has no time of its own"),
        (TIMED_OUT | {"failure": ""}, "a build that did not succeed says why"),
        (TIMED_OUT | {"binary_bytes": "1"}, "no binary without a build"),
        ({"build_seconds": ""}, "a build that ended has its wall time"),
        ({"runs": ""}, "a binary that was built was checked"),
        ({"runs": "no"}, "an image that fails its check says why"),
        ({"failure": "oops"}, "a build that succeeded and runs has no failure text"),
        ({"glibc_max": "2.34"}, "column 'glibc_max'"),
        ({"image_bytes": "100"}, "an image holds its binary"),
        ({"route": "native-emulated", "std": "prebuilt"}, "a native build names the builder image it ran in"),
        ({"builder_image": "sha256:" + "c" * 64}, "a build on the host ran in no builder image"),
        ({"std": "prebuilt"}, "no prebuilt aarch64 std can be installed on the x86-64 host"),
        ({"route": "qemu-system"}, "column 'route'"),
    ],
)
def test_an_impossible_row_is_refused_at_its_position(data_dir, changes, expected):
    found = problems(data_dir, [row(), row(**{"route": "zigbuild", **changes})])
    assert expected in found, found
    assert ":3:" in found


def test_a_static_binary_names_no_glibc_version(data_dir):
    assert "a static binary needs no glibc symbol versions" in problems(data_dir, [row(crt_linkage="static")])


def test_a_program_built_twice_by_one_route_is_refused(data_dir):
    assert "duplicate key" in problems(data_dir, [row(), row()])


def test_a_row_must_be_an_arm64_variant_of_the_recipes_and_agree_with_it(data_dir):
    rows = [row(variant="cc-rustls-unheard-of-arm64"), row(route="zigbuild", libc="musl")]
    table = read_table(write(data_dir, rows))
    found = [message for _, _, _, message in recipe_problems({"arm64_builds": table}, load_recipes())]
    assert any("webserver/cc-rustls-unheard-of-arm64 is not a variant" in m for m in found), found
    assert any("'musl' but the recipe of webserver/cc-rustls-ring-arm64 says 'glibc'" in m for m in found), found


def test_the_committed_data_times_every_route_for_both_programs():
    table = read_datasets()["arm64_builds"]
    routes = set(table.schema.field("route").enum or ())
    for program in ("hello-world", "webserver"):
        assert {r["route"] for r in table.rows if r["program"] == program} == routes, program
