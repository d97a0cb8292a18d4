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

from ..recipes.arch import ARCHES, DEFAULT_ARCH
from ..recipes.model import Variant
from . import render
from .context import Site, macro
from .network import BASE_ORDER
from .render import Column, text

Row = dict[str, Any]
OTHER_ARCH = "arm64"


@dataclass(frozen=True)
class Pair:
    """One recipe for x86-64 and for another architecture, with its rows. ``partner`` is the x86-64
    variant built by the same toolchain as the other architecture's (the variant itself when its own
    toolchain already is; else its ``<id>-build-std`` twin): every difference is taken to it."""

    native: Variant
    partner: Variant
    other: Variant
    native_row: Row | None
    partner_row: Row | None
    other_row: Row | None


def pairs(variants: Sequence[Variant], arch: str = OTHER_ARCH) -> list[tuple[Variant, Variant, Variant]]:
    """(x86-64 variant, its same-toolchain partner, ``arch`` variant) of each recipe declared for both."""
    by_key = {v.key: v for v in variants}
    out = []
    for native in variants:
        if native.arch != DEFAULT_ARCH or native.like_for_like_of:
            continue
        other = by_key.get(native.for_arch(arch).key)
        if other is None or other != native.for_arch(arch):
            continue
        partner = native
        if other.target.toolchain != native.target.toolchain:
            twin = native.with_toolchain(other.target.toolchain)
            partner = by_key.get(twin.key, twin)
        out.append((native, partner, other))
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
    return [
        Pair(n, t, o, site.measured(program, n.id), site.measured(program, t.id), site.measured(program, o.id))
        for n, t, o in found
    ]


def _delta(delta: int, reference: int) -> str:
    """``+1,234 B (+0.5%)``: a signed difference in bytes and relative to ``reference``, sortable."""
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    relative = f" ({sign}{abs(delta) / reference:.1%})" if reference else ""  # nothing is a share of 0 bytes
    return render.sort_key(f"{sign}{abs(delta):,}&#160;B{relative}", delta)  # the figure and its unit on one line


def _bytes(row: Row | None, column: str) -> int | None:
    return int(row[column]) if row is not None and row[column] is not None else None


@macro
def arch_table(site: Site, program: object, variants: object = None) -> str:
    """Each variant of ``program`` declared for both architectures: image and binary bytes side by
    side, the difference, and whether the arm64 image did what it should under emulation."""
    pid = site.program(program)
    items = _pairs(site, pid, variants)
    native_title, other_title = ARCHES[DEFAULT_ARCH].title, ARCHES[OTHER_ARCH].title

    def side(p: Pair, which: str) -> tuple[Variant, Row | None]:
        return {
            "native": (p.native, p.native_row),
            "partner": (p.partner, p.partner_row),
            "other": (p.other, p.other_row),
        }[which]

    def size(which: str, column: str) -> Callable[[Pair], str]:
        def cell(p: Pair) -> str:
            if which == "native" and p.partner is p.native:
                return "–"  # the same build as the like-for-like column
            variant, row = side(p, which)
            return site.size(row, column, pid, variant.id)

        return cell

    def difference(column: str) -> Callable[[Pair], str]:
        def cell(p: Pair) -> str:
            a, b = _bytes(p.partner_row, column), _bytes(p.other_row, column)
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

    # which toolchain built each side, once per table: a note on each column's title
    def built(which: str) -> str:
        rows = [row for p in items if (row := side(p, which)[1]) is not None]
        return site.header_note(rows, lambda r: text(r["variant"]), site.toolchain_note_text)

    same = site.notes.ref(
        "data",
        f"{native_title} built by the same toolchain as {other_title}, with the standard library rebuilt from "
        "source: the only difference in these columns is the architecture. A glibc variant measured with "
        "rustup's prebuilt std has a partner built this way (its id ends in -build-std).",
    )
    prebuilt = site.notes.ref(
        "data",
        f"The {native_title} binary of the variant itself, built with rustup's prebuilt std (– where that is the "
        "toolchain of the other columns already). Another toolchain: no difference is taken to it.",
    )
    columns: list[Column[Pair]] = [
        Column("Variant", lambda p: render.code(p.native.id)),
        Column("Base", lambda p: text(p.native.base.name)),
        Column("C library", lambda p: f"{text(p.native.target.libc)}, {text(p.native.target.crt_linkage)}"),
        Column(f"Image {native_title}{same}", size("partner", "image_bytes"), "r"),
        Column(f"Image {other_title}", size("other", "image_bytes"), "r"),
        Column(f"Image, {other_title} − {native_title}", difference("image_bytes"), "r", key=True),
        Column(f"Binary {native_title}{built('partner')}", size("partner", "binary_bytes"), "r"),
        Column(f"Binary {other_title}{built('other')}", size("other", "binary_bytes"), "r"),
        Column(f"Binary, {other_title} − {native_title}", difference("binary_bytes"), "r"),
        Column(f"{other_title} runs{emulated}", runs),
        Column(f"Binary {native_title}, prebuilt std{prebuilt}", size("native", "binary_bytes"), "r"),
    ]
    return render.table(columns, items)


