"""mkdocs-macros entry point: the site's macros and page hooks, all defined in cheatsheet.site."""

from cheatsheet.site.macros import define_env, on_post_page_macros, on_pre_page_macros

__all__ = ["define_env", "on_post_page_macros", "on_pre_page_macros"]
