"""Issue 6, data side: bounded integers, invisible characters, cross-field rules, one strict reader.

Each test here failed before the fix it is named after.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rows import IMAGE_ROW, image_row, write_csv

from cheatsheet.datasets import MEASUREMENTS, load_measurements
from cheatsheet.render import format_bytes
from cheatsheet.site import MacroError, Site
from cheatsheet.tables import DataError, Schema, read_table, validate_row


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    shutil.copytree(MEASUREMENTS, tmp_path / "measurements")
    return tmp_path / "measurements"


def problems_of(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        read_table(path)
    return str(info.value).splitlines()


def column_of(name: str, row: dict[str, str]) -> int:
    keys = list(row)
    return sum(len(row[k]) + 1 for k in keys[: keys.index(name)]) + 1


# -- 3: every integer column is bounded ----------------------------------------------------------


def test_every_integer_column_of_the_committed_schemas_has_a_maximum():
    for path in sorted(MEASUREMENTS.glob("*.schema.json")):
        for f in Schema.load(path).fields:
            if f.type == "integer":
                assert f.maximum is not None, (path.name, f.name)


def test_a_schema_with_an_unbounded_integer_is_refused(tmp_path):
    path = tmp_path / "x.schema.json"
    path.write_text(json.dumps({"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": 0}}]}))
    with pytest.raises(
        DataError, match=r"x\.schema\.json:1:1: \$\.fields\[0\]\.constraints: integer column 'n' needs a maximum"
    ):
        Schema.load(path)


def test_a_huge_size_is_refused_with_its_position(data_dir):
    path = data_dir / "images.csv"
    row = image_row(image_bytes="9" * 25, binary_bytes="455456")
    write_csv(path, [row])
    [message] = problems_of(path)
    assert message == (
        f"{path}:2:{column_of('image_bytes', row)}: column 'image_bytes': {'9' * 25} is above the maximum 1000000000000"
    )


# -- 4: invisible and control characters are refused where they stand ---------------------------

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
def test_invisible_and_control_characters_are_refused_with_their_position(data_dir, ch):
    path = data_dir / "sources.csv"
    text = path.read_text()
    prefix = "seed,Original cheatsheet,Rust Docker"
    assert text.count(prefix) == 1
    path.write_text(text.replace(prefix, prefix + ch))
    [message] = problems_of(path)
    assert message.startswith(f"{path}:2:{len(prefix) + 1}: column 'title': U+{ord(ch):04X} ")
    assert "is not allowed" in message


def test_a_forbidden_character_inside_a_quoted_field_is_located_exactly(data_dir):
    path = data_dir / "sources.csv"
    text = path.read_text()
    old = '"Sizes were typed'
    assert old in text
    path.write_text(text.replace(old, '"Sizes ""were""\u202e typed'))
    [message] = problems_of(path)
    line2 = path.read_text().splitlines()[1]
    assert message.startswith(
        f"{path}:2:{line2.index(chr(0x202E)) + 1}: column 'note': U+202E (RIGHT-TO-LEFT OVERRIDE)"
    )


# -- 5: sizes are checked against each other -------------------------------------------------------


@pytest.mark.parametrize(
    "changes, column, expected",
    [
        (
            {"image_bytes": "1", "binary_bytes": "1224968", "compressed_bytes": "1"},
            "image_bytes",
            "column 'image_bytes' is 1 but must be >= binary_bytes (1,224,968): the image contains the binary",
        ),
        (
            {"compressed_bytes": "455457"},
            "compressed_bytes",
            "column 'compressed_bytes' is 455,457 but must be <= image_bytes (455,456): gzip of the layers",
        ),
        (
            {"image_bytes": "555456"},
            "image_bytes",
            "column 'image_bytes' is 555,456 but must be <= base_bytes (0) + binary_bytes (455,456) + 4,096 = 459,552",
        ),
        (
            {"image_bytes": "2455456", "base_bytes": "2100000"},
            "image_bytes",
            "column 'image_bytes' is 2,455,456 but must be >= base_bytes (2,100,000) + binary_bytes (455,456)"
            " = 2,555,456",
        ),
    ],
    ids=[
        "image-below-binary",
        "compressed-above-image",
        "image-above-base-plus-binary",
        "image-below-base-plus-binary",
    ],
)
def test_sizes_are_checked_against_each_other(data_dir, changes, column, expected):
    path = data_dir / "images.csv"
    row = image_row(**changes)
    write_csv(path, [row])
    messages = problems_of(path)
    assert any(m.startswith(f"{path}:2:{column_of(column, row)}: {expected}") for m in messages), messages


def test_image_within_the_allowance_passes(data_dir):
    path = data_dir / "images.csv"
    write_csv(path, [image_row(image_bytes=str(455456 + 4096))])
    assert read_table(path).rows[0]["image_bytes"] == 459552


# -- 7: one reader, one set of rules -------------------------------------------------------------


def test_a_header_only_csv_is_a_valid_empty_table(data_dir):
    path = data_dir / "images.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    table = read_table(path)
    assert table.rows == () and table.header == tuple(IMAGE_ROW)
    data = load_measurements(data_dir)
    assert data.images_by_program == {} and data.frame("images").empty


def test_a_quoted_header_is_exposed_as_parsed_with_line_numbers(data_dir):
    path = data_dir / "images.csv"
    write_csv(path, [image_row(), image_row(variant="scratch-glibc", libc="glibc")])
    lines = path.read_text().split("\n")
    lines[0] = '"program",' + lines[0].split(",", 1)[1]
    path.write_text("\n".join(lines))
    table = read_table(path)
    assert table.header == tuple(IMAGE_ROW)
    assert table.lines == (2, 3)


def test_crlf_line_endings_are_refused_with_their_position(data_dir):
    path = data_dir / "sources.csv"
    text = path.read_text()
    path.write_bytes(text.replace("\n", "\r\n").encode())
    [message] = problems_of(path)
    first = text.split("\n")[0]
    assert (
        message == f"{path}:1:{len(first) + 1}: line ends with CR LF: the project's CSVs use LF line endings only;"
        " convert the file"
    )


def test_an_error_quotes_only_a_prefix_of_a_long_value(data_dir):
    path = data_dir / "images.csv"
    write_csv(path, [image_row(base="x" * 1_000_000)])
    [message] = problems_of(path)
    assert len(message) < 400
    assert "'" + "x" * 60 + "'…" in message


MALFORMED = [
    ({"fields": [{"type": "string"}]}, r"\$\.fields\[0\]: missing key 'name'"),
    (
        {"fields": [{"name": "a", "constraints": {"pattern": "[a-"}}]},
        r"\$\.fields\[0\]\.constraints\.pattern: not a valid regular expression",
    ),
    (
        {"fields": [{"name": "a", "constraints": {"required": "yes"}}]},
        r"\$\.fields\[0\]\.constraints\.required: must be true or false, not str",
    ),
    (
        {"fields": [{"name": "a", "type": "integer", "constraints": {"maximum": "9"}}]},
        r"\$\.fields\[0\]\.constraints\.maximum: must be an integer",
    ),
    ({"fields": [{"name": "a", "type": "float"}]}, r"\$\.fields\[0\]\.type: unsupported type 'float'"),
    ({"fields": "a"}, r"\$\.fields: must be a list, not str"),
    ({"fields": [{"name": "a"}], "primarykey": ["a"]}, r"\$: unknown key\(s\) 'primarykey'"),
    ({"fields": [{"name": "a", "size": 3}]}, r"\$\.fields\[0\]: unknown key\(s\) 'size'"),
    (
        {"fields": [{"name": "a", "constraints": {"maxLenght": 3}}]},
        r"\$\.fields\[0\]\.constraints: unknown key\(s\) 'maxLenght'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "rules": [
                {"rule": "empty-when", "field": "a", "when": {"field": "a", "equals": ""}, "message": "m", "extra": 1}
            ],
        },
        r"\$\.rules\[0\]: unknown key\(s\) 'extra'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "rules": [{"rule": "empty-when", "field": "b", "when": {"field": "a", "equals": ""}, "message": "m"}],
        },
        r"\$\.rules\[0\]\.field: no field is named 'b'",
    ),
    (
        {
            "fields": [{"name": "a"}],
            "foreignKeys": [{"fields": ["a"], "reference": {"resource": "x", "fields": ["id"], "extra": 1}}],
        },
        r"\$\.foreignKeys\[0\]\.reference: unknown key\(s\) 'extra'",
    ),
    ({"fields": [{"name": "a"}], "primaryKey": ["b"]}, r"\$\.primaryKey\[0\]: no field is named 'b'"),
    ([1], r"\$: must be an object, not list"),
]


@pytest.mark.parametrize("schema, expected", MALFORMED, ids=[e[1][:40] for e in MALFORMED])
def test_a_malformed_schema_names_the_file_and_the_json_path(tmp_path, schema, expected):
    path = tmp_path / "bad.schema.json"
    path.write_text(json.dumps(schema))
    with pytest.raises(DataError, match=rf"^{path}:1:1: {expected}"):
        Schema.load(path)


def test_foreign_keys_are_declared_and_enforced_generically(data_dir):
    schema = json.loads((data_dir / "published.schema.json").read_text())
    assert schema["foreignKeys"] == [{"fields": ["source"], "reference": {"resource": "sources", "fields": ["id"]}}]
    path = data_dir / "published.csv"
    path.write_text(path.read_text().replace("\nseed,hello-world,alpine,", "\nblog,hello-world,alpine,"))
    with pytest.raises(DataError) as info:
        load_measurements(data_dir)
    assert str(info.value) == f"{path}:5:1: unknown source 'blog'; sources.csv has id: seed"
    path = data_dir / "toolchains.csv"
    path.write_text(path.read_text().replace("\nrustup,", "\nrustup-nightly,"))
    with pytest.raises(DataError, match=r"images\.csv:2:\d+: unknown toolchain 'rustup'; toolchains\.csv has id: "):
        load_measurements(data_dir)


def test_validate_row_checks_a_row_to_be_written_like_the_reader(data_dir):
    schema = Schema.load(data_dir / "images.schema.json")
    typed = validate_row(schema, {**IMAGE_ROW, "image_bytes": 455456})
    assert typed["image_bytes"] == 455456 and typed["measured_at"].year == 2026
    with pytest.raises(
        DataError, match=r"^\(new row\):1:\d+: column 'failure': value is 600 characters, more than 500"
    ):
        validate_row(schema, {**IMAGE_ROW, "runs": "no", "failure": "x" * 600})
    with pytest.raises(DataError, match="the row lacks column"):
        validate_row(schema, {"program": "hello-world"})


# -- 8: rounding and macro arguments -------------------------------------------------------------


@pytest.mark.parametrize(
    "n, shown",
    [
        (999_499, "999 kB"),
        (999_500, "1.00 MB"),
        (999_999, "1.00 MB"),
        (9_994, "9.99 kB"),
        (9_995, "10.0 kB"),
        (99_949, "99.9 kB"),
        (99_950, "100 kB"),
        (999_499_999, "999 MB"),
        (999_500_000, "1.00 GB"),
        (999_999_999, "1.00 GB"),
        (1_000_000_000_000, "1.00 TB"),
    ],
)
def test_rounding_that_crosses_a_unit_moves_to_the_next_unit(n, shown):
    assert format_bytes(n) == shown


@pytest.fixture
def site() -> Site:
    s = Site(load_measurements)
    s.start_page("test.md")
    return s


def test_an_empty_variant_list_names_the_argument(site):
    with pytest.raises(
        MacroError, match=r"^test\.md: argument 'variants' is an empty list; name at least one variant of hello-world"
    ):
        site.image_size_table("hello-world", variants=[])


def test_a_string_for_a_list_names_the_argument(site):
    with pytest.raises(MacroError, match=r"argument 'variants' must be a list of variant ids, not str 'debian'"):
        site.image_size_table("hello-world", variants="debian")


def test_a_duplicated_variant_is_an_error(site):
    with pytest.raises(MacroError, match=r"argument 'variants' names 'debian' twice"):
        site.image_size_table("hello-world", variants=["debian", "scratch-musl", "debian"])


def test_arguments_of_the_wrong_type_are_named(site):
    with pytest.raises(MacroError, match=r"argument 'program' must be a string, not list"):
        site.image_size(["hello-world"], "debian")
    with pytest.raises(MacroError, match=r"argument 'variants\[1\]' must be a string, not int"):
        site.image_size_table("hello-world", variants=["debian", 3])
    with pytest.raises(MacroError, match=r"hello-world has no variant 'debain'"):
        site.size_difference("hello-world", "debian", "debain")
