"""cheatsheet.recipes.rows: every measured row is a variant of the recipes and agrees with it."""

from __future__ import annotations

import shutil

from support import column_of, image_row, write_csv

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.table import read_table
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes.rows import recipe_problems


def test_the_committed_rows_agree_with_the_recipes(recipes):
    tables = read_datasets()
    assert tables["images"].rows and recipe_problems(tables, recipes) == []


def test_a_row_without_a_recipe_and_a_row_that_disagrees_are_located(tmp_path, recipes):
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    newlib = image_row(variant="scratch-newlib")
    stale = image_row(cargo_profile="strip=debuginfo")
    path = write_csv(tmp_path / "images.csv", [newlib, stale])
    problems = recipe_problems({"images": read_table(path)}, recipes)
    assert problems == [
        (
            str(path),
            2,
            column_of("variant", newlib),
            "hello-world/scratch-newlib is not a variant in programs/recipes.toml",
        ),
        (
            str(path),
            3,
            column_of("cargo_profile", stale),
            "'strip=debuginfo' but the recipe of hello-world/scratch-musl says 'strip=symbols': re-measure it",
        ),
    ]
