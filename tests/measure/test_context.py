"""cheatsheet.measure.context: one measurement run's context: where logs go, and the toolchains and
base images it made once and shares."""

from __future__ import annotations

import pytest

from cheatsheet.measure.context import Context
from cheatsheet.measure.errors import MeasureError
from cheatsheet.recipes import load_recipes


def test_log_files_stay_in_the_logs_directory(tmp_path, recipes):
    ctx = Context(recipes=recipes, csv_path=tmp_path / "images.csv", cache_dir=tmp_path / "cache")
    for variant in recipes.variants:
        assert ctx.log_path(variant, "cargo").parent == tmp_path / "cache" / "logs"
    variant = recipes.variants[0]
    with pytest.raises(MeasureError, match="refusing to write a log file named"):
        ctx.log_path(variant, "x/../../escape")
    assert ctx.facts_path == tmp_path / "base_images.csv"  # beside the images CSV unless given


def test_a_toolchain_and_a_base_are_made_once_per_run(tmp_path, recipes, monkeypatch):
    made: list[tuple] = []
    monkeypatch.setattr("cheatsheet.measure.context.toolchain", lambda *args: made.append(args) or object())
    ctx = Context(recipes=recipes, csv_path=tmp_path / "images.csv", cache_dir=tmp_path / "cache")
    assert ctx.toolchain("rustup") is ctx.toolchain("rustup", "amd64")
    ctx.toolchain("debian-build-std", "arm64")
    assert made == [("rustup", tmp_path / "cache" / "toolchains", "amd64"),
                    ("debian-build-std", tmp_path / "cache" / "toolchains", "arm64")]  # fmt: skip
    scratch = ctx.base(recipes.variant("hello-world", "scratch-musl"))
    assert scratch.name == "scratch" and ctx.base(recipes.variant("hello-world", "scratch-glibc")) is scratch


def test_image_tags_carry_the_checkout(tmp_path):
    recipes = load_recipes()
    v = recipes.variant("hello-world", "scratch-musl")
    one = Context(recipes=recipes, csv_path=tmp_path / "a.csv", cache_dir=tmp_path / "one")
    two = Context(recipes=recipes, csv_path=tmp_path / "a.csv", cache_dir=tmp_path / "two")
    assert one.tag(v) != two.tag(v)
    assert one.tag(v).endswith("/hello-world:scratch-musl")
    assert one.tag(v) == Context(recipes=recipes, csv_path=tmp_path / "b.csv", cache_dir=tmp_path / "one").tag(v)
