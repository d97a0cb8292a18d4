#!/usr/bin/env python3
"""Merge the rows of partial CSV files (one per measurement job) into a dataset (measurements/images.csv).

Usage: python scripts/merge_rows.py PARTIAL.csv [PARTIAL.csv ...] [--into measurements/images.csv]
       python scripts/merge_rows.py rows/*.base_images.csv --into measurements/base_images.csv

Each partial file is read and checked with the target's schema (cheatsheet.data.table.read_table), then
all their rows are written with the same store code as a local measurement (cheatsheet.data.store.upsert_rows):
a row replaces the one with the same key, other lines stay byte for byte, each value is written as the
job wrote it (a merge of an unchanged row changes nothing), and the file is replaced
atomically after the new content passed the schema. If any partial file is invalid, every problem
is printed as `file:line:column: message` and the target is left as it was.
Exit status: 0 merged (or nothing to merge), 1 invalid data, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cheatsheet.data.schema import Schema, schema_path_for
from cheatsheet.data.store import upsert_rows
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.paths import MEASUREMENTS, label


def merge(partials: list[Path], target: Path) -> tuple[int, bool]:
    """Put every row of ``partials`` into ``target``; return (rows read, whether the file changed).

    Raises DataError naming file:line:column if a partial file or the result is invalid; then the
    target is unchanged. Two partial files with a row of the same key are refused too: which
    measurement wins would depend on the order of the arguments.
    """
    schema = Schema.load(schema_path_for(target))
    rows: list[dict] = []
    first_seen: dict[tuple, str] = {}
    problems = []
    for partial in partials:
        try:
            table = read_table(partial, schema, label=label(partial))
        except DataError as exc:
            problems += exc.problems
            continue
        for i, row in enumerate(table.rows):
            key = tuple(row[k] for k in schema.primary_key)
            if key in first_seen:
                message = f"row ({', '.join(map(str, key))}) is also in {first_seen[key]}"
                problems.append(table.error(i, schema.primary_key[0], message))
                continue
            first_seen[key] = label(partial)
            rows.append(table.texts[i])  # each value as the job wrote it: merging changes no byte of it
    if problems:
        raise DataError(problems)
    if not rows:
        return 0, False
    return len(rows), upsert_rows(target, rows, label=label(target), schema=schema)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("partials", nargs="+", type=Path, metavar="PARTIAL.csv", help="CSV files written by jobs")
    parser.add_argument(
        "--into",
        type=Path,
        default=MEASUREMENTS / "images.csv",
        help="CSV file to merge into (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        count, changed = merge(args.partials, args.into)
    except DataError as exc:
        print(f"{exc}\nnothing was merged into {label(args.into)}", file=sys.stderr)
        return 1
    state = "updated" if changed else "unchanged"
    print(f"merged {count} row(s) from {len(args.partials)} file(s); {label(args.into)} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
