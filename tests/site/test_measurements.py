"""cheatsheet.site.measurements: every dataset read and checked once per build, against the schemas and
the recipes. What a strict build does with bad data is this loader's error (tests/site/test_build.py
proves once that the build stops with it); every kind of bad data is tested here."""

from __future__ import annotations

import os
import re

import pytest
from support import edit, image_row, images_only

from cheatsheet.data.text import DataError
from cheatsheet.site.measurements import load_measurements

BAD_DATA = [
    (
        "published.csv",
        ",124000000,124MB,",
        ",124 million,124MB,",
        r"measurements/published\.csv:2:\d+: column 'image_bytes': '124 million' is not an integer",
    ),
    (
        "published.csv",
        ",124000000,124MB,",
        ",-124000000,124MB,",
        r"measurements/published\.csv:2:\d+: column 'image_bytes': -124000000 is below the minimum 1",
    ),
    (
        "published.csv",
        ",124000000,124MB,",
        ",99999999999999999999999,124MB,",
        r"measurements/published\.csv:2:\d+: column 'image_bytes': 99999999999999999999999 is above the maximum",
    ),
    (
        "published.csv",
        "seed,hello-world,debian,1,debian,debian,glibc,",
        "seed,hello-world,debian,1,debian,debian,bionic,",
        r"measurements/published\.csv:2:\d+: column 'libc': 'bionic' is not one of: glibc, musl",
    ),
    (
        "published.csv",
        "seed,hello-world,debian-slim,",
        "seed,hello-world,debian,",
        r"measurements/published\.csv:3:1: duplicate key \(seed, hello-world, debian\): first at line 2",
    ),
    (
        "published.csv",
        "seed,hello-world,debian,1,",
        "bolg,hello-world,debian,1,",
        r"measurements/published\.csv:2:1: unknown source 'bolg'; sources\.csv has id: seed",
    ),
    (
        "sources.csv",
        "Rust Docker",
        "Rust\u202e Docker",
        r"measurements/sources\.csv:2:30: column 'title': U\+202E \(RIGHT-TO-LEFT OVERRIDE\) is not allowed",
    ),
    (
        "images.csv",
        "strip=symbols,-C target-feature=+crt-static,1224968,",  # hello-world/scratch-glibc's image_bytes
        "strip=symbols,-C target-feature=+crt-static,1,",
        r"measurements/images\.csv:6:\d+: column 'image_bytes' is 1 but must be >= binary_bytes \(1,224,968\)",
    ),
    (
        "sources.schema.json",
        '"maxLength": 200',
        '"maxLenght": 200',
        r"measurements/sources\.schema\.json:1:1: \$\.fields\[2\]\.constraints: unknown key\(s\) 'maxLenght'",
    ),
]


@pytest.mark.parametrize(
    "name, old, new, expected",
    BAD_DATA,
    ids=[
        "text-in-size",
        "negative-size",
        "huge-size",
        "unknown-enum",
        "duplicate-key",
        "foreign-key",
        "bidi-override",
        "image-below-binary",
        "malformed-schema",
    ],
)
def test_bad_data_is_an_error_naming_file_line_and_column(data_dir, name, old, new, expected):
    edit(data_dir / name, old, new)
    with pytest.raises(DataError) as info:
        load_measurements(data_dir)
    assert re.search(expected, str(info.value)), str(info.value)


def test_a_csv_missing_a_column_is_an_error_naming_it(data_dir):
    path = data_dir / "sources.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:3]) for line in lines[:1]) + "\n")
    with pytest.raises(DataError) as info:
        load_measurements(data_dir)
    assert "measurements/sources.csv:1:" in str(info.value) and "missing column 'retrieved'" in str(info.value)


def test_crlf_line_endings_are_an_error_at_the_first_line(data_dir):
    path = data_dir / "published.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(DataError) as info:
        load_measurements(data_dir)
    assert "measurements/published.csv:1:" in str(info.value) and "LF line endings only" in str(info.value)


def test_a_measured_row_without_a_recipe_is_an_error(data_dir):
    images_only(data_dir, [image_row(variant="scratch-newlib")])
    with pytest.raises(DataError) as info:
        load_measurements(data_dir)
    message = str(info.value)
    assert "measurements/images.csv:2:" in message and "hello-world/scratch-newlib is not a variant" in message


def test_a_header_only_dataset_is_valid_and_has_no_rows(data_dir):
    images_only(data_dir)
    data = load_measurements(data_dir)
    assert data.images_by_program == {} and data.frame("images").empty
    assert data.rows("images") == ()


def test_the_data_is_loaded_once_while_the_files_are_unchanged(data_dir):
    first = load_measurements()
    assert load_measurements() is first
    copy = load_measurements(data_dir)
    assert copy is not first and load_measurements(data_dir) is copy
    sources = data_dir / "sources.csv"
    stat = sources.stat()
    os.utime(sources, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_measurements(data_dir) is not copy


def test_frames_are_typed_by_the_schema():
    data = load_measurements()
    frame = data.frame("images")
    assert str(frame["image_bytes"].dtype) == "Int64" and len(frame) == len(data.rows("images"))
    assert list(frame.columns) == list(data.tables["images"].schema.names)
    assert data.frame("images") is frame
