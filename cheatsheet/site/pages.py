"""Every page's macros, rendered without MkDocs: what ``mkdocs build`` would put into each page.

mkdocs-macros renders each page's Markdown as a Jinja template whose globals are the macros (undefined
names fail: ``on_undefined: strict``), then appends the page's footnotes. :func:`render_pages` does the
same for every page of ``docs/``, so ``scripts/validate.py`` can promise what the build will do: data
it accepts renders on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from ..paths import REPO
from .context import MACROS, MacroError, Site
from .measurements import Measurements

DOCS = REPO / "docs"


def bound(fn: Callable[..., str], site: Site) -> Callable[..., str]:
    """``fn`` as a page calls it: with the page context already given."""

    def call(*args: Any, **kwargs: Any) -> str:
        return fn(site, *args, **kwargs)

    call.__name__ = call.__qualname__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


class PageError(Exception):
    """A page could not be rendered; the message names the page and why."""


def render_pages(data: Measurements, docs: Path = DOCS) -> dict[str, str]:
    """Each page of ``docs`` (by its path under it) with its macros rendered and its footnotes added."""
    site = Site(lambda: data)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.globals.update({name: bound(fn, site) for name, fn in MACROS.items()})
    out: dict[str, str] = {}
    for path in sorted(docs.rglob("*.md")):
        page = str(path.relative_to(docs))
        site.start_page(page)
        try:
            out[page] = env.from_string(path.read_text(encoding="utf-8")).render() + site.finish_page()
        except MacroError as exc:
            raise PageError(str(exc)) from None
        except jinja2.TemplateError as exc:
            raise PageError(f"{page}: {type(exc).__name__}: {exc}") from None
    return out
