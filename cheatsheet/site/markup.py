"""Accessible markup on every page: a Markdown extension (``markdown_extensions`` in mkdocs.yml).

It works on the page's element tree once Python-Markdown has built it (footnotes, tables and content
tabs included, whoever wrote them: a page or a macro), so every page gets the same markup:

* **footnotes in reading order**: Python-Markdown numbers footnotes in the order of their definitions,
  and the generated ones are defined after the page's own, in the order the macros ran; here each note
  takes the number of its first reference in the page (tables included), the list of notes follows,
  and each reference is named for what it points to ("Note 3");
* **row headers**: a table whose first header cell is empty has row labels in its first column; they
  become ``<th scope="row">`` and the empty corner a plain cell (an empty header names nothing, and
  the table script never makes it a sort control); column headers get ``scope="col"``;
* **scroll regions reachable by keyboard**: every table is wrapped as mkdocs-material wraps it in the
  browser (``.md-typeset__scrollwrap > .md-typeset__table``), with ``tabindex="0"``, ``role="region"``
  and a name, so a table wider than the column can be scrolled from the keyboard with or without
  JavaScript; the label strip of content tabs, which scrolls on a narrow screen, likewise; and a
  highlighted code block (``<pre><code>``, which scrolls when a line is long) is focusable, as
  mkdocs-material makes it in the browser (its script then drops the attribute where nothing scrolls).

The tree functions below take and change an ``xml.etree`` tree (code blocks reach the page as HTML
text, so :func:`focusable_code` works on the text); :func:`reading_order`, :func:`focusable_code` and
the label functions are pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

#: Where the extension runs among Python-Markdown's tree processors: after inline markup (20) and the
#: footnotes' own (50, 19 and 15: the notes' list and the back-links of repeated references).
PRIORITY = 4

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def reading_order(labels: Iterable[str]) -> dict[str, int]:
    """Each label's number by its first appearance: ``b, a, b, c`` gives ``{b: 1, a: 2, c: 3}``."""
    order: dict[str, int] = {}
    for label in labels:
        order.setdefault(label, len(order) + 1)
    return order


def note_name(number: int) -> str:
    """The accessible name of a footnote reference."""
    return f"Note {number}"


def back_name(number: int) -> str:
    """The accessible name (and title) of the link from a note back to where it is referenced."""
    return f"Back to the text of note {number}"


def table_name(number: int, heading: str) -> str:
    """The name of a table's scroll region: its number on the page and the heading it is under."""
    return f"Table {number}: {heading}" if heading else f"Table {number}"


def tabs_name(number: int, labels: list[str]) -> str:
    """The name of a strip of content tabs: its number on the page and its tabs' labels."""
    return f"Tabs {number}: {', '.join(labels)}" if labels else f"Tabs {number}"


def text_of(element: Element) -> str:
    """An element's text as read, without the permalink anchor that ``toc`` adds to headings."""
    parts: list[str] = []

    def walk(e: Element) -> None:
        if "headerlink" in (e.get("class") or "").split():
            return
        parts.append(e.text or "")
        for child in e:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def classes(element: Element) -> list[str]:
    return (element.get("class") or "").split()


# -- footnotes -------------------------------------------------------------------------------------

_REF = re.compile(r"#fn(?P<sep>[:_-])(?P<label>.+)")


def footnote_refs(root: Element) -> Iterator[tuple[Element, str]]:
    """Every footnote reference (the ``a.footnote-ref`` link) in document order, with its note's label."""
    for a in root.iter("a"):
        if "footnote-ref" in classes(a) and (m := _REF.fullmatch(a.get("href") or "")):
            yield a, m.group("label")


def number_footnotes(root: Element) -> None:
    """Number the notes by their first reference in reading order, reorder the list of notes to match,
    and name every reference and back-link by the note's number."""
    refs = list(footnote_refs(root))
    if not refs:
        return
    order = reading_order(label for _, label in refs)
    for a, label in refs:
        a.text = str(order[label])
        a.set("aria-label", note_name(order[label]))
    for div in root.iter("div"):
        if "footnote" in classes(div) and (ol := div.find("ol")) is not None:
            _reorder_notes(ol, order)


