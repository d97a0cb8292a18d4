"""cheatsheet.measure.cli: what the measurement scripts' command lines share. Each script's own use of
it is tested through the script (tests/scripts/); here, the pieces."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support import image_row, images_only

from cheatsheet.measure import cli
from cheatsheet.paths import RECIPES


def test_selection_uses_the_default_only_without_globs():
    _, chosen = cli.selection(RECIPES, [], ["webserver/alloc-*"])
    assert chosen and all(v.program.id == "webserver" and v.id.startswith("alloc-") for v in chosen)
    _, one = cli.selection(RECIPES, ["hello-world/scratch-musl"], ["webserver/alloc-*"])
    assert [f"{v.program.id}/{v.id}" for v in one] == ["hello-world/scratch-musl"]


def test_a_glob_that_matches_nothing_is_a_usage_error():
    with pytest.raises(cli.UsageError, match="matches no variant"):
        cli.selection(RECIPES, ["hello-world/no-such-variant"])


def test_recipes_that_do_not_load_are_a_usage_error(tmp_path: Path):
    broken = tmp_path / "recipes.toml"
    broken.write_text("[programs.x\n")
    with pytest.raises(cli.UsageError, match=r"recipes\.toml"):
        cli.selection(broken, [])


def test_a_csv_that_does_not_validate_is_refused_naming_line_and_column(data_dir: Path):
    images = images_only(data_dir, [image_row(image_bytes="12 MB")])
    with pytest.raises(cli.UsageError) as caught:
        cli.refuse_invalid([(images, "images")])
    message = str(caught.value)
    assert "nothing was measured" in message and "images.csv:2:" in message


def test_valid_and_missing_files_give_their_rows(data_dir: Path):
    images = images_only(data_dir, [image_row()])
    rows = cli.refuse_invalid([(images, "images"), (data_dir / "new.csv", "hardening")])
    assert len(rows[images]) == 1 and rows[data_dir / "new.csv"] == ()


def test_a_directory_that_cannot_be_made_is_a_usage_error(tmp_path: Path):
    cli.make_dirs(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    with pytest.raises(cli.UsageError, match="cannot create /dev/null/x: Not a directory"):
        cli.make_dirs(Path("/dev/null/x"))


def test_exit_status_turns_a_usage_error_into_one_line_and_2(capsys):
    def refused() -> int:
        raise cli.UsageError("no such thing")

    assert cli.exit_status(refused) == 2
    assert capsys.readouterr().err == "error: no such thing\n"
    assert cli.exit_status(lambda: 1) == 1


@pytest.mark.parametrize(("text", "value"), [("1", 1), ("12", 12)])
def test_positive_accepts_whole_numbers_from_one(text, value):
    assert cli.positive(text) == value


@pytest.mark.parametrize("text", ["0", "-1", "1.5", "x"])
def test_positive_refuses_the_rest(text):
    with pytest.raises(argparse.ArgumentTypeError):
        cli.positive(text)
    assert cli.not_negative("0") == 0


def test_the_shared_options_and_their_defaults(tmp_path: Path):
    parser = cli.parser("doc")
    cli.add_only(parser, "variants")
    cli.add_files(parser, tmp_path / "x.csv", pull="the bases")
    args = parser.parse_args(["--only", "a", "--only", "b", "--no-pull"])
    assert args.only == ["a", "b"] and args.csv == tmp_path / "x.csv" and args.no_pull
    assert args.recipes == RECIPES
    bare = cli.parser(None)
    cli.add_files(bare, tmp_path / "y.csv", recipes=False)
    assert not hasattr(bare.parse_args([]), "recipes") and not hasattr(bare.parse_args([]), "no_pull")
