#!/usr/bin/env python3
"""Build the full Dockerfiles the site shows, verbatim, and record each outcome in
measurements/dockerfile_builds.csv.

Each file is built as a reader would build it: its text unchanged at the root of a copy of the
program's crate, `docker build --no-cache .` with no build argument. The builder it names
(rust:<release>-slim-bookworm) is pulled, or made here as a local equivalent when no registry is
reachable (cheatsheet/measure/builder.py says how it differs); a base bootstrapped here is tagged with
the name the file's ARG BASE gives. The image is then run with the same check as the variant's row of
images.csv. A file that cannot be built here (a build that needs BuildKit, a base that cannot be
obtained) is a row too, with the error that stopped it.

Examples:
  python scripts/build_dockerfiles.py                      # the files the pages show
  python scripts/build_dockerfiles.py --only 'hello-world/scratch-glibc'
Exit status: 0 every selected file has its row, 1 some could not be measured, 2 bad arguments or data.
"""

from __future__ import annotations

import sys

from cheatsheet.measure import cli
from cheatsheet.measure.cli import log
from cheatsheet.measure.context import Context
from cheatsheet.measure.verbatim import run
from cheatsheet.paths import MEASUREMENTS

#: The full Dockerfiles the pages show: hello-world's seven bases (its page), the arm64 one (the arm64
#: page) and the webserver's three (HTTPS with compiled-in roots on scratch, system roots on
#: distroless/static, dynamic OpenSSL on distroless/cc).
SHOWN = [
    "hello-world/debian",
    "hello-world/debian-slim",
    "hello-world/distroless-cc",
    "hello-world/alpine",
    "hello-world/distroless-static",
    "hello-world/scratch-glibc",
    "hello-world/scratch-musl",
    "hello-world/scratch-musl-arm64",
    "webserver/scratch-glibc-rustls-ring",
    "webserver/static-system-roots",
    "webserver/cc-openssl",
]


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(__doc__)
    cli.add_only(parser, "build the full Dockerfiles of the variants matching GLOB (program/variant, or variant "
                 "alone; default: the files the pages show)")  # fmt: skip
    cli.add_files(parser, MEASUREMENTS / "dockerfile_builds.csv", pull="the builder or the bases")
    parser.add_argument(
        "--buildx",
        action="store_true",
        help="build with BuildKit (docker buildx build --platform linux/<arch> --load), as the arm64 files "
        "say; needs the buildx plugin (GitHub's runners have it, this project's machine does not)",
    )
    args = parser.parse_args(argv)

    def body() -> int:
        recipes, selected = cli.selection(args.recipes, args.only, SHOWN)
        cli.refuse_invalid([(args.csv, "dockerfile_builds")])
        cli.make_dirs(args.cache_dir, args.csv.parent)
        ctx = Context(recipes=recipes, csv_path=MEASUREMENTS / "images.csv", cache_dir=args.cache_dir,
                      allow_pull=not args.no_pull, log=log)  # fmt: skip
        failed = run(selected, ctx, args.csv, buildx=args.buildx)
        log(f"done: {len(selected) - failed} of {len(selected)} files recorded in {args.csv}")
        return 1 if failed else 0

    return cli.exit_status(body)


if __name__ == "__main__":
    sys.exit(main())
