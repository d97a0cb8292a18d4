"""cheatsheet.measure.bases.common: what the bootstrap recipes share; a root filesystem packed reproducibly."""

from __future__ import annotations

import os
import pathlib

from cheatsheet.measure.bases.common import pack_rootfs


def test_rootfs_tarball_is_reproducible(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "b").write_text("b\n")
    (root / "etc" / "a").write_text("a\n")
    (root / "link").symlink_to("etc/a")
    epoch = 1_700_000_000
    pack_rootfs(root, tmp_path / "one.tar", epoch)
    os.utime(root / "etc" / "a")  # a newer mtime is clamped to the epoch
    pack_rootfs(root, tmp_path / "two.tar", epoch)
    assert (tmp_path / "one.tar").read_bytes() == (tmp_path / "two.tar").read_bytes()
    assert not list(tmp_path.glob("*.part"))
