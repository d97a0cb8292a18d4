"""mkdocs-macros entry point: registers the site's macros; all logic lives in cheatsheet.site."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the cheatsheet package beside this file

from mkdocs.exceptions import PluginError  # noqa: E402

from cheatsheet.datasets import load_measurements  # noqa: E402
from cheatsheet.recipes import RecipeError  # noqa: E402
from cheatsheet.site import Site  # noqa: E402
from cheatsheet.tables import DataError  # noqa: E402

site: Site


def define_env(env):
    """Validate every dataset (a bad CSV stops the build here) and register the macros."""
    global site
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
