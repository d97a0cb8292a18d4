"""cheatsheet.recipes.select: the one way scripts choose variants by glob (``--only``)."""

from __future__ import annotations

import pytest

from cheatsheet.recipes import NoMatch, select


def ids(variants) -> list[str]:
    return [f"{v.program.id}/{v.id}" for v in variants]


def test_no_glob_selects_every_variant_in_recipe_order(recipes):
    assert select(recipes.variants, []) == recipes.variants


def test_a_glob_matches_the_full_id_or_the_variant_id_alone(recipes):
    assert ids(select(recipes.variants, ["hello-world/scratch-musl"])) == ["hello-world/scratch-musl"]
    by_variant = ids(select(recipes.variants, ["scratch-musl"]))
    assert by_variant == ["hello-world/scratch-musl"]
    scratch = ids(select(recipes.variants, ["hello-world/scratch-*"]))
    assert {"hello-world/scratch-glibc", "hello-world/scratch-musl", "hello-world/scratch-musl-arm64"} <= set(scratch)
    assert all(i.startswith("hello-world/scratch-") for i in scratch)
    assert scratch == [i for i in ids(recipes.variants) if i in scratch]  # in recipe order


def test_several_globs_keep_the_recipe_order(recipes):
    chosen = ids(select(recipes.variants, ["scratch-musl", "debian"]))
    assert chosen == ["hello-world/debian", "hello-world/scratch-musl"]


def test_a_glob_matching_nothing_names_it_and_lists_the_variants(recipes):
    with pytest.raises(NoMatch) as info:
        select(recipes.variants, ["debian", "hello-world/debian-sid"])
    message = str(info.value)
    assert message.startswith("--only hello-world/debian-sid matches no variant; the variants are: hello-world/debian,")
