"""mkdocs-macros entry point: registers the site's macros; all logic lives in cheatsheet.site."""

from mkdocs.exceptions import PluginError

from cheatsheet.datasets import load_measurements
from cheatsheet.recipes import RecipeError
from cheatsheet.site import Site
from cheatsheet.tables import DataError

site: Site


def define_env(env):
    """Validate every dataset (a bad CSV stops the build here) and register the macros."""
    global site  # noqa: PLW0603 -- the page hooks below need the Site that define_env made
    try:
        data = load_measurements()
    except (DataError, RecipeError) as exc:
        raise PluginError(f"the site's data is invalid; nothing was built:\n{exc}") from None
    site = Site(lambda: data)
    for name in Site.MACROS:
        env.macro(getattr(site, name), name)


def on_pre_page_macros(env):
    site.start_page(env.page.file.src_path)


def on_post_page_macros(env):
    env.markdown += site.finish_page()
