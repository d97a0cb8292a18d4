"""The builder image the full Dockerfiles name (:data:`~cheatsheet.recipes.dockerfile.BUILDER_IMAGE`,
the official ``rust:<release>-slim-bookworm``): used as it is when Docker has it or can pull it, and
otherwise made here as a local equivalent under the same tag, so that the Dockerfiles are built as the
page shows them.

The local equivalent follows the official image's recipe (docker-library's ``rust`` slim Dockerfile):
Debian 12 slim, ``ca-certificates``, ``gcc`` and ``libc6-dev`` from Debian's packages, rustup with the
toolchain of the tag's release under ``/usr/local/rustup`` and its proxies under ``/usr/local/cargo/bin``,
and the same environment (``RUSTUP_HOME``, ``CARGO_HOME``, ``PATH``, ``RUST_VERSION``). Where it differs:
the slim base is the one bootstrapped here, rustup and the toolchain are copied from this machine's rustup
(its components, without documentation) since no Rust download server is reachable, apt uses this
machine's sources, and the trust store also holds this machine's local CA certificates (so that cargo,
inside ``docker build``, reaches crates.io through this machine's network). Its labels say all that.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..recipes.dockerfile import BUILDER_IMAGE
from .bases.common import DEFAULT_PATH, source_files
from .bases.images import BaseImage
from .docker import docker, inspect_image, stderr_line
from .errors import MeasureError
from .toolchain import Toolchain

LABEL = "cheatsheet.builder."
#: What the official slim image installs from Debian (it also installs wget, to fetch rustup, and removes it).
PACKAGES = ("ca-certificates", "gcc", "libc6-dev")
#: The proxies rustup-init links beside rustup in ``$CARGO_HOME/bin``.
PROXIES = (
    "cargo", "cargo-clippy", "cargo-fmt", "cargo-miri", "clippy-driver", "rls", "rust-analyzer",
    "rust-gdb", "rust-gdbgui", "rust-lldb", "rustc", "rustdoc", "rustfmt",
)  # fmt: skip
RUSTUP_HOME = "/usr/local/rustup"
CARGO_HOME = "/usr/local/cargo"
LOCAL_CA = Path("/usr/local/share/ca-certificates")
MAKE_TIMEOUT = 1800
PULL_TIMEOUT = 300


@dataclass(frozen=True)
class Builder:
    tag: str
    image_id: str
    source: str  # "pulled" (the official image) or "made-here" (the local equivalent)
    detail: str  # one line for the data: what it is and how it differs from the official image


def release_of(tag: str = BUILDER_IMAGE) -> str:
    """The Rust release a ``rust:<release>-slim-<suite>`` tag names."""
    name, _, version = tag.partition(":")
    release = version.split("-", 1)[0]
    if name != "rust" or not release.count(".") == 2:
        raise MeasureError(f"{tag!r} is not a rust:<release>-slim-<suite> tag")
    return release


def toolchain_dir(tc: Toolchain) -> Path:
    """The rustup toolchain directory ``tc``'s rustc belongs to (``.../toolchains/<name>/bin/rustc``)."""
    return Path(tc.rustc).resolve().parent.parent


def rustup_binary(tc: Toolchain) -> Path:
    """rustup itself: ``$CARGO_HOME/bin/rustup`` of the machine whose toolchain ``tc`` is."""
    home = toolchain_dir(tc).parent.parent  # ~/.rustup
    candidate = home.parent / ".cargo" / "bin" / "rustup"
    if not candidate.is_file():
        raise MeasureError(f"rustup was not found at {candidate}, beside the toolchain {toolchain_dir(tc)}")
    return candidate


def make_script(toolchain_name: str) -> str:
    """The shell script run in the slim base to make the builder (mounts: see :func:`make_builder`)."""
    proxies = " ".join(PROXIES)
    return "\n".join(
        [
            "set -eux",
            # this machine's apt sources, in place of the ones the root filesystem was made with
            "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*",
            "cp /mnt/apt/* /etc/apt/sources.list.d/",
            "apt-get update",
            f"DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {' '.join(PACKAGES)}",
            "rm -rf /var/lib/apt/lists/*",
            "if [ -d /mnt/local-ca ]; then cp /mnt/local-ca/*.crt /usr/local/share/ca-certificates/; fi",
            "update-ca-certificates",
            f"mkdir -p {RUSTUP_HOME}/toolchains/{toolchain_name} {CARGO_HOME}/bin",
            f"cp -a /mnt/toolchain/bin /mnt/toolchain/lib /mnt/toolchain/libexec /mnt/toolchain/etc "
            f"{RUSTUP_HOME}/toolchains/{toolchain_name}/",
            f"cp /mnt/rustup {CARGO_HOME}/bin/rustup",
            f"for p in {proxies}; do ln {CARGO_HOME}/bin/rustup {CARGO_HOME}/bin/$p; done",
            f'printf \'version = "12"\\ndefault_toolchain = "{toolchain_name}"\\nprofile = "minimal"\\n\' '
            f"> {RUSTUP_HOME}/settings.toml",
            f"chmod -R a+w {RUSTUP_HOME} {CARGO_HOME}",
            f"export RUSTUP_HOME={RUSTUP_HOME} CARGO_HOME={CARGO_HOME} PATH={CARGO_HOME}/bin:$PATH",
            "rustup --version",
            "cargo --version",
            "rustc --version",
        ]
    )


