"""cheatsheet.measure.runner: variants measured into a CSV, one at a time, each failure kept to its own
variant, and the rows the real Docker engine gives.

The Docker tests run scripts/measure.py as a user would, on an empty images.csv, with the small
variants of tests/fixtures/recipes.toml and tests/fixtures/ladder.toml (static glibc binaries on scratch:
no base image to bootstrap; they build with rustup's stable toolchain in seconds). They share one
cache directory (the cargo target directory above all); a test that needs a measurement, not a row
kept in the cache, says --no-cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import FIXTURES, empty_datasets, typed_row

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table
from cheatsheet.measure.context import Context
from cheatsheet.measure.rows import checked_row
from cheatsheet.measure.runner import run, runnable
from cheatsheet.measure.toolchain import Toolchain
from cheatsheet.paths import PROGRAMS, REPO
from cheatsheet.recipes import load_recipes

ROOTS = ("--program-root", str(PROGRAMS), "--program-root", str(FIXTURES / "programs"))


# -- the runner's bookkeeping, in process, without Docker ---------------------------------------------


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    out = empty_datasets(tmp_path, ("images",))
    messages: list[str] = []
    context = Context(
        recipes=load_recipes(FIXTURES / "recipes.toml", program_roots=(PROGRAMS, FIXTURES / "programs")),
        csv_path=out / "images.csv",
        cache_dir=tmp_path / "cache",
        log=messages.append,
    )
    context.messages = messages  # type: ignore[attr-defined]
    return context


def test_a_crash_and_a_bad_row_fail_their_variants_only(ctx, monkeypatch):
    variants = [v for v in ctx.recipes.variants if v.id in ("scratch-glibc", "scratch-dynamic", "exits-three")]
    schema = Schema.load(ctx.csv_path.with_name("images.schema.json"))

    def fake_measure(variant, context, say):
        if variant.id == "scratch-glibc":
            raise KeyError("a bug somewhere")
        if variant.id == "scratch-dynamic":  # a row that breaks the schema
            return checked_row(typed_row(variant=variant.id, base="ubuntu"), variant, context, schema), False
        return checked_row(typed_row(program="webserver", variant=variant.id), variant, context, schema), False

    monkeypatch.setattr("cheatsheet.measure.runner.measure_variant", fake_measure)
    assert run(variants, ctx) == 2
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


def test_a_cargo_killed_by_a_signal_is_not_recorded_as_a_failed_build(ctx, tmp_path):
    """A ladder step or server cell whose build fails gets a row saying so; a cargo that was killed
    (an interrupted run) once got one too, "cargo build failed: (no output)", as if that were a finding."""
    cargo = tmp_path / "cargo"
    cargo.write_text("#!/bin/sh\nkill -TERM $$\n")
    cargo.chmod(0o755)
    killed = Toolchain(
        id="rustup", description="a cargo that is killed", rustc="rustc", cargo=str(cargo), release="1.95.0",
        version="rustc 1.95.0", env={}, rustflags=(), cargo_args=(), fingerprint="killed",
    )  # fmt: skip
    recipes = load_recipes()
    step = next(v for v in recipes.variants if v.ladder and v.target.toolchain == "rustup")
    ctx.recipes = recipes
    ctx.toolchains[("rustup", step.arch)] = killed  # what Context.toolchain() hands out for the step
    ctx.docker_version = lambda: "20.10.24+dfsg1"  # type: ignore[method-assign]
    before = ctx.csv_path.read_bytes()
    assert run([step], ctx) == 1
    messages = ctx.messages  # type: ignore[attr-defined]
    assert any("cargo was killed by signal 15" in m for m in messages), messages
    assert ctx.csv_path.read_bytes() == before
    assert not list((ctx.cache_dir / "rows").glob("*.json"))


def test_variants_of_an_architecture_that_cannot_run_are_skipped_with_one_line(monkeypatch, recipes):
    chosen = [recipes.variant("hello-world", v) for v in ("scratch-musl", "scratch-musl-arm64", "debian-arm64")]
    monkeypatch.setattr(
        "cheatsheet.measure.runner.cannot_run", lambda arch: "no emulator here" if arch == "arm64" else ""
    )
    said: list[str] = []
    kept = runnable(chosen, said.append)
    assert [v.id for v in kept] == ["scratch-musl"]
    assert said == ["skipped: 2 arm64 variants: no emulator here"]


def test_a_machine_without_emulation_measures_x86_64_and_writes_nothing_for_arm64(tmp_path, monkeypatch, recipes):
    """The whole runner: the arm64 rows are skipped before anything is built, the CSV stays as it was."""
    out = empty_datasets(tmp_path, ("images",))
    before = (out / "images.csv").read_bytes()
    monkeypatch.setattr(
        "cheatsheet.measure.runner.cannot_run", lambda arch: "emulation unavailable" if arch == "arm64" else ""
    )
    said: list[str] = []
    ctx = Context(recipes=recipes, csv_path=out / "images.csv", cache_dir=tmp_path / "cache", log=said.append)
    failures = run([recipes.variant("hello-world", "scratch-glibc-arm64")], ctx)
    assert failures == 0 and (out / "images.csv").read_bytes() == before
    assert said[0] == "skipped: 1 arm64 variant: emulation unavailable"
    assert said[-1].startswith("done: 0 of 0 variants measured")


# -- measurements with the real Docker engine ----------------------------------------------------------


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """The cache directory the measurements of this module share."""
    return tmp_path_factory.mktemp("runner-cache")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty images.csv and a copy of the fixture recipes."""
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "recipes.toml", tmp_path / "recipes.toml")
    return tmp_path


