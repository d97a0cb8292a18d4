"""cheatsheet.measure.imagefacts: what a base image carries, read from filesystem tars laid out like the
real bases, and from a real image."""

from __future__ import annotations

import io
import tarfile

import pytest

from cheatsheet.measure.imagefacts import ImageFactsError, facts_from_tar

CERT = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def make_tar(entries: list[tuple[str, str, bytes | str]], modes: dict[str, int] | None = None) -> io.BytesIO:
    """entries: (kind, name, data) with kind "file", "dir", "sym" (data = target) or "hard" (data = target);
    ``modes``: the permission bits of some members by name (tarfile's default otherwise: 0o644)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for kind, name, data in entries:
            info = tarfile.TarInfo(name)
            info.mode = (modes or {}).get(name, 0o755 if kind == "dir" else 0o644)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, str(data)
                tar.addfile(info)
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, str(data)
                tar.addfile(info)
            else:
                payload = data if isinstance(data, bytes) else data.encode()
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    buf.seek(0)
    return buf


def debian_like() -> list[tuple[str, str, bytes | str]]:
    """A merged-/usr Debian layout: /bin and /lib are links into /usr."""
    return [
        ("dir", "usr", b""),
        ("dir", "usr/bin", b""),
        ("dir", "usr/lib", b""),
        ("dir", "usr/lib/x86_64-linux-gnu", b""),
        ("sym", "bin", "usr/bin"),
        ("sym", "lib", "usr/lib"),
        ("file", "usr/bin/dash", b"\x7fELF"),
        ("sym", "usr/bin/sh", "dash"),
        ("file", "usr/bin/apt-get", b"\x7fELF"),
        ("file", "usr/bin/dpkg", b"\x7fELF"),
        ("file", "usr/lib/x86_64-linux-gnu/libc.so.6", b"\x7fELF"),
        ("file", "usr/lib/x86_64-linux-gnu/libgcc_s.so.1", b"\x7fELF"),
        ("dir", "etc", b""),
        (
            "file",
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        ),
        ("file", "etc/nsswitch.conf", "hosts: files dns\n"),
        ("dir", "usr/share", b""),
        ("dir", "usr/share/zoneinfo", b""),
        ("dir", "usr/share/zoneinfo/Etc", b""),
        ("file", "usr/share/zoneinfo/Etc/UTC", b"TZif"),
        ("sym", "usr/share/zoneinfo/UTC", "Etc/UTC"),
    ]


def test_debian_slim_like_has_shell_apt_glibc_but_no_ca_bundle():
    facts = facts_from_tar(make_tar(debian_like()))
    assert facts.shell == "dash"
    assert facts.package_manager == "apt"
    assert facts.libc == "glibc"
    assert facts.libgcc_s == "yes"
    assert facts.libssl == ""
    assert facts.ca_bundle == "" and facts.ca_certs == 0
    assert facts.passwd == "yes" and facts.unprivileged_users == "nobody:65534"
    assert facts.tzdata == "yes"
    assert facts.nsswitch == "yes"
    assert facts.files == 8


def test_ca_bundle_counted_through_a_symbolic_link_and_libssl_found():
    entries = [
        *debian_like(),
        ("dir", "etc/ssl", b""),
        ("dir", "etc/ssl/certs", b""),
        ("sym", "etc/ssl/certs/ca-certificates.crt", "/usr/share/ca/bundle.pem"),
        ("dir", "usr/share/ca", b""),
        ("file", "usr/share/ca/bundle.pem", CERT * 3),
        ("file", "usr/lib/x86_64-linux-gnu/libssl.so.3", b"\x7fELF"),
    ]
    facts = facts_from_tar(make_tar(entries))
    assert (facts.ca_bundle, facts.ca_certs) == ("/etc/ssl/certs/ca-certificates.crt", 3)
    assert facts.libssl == "libssl.so.3"


def test_distroless_static_like_with_nonroot_and_no_shell():
    entries = [
        ("dir", "./etc", b""),
        (
            "file",
            "./etc/passwd",
            "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
        ),
        ("dir", "./etc/ssl", b""),
        ("dir", "./etc/ssl/certs", b""),
        ("file", "./etc/ssl/certs/ca-certificates.crt", CERT * 2),
        ("hard", "./etc/ssl/cert-copy.pem", "./etc/ssl/certs/ca-certificates.crt"),
    ]
    facts = facts_from_tar(make_tar(entries))
    assert facts.shell == "" and facts.package_manager == "" and facts.libc == ""
    assert facts.unprivileged_users == "nobody:65534 nonroot:65532"
    assert facts.ca_certs == 2 and facts.tzdata == "no" and facts.nsswitch == "no"


def test_empty_filesystem_like_scratch():
    facts = facts_from_tar(make_tar([("file", "webserver", b"\x7fELF")]))
    assert facts.as_row() == {
        "files": 1,
        "ca_bundle": "",
        "ca_certs": 0,
        "passwd": "no",
        "unprivileged_users": "",
        "tzdata": "no",
        "shell": "",
        "package_manager": "",
        "libc": "",
        "libssl": "",
        "libgcc_s": "no",
        "nsswitch": "no",
        "setuid_files": 0,
        "setuid_paths": "",
        "interpreters": "",
        "network_tools": "",
        "packages": None,
        "world_writable_dirs": 0,
        "world_writable_paths": "",
    }


DPKG_STATUS = """\
Package: base-files
Status: install ok installed
Version: 12.4

