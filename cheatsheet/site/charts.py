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
* an image to assistive technology, named by its title and described as the figures of the table next
  to it (:func:`name_chart`);
* labels escaped: pygal writes every text through its XML library, so a label such as
  ``<script>`` is text in the picture, never markup (a test holds it to that).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

#: The longest label drawn (characters); a longer one is shortened with "…": pygal wraps its axis title
#: to the width its labels leave, and loops forever when they leave none.
MAX_LABEL = 48
#: ... and on the narrow chart, where pygal also looped forever on a 44-character label (seen at 360 units).
NARROW_LABEL = 28
#: Series colours: mid-tones readable on mkdocs-material's white and slate backgrounds.
SERIES_COLOURS = ("#3f7fbf", "#d9822b", "#4fa06b", "#b05fb0")
#: The widths a chart is drawn at (SVG user units): the wide one for the text column of a large screen,
#: the narrow one for a phone, where it is shown at about its own width so that its text keeps its size.
WIDE = 800
NARROW = 360
#: The smallest text the charts draw (px at their own width) and the smallest it may be shown at (CSS px).
MIN_FONT = 12
MIN_SHOWN_FONT = 11
TEXT_COLOUR = "currentColor"


class ChartError(Exception):
    """The chart could not be drawn safely (bad data, or pygal produced something not allowed)."""


@dataclass(frozen=True)
class Series:
    title: str
    values: Sequence[float | None]  # one per label; None draws no bar
    #: per label, the (lowest, highest) the value ranged over, drawn as a line across the bar's end
    ranges: Sequence[tuple[float, float] | None] = ()


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
        label_font_size=MIN_FONT,
        major_label_font_size=MIN_FONT,
        legend_font_size=13,
        value_font_size=MIN_FONT,
        value_label_font_size=MIN_FONT,
        tooltip_font_size=MIN_FONT,
        title_font_size=15,
    )


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    value_format: Callable[[Any], str],
    axis_title: str = "",
    logarithmic: bool = True,
    width: int = WIDE,
) -> str:
    """A horizontal bar chart, on a logarithmic axis (sizes spanning decades) or a linear one from zero
    (rates whose ratios matter), as an ``<svg>`` element to inline in a page; ``width`` below
    :data:`WIDE` draws the layout for a phone (legend in one column, more room per bar)."""
    if not labels or not series:
        raise ChartError("a chart needs at least one label and one series")
    for s in series:
        if len(s.values) != len(labels):
            raise ChartError(f"series {s.title!r} has {len(s.values)} values for {len(labels)} labels")
        for v in s.values:
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf):
                raise ChartError(f"series {s.title!r}: {v!r} cannot be drawn as a bar")
        if s.ranges and len(s.ranges) != len(labels):
            raise ChartError(f"series {s.title!r} has {len(s.ranges)} ranges for {len(labels)} labels")
    import pygal  # noqa: PLC0415 -- pygal only when a chart is drawn

    labels = [shorten(label, MAX_LABEL if width >= WIDE else NARROW_LABEL) for label in labels]
    series = [Series(shorten(s.title), s.values, s.ranges) for s in series]
    integral = all(isinstance(v, int) for s in series for v in s.values if v is not None)
    title, axis_title = shorten(title, 2 * MAX_LABEL), shorten(axis_title, 3 * MAX_LABEL)

    present = [v for s in series for v in s.values if v is not None]
    present += [r[1] for s in series for r in s.ranges if r is not None]
    if not present:
        raise ChartError("no series has a value to draw")
    low, high = min(present), max(present)
    if logarithmic:
        # Axis ticks at powers of ten, with room on both sides so the shortest bar is still visible.
        lo_exp = math.floor(math.log10(low)) - (1 if low < 10 ** math.floor(math.log10(low)) * 2 else 0)
        hi_exp = math.ceil(math.log10(high))
        start, ticks = 10**lo_exp, [10**e for e in range(lo_exp, hi_exp + 1)]
    else:
        step = _tick_step(high, 6 if width >= WIDE else 3)
        start, ticks = 0, [round(step * i, 9) for i in range(math.ceil(high / step) + 1)]
    chart = pygal.HorizontalBar(
        style=_style(),
        js=[],
        css=["file://style.css", "file://graph.css"],
        disable_xml_declaration=True,
        logarithmic=logarithmic,
        range=(start, ticks[-1]),
        y_labels=ticks if width >= WIDE else narrow_ticks(ticks),
        value_formatter=lambda v: (value_format(round(v) if integral else v)) if v is not None else "",
        width=width,
        height=_height(width, len(labels), len(series)),
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series) if width >= WIDE else 1,
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
        points: list[Any] = list(s.values)
        for i, span in enumerate(s.ranges):
            if span is not None and points[i] is not None:
                low_, high_ = min(span[0], points[i]), max(span[1], points[i])
                points[i] = {"value": points[i], "ci": {"low": low_, "high": high_}}
        chart.add(s.title, list(reversed(points)))
    svg = chart.render(is_unicode=True)
    # pygal writes its settings for its JavaScript into an inline <script> even with js=[]: nothing reads
    # them here. Labels cannot make a <script> tag (pygal escapes them), so every one found is pygal's.
    svg = _PYGAL_SCRIPT.sub("", svg)
    svg = _COMMENT.sub("", svg)  # pygal's credits carry the date of the build
    svg = _deterministic(svg, title, labels, series, width)
    svg = svg.replace("<svg ", '<svg style="width:100%;height:auto" role="img" ', 1)
    svg = name_chart(svg)
    check_svg(svg)
    return svg


