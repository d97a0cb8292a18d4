"""Turn values into Markdown that shows them as text, never as markup.

* :func:`text` encodes every character that HTML, Markdown, the Markdown extensions in mkdocs.yml,
  or a table could act on as a numeric character reference, so a CSV value such as
  ``<script>``, ``[x](javascript:..)``, ``a | b`` or ``{{ x }}`` shows literally.
* :func:`format_bytes` is the single unit convention of the site (decimal, as Docker's CLI);
  :func:`size` shows a figure that way with its exact bytes on hover.
* :class:`Footnotes` numbers generated footnotes per page: one label per distinct note, so two
  tables on a page that carry the same note share one footnote and different notes never collide.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Generic, TypeVar

T = TypeVar("T")

# Characters that stay as they are; everything else becomes &#N;.
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;/()%+=-]")
# A value starting like this could open a block (list, heading, quote...) at the start of a line.
_BLOCK_START = re.compile(r"[^A-Za-z0-9]|[0-9]+[.)]")

UNITS = ((1, "B"), (1000, "kB"), (1000**2, "MB"), (1000**3, "GB"), (1000**4, "TB"))


def text(value: object) -> str:
    """``value`` as Markdown that renders to exactly its characters, wherever it stands.

    Every character outside a small safe set is a numeric reference; so is the first character
    when it could open a block (``- x``, ``+ x``, ``1986. x`` at the start of a footnote would open a
    list), and every space after another space (a run of spaces is kept, not collapsed), and a
    line break (it would end a table row or a footnote).
    """
    s = "" if value is None else str(value)
    out = []
    opens_block = bool(_BLOCK_START.match(s))
    for i, ch in enumerate(s):
        plain = _PLAIN.fullmatch(ch) is not None
        if (i == 0 and opens_block) or (ch == " " and i > 0 and s[i - 1] == " "):
            plain = False
        out.append(ch if plain else f"&#{ord(ch)};")
    return "".join(out)


def inline(value: str) -> str:
    """A one-line text as Markdown: `code` spans as code, everything else as encoded text."""
    parts = value.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: show it as it is
        return text(value)
    return "".join(code(p) if i % 2 else text(p) for i, p in enumerate(parts))


_URL = re.compile(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/+-]*)?")


def linked(value: str) -> str:
    """``value`` as encoded text, with each ``https://`` address in it a link (the address's
    characters are all plain, so nothing in the link needs encoding)."""
    out, at = [], 0
    for m in _URL.finditer(value):
        out.append(text(value[at : m.start()]))
        out.append(f'<a href="{m.group(0)}">{text(m.group(0))}</a>')
        at = m.end()
    out.append(text(value[at:]))
    return "".join(out)


def code(value: object) -> str:
    """``value`` as inline code (still character-encoded, inside <code>)."""
    return f"<code>{text(value)}</code>"


def format_bytes(n: int) -> str:
    """Decimal units with three significant digits: 124 MB, 80.8 MB, 1.29 MB, 416 kB, 900 B.

    Rounding is half-up on the exact decimal value; a figure that rounds to 1000 of a unit is shown
    in the next one (999,500 B is 1.00 MB, not 1000 kB).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"format_bytes needs an integer number of bytes, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"negative size {n}")
    if n < 1000:
        return f"{n} B"
    for scale, unit in UNITS[1:]:
        shown = _three_digits(Decimal(n) / Decimal(scale))
        if shown is not None:
            return f"{shown} {unit}"
    scale, unit = UNITS[-1]
    return f"{(Decimal(n) / Decimal(scale)).quantize(Decimal(1), rounding=ROUND_HALF_UP)} {unit}"


def _three_digits(value: Decimal) -> Decimal | None:
    """``value`` rounded half-up to three significant digits, or None if that reaches 1000."""
    for digits in (2, 1, 0):
        shown = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
        if shown < 10 ** (3 - digits):
            return shown
    return None


def format_bytes_exact(n: int) -> str:
    """``1,224,968 bytes``: the exact figure behind a :func:`format_bytes` one."""
    format_bytes(n)  # the same checks: an integer, not negative
    return f"{n:,} bytes"


def size(n: int) -> str:
    """A size as the site shows it (:func:`format_bytes`), the exact bytes on hover, the bytes as sort key.

    ``<abbr class="bytes" title="1,224,968 bytes" data-sort="1224968">1.22 MB</abbr>``: every
    character comes from the integer, so nothing in it needs encoding; tables sort by ``data-sort``
    (docs/javascripts/tablesort.js).
    """
    return f'<abbr class="bytes" title="{format_bytes_exact(n)}" data-sort="{n}">{format_bytes(n)}</abbr>'


