"""scripts/merge_rows.py: the measurement workflow's partial CSV files merged into images.csv by key."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from support import load_script

from cheatsheet.paths import REPO

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
