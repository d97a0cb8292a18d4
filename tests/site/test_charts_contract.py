"""Charts: a long label is shortened, never looped on; the SVG check reads elements, not escaped text."""

from __future__ import annotations

import signal

import pytest

from cheatsheet.site.charts import MAX_LABEL, ChartError, Series, bar_chart, check_svg
from cheatsheet.site.render import markdown_table


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


def test_a_table_whose_rows_do_not_match_its_header_is_refused():
    with pytest.raises(ValueError, match="one cell and one alignment per header"):
        markdown_table(["a", "b"], [["1"]], ["l", "l"])
    with pytest.raises(ValueError, match="one cell and one alignment per header"):
        markdown_table(["a", "b"], [["1", "2"]], ["l"])
