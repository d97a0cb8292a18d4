"""Containers and networks that a run creates: labelled with their owner, always removed, swept after a kill.

Everything a verification or a benchmark starts carries two labels: :data:`LABEL` (the run's id)
and :data:`OWNER_LABEL` (``host:pid`` of the process that created it). :class:`RunResources`
removes what it created when its ``with`` block ends, however it ends; a process killed with
SIGKILL cannot, so :func:`sweep_leftovers` (called when a run starts) removes what belongs to a
process of this host that no longer exists. A live concurrent run's containers, and those of any other
host sharing the engine, are never touched.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
from collections.abc import Callable, Sequence

from ..util import process_alive
from .docker import DockerError, docker, must

LABEL = "cheatsheet.run"
OWNER_LABEL = "cheatsheet.run.owner"
DOCKER_TIMEOUT = 120.0

__all__ = ["LABEL", "OWNER_LABEL", "DockerError", "RunResources", "logs", "orphaned", "owner", "owner_alive", "state"]


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(value: str) -> bool:
    """Whether ``host:pid`` names a live process of this host (a foreign or malformed owner is not)."""
    host, _, pid = value.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return process_alive(int(pid))


def orphaned(value: str) -> bool:
    """Whether ``host:pid`` names a process of THIS host that is gone: only then is what it labelled
    left over. An owner on another host (a second machine using the same Docker engine) may be alive:
    its resources are never judged from here."""
    host, _, pid = value.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid))


def sweep_leftovers(log: Callable[[str], None] = print) -> int:
    """Remove containers, networks and volumes labelled by a process of this host that is gone; return how many."""
    removed = 0
    fmt = '{{.ID}} {{.Label "' + OWNER_LABEL + '"}}'
    listing = docker("ps", "--all", "--filter", f"label={LABEL}", "--format", fmt)
    for line in must(listing, "listing containers").splitlines():
        cid, _, who = line.partition(" ")
        if orphaned(who):
            docker("rm", "--force", "--volumes", cid)
            removed += 1
    owner_of = '{{index .Labels "' + OWNER_LABEL + '"}}'
    for kind in ("network", "volume"):
        for ident in must(docker(kind, "ls", "--quiet", "--filter", f"label={LABEL}"), f"listing {kind}s").split():
            inspected = docker(kind, "inspect", ident, "--format", owner_of)
            if inspected.returncode == 0 and orphaned(inspected.stdout.strip()):
                docker(kind, "rm", ident)
                removed += 1
    if removed:
        log(f"removed {removed} container(s), network(s) or volume(s) left behind by an earlier run that was killed")
    return removed


class RunResources:
    """The containers and networks of one run; a context manager that removes them all at the end."""

    def __init__(self, prefix: str, log: Callable[[str], None] = print):
        self.log = log
        self.run_id = secrets.token_hex(4)
        self.name = f"{prefix}-{os.getpid()}-{self.run_id}"
        self.owner = owner()
        self.containers: list[str] = []
        self.networks: list[str] = []
        self.volumes: list[str] = []

    def labels(self) -> list[str]:
        return ["--label", f"{LABEL}={self.run_id}", "--label", f"{OWNER_LABEL}={self.owner}"]

    def __enter__(self) -> RunResources:
        sweep_leftovers(self.log)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for c in reversed(self.containers):
            docker("rm", "--force", "--volumes", c)
        self.containers.clear()
        for n in reversed(self.networks):
            docker("network", "rm", n)
        self.networks.clear()
        for v in reversed(self.volumes):
            docker("volume", "rm", "--force", v)
        self.volumes.clear()

    def network(self, suffix: str = "net", *, internal: bool = True) -> str:
        name = f"{self.name}-{suffix}"
        args = ["network", "create", *(["--internal"] if internal else []), *self.labels(), name]
        self.networks.append(name)
        must(docker(*args), f"creating network {name}")
        return name

    def volume(self, suffix: str) -> str:
        """A labelled named volume: files shared between containers without a path of the machine
        (so the same code works where ``docker`` talks to an engine on another host)."""
        name = f"{self.name}-{suffix}"
        self.volumes.append(name)
        must(docker("volume", "create", *self.labels(), name), f"creating volume {name}")
        return name

    def start(self, suffix: str, image: str, command: Sequence[str] = (), *, options: Sequence[str] = ()) -> str:
        """``docker run --detach`` a labelled container named ``<run>-<suffix>``; return its name."""
        name = f"{self.name}-{suffix}"
        self.containers.append(name)
        must(docker("run", "--detach", "--name", name, *self.labels(), *options, image, *command), f"starting {suffix}")
        return name

    def remove(self, name: str) -> None:
        docker("rm", "--force", "--volumes", name)
        if name in self.containers:
            self.containers.remove(name)

    def run(
        self, image: str, command: Sequence[str] = (), *, options: Sequence[str] = (), timeout: float = DOCKER_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        """``docker run --rm`` a labelled, named container and wait for it (removed after a timeout too)."""
        name = f"{self.name}-once-{secrets.token_hex(3)}"
        self.containers.append(name)
        try:
            return docker("run", "--rm", "--name", name, *self.labels(), *options, image, *command, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess([], 124, "", f"did not finish within {timeout:.0f} s")
        finally:
            self.remove(name)

    def address(self, container: str) -> str:
        fmt = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"
        return must(docker("inspect", "--format", fmt, container), f"reading the address of {container}")

    def published_port(self, container: str, port: int) -> int:
        out = must(docker("port", container, f"{port}/tcp"), f"reading the published port of {container}")
        return int(out.splitlines()[0].rsplit(":", 1)[1])


def state(container: str) -> tuple[str, int]:
    """(status, exit code) of ``container``: ("running", 0), ("exited", 127), ("missing", -1)…"""
    proc = docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", container)
    if proc.returncode != 0:
        return "missing", -1
    status, _, code = proc.stdout.strip().partition(" ")
    return status, int(code) if code.lstrip("-").isdigit() else -1


def logs(container: str) -> tuple[str, str]:
    proc = docker("logs", container)
    return str(proc.stdout), str(proc.stderr)
