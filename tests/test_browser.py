"""The built site in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh test installs it)"
    ),
]


@pytest.fixture(scope="module")
def base_url(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == [], errors


def test_hello_world_table_is_visible_with_every_variant(page, base_url):
    page.goto(f"{base_url}/programs/hello-world/")
    table = page.locator("article table").filter(has_text="Compressed").first
    table.wait_for()
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 7
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
    labels = tabs.locator(".tabbed-labels label")
    assert labels.count() >= 2
    labels.nth(1).click()
    visible = tabs.locator(".tabbed-block").nth(1)
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
