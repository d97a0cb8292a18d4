"""The built site against WCAG 2.2 AA, as assistive technology meets it: axe-core (axe-playwright-python)
in Debian's chromium on every page, in the light and the dark colour scheme, at 1280 and 390 px.

Each page is loaded once per scheme and width and axe runs once on it. A serious or critical violation
fails the test when its element is part of the page's content (the article: what the project writes and
generates), and also when it is in the theme's chrome under a rule not listed in :data:`THEME_CHROME`
with the reason it cannot be fixed here. The counts by rule of every run are written to
``artifacts/axe/`` (git-ignored), and screenshots of one page in both schemes to
``artifacts/screenshots/``.

Without JavaScript axe cannot run (it needs timers); the keyboard check that matters there, every
region that scrolls can be reached by keyboard, is made by a script of its own on every page.
"""

from __future__ import annotations

import functools
import json
import time
from collections import Counter

import pytest
from browsing import CHROMIUM, run_in_browsers, site_pages

from cheatsheet.paths import REPO

ARTIFACTS = REPO / "artifacts"
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme
WIDTHS = {"desktop": 1280, "phone": 390}
BLOCKING = {"serious", "critical"}
#: The page shot in both schemes (a table, footnotes, code and tabs).
SHOWN = "programs/hello-world/"

#: Violations in mkdocs-material's own chrome (header, navigation, search, footer) that no setting of
#: the theme changes, by axe rule: why it stays. Anything else fails. (The search dialog's missing name,
#: aria-dialog-name, is given by cheatsheet/site/theme.py; the footer's contrast by extra.css.)
THEME_CHROME = {
    "landmark-unique": "the navigation's nested <nav> elements (navigation.sections with toc.integrate) are "
    "labelled by their section's title, and a section with an index page repeats it; moderate, so not "
    "blocking: listed so that the reason is on record",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh test installs it)"
    ),
]

# Which of axe's nodes (by their selector) lie in the page's content: the article.
IN_CONTENT = """(targets) => targets.map((t) => {
  const el = document.querySelector(t);
  return Boolean(el && el.closest("article"));
})"""


def audit(page) -> list[dict]:
    """axe's violations on the loaded page, one entry per element: rule, impact, where, what."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"resultTypes": ["violations"]}).response
    found = []
    for violation in result["violations"]:
        targets = [node["target"][0] for node in violation["nodes"]]
        for node, content in zip(violation["nodes"], page.evaluate(IN_CONTENT, targets), strict=True):
            found.append(
                {
                    "rule": violation["id"],
                    "impact": violation["impact"],
                    "content": content,
                    "target": node["target"][0],
                    "html": node["html"][:200],
                    "summary": (node.get("failureSummary") or "")[-300:],
                }
            )
    return found


def blocking(found: list[dict]) -> list[dict]:
    """The violations that fail the test: serious or critical, in the content or under an unlisted rule."""
    return [v for v in found if v["impact"] in BLOCKING and (v["content"] or v["rule"] not in THEME_CHROME)]


def test_blocking_keeps_theme_chrome_listed_and_content_always(monkeypatch):
    monkeypatch.setitem(THEME_CHROME, "aria-dialog-name", "a reason")
    chrome = {"rule": "aria-dialog-name", "impact": "serious", "content": False}
    assert blocking([chrome]) == []
    assert blocking([{**chrome, "content": True}]) == [{**chrome, "content": True}]
    assert blocking([{**chrome, "rule": "color-contrast"}]) == [{**chrome, "rule": "color-contrast"}]
    assert blocking([{"rule": "region", "impact": "moderate", "content": True}]) == []


def audit_site(browser, base_url: str, pages: list[str], scheme: str, width: str) -> dict[str, list[dict]]:
    """axe on every page in one colour scheme and width: the blocking violations by page. The counts by
    rule go to ``artifacts/axe/``, the page :data:`SHOWN` to a screenshot."""
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, color_scheme=scheme)
    page = context.new_page()
    failures: dict[str, list[dict]] = {}
    counts: Counter[str] = Counter()
    try:
        for path in pages:
            page.goto(f"{base_url}/{path}", wait_until="load")
            # Material's script has run, and its palette follows the browser's preference: the page is in
            # the scheme asked for
            page.wait_for_function(
                f"document.body.getAttribute('data-md-color-scheme') === '{SCHEMES[scheme]}'", timeout=5000
            )
            found = audit(page)
            counts.update(f"{v['rule']} ({v['impact']}, {'content' if v['content'] else 'theme'})" for v in found)
            if bad := blocking(found):
                failures[path or "/"] = bad
            if path == SHOWN:
                shot = ARTIFACTS / "screenshots" / f"hello-world-{width}-{scheme}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
    out = ARTIFACTS / "axe" / f"{scheme}-{width}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n", encoding="utf-8")
    print(f"\naxe, {scheme} scheme, {WIDTHS[width]} px, elements by rule: {dict(sorted(counts.items()))}")
    return failures


@pytest.fixture(scope="module")
def audits(base_url, built_site) -> dict[tuple[str, str], dict[str, list[dict]]]:
    """axe's blocking violations in every colour scheme and at every width, by page: the four passes
    over the site run two at a time (tests/browsing.py, run_in_browsers)."""
    pages = site_pages(built_site)
    configs = [(scheme, width) for scheme in SCHEMES for width in WIDTHS]
    jobs = [functools.partial(audit_site, base_url=base_url, pages=pages, scheme=s, width=w) for s, w in configs]
    return dict(zip(configs, run_in_browsers(jobs), strict=True))


@pytest.mark.parametrize("width", WIDTHS.keys())
@pytest.mark.parametrize("scheme", SCHEMES.keys())
def test_axe_finds_no_serious_violation_on_any_page(audits, scheme, width):
    assert audits[scheme, width] == {}


# Every element of the article that scrolls (content wider or taller than its box, overflow auto or
# scroll) must be focusable itself or hold something focusable: what axe's scrollable-region-focusable
# checks, in a script that runs with the page's JavaScript off.
UNREACHABLE_SCROLLERS = """() => {
  const focusable = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";
  const out = [];
  document.querySelectorAll("article *").forEach((el) => {
    const style = getComputedStyle(el);
    const scrolls = (axis, size, box) =>
      ["auto", "scroll"].includes(style[axis]) && el[size] > el[box] + 1;
    const sideways = scrolls("overflowX", "scrollWidth", "clientWidth");
    if (!sideways && !scrolls("overflowY", "scrollHeight", "clientHeight")) return;
    if (el.matches(focusable) || el.querySelector(focusable)) return;
    out.push(`${el.tagName.toLowerCase()}.${el.className}`);
  });
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS.keys())
def test_every_scrolling_region_is_reachable_by_keyboard_without_javascript(browser, base_url, built_site, width):
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, java_script_enabled=False)
    page = context.new_page()
    unreachable: dict[str, list[str]] = {}
    scrollers = 0
    try:
        for path in site_pages(built_site):
            page.goto(f"{base_url}/{path}")
            assert page.evaluate("document.documentElement.classList.contains('no-js')"), path
            if found := page.evaluate(UNREACHABLE_SCROLLERS):
                unreachable[path or "/"] = found
            scrollers += page.evaluate("document.querySelectorAll('article [role=region][tabindex=\"0\"]').length")
    finally:
        context.close()
    assert scrollers > 0
    assert unreachable == {}


