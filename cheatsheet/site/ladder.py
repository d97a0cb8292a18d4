"""The size-ladder macros: table, chart, commands, smallest rows.

Everything shown comes from the ladder declared in programs/recipes.toml (knob, price, the reason a
step does not apply or cannot be measured) and from the measured rows of images.csv. Step texts may
hold inline code between backticks; everything else in them is encoded by :func:`cheatsheet.render.text`.
A cell of a step whose build failed or that does not run carries a footnote with the recorded message.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import render
from ..recipes.model import Ladder, Rung
from ..recipes.dockerfile import dockerfile
from .charts import ChartError, Series, bar_chart, figure
from .context import Site, macro
from .render import Column, inline, text


Row = dict[str, Any]
KINDS = ("std", "no_std", "any")
STD = {"rustup": "std prebuilt", "debian-build-std": "std rebuilt"}


def column_title(ladder: Ladder, column: str) -> str:
    """``glibc static, std prebuilt``: the C library, its linkage, and how the column gets its std."""
    target = dict(ladder.columns)[column]
    return f"{target.libc} {target.crt_linkage}, {STD.get(target.toolchain, target.toolchain)}"


def _ladder(site: Site, ladder: object) -> Ladder:
    lid = site.string("ladder", ladder)
    for item in site.data.recipes.ladders:
        if item.id == lid:
            return item
    known = ", ".join(item.id for item in site.data.recipes.ladders) or "none"
    raise site.fail(f"unknown ladder {lid!r}; ladders in the recipes: {known}")


def _row(site: Site, rung: Rung) -> Row | None:
    if rung.variant is None:
        return None
    return site.measured(rung.variant.program.id, rung.variant.id)


def is_no_std(program_dir: Path) -> bool:
    """Whether the program's main source declares ``#![no_std]`` (read, not guessed from its name)."""
    main = program_dir / "src" / "main.rs"
    return main.is_file() and re.search(r"^#!\[no_std\]", main.read_text(encoding="utf-8"), re.M) is not None


def anchor(rung: Rung) -> str:
    if rung.variant is not None and not rung.same_as:
        return rung.variant.id
    return f"ladder-{rung.column}-{rung.step.number:02d}-{rung.step.id}"


def _cell(site: Site, rung: Rung) -> str:
    mark = f'<span id="{anchor(rung)}"></span>'
    if rung.variant is None:
        if rung.step.not_measured:
            return mark + "not measured" + site.notes.ref("data", f"Not measured here: {inline(rung.absent)}.")
        return mark + "does not apply" + site.notes.ref("data", f"Does not apply: {inline(rung.absent)}.")
    row = _row(site, rung)
    if row is None:
        return (
            mark
            + "not measured yet"
            + site.notes.ref(
                "data", "Not measured yet: run scripts/measure.py for this step (the command is under the table)."
            )
        )
    if row["image_bytes"] is None:
        return mark + "build failed" + site.notes.ref("data", f"The build failed: {text(row['failure'])}")
    same = ""
    if rung.same_as:
        same = site.notes.ref(
            "data", "From the step that rebuilds std on, both glibc columns build the same binary: one build, shown twice."
        )
    return mark + render.size(int(row["image_bytes"])) + same


def _runs(site: Site, ladder: Ladder, step_number: int) -> str:
    out = []
    for column, _ in ladder.columns:
        rung = next(r for r in ladder.rungs if r.step.number == step_number and r.column == column)
        if rung.same_as:
            continue  # one build, already said for its first column
        row = _row(site, rung)
        if row is None:
            continue
        if row["runs"] == "yes":
            out.append(f"{text(column)}: yes")
        elif row["image_bytes"] is None:
            out.append(f"{text(column)}: not built")
        else:
            out.append(f"{text(column)}: no" + site.notes.ref("data", f"Does not run: {text(row['failure'])}"))
    return ", ".join(out) or "–"


@macro
def ladder_table(site: Site, ladder: object = "hello-size") -> str:
    """Every step of a size ladder: knob, price, image bytes per libc, whether it runs."""
    ladder_id = ladder
    ladder = _ladder(site, ladder_id)
    note = site.notes.ref(
        "data",
        "Bytes of the image as `docker image inspect` reports it; on scratch the image is the binary alone, "
        "so this is also the binary's size. Each step is built with everything of the steps above it.",
    )
    columns: list[Column[Any]] = [
        Column("#", lambda s: str(s.number), "r"),
        Column("Step", lambda s: f"{render.code(s.id)}: {inline(s.knob)}"),
        Column("Price", lambda s: inline(s.price)),
    ]
    for column, _ in ladder.columns:
        rows = [r for r in (_row(site, g) for g in ladder.rungs if g.column == column) if r is not None]
        title = text(column_title(ladder, column)) + note
        title += site.header_note(rows, lambda r: text(r["toolchain"]), site.toolchain_note_text)

        def cell(s: Any, column: str = column) -> str:
            return _cell(site, ladder.rung(s.id, column))

        columns.append(Column(title, cell, "r"))
    columns.append(Column("Runs", lambda s: _runs(site, ladder, s.number)))
    return render.table(columns, list(ladder.steps))


