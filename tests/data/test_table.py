"""cheatsheet.data.table: a CSV read against its schema; every problem names file, line and column,
all problems of a file together. validate_row checks a row to be written by the same rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import IMAGE_ROW, column_of, image_row, refusal, write_csv

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table, validate_row
from cheatsheet.data.text import DataError, csv_line, forbidden_character
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes.checks import RecipeError, plain_text


@pytest.fixture
def images(tmp_path: Path) -> Path:
    """Where an images.csv goes, with the committed schema beside it."""
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    return tmp_path / "images.csv"


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of the committed sources.csv, with its schema."""
    for name in ("sources.csv", "sources.schema.json"):
        shutil.copy(MEASUREMENTS / name, tmp_path / name)
    return tmp_path / "sources.csv"


def problems(path: Path) -> list[str]:
    return refusal(path).splitlines()


# -- a valid file ---------------------------------------------------------------------------------


def test_a_valid_file_gives_typed_rows(images):
    write_csv(images, [image_row(), image_row(variant="scratch-glibc", libc="glibc")])
    table = read_table(images)
    assert len(table.rows) == 2
    assert table.rows[0]["image_bytes"] == 455456
    assert table.rows[0]["measured_at"].year == 2026
    assert table.locate(1, "variant") == (3, column_of("variant", IMAGE_ROW))


def test_a_header_only_csv_is_a_valid_empty_table(images):
    images.write_text(",".join(IMAGE_ROW) + "\n")
    table = read_table(images)
    assert table.rows == () and table.header == tuple(IMAGE_ROW)


def test_a_quoted_header_is_exposed_as_parsed_with_line_numbers(images):
    write_csv(images, [image_row(), image_row(variant="scratch-glibc", libc="glibc")])
    lines = images.read_text().split("\n")
    lines[0] = '"program",' + lines[0].split(",", 1)[1]
    images.write_text("\n".join(lines))
    table = read_table(images)
    assert table.header == tuple(IMAGE_ROW)
    assert table.lines == (2, 3)


# -- the file's shape -----------------------------------------------------------------------------


def test_missing_column_names_the_column(images):
    header = [h for h in IMAGE_ROW if h != "image_bytes"]
    write_csv(images, [image_row()], header=header)
    [message] = problems(images)
    assert message.startswith(f"{images}:1:")
    assert "missing column 'image_bytes'" in message


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


def test_crlf_line_endings_are_refused_with_their_position(sources):
    text = sources.read_text()
    sources.write_bytes(text.replace("\n", "\r\n").encode())
    [message] = problems(sources)
    first = text.split("\n")[0]
    assert (
        message == f"{sources}:1:{len(first) + 1}: line ends with CR LF: the project's CSVs use LF line endings only;"
        " convert the file"
    )


# -- values ---------------------------------------------------------------------------------------


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


def test_negative_size_is_rejected(images):
    row = image_row(binary_bytes="-5")
    write_csv(images, [row])
    [message] = problems(images)
    assert message == f"{images}:2:{column_of('binary_bytes', row)}: column 'binary_bytes': -5 is below the minimum 1"


def test_a_huge_size_is_refused_with_its_position(images):
    row = image_row(image_bytes="9" * 25, binary_bytes="455456")
    write_csv(images, [row])
    [message] = problems(images)
    assert message == (
        f"{images}:2:{column_of('image_bytes', row)}: column 'image_bytes': {'9' * 25} is above the maximum"
        " 1000000000000"
    )


def test_duplicate_key_points_at_the_first(images):
    write_csv(images, [image_row(), image_row(image_bytes="455457")])
    [message] = problems(images)
    assert message == f"{images}:3:1: duplicate key (hello-world, scratch-musl): first at line 2"


def test_every_problem_is_reported_not_just_the_first(images):
    write_csv(images, [image_row(image_bytes="x"), image_row(variant="b", libc="newlib")])
    assert len(problems(images)) == 2


def test_an_error_quotes_only_a_prefix_of_a_long_value(images):
    write_csv(images, [image_row(base="x" * 1_000_000)])
    [message] = problems(images)
    assert len(message) < 400
    assert "'" + "x" * 60 + "'…" in message


