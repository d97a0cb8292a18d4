"""cheatsheet.site.charts: inline SVG from pygal with no script, no external request, escaped labels."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from cheatsheet.site.charts import (
    MAX_LABEL,
    MIN_FONT,
    NARROW,
    WIDE,
    ChartError,
    Series,
    _height,
    _tick_step,
    bar_chart,
    check_svg,
    figure,
    narrow_ticks,
)
from cheatsheet.site.render import format_bytes, markdown_table

SVG = "{http://www.w3.org/2000/svg}"


def draw(labels=("1. release", "2. tiny"), series=None, title="Ladder", width=WIDE):
    series = series or [Series("glibc static", [1_419_288, 384]), Series("musl static", [600_832, None])]
    return bar_chart(title, list(labels), series, value_format=format_bytes, axis_title="bytes", width=width)


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


# -- a layout for phones, and the range of each bar ------------------------------------------------------


def font_sizes(svg: str) -> list[float]:
    """Every font size the chart's CSS sets (pygal styles all its text there), in px."""
    return [float(n) for n in re.findall(r"font-size:\s*([0-9.]+)px", svg)]


def drawn_text(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_every_text_is_drawn_at_least_at_the_smallest_font(width):
    svg = draw(width=width)
    assert re.search(rf'viewBox="0 0 {width} [0-9]+"', svg)
    sizes = font_sizes(svg)
    assert sizes and min(s for s in sizes if s != 64) >= MIN_FONT  # 64: pygal's "no data" text, never drawn here
    assert "No data" not in " ".join(drawn_text(svg))


def test_the_narrow_chart_has_its_legend_in_one_column_and_fewer_axis_labels():
    labels = [f"{i}. step" for i in range(1, 8)]
    values = [10 ** (i % 7 + 1) for i in range(7)]
    series = [Series("glibc", values), Series("musl", values)]
    wide = bar_chart("t", labels, series, value_format=format_bytes, width=WIDE)
    narrow = bar_chart("t", labels, series, value_format=format_bytes, width=NARROW)

    def axis_labels(svg: str) -> list[str]:
        return [t for t in drawn_text(svg) if t.endswith("B")]

    assert len(axis_labels(narrow)) <= 4 < len(axis_labels(wide))
    legend_x = set(re.findall(r'class="legend reactive activate-serie"><rect x="([0-9.]+)"', narrow))
    assert len(legend_x) == 1  # one column: both series start at the same x
    assert len(set(re.findall(r'class="legend reactive activate-serie"><rect x="([0-9.]+)"', wide))) == 2
    assert len(legend_x) == 1  # one column: both series start at the same x
    assert narrow != wide and narrow.split('id="chart-')[1][:12] != wide.split('id="chart-')[1][:12]


@pytest.mark.parametrize(
    ("ticks", "most", "kept"),
    [
        ([1, 10, 100], 4, [1, 10, 100]),
        ([1, 10, 100, 1000, 10**4, 10**5, 10**6], 4, [1, 100, 10**4, 10**6]),
        ([0, 0.5, 1.0, 1.5, 2.0], 3, [0, 1.0, 2.0]),
        ([0, 1, 2, 3, 4, 5], 4, [1, 3, 5]),  # the last always stays: it is the axis' end
    ],
)
def test_narrow_ticks_keep_the_axis_end_and_at_most_so_many(ticks, most, kept):
    assert narrow_ticks(ticks, most) == kept


@pytest.mark.parametrize(
    ("high", "most", "step"), [(1.4, 6, 0.5), (1.4, 3, 0.5), (1.4, 2, 1.0), (950, 6, 200), (950, 3, 500)]
)
def test_a_tick_step_gives_at_most_so_many_ticks(high, most, step):
    assert _tick_step(high, most) == pytest.approx(step)
    assert high / _tick_step(high, most) <= most


def test_a_figure_with_a_narrow_drawing_holds_both_each_marked_for_the_css():
    wide, narrow = draw(width=WIDE), draw(width=NARROW)
    out = figure(wide, "caption", narrow)
    assert out.count("<svg ") == 2 and "\n" not in out
    assert 'class="pygal-chart chart-wide"' in out and 'class="pygal-chart chart-narrow"' in out
    assert out.index("chart-wide") < out.index("chart-narrow")
    assert figure(wide, "caption").count("<svg ") == 1 and "chart-wide" not in figure(wide, "caption")
    with pytest.raises(ChartError):
        figure(wide, "caption", "<svg></svg>")


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_each_bar_shows_its_range_from_lowest_to_highest(width):
    """pygal draws a range as a line across the bar's end: its ends must sit where the axis puts the
    lowest and the highest value (the axis read from its own labelled guides)."""
    ranges = [(1.2, 1.3), (0.4, 0.7)]
    svg = bar_chart("r", ["a", "b"], [Series("x", [1.25, 0.5], ranges)], value_format=lambda v: f"{v:.2f}×",
                    logarithmic=False, width=width)  # fmt: skip
    guides = {
        float(label): float(x)
        for x, label in re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" class="major">([0-9.]+)×</text>', svg)
    }
    (v0, x0), (v1, x1) = sorted(guides.items())[:2]
    scale = (x1 - x0) / (v1 - v0)
    lines = re.findall(r'<g class="ci"><path d="([^"]+)"', svg)
    spans = sorted((min(xs), max(xs)) for d in lines for xs in [[float(x) for x in re.findall(r"[ML]([0-9.]+) ", d)]])
    expected = sorted((x0 + (lo - v0) * scale, x0 + (hi - v0) * scale) for lo, hi in ranges)
    assert len(spans) == 2
    for (a, b), (ea, eb) in zip(spans, expected, strict=True):
        assert a == pytest.approx(ea, abs=0.5) and b == pytest.approx(eb, abs=0.5)


def test_a_narrow_drawing_gives_each_label_more_height_and_its_legend_a_line_per_series():
    assert _height(WIDE, 10, 2) == 120 + 30 * 10
    assert _height(NARROW, 10, 2) - _height(NARROW, 9, 2) == 40 > _height(WIDE, 10, 2) - _height(WIDE, 9, 2)
    assert _height(NARROW, 10, 3) - _height(NARROW, 10, 2) == 20


def test_long_labels_on_the_narrow_chart_are_shortened_enough_to_draw():
    """pygal never returned from a 360-unit chart whose labels had 44 characters (the build-caching
    page's method titles): the narrow chart shortens labels further."""
    labels = ["Dependency layer (manifests + placeholder main.rs)", "BuildKit cache mounts (registry and target/)"]
    series = [Series(title, [100.0, 20.0]) for title in ("Cold", "Source edit")]
    svg = bar_chart("t", labels, series, value_format=str, logarithmic=False, width=NARROW)
    assert svg.startswith("<svg ") and "Dependency layer (manifests…" in svg
