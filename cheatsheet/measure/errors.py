"""What can stop a measurement, and whether it says anything about the variant."""

from __future__ import annotations


class MeasureError(Exception):
    """A variant could not be measured; the message is one line naming the variant and the cause."""


class BuildInterrupted(MeasureError):
    """cargo was killed by a signal: nothing is known about the build, so no row records it."""
