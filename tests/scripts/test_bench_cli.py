"""scripts/bench.py: bad arguments and unobtainable parts end in one line and status 2, never a traceback;
the baseline is always part of the run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.measure.bench.load import Settings
from cheatsheet.measure.bench.run import plan
from cheatsheet.paths import REPO
from cheatsheet.recipes import load_recipes

sys.path.insert(0, str(REPO / "scripts"))
import bench as bench_script


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/bench.py", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "abc"], "'abc' is not a memory size"),
        (["--rounds", "0"], "'0' must be at least 1"),
        (["--rounds", "5", "--max-rounds", "3"], "--max-rounds must be at least --rounds"),
        (["--only", "webserver/no-such-variant"], "matches no variant"),
    ],
)
def test_bad_arguments_say_why_in_one_line(args, message):
    proc = run_script(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_the_baseline_is_benchmarked_with_any_selection():
    recipes = load_recipes()
    musl = recipes.variant("webserver", "alloc-musl")
    glibc = recipes.variant("webserver", "alloc-glibc-dynamic")
    p = plan([musl], glibc, Settings())
    assert [v.id for v in p.variants] == ["alloc-glibc-dynamic", "alloc-musl"]
    assert [v.id for v in plan([musl, glibc], glibc, Settings()).variants] == ["alloc-glibc-dynamic", "alloc-musl"]


def test_a_base_that_cannot_be_obtained_is_one_line(monkeypatch, capsys):
    def unobtainable(*_args, **_kwargs):
        raise BaseUnavailable("alpine: cannot pull alpine:3.22@sha256:...: no registry; no bootstrap recipe")

    monkeypatch.setattr(bench_script, "run", unobtainable)
    assert bench_script.main(["--only", "webserver/alloc-musl"]) == 2
    err = capsys.readouterr().err
    assert err.strip().startswith("error: alpine: cannot pull") and "Traceback" not in err
