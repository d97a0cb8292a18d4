#!/usr/bin/env python3
"""Turn `scripts/measure.py --list --json [--only GLOB]` into the job matrix of .github/workflows/measure.yml.

Usage: python .github/scripts/measure_matrix.py VARIANTS.json

VARIANTS.json is the array `measure.py --list --json` prints: one object per variant with at least
`program`, `id` (the variant's id within its program) and `group`. The selection by glob is made by
measure.py itself (`--only`), the one place variants are selected; this script only groups. The
matrix has one entry per group: `group`, `name` (the group as an artifact name may spell it) and
`ids` (the group's `program/variant` ids, space-separated, each one `measure.py --only` argument).
Prints `matrix=<json>` and `count=<variants>` lines, the format of $GITHUB_OUTPUT.
Exit status: 0, or 2 when the array is empty or is not such an array.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path


def full_id(variant: dict) -> str:
    """``program/variant``: the one --only argument that selects this variant and no other."""
    return variant["id"] if "/" in variant["id"] else f"{variant['program']}/{variant['id']}"


def matrix(variants: list[dict]) -> dict:
    """The strategy.matrix value: {"include": [{"group", "name", "ids"}, ...]}, groups in first-seen order."""
    groups: dict[str, list[str]] = {}
    for v in variants:
        vid = full_id(v)
        groups.setdefault(str(v.get("group") or vid.split("/", 1)[0]), []).append(vid)
    return {
        "include": [
            {"group": group, "name": re.sub(r"[^A-Za-z0-9._-]+", "-", group).strip("-"), "ids": " ".join(ids)}
            for group, ids in groups.items()
        ]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", type=Path, help="output of scripts/measure.py --list --json [--only GLOB]")
    args = parser.parse_args(argv)
    try:
        variants = json.loads(args.variants.read_text(encoding="utf-8"))
        if not isinstance(variants, list) or not all(
            isinstance(v, dict) and "id" in v and ("program" in v or "/" in v["id"]) for v in variants
        ):
            raise ValueError("expected a JSON array of objects with a 'program' and an 'id'")
    except (OSError, ValueError) as exc:
        print(f"error: {args.variants}: {exc}", file=sys.stderr)
        return 2
    if not variants:
        print(f"error: {args.variants} lists no variant", file=sys.stderr)
        return 2
    result = matrix(variants)
    print(f"matrix={json.dumps(result, separators=(',', ':'))}")
    print(f"count={len(variants)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
