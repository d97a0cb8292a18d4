"""dockerfile_builds.schema.json and build_caching.schema.json: a verbatim build's row agrees with itself
(a file that was not built says why and has no image), the committed rows were built from the files as
the pages show them now, and every file the pages show has its row."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import load_script, refusal, write_csv

from cheatsheet.data.table import read_table
from cheatsheet.paths import MEASUREMENTS, REPO
from cheatsheet.recipes import select
from cheatsheet.recipes.dockerfile import dockerfile_sha256

BUILT = {
    "program": "hello-world", "variant": "scratch-glibc", "arch": "amd64", "dockerfile_sha256": "a" * 64,
    "builder": "rust:1.95.0-slim-bookworm", "builder_source": "made-here", "builder_id": "sha256:" + "b" * 64,
    "builder_detail": "made here", "base_source": "none", "built": "yes", "runs": "yes", "runs_as": "65532:65532",
    "image_bytes": "455000", "binary_bytes": "455000", "binary_sha256": "c" * 64, "build_seconds": "41.5",
    "build_packages": "", "host_packages": "", "failure": "",
    "docker_version": "20.10.24+dfsg1", "host_arch": "amd64", "measured_at": "2026-12-02T06:00:00Z",
}  # fmt: skip
NOT_BUILT = {**BUILT, "built": "no", "runs": "", "runs_as": "", "image_bytes": "", "binary_bytes": "",
             "binary_sha256": "", "build_seconds": "", "failure": "error: component download failed"}  # fmt: skip


def problems(data_dir: Path, rows: list[dict[str, str]]) -> str:
    return refusal(write_csv(data_dir / "dockerfile_builds.csv", rows, list(BUILT)))


def test_a_built_and_a_failed_row_are_read(data_dir):
    path = write_csv(data_dir / "dockerfile_builds.csv", [BUILT, {**NOT_BUILT, "variant": "scratch-musl"}], list(BUILT))
    built, failed = read_table(path).rows
    assert built["build_seconds"] == 41.5 and failed["image_bytes"] is None


def test_package_versions_are_name_equals_version(data_dir):
    versions = {"build_packages": "libssl-dev=3.0.22-1~deb12u2 pkg-config=1.8.1-1", "host_packages": "libssl-dev="}
    path = write_csv(data_dir / "dockerfile_builds.csv", [{**BUILT, **versions}], list(BUILT))
    assert read_table(path).rows[0]["host_packages"] == "libssl-dev="
    assert "column 'build_packages'" in problems(data_dir, [{**BUILT, "build_packages": "libssl-dev 3.0"}])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"failure": ""}, "column 'failure' must not be empty here: a file that was not built must say why"),
        ({"runs": "yes", "failure": "x"}, "column 'runs' must be empty here"),
    ],
)
def test_an_unbuilt_row_that_contradicts_itself_is_refused(data_dir, changes, expected):
    assert expected in problems(data_dir, [{**NOT_BUILT, **changes}])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"runs": ""}, "a built image was checked"),
        ({"runs": "no"}, "an image that fails its check must say why"),
        ({"failure": "exit status 1"}, "an image that passes its check has no failure text"),
        ({"build_seconds": ""}, "a build that finished has its time"),
        ({"builder_source": "borrowed"}, "column 'builder_source'"),
    ],
)
def test_a_built_row_that_contradicts_itself_is_refused(data_dir, changes, expected):
    assert expected in problems(data_dir, [{**BUILT, **changes}])


def test_the_committed_rows_were_built_from_the_files_the_pages_show_now(recipes):
    """A change to a full Dockerfile (its template or its recipe) needs scripts/build_dockerfiles.py again."""
    rows = read_table(MEASUREMENTS / "dockerfile_builds.csv").rows
    stale = [
        f"{r['program']}/{r['variant']}"
        for r in rows
        if r["dockerfile_sha256"] != dockerfile_sha256(recipes.variant(r["program"], r["variant"]))
    ]
    assert stale == []


def test_every_file_the_pages_show_has_its_row(recipes):
    shown = select(recipes.variants, load_script(REPO / "scripts" / "build_dockerfiles.py").SHOWN)
    rows = {(r["program"], r["variant"]) for r in read_table(MEASUREMENTS / "dockerfile_builds.csv").rows}
    assert [f"{v.program.id}/{v.id}" for v in shown if v.key not in rows] == []


def test_the_caching_comparison_names_every_method_and_scenario_once_per_repetition():
    rows = read_table(MEASUREMENTS / "build_caching.csv").rows
    reps = {r["repetition"] for r in rows}
    assert reps and len(rows) == 16 * len(reps)
    binaries = {r["binary_sha256"] for r in rows if r["scenario"] == "cold"}
    assert len(binaries) == 1  # every method built the same binary from the same crate
