"""Tests for cheatsheet.bases against the real Docker daemon (nothing under test is mocked).

Markers: ``docker`` needs a reachable Docker daemon; ``slow`` takes more than ~10 s.
Bootstrapping needs root and the machine's apt sources; tests skip when those are missing.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from cheatsheet.bases import BOOTSTRAP_NAMES
from cheatsheet.bases.bootstrap import Bootstrap
from cheatsheet.bases.common import pack_rootfs
from cheatsheet.bases.images import BaseImage, BaseUnavailable, DockerUnavailable, ensure_base
from cheatsheet.bases.registry import BOOTSTRAPS, bootstrap_for
from cheatsheet.recipes import BaseSpec, load_recipes

SPECS = load_recipes().bases


def _docker_reachable() -> bool:
    if shutil.which("docker") is None:
        return False
    proc = subprocess.run(
        ["docker", "version", "--format", "{{.Server.APIVersion}}"],
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode == 0


def _can_bootstrap() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None and shutil.which("dpkg-deb") is not None


needs_docker = pytest.mark.skipif(not _docker_reachable(), reason="no reachable Docker daemon")
needs_bootstrap = pytest.mark.skipif(not _can_bootstrap(), reason="bootstrapping needs root, apt-get and dpkg-deb")


def _quiet(_: str) -> None:
    pass


def test_scratch_needs_nothing(tmp_path: pathlib.Path) -> None:
    img = ensure_base(SPECS["scratch"], tmp_path, log=_quiet)
    assert img == BaseImage(
        name="scratch",
        ref="scratch",
        image_id="",
        source="none",
        digest="",
        size=0,
        detail=img.detail,
    )
    assert img.detail


def test_specs_are_digest_pinned() -> None:
    assert set(SPECS) == {
        "scratch",
        "debian",
        "debian-slim",
        "distroless-static",
        "distroless-cc",
        "alpine",
    }
    for spec in SPECS.values():
        if spec.pull:
            assert "@sha256:" in spec.pull and len(spec.pull.split("@sha256:")[1]) == 64
    assert SPECS["alpine"].bootstrap == ""
    assert SPECS["debian"].bootstrap == "debian-minbase"


def test_docker_host_nowhere_gives_docker_unavailable(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI")
    sock = tmp_path / "no-such-dir" / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
    started = time.monotonic()
    with pytest.raises(DockerUnavailable) as info:
        ensure_base(SPECS["distroless-static"], tmp_path, log=_quiet)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert "Docker daemon" in message
    assert str(sock) in message


@pytest.mark.docker
@needs_docker
def test_alpine_without_pull_is_unavailable_and_names_the_ref(tmp_path: pathlib.Path) -> None:
    spec = SPECS["alpine"]
    if subprocess.run(["docker", "image", "inspect", spec.pull], check=False, capture_output=True).returncode == 0:
        pytest.skip("alpine is present locally")
    with pytest.raises(BaseUnavailable) as info:
        ensure_base(spec, tmp_path, log=_quiet, allow_pull=False)
    message = str(info.value)
    assert spec.pull in message
    assert "no bootstrap recipe" in message
    assert message.startswith("alpine:")


@pytest.mark.docker
@needs_docker
def test_alpine_pull_failure_is_quick_and_names_the_ref(tmp_path: pathlib.Path) -> None:
    spec = SPECS["alpine"]
    started = time.monotonic()
    try:
        img = ensure_base(spec, tmp_path, log=_quiet)
    except BaseUnavailable as exc:
        assert spec.pull in str(exc)
        assert "cannot pull" in str(exc)
        assert time.monotonic() - started < 10
    else:  # a machine that can reach the registry
        assert img.source == "pulled"
        assert img.ref == spec.pull
        assert img.digest == spec.pull.split("@", 1)[1]


@pytest.mark.docker
@needs_docker
def test_local_image_matching_the_pull_ref_is_used(tmp_path: pathlib.Path) -> None:
    # Any locally present reference counts as "already pulled"; use scratch-built one-file image.
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "marker").write_text("x\n")
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY marker /marker\n")
    tag = "cheatsheet-test/bases-local:1"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ctx)], check=True, capture_output=True)
    try:
        img = ensure_base(BaseSpec("local", tag, ""), tmp_path, log=_quiet)
        assert img.source == "pulled"
        assert img.ref == tag
        assert img.image_id.startswith("sha256:")
        assert img.size == 2
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], check=False, capture_output=True)


@pytest.mark.docker
@needs_docker
@needs_bootstrap
def test_distroless_static_second_call_reuses_the_image(tmp_path: pathlib.Path) -> None:
    spec = BaseSpec("distroless-static", "", "distroless-static")  # never pull: always bootstrap
    first = ensure_base(spec, tmp_path, log=_quiet)
    assert first.source == "bootstrapped"
    assert first.ref.startswith("cheatsheet-base/distroless-static:")
    assert first.image_id.startswith("sha256:")
    assert 1_000_000 < first.size < 4_000_000

    started = time.monotonic()
    second = ensure_base(spec, tmp_path, log=_quiet)
    elapsed = time.monotonic() - started
    assert second == first
    assert elapsed < 1.0, f"cached ensure_base took {elapsed:.2f} s"
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


@pytest.mark.docker
@pytest.mark.slow
@needs_docker
@needs_bootstrap
def test_debian_slim_runs_offline_without_apt_sources(tmp_path: pathlib.Path) -> None:
    if shutil.which("mmdebstrap") is None:
        pytest.skip("mmdebstrap is not installed")
    img = ensure_base(SPECS["debian-slim"], tmp_path, log=_quiet, allow_pull=False)
    assert img.source in ("bootstrapped", "pulled")
    proc = subprocess.run(
        [
            "docker", "run", "--rm", "--network", "none", img.ref, "sh", "-c",
            "ls -A /etc/apt/sources.list.d; test ! -e /etc/apt/sources.list && ls /usr/share/man | wc -l",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if img.source == "bootstrapped":
        assert proc.stdout.split() == ["0"]  # no sources file, no man pages


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


def test_one_class_per_bootstrap_recipe_and_the_loader_knows_them_all() -> None:
    assert tuple(BOOTSTRAPS) == BOOTSTRAP_NAMES
    for name, cls in BOOTSTRAPS.items():
        assert issubclass(cls, Bootstrap) and cls.name == name
        recipe = bootstrap_for(name).recipe()
        assert recipe["kind"] == name and recipe["arch"] == "amd64"
        assert bootstrap_for(name, arch="arm64").recipe()["arch"] == "arm64"  # another cache key, same recipe
    with pytest.raises(BaseUnavailable, match="known: debian-minbase, debian-slim"):
        bootstrap_for("ubuntu")
    with pytest.raises(BaseUnavailable, match="supports amd64, arm64, not 'riscv64'"):
        bootstrap_for("debian-slim", arch="riscv64")


def test_importing_the_recipes_imports_no_docker_or_bootstrapping_code() -> None:
    code = (
        "import sys, cheatsheet.recipes, cheatsheet.datasets, cheatsheet.site\n"
        "heavy = [m for m in sys.modules if m.startswith(('cheatsheet.bases.', 'cheatsheet.docker',"
        " 'cheatsheet.toolchain', 'cheatsheet.measure'))]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