@pytest.fixture
def ladder_workdir(tmp_path: Path) -> Path:
    """An empty images.csv and a copy of the fixture ladder."""
    empty_datasets(tmp_path, ("images",))
    shutil.copy(FIXTURES / "ladder.toml", tmp_path / "recipes.toml")
    return tmp_path


def measure(workdir: Path, cache: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--recipes", str(workdir / "recipes.toml"),
        "--csv", str(workdir / "measurements" / "images.csv"), "--cache-dir", str(cache), *ROOTS, *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env={**os.environ, **(env or {})})


def rows(workdir: Path) -> dict[str, dict]:
    return {r["variant"]: r for r in read_table(workdir / "measurements" / "images.csv").rows}


def add_step(workdir: Path, step: str) -> None:
    path = workdir / "recipes.toml"
    path.write_text(path.read_text() + "\n[[ladders.smoke.steps]]\n" + step)


@pytest.mark.docker
def test_smoke_measurement_builds_runs_and_records_a_row(workdir, cache):
    proc = measure(workdir, cache, "--only", "hello-world/scratch-glibc", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    after = rows(workdir)
    assert set(after) == {"scratch-glibc"}
    row = after["scratch-glibc"]
    assert row["runs"] == "yes" and row["failure"] == ""
    assert row["image_bytes"] == row["binary_bytes"] > 100_000  # scratch: the image is the binary
    assert 0 < row["compressed_bytes"] < row["image_bytes"]
    assert row["base_source"] == "none" and row["toolchain"] == "rustup"
    assert row["rustc_version"].startswith("rustc ") and row["docker_version"]
    assert row["arch"] == "amd64" and row["host_arch"] == "amd64"
    assert "[1/1] hello-world/scratch-glibc: docker run" in proc.stderr  # progress is printed
    recipes = load_recipes(workdir / "recipes.toml", program_roots=(PROGRAMS, FIXTURES / "programs"))
    # the image's tag names the checkout's cache (Context.tag), so two checkouts never share an image
    tag = Context(recipes=recipes, csv_path=workdir / "images.csv", cache_dir=cache).tag(
        recipes.variant("hello-world", "scratch-glibc")
    )
    inspected = subprocess.run(
        ["docker", "image", "inspect", "-f", "{{.Size}}", tag],
        capture_output=True,
        text=True,
    )
    assert int(inspected.stdout) == row["image_bytes"]


@pytest.mark.docker
def test_a_second_run_with_nothing_changed_is_cached_and_writes_nothing(workdir, cache):
    assert measure(workdir, cache, "--only", "scratch-glibc").returncode == 0
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, cache, "--only", "scratch-glibc")
    assert proc.returncode == 0, proc.stderr
    assert "cached" in proc.stderr and "unchanged" in proc.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


