"""Measured rows held against the recipes: every row of images.csv is a variant the recipes declare,
and agrees with what its recipe decides (base, libc, target, profile...)."""

from __future__ import annotations

from ..data.table import Table
from ..data.text import Problem
from ..paths import label
from .model import Recipes


def recipe_problems(images: Table, recipes: Recipes) -> list[Problem]:
    """Measured rows that are no variant of ``recipes``, or disagree with what the recipe declares."""
    problems = []
    for i, row in enumerate(images.rows):
        try:
            variant = recipes.variant(row["program"], row["variant"])
        except KeyError:
            where = f"{row['program']}/{row['variant']}"
            problems.append(images.error(i, "variant", f"{where} is not a variant in {label(recipes.path)}"))
            continue
        for column, value in variant.descriptors().items():
            if row[column] != value:
                problems.append(
                    images.error(
                        i,
                        column,
                        f"{row[column]!r} but the recipe of {row['program']}/{row['variant']} says {value!r}: "
                        "re-measure it",
                    )
                )
    return problems
