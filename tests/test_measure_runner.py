"""The measurement runner's bookkeeping, without Docker: one variant's failure never stops the others,
and the exit status and the summary say what failed (issue 6, defect 2)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from rows import image_row

from cheatsheet import measure
from cheatsheet.recipes import load_recipes
from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def typed_row(**changes: str) -> dict:
    row: dict = dict(image_row(**changes))
    for k in ("image_bytes", "compressed_bytes", "binary_bytes", "base_bytes"):
        row[k] = int(row[k])
    row["measured_at"] = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    return row


@pytest.fixture
def ctx(tmp_path: Path) -> measure.Context:
    shutil.copy(REPO / "measurements" / "images.schema.json", tmp_path / "images.schema.json")
    header = (REPO / "measurements" / "images.csv").read_text().splitlines()[0]
    (tmp_path / "images.csv").write_text(header + "\n")
    messages: list[str] = []
    context = measure.Context(
        recipes=load_recipes(FIXTURES / "recipes.toml", program_roots=(REPO / "programs", FIXTURES / "programs")),
        csv_path=tmp_path / "images.csv",
        cache_dir=tmp_path / "cache",
        log=messages.append,
    )
    context.messages = messages  # type: ignore[attr-defined]
    return context


def test_a_crash_and_a_bad_row_fail_their_variants_only(ctx, monkeypatch):
    variants = [v for v in ctx.recipes.variants if v.id in ("scratch-glibc", "scratch-dynamic", "exits-three")]

    def fake_measure(variant, context, say):
        if variant.id == "scratch-glibc":
            raise KeyError("a bug somewhere")
        if variant.id == "scratch-dynamic":  # a row that breaks the schema
            return measure.checked_row(typed_row(variant=variant.id, base="ubuntu"), variant, context), False
        return measure.checked_row(typed_row(program="webserver", variant=variant.id), variant, context), False

    monkeypatch.setattr(measure, "measure_variant", fake_measure)
    assert measure.run(variants, ctx) == 2
    messages = ctx.messages  # type: ignore[attr-defined]
    assert any(m.startswith("error: hello-world/scratch-glibc: unexpected KeyError") for m in messages)
    assert any(
        m.startswith("error: hello-world/scratch-dynamic: the measured row breaks the schema:") for m in messages
    )
    assert messages[-1].startswith(
        "done: 1 of 3 variants measured, 2 failed (hello-world/scratch-glibc, hello-world/scratch-dynamic)"
    )
    assert [r["variant"] for r in read_table(ctx.csv_path).rows] == ["exits-three"]
    traceback_log = ctx.cache_dir / "logs" / "hello-world--scratch-glibc.error.log"
    assert "KeyError" in traceback_log.read_text()


def test_a_long_text_is_cut_and_the_full_text_logged(ctx):
    variant = ctx.recipes.variant("hello-world", "scratch-glibc")
    long = "exit status 1: " + "y" * 3000
    row = measure.checked_row(typed_row(variant=variant.id, runs="no", failure=long), variant, ctx)
    assert len(row["failure"]) == 500
    assert long in (ctx.cache_dir / "logs" / "hello-world--scratch-glibc.row.log").read_text()


def test_a_cargo_killed_by_a_signal_is_not_recorded_as_a_failed_build(ctx, tmp_path, monkeypatch):
    """A ladder step or server cell whose build fails gets a row saying so; a cargo that was killed
    (an interrupted run) once got one too, "cargo build failed: (no output)", as if that were a finding."""
    from cheatsheet.toolchain import Toolchain

    cargo = tmp_path / "cargo"
    cargo.write_text("#!/bin/sh\nkill -TERM $$\n")
    cargo.chmod(0o755)
    killed = Toolchain(
        id="rustup", description="a cargo that is killed", rustc="rustc", cargo=str(cargo), release="1.95.0",
        version="rustc 1.95.0", env={}, rustflags=(), cargo_args=(), fingerprint="killed",
    )  # fmt: skip
    monkeypatch.setattr(measure, "get_toolchain", lambda *_args: killed)
    recipes = load_recipes()
    step = next(v for v in recipes.variants if v.ladder and v.target.toolchain == "rustup")
    ctx.recipes = recipes
    before = ctx.csv_path.read_bytes()
    assert measure.run([step], ctx) == 1
    messages = ctx.messages  # type: ignore[attr-defined]
    assert any("cargo was killed by signal 15" in m for m in messages), messages
    assert ctx.csv_path.read_bytes() == before
    assert not list((ctx.cache_dir / "rows").glob("*.json"))
