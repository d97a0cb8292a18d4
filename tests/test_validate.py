"""scripts/validate.py: plain `file:line:col: message` lines, or GitHub annotations under GitHub Actions."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

spec = importlib.util.spec_from_file_location("validate_script", REPO / "scripts" / "validate.py")
validate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(validate)


@pytest.fixture
def broken(site_copy: Path) -> tuple[Path, int]:
    """A copy of the project whose images.csv has '12MB' as the image_bytes of line 2; and that column."""
    (site_copy / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "validate.py", site_copy / "scripts" / "validate.py")
    images = site_copy / "measurements" / "images.csv"
    header, first, *rest = images.read_text(encoding="utf-8").splitlines()
    index = header.split(",").index("image_bytes")
    fields = first.split(",")
    assert '"' not in ",".join(fields[: index + 1])  # so the column is the sum of the preceding fields' widths
    column = len(",".join(fields[:index])) + 2
    fields[index] = "12MB"
    images.write_text("\n".join([header, ",".join(fields), *rest]) + "\n", encoding="utf-8")
    return site_copy, column


def run_validate(project: Path, *, github: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = str(project)  # the copy's cheatsheet package, not the installed one
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, str(project / "scripts" / "validate.py")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


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


def test_valid_data_prints_the_same_summary_either_way(site_copy):
    (site_copy / "scripts").mkdir()
    shutil.copy2(REPO / "scripts" / "validate.py", site_copy / "scripts" / "validate.py")
    plain, github = run_validate(site_copy, github=False), run_validate(site_copy, github=True)
    assert plain.returncode == github.returncode == 0, plain.stderr + github.stdout
    assert plain.stdout == github.stdout
    assert plain.stdout.startswith("measurements valid: images.csv ")


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
