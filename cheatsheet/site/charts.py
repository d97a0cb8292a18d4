"""Charts for the site: inline SVG made at build time by pygal, with no JavaScript and no external request.

pygal is imported when a chart is drawn, not when this module is imported, so pages without a chart
(and the measurement scripts) never load it. What comes out:

* no ``<script>`` element and no reference to another host: pygal's JavaScript list is emptied
  (``js=[]``), its CSS is inlined from its own package files (``file://`` entries), and the result
  is checked (:func:`check_svg`) before it reaches a page;
* no XML declaration (the SVG is inlined into HTML) and a deterministic element id (pygal draws a
  random one; it is replaced by one derived from the chart's content, so a rebuild gives the same page);
* readable on the light and the dark palette of mkdocs-material: the background is transparent and
  the text, axes and guides take ``currentColor`` (the page's text colour), the two series colours
  are mid-tones that keep their contrast on both;
* labels escaped: pygal writes every text through its XML library, so a label such as
  ``<script>`` is text in the picture, never markup (a test holds it to that).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Series colours: mid-tones readable on mkdocs-material's white and slate backgrounds.
SERIES_COLOURS = ("#3f7fbf", "#d9822b", "#4fa06b", "#b05fb0")
TEXT_COLOUR = "currentColor"


class ChartError(Exception):
    """The chart could not be drawn safely (bad data, or pygal produced something not allowed)."""


@dataclass(frozen=True)
class Series:
    title: str
    values: Sequence[int | None]  # one per label; None draws no bar


def _style() -> object:
    from pygal.style import Style  # noqa: PLC0415 -- pygal only when a chart is drawn

    return Style(
        background="transparent",
        plot_background="transparent",
        foreground=TEXT_COLOUR,
        foreground_strong=TEXT_COLOUR,
        foreground_subtle=TEXT_COLOUR,
        opacity="0.9",
        opacity_hover="1",
        transition="none",
        colors=SERIES_COLOURS,
        font_family="inherit",
        label_font_family="inherit",
        major_label_font_family="inherit",
        value_font_family="inherit",
        value_label_font_family="inherit",
        title_font_family="inherit",
        legend_font_family="inherit",
        tooltip_font_family="inherit",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        value_font_size=11,
        title_font_size=15,
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    value_format: Callable[[int], str],
    axis_title: str = "",
    logarithmic: bool = True,
) -> str:
    """A horizontal bar chart, on a logarithmic axis (sizes spanning decades) or a linear one from zero
    (rates whose ratios matter), as an ``<svg>`` element to inline in a page."""
    if not labels or not series:
        raise ChartError("a chart needs at least one label and one series")
    for s in series:
        if len(s.values) != len(labels):
            raise ChartError(f"series {s.title!r} has {len(s.values)} values for {len(labels)} labels")
        for v in s.values:
            if v is not None and (not isinstance(v, int) or v <= 0):
                raise ChartError(f"series {s.title!r}: {v!r} cannot be drawn as a bar")
    import pygal  # noqa: PLC0415 -- pygal only when a chart is drawn

    present = [v for s in series for v in s.values if v is not None]
    if not present:
        raise ChartError("no series has a value to draw")
    low, high = min(present), max(present)
    if logarithmic:
        # Axis ticks at powers of ten, with room on both sides so the shortest bar is still visible.
        lo_exp = math.floor(math.log10(low)) - (1 if low < 10 ** math.floor(math.log10(low)) * 2 else 0)
        hi_exp = math.ceil(math.log10(high))
        start, ticks = 10**lo_exp, [10**e for e in range(lo_exp, hi_exp + 1)]
    else:
        step = _tick_step(high)
        start, ticks = 0, [step * i for i in range(math.ceil(high / step) + 1)]
    chart = pygal.HorizontalBar(
        style=_style(),
        js=[],
        css=["file://style.css", "file://graph.css"],
        disable_xml_declaration=True,
        logarithmic=logarithmic,
        range=(start, ticks[-1]),
        y_labels=ticks,
        value_formatter=lambda v: value_format(round(v)) if v is not None else "",
        width=800,
        height=120 + 30 * len(labels),
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        print_values=False,
        show_y_guides=True,
        show_x_guides=False,
        truncate_label=-1,
        truncate_legend=-1,
        x_title=axis_title or None,
        title=title,
        margin=8,
        margin_right=40,
        zero=start,  # bars grow from the axis' left end, not from the smallest value
        spacing=6,
        explicit_size=False,
        no_prefix=False,
        tooltip_border_radius=0,
    )
    # pygal draws the first label at the bottom: reversed, the chart reads top-down like the table.
    chart.x_labels = list(reversed(labels))
    for s in series:
        chart.add(s.title, list(reversed(s.values)))
    svg = chart.render(is_unicode=True)
    # pygal writes its settings for its JavaScript into an inline <script> even with js=[]: nothing reads
    # them here. Labels cannot make a <script> tag (pygal escapes them), so every one found is pygal's.
    svg = _PYGAL_SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)  # pygal's credits carry the date of the build
    svg = _deterministic(svg, title, labels, series)
    svg = svg.replace("<svg ", '<svg style="width:100%;height:auto" role="img" ', 1)
    check_svg(svg)
    return svg


def _tick_step(high: int) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving at most about six ticks up to ``high``."""
    magnitude = 10 ** max(0, math.floor(math.log10(high)) - 1)
    for factor in (1, 2, 5, 10, 20, 50, 100):
        if high / (factor * magnitude) <= 6:
            return factor * magnitude
    return 100 * magnitude


def figure(svg: str, caption: str) -> str:
    """A chart as a figure spanning the text column (Material shrinks a figure to its content, and an
    SVG sized 100% has none), with a caption; one line, as raw HTML in Markdown must be."""
    return f'<figure class="chart" style="width:100%">{svg}<figcaption>{caption}</figcaption></figure>'


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PYGAL_SCRIPT = re.compile(r"<script type=\"text/javascript\">window\.pygal = .*?</script>", re.S)


def _deterministic(svg: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Replace pygal's random chart id with one derived from the chart's content."""
    m = re.search(r'id="chart-([0-9a-f-]{36})"', svg)
    if not m:
        raise ChartError("pygal's output has no chart id")
    material = repr((title, list(labels), [(s.title, list(s.values)) for s in series])).encode()
    stable = hashlib.sha256(material).hexdigest()[:12]
    return svg.replace(m.group(1), stable)


_FORBIDDEN = (
    (re.compile(r"<\s*script", re.I), "a <script> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event-handler attribute"),
    (re.compile(r"(?:href|src)\s*=\s*[\"'](?!#)", re.I), "a link to another document"),
    (re.compile(r"url\(\s*[\"']?(?!#)", re.I), "a CSS url() to another document"),
    (re.compile(r"@import", re.I), "a CSS @import"),
    (re.compile(r"<\?xml|<!DOCTYPE", re.I), "an XML declaration or doctype"),
    (re.compile(r"<\s*foreignObject", re.I), "a foreignObject element"),
)


def check_svg(svg: str) -> None:
    """ChartError unless ``svg`` is one ``<svg>`` element with nothing that runs or loads anything."""
    if not svg.lstrip().startswith("<svg") or not svg.rstrip().endswith("</svg>"):
        raise ChartError("the chart is not a single <svg> element")
    for pattern, what in _FORBIDDEN:
        m = pattern.search(svg)
        if m:
            raise ChartError(f"the chart contains {what} at offset {m.start()}: {svg[m.start() : m.start() + 60]!r}")
