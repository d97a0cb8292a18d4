"""What the browser tests share: Debian's chromium, the viewport sizes, the built site's pages, and a
browser context that refuses every request leaving 127.0.0.1. The session's browser and server are
fixtures in ``tests/site/conftest.py``; a test module imports these with ``from browsing import ...``."""

from __future__ import annotations

import queue
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cheatsheet.paths import REPO

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "artifacts" / "screenshots"
WIDTHS = {"desktop": 1280, "phone": 390}
#: The whole viewport a reader has: a laptop's 1280×800 and a phone's 390×844.
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def site_pages(built_site: Path) -> list[str]:
    """The URL path of every page of the built site."""
    return sorted(
        "" if p.parent == built_site else p.parent.relative_to(built_site).as_posix() + "/"
        for p in built_site.rglob("index.html")
    )


def launch_chromium(playwright: Any) -> Any:
    """Debian's chromium, launched by a Playwright instance."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])


def run_in_browsers(jobs: Sequence[Callable[[Any], Any]], workers: int = 2) -> list[Any]:
    """Each job called with a browser, ``workers`` jobs at a time: the long page-by-page passes over the
    whole site (axe, layout, loading) keep both cores busy instead of one. Each worker thread drives a
    Playwright and a chromium of its own (Playwright's sync API belongs to the thread that started it).
    The results in the jobs' order; the first job that raised is raised again once all have stopped."""
    from playwright.sync_api import sync_playwright  # only for the browser tests

    todo: queue.SimpleQueue[tuple[int, Callable[[Any], Any]]] = queue.SimpleQueue()
    for item in enumerate(jobs):
        todo.put(item)
    results: dict[int, Any] = {}
    failures: dict[int, BaseException] = {}
    broken: list[BaseException] = []  # a worker that could not start or stop its browser

    def work() -> None:
        try:
            with sync_playwright() as p:
                browser = launch_chromium(p)
                try:
                    while True:
                        try:
                            index, job = todo.get_nowait()
                        except queue.Empty:
                            return
                        try:
                            results[index] = job(browser)
                        except BaseException as exc:  # raised again in the calling thread
                            failures[index] = exc
                finally:
                    browser.close()
        except BaseException as exc:  # raised again in the calling thread
            broken.append(exc)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(jobs))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[min(failures)]
    if broken:
        raise broken[0]
    return [results[i] for i in range(len(jobs))]


class Watched:
    """A browser context that refuses and records every request leaving 127.0.0.1, and every error."""

    def __init__(self, browser, width: int, height: int = 900, *, javascript: bool = True):
        self.context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        self.external: list[str] = []
        self.errors: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (resource type, url) of every same-site request
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("console", self._console)

    def _route(self, route):
        request = route.request
        if urlsplit(request.url).hostname != "127.0.0.1":
            self.external.append(request.url)
            route.abort()
            return
        self.requests.append((request.resource_type, request.url))
        route.continue_()

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def check(self) -> None:
        assert self.external == [], f"requests that left the site: {self.external}"
        assert self.errors == [], self.errors


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """A screenshot (an 8-bit RGB or RGBA PNG, not interlaced, as chromium writes them) as its width,
    height and rows of bytes, channel by channel: enough to compare two screenshots by their pixels."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, header = 8, b"", b""
    while at < len(data):
        length = struct.unpack(">I", data[at : at + 4])[0]
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"an 8-bit RGB(A) PNG, not interlaced, is needed: depth {depth}, colour type {colour}")
    step = 3 if colour == 2 else 4
    raw, stride, rows = zlib.decompress(idat), width * step, []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def mean_difference(a: bytes, b: bytes) -> float:
    """How far apart two screenshots of the same size are: the mean absolute difference of their
    channels (0 to 255)."""
    (wa, ha, ra), (wb, hb, rb) = png_pixels(a), png_pixels(b)
    if (wa, ha) != (wb, hb):
        raise ValueError(f"screenshots of different sizes: {wa}×{ha} and {wb}×{hb}")
    total = sum(abs(x - y) for row_a, row_b in zip(ra, rb, strict=True) for x, y in zip(row_a, row_b, strict=True))
    return total / max(1, sum(len(r) for r in ra))
