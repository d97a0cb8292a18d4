"""Validation of CSV files against their schema: every error names file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rows import IMAGE_ROW, image_row, write_csv

from cheatsheet.tables import DataError, read_table, split_csv_line

MEASUREMENTS = Path(__file__).resolve().parent.parent / "measurements"


@pytest.fixture
def images(tmp_path: Path) -> Path:
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    return tmp_path / "images.csv"


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        read_table(path)
    return str(info.value).splitlines()


def column_of(name: str, row: dict[str, str]) -> int:
    """1-based character column where field ``name`` starts in a CSV line of ``row`` (no quoting)."""
    keys = list(row)
    return sum(len(row[k]) + 1 for k in keys[: keys.index(name)]) + 1


def test_a_valid_file_gives_typed_rows(images):
    write_csv(images, [image_row(), image_row(variant="scratch-glibc", libc="glibc")])
    table = read_table(images)
    assert len(table.rows) == 2
    assert table.rows[0]["image_bytes"] == 455456
    assert table.rows[0]["measured_at"].year == 2026
    assert table.locate(1, "variant") == (3, column_of("variant", IMAGE_ROW))


def test_the_committed_datasets_are_valid():
    for name in ("images", "published", "sources"):
        read_table(MEASUREMENTS / f"{name}.csv")


def test_missing_column_names_the_column(images):
    header = [h for h in IMAGE_ROW if h != "image_bytes"]
    write_csv(images, [image_row()], header=header)
    [message] = problems(images)
    assert message.startswith(f"{images}:1:")
    assert "missing column 'image_bytes'" in message


def test_text_in_a_size_names_line_and_column(images):
    row = image_row(image_bytes="12MB")
    write_csv(images, [image_row(variant="scratch-glibc"), row])
    [message] = problems(images)
    assert message == f"{images}:3:{column_of('image_bytes', row)}: column 'image_bytes': '12MB' is not an integer"


def test_unknown_enum_value_lists_the_allowed_ones(images):
    row = image_row(base="ubuntu")
    write_csv(images, [row])
    [message] = problems(images)
    assert message.startswith(f"{images}:2:{column_of('base', row)}: column 'base': 'ubuntu' is not one of: debian, ")


def test_duplicate_key_points_at_the_first(images):
    write_csv(images, [image_row(), image_row(image_bytes="455457")])
    [message] = problems(images)
    assert message == f"{images}:3:1: duplicate key (hello-world, scratch-musl): first at line 2"


def test_negative_size_is_rejected(images):
    row = image_row(binary_bytes="-5")
    write_csv(images, [row])
    [message] = problems(images)
    assert message == f"{images}:2:{column_of('binary_bytes', row)}: column 'binary_bytes': -5 is below the minimum 0"


def test_every_problem_is_reported_not_just_the_first(images):
    write_csv(images, [image_row(image_bytes="x"), image_row(variant="b", libc="newlib")])
    assert len(problems(images)) == 2


def test_unknown_and_repeated_columns(images):
    header = [*IMAGE_ROW, "colour"]
    write_csv(images, [image_row()], header=header)
    [message] = problems(images)
    assert "unknown column 'colour'" in message and message.startswith(f"{images}:1:")


def test_wrong_number_of_fields(images):
    write_csv(images, [image_row()])
    images.write_text(images.read_text() + "hello-world,extra\n")
    [message] = problems(images)
    assert message.startswith(f"{images}:3:") and "2 fields, but the header has" in message


def test_rules_relate_fields(images):
    write_csv(images, [image_row(runs="no")])
    [message] = problems(images)
    assert "column 'failure' must not be empty here: a variant that does not run must say why" in message
    write_csv(images, [image_row(base_source="pulled")])
    assert any("base_source" in m for m in problems(images))


def test_an_unclosed_quote_and_a_stray_quote(images):
    write_csv(images, [image_row()])
    text = images.read_text().rstrip("\n")
    images.write_text(text.replace("strip=symbols", '"strip=symbols') + "\n")
    [message] = problems(images)
    assert "quoted field is not closed on this line" in message
    images.write_text(text.replace("strip=symbols", 'strip="symbols') + "\n")
    assert "a quote inside an unquoted field" in problems(images)[0]


def test_a_blank_line_and_an_empty_file(images):
    write_csv(images, [image_row()])
    images.write_text(images.read_text() + "\n" + images.read_text().split("\n")[1] + "\n")
    assert problems(images)[0].startswith(f"{images}:3:1: blank line")
    images.write_text("")
    assert "header line is missing" in problems(images)[0]


def test_invalid_utf8_is_located(images):
    write_csv(images, [image_row(failure="")])
    raw = images.read_bytes().replace(b"strip=symbols", b"strip=\xffsymbols")
    images.write_bytes(raw)
    [message] = problems(images)
    assert message.startswith(f"{images}:2:") and "not valid UTF-8" in message


def test_split_csv_line_reports_offsets():
    values, starts = split_csv_line('a,"b,""c""",,d')
    assert values == ["a", 'b,"c"', "", "d"]
    assert starts == [0, 2, 12, 13]


def test_published_size_must_match_its_text(tmp_path):
    shutil.copy(MEASUREMENTS / "published.schema.json", tmp_path / "published.schema.json")
    path = tmp_path / "published.csv"
    text = (MEASUREMENTS / "published.csv").read_text().replace(",80800000,80.8MB,", ",80000000,80.8MB,")
    path.write_text(text)
    [message] = problems(path)
    assert message.startswith(f"{path}:3:") and "'80.8MB' is 80800000" in message
