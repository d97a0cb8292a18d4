"""Key figures in view (issue 18), in a real browser on every built page at 1280×800 and 390×844.

Measured from the page's own geometry, not judged from screenshots (those are saved besides, for a
reader, to ``artifacts/screenshots/``):

* at 1280 px every table fits the content column: its scroll box is no wider inside than outside;
* at 390 px the first cell of every row (the variant) and every cell of the table's key columns
  (render.Column.key, marked on the header) lie within the screen before anything is scrolled;
* a table that must scroll (part of it lies outside its scroll box) shows it: at the edge with more
  table beyond it the page's pixels differ
  from the same page without the cue, and at an edge with nothing beyond they do not; with JavaScript
  (Material's scroll wrapper) and without it (the table scrolls itself);
* the text of every chart is shown at least 11 CSS px: its computed font size times the scale the
  SVG is drawn at.

The site is the session's build (tests/conftest.py); the benchmark's tables and chart are also measured
on the session's second build with a made-up run (tests/site/conftest.py), as bench.csv may hold none.
"""

from __future__ import annotations

import functools

import pytest
from browsing import (
    CHROMIUM,
    SCREENSHOTS,
    VIEWPORTS,
    Watched,
    mean_difference,
    png_pixels,
    run_in_browsers,
    site_pages,
)

MIN_CHART_TEXT = 11  # CSS px
# How far a strip at a table's edge moves with the scroll cue on and off (mean channel difference, of
# 255): a visible shadow moves it far more than CUE_SHOWN; text drawn over another background may
# differ by a few pixels' anti-aliasing, less than CUE_NONE.
CUE_SHOWN, CUE_NONE = 8.0, 2.0
BENCH_PAGES = ("concepts/libc/", "programs/webserver/")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh test installs it)"
    ),
]

# Every table and chart of the page, measured before anything is scrolled. A table's scroll box is
# Material's wrapper when its script ran, else the table itself (Material's CSS lets it scroll).
GEOMETRY = """() => {
  document.querySelectorAll("article details").forEach(d => { if (!d.closest("table")) d.open = true; });
  const vw = document.documentElement.clientWidth;
  const tables = [];
  document.querySelectorAll("article table").forEach((table, index) => {
    if (!table.offsetParent || !table.tHead) return;  // in a tab not shown
    const box = table.closest(".md-typeset__scrollwrap") || table;
    const heads = [...table.tHead.rows[0].cells];
    const keys = heads.map((th, j) => (th.querySelector(".table-key") ? j : -1)).filter(j => j >= 0);
    const out = [];
    for (const row of [table.tHead.rows[0], ...table.tBodies[0].rows]) {
      for (const j of [0, ...keys]) {
        const r = row.cells[j].getBoundingClientRect();
        if (r.left < -0.5 || r.right > vw + 0.5) {
          out.push(`column ${j} "${heads[j].textContent.trim()}" at ${Math.round(r.left)}..${Math.round(r.right)}`);
        }
      }
    }
    // part of the table is out of its box (not only the wrapper's padding): it must scroll to be seen
    const t = table.getBoundingClientRect(), b = box.getBoundingClientRect();
    const cut = box === table ? box.scrollWidth > box.clientWidth + 1 : t.right > b.right + 1 || t.left < b.left - 1;
    tables.push({
      index, name: heads.map(h => h.textContent.trim()).join(" | ").slice(0, 80), keys: keys.length,
      scrollWidth: box.scrollWidth, clientWidth: box.clientWidth, outOfView: out, cut,
    });
  });
  const texts = [];
  document.querySelectorAll("article figure.chart svg").forEach((svg, index) => {
    const r = svg.getBoundingClientRect();
    if (!r.width) return;  // the drawing for the other screen size
    const scale = r.width / svg.viewBox.baseVal.width;
    svg.querySelectorAll("text").forEach(t => {
      const box = t.getBoundingClientRect();
      if (!t.textContent.trim() || !box.width) return;
      const size = parseFloat(getComputedStyle(t).fontSize);
      texts.push({ chart: index, text: t.textContent.trim().slice(0, 40), shown: size * scale, height: box.height });
    });
  });
  const charts = [...document.querySelectorAll("article figure.chart")].map(
    f => [...f.querySelectorAll("svg")].filter(s => s.getBoundingClientRect().width > 0).length
  );
  return { vw, tables, texts, charts };
}"""

