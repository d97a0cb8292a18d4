"""Valid rows for the datasets, for tests to write and then break."""

from __future__ import annotations

import csv
import io
from pathlib import Path

IMAGE_ROW = {
    "program": "hello-world",
    "variant": "scratch-musl",
    "base": "scratch",
    "libc": "musl",
    "crt_linkage": "static",
    "target": "x86_64-unknown-linux-musl",
    "arch": "amd64",
    "tls": "none",
    "dns": "none",
    "allocator": "system",
    "roots": "none",
    "strip": "symbols",
    "cargo_profile": "strip=symbols",
    "rustflags": "",
    "image_bytes": "455456",
    "compressed_bytes": "201234",
    "compression": "gzip-6",
    "binary_bytes": "455456",
    "base_bytes": "0",
    "runs": "yes",
    "failure": "",
    "health": "",
    "resolves": "",
    "proxies": "",
    "trust_anchors": "",
    "anchors_from": "",
    "base_source": "none",
    "base_ref": "scratch",
    "base_id": "",
    "toolchain": "debian-build-std",
    "rustc_release": "1.96.0",
    "rustc_version": "rustc 1.96.0 (abcdef012 2026-05-01) (built from a source tarball)",
    "docker_version": "20.10.24+dfsg1",
    "host_arch": "x86_64",
    "measured_at": "2026-11-27T12:00:00Z",
    "recipe_key": "a" * 64,
}


def image_row(**changes: str) -> dict[str, str]:
    return {**IMAGE_ROW, **changes}


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def empty_datasets(dest: Path, names: tuple[str, ...]) -> Path:
    """``dest/measurements`` with each dataset's schema and a CSV holding only its header."""
    repo = Path(__file__).resolve().parent.parent / "measurements"
    out = dest / "measurements"
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / f"{name}.schema.json").write_bytes((repo / f"{name}.schema.json").read_bytes())
        header = (repo / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        (out / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    return out