def environment(release: str) -> list[str]:
    """The official image's ``ENV``."""
    return [
        f"RUSTUP_HOME={RUSTUP_HOME}",
        f"CARGO_HOME={CARGO_HOME}",
        f"PATH={CARGO_HOME}/bin:{DEFAULT_PATH}",
        f"RUST_VERSION={release}",
    ]


def local_ca_files() -> list[Path]:
    return sorted(LOCAL_CA.glob("*.crt")) if LOCAL_CA.is_dir() else []


def builder_key(base: BaseImage, tc: Toolchain, script: str) -> str:
    """What decides the local builder: the base, the toolchain, the recipe, the apt sources and CAs."""
    material = {
        "base": base.image_id,
        "toolchain": tc.fingerprint,
        "script": script,
        "env": environment(tc.release),
        "sources": [hashlib.sha256(p.read_bytes()).hexdigest() for p in source_files()],
        "ca": [hashlib.sha256(p.read_bytes()).hexdigest() for p in local_ca_files()],
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def made_here_detail(tc: Toolchain, base: BaseImage) -> str:
    ca = len(local_ca_files())
    return (
        f"made here: {base.source} Debian 12 slim + {', '.join(PACKAGES)} from Debian, rustup and rustc {tc.release} "
        f"copied from this machine's rustup (no docs), this machine's apt sources"
        + (f" and {ca} local CA certificate{'s' if ca != 1 else ''}" if ca else "")
    )


def ensure_builder(
    base: BaseImage, tc: Toolchain, *, allow_pull: bool = True, log: Callable[[str], None] = print
) -> Builder:
    """The builder image under :data:`BUILDER_IMAGE`: present, pulled, or made here from ``base`` (the
    slim Debian base image) and ``tc`` (this machine's rustup toolchain of the same release)."""
    release = release_of()
    script = make_script(f"{release}-x86_64-unknown-linux-gnu")
    key = builder_key(base, tc, script)
    found = inspect_image(BUILDER_IMAGE)
    labels = ((found or {}).get("Config") or {}).get("Labels") or {}
    if found is not None and labels.get(LABEL + "key") == key:
        return Builder(BUILDER_IMAGE, found["Id"], "made-here", labels.get(LABEL + "detail", ""))
    if found is not None and not any(k.startswith(LABEL) for k in labels):
        return Builder(BUILDER_IMAGE, found["Id"], "pulled", "the official image, present in Docker")
    if allow_pull and found is None:
        log(f"builder: docker pull {BUILDER_IMAGE} ...")
        try:
            pulled = docker("pull", BUILDER_IMAGE, timeout=PULL_TIMEOUT)
        except subprocess.TimeoutExpired:
            pulled = None
        if pulled is not None and pulled.returncode == 0:
            info = inspect_image(BUILDER_IMAGE) or {}
            digests = info.get("RepoDigests") or []
            return Builder(
                BUILDER_IMAGE,
                info.get("Id", ""),
                "pulled",
                f"the official image, pulled ({digests[0] if digests else 'no digest'})",
            )
        log("builder: cannot be pulled here; making the local equivalent")
    if tc.release != release:
        raise MeasureError(
            f"the Dockerfiles name {BUILDER_IMAGE} but this machine's rustup stable is {tc.release}: "
            f"the local builder must hold the release its tag names"
        )
    return make_builder(base, tc, script, key, log)


def make_builder(base: BaseImage, tc: Toolchain, script: str, key: str, log: Callable[[str], None]) -> Builder:
    detail = made_here_detail(tc, base)
    name = f"cheatsheet-builder-{uuid.uuid4().hex[:12]}"
    mounts = ["-v", f"{toolchain_dir(tc)}:/mnt/toolchain:ro", "-v", f"{rustup_binary(tc)}:/mnt/rustup:ro"]
    for source in source_files():
        mounts += ["-v", f"{source}:/mnt/apt/{source.name}:ro"]
    for ca in local_ca_files():
        mounts += ["-v", f"{ca}:/mnt/local-ca/{ca.name}:ro"]
    log(f"builder: making {BUILDER_IMAGE} from {base.ref} and rustc {tc.release} ...")
    try:
        try:
            proc = docker("run", "--name", name, *mounts, base.ref, "sh", "-c", script, timeout=MAKE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise MeasureError(f"making the builder image did not finish within {MAKE_TIMEOUT} s") from None
        if proc.returncode != 0:
            raise MeasureError(f"making the builder image failed: {stderr_line(proc)}")
        changes = [f"ENV {e}" for e in environment(tc.release)]
        changes += [
            f"LABEL {LABEL}key={key}",
            f"LABEL {LABEL}detail={json.dumps(detail)}",
            "WORKDIR /",
            'CMD ["bash"]',
        ]
        args = [arg for change in changes for arg in ("--change", change)]
        committed = docker("commit", *args, name, BUILDER_IMAGE, timeout=600)
        if committed.returncode != 0:
            raise MeasureError(f"docker commit of the builder failed: {stderr_line(committed)}")
    finally:
        docker("rm", "--force", name, timeout=120)
    info = inspect_image(BUILDER_IMAGE)
    if info is None:
        raise MeasureError(f"the builder image {BUILDER_IMAGE} is missing right after it was made")
    log(f"builder: {BUILDER_IMAGE} made ({int(info['Size']):,} bytes)")
    return Builder(BUILDER_IMAGE, info["Id"], "made-here", detail)
