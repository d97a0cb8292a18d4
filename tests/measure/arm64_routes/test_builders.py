"""cheatsheet.measure.arm64_routes.builders: where a route's binary is found."""

from __future__ import annotations

from cheatsheet.measure.arm64_routes.builders import find_binary
from cheatsheet.measure.arm64_routes.rows import PROGRAMS


def test_the_binary_is_found_under_the_triple_or_cargo_zigbuilds_suffixed_target(tmp_path, recipes):
    variant = recipes.variant("hello-world", PROGRAMS["hello-world"])
    assert find_binary(tmp_path, variant, "aarch64-unknown-linux-gnu.2.17") is None
    suffixed = tmp_path / "aarch64-unknown-linux-gnu.2.17" / "release" / "hello-world"
    suffixed.parent.mkdir(parents=True)
    suffixed.write_bytes(b"\x7fELF")
    assert find_binary(tmp_path, variant, "aarch64-unknown-linux-gnu.2.17") == suffixed
    plain = tmp_path / "aarch64-unknown-linux-gnu" / "release" / "hello-world"
    plain.parent.mkdir(parents=True)
    plain.write_bytes(b"\x7fELF")
    assert find_binary(tmp_path, variant, "aarch64-unknown-linux-gnu.2.17") == plain
