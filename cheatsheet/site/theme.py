"""What the theme's own chrome needs and no setting of it gives: an MkDocs hook (``hooks:`` in mkdocs.yml).

mkdocs-material draws its search overlay as ``<div ... role="dialog">`` without a name (axe:
aria-dialog-name, serious): a screen reader announces an unnamed dialog when search opens. No option of
the theme names it, and overriding its ``partials/search.html`` would fork the whole partial, so each
built page gets the name here. If the theme ever draws the dialog differently, the build fails and
says so, rather than leaving the dialog unnamed without notice. MkDocs loads a hook by its file path,
so the imports below are absolute.
"""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_NAME = "Search this site"


def name_search_dialog(html: str) -> str:
    """``html`` with the search dialog named; unchanged if it has no search dialog."""
    return html.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{SEARCH_NAME}">', 1)


def on_post_page(output: str, page: Any, config: Any) -> str:
    named = name_search_dialog(output)
    if named == output and "search" in config["plugins"]:
        raise PluginError(
            f"{page.file.src_path}: the theme's search dialog is no longer drawn as {SEARCH_DIALOG!r}; "
            "update cheatsheet/site/theme.py so that it keeps a name"
        )
    return named


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    """Pages made from a theme template alone (404.html)."""
    return name_search_dialog(output_content) if template_name.endswith(".html") else output_content