def _reorder_notes(ol: Element, order: dict[str, int]) -> None:
    items = list(ol)

    def key(item: tuple[int, Element]) -> tuple[int, int]:
        position, li = item
        m = re.fullmatch(r"fn[:_-](.+)", li.get("id") or "")
        return (order.get(m.group(1), len(order) + 1) if m else len(order) + 1, position)

    ranked = [li for _, li in sorted(enumerate(items), key=key)]
    for li in items:
        ol.remove(li)
    for number, li in enumerate(ranked, start=1):
        ol.append(li)
        for back in li.iter("a"):
            if "footnote-backref" in classes(back):
                back.set("title", back_name(number))
                back.set("aria-label", back_name(number))


# -- tables ----------------------------------------------------------------------------------------


def header_scopes(table: Element) -> None:
    """``scope="col"`` on column headers; when the first header cell is empty, the first cell of each
    body row is a row header (``<th scope="row">``) and the empty corner an ordinary cell."""
    head = table.find("thead")
    body = table.find("tbody")
    header_row = head.find("tr") if head is not None else None
    if header_row is None or body is None:
        return
    cells = list(header_row)
    for th in cells:
        if th.tag == "th":
            th.set("scope", "col")
    if not cells or cells[0].tag != "th" or text_of(cells[0]) or len(cells[0]):
        return
    cells[0].tag = "td"
    del cells[0].attrib["scope"]
    for row in body.findall("tr"):
        first = row.find("td")
        if first is not None and list(row).index(first) == 0:
            first.tag = "th"
            first.set("scope", "row")


def wrap_tables(root: Element) -> None:
    """Wrap every table in a named, focusable scroll region shaped like mkdocs-material's wrapper."""
    parents = {child: parent for parent in root.iter() for child in parent}
    heading = ""
    found: list[tuple[Element, str]] = []
    for element in root.iter():
        if element.tag in HEADINGS:
            heading = text_of(element)
        elif element.tag == "table" and not element.get("class"):
            found.append((element, heading))
    for number, (table, under) in enumerate(found, start=1):
        parent = parents[table]
        if "md-typeset__table" in classes(parent):
            continue  # already wrapped
        index = list(parent).index(table)
        wrap = Element(
            "div",
            {
                "class": "md-typeset__scrollwrap",
                "role": "region",
                "tabindex": "0",
                "aria-label": table_name(number, under),
            },
        )
        inner = Element("div", {"class": "md-typeset__table"})
        wrap.append(inner)
        wrap.tail, table.tail = table.tail, None
        parent.remove(table)
        inner.append(table)
        parent.insert(index, wrap)


def label_tab_strips(root: Element) -> None:
    """Make each strip of content-tab labels (pymdownx.tabbed) a named, focusable region: it scrolls
    sideways when its tabs do not fit."""
    strips = [div for div in root.iter("div") if "tabbed-labels" in classes(div)]
    for number, strip in enumerate(strips, start=1):
        labels = [text_of(label) for label in strip.findall("label")]
        strip.set("role", "region")
        strip.set("tabindex", "0")
        strip.set("aria-label", tabs_name(number, labels))


# -- code blocks -----------------------------------------------------------------------------------

_CODE_BLOCK = re.compile(r"(<pre\b[^>]*>(?:<span></span>)?)<code>")


def focusable_code(html: str) -> str:
    """Every code block's ``<code>`` (the element that scrolls) with ``tabindex="0"``."""
    return _CODE_BLOCK.sub(r'\1<code tabindex="0">', html)


# -- the extension ---------------------------------------------------------------------------------


class AccessibleMarkup(Treeprocessor):
    def run(self, root: Element) -> None:
        number_footnotes(root)
        for table in root.iter("table"):
            header_scopes(table)
        wrap_tables(root)
        label_tab_strips(root)


class FocusableCode(Postprocessor):
    def run(self, text: str) -> str:
        return focusable_code(text)


class AccessibleMarkupExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(AccessibleMarkup(md), "accessible-markup", PRIORITY)
        # after the raw HTML (the highlighted code blocks among it) is put back (30)
        md.postprocessors.register(FocusableCode(md), "focusable-code", 5)


def makeExtension(**kwargs: object) -> AccessibleMarkupExtension:
    return AccessibleMarkupExtension(**kwargs)
