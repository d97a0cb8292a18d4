"""The measurement workflow's chain, run here: plan the matrix, measure each group into partial files
(images and base-image facts), merge both into the datasets, validate. Real Docker, two variants."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from cheatsheet.paths import CACHE, MEASUREMENTS, REPO
from cheatsheet.recipes import load_recipes
from cheatsheet.site.measurements import load_measurements

ONLY = "hello-world/scratch-[gm]*[!4]"  # scratch-glibc and scratch-musl, not their arm64 twins


def run(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.mark.docker
@pytest.mark.slow
def test_plan_measure_merge_on_two_variants(tmp_path):
    listing = run("scripts/measure.py", "--list", "--json", "--only", ONLY).stdout
    (tmp_path / "variants.json").write_text(listing)
    assert [v["only"] for v in json.loads(listing)] == ["hello-world/scratch-glibc", "hello-world/scratch-musl"]
    plan = run(".github/scripts/measure_matrix.py", str(tmp_path / "variants.json")).stdout
    matrix = json.loads(plan.split("matrix=", 1)[1].splitlines()[0])
    rows = tmp_path / "rows"
    for job in matrix["include"]:  # each job of the workflow, one after another
        args = ["--csv", str(rows / f"{job['name']}.csv"), "--facts-csv", str(rows / f"{job['name']}.base_images.csv")]
        for vid in job["ids"].split():
            args += ["--only", vid]
        run("scripts/measure.py", *args, "--cache-dir", str(CACHE))
    assert (rows / "hello-world.base_images.csv").read_text().count("\nscratch,amd64,") == 1
    merged = tmp_path / "measurements"
    shutil.copytree(MEASUREMENTS, merged)
    run("scripts/merge_rows.py", str(rows / "hello-world.csv"), "--into", str(merged / "images.csv"))
    run("scripts/merge_rows.py", str(rows / "hello-world.base_images.csv"), "--into", str(merged / "base_images.csv"))
    data = load_measurements(merged, load_recipes())
    variants = {r["variant"] for r in data.tables["images"].rows if r["program"] == "hello-world"}
    assert {"scratch-glibc", "scratch-musl"} <= variants
    assert any(r["base"] == "scratch" for r in data.tables["base_images"].rows)