Package: removed-one
Status: deinstall ok config-files
Version: 1.0

Package: perl-base
Status: install ok installed
Version: 5.36
"""


def test_what_an_intruder_finds_in_a_debian_like_image():
    """setuid and setgid files, interpreters and network tools through the /bin link, installed
    packages by dpkg's status (a removed package's leftover configuration is not installed), and
    world-writable directories; what the runtime mounts over (/dev, /proc) is not the image's."""
    entries = [
        *debian_like(),
        ("file", "usr/bin/su", b"\x7fELF"),
        ("file", "usr/bin/chage", b"\x7fELF"),
        ("file", "usr/bin/perl", b"\x7fELF"),
        ("file", "usr/bin/python3", b"\x7fELF"),
        ("file", "usr/bin/wget", b"\x7fELF"),
        ("dir", "tmp", b""),
        ("dir", "var", b""),
        ("dir", "var/lib", b""),
        ("dir", "var/lib/dpkg", b""),
        ("file", "var/lib/dpkg/status", DPKG_STATUS),
        ("dir", "dev", b""),
        ("dir", "dev/shm", b""),
        ("dir", "proc", b""),
        ("file", "proc/x", b""),
    ]
    modes = {"usr/bin/su": 0o4755, "usr/bin/chage": 0o2755, "tmp": 0o1777, "dev/shm": 0o1777, "proc/x": 0o4755}
    facts = facts_from_tar(make_tar(entries, modes))
    assert (facts.setuid_files, facts.setuid_paths) == (2, "/usr/bin/chage /usr/bin/su")
    assert facts.interpreters == "perl python3"
    assert facts.network_tools == "wget"
    assert facts.packages == 2
    assert (facts.world_writable_dirs, facts.world_writable_paths) == (1, "/tmp")


def test_packages_of_distroless_and_alpine_by_their_own_databases():
    distroless = [
        ("dir", "var", b""),
        ("dir", "var/lib", b""),
        ("dir", "var/lib/dpkg", b""),
        ("dir", "var/lib/dpkg/status.d", b""),
        ("file", "var/lib/dpkg/status.d/base-files", "Package: base-files\n"),
        ("file", "var/lib/dpkg/status.d/tzdata", "Package: tzdata\n"),
        ("file", "var/lib/dpkg/status.d/tzdata.md5sums", "0 x\n"),
        ("file", "var/lib/dpkg/status.d/netbase", "Package: netbase\n"),
    ]
    assert facts_from_tar(make_tar(distroless)).packages == 3
    alpine = [
        ("dir", "lib", b""),
        ("dir", "lib/apk", b""),
        ("dir", "lib/apk/db", b""),
        ("file", "lib/apk/db/installed", "C:x\nP:musl\nV:1\n\nC:y\nP:busybox\nV:1\n"),
        ("dir", "bin", b""),
        ("file", "bin/busybox", b"\x7fELF"),
        ("dir", "usr", b""),
        ("dir", "usr/bin", b""),
        ("sym", "usr/bin/wget", "/bin/busybox"),
    ]
    facts = facts_from_tar(make_tar(alpine))
    assert facts.packages == 2
    assert facts.network_tools == "wget"  # BusyBox's, through its link


def test_a_link_loop_and_a_dangling_link_are_absent_not_a_hang():
    entries = [
        ("sym", "a", "b"),
        ("sym", "b", "a"),
        ("dir", "bin", b""),
        ("sym", "bin/sh", "/a/sh"),
        ("dir", "etc", b""),
        ("sym", "etc/passwd", "/nowhere/passwd"),
    ]
    facts = facts_from_tar(make_tar(entries))
    assert facts.shell == "" and facts.passwd == "no"


def test_a_file_used_as_a_directory_does_not_resolve():
    facts = facts_from_tar(make_tar([("file", "bin", b"x"), ("file", "bin/sh", b"x")]))
    assert facts.shell == ""


def test_not_a_tar_is_a_clear_error():
    with pytest.raises(ImageFactsError, match="not a readable filesystem tar"):
        facts_from_tar(io.BytesIO(b"definitely not a tar archive" * 40))


@pytest.mark.docker
def test_image_facts_of_a_real_image(tmp_path):
    """A real image made with `docker import` from a Debian-like tar: created, exported and read back."""
    import subprocess

    from cheatsheet.measure.imagefacts import image_facts

    tar = tmp_path / "root.tar"
    tar.write_bytes(make_tar(debian_like()).getvalue())
    tag = "cheatsheet-test/imagefacts:debian-like"
    subprocess.run(["docker", "import", str(tar), tag], check=True, capture_output=True)
    try:
        facts = image_facts(tag, tmp_path / "work")
        # containers of this image only: measurements running beside the tests export images of their own
        leftovers = subprocess.run(
            [
                "docker",
                "ps",
                "--all",
                "--quiet",
                "--filter",
                "label=cheatsheet.imagefacts",
                "--filter",
                f"ancestor={tag}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True)
    assert (facts.shell, facts.package_manager, facts.libc, facts.files) == ("dash", "apt", "glibc", 8)
    assert leftovers == ""


@pytest.mark.docker
def test_image_facts_of_a_missing_image_is_a_clear_error(tmp_path):
    from cheatsheet.measure.imagefacts import image_facts

    with pytest.raises(ImageFactsError, match="docker create cheatsheet-test/no-such-image:x failed"):
        image_facts("cheatsheet-test/no-such-image:x", tmp_path)