BOX = """i => { const t = document.querySelectorAll("article table")[i];
  return t.closest(".md-typeset__scrollwrap") || t; }"""


def _strip(page, index: int, scroll: str, edge: str, cue: bool) -> bytes:
    """A screenshot of a thin strip just inside the ``edge`` of table ``index``'s scroll box, scrolled to
    its ``scroll`` end, with the page's scroll cue or without it (the box's background removed)."""
    rect = page.evaluate(
        f"""([i, scroll, cue]) => {{
          const box = ({BOX})(i);
          box.scrollIntoView({{ block: "center" }});
          box.scrollLeft = scroll === "start" ? 0 : box.scrollWidth;
          box.style.background = cue ? "" : "none";
          const r = box.getBoundingClientRect();
          return {{ left: r.left, right: r.right, top: r.top, height: box.clientHeight }};
        }}""",
        [index, scroll, cue],
    )
    height = page.viewport_size["height"]
    top = max(rect["top"] + 2, 64)  # below Material's header
    bottom = min(rect["top"] + rect["height"] - 2, height)
    x = rect["left"] + 3 if edge == "left" else rect["right"] - 9
    return page.screenshot(clip={"x": x, "y": top, "width": 6, "height": max(bottom - top, 10)})


def scroll_cue(page, index: int) -> list[str]:
    """What is wrong with table ``index``'s scroll cue: shown at the edge with more beyond, not at the
    edge with nothing beyond, from either end."""
    wrong = []
    for scroll, more, nothing in (("start", "right", "left"), ("end", "left", "right")):
        shown = mean_difference(_strip(page, index, scroll, more, True), _strip(page, index, scroll, more, False))
        if shown < CUE_SHOWN:
            wrong.append(f"scrolled to its {scroll}, no cue at the {more} edge with more table beyond ({shown:.1f})")
        shown = mean_difference(_strip(page, index, scroll, nothing, True), _strip(page, index, scroll, nothing, False))
        if shown > CUE_NONE:
            wrong.append(f"scrolled to its {scroll}, a cue at the {nothing} edge with nothing beyond ({shown:.1f})")
    page.evaluate(f"i => {{ const box = ({BOX})(i); box.scrollLeft = 0; box.style.background = ''; }}", index)
    return wrong


def screenshot_name(path: str, viewport: str) -> str:
    return f"{path.strip('/').replace('/', '-') or 'home'}-{viewport}.png"


def visit(browser, url: str, paths: list[str], viewport: str, *, screenshots: bool) -> dict[str, dict]:
    """Each page at ``viewport``: its geometry, what is wrong with the scroll cue of each table that
    overflows (on a phone), and its screenshot."""
    width, height = VIEWPORTS[viewport]
    w = Watched(browser, width, height)
    found: dict[str, dict] = {}
    try:
        for path in paths:
            w.page.goto(f"{url}/{path}", wait_until="networkidle")
            geometry = w.page.evaluate(GEOMETRY)
            if screenshots:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                w.page.screenshot(path=str(SCREENSHOTS / screenshot_name(path, viewport)), full_page=True)
            geometry["cue"] = {
                t["name"]: scroll_cue(w.page, t["index"])
                for t in geometry["tables"]
                if viewport == "phone" and t["cut"]
            }
            found[path] = geometry
    finally:
        w.context.close()
    w.check()
    return found


@pytest.fixture(scope="module")
def layouts(base_url, built_site, bench_url) -> dict[str, dict[str, dict]]:
    """Every page of the site at both viewports, and the benchmark's pages of the build with a made-up
    run (keyed "with-bench/<path>"): viewport -> page -> what was measured. The passes run two at a
    time (tests/browsing.py, run_in_browsers)."""
    site, bench = site_pages(built_site), list(BENCH_PAGES)
    jobs = {
        (viewport, prefix): functools.partial(visit, url=url, paths=paths, viewport=viewport, screenshots=shots)
        for viewport in VIEWPORTS
        for prefix, url, paths, shots in (("", base_url, site, True), ("with-bench/", bench_url, bench, False))
    }
    out: dict[str, dict[str, dict]] = {viewport: {} for viewport in VIEWPORTS}
    for (viewport, prefix), found in zip(jobs, run_in_browsers(list(jobs.values())), strict=True):
        out[viewport].update({prefix + path: measured for path, measured in found.items()})
    return out


