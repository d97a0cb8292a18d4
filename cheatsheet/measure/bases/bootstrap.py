"""The base class of the bootstrap recipes: one subclass per recipe (see :mod:`.registry`)."""

from __future__ import annotations

import datetime as _dt
import pathlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from .common import ARCH, ARCHES, RECIPE_VERSION, SUITE, BaseUnavailable

#: (root filesystem tarball, "package version" lines, tool that made it)
Built = tuple[pathlib.Path, list[str], str]


class Bootstrap(ABC):
    """Makes a base image's root filesystem from Debian packages, for one architecture.

    ``recipe()`` is everything that determines the result apart from the archive state (it is
    hashed into the image's cache key); ``build()`` makes the root filesystem tarball.
    """

    name: ClassVar[str]  # the `bootstrap` value of programs/recipes.toml
    how: ClassVar[str]  # how it is made, for the one-line description
    supported_arches: ClassVar[tuple[str, ...]] = ARCHES

    def __init__(self, arch: str = ARCH):
        if arch not in self.supported_arches:
            raise BaseUnavailable(
                f"bootstrap recipe {self.name!r} supports {', '.join(self.supported_arches)}, not {arch!r}"
            )
        self.arch = arch

    def common_recipe(self) -> dict[str, Any]:
        return {"recipe_version": RECIPE_VERSION, "kind": self.name, "suite": SUITE, "arch": self.arch}

    @abstractmethod
    def recipe(self) -> dict[str, Any]: ...

    @property
    def config(self) -> dict[str, Any]:
        """The image config (the OCI/Docker "config" object)."""
        return dict(self.recipe()["config"])

    def describe(self, epoch: int) -> str:
        day = _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%d")
        when = f"archive date {day} (SOURCE_DATE_EPOCH={epoch})"
        return f"bootstrapped from Debian {SUITE} packages {self.how}, {when}"

    @abstractmethod
    def build(self, base: str, epoch: int, work: pathlib.Path, log: Callable[[str], None]) -> Built:
        """Make the root filesystem of base ``base`` in ``work``."""
