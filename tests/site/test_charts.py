"""cheatsheet.site.charts: inline SVG from pygal with no script, no external request, escaped labels."""

from __future__ import annotations

import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from cheatsheet.site.charts import MAX_LABEL, ChartError, Series, bar_chart, check_svg
from cheatsheet.site.render import format_bytes, markdown_table

SVG = "{http://www.w3.org/2000/svg}"


def draw(labels=("1. release", "2. tiny"), series=None, title="Ladder"):
    series = series or [Series("glibc static", [1_419_288, 384]), Series("musl static", [600_832, None])]
    return bar_chart(title, list(labels), series, value_format=format_bytes, axis_title="bytes")


def test_the_chart_is_one_valid_svg_element_without_script():
    svg = draw()
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg and "<?xml" not in svg and "<!--" not in svg
    assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )


def test_colours_follow_the_page_palette():
    svg = draw()
    style = "".join(el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}style"))
    assert "currentColor" in style
    assert "background-color:transparent" in style.replace(" ", "")
    assert "#ffffff" not in style.lower() and "#000000" not in style.lower()


def test_labels_are_escaped_text():
    svg = draw(labels=("1. <script>alert(1)</script>", '2. "quoted" & <b>'), title="<script>x</script>")
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    texts = [el.text for el in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "1. <script>alert(1)</script>" in texts


def test_the_output_is_deterministic_and_depends_on_the_data():
    assert draw() == draw()
    other = draw(series=[Series("glibc static", [1_419_288, 385]), Series("musl static", [600_832, None])])
    assert other != draw()


@pytest.mark.parametrize(
    ("labels", "series", "message"),
    [
        ((), [Series("a", [])], "at least one label"),
        (("a",), [Series("a", [0])], "cannot be drawn as a bar"),
        (("a",), [Series("a", [-5])], "cannot be drawn"),
        (("a", "b"), [Series("a", [1])], "has 1 values for 2 labels"),
        (("a",), [Series("a", [None])], "no series has a value"),
    ],
)
def test_bad_data_is_refused(labels, series, message):
    with pytest.raises(ChartError, match=message):
        bar_chart("t", list(labels), series, value_format=str)


@pytest.mark.parametrize(
    "svg",
    [
        "<svg><script>alert(1)</script></svg>",
        '<svg><rect onload="x()"/></svg>',
        '<svg><image href="https://example.com/x.png"/></svg>',
        "<svg><style>@import 'https://example.com/x.css';</style></svg>",
        "<svg><style>a{background:url(https://example.com/x)}</style></svg>",
        '<?xml version="1.0"?><svg></svg>',
        "<div></div>",
    ],
)
def test_the_check_refuses_what_could_run_or_load(svg):
    with pytest.raises(ChartError):
        check_svg(svg)


def test_pygal_is_imported_only_when_a_chart_is_drawn():
    code = "import sys, cheatsheet.site.charts, cheatsheet.site.macros; assert 'pygal' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _too_slow(signum, frame):
    raise TimeoutError("the chart did not finish within 20 s")


def test_a_label_wider_than_the_chart_is_shortened_and_the_chart_finishes():
    label = "alloc-" + "very-long-" * 11  # ~110 characters: pygal's title wrapping looped forever
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(20)
    try:
        svg = bar_chart("Throughput", [label, "short"], [Series("req/s", [10, 20])], value_format=str,
                        axis_title="requests per second", logarithmic=False)  # fmt: skip
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert label[: MAX_LABEL - 1] in svg and label not in svg and "…" in svg


def test_text_that_pygal_escaped_passes_the_check():
    svg = bar_chart("t", ["<tspan onclick=alert(1)>"], [Series("s", [5])], value_format=str)
    assert "&lt;tspan onclick=alert(1)&gt;" in svg  # shown as text, and accepted


@pytest.mark.parametrize(
    ("svg", "what"),
    [
        ('<svg><text onclick="x()">a</text></svg>', "event-handler attribute"),
        ("<svg><script>x()</script></svg>", "<script> element"),
        ('<svg><image href="https://example.invalid/x.png"/></svg>', "<image> element"),
        ('<svg><a href="https://example.invalid/">x</a></svg>', "<a> element"),
        ("<svg><style>@import url(https://example.invalid/x.css);</style></svg>", "imports or fetches"),
    ],
)
def test_markup_that_would_run_or_load_is_refused(svg, what):
    with pytest.raises(ChartError, match=what):
        check_svg(svg)


def test_ranges_draw_on_ratio_bars():
    svg = bar_chart("r", ["a", "b"], [Series("x", [1.25, 0.5], [(1.2, 1.3), None])], value_format=lambda v: f"{v:.2f}×",
                    logarithmic=False)  # fmt: skip
    assert "1.25×" in svg


def test_the_chart_is_an_image_named_by_its_title_and_described():
    from cheatsheet.site.charts import DESCRIPTION

    root = ET.fromstring(draw(title="Sizes <b>"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Sizes <b>" and root.get("aria-labelledby") == title.get("id")
    assert desc is not None and desc.text == DESCRIPTION and "table" in DESCRIPTION
    assert root.get("aria-describedby") == desc.get("id") and desc.get("id").startswith(root.get("id"))


def test_naming_refuses_an_svg_that_is_not_pygals():
    from cheatsheet.site.charts import name_chart

    with pytest.raises(ChartError, match="no chart id, role or title"):
        name_chart('<svg role="img" ><g/></svg>')


def test_a_table_whose_rows_do_not_match_its_header_is_refused():
    with pytest.raises(ValueError, match="one cell and one alignment per header"):
        markdown_table(["a", "b"], [["1"]], ["l", "l"])
    with pytest.raises(ValueError, match="one cell and one alignment per header"):
        markdown_table(["a", "b"], [["1", "2"]], ["l"])
