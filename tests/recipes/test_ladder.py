"""cheatsheet.recipes.ladder: the [ladders.*] tables of programs/recipes.toml expanded into variants, one
step at a time, and every bad value a load error naming the file, the table and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import FIXTURES

from cheatsheet.paths import PROGRAMS, RECIPES
from cheatsheet.recipes import RecipeError, load_recipes

ROOTS = (PROGRAMS, FIXTURES / "programs")


@pytest.fixture(scope="module")
def ladder(recipes):
    [hello] = [item for item in recipes.ladders if item.id == "hello-size"]
    return hello


def variant(recipes, vid):
    [v] = [v for v in recipes.variants if v.id == vid]
    return v


# -- expansion ---------------------------------------------------------------------------------------
def test_every_step_of_every_column_is_a_variant_except_upx(ladder):
    assert ladder.libcs == ("glibc", "musl")
    assert [c for c, _ in ladder.columns] == ["glibc", "glibc-build-std", "musl"]
    assert [s.id for s in ladder.steps][:3] == ["release", "strip", "opt-s"]
    assert ladder.steps[-1].id == "upx" and ladder.steps[-1].not_measured
    ids = [v.id for v in ladder.variants]
    # the build-std glibc column is a build of its own until step 9 rebuilds std in the other glibc column
    assert len(ids) == 2 * (len(ladder.steps) - 1) + 8
    assert ids[0] == "ladder-glibc-01-release" and "ladder-musl-17-tiny" in ids
    assert "ladder-glibc-build-std-08-panic-abort" in ids and "ladder-glibc-build-std-09-build-std" not in ids
    for rung in ladder.rungs:
        if rung.step.id == "upx":
            assert rung.variant is None and "upx" in rung.absent
        elif rung.same_as:
            assert rung.column == "glibc-build-std" and rung.same_as == "glibc" and rung.step.number >= 9
            assert rung.variant == ladder.rung(rung.step.id, "glibc").variant
        else:
            assert (
                rung.variant is not None
                and rung.variant.id == f"ladder-{rung.column}-{rung.step.number:02d}-{rung.step.id}"
            )
            assert rung.variant.ladder == "hello-size" and rung.variant.base.name == "scratch"


def test_steps_are_cumulative(recipes):
    strip = variant(recipes, "ladder-musl-02-strip").profile.settings
    assert strip == (("strip", "symbols"),)
    opt_z = dict(variant(recipes, "ladder-musl-04-opt-z").profile.settings)
    assert opt_z == {"strip": "symbols", "opt-level": "z"}  # z replaces s
    fat = dict(variant(recipes, "ladder-musl-06-lto-fat").profile.settings)
    assert fat["lto"] is True
    ia = variant(recipes, "ladder-musl-10-immediate-abort")
    assert dict(ia.profile.settings)["panic"] == "immediate-abort"
    assert ia.cargo_flags == ("-Zbuild-std-features=optimize_for_size", "-Zpanic-immediate-abort")
    linker = variant(recipes, "ladder-musl-14-linker-options")
    assert linker.program.id == "hello-nomain" and linker.features == ("write-all",)
    assert linker.rustflags[:2] == ("-Zlocation-detail=none", "-Zfmt-debug=none")
    assert "link-arg=-Wl,-z,noseparate-code" in linker.rustflags


def test_a_program_switch_resets_the_features(recipes):
    assert variant(recipes, "ladder-musl-15-no-std").features == ()
    assert variant(recipes, "ladder-musl-15-no-std").program.id == "hello-nostd"
    assert variant(recipes, "ladder-musl-17-tiny").features == ("nolibc", "tiny")


def test_libc_specific_additions_stay_with_their_libc(recipes):
    assert variant(recipes, "ladder-glibc-08-panic-abort").target.toolchain == "rustup"
    g9 = variant(recipes, "ladder-glibc-09-build-std")
    assert g9.target.id == "glibc-static-build-std" and g9.target.toolchain == "debian-build-std"
    assert g9.all_rustflags[:2] == ("-C", "target-feature=+crt-static")
    assert variant(recipes, "ladder-musl-09-build-std").target.id == "musl-static"
    assert "link-self-contained=no" in variant(recipes, "ladder-musl-16-no-libc").rustflags
    assert "link-self-contained=no" not in variant(recipes, "ladder-glibc-16-no-libc").rustflags


def test_the_fixture_ladder_expands(tmp_path):
    r = load_recipes(FIXTURES / "ladder.toml", program_roots=ROOTS)
    assert r.ids() == ["hello-world/ladder-glibc-01-release", "hello-nostd/ladder-glibc-02-tiny"]


# -- errors ------------------------------------------------------------------------------------------
def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = RECIPES.read_text()
    assert old in text, old
    path = tmp_path / "recipes.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'adds = { profile = { opt-level = "s" } }',
            'adds = { profile = { opt-levle = "s" } }',
            r"\[\[ladders.hello-size.steps\]\] #3 \(opt-s\).adds: profile.'opt-levle' is not a cargo profile key",
        ),
        (
            'adds = { profile = { opt-level = "s" } }',
            'adds = { profil = { opt-level = "s" } }',
            r"#3 \(opt-s\).adds: unknown knob\(s\) 'profil'",
        ),
        (
            'adds = { cargo_flags = ["-Zbuild-std-features=optimize_for_size"] }',
            'adds = { cargo_flags = ["-Zbuild-std=core"] }',
            r"#9 \(build-std\).adds: cargo_flags\[0\] = '-Zbuild-std=core' is not an allowed cargo flag",
        ),
        (
            'adds = { cargo_flags = ["-Zbuild-std-features=optimize_for_size"] }',
            'adds = { cargo_flags = ["-Zbuild-std-features=x;rm -rf /"] }',
            r"is not an allowed cargo flag",
        ),
        ('id = "opt-s"', 'id = "Opt S"', r"#3: id = 'Opt S' must be a slug"),
        ('id = "opt-s"', 'id = "strip"', r"#3: step id 'strip' is used twice"),
        (
            'adds = { program = "hello-nomain" }',
            'adds = { program = "hello-nope" }',
            r"program 'hello-nope' is not defined",
        ),
        (
            'glibc = { target = "glibc-static-build-std" }',
            'glibc = { target = "musl-static" }',
            r"#9 \(build-std\).glibc: target 'musl-static' is a musl target",
        ),
        (
            'glibc = { target = "glibc-static-build-std" }',
            'glibc = { skip = "x", target = "musl-static" }',
            "only 'skip'",
        ),
        (
            'columns = { glibc = "glibc-static", glibc-build-std = "glibc-static-build-std", musl = "musl-static" }',
            'columns = { glibc = "glibc-static", glibc-build-std = "musl-static", musl = "musl-static" }',
            "a column's name starts with its target's C library",
        ),
        ('price = "longer link"', 'price = ""', r"#5 \(lto-thin\): price = '' is empty"),
        (
            'price = "longer link"',
            'price = "longer\\u202elink"',
            r"price contains the invisible or control character U\+202E",
        ),
        ('price = "longer link"', 'prize = "longer link"', r"#5: unknown key\(s\) 'prize'"),
        (
            'adds = { profile = { strip = "symbols" } }',
            'adds = { profile = { strip = "all" } }',
            r"strip = 'all' is not one of",
        ),
    ],
)
def test_bad_ladder_values_are_load_errors_naming_file_table_and_key(tmp_path, old, new, message):
    path = broken(tmp_path, old, new)
    with pytest.raises(RecipeError) as err:
        load_recipes(path)
    assert str(err.value).startswith(f"{path}: ")
    assert re.search(message, str(err.value)), str(err.value)


def test_a_skipped_step_makes_no_variant_and_says_why(tmp_path):
    path = broken(
        tmp_path,
        'adds = { profile = { lto = "thin" } }',
        'adds = { profile = { lto = "thin" } }\nmusl = { skip = "thin LTO is not measured on musl" }',
    )
    r = load_recipes(path)
    [lad] = r.ladders
    rung = lad.rung("lto-thin", "musl")
    assert rung.variant is None and rung.absent == "thin LTO is not measured on musl"
    assert "ladder-musl-05-lto-thin" not in [v.id for v in r.variants]
    # the later steps still carry the skipped step's knob
    assert dict(lad.rung("lto-fat", "musl").variant.profile.settings)["lto"] is True
