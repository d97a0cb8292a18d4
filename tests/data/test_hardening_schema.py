"""hardening.schema.json: a hardening row must agree with itself (a hardened run that passed passed every
option; a failure says why), name an image of images.csv, and never hold a vulnerability count
without the scan that made it."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import HARDENING_ROW, hardening_row, image_row, refusal, write_csv

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError


def problems(data_dir: Path, rows: list[dict[str, str]]) -> str:
    return refusal(write_csv(data_dir / "hardening.csv", rows, list(HARDENING_ROW)))


def test_a_valid_row_is_read(data_dir):
    path = write_csv(data_dir / "hardening.csv", [hardening_row()], list(HARDENING_ROW))
    (row,) = read_table(path).rows
    assert row["hardened"] == "yes" and row["packages"] is None and row["vulnerabilities"] is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"hardened": "no"}, "column 'hardened_failure' must not be empty here: an image that fails with the hardened"),
        ({"nonroot_failure": "exit status 1"}, "column 'nonroot_failure' must be empty here"),
        ({"nonroot": "no", "nonroot_failure": "exit status 1"}, "the hardened run includes --user 65532:65532"),
        ({"read_only": "no", "read_only_failure": "x", "read_only_tmpfs": "/tmp"}, "column 'read_only_tmpfs'"),
        ({"setuid_paths": "/usr/bin/su"}, "no setuid files, no paths"),
        ({"vulnerabilities": "12"}, "no count without a scan: never a made-up figure"),
        ({"vulnerabilities_note": ""}, "a row without a count says why"),
        ({"vulnerabilities_measured": "yes"}, "a scan gives a count"),
        ({"default_user_kind": "admin"}, "column 'default_user_kind'"),
        ({"hardened_command": "--user 0"}, "column 'hardened_command'"),
    ],
)
def test_an_inconsistent_row_is_refused(data_dir, changes, expected):
    assert expected in problems(data_dir, [hardening_row(**changes)])


def test_a_scanned_count_names_its_scanner_and_database_date(data_dir):
    scanned = hardening_row(
        vulnerabilities_measured="yes", vulnerabilities="3", vulnerability_scanner="grype 0.0.0",
        vulnerability_db="2026-11-30", vulnerabilities_note="",
    )  # fmt: skip
    path = write_csv(data_dir / "hardening.csv", [scanned], list(HARDENING_ROW))
    assert read_table(path).rows[0]["vulnerabilities"] == 3
    assert "names the date of the scanner's database" in problems(data_dir, [{**scanned, "vulnerability_db": ""}])


def test_a_row_for_an_image_images_csv_does_not_have_is_refused(data_dir):
    write_csv(data_dir / "images.csv", [image_row()])
    write_csv(data_dir / "hardening.csv", [hardening_row(variant="scratch-glibc")], list(HARDENING_ROW))
    with pytest.raises(DataError, match="unknown program/variant 'hello-world', 'scratch-glibc'"):
        read_datasets(data_dir)


def test_a_row_that_disagrees_with_its_image_on_the_base_is_refused(data_dir):
    write_csv(data_dir / "images.csv", [image_row()])
    write_csv(data_dir / "hardening.csv", [hardening_row(base="debian")], list(HARDENING_ROW))
    with pytest.raises(DataError, match="the hardening row and the image row describe the same image"):
        read_datasets(data_dir)


def test_every_image_that_runs_here_has_its_hardening_row():
    """The committed data covers issue 20's promise: each image whose check passed was also checked
    hardened (an image that does not run has nothing to harden)."""
    tables = read_datasets()
    hardened = {(r["program"], r["variant"]) for r in tables["hardening"].rows}
    runnable = {(r["program"], r["variant"]) for r in tables["images"].rows if r["runs"] == "yes"}
    assert runnable, "images.csv has no image that runs"
    assert sorted(runnable - hardened) == []
