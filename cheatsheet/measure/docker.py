"""The one way this project talks to Docker: the CLI with the classic builder, and the few queries
every part needs (an image's inspect record, the engine's version). One error for an unreachable daemon.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import IO, Any

from ..util import useful_line

DEFAULT_TIMEOUT = 120.0
DAEMON_ERRORS = (
    "cannot connect to the docker daemon",
    "error during connect",
    "permission denied while trying to connect to the docker daemon",
    "is the docker daemon running",
)


class DockerUnavailable(Exception):
    """The ``docker`` CLI is missing or cannot reach a Docker daemon."""


class DockerError(Exception):
    """A docker command failed; the message is one line naming what and why."""


def last_line(text: str | bytes) -> str:
    """The last non-empty line of a docker command's output (see :func:`cheatsheet.util.useful_line`)."""
    return useful_line(text, prefer="")


def docker(
    *args: str,
    timeout: float = DEFAULT_TIMEOUT,
    stdout: int | IO[bytes] = subprocess.PIPE,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """Run ``docker ARGS`` with the caller's environment (DOCKER_HOST is honoured) and the classic builder.

    Output is text unless ``text=False`` (an image archive). Raises DockerUnavailable when the CLI is
    missing or the daemon cannot be reached, and lets subprocess.TimeoutExpired through; any other
    failure is the caller's to read from the result (or to turn into DockerError with :func:`must`).
    """
    cli = shutil.which("docker")
    if cli is None:
        raise DockerUnavailable("the docker CLI is not installed (no `docker` on PATH)")
    env = {**os.environ, "DOCKER_BUILDKIT": "0", "DOCKER_CLI_HINTS": "false"}
    env.setdefault("LC_ALL", "C.UTF-8")
    proc = subprocess.run(
        [cli, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=text,
        errors="replace" if text else None,
        env=env,
        timeout=timeout,
        check=False,
    )
    stderr = proc.stderr if text else proc.stderr.decode(errors="replace")
    if proc.returncode != 0 and any(m in stderr.lower() for m in DAEMON_ERRORS):
        host = os.environ.get("DOCKER_HOST", "the default socket")
        raise DockerUnavailable(f"cannot reach the Docker daemon at {host}: {last_line(stderr)}")
    return proc


def stderr_line(proc: subprocess.CompletedProcess[Any], prefer: str = "error") -> str:
    """The useful line of a failed command's stderr (text or bytes)."""
    return useful_line(proc.stderr, prefer)


def must(proc: subprocess.CompletedProcess[Any], what: str) -> str:
    """``proc``'s stdout, stripped; a failure raises DockerError with the useful line of stderr."""
    if proc.returncode != 0:
        raise DockerError(f"{what} failed: {last_line(proc.stderr)}")
    out = proc.stdout if isinstance(proc.stdout, str) else proc.stdout.decode(errors="replace")
    return out.strip()


def inspect_image(ref: str) -> dict[str, Any] | None:
    """``docker image inspect`` of ``ref``, or None when there is no such image."""
    proc = docker("image", "inspect", ref, timeout=60)
    if proc.returncode != 0:
        return None
    data = json.loads(proc.stdout)
    return data[0] if data else None


def server_version() -> str:
    """The Docker Engine's version (DockerUnavailable when it does not answer)."""
    try:
        proc = docker("version", "--format", "{{.Server.Version}}", timeout=30)
    except subprocess.TimeoutExpired:
        raise DockerUnavailable("the Docker daemon did not answer `docker version` within 30 s") from None
    version = proc.stdout.strip()
    if proc.returncode != 0 or not version:
        host = os.environ.get("DOCKER_HOST", "the default socket")
        raise DockerUnavailable(f"cannot reach the Docker daemon at {host}: {stderr_line(proc)}")
    return version
