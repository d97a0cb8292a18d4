"""cheatsheet/site/markup.py: footnotes in reading order, row headers, named scroll regions; on small
Markdown documents converted with the site's extensions, and on every page of the built site."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import markdown
import pytest
from browsing import site_pages

from cheatsheet.site.markup import (
    back_name,
    focusable_code,
    note_name,
    reading_order,
    table_name,
    tabs_name,
    text_of,
)

EXTENSIONS = ["footnotes", "tables", "toc", "pymdownx.tabbed", "cheatsheet.site.markup"]
CONFIG = {"pymdownx.tabbed": {"alternate_style": True}, "toc": {"permalink": True}}


def convert(text: str) -> ET.Element:
    out = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=CONFIG)
    out = out.replace("&para;", "\u00b6")  # toc's permalink: the one named entity XML does not know
    return ET.fromstring(f"<root>{out}</root>")


def refs(root: ET.Element) -> list[tuple[str, str, str]]:
    """(label, shown number, accessible name) of each footnote reference, in document order."""
    return [
        (a.get("href").split(":", 1)[1], a.text, a.get("aria-label"))
        for a in root.iter("a")
        if a.get("class") == "footnote-ref"
    ]


def notes(root: ET.Element) -> list[str]:
    """The labels of the notes, in the order of the list."""
    ol = root.find(".//div[@class='footnote']/ol")
    assert ol is not None
    return [li.get("id").split(":", 1)[1] for li in ol]


@pytest.mark.parametrize(
    ("labels", "order"),
    [
        ([], {}),
        (["b", "a", "b", "c"], {"b": 1, "a": 2, "c": 3}),
        (["x", "x", "x"], {"x": 1}),
    ],
)
def test_reading_order_numbers_each_label_by_its_first_appearance(labels, order):
    assert reading_order(labels) == order


def test_names_say_what_they_point_to():
    assert note_name(3) == "Note 3"
    assert back_name(3) == "Back to the text of note 3"
    assert table_name(2, "Sizes") == "Table 2: Sizes" and table_name(1, "") == "Table 1"
    assert tabs_name(1, ["a", "b"]) == "Tabs 1: a, b" and tabs_name(4, []) == "Tabs 4"


def test_text_of_a_heading_leaves_out_its_permalink():
    root = convert("## Sizes *here*\n")
    assert text_of(root.find("h2")) == "Sizes here"


# A page's own notes defined first (as a page writes them), then generated ones (as the macros append
# them), referenced in another order: prose, then a table, then prose again.
PAGE = """Intro[^own-b] and[^data-1].

| Variant | Size |
| --- | --- |
| a | 1[^data-2] |
| b | 2[^own-a] |

Again[^data-1] and last[^own-b].