@pytest.mark.docker
def test_a_changed_recipe_is_measured_again(workdir, cache):
    assert measure(workdir, cache, "--only", "scratch-glibc").returncode == 0
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text().replace(
            'settings = { strip = "symbols" }', 'settings = { strip = "symbols", opt-level = "s" }'
        )
    )
    proc = measure(workdir, cache, "--only", "scratch-glibc")
    assert proc.returncode == 0 and "measured" in proc.stderr and "cached" not in proc.stderr
    assert rows(workdir)["scratch-glibc"]["cargo_profile"] == "strip=symbols opt-level=s"


@pytest.mark.docker
def test_an_image_that_builds_but_does_not_run_is_recorded_with_the_reason(workdir, cache):
    proc = measure(workdir, cache, "--only", "scratch-dynamic", "--only", "exits-three")
    assert proc.returncode == 0, proc.stderr
    got = rows(workdir)
    assert got["scratch-dynamic"]["runs"] == "no"
    assert "no such file or directory" in got["scratch-dynamic"]["failure"]
    assert got["exits-three"]["runs"] == "no"
    assert got["exits-three"]["failure"].startswith("exit status 3")


@pytest.mark.docker
def test_a_missing_base_image_names_the_variant_and_changes_no_csv(workdir, cache):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, cache, "--only", "missing-base")
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("skipped:")]
    assert line.startswith("skipped: hello-world/missing-base: ") and "cheatsheet-test/no-such-image" in line
    assert "1 skipped because the base image cannot be obtained here" in proc.stderr
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


@pytest.mark.docker
def test_a_cargo_build_failure_names_the_variant_and_the_error(workdir, cache):
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text()
        .replace("tests/fixtures/programs/exit-three", "tests/fixtures/programs/does-not-compile")
        .replace('binary = "exit-three"', 'binary = "does-not-compile"')
    )
    content = (workdir / "measurements" / "images.csv").read_bytes()
    proc = measure(workdir, cache, "--only", "exits-three")
    assert proc.returncode == 1
    [line] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert line.startswith(
        "error: webserver/exits-three: cargo build failed: error[E0425]: cannot find value `undefined_name`"
    )
    assert (workdir / "measurements" / "images.csv").read_bytes() == content