INVISIBLE = [
    "\u202e",
    "\u202a",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u00ad",
    "\x07",
    "\x1b",
    "\u2028",
    "\u2029",
    "\ue000",
    "\u00a0",
    "\t",
]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_and_control_characters_are_refused_with_their_position(sources, ch):
    text = sources.read_text()
    prefix = "seed,Original cheatsheet,Rust Docker"
    assert text.count(prefix) == 1
    sources.write_text(text.replace(prefix, prefix + ch))
    [message] = problems(sources)
    assert message.startswith(f"{sources}:2:{len(prefix) + 1}: column 'title': U+{ord(ch):04X} ")
    assert "is not allowed" in message


def test_a_forbidden_character_inside_a_quoted_field_is_located_exactly(sources):
    text = sources.read_text()
    old = '"Sizes were typed'
    assert old in text
    sources.write_text(text.replace(old, '"Sizes ""were""\u202e typed'))
    [message] = problems(sources)
    line2 = sources.read_text().splitlines()[1]
    assert message.startswith(
        f"{sources}:2:{line2.index(chr(0x202E)) + 1}: column 'note': U+202E (RIGHT-TO-LEFT OVERRIDE)"
    )


# -- one row to be written ------------------------------------------------------------------------


def test_validate_row_checks_a_row_to_be_written_like_the_reader():
    schema = Schema.load(MEASUREMENTS / "images.schema.json")
    typed = validate_row(schema, {**IMAGE_ROW, "image_bytes": 455456})
    assert typed["image_bytes"] == 455456 and typed["measured_at"].year == 2026
    with pytest.raises(
        DataError, match=r"^\(new row\):1:\d+: column 'failure': value is 600 characters, more than 500"
    ):
        validate_row(schema, {**IMAGE_ROW, "runs": "no", "failure": "x" * 600})
    with pytest.raises(DataError, match="the row lacks column"):
        validate_row(schema, {"program": "hello-world"})
    with pytest.raises(DataError, match=r"^\(new row\):1:\d+: a value contains a line break"):
        validate_row(schema, {**IMAGE_ROW, "runs": "no", "failure": "two\nlines"})


def one_source(tmp_path, note: str):
    """sources.csv with one row whose last column, ``note``, is ``note``; and that column's position."""
    shutil.copy(MEASUREMENTS / "sources.schema.json", tmp_path / "sources.schema.json")
    header = (MEASUREMENTS / "sources.csv").read_text().splitlines()[0]
    assert header.endswith(",note")
    prefix = "seed,Seed,A source,https://example.invalid/x,2026-11-27,"
    path = tmp_path / "sources.csv"
    path.write_text(header + "\n" + prefix + csv_line([note]) + "\n")
    return path, len(prefix) + 1


def test_a_hangul_filler_is_invisible_to_the_csv_reader_and_the_recipes_alike():
    assert forbidden_character("a\u3164b") == (1, "U+3164 (HANGUL FILLER)")
    with pytest.raises(RecipeError, match="U\\+3164"):
        plain_text("a\u3164b", "knob", "[ladders.x]", MEASUREMENTS)


def test_a_cell_that_starts_like_a_formula_is_refused_at_its_position(tmp_path):
    path, column = one_source(tmp_path, '=HYPERLINK("http://example.invalid")')
    with pytest.raises(DataError) as info:
        read_table(path)
    [(_name, line, col, message)] = info.value.problems
    assert (line, col) == (2, column) and "starts like a spreadsheet formula ('=')" in message


@pytest.mark.parametrize("value", ["+1", "@sum", "-2+3"])
def test_other_formula_starts_are_refused(tmp_path, value):
    path, _ = one_source(tmp_path, value)
    with pytest.raises(DataError, match="spreadsheet formula"):
        read_table(path)


def test_a_flag_is_not_a_formula(tmp_path):
    path, _ = one_source(tmp_path, "-C target-feature=+crt-static")
    assert read_table(path).rows[0]["note"] == "-C target-feature=+crt-static"
