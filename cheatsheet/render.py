"""Turn values into Markdown that shows them as text, never as markup.

* :func:`text` encodes every character that HTML, Markdown, the Markdown extensions in mkdocs.yml,
  or a table could act on as a numeric character reference, so a CSV value such as
  ``<script>``, ``[x](javascript:..)``, ``a | b`` or ``{{ x }}`` shows literally.
* :func:`format_bytes` is the single unit convention of the site (decimal, as Docker's CLI).
* :class:`Footnotes` numbers generated footnotes per page: one label per distinct note, so two
  tables on a page that carry the same note share one footnote and different notes never collide.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

# Characters that stay as they are; everything else becomes &#N;.
_PLAIN = re.compile(r"[A-Za-z0-9 ,.;/()%+=-]")

UNITS = ((1000**3, "GB"), (1000**2, "MB"), (1000, "kB"))


def text(value: object) -> str:
    """``value`` as Markdown that renders to exactly its characters."""
    s = "" if value is None else str(value)
    s = " ".join(s.split())  # a newline would end a table row or a footnote
    return "".join(ch if _PLAIN.fullmatch(ch) else f"&#{ord(ch)};" for ch in s)


def code(value: object) -> str:
    """``value`` as inline code (still character-encoded, inside <code>)."""
    return f"<code>{text(value)}</code>"


def format_bytes(n: int) -> str:
    """Decimal units with three significant digits: 124 MB, 80.8 MB, 1.29 MB, 416 kB, 900 B."""
    if n < 0:
        raise ValueError(f"negative size {n}")
    if n < 1000:
        return f"{n} B"
    for scale, unit in UNITS:  # largest unit first
        if n >= scale or (unit != "GB" and _three_digits(n / (scale / 1000)) == "1000"):
            return f"{_three_digits(n / scale)} {unit}"
    raise AssertionError("unreachable")


def _three_digits(value: float) -> str:
    digits = 0 if value >= 99.95 else 1 if value >= 9.995 else 2
    return f"{value:.{digits}f}"


def format_bytes_exact(n: int) -> str:
    return f"{n:,} bytes"


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


def markdown_table(headers: list[str], rows: list[list[str]], align: list[str]) -> str:
    """A Markdown table from cells that are already safe Markdown; align is 'l' or 'r' per column."""
    if not rows:
        raise ValueError("a table needs at least one row")
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
