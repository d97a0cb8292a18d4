"""cheatsheet.site.network: the server-checks table names the column it is about, shown next to the variant."""

from __future__ import annotations

import pytest

from cheatsheet.site.context import MacroError
from cheatsheet.site.network import SERVER_CHECK_KEYS
from cheatsheet.site.render import KEY_CLASS

ROOTS = ["slim-system-roots", "static-system-roots", "scratch-glibc-system-roots"]


def header(table: str) -> list[str]:
    line = next(line for line in table.splitlines() if line.startswith("|"))  # below a caption, if any
    return [cell.strip() for cell in line.strip("|").split("|")]


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("trust_anchors", "Trust anchors loaded"),
        ("resolves", "Resolves"),
        ("proxies", "Proxied HTTPS"),
        ("image", "Image"),
    ],
)
def test_the_key_column_stands_next_to_the_variant(site, key, title):
    shown = header(site.call("server_checks_table", "webserver", ROOTS, key=key))
    assert shown[0] == "Variant"
    assert shown[1] == f'<span class="{KEY_CLASS}">{title}</span>'
    assert sum(KEY_CLASS in cell for cell in shown) == 1


def test_an_unknown_key_fails_loudly(site):
    assert "trust_anchors" in SERVER_CHECK_KEYS
    with pytest.raises(
        MacroError, match="argument 'key' must be one of image, health, resolves, proxies, trust_anchors"
    ):
        site.call("server_checks_table", "webserver", ROOTS, key="size")