@pytest.mark.docker
def test_a_failure_message_longer_than_the_column_is_cut_and_kept_in_full_in_the_log(workdir, cache):
    recipes = workdir / "recipes.toml"
    recipes.write_text(
        recipes.read_text().replace(
            'tests/fixtures/programs/exit-three"\nbinary = "exit-three"\nverify',
            'tests/fixtures/programs/long-failure"\nbinary = "long-failure"\nverify',
        )
    )
    proc = measure(workdir, cache, "--only", "exits-three", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    row = rows(workdir)["exits-three"]
    assert row["runs"] == "no" and len(row["failure"]) == 500 and row["failure"].endswith("…")
    assert row["failure"].startswith("exit status 1: this failure message is much too long")
    log = cache / "logs" / "webserver--exits-three.row.log"
    assert "end of the message" in log.read_text()
    assert f"full text in {log}" in proc.stderr


@pytest.mark.docker
def test_a_row_that_breaks_the_schema_is_not_cached_and_does_not_stop_the_others(workdir, cache):
    content = (workdir / "measurements" / "images.csv").read_bytes()
    for attempt in (1, 2):  # the second run must fail the same clear way: nothing was cached
        proc = measure(workdir, cache, "--only", "not-in-the-schema", "--only", "scratch-glibc")
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        [error] = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
        assert error.startswith("error: unlisted/not-in-the-schema: the measured row breaks the schema: ")
        assert "'unlisted' is not one of" in error
        summary = proc.stderr.splitlines()[-1]
        assert summary.startswith("done: 1 of 2 variants measured, 1 failed (unlisted/not-in-the-schema)"), summary
        assert set(rows(workdir)) == {"scratch-glibc"}, attempt
    assert (workdir / "measurements" / "images.csv").read_bytes() != content


# -- size-ladder steps ---------------------------------------------------------------------------------


@pytest.mark.docker
def test_two_ladder_steps_are_measured_with_docker(ladder_workdir, cache):
    """A CI-sized smoke test of the two steps of tests/fixtures/ladder.toml."""
    proc = measure(ladder_workdir, cache, "--only", "hello*/ladder-*", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    got = rows(ladder_workdir)
    release, tiny = got["ladder-glibc-01-release"], got["ladder-glibc-02-tiny"]
    for row in (release, tiny):
        assert row["runs"] == "yes" and row["failure"] == "" and row["base"] == "scratch"
        assert row["image_bytes"] == row["binary_bytes"] and 0 < row["compressed_bytes"] <= row["image_bytes"]
    assert release["program"] == "hello-world" and release["binary_bytes"] > 100_000
    assert tiny["program"] == "hello-nostd" and tiny["binary_bytes"] <= 512
    assert tiny["cargo_profile"] == "strip=symbols opt-level=z lto=true codegen-units=1 panic=abort"
    # a re-run with nothing changed comes from the cache and changes nothing
    before = (ladder_workdir / "measurements" / "images.csv").read_bytes()
    again = measure(ladder_workdir, cache, "--only", "hello*/ladder-*")
    assert again.returncode == 0 and again.stderr.count("; cached,") == 2, again.stderr
    assert (ladder_workdir / "measurements" / "images.csv").read_bytes() == before


@pytest.mark.docker
@pytest.mark.parametrize(
    ("step", "vid", "failure"),
    [
        (  # a profile value cargo does not accept
            'id = "bad-opt"\nknob = "x"\nprice = "x"\nadds = { profile = { opt-level = "x" } }\n',
            "ladder-glibc-03-bad-opt",
            "cargo build failed: error: ",
        ),
        (  # a nightly-only knob on rustup's stable toolchain
            'id = "nightly"\nknob = "x"\nprice = "x"\nadds = { cargo_flags = ["-Zpanic-immediate-abort"] }\n',
            "ladder-glibc-03-nightly",
            "cargo build failed: error: the `-Z` flag is only accepted on the nightly channel of Cargo",
        ),
    ],
    ids=["bad-opt", "nightly"],
)
def test_a_step_that_does_not_build_records_cargos_error(ladder_workdir, cache, step, vid, failure):
    add_step(ladder_workdir, step)
    proc = measure(ladder_workdir, cache, "--only", vid, "--no-cache")
    assert proc.returncode == 0, proc.stderr
    [row] = rows(ladder_workdir).values()
    assert row["variant"] == vid and row["runs"] == "no"
    assert row["failure"].startswith(failure), row["failure"]
    assert "full log" not in row["failure"]
    assert row["image_bytes"] is None and row["binary_bytes"] is None and row["compressed_bytes"] is None


@pytest.mark.docker
def test_a_step_that_prints_nothing_is_recorded_as_not_running(ladder_workdir, cache):
    add_step(ladder_workdir, 'id = "silent"\nknob = "x"\nprice = "x"\nadds = { program = "webserver" }\n')
    proc = measure(
        ladder_workdir, cache, "--only", "webserver/ladder-glibc-03-silent", "--only", "ladder-glibc-01-release"
    )
    assert proc.returncode == 0, proc.stderr
    got = rows(ladder_workdir)
    assert set(got) == {"ladder-glibc-01-release", "ladder-glibc-03-silent"}
    silent = got["ladder-glibc-03-silent"]
    assert silent["runs"] == "no" and silent["failure"] == "printed '' instead of 'Hello, world!\\n'"
    assert silent["binary_bytes"] > 0
    assert got["ladder-glibc-01-release"]["runs"] == "yes"
