"""cheatsheet.measure.caching: the states of the working day, made with real cargo on a small crate, the
crates a build compiled, read from its output, and two methods compared with the real Docker engine."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from cheatsheet.measure.builder import LABEL as BUILDER_LABEL
from cheatsheet.measure.builder import Builder
from cheatsheet.measure.caching import compare, compiled_crates, lock_version, prepare_states
from cheatsheet.measure.docker import inspect_image
from cheatsheet.measure.toolchain import rustup_toolchain
from cheatsheet.recipes.dockerfile import BUILDER_IMAGE
from cheatsheet.recipes.model import Program, Variant

BUILD_OUTPUT = """\
Step 1/12 : FROM rust:1.95.0-slim-bookworm AS chef
Step 2/12 : RUN cargo install cargo-chef --locked --version 0.1.77
   Compiling serde v1.0.219
   Compiling anyhow v1.0.98
Step 3/12 : WORKDIR /src
Step 9/12 : RUN cargo chef cook --release --recipe-path recipe.json
   Compiling itoa v1.0.19
   Compiling webserver v0.1.0 (/src)
Step 11/12 : RUN cargo build --release
   Compiling webserver v0.1.0 (/src)
    Finished `release` profile [optimized] target(s) in 41.2s
"""


def test_compiled_crates_leaves_out_cargo_chefs_own_installation():
    assert compiled_crates(BUILD_OUTPUT) == 3
    assert compiled_crates("   Compiling a v1.0.0\n   Compiling b v0.2.0\nwarning: Compiling is a word\n") == 2
    assert compiled_crates("    Finished `release` profile\n") == 0
    # the classic builder colours a step's stderr
    assert (
        compiled_crates(
            "Step 5/9 : RUN cargo build\n\x1b[91m   Compiling itoa v1.0.19\n\x1b[0m\x1b[91m   Compiling x v0.1.0\n"
        )
        == 2
    )


def test_lock_version_reads_a_package_entry(tmp_path):
    lock = tmp_path / "Cargo.lock"
    lock.write_text('version = 4\n\n[[package]]\nname = "itoa"\nversion = "1.0.19"\nsource = "x"\n')
    assert lock_version(lock, "itoa") == "1.0.19"
    assert lock_version(lock, "ryu") is None


CRATE = """\
[package]
name = "small"
version = "0.1.0"
edition = "2021"

[dependencies]
itoa = "1.0.10"
"""


@pytest.fixture
def small_variant(tmp_path: Path, recipes) -> Variant:
    """A variant of a one-dependency crate outside programs/ (the model only needs its directory)."""
    crate = tmp_path / "small"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(CRATE)
    (crate / "src" / "main.rs").write_text('fn main() { println!("{}", itoa::Buffer::new().format(1)); }\n')
    base = recipes.variant("hello-world", "scratch-glibc")
    program = Program(id="small", path=str(crate), binary="small", verify=())
    return dataclasses.replace(base, program=program)


def test_the_states_change_one_thing_each_with_real_cargo(small_variant, tmp_path):
    """Needs crates.io (the index, for the added crate and the earlier release)."""
    cargo = rustup_toolchain().cargo
    for step in (["generate-lockfile"], ["update", "-p", "itoa", "--precise", "1.0.15"]):
        subprocess.run([cargo, *step], cwd=small_variant.program.dir, check=True, capture_output=True)
    states = prepare_states(small_variant, tmp_path / "states", cargo, "r1")
    assert [s.scenario for s in states] == ["cold", "source-edit", "dependency-added", "lock-changed"]
    cold, edit, added, locked = (s.crate for s in states)
    assert (edit / "src" / "main.rs").read_text().endswith("repetition r1\n")
    assert (cold / "Cargo.toml").read_text() == (edit / "Cargo.toml").read_text() == CRATE
    assert 'fnv = "1"' in (added / "Cargo.toml").read_text() and lock_version(added / "Cargo.lock", "fnv")
    assert (locked / "Cargo.toml").read_text() == (added / "Cargo.toml").read_text()
    assert states[3].change == "Cargo.lock only: itoa 1.0.15 → 1.0.14"
    assert lock_version(locked / "Cargo.lock", "itoa") == "1.0.14"
    # an edit is dated when its state is built, after the builds before it
    main_rs = edit / "src" / "main.rs"
    os.utime(main_rs, (1_000_000, 1_000_000))
    states[1].touch()
    assert main_rs.stat().st_mtime > 1_000_000 and states[1].changed == ("src/main.rs",)
    assert states[0].changed == () and states[3].changed == ("Cargo.lock",)


def test_a_cold_build_of_one_method_leaves_the_others_cache_alone(small_variant, tmp_path, verbatim_run):
    """The bug this guards: every method built on the same builder image, and the classic builder picks
    the newest cached step with the same parent and instruction. The dependency skeleton built cold
    first, then the naive Dockerfile built cold with --no-cache and left a newer `WORKDIR /src` on the
    same parent, so the skeleton's source-edit build followed the naive chain and compiled every crate
    again (123 of the webserver's, 130 s). Each method now builds on a labelled child of its own."""
    result = verbatim_run[1].result()  # the builder image exists once this is done
    assert result.returncode == 0, result.stderr[-3000:]
    cargo = rustup_toolchain().cargo
    subprocess.run([cargo, "generate-lockfile"], cwd=small_variant.program.dir, check=True, capture_output=True)
    before = inspect_image(BUILDER_IMAGE)
    assert before is not None
    rows = compare(
        small_variant, builder_of(before), cargo, tmp_path / "work", tmp_path, "test", 0, ("skeleton", "naive"),
        say=lambda _: None,
    )  # fmt: skip
    compiled = {(r["method"], r["scenario"]): r["crates_compiled"] for r in rows}
    assert compiled[("skeleton", "source-edit")] == 1, compiled  # only the crate: its dependencies stayed cached
    assert compiled[("naive", "source-edit")] == compiled[("naive", "cold")] == 2, compiled  # itoa and the crate
    after = inspect_image(BUILDER_IMAGE)
    assert after is not None and after["Id"] == before["Id"]  # the builder's tag is put back


def builder_of(info: dict) -> Builder:
    labels = (info.get("Config") or {}).get("Labels") or {}
    source = "made-here" if any(k.startswith(BUILDER_LABEL) for k in labels) else "pulled"
    return Builder(BUILDER_IMAGE, info["Id"], source, "the builder the Dockerfile test made or found")
