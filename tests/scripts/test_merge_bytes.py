"""scripts/merge_rows.py writes values as they came: an unchanged merge changes no byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from cheatsheet.paths import MEASUREMENTS, REPO


def merge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/merge_rows.py", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_merging_the_file_into_itself_changes_nothing(tmp_path):
    for name in ("images", "base_images"):
        target = tmp_path / f"{name}.csv"
        shutil.copy(MEASUREMENTS / f"{name}.csv", target)
        shutil.copy(MEASUREMENTS / f"{name}.schema.json", tmp_path / f"{name}.schema.json")
        partial = tmp_path / f"partial-{name}.csv"
        shutil.copy(MEASUREMENTS / f"{name}.csv", partial)
        before = target.read_bytes()
        proc = merge(str(partial), "--into", str(target))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip().endswith("unchanged")
        assert target.read_bytes() == before


def test_a_number_is_written_as_the_job_wrote_it(tmp_path):
    schema = {"fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "ratio", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "count", "type": "number", "constraints": {"minimum": 0, "maximum": 1000000}},
    ], "primaryKey": ["id"]}  # fmt: skip
    (tmp_path / "figures.schema.json").write_text(json.dumps(schema))
    target = tmp_path / "figures.csv"
    target.write_text("id,ratio,count\na,1.000,14182\n")
    partial = tmp_path / "job.csv"
    partial.write_text("id,ratio,count\na,1.000,14182\nb,0.0000001,1.50\n")
    proc = merge(str(partial), "--into", str(target))
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() == "id,ratio,count\na,1.000,14182\nb,0.0000001,1.50\n"  # not 1.0, 14182.0, 1e-07
