"""What the measurement scripts' command lines share, written once: how they log, the options that
name the recipes, the CSV, the cache and whether to pull, how a selection of variants is read, and
the refusal to start on a CSV that does not validate (nothing is built then, nothing is lost).

A script raises :class:`UsageError` for bad arguments or data and turns it into exit status 2 with
:func:`exit_status`; everything else about its run stays in the script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..data.schema import Schema
from ..data.table import read_table
from ..data.text import DataError
from ..paths import CACHE, MEASUREMENTS, PROGRAMS, RECIPES
from ..recipes import NoMatch, RecipeError, Recipes, Variant, load_recipes, select


class UsageError(Exception):
    """Bad arguments or data: the script stops before measuring anything (exit status 2)."""


def log(message: str) -> None:
    """A progress or error line on stderr (stdout stays for what a script is asked to print)."""
    print(message, file=sys.stderr, flush=True)


def parser(doc: str | None) -> argparse.ArgumentParser:
    """A script's parser: its module docstring as the help text, examples kept as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


def add_only(p: argparse.ArgumentParser, what: str) -> None:
    """``--only GLOB``, repeatable; ``what`` finishes the help text (which ids, and the default)."""
    p.add_argument("--only", action="append", metavar="GLOB", default=[], help=f"{what}; repeatable")


def add_files(p: argparse.ArgumentParser, csv: Path, *, recipes: bool = True, pull: str | None = None) -> None:
    """``--csv`` (default ``csv``), ``--cache-dir``, and where asked ``--recipes`` and ``--no-pull``
    (``pull`` is what is not pulled then)."""
    if recipes:
        p.add_argument("--recipes", type=Path, default=RECIPES, help="recipes file (default: %(default)s)")
    p.add_argument("--csv", type=Path, default=csv, help="CSV file to write (default: %(default)s)")
    p.add_argument("--cache-dir", type=Path, default=CACHE, help="cache directory (default: %(default)s)")
    if pull is not None:
        p.add_argument("--no-pull", action="store_true", help=f"do not try to pull {pull}")


def positive(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def not_negative(text: str) -> int:
    """A whole number of at least 0 (argparse type)."""
    return 0 if text == "0" else positive(text)


def selection(
    recipes_path: Path, globs: Sequence[str], default: Sequence[str] = (), *, program_roots: tuple[Path, ...] = ()
) -> tuple[Recipes, list[Variant]]:
    """The recipes and the variants matching ``globs`` (``default`` without any; every variant without
    either). Raises :class:`UsageError` for recipes that do not load or a glob that matches nothing."""
    try:
        recipes = load_recipes(recipes_path, program_roots=program_roots or (PROGRAMS,))
        return recipes, list(select(recipes.variants, list(globs) or list(default)))
    except (RecipeError, NoMatch) as exc:
        raise UsageError(str(exc)) from None


def refuse_invalid(files: Iterable[tuple[Path, str]]) -> dict[Path, tuple[dict[str, Any], ...]]:
    """Read each existing ``(path, dataset)`` against its schema in ``measurements/``; a file that does
    not validate raises :class:`UsageError` naming file, line and column, so that nothing is measured
    into it. Returns the rows read (a missing file is new: no rows)."""
    rows: dict[Path, tuple[dict[str, Any], ...]] = {}
    for path, dataset in files:
        if not path.exists():
            rows[path] = ()
            continue
        try:
            rows[path] = tuple(read_table(path, Schema.load(MEASUREMENTS / f"{dataset}.schema.json")).rows)
        except DataError as exc:
            raise UsageError(f"{path} is not valid, nothing was measured:\n{exc}") from None
    return rows


def make_dirs(*paths: Path) -> None:
    """Create each directory (the cache, a CSV's folder); :class:`UsageError` when one cannot be."""
    for path in paths:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create {exc.filename}: {exc.strerror}") from None


def exit_status(main: Callable[[], int]) -> int:
    """Run a script's body: its own status, or 2 with the error line for a :class:`UsageError`."""
    try:
        return main()
    except UsageError as exc:
        log(f"error: {exc}")
        return 2
