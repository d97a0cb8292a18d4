"""x86-64 and arm64 side by side: the tables of the architecture comparison (issue 11).

A recipe declared with ``arches = ["amd64", "arm64"]`` gives two variants of one program, ``<id>`` and
``<id>-arm64`` (cheatsheet/recipes/model.py); :func:`pairs` finds them from the recipes, so a table never
guesses a pairing from ids in the data. Every figure is a measured row; an arm64 image's run time
under emulation is never shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import render
from ..recipes.arch import ARCHES, DEFAULT_ARCH
from ..recipes.model import Variant
from .context import Site, macro
from .network import BASE_ORDER
from .render import Column, text


Row = dict[str, Any]
OTHER_ARCH = "arm64"


@dataclass(frozen=True)
class Pair:
    """One variant for x86-64 and the same recipe for another architecture, with their rows."""

    native: Variant
    other: Variant
    native_row: Row | None
    other_row: Row | None


def pairs(variants: Sequence[Variant], arch: str = OTHER_ARCH) -> list[tuple[Variant, Variant]]:
    """(x86-64 variant, ``arch`` variant) of each recipe declared for both, in recipe order."""
    by_key = {v.key: v for v in variants}
    out = []
    for native in variants:
        if native.arch != DEFAULT_ARCH:
            continue
        other = by_key.get(native.for_arch(arch).key)
        if other is not None and other == native.for_arch(arch):
            out.append((native, other))
    return out


def _pairs(site: Site, program: str, variants: object) -> list[Pair]:
    found = pairs([v for v in site.data.recipes.variants if v.program.id == program])
    if variants is not None:
        wanted = site.variant_list(program, variants)
        found = [p for p in found if p[0].id in wanted]
        missing = [vid for vid in wanted if vid not in {p[0].id for p in found}]
        if missing:
            raise site.fail(f"{program}: {', '.join(missing)} is not declared for {OTHER_ARCH} (arches in the recipe)")
    if not found:
        raise site.fail(f"{program} has no variant declared for both amd64 and {OTHER_ARCH}")
    return [Pair(n, o, site.measured(program, n.id), site.measured(program, o.id)) for n, o in found]


def _delta(delta: int, reference: int) -> str:
    """``+1,234 B (+0.5%)``: a signed difference in bytes and relative to ``reference``, sortable."""
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    relative = f" ({sign}{abs(delta) / reference:.1%})" if reference else ""  # nothing is a share of 0 bytes
    return render.sort_key(f"{sign}{abs(delta):,} B{relative}", delta)


def _bytes(row: Row | None, column: str) -> int | None:
    return int(row[column]) if row is not None and row[column] is not None else None


@macro
def arch_table(site: Site, program: object, variants: object = None) -> str:
    """Each variant of ``program`` declared for both architectures: image and binary bytes side by
    side, the difference, and whether the arm64 image did what it should under emulation."""
    pid = site.program(program)
    items = _pairs(site, pid, variants)
    native_title, other_title = ARCHES[DEFAULT_ARCH].title, ARCHES[OTHER_ARCH].title

    def size(which: str, column: str) -> Callable[[Pair], str]:
        def cell(p: Pair) -> str:
            row = p.native_row if which == "native" else p.other_row
            variant = p.native if which == "native" else p.other
            if row is None:
                return "not measured" + site.not_measured_note(pid, variant.id)
            value = _bytes(row, column)
            if value is None:
                return "not built" + site.notes.ref("data", text(row["failure"]))
            return render.size(value)

        return cell

    def difference(column: str) -> Callable[[Pair], str]:
        def cell(p: Pair) -> str:
            a, b = _bytes(p.native_row, column), _bytes(p.other_row, column)
            if a is None or b is None:
                return ""
            return _delta(b - a, a)

        return cell

    def runs(p: Pair) -> str:
        row = p.other_row
        if row is None:
            return ""
        if row["runs"] == "yes":
            return "yes"
        return "no" + site.notes.ref("data", f"Under emulation: {text(row['failure'])}")

    emulated = site.notes.ref(
        "data",
        "Run on the x86-64 measuring machine under user-mode emulation (Debian's qemu-user-static through "
        "binfmt_misc): the check is what the program printed or served, never how fast.",
    )
    # which toolchain built each side, once per table: a note on each binary column's title
    native_rows = [p.native_row for p in items if p.native_row is not None]
    other_rows = [p.other_row for p in items if p.other_row is not None]
    native_built = site.header_note(native_rows, lambda r: text(r["variant"]), site.toolchain_note_text)
    other_built = site.header_note(other_rows, lambda r: text(r["variant"]), site.toolchain_note_text)
    columns: list[Column[Pair]] = [
        Column("Variant", lambda p: render.code(p.native.id)),
        Column("Base", lambda p: text(p.native.base.name)),
        Column("C library", lambda p: f"{text(p.native.target.libc)}, {text(p.native.target.crt_linkage)}"),
        Column(f"Image {native_title}", size("native", "image_bytes"), "r"),
        Column(f"Image {other_title}", size("other", "image_bytes"), "r"),
        Column(f"{other_title} − {native_title}", difference("image_bytes"), "r"),
        Column(f"Binary {native_title}{native_built}", size("native", "binary_bytes"), "r"),
        Column(f"Binary {other_title}{other_built}", size("other", "binary_bytes"), "r"),
        Column(f"{other_title} runs{emulated}", runs),
    ]
    return render.table(columns, items)


@macro
def base_arch_table(site: Site) -> str:
    """Every base image measured for both architectures: its bytes and files on each."""
    by_base: dict[str, dict[str, Row]] = {}
    for r in site.data.rows("base_images"):
        by_base.setdefault(r["base"], {})[r["arch"]] = r
    names = sorted(
        (b for b, rows in by_base.items() if DEFAULT_ARCH in rows and OTHER_ARCH in rows and b != "scratch"),
        key=lambda b: BASE_ORDER.index(b) if b in BASE_ORDER else 99,
    )
    if not names:
        return "No base image has been measured for both architectures yet." + site.notes.ref(
            "data", "Not measured yet: base_images.csv has no base with rows for both x86-64 and arm64."
        )
    native_title, other_title = ARCHES[DEFAULT_ARCH].title, ARCHES[OTHER_ARCH].title

    def size(arch: str) -> Callable[[str], str]:
        return lambda b: render.size(int(by_base[b][arch]["base_bytes"]))

    def files(arch: str) -> Callable[[str], str]:
        return lambda b: render.sort_key(f"{int(by_base[b][arch]['files']):,}", int(by_base[b][arch]["files"]))

    def difference(b: str) -> str:
        a, o = int(by_base[b][DEFAULT_ARCH]["base_bytes"]), int(by_base[b][OTHER_ARCH]["base_bytes"])
        return _delta(o - a, a)

    def source(b: str) -> str:
        return " / ".join(text(by_base[b][arch]["base_source"]) for arch in (DEFAULT_ARCH, OTHER_ARCH))

    columns: list[Column[str]] = [
        Column("Base", text),
        Column(f"Size {native_title}", size(DEFAULT_ARCH), "r"),
        Column(f"Size {other_title}", size(OTHER_ARCH), "r"),
        Column(f"{other_title} − {native_title}", difference, "r"),
        Column(f"Files {native_title}", files(DEFAULT_ARCH), "r"),
        Column(f"Files {other_title}", files(OTHER_ARCH), "r"),
        Column("Obtained", source),
    ]
    return render.table(columns, names)
