"""cheatsheet.site.render: values show as text through the site's Markdown pipeline; sizes with their exact
bytes, footnotes, code blocks, tabs and tables."""

from __future__ import annotations

import html
import re

import markdown
import pytest

from cheatsheet.site.render import (
    CAPTION_CLASS,
    KEY_CLASS,
    Column,
    Footnotes,
    arrange,
    caption,
    code_block,
    constant_columns,
    format_bytes,
    markdown_table,
    size,
    sort_key,
    table,
    tabs,
    text,
)

EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.superfences",
    "pymdownx.tabbed",
]

HOSTILE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "a | b | c",
    "{{ 7 * 7 }} {% raw %}",
    "**bold** _em_ `code` ~~del~~",
    "<img src=x onerror=alert(1)>",
    "&amp; &lt; &#60;",
    "line one\nline two",
    ":material-alert: !!! note",
    "[^1] [^data-x]",
    "\\*escaped\\*",
    "https://example.invalid/<b>",
]


def render_cell(value: str) -> str:
    table = markdown_table(["h"], [[text(value)]], ["l"])
    out = markdown.markdown(table, extensions=EXTENSIONS)
    cell = re.search(r"<td[^>]*>(.*?)</td>", out, re.S).group(1)
    return cell


@pytest.mark.parametrize("value", HOSTILE)
def test_values_render_as_their_own_characters(value):
    cell = render_cell(value)
    assert "<" not in cell.replace("&lt;", ""), cell  # no element was created
    assert html.unescape(cell) == value


def test_plain_text_stays_readable():
    assert text("debian-slim 1.2.3 (x86_64)") == "debian-slim 1.2.3 (x86_64)".replace("_", "&#95;")


@pytest.mark.parametrize(
    "n, shown",
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.00 kB"),
        (416_000, "416 kB"),
        (999_600, "1.00 MB"),
        (1_290_000, "1.29 MB"),
        (7_470_000, "7.47 MB"),
        (80_800_000, "80.8 MB"),
        (124_000_000, "124 MB"),
        (116_238_679, "116 MB"),
        (2_500_000_000, "2.50 GB"),
    ],
)
def test_format_bytes_is_decimal_with_three_significant_digits(n, shown):
    assert format_bytes(n) == shown


@pytest.mark.parametrize(
    "n, shown",
    [
        (999_499, "999 kB"),
        (999_500, "1.00 MB"),
        (999_999, "1.00 MB"),
        (9_994, "9.99 kB"),
        (9_995, "10.0 kB"),
        (99_949, "99.9 kB"),
        (99_950, "100 kB"),
        (999_499_999, "999 MB"),
        (999_500_000, "1.00 GB"),
        (999_999_999, "1.00 GB"),
        (1_000_000_000_000, "1.00 TB"),
    ],
)
def test_rounding_that_crosses_a_unit_moves_to_the_next_unit(n, shown):
    assert format_bytes(n) == shown


def test_format_bytes_refuses_negative():
    with pytest.raises(ValueError):
        format_bytes(-1)


def test_footnotes_share_a_label_per_note_and_never_collide():
    notes = Footnotes()
    a = notes.ref("data", "stripped")
    b = notes.ref("data", "stripped")
    c = notes.ref("data", "bootstrapped")
    assert a == b != c
    page = f"x{a} y{c} z{b}" + notes.definitions()
    out = markdown.markdown(page, extensions=["footnotes"])
    assert out.count('class="footnote-ref"') == 3
    assert out.count('<li id="fn:') == 2


def test_code_block_fence_outgrows_backticks_in_the_body():
    block = code_block("RUN echo ```", "dockerfile")
    assert block.startswith("````dockerfile") and block.endswith("````")


def test_a_table_needs_rows():
    with pytest.raises(ValueError):
        markdown_table(["a"], [], ["l"])


@pytest.mark.parametrize("n", [0, 999, 1000, 1_224_968, 116_582_467, 999_999_999_999])
def test_a_size_shows_its_figure_with_the_exact_bytes_on_hover_and_as_sort_key(n):
    assert size(n) == f'<abbr class="bytes" title="{n:,} bytes" data-sort="{n}">{format_bytes(n)}</abbr>'


