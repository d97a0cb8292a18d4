"""Run-time hardening, measured per image: the image's normal check repeated under ``docker run``'s
hardening options, and what the image offers someone who gets code running in it.

Each image that passed its check (:mod:`.checks`) is checked again, with the same check function,
four more times: as an unprivileged user (``--user 65532:65532``), on a read-only root filesystem
(``--read-only``; a server that fails there is tried once more with a tmpfs on ``/tmp``, and the row
says which it needed), with every capability dropped and no privilege gain (``--cap-drop ALL
--security-opt no-new-privileges``), and with all of them at once (the hardened run). Each outcome is
recorded with the exact error. The default user comes from the image config; the image facts
(:mod:`.imagefacts`) are read from the exported image itself, binary included.

Vulnerability counts need a scanner's database, which this machine cannot download: the row says so
(:data:`VULNERABILITIES_NOT_MEASURED`) and never holds a made-up count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..recipes.arch import host_arch
from .docker import inspect_image
from .errors import MeasureError
from .imagefacts import ImageFacts

#: The unprivileged user and group every hardened run uses (distroless' ``nonroot``).
NONROOT = "65532:65532"
#: Where a server that cannot start on a read-only root filesystem is given a tmpfs, tried second.
TMPFS_PATHS = ("/tmp",)
#: The ``docker run`` options of each hardening check, in the order they run.
OPTIONS: dict[str, tuple[str, ...]] = {
    "nonroot": ("--user", NONROOT),
    "read_only": ("--read-only",),
    "no_caps": ("--cap-drop", "ALL", "--security-opt", "no-new-privileges"),
}
VULNERABILITIES_NOT_MEASURED = (
    "not measured here: a vulnerability scanner needs its database downloaded, and the machine that "
    "made these measurements reaches no such download"
)

#: A check of the image under extra ``docker run`` options: ("yes", "") or ("no", the exact error).
Check = Callable[[Sequence[str]], tuple[str, str]]


def tmpfs_options(paths: Sequence[str]) -> tuple[str, ...]:
    return tuple(arg for path in paths for arg in ("--tmpfs", path))


def hardened_options(tmpfs: Sequence[str] = ()) -> tuple[str, ...]:
    """Every hardening option at once (with a tmpfs at ``tmpfs``, if the program needs one)."""
    return (*OPTIONS["nonroot"], *OPTIONS["read_only"], *tmpfs_options(tmpfs), *OPTIONS["no_caps"])


def user_kind(user: str) -> tuple[str, str]:
    """(the default user as the row shows it, its kind) from the image config's ``User``.

    Docker runs an image whose config names no user, or user 0 or ``root``, as root.
    """
    name = user.partition(":")[0].strip()
    if name in ("", "0", "root"):
        return "root", "root"
    return user.strip(), "uid" if name.isdigit() else "name"


def config_user(tag: str) -> str:
    """The ``User`` of the image config of ``tag`` (empty when it names none)."""
    record = inspect_image(tag)
    if record is None:
        raise MeasureError(f"no image {tag} to read the default user of")
    return str((record.get("Config") or {}).get("User") or "")


def image_id(tag: str) -> str:
    record = inspect_image(tag)
    if record is None:
        raise MeasureError(f"no image {tag}")
    return str(record["Id"])


def run_checks(check: Check, *, server: bool) -> dict[str, Any]:
    """The outcome of every hardening check as row columns.

    The read-only check of a server that fails without a tmpfs runs again with one at
    :data:`TMPFS_PATHS`; the row's ``read_only_tmpfs`` names what it needed (empty: nothing).
    """
    out: dict[str, Any] = {}
    for name in ("nonroot", "no_caps"):
        runs, failure = check(OPTIONS[name])
        out[name], out[f"{name}_failure"] = runs, failure
    runs, failure = check(OPTIONS["read_only"])
    tmpfs: tuple[str, ...] = ()
    if runs != "yes" and server:
        with_tmpfs, _ = check((*OPTIONS["read_only"], *tmpfs_options(TMPFS_PATHS)))
        if with_tmpfs == "yes":
            runs, failure, tmpfs = "yes", "", TMPFS_PATHS
    out["read_only"], out["read_only_failure"], out["read_only_tmpfs"] = runs, failure, " ".join(tmpfs)
    options = hardened_options(tmpfs)
    out["hardened"], out["hardened_failure"] = check(options)
    out["hardened_command"] = " ".join(("docker", "run", *options))
    return out


def hardening_row(
    image_row: dict[str, Any],
    outcome: dict[str, Any],
    facts: ImageFacts,
    user: str,
    image: str,
    docker_version: str,
    measured_at: Any,
) -> dict[str, Any]:
    """The row of hardening.csv for the image of ``image_row`` (its row of images.csv)."""
    shown, kind = user_kind(user)
    return {
        "program": image_row["program"],
        "variant": image_row["variant"],
        "base": image_row["base"],
        "arch": image_row["arch"],
        "default_user": shown,
        "default_user_kind": kind,
        **outcome,
        "files": facts.files,
        "setuid_files": facts.setuid_files,
        "setuid_paths": facts.setuid_paths,
        "shell": facts.shell,
        "package_manager": facts.package_manager,
        "interpreters": facts.interpreters,
        "network_tools": facts.network_tools,
        "packages": facts.packages,
        "world_writable_dirs": facts.world_writable_dirs,
        "world_writable_paths": facts.world_writable_paths,
        "vulnerabilities_measured": "no",
        "vulnerabilities": None,
        "vulnerability_scanner": None,
        "vulnerability_db": None,
        "vulnerabilities_note": VULNERABILITIES_NOT_MEASURED,
        "image_id": image,
        "recipe_key": image_row["recipe_key"],
        "docker_version": docker_version,
        "host_arch": host_arch(),
        "measured_at": measured_at,
    }
