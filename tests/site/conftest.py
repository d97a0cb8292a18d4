"""Fixtures of the accessibility test (test_access): the built site served on 127.0.0.1, and Debian's
chromium driven by Playwright, as test_browser has them (its own fixtures of the same names take
precedence there). The site itself is built once per session (``built_site``, tests/conftest.py)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from support import CHROMIUM


@pytest.fixture(scope="module")
def base_url(built_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the browser closing a connection early (a page left mid-load) is not a failure

    handler = functools.partial(Quiet, directory=str(built_site))
    server = Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 -- only when a browser test runs

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()
