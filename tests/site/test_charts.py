"""cheatsheet.site.charts: inline SVG from pygal with no script, no external request, escaped labels."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from cheatsheet.site.charts import ChartError, Series, bar_chart, check_svg
from cheatsheet.site.render import format_bytes

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
