"""Can this machine run another architecture's images? (user-mode emulation through binfmt_misc)

An arm64 image measured on an x86-64 machine is built like any other and then run under Debian's
``qemu-user-static``: the kernel hands every aarch64 ELF file to ``qemu-aarch64-static`` through a
``binfmt_misc`` entry. Inside a container the interpreter's path does not exist, so the entry must
have the ``F`` (fix binary) flag: the kernel opened the interpreter when the entry was registered.
``scripts/setup.sh measure`` registers the entry where it is missing; this module only reads
``/proc`` and never changes anything.

Emulated programs are correct but slow: their run times are never reported as performance.
"""

from __future__ import annotations

from pathlib import Path

from ..recipes.arch import ARCHES, host_arch

BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")
SETUP_HINT = "run `scripts/setup.sh measure` as root (it installs qemu-user-static and registers it)"


def cannot_run(arch: str, binfmt_dir: Path = BINFMT_DIR) -> str:
    """Why ``arch``'s images cannot run here, in one line; "" if they can (natively or emulated)."""
    if arch == host_arch():
        return ""
    if arch not in ARCHES:
        return f"no user-mode emulator is known for {arch}"
    entry = ARCHES[arch].binfmt_entry
    if not (binfmt_dir / "register").exists():
        return f"binfmt_misc is not mounted at {binfmt_dir}, so {arch} programs cannot be emulated; {SETUP_HINT}"
    path = binfmt_dir / entry
    try:
        text = path.read_text()
    except OSError:
        return f"no binfmt_misc entry {entry} is registered, so {arch} programs cannot be emulated; {SETUP_HINT}"
    fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    if text.splitlines()[:1] != ["enabled"]:
        return f"the binfmt_misc entry {entry} is disabled; enable it with `echo 1 > {path}`"
    interpreter = fields.get("interpreter", "").strip()
    if "F" not in fields.get("flags:", fields.get("flags", "")).strip():
        return (
            f"the binfmt_misc entry {entry} (interpreter {interpreter}) lacks the F flag, so it does not work "
            f"inside containers; remove it (`echo -1 > {path}`) and {SETUP_HINT}"
        )
    return ""
