"""Does the image do what its recipe says? A program run to completion is judged by what it prints
(``--network none``); a server is started on the private test network against the local peers
(:mod:`.netcheck`). Each outcome becomes columns of the variant's row."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..recipes.model import Variant, Verify
from ..util import useful_line
from .docker import docker
from .errors import Transient
from .netcheck import TestNetwork

RUN_TIMEOUT = 60
#: Exit statuses of ``docker run`` that come from outside the program: nothing to record about it.
TRANSIENT_EXIT = {
    125: "docker could not run the container",
    137: "the container was killed (SIGKILL: the OOM killer, or docker kill)",
    143: "the container was terminated (SIGTERM)",
}
#: The columns only a server check fills (empty for a program that runs to completion).
SERVER_COLUMNS = ("health", "resolves", "proxies", "trust_anchors", "anchors_from")


@dataclass(frozen=True)
class RunResult:
    """What one ``docker run`` of the image gave; the verify steps judge it."""

    returncode: int
    stdout: str
    stderr: str


def _check_stdout(step: Verify, result: RunResult) -> str:
    if result.stdout != step.equals:
        return f"printed {result.stdout[:80]!r} instead of {step.equals!r}"
    return ""


#: How each verify ``kind`` of programs/recipes.toml is checked: (step, run result) -> "" or why not.
#: A new kind (an HTTP check against a peer, say) is one function here and its name in
#: :data:`cheatsheet.recipes.model.VERIFY_KINDS`.
VERIFIERS: dict[str, Callable[[Any, RunResult], str]] = {
    "stdout": _check_stdout,
}


def is_server(variant: Variant) -> bool:
    return any(step.is_server for step in variant.verify)


def verify(variant: Variant, tag: str, options: Sequence[str] = ()) -> tuple[str, str]:
    """Run the image ``tag`` of ``variant`` (with ``docker run`` ``options`` such as ``--read-only``):
    ("yes", "") when every verification step passes, else ("no", why)."""
    name = f"cheatsheet-verify-{os.getpid()}-{variant.id}"
    try:
        proc = docker("run", "--rm", "--network", "none", "--name", name, *options, tag, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        docker("rm", "--force", name, timeout=60)
        raise Transient(f"docker run did not finish within {RUN_TIMEOUT} s") from None
    result = RunResult(proc.returncode, proc.stdout, proc.stderr)
    if result.returncode in TRANSIENT_EXIT:
        raise Transient(f"docker run: {TRANSIENT_EXIT[result.returncode]}: {useful_line(result.stderr, 'docker')}")
    if result.returncode != 0:
        return "no", f"exit status {result.returncode}: {useful_line(result.stderr, 'exec')}"
    for step in variant.verify:
        why = VERIFIERS[step.kind](step, result)
        if why:
            return "no", why
    return "yes", ""


def verify_server(variant: Variant, network: TestNetwork, tag: str, options: Sequence[str] = ()) -> dict[str, Any]:
    """Start the image on the private test network (with ``docker run`` ``options``) and check /health,
    /resolve and the proxied page; the outcome as row columns."""
    result = network.check(tag, variant.roots, options)
    expected = next(step.equals for step in variant.verify if step.is_server)
    failure = result.failure
    if result.ok and result.body != expected:
        failure = f"the proxied page said {result.body[:80]!r} instead of {expected!r}"
    runs = "yes" if result.ok and not failure else "no"
    return {
        "runs": runs,
        "failure": "" if runs == "yes" else failure or "the server check failed without a message",
        "health": result.health or None,
        "resolves": result.resolves or None,
        "proxies": result.proxies or None,
        "trust_anchors": result.trust_anchors,
        "anchors_from": result.anchors_from or None,
    }
