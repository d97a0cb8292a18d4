"""The chooser: its answers are the rows. In Debian's chromium, three combinations of needs are ticked
and the table the script shows is compared with the answer computed from the CSVs; without JavaScript
the static lists give the same first answers."""

from __future__ import annotations

import pytest
from browsing import CHROMIUM

from cheatsheet.site.chooser import CRITERIA, answer, candidates
from cheatsheet.site.context import Site
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import render_pages

COMBINATIONS = [
    ("https", "roots-compiled-in"),
    ("dynamic-glibc", "shell"),
    ("getaddrinfo", "arm64"),
    ("hardened",),
    ("https", "hardened"),
]


def expected(needs: tuple[str, ...]) -> list[str]:
    data = load_measurements()
    site = Site(lambda: data)
    return [f"{c['program']}/{c['variant']}" for c in answer(candidates(site), needs)]


def test_every_need_is_defined_by_the_data_and_some_image_satisfies_it():
    data = load_measurements()
    pool = candidates(Site(lambda: data))
    assert pool and all(c["image_bytes"] > 0 for c in pool)
    for criterion in CRITERIA:
        assert criterion.rule.split(":", 1)[0].endswith(".csv"), criterion.id
    page = render_pages(data)["chooser.md"]
    assert 'id="chooser-data"' in page and "</script>" in page.split('id="chooser-data"', 1)[1]
    assert page.count("<script") == 1  # the data; the code is the site's own chooser.js


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_ticking_needs_shows_the_rows_that_satisfy_them(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    nojs = browser.new_page(java_script_enabled=False)
    try:
        page.goto(f"{base_url}/chooser/")
        page.wait_for_selector("#chooser:not([hidden])")
        for needs in COMBINATIONS:
            for box in page.query_selector_all('#chooser input[name="need"]'):
                want = box.get_attribute("value") in needs
                if box.is_checked() != want:
                    box.click()
            shown = [row.get_attribute("data-variant") for row in page.query_selector_all("#chooser tbody tr")]
            assert shown == expected(needs), needs
        page.goto(f"{base_url}/chooser/#need=https,roots-compiled-in")
        page.reload()
        page.wait_for_selector("#chooser:not([hidden])")
        first = page.query_selector("#chooser tbody tr")
        assert first is not None and first.get_attribute("data-variant") == expected(("https", "roots-compiled-in"))[0]
        nojs.goto(f"{base_url}/chooser/")
        assert nojs.is_hidden("#chooser")
        assert expected(("https",))[0] in nojs.inner_text("article")
    finally:
        page.close()
        nojs.close()
