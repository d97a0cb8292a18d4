"""Foreign keys: every ``foreignKeys`` declaration of a dataset's schema, checked against the other datasets."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .table import Table
from .text import Problem, quote


def check_foreign_keys(tables: Mapping[str, Table]) -> list[Problem]:
    """Problems of every ``foreignKeys`` declaration of ``tables`` (by dataset name) against the others."""
    problems: list[Problem] = []
    for table in tables.values():
        for fk in table.schema.foreign_keys:
            target = tables.get(fk.resource)
            if target is None:
                problems.append((str(table.schema.path), 1, 1, f"foreign key to unknown resource {fk.resource!r}"))
                continue
            known = {tuple(r[f] for f in fk.resource_fields) for r in target.rows}
            shown = ", ".join(sorted(", ".join(map(str, k)) for k in known)) or "no rows"
            where = f"{Path(target.label or target.path).name} has {'/'.join(fk.resource_fields)}"
            for i, row in enumerate(table.rows):
                key = tuple(row[f] for f in fk.fields)
                if key not in known:
                    value = ", ".join(quote(k) for k in key)
                    problems.append(
                        table.error(i, fk.fields[0], f"unknown {'/'.join(fk.fields)} {value}; {where}: {shown}")
                    )
    return problems
