"""The recipes file: one description gives the Dockerfile built and the one shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from cheatsheet.recipes import RECIPES, RecipeError, dockerfile, load_recipes

SEED_VARIANTS = [
    "debian",
    "debian-slim",
    "distroless-cc",
    "alpine",
    "distroless-static",
    "scratch-glibc",
    "scratch-musl",
]


def test_the_seed_hello_world_matrix_is_declared():
    recipes = load_recipes()
    hello = [v for v in recipes.variants if v.program.id == "hello-world" and not v.ladder]
    assert [v.id for v in hello if v.arch == "amd64"] == SEED_VARIANTS
    assert [v.id for v in hello if v.arch == "arm64"] == [f"{vid}-arm64" for vid in SEED_VARIANTS]
    for v in recipes.variants:
        if v.base.name != "scratch":
            assert "@sha256:" in v.base.pull and len(v.base.pull.split("@sha256:")[1]) == 64, v.base


def test_dockerfile_of_a_scratch_variant():
    v = load_recipes().variant("hello-world", "scratch-musl")
    text = dockerfile(v)
    assert 'FROM scratch\nCOPY hello-world /hello-world\nENTRYPOINT ["/hello-world"]\n' in text
    assert (
        "cargo build --release --locked --target x86_64-unknown-linux-musl --config 'profile.release.strip=\"symbols\"'"
        in text
    )
    assert "ARG BASE" not in text


def test_dockerfile_of_a_based_variant_defaults_to_the_pinned_pull_reference():
    v = load_recipes().variant("hello-world", "distroless-static")
    text = dockerfile(v)
    assert f"ARG BASE={v.base.pull}\nFROM ${{BASE}}\n" in text
    assert "RUSTFLAGS='-C target-feature=+crt-static' cargo build" in text


def test_profile_summary_and_strip():
    v = load_recipes().variant("hello-world", "debian")
    assert v.profile.summary() == "strip=symbols"
    assert v.profile.strip == "symbols"


VARIANT_X = (
    '[[variants]]\nprogram = "hello-world"\nid = "x"\nbase = "scratch"\ntarget = "glibc-static"\nprofile = "stripped"\n'
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "recipes.toml"
    base = RECIPES.read_text().split("# The original cheatsheet's seven hello-world images.")[0]
    path.write_text(base + text)
    return path


def test_unknown_references_and_keys_are_named(tmp_path):
    bad = VARIANT_X.replace('base = "scratch"', 'base = "ubuntu"')
    with pytest.raises(RecipeError, match=r"base 'ubuntu' is not defined; defined: debian, "):
        load_recipes(write(tmp_path, bad))
    typo = VARIANT_X + 'feature = ["a"]\n'
    with pytest.raises(RecipeError, match=r"unknown key.*feature"):
        load_recipes(write(tmp_path, typo))


def test_a_variant_id_used_twice_is_refused(tmp_path):
    one = VARIANT_X
    with pytest.raises(RecipeError, match="used twice"):
        load_recipes(write(tmp_path, one + "\n" + one))


def test_toml_syntax_errors_name_the_file(tmp_path):
    with pytest.raises(RecipeError, match=str(tmp_path)):
        load_recipes(write(tmp_path, "[[variants]\n"))