@macro
def ladder_chart(site: Site, ladder: object = "hello-size") -> str:
    """The ladder's image sizes as an inline SVG bar chart (log scale); the figures are in ladder_table."""
    ladder_id = ladder
    ladder = _ladder(site, ladder_id)
    labels = [f"{s.number}. {s.id}" for s in ladder.steps]
    series = []
    for column, _ in ladder.columns:
        values: list[int | None] = []
        for s in ladder.steps:
            row = _row(site, ladder.rung(s.id, column))
            ok = row is not None and row["runs"] == "yes" and row["image_bytes"] is not None
            values.append(int(row["image_bytes"]) if ok and row is not None else None)
        series.append(Series(column_title(ladder, column), values))
    if all(v is None for s in series for v in s.values):
        return "No chart: no step of this ladder has been measured to run yet." + site.notes.ref(
            "data", "Not measured yet: run scripts/measure.py for the ladder (the commands are below the table)."
        )
    try:
        svg = bar_chart(
            ladder.title,
            labels,
            series,
            value_format=render.format_bytes,
            axis_title="image bytes (logarithmic); steps without a bar did not run, do not apply or are not measured",
        )
    except ChartError as exc:
        raise site.fail(f"ladder {ladder.id!r}: {exc}") from None
    # A figure of its own: raw HTML in Markdown must not be indented or broken by blank lines.
    svg = svg.replace("\n", " ")
    caption = text("The same figures as the table above, on a logarithmic scale.")
    return figure(svg, caption)


@macro
def ladder_commands(site: Site, ladder: object = "hello-size") -> str:
    """Each step's cargo command and Dockerfile per libc, from the same recipes that were measured."""
    ladder_id = ladder
    ladder = _ladder(site, ladder_id)
    blocks = []
    for s in ladder.steps:
        tabs = []
        for column, _ in ladder.columns:
            rung = ladder.rung(s.id, column)
            if rung.variant is None:
                body = text(("Not measured here: " if s.not_measured else "Does not apply: ") + rung.absent)
            else:
                v = rung.variant
                body = "\n\n".join(
                    [
                        f"In {render.code(v.program.path)}, with {text(v.target.triple)} "
                        f"({text(v.target.toolchain)} toolchain):",
                        render.code_block(v.build_command(), "sh"),
                        render.code_block(dockerfile(v), "dockerfile", title="Dockerfile"),
                    ]
                )
            tabs.append((column_title(ladder, column).replace(",", ""), body))
        inner = render.tabs(tabs)
        indented = "\n".join(f"    {line}" if line else "" for line in inner.splitlines())
        blocks.append(f'??? note "Step {s.number}: {s.id}"\n\n{indented}')
    return "\n\n".join(blocks)


@macro
def ladder_smallest(site: Site, kind: object, ladder: object = "hello-size", page: object = "") -> str:
    """The smallest image of the ladder that runs (kind "std", "no_std" or "any"), linked to its row."""
    ladder_id = ladder
    ladder = _ladder(site, ladder_id)
    kind = site.string("kind", kind)
    if kind not in KINDS:
        raise site.fail(f"argument 'kind' = {kind!r} is not one of: {', '.join(KINDS)}")
    page = site.string("page", page)
    if not re.fullmatch(r"((\.\./)*[a-z0-9_-]+(/[a-z0-9_-]+)*\.md)?", page):
        raise site.fail(f"argument 'page' = {page!r} must be a relative path to a page (or empty: this page)")
    best: tuple[int, Rung] | None = None
    for rung in ladder.rungs:
        row = _row(site, rung)
        if rung.variant is None or row is None or row["runs"] != "yes" or row["image_bytes"] is None:
            continue
        no_std = is_no_std(rung.variant.program.dir)
        if (kind == "std" and no_std) or (kind == "no_std" and not no_std):
            continue
        size = int(row["image_bytes"])
        if best is None or size < best[0]:
            best = (size, rung)
    if best is None:
        return "not measured yet" + site.notes.ref(
            "data", f"No {text(kind)} step of this ladder has been measured to run yet."
        )
    size, rung = best
    label = f"{column_title(ladder, rung.column)}, step {rung.step.number} ({rung.step.id})"
    return f"{render.size(size)} ([{text(label)}]({page}#{anchor(rung)}))"


@macro
def ladder_size(site: Site, step: object, libc: object, ladder: object = "hello-size") -> str:
    """The image bytes of one step in one column (``glibc``, ``glibc-build-std``, ``musl``), for prose; a
    footnote says why when there are none."""
    ladder_id = ladder
    ladder = _ladder(site, ladder_id)
    step, libc = site.string("step", step), site.string("libc", libc)
    try:
        rung = ladder.rung(step, libc)
    except KeyError:
        steps = ", ".join(s.id for s in ladder.steps)
        raise site.fail(
            f"ladder {ladder.id!r} has no step {step!r} in column {libc!r}; steps: {steps}; "
            f"columns: {', '.join(c for c, _ in ladder.columns)}"
        ) from None
    return _cell(site, rung).split("</span>", 1)[1]
