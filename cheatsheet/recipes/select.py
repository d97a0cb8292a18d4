"""Choosing variants by glob: the one rule every script uses (``--only``)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from .model import Variant


class NoMatch(ValueError):
    """A glob selects no variant; the message names it and lists the variant ids."""


def matches(variant: Variant, glob: str) -> bool:
    """Whether ``glob`` matches the variant's full id (``program/variant``) or its variant id alone."""
    full = f"{variant.program.id}/{variant.id}"
    return fnmatch.fnmatchcase(full, glob) or fnmatch.fnmatchcase(variant.id, glob)


def select(variants: Iterable[Variant], globs: Sequence[str]) -> tuple[Variant, ...]:
    """The variants any of ``globs`` matches, in recipe order (all of them for no glob).

    Raises :class:`NoMatch` when a glob matches nothing: a typo never selects an empty set silently.
    """
    variants = tuple(variants)
    if not globs:
        return variants
    unmatched = [g for g in globs if not any(matches(v, g) for v in variants)]
    if unmatched:
        ids = ", ".join(f"{v.program.id}/{v.id}" for v in variants)
        raise NoMatch(f"--only {', '.join(unmatched)} matches no variant; the variants are: {ids}")
    return tuple(v for v in variants if any(matches(v, g) for g in globs))
