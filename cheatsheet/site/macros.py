"""The macros of every topic, handed to mkdocs-macros (``define_env``), and the page hooks around them."""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

from ..data.text import DataError
from ..recipes.checks import RecipeError
from .context import MACROS, Site
from .measurements import load_measurements
from .pages import bound

_site: Site | None = None


def define_env(env: Any) -> None:
    """Validate every dataset (a bad CSV stops the build here) and register the macros."""
    global _site  # noqa: PLW0603 -- the page hooks below need the Site that define_env made
    try:
        data = load_measurements()
    except (DataError, RecipeError) as exc:
        raise PluginError(f"the site's data is invalid; nothing was built:\n{exc}") from None
    site = Site(lambda: data)
    for name, fn in MACROS.items():
        env.macro(bound(fn, site), name)
    _site = site


def on_pre_page_macros(env: Any) -> None:
    if _site is not None:
        _site.start_page(env.page.file.src_path)


def on_post_page_macros(env: Any) -> None:
    if _site is not None:
        env.markdown += _site.finish_page()
