"""What spans datasets: every ``foreignKeys`` and ``agreements`` declaration of a schema, checked against
the other datasets."""

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


def check_agreements(tables: Mapping[str, Table]) -> list[Problem]:
    """Problems of every ``agreements`` declaration: a row that matches a row of the other dataset on
    the ``match`` columns must hold the same values in the agreed columns (base_bytes of an image and
    of its base image, say)."""
    problems: list[Problem] = []
    for table in tables.values():
        for agreement in table.schema.agreements:
            target = tables.get(agreement.resource)
            if target is None:
                problems.append(
                    (str(table.schema.path), 1, 1, f"agreement with unknown resource {agreement.resource!r}")
                )
                continue
            theirs = {tuple(r[f] for f in agreement.match): r for r in target.rows}
            where = Path(target.label or target.path).name
            for i, row in enumerate(table.rows):
                other = theirs.get(tuple(row[f] for f in agreement.match))
                if other is None:
                    continue
                for column in agreement.fields:
                    if row[column] != other[column]:
                        shown = ", ".join(f"{m}={quote(row[m])}" for m in agreement.match)
                        problems.append(
                            table.error(
                                i,
                                column,
                                f"{column} is {quote(row[column])} but {where} has {quote(other[column])} for "
                                f"{shown}: {agreement.message}",
                            )
                        )
    return problems
