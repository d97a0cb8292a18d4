"""cheatsheet.measure.bases.registry: one class per bootstrap recipe the recipes may name."""

from __future__ import annotations

import pytest

from cheatsheet.measure.bases.bootstrap import Bootstrap
from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.measure.bases.registry import BOOTSTRAPS, bootstrap_for
from cheatsheet.recipes.model import BOOTSTRAP_NAMES


def test_one_class_per_bootstrap_recipe_and_the_loader_knows_them_all() -> None:
    assert tuple(BOOTSTRAPS) == BOOTSTRAP_NAMES
    for name, cls in BOOTSTRAPS.items():
        assert issubclass(cls, Bootstrap) and cls.name == name
        recipe = bootstrap_for(name).recipe()
        assert recipe["kind"] == name and recipe["arch"] == "amd64"
        assert bootstrap_for(name, arch="arm64").recipe()["arch"] == "arm64"  # another cache key, same recipe
    with pytest.raises(BaseUnavailable, match="known: debian-minbase, debian-slim"):
        bootstrap_for("ubuntu")
    with pytest.raises(BaseUnavailable, match="supports amd64, arm64, not 'riscv64'"):
        bootstrap_for("debian-slim", arch="riscv64")
