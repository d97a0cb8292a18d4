"""scripts/validate.py: plain `file:line:col: message` lines, or GitHub annotations under GitHub Actions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import images_only, load_script, run_validate

from cheatsheet.data.datasets import read_datasets
from cheatsheet.paths import REPO

validate = load_script(REPO / "scripts" / "validate.py")


@pytest.fixture
def broken(site_copy: Path) -> tuple[Path, int]:
    """A copy of the project whose images.csv has '12MB' as the image_bytes of line 2; and that column."""
    images = site_copy / "measurements" / "images.csv"
    header, first, *rest = images.read_text(encoding="utf-8").splitlines()
    index = header.split(",").index("image_bytes")
    fields = first.split(",")
    assert '"' not in ",".join(fields[: index + 1])  # so the column is the sum of the preceding fields' widths
    column = len(",".join(fields[:index])) + 2
    fields[index] = "12MB"
    images.write_text("\n".join([header, ",".join(fields), *rest]) + "\n", encoding="utf-8")
    return site_copy, column


def summary(tables, recipes) -> str:
    """What the validator prints for valid data: every dataset in name order with its rows, the variants,
    and how many pages render (the site's every page: docs/**/*.md)."""
    counts = ", ".join(f"{name}.csv {len(table.rows)} rows" for name, table in tables.items())
    pages = len(list((REPO / "docs").rglob("*.md")))
    return f"measurements valid: {counts}; recipes: {len(recipes.variants)} variants; {pages} pages render\n"


def test_the_committed_data_is_valid(recipes):
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "validate.py")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == summary(read_datasets(), recipes)
    assert "images.csv " in proc.stdout


def test_plain_output_names_file_line_and_column(broken):
    project, column = broken
    proc = run_validate(project, github=False)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert f"measurements/images.csv:2:{column}: column 'image_bytes': '12MB' is not an integer" in proc.stderr
    assert "::error" not in proc.stderr


def test_under_github_actions_each_problem_is_an_annotation(broken):
    project, column = broken
    proc = run_validate(project, github=True)
    assert proc.returncode == 1
    assert (
        f"::error file=measurements/images.csv,line=2,col={column}::column 'image_bytes': '12MB' is not an integer"
        in proc.stdout.splitlines()
    )


def test_valid_data_prints_the_same_summary_either_way(site_copy, recipes):
    plain, github = run_validate(site_copy, github=False), run_validate(site_copy, github=True)
    assert plain.returncode == github.returncode == 0, plain.stderr + github.stdout
    assert plain.stdout == github.stdout
    assert plain.stdout == summary(read_datasets(site_copy / "measurements"), recipes)


def test_crlf_fails_the_validator_as_it_fails_the_build(site_copy):
    path = site_copy / "measurements" / "published.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = run_validate(site_copy)
    assert proc.returncode == 1 and "measurements/published.csv:1:" in proc.stderr
    assert "LF line endings only" in proc.stderr


def test_a_header_only_dataset_validates_as_no_rows(site_copy):
    images_only(site_copy / "measurements")
    proc = run_validate(site_copy)
    assert proc.returncode == 0 and "images.csv 0 rows" in proc.stdout, proc.stderr


def test_annotation_escapes_what_github_would_misread():
    assert (
        validate.annotation("a,b:c.csv", 3, 7, "50% done\r\nnext")
        == "::error file=a%2Cb%3Ac.csv,line=3,col=7::50%25 done%0D%0Anext"
    )


def test_annotation_paths_are_relative_to_the_repository():
    assert validate.annotation(str(REPO / "measurements" / "images.csv"), 1, 1, "x").startswith(
        "::error file=measurements/images.csv,"
    )


def test_every_problem_of_a_data_error_becomes_one_annotation():
    exc = validate.DataError([("m/a.csv", 2, 5, "first"), ("m/b.csv", 9, 1, "second")])
    assert validate.report(exc, github=True) == [
        "::error file=m/a.csv,line=2,col=5::first",
        "::error file=m/b.csv,line=9,col=1::second",
    ]
    assert validate.report(exc, github=False) == ["m/a.csv:2:5: first\nm/b.csv:9:1: second"]


def test_a_recipe_error_is_annotated_on_the_recipes_file():
    exc = validate.RecipeError(f"{REPO / 'programs' / 'recipes.toml'}: variants[3]: missing key 'base'")
    assert validate.report(exc, github=True) == ["::error file=programs/recipes.toml::variants[3]: missing key 'base'"]


def test_data_that_a_page_cannot_show_is_refused_naming_the_page(site_copy):
    page = site_copy / "docs" / "index.md"
    page.write_text(page.read_text() + "\n{{ image_size('hello-world', 'no-such-variant') }}\n")
    proc = run_validate(site_copy)
    assert proc.returncode == 1
    assert "a page cannot show it: index.md: hello-world has no variant 'no-such-variant'" in proc.stderr
