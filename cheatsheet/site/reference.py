"""What contributors look things up in, made from the registries themselves: every dataset's columns,
every macro with its arguments, every rule a schema may use. Nothing here is typed twice."""

from __future__ import annotations

import inspect

from ..data.rules import RULES, TABLE_RULES
from . import render
from .context import MACROS, Site, macro
from .render import Column, text


@macro
def schema_tables(site: Site) -> str:
    """One collapsible table per dataset: its columns as its schema describes them."""
    blocks = []
    for name, table in site.data.tables.items():
        body = site.call("schema_table", name)
        indented = "\n".join(f"    {line}" if line else "" for line in body.splitlines())
        title = text(table.schema.title)
        blocks.append(f'??? info "The columns of {name}.csv: {title}"\n\n{indented}')
    return "\n\n".join(blocks)


def arguments(name: str) -> str:
    """``(program, variant)``: the arguments a page calls a macro with."""
    params = list(inspect.signature(MACROS[name]).parameters.values())[1:]  # the page context is given
    shown = [p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}" for p in params]
    return f"({', '.join(shown)})"


@macro
def macro_table(site: Site) -> str:
    """Every macro a page may call, with its arguments and the first line of its description."""

    def summary(name: str) -> str:
        doc = inspect.getdoc(MACROS[name]) or ""
        return text(" ".join(doc.split("\n\n", 1)[0].split()))

    columns: list[Column[str]] = [
        # the name alone in the first column (it never breaks), the arguments where they may wrap
        Column("Macro", render.code),
        # no key column: a macro's name (up to hardening_contents_table) and its description do not fit a
        # phone side by side; the table scrolls with its cue
        Column("Shows", summary),
        Column("Arguments", lambda n: render.code(arguments(n))),
    ]
    return render.table(columns, sorted(MACROS))


@macro
def rules_table(site: Site) -> str:
    """Every row rule and table rule a schema may name, with what it checks."""
    items = [(name, "row", r.description) for name, r in RULES.items()]
    items += [(name, "table", r.description) for name, r in TABLE_RULES.items()]
    columns: list[Column[tuple[str, str, str]]] = [
        Column("Rule", lambda i: render.code(i[0])),
        Column("Checks", lambda i: "each row" if i[1] == "row" else "the whole file"),
        Column("What it holds", lambda i: text(i[2]), key=True),
    ]
    return render.table(columns, items)
