#!/usr/bin/env python3
"""Check every dataset in measurements/ against its schema and the recipes.

Prints one `file:line:column: message` line per problem and exits 1, or says how many rows are valid
and exits 0. The site build runs the same checks; this is the quick way to run them alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cheatsheet.datasets import DATASETS, load_measurements  # noqa: E402
from cheatsheet.recipes import RecipeError  # noqa: E402
from cheatsheet.tables import DataError  # noqa: E402


def main() -> int:
    try:
        data = load_measurements()
    except (DataError, RecipeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = ", ".join(f"{name}.csv {len(getattr(data, name).rows)} rows" for name in DATASETS)
    print(f"measurements valid: {counts}; recipes: {len(data.recipes.variants)} variants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
