"""The built site in a real browser: Debian's chromium driven by Playwright.

The site is served from the built directory on 127.0.0.1; every request a page makes is routed
through the test, and one to any other host fails it (and is not sent). Screenshots of the key pages
at both viewport widths are written to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import functools
import gzip
from urllib.parse import urlsplit

import pytest
from browsing import CHROMIUM, SCREENSHOTS, WIDTHS, Watched, run_in_browsers, site_pages

KEY_PAGES = {
    "home": "",
    "hello-world": "programs/hello-world/",
    "base-images": "base-images/",
    "tls-openssl": "tls/openssl/",
    "tls-rustls": "tls/rustls/",
    "binary-size": "concepts/binary-size/",
    "libc": "concepts/libc/",
    "arm64": "concepts/arm64/",
    "webserver": "programs/webserver/",
}
PAGE_BUDGET = 200_000  # bytes: a page's HTML with every same-site CSS and JS it loads, gzip'd

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh test installs it)"
    ),
]

# The browser and the served site (base_url) are the session's: tests/site/conftest.py.


@pytest.fixture
def watched(browser):
    w = Watched(browser, WIDTHS["desktop"])
    yield w
    w.context.close()
    w.check()


@pytest.fixture
def page(watched):
    return watched.page


# -- what was there before ------------------------------------------------------------------------


def test_hello_world_table_is_visible_with_every_variant(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    table = page.locator("article table").filter(has_text="Compressed").first
    table.wait_for()
    assert table.is_visible()
    assert table.locator("tbody tr").count() >= 7  # the original cheatsheet's seven, and any added since
    for variant in ("debian", "debian-slim", "distroless-cc", "alpine", "distroless-static", "scratch-glibc"):
        assert table.locator("tbody tr td:first-child code", has_text=variant).count() >= 1
    assert "scratch-musl" in table.inner_text()


def test_a_footnote_reference_leads_to_its_note(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    ref = page.locator("article table a.footnote-ref").first
    target = ref.get_attribute("href")
    ref.click()
    note = page.locator(f"li[id='{target.lstrip('#')}']")
    assert note.is_visible() and note.inner_text().strip()


def test_dockerfile_tabs_switch_and_offer_copy(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    tabs = page.locator(".tabbed-set").filter(has_text="FROM").first
    labels = tabs.locator(":scope > .tabbed-labels > label")
    assert labels.count() >= 2
    labels.nth(1).click()
    visible = tabs.locator(":scope > .tabbed-content > .tabbed-block").nth(1)
    assert visible.is_visible() and "FROM" in visible.inner_text()
    assert tabs.locator("button[data-md-type=copy]").count() >= 1


def test_palette_toggle_switches_the_colour_scheme(page, base_url):
    page.goto(f"{base_url}/")
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_timeout(200)
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{before}'", timeout=5000)


def test_search_finds_a_page(page, base_url):
    page.goto(f"{base_url}/")
    page.locator("input.md-search__input").click()
    page.keyboard.type("distroless")
    page.locator(".md-search-result__item").first.wait_for(timeout=10000)
    assert "matching document" in page.locator(".md-search-result__meta").inner_text()
    assert "Distroless" in page.locator(".md-search-result").inner_text()


# -- the reader's last mile -------------------------------------------------------------


def load_pages(browser, base_url: str, built_site, paths: list[str]) -> dict[str, tuple[list[str], dict[str, int]]]:
    """Each page loaded at desktop width, in a fresh browser context, and its search used: what went
    wrong (errors and requests off the site) and the size gzip'd of each file the page loaded from the
    site before search was used, by page."""
    visits: dict[str, tuple[list[str], dict[str, int]]] = {}
    for path in paths:
        w = Watched(browser, WIDTHS["desktop"])
        try:
            w.page.goto(f"{base_url}/{path}", wait_until="networkidle")
            w.page.wait_for_timeout(300)
            loaded = list(w.requests)
            # search is the one feature that loads more on use: use it once per page
            w.page.locator("input.md-search__input").click()
            w.page.keyboard.type("musl")
            w.page.locator(".md-search-result__item").first.wait_for(timeout=10000)
            w.page.keyboard.press("Escape")
        finally:
            w.context.close()
        sizes: dict[str, int] = {}
        for _, url in loaded:
            local = built_site / urlsplit(url).path.lstrip("/")
            if local.is_dir():
                local = local / "index.html"
            sizes[local.relative_to(built_site).as_posix()] = len(gzip.compress(local.read_bytes(), compresslevel=6))
        wrong = [f"request off the site: {url}" for url in w.external] + w.errors
        visits[path or "/"] = (wrong, sizes)
    return visits


@pytest.fixture(scope="module")
def every_page(base_url, built_site) -> dict[str, tuple[list[str], dict[str, int]]]:
    """Every page of the site loaded once (:func:`load_pages`), half the pages in each of two browsers
    at a time (tests/browsing.py, run_in_browsers)."""
    pages = site_pages(built_site)
    halves = [
        functools.partial(load_pages, base_url=base_url, built_site=built_site, paths=pages[i::2]) for i in (0, 1)
    ]
    return {path: visit for half in run_in_browsers(halves) for path, visit in half.items()}


def test_every_page_loads_without_errors_or_requests_off_the_site(every_page):
    assert len(every_page) >= 10
    assert {path: wrong for path, (wrong, _) in every_page.items() if wrong} == {}


def test_every_data_page_weighs_at_most_200_kb_compressed(every_page):
    """Everything a page loads from the site (HTML, CSS, JavaScript, the search worker and index,
    the favicon), each file gzip'd at level 6 as a web server would send it, summed.

    Material's search worker fetches search/search_index.json when a page starts, not when search
    is first used, so the index is part of every page's weight (a browser caches it across pages).
    """
    weights = {path: sizes for path, (_, sizes) in every_page.items()}
    for sizes in weights.values():
        assert any(f.endswith(".css") for f in sizes) and any(f.endswith(".js") for f in sizes), sizes
        assert "search/search_index.json" in sizes, sizes
    totals = {path: sum(sizes.values()) for path, sizes in weights.items()}
    heaviest = max(totals, key=totals.__getitem__)
    print(f"\nheaviest page: {heaviest} {totals[heaviest]:,} bytes gzip'd (budget {PAGE_BUDGET:,}):")
    for f, n in sorted(weights[heaviest].items(), key=lambda item: -item[1]):
        print(f"  {n:>8,}  {f}")
    assert totals[heaviest] <= PAGE_BUDGET, totals


def test_sorting_a_column_reorders_the_rows(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    table = page.locator("article table").filter(has_text="Compressed").first
    header = table.locator("thead th").filter(has_text="Compressed")

    def cells() -> list[str]:
        index = table.locator("thead th").all_inner_texts().index(header.inner_text())
        return table.locator(f"tbody tr td:nth-child({index + 1})").evaluate_all(
            "cells => cells.map(c => (c.querySelector('[data-sort]') || {}).dataset?.sort || '')"
        )

    def column() -> list[int]:
        return [int(v) for v in cells() if v]

    before = column()
    assert len(before) >= 5 and before != sorted(before)
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert column() == sorted(before)
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    assert column() == sorted(before, reverse=True)
    # empty cells (variants not measured, alpine here) stay last whatever the direction
    shown = cells()
    assert "" in shown and shown == [v for v in shown if v] + [v for v in shown if not v]
    # a text column sorts too, by keyboard
    variant = table.locator("thead th").first
    variant.locator("button").focus()
    page.keyboard.press("Enter")
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names) and variant.get_attribute("aria-sort") == "ascending"
    assert header.get_attribute("aria-sort") is None


def test_a_footnote_tooltip_shows_the_note(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    ref = page.locator("article table a.footnote-ref").first
    note = page.locator(f"li[id='{ref.get_attribute('href').lstrip('#')}']").inner_text().strip()
    ref.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active").first
    tooltip.wait_for(state="visible", timeout=5000)
    assert note.split(".")[0] in tooltip.inner_text()


def test_a_size_shows_its_exact_bytes_on_hover(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    size = page.locator("article table abbr.bytes").first
    exact = f"{int(size.get_attribute('data-sort')):,} bytes"
    size.hover()
    tooltip = page.locator(".md-tooltip--active, .md-tooltip2--active").first
    tooltip.wait_for(state="visible", timeout=5000)
    assert exact in tooltip.inner_text()


# A table is cut off when a column cannot be seen. Precisely, at a given viewport width:
# - the page itself never scrolls sideways;
# - a table that fits (no element from the table up to the article has content wider than its box)
#   lies wholly inside the article's content box;
# - a table that does not fit has a scroll container: the first element from the table up to the
#   article whose content is wider than its box, and that element scrolls (overflow-x auto or scroll)
#   and lies wholly on screen, so that its last column can be scrolled into view.
CUT_TABLES = """() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > vw + 1) problems.push(`the page scrolls sideways: ${page} > ${vw}`);
  const article = document.querySelector("article");
  const inner = article.getBoundingClientRect();
  document.querySelectorAll("article table").forEach((table, i) => {
    if (!table.offsetParent) return;  // in a closed tab or details block
    const th = table.querySelector("th");
    const name = `table ${i} (${th ? th.textContent.trim().slice(0, 30) : ""})`;
    let box = table;
    while (box !== article && box.scrollWidth <= box.clientWidth + 1) box = box.parentElement;
    if (box === article) {
      const r = table.getBoundingClientRect();
      if (r.left < inner.left - 1 || r.right > inner.right + 1) {
        problems.push(`${name}: ${r.left}..${r.right} outside the article ${inner.left}..${inner.right}`);
      }
      return;
    }
    const r = box.getBoundingClientRect();
    if (!["auto", "scroll"].includes(getComputedStyle(box).overflowX)) {
      problems.push(`${name}: ${box.tagName}.${box.className} is too narrow and does not scroll`);
    } else if (r.left < -1 || r.right > vw + 1) {
      problems.push(`${name}: its scroll box ${r.left}..${r.right} runs off the screen (${vw})`);
    }
  });
  return problems;
}"""


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_table_is_cut_off(browser, base_url, built_site, width):
    w = Watched(browser, width)
    problems: dict[str, list[str]] = {}
    try:
        for path in site_pages(built_site):
            w.page.goto(f"{base_url}/{path}")
            if found := w.page.evaluate(CUT_TABLES):
                problems[path] = found
    finally:
        w.context.close()
    w.check()
    assert problems == {}


@pytest.mark.parametrize("width", WIDTHS.keys())
def test_screenshots_of_the_key_pages(browser, base_url, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    w = Watched(browser, WIDTHS[width])
    try:
        for name, path in KEY_PAGES.items():
            w.page.goto(f"{base_url}/{path}", wait_until="networkidle")
            out = SCREENSHOTS / f"{name}-{width}.png"
            w.page.screenshot(path=str(out), full_page=True)
            assert out.stat().st_size > 10_000
    finally:
        w.context.close()
    w.check()


@pytest.mark.parametrize("path", ["concepts/libc/", "concepts/binary-size/"])
def test_a_chart_spans_the_text_column(page, base_url, path):
    """Material draws a figure as wide as its content, and an SVG sized 100% has none of its own: the
    benchmark chart once rendered a few hundred pixels wide in an 800-pixel column."""
    page.goto(f"{base_url}/{path}")
    chart = page.locator("figure.chart svg").first.bounding_box()
    column = page.locator("article.md-content__inner").first.bounding_box()
    assert chart is not None and column is not None
    assert chart["width"] >= 0.9 * (column["width"] - 2 * 24)
