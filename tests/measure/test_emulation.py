"""cheatsheet.measure.emulation: whether this machine can run another architecture's images (user-mode
emulation through binfmt_misc), in one line saying why not."""

from __future__ import annotations

from pathlib import Path

import pytest

from cheatsheet.measure.emulation import cannot_run
from cheatsheet.recipes.arch import host_arch

ENTRY = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: {flags}\noffset 0\nmagic 7f454c46\n"


def binfmt(tmp_path: Path, entry: str | None, registered: bool = True) -> Path:
    d = tmp_path / "binfmt_misc"
    d.mkdir()
    if registered:
        (d / "register").write_text("")
    if entry is not None:
        (d / "qemu-aarch64").write_text(entry)
    return d


def test_emulation_with_the_fix_binary_flag_is_usable(tmp_path):
    assert cannot_run("arm64", binfmt(tmp_path, ENTRY.format(flags="POF"))) == ""
    assert cannot_run(host_arch(), tmp_path / "nowhere") == ""  # the machine's own architecture needs nothing


@pytest.mark.parametrize(
    "entry, registered, reason",
    [
        (None, False, "binfmt_misc is not mounted"),
        (None, True, "no binfmt_misc entry qemu-aarch64 is registered"),
        (ENTRY.format(flags="PO"), True, "lacks the F flag, so it does not work inside containers"),
        (ENTRY.format(flags="POF").replace("enabled", "disabled"), True, "is disabled"),
    ],
)
def test_missing_or_unusable_emulation_is_one_line_saying_why(tmp_path, entry, registered, reason):
    why = cannot_run("arm64", binfmt(tmp_path, entry, registered))
    assert reason in why and "\n" not in why


def test_an_architecture_without_an_emulator_is_named(tmp_path):
    assert cannot_run("riscv64", tmp_path) == "no user-mode emulator is known for riscv64"
