"""cheatsheet.measure.caching: the states of the working day, made with real cargo on a small crate, and
the crates a build compiled, read from its output."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from cheatsheet.measure.caching import compiled_crates, lock_version, prepare_states
from cheatsheet.measure.toolchain import rustup_toolchain
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
