#!/usr/bin/env python3
"""Copy CONTRIBUTING.md into the top of docs/contributing.md, so the two say the same thing.

Usage: python3 .github/scripts/sync_contributing.py [--check]

CONTRIBUTING.md is the one source: GitHub shows it to people opening a pull request, and the site's
contributing page is that text followed by what only the site can show (the columns of every dataset,
made by macros from the schemas). Everything in docs/contributing.md above END_MARK is rewritten from
CONTRIBUTING.md, inside `{% raw %}` so that mkdocs-macros shows it as written; everything below is
kept. With --check, nothing is written and the exit status says whether the page is up to date.
Exit status: 0 up to date (or updated), 1 out of date (--check), 2 the page lacks END_MARK.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "CONTRIBUTING.md"
PAGE = REPO / "docs" / "contributing.md"
HEAD = (
    "<!-- Down to the end mark, this page is CONTRIBUTING.md, copied by .github/scripts/sync_contributing.py.\n"
    "     Edit CONTRIBUTING.md, then run that script (the pre-commit hook does). Below the mark: the site's own. -->\n"
)
END_MARK = "<!-- end of CONTRIBUTING.md -->\n"


def page_text(source: str, page: str) -> str:
    """The contributing page for ``source`` (CONTRIBUTING.md's text), keeping what ``page`` has below END_MARK."""
    _, mark, tail = page.partition(END_MARK)
    if not mark:
        raise ValueError(f"{PAGE.relative_to(REPO)} has no line {END_MARK.strip()!r}")
    return f"{HEAD}{{% raw %}}\n{source.rstrip()}\n{{% endraw %}}\n{END_MARK}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only say whether the page is up to date")
    args = parser.parse_args(argv)
    current = PAGE.read_text(encoding="utf-8")
    try:
        wanted = page_text(SOURCE.read_text(encoding="utf-8"), current)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if wanted == current:
        return 0
    if args.check:
        print(
            f"{PAGE.relative_to(REPO)} is not CONTRIBUTING.md's text: run python3 .github/scripts/sync_contributing.py",
            file=sys.stderr,
        )
        return 1
    PAGE.write_text(wanted, encoding="utf-8")
    print(f"{PAGE.relative_to(REPO)} updated from CONTRIBUTING.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
