"""cheatsheet.measure.bases.distroless: distroless-static assembled from Debian packages, loaded into Docker,
and reused from the cache."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

from cheatsheet.measure.bases.images import ensure_base
from cheatsheet.recipes.model import BaseSpec

needs_bootstrap = pytest.mark.skipif(
    not (os.geteuid() == 0 and shutil.which("apt-get") and shutil.which("dpkg-deb")),
    reason="bootstrapping needs root, apt-get and dpkg-deb",
)


@pytest.mark.docker
@needs_bootstrap
def test_distroless_static_second_call_reuses_the_image(tmp_path: pathlib.Path) -> None:
    spec = BaseSpec("distroless-static", "", "distroless-static")  # never pull: always bootstrap
    first = ensure_base(spec, tmp_path, log=lambda _m: None)
    assert first.source == "bootstrapped"
    assert first.ref.startswith("cheatsheet-base/distroless-static:")
    assert first.image_id.startswith("sha256:")
    assert 1_000_000 < first.size < 4_000_000

    said: list[str] = []
    second = ensure_base(spec, tmp_path, log=said.append)
    assert second == first
    assert not any("bootstrapping" in line for line in said), said  # found, not made again
    assert not list(tmp_path.glob(".tmp-*")), "temporary bootstrap files left behind"

    inspect = subprocess.run(
        [
            "docker",
            "image",
            "inspect",
            "-f",
            "{{.Config.User}}|{{.Config.WorkingDir}}|{{json .Config.Env}}",
            first.ref,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    user, workdir, env = inspect.strip().split("|", 2)
    assert (user, workdir) == ("0", "/")
    assert "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" in env
