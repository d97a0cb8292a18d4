"""What labelled Docker resources a test (or a run it started) left behind."""

from __future__ import annotations

import subprocess

from cheatsheet.containers import LABEL, OWNER_LABEL, owner, owner_alive


def labelled(kind: str) -> list[str]:
    """Labelled containers, networks or volumes of this process or of a process that is gone: what a
    test (or a run it started) may have left. A live concurrent run's resources are not counted."""
    listing = ["docker", "ps", "--all"] if kind == "container" else ["docker", kind, "ls"]
    ids = subprocess.run([*listing, "--quiet", "--filter", f"label={LABEL}"], capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    mine = []
    for ident in ids:
        inspect = ["docker", "inspect"] if kind == "container" else ["docker", kind, "inspect"]
        who = subprocess.run([*inspect, "--format", '{{index .Config.Labels "' + OWNER_LABEL + '"}}'
                              if kind == "container" else '{{index .Labels "' + OWNER_LABEL + '"}}', ident],
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
        if who == owner() or not owner_alive(who):
            mine.append(ident)
    return mine