def test_every_page_was_measured_at_both_sizes_and_photographed(layouts, built_site):
    pages = site_pages(built_site)
    assert len(pages) >= 10
    for viewport in VIEWPORTS:
        assert set(pages) <= set(layouts[viewport])
        for path in pages:
            shot = SCREENSHOTS / screenshot_name(path, viewport)
            assert shot.stat().st_size > 10_000, shot
    # the measurements reach what they are about: tables with key columns, and charts
    desktop = layouts["desktop"]
    assert sum(t["keys"] > 0 for page in desktop.values() for t in page["tables"]) >= 20
    assert any(page["texts"] for page in desktop.values())
    assert desktop["with-bench/concepts/libc/"]["charts"] and desktop["with-bench/concepts/libc/"]["texts"]


def test_at_1280_every_table_fits_the_content_column(layouts):
    wide = {
        path: [
            f"{t['name']}: {t['scrollWidth']} px in a {t['clientWidth']} px box"
            for t in page["tables"]
            if t["scrollWidth"] > t["clientWidth"] + 1
        ]
        for path, page in layouts["desktop"].items()
    }
    assert {path: tables for path, tables in wide.items() if tables} == {}


def test_at_390_the_variant_and_the_key_figure_are_in_view_without_scrolling(layouts):
    phone = layouts["phone"]
    assert all(page["vw"] <= 390 for page in phone.values())
    cut = {
        f"{path} {t['name']}": t["outOfView"] for path, page in phone.items() for t in page["tables"] if t["outOfView"]
    }
    assert cut == {}


def test_at_390_a_table_that_must_scroll_shows_that_it_does(layouts):
    phone = layouts["phone"]
    overflowing = [name for page in phone.values() for name in page["cue"]]
    assert overflowing, "no table overflows at 390 px: this test would check nothing"
    wrong = {
        f"{path} {name}": problems for path, page in phone.items() for name, problems in page["cue"].items() if problems
    }
    assert wrong == {}


def test_without_javascript_a_table_that_must_scroll_shows_that_it_does(browser, base_url):
    width, height = VIEWPORTS["phone"]
    w = Watched(browser, width, height, javascript=False)
    try:
        w.page.goto(f"{base_url}/programs/webserver/")
        # Material's script did not run: the scroll boxes are the build's own (cheatsheet/site/markup.py)
        overflowing = w.page.evaluate(
            f"""() => [...document.querySelectorAll("article table")]
                 .map((t, i) => {{ const box = ({BOX})(i); return [i, box.scrollWidth > box.clientWidth + 1]; }})
                 .filter(([, wide]) => wide).map(([i]) => i)"""
        )
        assert overflowing
        wrong = {i: problems for i in overflowing if (problems := scroll_cue(w.page, i))}
    finally:
        w.context.close()
    assert wrong == {}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_chart_text_is_at_least_11_px_and_one_drawing_shows(layouts, viewport):
    pages = layouts[viewport]
    charted = {path: page for path, page in pages.items() if page["charts"]}
    assert "concepts/binary-size/" in charted and "with-bench/concepts/libc/" in charted
    assert {path: page["charts"] for path, page in charted.items() if set(page["charts"]) != {1}} == {}
    small = {
        path: sorted({(round(t["shown"], 1), t["text"]) for t in page["texts"] if t["shown"] < MIN_CHART_TEXT})[:5]
        for path, page in charted.items()
    }
    assert {path: texts for path, texts in small.items() if texts} == {}


def test_screenshots_are_compared_by_their_pixels(browser):
    """The scroll cue's test reads screenshots back (browsing.png_pixels): the colours drawn are the
    colours read."""
    w = Watched(browser, 200, 100)
    try:
        w.page.set_content(
            '<body style="margin:0"><div style="width:100px;height:50px;background:rgb(10,20,30)"></div>'
            '<div style="width:100px;height:50px;background:rgb(250,240,230)"></div></body>'
        )
        dark = w.page.screenshot(clip={"x": 0, "y": 0, "width": 10, "height": 10})
        light = w.page.screenshot(clip={"x": 0, "y": 60, "width": 10, "height": 10})
    finally:
        w.context.close()
    width, height, rows = png_pixels(dark)
    step = len(rows[0]) // width
    assert (width, height) == (10, 10) and rows[5][5 * step : 5 * step + 3] == bytes([10, 20, 30])
    assert mean_difference(dark, dark) == 0
    # the channels 240, 220, 200 apart, and an alpha channel (if any) the same
    assert mean_difference(dark, light) == pytest.approx(660 / step)
