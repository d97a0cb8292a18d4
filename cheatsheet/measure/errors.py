"""What can stop a measurement, and whether it says anything about the variant.

A :class:`MeasureError` stops one variant. A :class:`Transient` one says nothing about the variant at
all -- a signal, running out of memory or disk, a timeout, the network or the Docker daemon gone --
so it must never become a row or a cache entry: the run reports it and the variant can be measured
again. Only a deterministic failure (a compiler error, a library missing at run time) is a finding.
"""

from __future__ import annotations

import re


class MeasureError(Exception):
    """A variant could not be measured; the message is one line naming the variant and the cause."""


class Transient(MeasureError):
    """The cause lies outside the variant (signal, OOM, timeout, disk, network, daemon): nothing is recorded."""


class BuildInterrupted(Transient):
    """cargo, or a compiler or linker it ran, was killed or ran out of a resource: nothing is known
    about the build, so no row records it."""


#: What a build's output says when it was cut short from outside, not failed on its own.
TRANSIENT_BUILD_OUTPUT = tuple(
    re.compile(pattern, re.I)
    for pattern in (
        r"\(signal: \d+, SIG[A-Z]+",  # cargo: a rustc or build script killed (SIGKILL by the OOM killer...)
        r"terminated with signal \d+",  # gcc/collect2: the linker killed
        r"memory allocation of \d+ bytes failed",  # Rust's allocation failure handler (then SIGABRT)
        r"cannot allocate memory|out of memory",
        r"no space left on device|disk quota exceeded",
        r"failed to download|spurious network error|couldn't resolve host|failed to get `|network failure",
        r"failed to fetch|connection (?:reset|refused|timed out)|operation timed out",
    )
)


def transient_cause(output: str) -> str:
    """The line of a failed build's output that shows it was cut short from outside, or ""."""
    for line in output.splitlines():
        if any(p.search(line) for p in TRANSIENT_BUILD_OUTPUT):
            return line.strip()
    return ""
