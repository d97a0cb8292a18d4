"""The browser tests' session: Debian's chromium, launched once, and the built site served once over
HTTP on 127.0.0.1 (tests/conftest.py builds it once)."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import launch_chromium
from support import empty_datasets, mkdocs_build, write_bench_rows

from cheatsheet.paths import copy_site


def serve(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """``directory`` served on a free port of 127.0.0.1, quietly, from a daemon thread."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the browser closing a connection early (a page left mid-load) is not a failure

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture(scope="session")
def base_url(built_site) -> Iterator[str]:
    """The URL the built site is served at."""
    url, server = serve(built_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright, for the whole session."""
    from playwright.sync_api import sync_playwright  # only for the browser tests

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="session")
def built_site_with_bench(tmp_path_factory) -> Path:
    """The site built once more, with support.bench_rows (a made-up run) as bench.csv: the benchmark's
    tables and chart as they will stand once a run is committed (bench.csv may hold none yet)."""
    project = copy_site(tmp_path_factory.mktemp("with-bench") / "project")
    write_bench_rows(project / "measurements" / "bench.csv")
    empty_datasets(project, ("bench_checks",))  # the committed check is of the committed run, not this one
    out = project.parent / "site"
    proc = mkdocs_build(project, out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def bench_url(built_site_with_bench) -> Iterator[str]:
    """The URL :func:`built_site_with_bench` is served at."""
    url, server = serve(built_site_with_bench)
    yield url
    server.shutdown()