@pytest.mark.parametrize("bad", [-1, 1.5, "12", True, None])
def test_a_size_is_a_non_negative_integer(bad):
    with pytest.raises((TypeError, ValueError)):
        size(bad)
    if not isinstance(bad, int) or isinstance(bad, bool):
        with pytest.raises(TypeError):
            sort_key("x", bad)


def test_tabs_indent_their_bodies_and_refuse_labels_that_need_escaping():
    assert tabs([("A", "x\n\ny"), ("B", "z")]) == '=== "A"\n\n    x\n\n    y\n\n=== "B"\n\n    z'
    with pytest.raises(ValueError):
        tabs([('say "hi"', "x")])


# -- the table's layout: key figure next to the name, what every row shares said once ----------------


def col(title: str, index: int, key: bool = False) -> Column:
    return Column(title, lambda row: row[index], "r" if key else "l", key=key)


def test_key_columns_stand_next_to_the_first_in_their_order():
    a, b, c, d = col("a", 0), col("b", 1), col("c", 2, key=True), col("d", 3, key=True)
    assert [x.title for x in arrange([a, b, c, d])] == ["a", "c", "d", "b"]
    assert [x.title for x in arrange([a, b])] == ["a", "b"]
    with pytest.raises(ValueError, match="first column names the row"):
        arrange([c, a])
    with pytest.raises(ValueError, match="at least one column"):
        arrange([])


def test_a_column_is_constant_when_every_cell_is_the_same_but_never_the_name_or_the_key():
    columns = [col("name", 0), col("same", 1), col("differs", 2), col("key", 3, key=True)]
    rows = [["x", "s", "1", "k"], ["x", "s", "2", "k"]]
    assert constant_columns(columns, rows) == [1]
    assert constant_columns(columns, rows[:1]) == []  # one row: nothing to compare with
    assert constant_columns(columns, []) == []


def test_the_caption_says_each_shared_column_once_with_its_title():
    line = caption([("Base", "scratch"), ("Runs", "yes"), ("Note<br>more", "")])
    assert line == f"Same in every row — **Base**: scratch; **Runs**: yes; **Note more**: –.\n{{: .{CAPTION_CLASS} }}"
    with pytest.raises(ValueError):
        caption([])


def test_a_table_moves_constant_columns_into_its_caption_and_its_key_next_to_the_name():
    rows = [
        ("debian", "glibc", "yes", 124_000_000),
        ("scratch", "glibc", "yes", 700_000),
        ("alpine", "musl", "yes", 8_000_000),
    ]
    columns = [
        Column("Variant", lambda r: text(r[0])),
        Column("C library", lambda r: text(r[1])),
        Column("Runs", lambda r: text(r[2])),
        Column("Image", lambda r: size(r[3]), "r", key=True),
    ]
    out = markdown.markdown(table(columns, rows), extensions=EXTENSIONS)
    cap = re.search(rf'<p class="{CAPTION_CLASS}">(.*?)</p>', out, re.S)
    assert cap and html.unescape(re.sub("<[^>]+>", "", cap.group(1))) == "Same in every row — Runs: yes."
    assert out.index(cap.group(0)) < out.index("<table>")  # said above the table
    headers = [re.sub("<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", out)]
    assert headers == ["Variant", "Image", "C library"]
    assert f'<span class="{KEY_CLASS}">Image</span>' in out
    assert len(re.findall(r"<tr>", out)) == 4 and "yes" not in re.search(r"<table>.*</table>", out, re.S).group(0)


def test_a_table_whose_columns_all_differ_has_no_caption():
    columns = [Column("Variant", lambda r: text(r[0])), Column("Image", lambda r: size(r[1]), "r", key=True)]
    out = table(columns, [("a", 1), ("b", 2)])
    assert CAPTION_CLASS not in out and out.startswith("| Variant |")
    single = table([Column("Variant", text), Column("Base", lambda r: "scratch")], ["only"])
    assert single.startswith("| Variant | Base |")  # one row: every column stays
