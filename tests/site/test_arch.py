"""cheatsheet.site.arch: x86-64 and arm64 side by side, paired from the recipes."""

from __future__ import annotations

import pytest
from support import page, table_records, tables

from cheatsheet.site.arch import pairs
from cheatsheet.site.context import MacroError
from cheatsheet.site.render import format_bytes


def obtainable(variant) -> bool:
    """Whether this machine can measure the variant: its base is scratch or bootstrapped from Debian."""
    return variant.base.name == "scratch" or bool(variant.base.bootstrap)


def test_pairs_come_from_the_recipes_not_from_ids_in_the_data(recipes):
    variants = [v for v in recipes.variants if v.program.id == "hello-world"]
    found = pairs(variants)
    seed = ("debian", "debian-slim", "distroless-cc", "alpine", "distroless-static", "scratch-glibc", "scratch-musl")
    assert [(a.id, b.id) for a, _, b in found] == [(v, f"{v}-arm64") for v in seed]
    for native, partner, other in found:  # every difference is taken within one toolchain
        assert partner.target.toolchain == other.target.toolchain
        assert partner is native or partner.id == f"{native.id}-build-std"


def test_every_pair_that_can_be_measured_here_is(site, recipes):
    for program in ("hello-world", "webserver"):
        for native, partner, arm in pairs([v for v in recipes.variants if v.program.id == program]):
            for variant in (native, partner, arm):
                measured = site.measured(program, variant.id) is not None
                assert measured == obtainable(variant), f"{program}/{variant.id}"


def test_the_table_names_an_unpaired_variant(site):
    with pytest.raises(MacroError, match=r"^test\.md: hello-world: ladder-glibc-01-release is not declared for arm64"):
        site.call("arch_table", "hello-world", ["scratch-musl", "ladder-glibc-01-release"])


def test_the_arm64_page_shows_each_pair_with_the_csv_figures(built_site, site, recipes):
    found = pairs([v for v in recipes.variants if v.program.id == "hello-world"])
    doc = page(built_site, "concepts/arm64/index.html")
    hello = next(t for t in tables(doc) if "Image arm64" in t and "scratch-musl" in t)
    by_variant = {r["Variant"]: r for r in table_records(hello)}
    assert sorted(by_variant) == sorted(native.id for native, _, _ in found)
    for native, partner, arm in found:
        cells = by_variant[native.id]
        for variant, cell in ((partner, cells["Image x86-64"]), (arm, cells["Image arm64"])):
            row = site.measured("hello-world", variant.id)
            if row is None:  # only a base that can be pulled from a registry alone (above)
                assert not obtainable(variant) and "not measured" in cell
            else:
                assert cell == format_bytes(int(row["image_bytes"]))
