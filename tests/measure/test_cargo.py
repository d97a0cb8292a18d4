"""A build cut short from outside (signal, OOM, timeout) is never stored as a finding: no row, no cache."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from cheatsheet.measure.cargo import build_binary, build_key, cold_build
from cheatsheet.measure.context import Context
from cheatsheet.measure.errors import BuildInterrupted, MeasureError, Transient, transient_cause
from cheatsheet.measure.runner import measure_variant
from cheatsheet.measure.toolchain import toolchain
from cheatsheet.recipes.model import BaseSpec, Profile, Program, Recipes, Target, Variant, Verify

CRATE = {
    "Cargo.toml": '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n',
    "Cargo.lock": 'version = 4\n\n[[package]]\nname = "tiny"\nversion = "0.1.0"\n',
    "src/main.rs": 'fn main() { println!("Hello, world!"); }\n',
}
# A rustc that behaves like the real one, except for the crate under test, where it dies as the
# OOM killer or an allocation failure would leave it.
FAKE_RUSTC = """\
#!/bin/sh
for arg in "$@"; do
  if [ "$arg" = tiny ]; then
    {action}
  fi
done
exec {rustc} "$@"
"""
KILLED = "kill -KILL $$"
OUT_OF_MEMORY = 'echo "memory allocation of 1073741824 bytes failed" >&2; kill -ABRT $$'
BROKEN = 'echo "error[E0425]: cannot find value \\`x\\` in this scope" >&2; exit 1'


def variant(tmp_path: Path, ladder: str) -> Variant:
    crate = tmp_path / "tiny"
    for name, content in CRATE.items():
        (crate / name).parent.mkdir(parents=True, exist_ok=True)
        (crate / name).write_text(content)
    program = Program(id="tiny", path=str(crate), binary="tiny", verify=(Verify("stdout", "Hello, world!\n"),))
    target = Target(
        id="gnu", triple="x86_64-unknown-linux-gnu", libc="glibc", crt_linkage="dynamic", toolchain="rustup"
    )
    profile = Profile(id="p", description="release", settings=())
    return Variant(program=program, id="step", base=BaseSpec("scratch", "", ""), target=target, profile=profile,
                   verify=program.verify, ladder=ladder)  # fmt: skip


def context(tmp_path: Path, action: str, v: Variant) -> Context:
    real = toolchain("rustup", tmp_path / "toolchains")
    fake = tmp_path / "rustc"
    fake.write_text(FAKE_RUSTC.format(action=action, rustc=real.rustc))
    fake.chmod(0o755)
    recipes = Recipes(path=tmp_path / "recipes.toml", programs={"tiny": v.program}, bases={}, variants=(v,))
    ctx = Context(recipes=recipes, csv_path=tmp_path / "images.csv", cache_dir=tmp_path / "cache",
                  facts_path=None, log=lambda _m: None)  # fmt: skip
    ctx.toolchains["rustup", "amd64"] = replace(real, env={**real.env, "RUSTC": str(fake)})
    return ctx


@pytest.mark.docker  # measure_variant asks the engine for its version first
@pytest.mark.parametrize(("action", "cause"), [(KILLED, "signal: 9, SIGKILL"), (OUT_OF_MEMORY, "memory allocation")])
def test_a_compiler_killed_from_outside_is_transient_and_leaves_nothing(tmp_path, action, cause):
    v = variant(tmp_path, ladder="hello-size")  # a ladder step records a failed build as a finding...
    ctx = context(tmp_path, action, v)
    with pytest.raises(Transient, match=cause):  # ...but not this one
        measure_variant(v, ctx, lambda _step: None)
    assert not (ctx.cache_dir / "rows").exists() or not list((ctx.cache_dir / "rows").iterdir())
    assert not ctx.csv_path.exists()


def test_a_compiler_error_is_a_finding(tmp_path):
    v = variant(tmp_path, ladder="hello-size")
    ctx = context(tmp_path, BROKEN, v)
    with pytest.raises(MeasureError) as info:
        build_binary(v, ctx.toolchain("rustup"), ctx)
    assert not isinstance(info.value, Transient)
    assert "error[E0425]" in str(info.value)


def test_a_build_that_times_out_is_transient(tmp_path):
    v = variant(tmp_path, ladder="")
    ctx = context(tmp_path, "sleep 30", v)
    with pytest.raises(BuildInterrupted, match="did not finish within 2 s"):
        build_binary(v, ctx.toolchain("rustup"), ctx, timeout=2)


@pytest.mark.parametrize(
    "line",
    [
        "error: could not compile `ring` (lib); 1 warning emitted (signal: 9, SIGKILL: kill)",
        "collect2: fatal error: ld terminated with signal 9 [Killed]",
        "memory allocation of 8589934592 bytes failed",
        "error: failed to download `serde v1.0.200`",
        "error: could not write output: No space left on device (os error 28)",
    ],
)
def test_transient_causes_are_recognised(line):
    assert transient_cause(f"Compiling x\n{line}\n") == line


def test_a_compiler_message_is_not_transient():
    assert transient_cause("error[E0308]: mismatched types\nerror: could not compile `tiny`") == ""


# -- cold, timed builds ---------------------------------------------------------------------------

NOTHING = ":"  # the fake rustc acts as the real one


def test_a_cold_build_is_timed_once_per_build(tmp_path):
    v = variant(tmp_path, ladder="")
    ctx = context(tmp_path, NOTHING, v)
    tc = ctx.toolchain("rustup")
    binary, taken = cold_build(v, tc, ctx)
    assert taken.wall > 0 and taken.cpu > 0 and binary.name == "tiny--step"
    assert subprocess.run([binary], capture_output=True, text=True, check=True).stdout == "Hello, world!\n"
    # the same build on another base is the same binary: its time is reused, nothing is compiled
    other = replace(v, id="other", base=BaseSpec("debian", "", ""))
    assert build_key(other, tc) == build_key(v, tc)
    again, same = cold_build(other, tc, ctx)
    assert same == taken and again.name == "tiny--other" and again.read_bytes() == binary.read_bytes()
    assert not list((ctx.cache_dir / "cold-builds" / build_key(v, tc)).glob("cold-target-*"))  # no target left
    # another flag is another build
    assert build_key(replace(v, rustflags=("-C", "opt-level=1")), tc) != build_key(v, tc)


def test_a_failed_cold_build_keeps_no_time(tmp_path):
    v = variant(tmp_path, ladder="")
    ctx = context(tmp_path, BROKEN, v)
    tc = ctx.toolchain("rustup")
    with pytest.raises(MeasureError, match="E0425"):
        cold_build(v, tc, ctx)
    assert not (ctx.cache_dir / "cold-builds" / build_key(v, tc) / "time.json").exists()


@pytest.mark.docker
def test_a_measured_row_records_the_cold_build_time(tmp_path):
    tiny = variant(tmp_path, ladder="")
    static = replace(tiny.target, crt_linkage="static", rustflags=("-C", "target-feature=+crt-static"))  # on scratch
    v = replace(tiny, program=replace(tiny.program, id="hello-world"), target=static)  # a program images.csv knows
    ctx = context(tmp_path, NOTHING, v)
    ctx.time_builds = True
    row, cached = measure_variant(v, ctx, lambda _step: None)
    assert not cached and row["runs"] == "yes", row["failure"]
    assert row["build_seconds"] > 0 and row["build_cpu_seconds"] > 0
    ctx.time_builds = False
    assert measure_variant(v, ctx, lambda _step: None) == (row, True)  # a timed row serves an untimed run
