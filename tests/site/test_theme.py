"""cheatsheet/site/theme.py: the theme's search dialog gets a name; a theme that draws it otherwise
fails the build."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from cheatsheet.site.theme import SEARCH_DIALOG, SEARCH_NAME, name_search_dialog, on_post_page, on_post_template

PAGE = SimpleNamespace(file=SimpleNamespace(src_path="index.md"))


def test_the_search_dialog_is_named():
    html = f"<header>{SEARCH_DIALOG}<label></label></div></header>"
    assert name_search_dialog(html) == (
        f'<header><div class="md-search" data-md-component="search" role="dialog" aria-label="{SEARCH_NAME}">'
        "<label></label></div></header>"
    )


def test_a_page_whose_search_dialog_changed_fails_the_build():
    with pytest.raises(PluginError, match=r"index\.md: the theme's search dialog"):
        on_post_page('<div class="md-search" role="dialog">', PAGE, {"plugins": {"search": object()}})


def test_without_the_search_plugin_a_page_has_no_dialog_to_name():
    assert on_post_page("<p>x</p>", PAGE, {"plugins": {}}) == "<p>x</p>"


def test_a_template_page_is_named_and_other_templates_are_left_alone():
    assert f'aria-label="{SEARCH_NAME}"' in on_post_template(SEARCH_DIALOG, "404.html", {})
    assert on_post_template(SEARCH_DIALOG, "sitemap.xml", {}) == SEARCH_DIALOG


def test_every_built_page_names_its_search_dialog(built_site):
    for page in built_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if 'class="md-search"' in html:
            assert f'role="dialog" aria-label="{SEARCH_NAME}"' in html, page