# -- the sortable headers, as assistive technology reads them ------------------------------------------


def test_a_sortable_header_is_a_button_named_without_its_arrow(browser, base_url):
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/programs/hello-world/")
        table = page.locator("article table").filter(has_text="Compressed").first
        header = table.locator("thead th").filter(has_text="Compressed")
        button = header.get_by_role("button")
        assert button.count() == 1
        name = button.evaluate("b => b.textContent.trim()")
        assert name.startswith("Compressed") and not any(arrow in name for arrow in "↕↑↓")
        assert button.locator("[aria-hidden=true]").count() == 1  # the arrow
        # a footnote in a header stays a link of its own, outside the button
        assert header.locator("button a").count() == 0
        button.focus()
        page.keyboard.press("Space")
        assert header.get_attribute("aria-sort") == "ascending"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["tls/rustls/", "concepts/libc/", "concepts/crt-linkage/"])
def test_a_table_with_row_headers_sorts_by_its_columns_only(browser, base_url, path):
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/{path}")
        table = page.locator("article table").filter(has=page.locator("tbody th[scope=row]")).first
        table.wait_for()
        corner = table.locator("thead tr > :first-child")
        assert corner.evaluate("c => c.tagName") == "TD" and corner.locator("button").count() == 0
        assert table.locator("thead th button.sort").count() == table.locator("thead th").count() >= 2
    finally:
        context.close()


# -- scrolling by keyboard, on a phone -------------------------------------------------------------


def scrolled(region, seconds: float = 10) -> bool:
    """Whether ``region`` scrolls away from its left end within ``seconds`` (keyboard scrolling is
    animated; polled from here, as the page's own timers do not run without JavaScript)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if region.evaluate("e => e.scrollLeft > 0"):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_tab_strip_and_a_wide_table_scroll_from_the_keyboard_on_a_phone(browser, base_url, javascript):
    """At 390 px the hello-world page's strip of seven Dockerfile tabs, and its widest table, scroll
    sideways: each is reached with Tab and scrolled with the arrow keys."""
    context = browser.new_context(viewport={"width": WIDTHS["phone"], "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/programs/hello-world/")
        strip = page.locator("article .tabbed-labels[role=region]").first
        table = page.locator("article .md-typeset__scrollwrap[role=region]").filter(has_text="Compressed").first
        for region in (strip, table):
            assert region.evaluate("e => e.scrollWidth > e.clientWidth"), region
            # reached by Tab from the element before it
            region.evaluate("e => { const b = document.createElement('button'); b.id = 'before'; e.before(b); }")
            page.locator("#before").focus()
            page.keyboard.press("Tab")
            assert region.evaluate("e => document.activeElement === e")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            assert scrolled(region), region
            page.locator("#before").evaluate("b => b.remove()")
    finally:
        context.close()
