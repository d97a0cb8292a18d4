"""scripts/merge_rows.py: the measurement workflow's partial CSV files merged into images.csv by key."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import load_script

from cheatsheet.paths import MEASUREMENTS, REPO

merge_script = load_script(REPO / "scripts" / "merge_rows.py")


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """A copy of measurements/images.csv, with its schema beside it."""
    directory = tmp_path / "measurements"
    directory.mkdir()
    for name in ("images.csv", "images.schema.json"):
        shutil.copy2(REPO / "measurements" / name, directory / name)
    return directory / "images.csv"


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def partial(path: Path, header: str, *rows: list[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def test_two_partial_files_are_merged_by_key(target, tmp_path, capsys):
    header, first, second, *rest = lines_of(target)
    names = header.split(",")
    replaced = next(csv.reader([first]))
    replaced[names.index("measured_at")] = "2031-01-02T03:04:05Z"
    added = next(csv.reader([second]))
    added[names.index("variant")] = "merge-test-new"
    a = partial(tmp_path / "rows-a.csv", header, replaced)
    b = partial(tmp_path / "rows-b.csv", header, added)

    assert merge_script.main([str(a), str(b), "--into", str(target)]) == 0
    assert "merged 2 row(s) from 2 file(s)" in capsys.readouterr().out
    after = lines_of(target)
    assert after[0] == header
    assert after[1] == lines_of(a)[1]  # replaced where it stood
    assert after[2:-1] == [second, *rest]  # every other line byte for byte
    assert after[-1] == lines_of(b)[1]  # a new key is appended


def test_merging_the_same_rows_again_changes_nothing(target, tmp_path, capsys):
    header, first, *_ = lines_of(target)
    a = partial(tmp_path / "rows-a.csv", header, next(csv.reader([first])))
    before = target.read_bytes()
    assert merge_script.main([str(a), "--into", str(target)]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert target.read_bytes() == before


def test_a_bad_partial_file_names_file_line_column_and_changes_nothing(target, tmp_path, capsys):
    header, first, second, *_ = lines_of(target)
    names = header.split(",")
    good = partial(tmp_path / "rows-good.csv", header, next(csv.reader([first])))
    row = next(csv.reader([second]))
    row[names.index("image_bytes")] = "12MB"
    bad = partial(tmp_path / "rows-bad.csv", header, row)
    bad_line = lines_of(bad)[1]
    assert '"' not in bad_line  # so the column is the sum of the preceding fields' widths
    column = len(",".join(row[: names.index("image_bytes")])) + 2
    before = target.read_bytes()

    assert merge_script.main([str(good), str(bad), "--into", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:{column}: column 'image_bytes'" in err
    assert "nothing was merged" in err
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".*.tmp"))


def test_the_same_key_in_two_partial_files_is_refused(target, tmp_path, capsys):
    header, first, *_ = lines_of(target)
    row = next(csv.reader([first]))
    a = partial(tmp_path / "rows-a.csv", header, row)
    b = partial(tmp_path / "rows-b.csv", header, row)
    before = target.read_bytes()
    assert merge_script.main([str(a), str(b), "--into", str(target)]) == 1
    assert f"{b}:2:1: row (" in capsys.readouterr().err
    assert target.read_bytes() == before


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
