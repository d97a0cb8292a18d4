"""Bootstrap recipe names -> the classes that implement them."""

from __future__ import annotations

from ...recipes.model import BOOTSTRAP_NAMES
from .bootstrap import Bootstrap
from .common import ARCH, BaseUnavailable
from .debian import DebianMinbase, DebianSlim
from .distroless import DistrolessCc, DistrolessStatic

BOOTSTRAPS: dict[str, type[Bootstrap]] = {
    cls.name: cls for cls in (DebianMinbase, DebianSlim, DistrolessStatic, DistrolessCc)
}
# The recipe loader checks names against BOOTSTRAP_NAMES; every one of them is implemented here.
assert tuple(BOOTSTRAPS) == BOOTSTRAP_NAMES, (tuple(BOOTSTRAPS), BOOTSTRAP_NAMES)


def bootstrap_for(name: str, arch: str = ARCH) -> Bootstrap:
    """The bootstrap recipe ``name`` for ``arch``."""
    try:
        cls = BOOTSTRAPS[name]
    except KeyError:
        raise BaseUnavailable(f"unknown bootstrap recipe {name!r}; known: {', '.join(BOOTSTRAPS)}") from None
    return cls(arch)