@macro
def base_arch_table(site: Site) -> str:
    """Every base image measured for both architectures: its bytes and files on each.

    pandas pivots base_images.csv to one row per base with a column per architecture, keeps the bases
    measured for both, and takes the difference.
    """
    frame = site.data.frame("base_images")
    wide = frame[frame["base"] != "scratch"].pivot(
        index="base", columns="arch", values=["base_bytes", "files", "base_source"]
    )
    if DEFAULT_ARCH not in frame["arch"].values or OTHER_ARCH not in frame["arch"].values:
        wide = wide.iloc[0:0]
    else:
        wide = wide.dropna(subset=[("base_bytes", DEFAULT_ARCH), ("base_bytes", OTHER_ARCH)])
    if wide.empty:
        return "No base image has been measured for both architectures yet." + site.notes.ref(
            "data", "Not measured yet: base_images.csv has no base with rows for both x86-64 and arm64."
        )
    wide[("delta", "")] = wide[("base_bytes", OTHER_ARCH)] - wide[("base_bytes", DEFAULT_ARCH)]
    order = {b: i for i, b in enumerate(BASE_ORDER)}
    wide = wide.sort_index(key=lambda index: index.map(lambda b: order.get(b, len(order))))
    items = [
        (str(base), {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})
        for base, row in wide.iterrows()
    ]
    native_title, other_title = ARCHES[DEFAULT_ARCH].title, ARCHES[OTHER_ARCH].title
    Item = tuple[str, dict]

    def size(arch: str) -> Callable[[Item], str]:
        return lambda i: render.size(int(i[1][("base_bytes", arch)]))

    def files(arch: str) -> Callable[[Item], str]:
        return lambda i: render.sort_key(f"{int(i[1][('files', arch)]):,}", int(i[1][("files", arch)]))

    def source(i: Item) -> str:
        return " / ".join(text(i[1][("base_source", arch)]) for arch in (DEFAULT_ARCH, OTHER_ARCH))

    columns: list[Column[Item]] = [
        Column("Base", lambda i: text(i[0])),
        Column(f"Size {native_title}", size(DEFAULT_ARCH), "r"),
        Column(f"Size {other_title}", size(OTHER_ARCH), "r"),
        Column(
            f"Size, {other_title} − {native_title}",
            lambda i: _delta(int(i[1][("delta", "")]), int(i[1][("base_bytes", DEFAULT_ARCH)])),
            "r",
            key=True,
        ),
        Column(f"Files {native_title}", files(DEFAULT_ARCH), "r"),
        Column(f"Files {other_title}", files(OTHER_ARCH), "r"),
        Column("Obtained", source),
    ]
    return render.table(columns, items)