#: A chart's description (its <desc>): every chart of the site draws the figures of a table beside it.
DESCRIPTION = "A bar chart of figures that the table next to it on this page gives as numbers."


def name_chart(svg: str) -> str:
    """``svg`` (pygal's, with ``role="img"``; its first ``<title>`` the chart's title) named by that title
    and described by :data:`DESCRIPTION`: ``aria-labelledby`` the title, ``aria-describedby`` a ``<desc>``
    after it. The ids derive from the chart's id, which is unique on a page."""
    m = re.search(r'<svg [^>]*\bid="(chart-[0-9a-f]+)"', svg)
    if not m or 'role="img" ' not in svg or "<title>" not in svg:
        raise ChartError("pygal's output has no chart id, role or title")
    chart = m.group(1)
    svg = svg.replace("<title>", f'<title id="{chart}-title">', 1)
    end = svg.index("</title>") + len("</title>")
    svg = f'{svg[:end]}<desc id="{chart}-desc">{DESCRIPTION}</desc>{svg[end:]}'
    return svg.replace('role="img" ', f'role="img" aria-labelledby="{chart}-title" aria-describedby="{chart}-desc" ', 1)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` cut to ``limit`` characters, the last one "…" when anything was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def narrow_ticks(ticks: Sequence[float], most: int = 4) -> list[float]:
    """At most ``most`` of ``ticks`` for a phone's axis, evenly spaced and always with the last (the
    axis' end), so that their labels do not run into each other."""
    every = math.ceil(len(ticks) / most)
    return list(ticks[::-1][::every][::-1])


def _tick_step(high: float, most: int = 6) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most about ``most`` ticks up to ``high``."""
    exponent = math.floor(math.log10(high)) - 1
    magnitude: float = 10**exponent if exponent >= 0 else 1 / 10**-exponent
    for factor in (1, 2, 5, 10, 20, 50, 100):
        if high / (factor * magnitude) <= most:
            return factor * magnitude
    return 100 * magnitude


def _height(width: int, labels: int, series: int) -> int:
    """The drawing's height: 30 units a label; on a phone 40 (bars as thick as the text beside them)
    and a legend line per series."""
    if width >= WIDE:
        return 120 + 30 * labels
    return 150 + 40 * labels + 20 * series


def figure(svg: str, caption: str, narrow: str = "") -> str:
    """A chart as a figure spanning the text column (Material shrinks a figure to its content, and an
    SVG sized 100% has none), with a caption; one line, as raw HTML in Markdown must be.

    With ``narrow`` (the same chart drawn :data:`NARROW` wide), the page's CSS shows the wide drawing
    on a large screen and the narrow one on a phone (docs/stylesheets/extra.css, figure.chart)."""
    if narrow:
        svg = _with_class(svg, "chart-wide") + _with_class(narrow, "chart-narrow")
    svg = svg.replace("\n", " ")  # raw HTML in Markdown must not be broken by blank lines
    return f'<figure class="chart" style="width:100%">{svg}<figcaption>{caption}</figcaption></figure>'


def _with_class(svg: str, name: str) -> str:
    """``svg`` (pygal's, class="pygal-chart") with one more class on its root element."""
    if 'class="pygal-chart"' not in svg.split(">", 1)[0]:
        raise ChartError("the chart's root element has no pygal-chart class")
    return svg.replace('class="pygal-chart"', f'class="pygal-chart {name}"', 1)


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PYGAL_SCRIPT = re.compile(r"<script type=\"text/javascript\">window\.pygal = .*?</script>", re.S)


def _deterministic(svg: str, title: str, labels: Sequence[str], series: Sequence[Series], width: int = WIDE) -> str:
    """Replace pygal's random chart id with one derived from the chart's content and width (the wide and
    the narrow drawing of one chart stand on the same page: their ids differ)."""
    m = re.search(r'id="chart-([0-9a-f-]{36})"', svg)
    if not m:
        raise ChartError("pygal's output has no chart id")
    material = repr((title, list(labels), [(s.title, list(s.values), list(s.ranges)) for s in series], width)).encode()
    stable = hashlib.sha256(material).hexdigest()[:12]
    return svg.replace(m.group(1), stable)


#: Elements a chart may contain: pygal's drawing, grouping and text elements, its CSS and a description.
ALLOWED_ELEMENTS = frozenset(
    {"svg", "defs", "style", "title", "desc", "g", "rect", "path", "line", "circle", "text", "tspan", "clipPath"}
)
#: Attributes that may hold a reference: only to a fragment of the same document.
_LINK_ATTRIBUTES = ("href", "{http://www.w3.org/1999/xlink}href", "src")


def check_svg(svg: str) -> None:
    """ChartError unless ``svg`` is one ``<svg>`` element with nothing that runs or loads anything.

    The SVG is parsed (text escaped by pygal stays text, never matches as markup): every element must
    be a drawing element, no attribute may be an event handler or a link to another document, and the
    CSS may not import or fetch anything.
    """
    stripped = svg.strip()
    if not stripped.startswith("<svg") or not stripped.endswith("</svg>"):
        raise ChartError("the chart is not a single <svg> element")
    if re.search(r"<\?xml|<!DOCTYPE|<!ENTITY", stripped, re.I):
        raise ChartError("the chart contains an XML declaration, doctype or entity")
    try:
        root = ElementTree.fromstring(stripped)
    except ElementTree.ParseError as exc:
        raise ChartError(f"the chart is not well-formed XML: {exc}") from None
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name not in ALLOWED_ELEMENTS:
            raise ChartError(f"the chart contains a <{name}> element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                raise ChartError(f"the chart contains an event-handler attribute {local!r} on <{name}>")
            if attribute in _LINK_ATTRIBUTES and not value.startswith("#"):
                raise ChartError(f"the chart contains a link to another document: {local}={value[:60]!r}")
            if re.search(r"url\(\s*[\"']?(?!#)", value, re.I):
                raise ChartError(f"the chart contains a CSS url() to another document in {local!r}")
        if name == "style" and re.search(r"@import|url\(\s*[\"']?(?!#)", element.text or "", re.I):
            raise ChartError("the chart's CSS imports or fetches another document")
