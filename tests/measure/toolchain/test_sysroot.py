"""cheatsheet.measure.toolchain.sysroot: the private sysroot is published atomically with a completion
marker; an interrupted, tampered or outdated one is rebuilt, never trusted."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from support import needs_debian, sysroot_of

from cheatsheet.measure.toolchain import MUSL_TARGET, toolchain


@needs_debian
def test_interrupted_sysroot_is_rebuilt_not_trusted(tmp_path):
    tc = toolchain("debian-build-std", tmp_path)
    sysroot = sysroot_of(tc)
    marker = sysroot / ".sysroot-complete.json"
    libc = sysroot / "lib" / "rustlib" / MUSL_TARGET / "lib" / "self-contained" / "libc.a"
    good_libc = libc.read_bytes()
    good_marker = marker.read_text()
    assert good_libc == Path("/usr/lib/x86_64-linux-musl/libc.a").read_bytes()

    # 1. An interrupted build: the final directory with half its files and no completion marker,
    #    plus a temporary directory left behind by the dead builder.
    marker.unlink()
    libc.write_bytes(good_libc[: len(good_libc) // 3])
    (sysroot / "bin" / "rustc").unlink()
    leftover = sysroot.parent / f".tmp-{sysroot.name}-deadbeef"
    (leftover / "lib").mkdir(parents=True)
    assert toolchain("debian-build-std", tmp_path) == tc
    assert marker.read_text() == good_marker
    assert libc.read_bytes() == good_libc
    assert os.access(sysroot / "bin" / "rustc", os.X_OK)
    assert not leftover.exists()

    # 2. A complete-looking directory whose files no longer match the marker.
    libc.write_bytes(b"!<arch>\n")
    assert toolchain("debian-build-std", tmp_path) == tc
    assert libc.read_bytes() == good_libc

    # 3. A marker written for other inputs (e.g. before a package upgrade) is not trusted either.
    data = json.loads(marker.read_text())
    data["inputs"]["layout"] = -1
    marker.write_text(json.dumps(data))
    assert toolchain("debian-build-std", tmp_path) == tc
    assert marker.read_text() == good_marker

    # The sysroot still works for rustc after all that.
    out = subprocess.run([tc.env["RUSTC"], "--print", "sysroot"], capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == sysroot