[^own-a]: Own note A.
[^own-b]: Own note B.
[^unused]: Never referenced.
[^data-1]: Generated note 1.
[^data-2]: Generated note 2.
"""


def test_footnotes_are_numbered_in_reading_order_tables_included():
    root = convert(PAGE)
    assert refs(root) == [
        ("own-b", "1", "Note 1"),
        ("data-1", "2", "Note 2"),
        ("data-2", "3", "Note 3"),
        ("own-a", "4", "Note 4"),
        ("data-1", "2", "Note 2"),
        ("own-b", "1", "Note 1"),
    ]
    # the list follows; a note never referenced comes last
    assert notes(root) == ["own-b", "data-1", "data-2", "own-a", "unused"]


def test_each_back_link_names_its_note_by_the_new_number():
    root = convert(PAGE)
    ol = root.find(".//div[@class='footnote']/ol")
    for number, li in enumerate(ol, start=1):
        backs = [a for a in li.iter("a") if a.get("class") == "footnote-backref"]
        assert backs, ET.tostring(li)
        assert {a.get("aria-label") for a in backs} == {back_name(number)}
        assert {a.get("title") for a in backs} == {back_name(number)}


def test_a_page_without_footnotes_is_left_alone():
    root = convert("Text.\n")
    assert root.find(".//div[@class='footnote']") is None and refs(root) == []


def test_a_table_with_an_empty_corner_gets_row_headers():
    root = convert("| | glibc | musl |\n| --- | --- | --- |\n| Static | possible | default |\n| NSS | yes | no |\n")
    table = root.find(".//table")
    corner = table.find("thead/tr")[0]
    assert corner.tag == "td" and "scope" not in corner.attrib
    assert [th.get("scope") for th in table.findall("thead/tr/th")] == ["col", "col"]
    for row in table.findall("tbody/tr"):
        cells = list(row)
        assert cells[0].tag == "th" and cells[0].get("scope") == "row"
        assert [c.tag for c in cells[1:]] == ["td", "td"]


def test_a_table_with_a_full_header_row_keeps_its_cells():
    root = convert("| Variant | Size |\n| --- | --- |\n| a | 1 |\n")
    table = root.find(".//table")
    assert [th.get("scope") for th in table.findall("thead/tr/th")] == ["col", "col"]
    assert [c.tag for c in table.find("tbody/tr")] == ["td", "td"]


def test_every_table_is_a_named_focusable_scroll_region():
    root = convert(
        "# Page\n\n## Sizes\n\n| a |\n| - |\n| 1 |\n\n| b |\n| - |\n| 2 |\n\n## Speed\n\n| c |\n| - |\n| 3 |\n"
    )
    wraps = root.findall(".//div[@role='region']")
    assert [w.get("aria-label") for w in wraps] == ["Table 1: Sizes", "Table 2: Sizes", "Table 3: Speed"]
    for w in wraps:
        assert w.get("class") == "md-typeset__scrollwrap" and w.get("tabindex") == "0"
        inner = list(w)
        assert len(inner) == 1 and inner[0].get("class") == "md-typeset__table"
        assert [t.tag for t in inner[0]] == ["table"]
    assert len(root.findall(".//table")) == 3


def test_a_strip_of_content_tabs_is_a_named_focusable_region():
    root = convert('=== "debian"\n\n    one\n\n=== "scratch (musl)"\n\n    two\n')
    strip = root.find(".//div[@class='tabbed-labels']")
    assert strip is not None
    assert strip.get("role") == "region" and strip.get("tabindex") == "0"
    assert strip.get("aria-label") == "Tabs 1: debian, scratch (musl)"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<pre><span></span><code>x</code></pre>", '<pre><span></span><code tabindex="0">x</code></pre>'),
        ('<pre class="highlight"><code>x</code></pre>', '<pre class="highlight"><code tabindex="0">x</code></pre>'),
        ("<p><code>inline</code></p>", "<p><code>inline</code></p>"),
        (
            "<pre><code>a</code></pre><pre><code>b</code></pre>",
            '<pre><code tabindex="0">a</code></pre><pre><code tabindex="0">b</code></pre>',
        ),
    ],
)
def test_a_code_block_is_focusable_and_inline_code_is_not(html, expected):
    assert focusable_code(html) == expected


def test_a_highlighted_fence_comes_out_focusable():
    out = markdown.markdown(
        "```sh\necho hi\n```\n", extensions=["pymdownx.highlight", "pymdownx.superfences", "cheatsheet.site.markup"]
    )
    assert '<code tabindex="0">' in out


# -- the built site --------------------------------------------------------------------------------


def article(built_site, path: str) -> str:
    html = (built_site / path / "index.html").read_text(encoding="utf-8")
    return html[html.index("<article") : html.index("</article>")]


def test_every_page_numbers_its_footnotes_in_reading_order(built_site):
    checked = 0
    for path in site_pages(built_site):
        doc = article(built_site, path)
        shown = [int(n) for n in re.findall(r'<a aria-label="Note (\d+)" class="footnote-ref"', doc)]
        assert len(shown) == doc.count('class="footnote-ref"'), path  # every reference is named
        first_seen = list(dict.fromkeys(shown))
        assert first_seen == list(range(1, len(first_seen) + 1)), (path, shown)
        # the list of notes is in the same order as the numbers
        listed = re.findall(r'<li id="fn:([^"]+)"', doc)
        by_label = {
            label: int(n)
            for n, label in re.findall(r'aria-label="Note (\d+)" class="footnote-ref" href="#fn:([^"]+)"', doc)
        }
        assert [by_label[label] for label in listed if label in by_label] == first_seen, path
        checked += bool(shown)
    assert checked >= 9


def test_every_table_and_tab_strip_is_a_focusable_region_without_javascript(built_site):
    for path in site_pages(built_site):
        doc = article(built_site, path)
        tables = doc.count("<table")
        wrapped = len(
            re.findall(
                r'<div aria-label="Table \d+[^"]*" class="md-typeset__scrollwrap" role="region" tabindex="0">', doc
            )
        )
        assert wrapped == tables - doc.count('<table class="'), (
            path
        )  # classed tables (the chooser's) are not Material's
        strips = doc.count('class="tabbed-labels')
        assert strips == len(
            re.findall(r'<div aria-label="Tabs \d+: [^"]+" class="tabbed-labels[^"]*" role="region" tabindex="0">', doc)
        ), path


def test_no_element_has_the_obsolete_name_attribute_of_line_anchors(built_site):
    for page in built_site.rglob("*.html"):
        assert not re.search(r"<a [^>]*\bname=", page.read_text(encoding="utf-8")), page


@pytest.mark.parametrize("path", ["tls/rustls", "concepts/libc", "concepts/crt-linkage"])
def test_the_comparison_tables_have_row_headers_and_no_empty_header(built_site, path):
    doc = article(built_site, path)
    assert re.search(r'<th scope="row">', doc), path
    assert not re.search(r"<th[^>]*>\s*</th>", doc), path
