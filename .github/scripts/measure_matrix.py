#!/usr/bin/env python3
"""Turn `scripts/measure.py --list --json` into the job matrix of .github/workflows/measure.yml.

Usage: python .github/scripts/measure_matrix.py VARIANTS.json [--only GLOB]

VARIANTS.json is the array `measure.py --list --json` prints: one object per variant with at least
`program`, `id` (the variant's id within its program) and `group`. The matrix has one entry per group
among the selected variants: `group`, `name` (the group as an artifact name may spell it) and `ids`
(the group's `program/variant` ids, space-separated, each one `measure.py --only` argument).
GLOB selects variants as `measure.py --only` does: it is matched against the full id and against the
variant part alone; an empty GLOB selects every variant.
Prints `matrix=<json>` and `count=<variants>` lines, the format of $GITHUB_OUTPUT.
Exit status: 0, or 2 when GLOB matches nothing or the input is not such an array.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import sys
from pathlib import Path


def selected(variant_id: str, glob: str) -> bool:
    return not glob or fnmatch.fnmatchcase(variant_id, glob) or fnmatch.fnmatchcase(variant_id.split("/", 1)[-1], glob)


def full_id(variant: dict) -> str:
    """``program/variant``: the one --only argument that selects this variant and no other."""
    return variant["id"] if "/" in variant["id"] else f"{variant['program']}/{variant['id']}"


def matrix(variants: list[dict], glob: str = "") -> dict:
    """The strategy.matrix value: {"include": [{"group", "name", "ids"}, ...]}, groups in first-seen order."""
    groups: dict[str, list[str]] = {}
    for v in variants:
        vid = full_id(v)
        if selected(vid, glob):
            groups.setdefault(str(v.get("group") or vid.split("/", 1)[0]), []).append(vid)
    return {
        "include": [
            {"group": group, "name": re.sub(r"[^A-Za-z0-9._-]+", "-", group).strip("-"), "ids": " ".join(ids)}
            for group, ids in groups.items()
        ]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", type=Path, help="output of scripts/measure.py --list --json")
    parser.add_argument("--only", default="", metavar="GLOB", help="select variants by id (default: all)")
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
    result = matrix(variants, args.only.strip())
    count = sum(len(entry["ids"].split()) for entry in result["include"])
    if not count:
        ids = ", ".join(full_id(v) for v in variants)
        print(f"error: --only {args.only!r} matches no variant; the variants are: {ids}", file=sys.stderr)
        return 2
    print(f"matrix={json.dumps(result, separators=(',', ':'))}")
    print(f"count={count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
