"""One measurement run's context: the recipes, where rows and the cache go, and what the run has set
up so far (toolchains, base images, the test network), each made once and shared by the variants."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..data.schema import Schema
from ..paths import MEASUREMENTS
from ..recipes.arch import DEFAULT_ARCH
from ..recipes.model import Recipes, Variant
from .bases.images import BaseImage, ensure_base
from .docker import server_version
from .errors import MeasureError
from .netcheck import TestNetwork
from .toolchain import Toolchain, toolchain


def image_tag(cache_dir: Path, program: str, variant: str) -> str:
    """The tag of a variant's image measured with ``cache_dir``. It carries a short name of that cache,
    so that two checkouts measuring on one Docker engine at once never build, run or remove each other's
    images."""
    checkout = hashlib.sha256(str(cache_dir.resolve()).encode()).hexdigest()[:10]
    return f"cheatsheet-{checkout}/{program}:{variant}"


@dataclass
class Context:
    recipes: Recipes
    csv_path: Path
    cache_dir: Path
    #: where what each base image carries is written: base_images.csv beside the images CSV unless given
    facts_path: Path | None = None
    #: where each image's hardening row is written (scripts/measure.py: hardening.csv beside the images
    #: CSV); None: a caller that checks no hardening (the benchmark, a unit test of the runner)
    hardening_path: Path | None = None
    images_schema: Path = MEASUREMENTS / "images.schema.json"
    base_images_schema: Path = MEASUREMENTS / "base_images.schema.json"
    hardening_schema_path: Path = MEASUREMENTS / "hardening.schema.json"
    allow_pull: bool = True
    use_cache: bool = True
    #: build each binary cold (an empty target directory) and record cargo's wall time in the row
    #: (scripts/measure.py; off by default: a test that builds several variants shares one target)
    time_builds: bool = False
    log: Callable[[str], None] = print
    toolchains: dict[tuple[str, str], Toolchain] = field(default_factory=dict)
    bases: dict[tuple[str, str], BaseImage] = field(default_factory=dict)
    network: TestNetwork | None = None
    facts_done: set[tuple[str, str]] = field(default_factory=set)
    _docker_version: str = ""

    def __post_init__(self) -> None:
        if self.facts_path is None:
            self.facts_path = self.csv_path.with_name("base_images.csv")

    @cached_property
    def schema(self) -> Schema:
        """The images dataset's schema (the CSV written may be a partial file with none beside it)."""
        return Schema.load(self.images_schema)

    @cached_property
    def facts_schema(self) -> Schema:
        return Schema.load(self.base_images_schema)

    @cached_property
    def hardening_schema(self) -> Schema:
        return Schema.load(self.hardening_schema_path)

    def tag(self, variant: Variant) -> str:
        return image_tag(self.cache_dir, variant.program.id, variant.id)

    def close(self) -> None:
        """Remove what the run created for verification (the peers and their network)."""
        if self.network is not None:
            self.network.close()
            self.network = None

    @property
    def logs_dir(self) -> Path:
        return self.cache_dir / "logs"

    def log_path(self, variant: Variant, kind: str) -> Path:
        """``<cache>/logs/<program>--<variant>.<kind>.log``; never outside the logs directory."""
        name = f"{variant.program.id}--{variant.id}.{kind}.log"
        path = self.logs_dir / name
        if path.parent != self.logs_dir or "/" in name or name.startswith("."):
            raise MeasureError(f"refusing to write a log file named {name!r}")
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        return path

    def docker_version(self) -> str:
        if not self._docker_version:
            self._docker_version = server_version()
        return self._docker_version

    def toolchain(self, kind: str, arch: str = DEFAULT_ARCH) -> Toolchain:
        if (kind, arch) not in self.toolchains:
            self.toolchains[kind, arch] = toolchain(kind, self.cache_dir / "toolchains", arch)
        return self.toolchains[kind, arch]

    def base(self, variant: Variant) -> BaseImage:
        key = (variant.base.name, variant.arch)
        if key not in self.bases:
            self.bases[key] = ensure_base(
                variant.base, self.cache_dir / "bases", log=self.log, allow_pull=self.allow_pull, arch=variant.arch
            )
        return self.bases[key]
