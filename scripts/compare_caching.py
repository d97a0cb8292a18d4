#!/usr/bin/env python3
"""Compare the common ways of caching Rust dependencies in a Docker build, side by side, and write
measurements/build_caching.csv.

One program (default: the webserver's scratch image with rustls, ring and hickory) is built with each
method's Dockerfile (cheatsheet/recipes/caching.py) through four states: cold, after a source-only
edit, after a dependency is added, and after Cargo.lock moves one version. In each state the methods
take turns; a repetition repeats all of it with nothing reused (cheatsheet/measure/caching.py). The
builder is the one the full Dockerfiles name (pulled, or made here: see scripts/build_dockerfiles.py).
The file is replaced only when the whole run succeeded.

Examples:
  python scripts/compare_caching.py                    # two repetitions, about 80 minutes on two cores
  python scripts/compare_caching.py --repetitions 1 --methods skeleton,cache-mounts
  python scripts/compare_caching.py --repetitions 1 --repetition-from 2 --merge   # add a second repetition
Exit status: 0 written, 1 a build failed (nothing written), 2 bad arguments or data.
"""

from __future__ import annotations

import signal
import sys

from cheatsheet.data.schema import Schema
from cheatsheet.data.store import upsert_rows
from cheatsheet.data.table import validate_row
from cheatsheet.measure import cli
from cheatsheet.measure.builder import ensure_builder
from cheatsheet.measure.caching import compare
from cheatsheet.measure.cli import log
from cheatsheet.measure.context import Context
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.toolchain import ToolchainError
from cheatsheet.paths import MEASUREMENTS, label
from cheatsheet.recipes import DEFAULT_ARCH
from cheatsheet.recipes.caching import COMPARED, METHOD_IDS

DEFAULT_VARIANT = "/".join(COMPARED)


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(__doc__)
    parser.add_argument("--variant", default=DEFAULT_VARIANT, help="program/variant to build (default: %(default)s)")
    parser.add_argument("--repetitions", type=cli.positive, default=2, help="repetitions (default: %(default)s)")
    parser.add_argument(
        "--repetition-from",
        type=cli.positive,
        default=1,
        metavar="N",
        help="number the repetitions from N, e.g. to add a second one to the file with --merge (default: 1)",
    )
    parser.add_argument("--methods", default=",".join(METHOD_IDS), help="comma-separated (default: %(default)s)")
    cli.add_files(parser, MEASUREMENTS / "build_caching.csv", pull="the builder")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="replace only the rows of the methods and repetitions measured, keeping the others (default: "
        "the run replaces the whole file)",
    )
    args = parser.parse_args(argv)
    methods = tuple(m for m in args.methods.split(",") if m)
    if not methods or set(methods) - set(METHOD_IDS):
        parser.error(f"--methods takes some of {', '.join(METHOD_IDS)}")
    # SIGTERM ends the run through the same clean-up as an error: the builder's tag is put back and the
    # repetition's images and volumes are removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def body() -> int:
        recipes, matched = cli.selection(args.recipes, [args.variant])
        if len(matched) != 1:
            raise cli.UsageError(f"--variant {args.variant} matches {len(matched)} variants; name one program/variant")
        variant = matched[0]
        cli.refuse_invalid([(args.csv, "build_caching")])
        cli.make_dirs(args.cache_dir, args.csv.parent)
        schema = Schema.load(MEASUREMENTS / "build_caching.schema.json")
        ctx = Context(recipes=recipes, csv_path=MEASUREMENTS / "images.csv", cache_dir=args.cache_dir,
                      allow_pull=not args.no_pull, log=log)  # fmt: skip
        rows = []
        try:
            slim = next(v for v in recipes.variants if v.base.name == "debian-slim" and v.arch == DEFAULT_ARCH)
            tc = ctx.toolchain("rustup")
            builder = ensure_builder(ctx.base(slim), tc, allow_pull=ctx.allow_pull, log=log)
            logs = args.cache_dir / "logs" / "caching"
            cli.make_dirs(logs)
            for repetition in range(args.repetition_from - 1, args.repetition_from - 1 + args.repetitions):
                rows += compare(variant, builder, tc.cargo, args.cache_dir / "caching", logs, ctx.docker_version(),
                                repetition, methods, say=log)  # fmt: skip
            for row in rows:
                validate_row(schema, row, label=f"{label(args.csv)} (new row)")
        except (MeasureError, ToolchainError) as exc:
            log(f"error: {exc}; {label(args.csv)} left as it was")
            return 1
        upsert_rows(args.csv, rows, label=label(args.csv), schema=schema, replace_all=not args.merge)
        log(f"done: {len(rows)} builds written to {label(args.csv)}")
        return 0

    return cli.exit_status(body)


if __name__ == "__main__":
    sys.exit(main())
