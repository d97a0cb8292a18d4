"""Measured rows held against the recipes: every row of a dataset whose schema declares a ``recipeKey``
(images.csv, bench.csv) is a variant the recipes declare, and agrees with what its recipe decides
(base, libc, target, profile...) in every column the dataset shares with the recipe."""

from __future__ import annotations

from collections.abc import Mapping

from ..data.table import Table
from ..data.text import Problem, quote
from ..paths import label
from .model import Recipes


def recipe_problems(tables: Mapping[str, Table], recipes: Recipes) -> list[Problem]:
    """Rows of ``tables`` that are no variant of ``recipes``, or disagree with what the recipe declares."""
    problems = []
    for table in tables.values():
        if not table.schema.recipe_key:
            continue
        program_column, variant_column = table.schema.recipe_key
        for i, row in enumerate(table.rows):
            program, vid = row[program_column], row[variant_column]
            try:
                variant = recipes.variant(program, vid)
            except KeyError:
                where = f"{program}/{vid}"
                problems.append(table.error(i, variant_column, f"{where} is not a variant in {label(recipes.path)}"))
                continue
            for column, value in variant.descriptors().items():
                if column in row and row[column] != value:
                    problems.append(
                        table.error(
                            i,
                            column,
                            f"{quote(row[column])} but the recipe of {program}/{vid} says {value!r}: re-measure it",
                        )
                    )
    return problems