def sort_key(shown: str, n: int) -> str:
    """``shown`` (safe Markdown) with ``n`` as the value a table column sorts it by."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a sort key is an integer, not {type(n).__name__}")
    return f'<span data-sort="{n}">{shown}</span>'


@dataclass
class Footnotes:
    """Footnotes generated on one page."""

    notes: dict[str, str] = field(default_factory=dict)  # label -> Markdown text (already safe)

    def ref(self, kind: str, note: str) -> str:
        """A footnote reference for ``note`` (safe Markdown); the same note gives the same label."""
        label = f"{kind}-{hashlib.sha256(note.encode()).hexdigest()[:10]}"
        self.notes.setdefault(label, note)
        return f"[^{label}]"

    def definitions(self) -> str:
        if not self.notes:
            return ""
        return "\n\n" + "\n".join(f"[^{label}]: {note}" for label, note in self.notes.items()) + "\n"


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a generated table: its header (safe Markdown), alignment and cell function.

    ``key`` marks the table's key figure (the size, the result, the trust anchors, the throughput...):
    :func:`table` puts key columns right after the first column (the row's name, the variant), so a
    narrow screen shows the name and its answer side by side, and never moves a key column into the
    caption.
    """

    title: str
    cell: Callable[[T], str]  # item -> safe Markdown
    align: str = "l"  # "l" or "r"
    key: bool = False


#: The mark on a key column's header: the page's CSS and the browser tests find the key column by it.
KEY_CLASS = "table-key"
#: The class of the paragraph above a table that says what every row shares.
CAPTION_CLASS = "table-caption"


def arrange(columns: Sequence[Column[T]]) -> list[Column[T]]:
    """The first column, then the key columns, then the others; each group in the order given."""
    if not columns:
        raise ValueError("a table needs at least one column")
    first, rest = columns[0], list(columns[1:])
    if first.key:
        raise ValueError("the first column names the row; the key figure is another column")
    return [first, *(c for c in rest if c.key), *(c for c in rest if not c.key)]


def constant_columns(columns: Sequence[Column[T]], rows: Sequence[Sequence[str]]) -> list[int]:
    """The indices of the columns whose every cell is the same, in a table of two rows or more.

    Neither the first column (the rows' names) nor a key column is ever constant: those always stay.
    """
    if len(rows) < 2:
        return []
    return [i for i, column in enumerate(columns) if i > 0 and not column.key and len({row[i] for row in rows}) == 1]


def caption(shared: Sequence[tuple[str, str]]) -> str:
    """What every row of a table shares, said once: a paragraph (safe Markdown) of ``(title, value)``
    pairs, for the line above the table; an empty value reads as a dash, as in a cell."""
    if not shared:
        raise ValueError("a caption needs at least one shared column")
    said = "; ".join(f"**{title.replace('<br>', ' ')}**: {value or '–'}" for title, value in shared)
    return f"Same in every row — {said}.\n{{: .{CAPTION_CLASS} }}"


def table(columns: Sequence[Column[T]], items: Sequence[T]) -> str:
    """A Markdown table with one row per item, a cell per column.

    The key columns stand next to the first (:func:`arrange`); a column whose every cell is the same
    leaves the table and is said once in a caption above it (:func:`constant_columns`, :func:`caption`).
    """
    ordered = arrange(columns)
    rows = [[c.cell(item) for c in ordered] for item in items]
    shared = constant_columns(ordered, rows)
    kept = [i for i in range(len(ordered)) if i not in shared]
    body = markdown_table(
        [_title(ordered[i]) for i in kept], [[row[i] for i in kept] for row in rows], [ordered[i].align for i in kept]
    )
    if not shared:
        return body
    return caption([(ordered[i].title, rows[0][i]) for i in shared]) + "\n\n" + body


def _title(column: Column[T]) -> str:
    return f'<span class="{KEY_CLASS}">{column.title}</span>' if column.key else column.title


def markdown_table(headers: list[str], rows: list[list[str]], align: list[str]) -> str:
    """A Markdown table from cells that are already safe Markdown; align is 'l' or 'r' per column."""
    if not rows:
        raise ValueError("a table needs at least one row")
    if len(headers) != len(align) or any(len(r) != len(headers) for r in rows):
        raise ValueError("every row needs one cell and one alignment per header")
    if any(a not in ("l", "r") for a in align):
        raise ValueError(f"alignments are 'l' or 'r', not {align!r}")
    sep = ["---:" if a == "r" else ":---" for a in align]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def code_block(body: str, lang: str, title: str = "") -> str:
    """A fenced code block; the fence is longer than any backtick run in ``body``."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    if title and not re.fullmatch(r"[A-Za-z0-9 ._/-]+", title):
        raise ValueError(f"code block title {title!r} has characters that need escaping")
    attrs = f' title="{title}"' if title else ""
    return f"{fence}{lang}{attrs}\n{body.rstrip()}\n{fence}"


def tabs(blocks: Sequence[tuple[str, str]]) -> str:
    """Content tabs (pymdownx.tabbed): one per (label, safe Markdown body); labels are plain words."""
    out = []
    for label, body in blocks:
        if not re.fullmatch(r"[A-Za-z0-9 ._/()-]+", label):
            raise ValueError(f"tab label {label!r} has characters that need escaping")
        indented = "\n".join(f"    {line}" if line else "" for line in body.splitlines())
        out.append(f'=== "{label}"\n\n{indented}')
    return "\n\n".join(out)
