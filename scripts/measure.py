#!/usr/bin/env python3
"""Measure the variants of programs/recipes.toml with Docker and record them in measurements/images.csv.

Each image that passes its check is checked again under docker run's hardening options and its
row goes to measurements/hardening.csv (a cached re-run fills a missing hardening row without
building anything again); what each base image carries goes to measurements/base_images.csv.

Examples:
  python scripts/measure.py --list
  python scripts/measure.py --list --json           # one object per variant, for a CI job matrix
  python scripts/measure.py                       # every variant
  python scripts/measure.py --only 'hello-world/scratch-*'
  python scripts/measure.py --only scratch-musl --no-cache
Exit status: 0 all measured, 1 some variant could not be measured, 2 bad arguments or data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cheatsheet.measure import cli
from cheatsheet.measure.cli import log
from cheatsheet.measure.context import Context
from cheatsheet.measure.runner import run
from cheatsheet.paths import MEASUREMENTS, PROGRAMS
from cheatsheet.recipes import Variant


def matrix_entry(variant: Variant) -> dict[str, str]:
    """One job of a CI matrix: the variant's id and what it is, grouped by program."""
    return {
        "group": variant.program.id,
        "program": variant.program.id,
        "id": variant.id,
        "only": f"{variant.program.id}/{variant.id}",
        "base": variant.base.name,
        "target": variant.target.triple,
        "arch": variant.arch,
        "libc": variant.target.libc,
        "tls": variant.tls,
        "dns": variant.dns,
    }


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(__doc__)
    cli.add_only(parser, "measure the variants whose id (program/variant, or variant alone) matches GLOB")
    parser.add_argument("--list", action="store_true", help="print the variant ids and exit")
    parser.add_argument(
        "--json",
        action="store_true",
        help="with --list: print a JSON array, one object per variant (program, id, base, target, "
        "libc, tls, dns, group)",
    )
    cli.add_files(parser, MEASUREMENTS / "images.csv", pull="base images; bootstrap them")
    parser.add_argument(
        "--facts-csv",
        type=Path,
        default=None,
        help="CSV file to write what each base image carries into (default: base_images.csv beside --csv)",
    )
    parser.add_argument(
        "--hardening-csv",
        type=Path,
        default=None,
        help="CSV file to write each image's hardening row into (default: hardening.csv beside --csv)",
    )
    parser.add_argument("--no-cache", action="store_true", help="measure again even when nothing changed")
    parser.add_argument(
        "--no-build-time",
        action="store_true",
        help="build in the shared target directory and leave build_seconds empty, instead of building each "
        "binary cold and timing it (faster when many variants share dependencies)",
    )
    parser.add_argument(
        "--program-root",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help=f"a directory the programs' paths must stay inside; repeatable (default: {PROGRAMS})",
    )
    args = parser.parse_args(argv)
    if args.json and not args.list:
        parser.error("--json goes with --list")

    def body() -> int:
        recipes, selected = cli.selection(args.recipes, args.only, program_roots=tuple(args.program_root))
        if args.list:
            if args.json:
                print(json.dumps([matrix_entry(v) for v in selected], indent=1))
            else:
                print("\n".join(f"{v.program.id}/{v.id}" for v in selected))
            return 0
        facts = args.facts_csv or args.csv.with_name("base_images.csv")
        hardening = args.hardening_csv or args.csv.with_name("hardening.csv")
        # a partial file of a measurement job may be missing: its first row makes it, with its header
        cli.refuse_invalid([(args.csv, "images"), (facts, "base_images"), (hardening, "hardening")])
        cli.make_dirs(args.cache_dir, args.csv.parent, facts.parent, hardening.parent)
        # Temporary files left by a killed run are removed by the next write, under the CSV's lock
        # (cheatsheet.data.store): never here, where they could be another live run's.
        ctx = Context(
            recipes=recipes,
            csv_path=args.csv,
            facts_path=facts,
            hardening_path=hardening,
            cache_dir=args.cache_dir,
            allow_pull=not args.no_pull,
            use_cache=not args.no_cache,
            time_builds=not args.no_build_time,
            log=log,
        )
        return 1 if run(selected, ctx) else 0

    return cli.exit_status(body)


if __name__ == "__main__":
    sys.exit(main())
