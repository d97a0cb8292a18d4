#!/usr/bin/env python3
"""Check every dataset in measurements/ against its schema and the recipes.

Prints one `file:line:column: message` line per problem and exits 1, or says how many rows are valid
and exits 0. The site build runs the same checks; this is the quick way to run them alone. It then
renders every page's macros as the build does (no HTML is written), so data it accepts builds.

When the environment variable GITHUB_ACTIONS is set (as it is on GitHub's runners), each problem is
printed as a workflow command instead, `::error file=…,line=…,col=…::message`, so that GitHub shows
it as an annotation on the line of the pull request's diff.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from cheatsheet.data.text import DataError
from cheatsheet.paths import REPO
from cheatsheet.recipes import RecipeError
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import PageError, render_pages


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def repo_path(path: str) -> str:
    """``path`` relative to the repository when it lies inside it: GitHub matches annotations by that path."""
    if not Path(path).is_absolute():
        return path
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return path


def annotation(path: str, line: int, col: int, message: str) -> str:
    """One GitHub workflow command that marks ``path:line:col`` with ``message`` as an error."""
    return f"::error file={_escape_property(repo_path(path))},line={line},col={col}::{_escape_data(message)}"


def report(exc: Exception, *, github: bool) -> list[str]:
    """The lines to print for a DataError or RecipeError."""
    problems = exc.problems if isinstance(exc, DataError) else None
    if not github:
        return [str(exc)]
    if problems is None:
        # A RecipeError's message starts with the recipes file's path; GitHub needs no position to show it.
        path, _, message = str(exc).partition(": ")
        if message and Path(path).suffix == ".toml":
            return [f"::error file={_escape_property(repo_path(path))}::{_escape_data(message)}"]
        return [f"::error::{_escape_data(str(exc))}"]
    return [annotation(path, line, col, message) for path, line, col, message in problems]


def main() -> int:
    github = bool(os.environ.get("GITHUB_ACTIONS"))
    try:
        data = load_measurements()
    except (DataError, RecipeError) as exc:
        # Workflow commands are read from standard output; plain messages go to standard error.
        print("\n".join(report(exc, github=github)), file=sys.stdout if github else sys.stderr)
        return 1
    counts = ", ".join(f"{name}.csv {len(table.rows)} rows" for name, table in data.tables.items())
    try:
        pages = render_pages(data)
    except PageError as exc:
        message = f"the data is valid, but a page cannot show it: {exc}"
        print(f"::error::{_escape_data(message)}" if github else message, file=sys.stdout if github else sys.stderr)
        return 1
    print(f"measurements valid: {counts}; recipes: {len(data.recipes.variants)} variants; {len(pages)} pages render")
    return 0


if __name__ == "__main__":
    sys.exit(main())
