"""From needs to a measured image: the criteria a reader can tick, each defined by columns of the data,
the home page's table of the smallest image per need, and the chooser page (a static table that works
without JavaScript, and the site's own JSON for a small script that combines needs).

Only images that were measured to run and passed every check of their program qualify. A criterion is
a name, the words a reader sees, the rule in the data's own terms (shown on the page), and a test of
one candidate; the same tests serve the static tables, the JSON and the browser tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..recipes.arch import DEFAULT_ARCH
from ..recipes.dockerfile import full_dockerfile
from . import render
from .context import Site, macro
from .images import verbatim_note
from .render import Column, text

Candidate = dict[str, Any]


@dataclass(frozen=True)
class Criterion:
    id: str
    label: str  # what the reader ticks
    rule: str  # the same, in the data's terms
    test: Callable[[Candidate], bool]


CRITERIA = (
    Criterion("https", "Makes HTTPS requests", "images.csv: proxies = yes (the HTTPS request through the image passed)",
              lambda c: c["proxies"] == "yes"),
    Criterion("roots-compiled-in", "Trust roots compiled into the binary", "images.csv: roots = compiled-in",
              lambda c: c["roots"] == "compiled-in"),
    Criterion("roots-system", "Trust roots from the image's CA store", "images.csv: roots = system and proxies = yes",
              lambda c: c["roots"] == "system" and c["proxies"] == "yes"),
    Criterion("getaddrinfo", "Name lookups through the C library (getaddrinfo)",
              "images.csv: dns = system and resolves = yes", lambda c: c["dns"] == "system" and c["resolves"] == "yes"),
    Criterion("dynamic-glibc", "A default -gnu build (glibc, linked dynamically)",
              "images.csv: libc = glibc and crt_linkage = dynamic",
              lambda c: c["libc"] == "glibc" and c["crt_linkage"] == "dynamic"),
    Criterion("openssl-dynamic", "Links the system OpenSSL dynamically (libssl from the image)",
              "images.csv: tls = openssl and crt_linkage = dynamic",
              lambda c: c["tls"] == "openssl" and c["crt_linkage"] == "dynamic"),
    Criterion("shell", "A shell in the image, for debugging", "base_images.csv: shell is not empty",
              lambda c: bool(c["shell"])),
    Criterion("non-root", "A non-root user in the image", "base_images.csv: unprivileged_users is not empty",
              lambda c: bool(c["unprivileged_users"])),
    Criterion("hardened", "Runs hardened: non-root, read-only root filesystem, no capabilities",
              "hardening.csv: hardened = yes (passed its check with --user 65532:65532 --read-only --cap-drop ALL "
              "--security-opt no-new-privileges)", lambda c: c["hardened"] == "yes"),
    Criterion("arm64", "Runs on arm64", "images.csv: arch = arm64 (run under emulation here)",
              lambda c: c["arch"] == "arm64"),
    Criterion("fast-allocator", "Benchmarked: at least as fast as glibc's allocator on /alloc",
              "bench.csv: alloc_rps_ratio >= 1.00", lambda c: (c["alloc_ratio"] or 0) >= 1.0),
)  # fmt: skip
BY_ID = {c.id: c for c in CRITERIA}
#: The home page's questions: a need, as the criteria that define it.
NEEDS = (
    ("Prints and exits: no network, no files", ()),
    ("Makes HTTPS requests with trust roots compiled in", ("https", "roots-compiled-in")),
    ("Makes HTTPS requests with the image's own CA store", ("roots-system",)),
    ("Resolves names through the C library (getaddrinfo)", ("getaddrinfo",)),
    ("A default -gnu build, linked dynamically against glibc", ("dynamic-glibc",)),
    ("Links the system OpenSSL dynamically", ("openssl-dynamic",)),
    ("Runs as a non-root user the image defines", ("non-root",)),
    ("Runs hardened: non-root, read-only, no capabilities", ("hardened",)),
    ("Has a shell to debug in", ("shell",)),
    ("Runs on arm64", ("arm64",)),
)


def candidates(site: Site) -> list[Candidate]:
    """Every measured image that ran and passed its program's checks, with the facts the criteria read."""
    facts = {(r["base"], r["arch"]): r for r in site.data.rows("base_images")}
    bench = {(r["program"], r["variant"]): r for r in site.data.rows("bench") if not r["failure"]}
    hardening = {(r["program"], r["variant"]): r["hardened"] for r in site.data.rows("hardening")}
    out = []
    for r in site.data.rows("images"):
        if r["runs"] != "yes" or r["image_bytes"] is None:
            continue
        recipe = site.data.recipes.by_key.get((r["program"], r["variant"]))
        if recipe is None or recipe.like_for_like_of or (recipe.ladder and r["program"] != "hello-world"):
            continue
        base = facts.get((r["base"], r["arch"]), {})
        b = bench.get((r["program"], r["variant"]))
        out.append(
            {
                "program": r["program"], "variant": r["variant"], "base": r["base"], "arch": r["arch"],
                "libc": r["libc"], "crt_linkage": r["crt_linkage"], "tls": r["tls"], "roots": r["roots"],
                "dns": r["dns"], "proxies": r["proxies"] or "", "resolves": r["resolves"] or "",
                "image_bytes": int(r["image_bytes"]), "shell": base.get("shell") or "",
                "libssl": base.get("libssl") or "", "unprivileged_users": base.get("unprivileged_users") or "",
                "alloc_ratio": b["alloc_rps_ratio"] if b else None, "ladder": bool(recipe.ladder),
                "hardened": hardening.get((r["program"], r["variant"]), ""),
            }
        )  # fmt: skip
    return sorted(out, key=lambda c: (c["image_bytes"], c["program"], c["variant"]))


def answer(pool: list[Candidate], needs: tuple[str, ...], *, include_ladder: bool = False) -> list[Candidate]:
    """The candidates that satisfy every need, smallest first: x86-64 images unless arm64 is a need,
    size-ladder steps only when asked for."""
    arch = "arm64" if "arm64" in needs else DEFAULT_ARCH
    return [
        c
        for c in pool
        if (include_ladder or not c["ladder"]) and c["arch"] == arch and all(BY_ID[n].test(c) for n in needs)
    ]


def dockerfile_of(site: Site, c: Candidate) -> str:
    """The full Dockerfile a reader copies for the candidate's recipe."""
    return full_dockerfile(site.data.recipes.variant(c["program"], c["variant"]))


def _image(c: Candidate) -> str:
    return f"{render.code(c['program'] + '/' + c['variant'])}"


@macro
def needs_table(site: Site) -> str:
    """The home page's answer: for each need, the smallest measured image that satisfies it (links are
    relative to the site's root page, where the table stands)."""
    pool = candidates(site)

    def best(item: tuple[str, tuple[str, ...]]) -> Candidate | None:
        found = answer(pool, item[1])
        return found[0] if found else None

    def image(item: tuple[str, tuple[str, ...]]) -> str:
        c = best(item)
        return _image(c) if c else "none measured" + site.notes.ref("data", "No measured image satisfies it yet.")

    def size(item: tuple[str, tuple[str, ...]]) -> str:
        c = best(item)
        return render.size(c["image_bytes"]) if c else "–"

    def base(item: tuple[str, tuple[str, ...]]) -> str:
        c = best(item)
        return text(f"{c['base']} ({c['libc']} {c['crt_linkage']})") if c else "–"

    def link(item: tuple[str, tuple[str, ...]]) -> str:
        # a raw link: the needs ride in the fragment, which MkDocs would check as a heading's anchor
        query = ",".join(item[1])
        return f'<a href="chooser/#need={query}">all that fit</a>' if query else '<a href="chooser/">all</a>'

    columns: list[Column[tuple[str, tuple[str, ...]]]] = [
        Column("Your binary", lambda i: text(i[0])),
        Column("Smallest measured image", image, key=True),
        Column("Size", size, "r", key=True),
        Column("Base", base),
        Column("More", link),
    ]
    return render.table(columns, list(NEEDS))


@macro
def chooser_criteria(site: Site) -> str:
    """Each need the chooser offers and the rule in the data that defines it."""
    columns: list[Column[Criterion]] = [
        Column("Need", lambda c: text(c.label)),
        Column("Defined by", lambda c: text(c.rule), key=True),
    ]
    return render.table(columns, list(CRITERIA))


@macro
def chooser_static(site: Site) -> str:
    """The chooser without JavaScript: for each need on its own, the measured images that satisfy it,
    smallest first (the first five)."""
    pool = candidates(site)
    blocks = []
    for c in CRITERIA:
        found = answer(pool, (c.id,))
        shown = ", ".join(f"{_image(x)} ({render.size(x['image_bytes'])})" for x in found[:5]) or "none measured"
        more = f", and {len(found) - 5} more" if len(found) > 5 else ""
        blocks.append(f"- **{text(c.label)}**: {shown}{more}.")
    return "\n".join(blocks)


@macro
def chooser_form(site: Site) -> str:
    """The chooser's form and the site's own data for its script, as one block of HTML."""
    pool = candidates(site)
    data = {
        "criteria": [{"id": c.id, "label": c.label} for c in CRITERIA],
        "candidates": [{**c, "size": render.format_bytes(c["image_bytes"]),
                        "needs": [k.id for k in CRITERIA if k.test(c)],
                        "dockerfile": dockerfile_of(site, c),
                        "built": verbatim_note(site.data.recipes.variant(c["program"], c["variant"]),
                                               site.data.verbatim_builds.get((c["program"], c["variant"])))}
                       for c in pool],
    }  # fmt: skip
    # JSON inside <script>: every "<" escaped, so no value can close the element or open a comment
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    boxes = "".join(
        f'<label class="chooser-need"><input type="checkbox" name="need" value="{c.id}"> {text(c.label)}</label>'
        for c in CRITERIA
    )
    return (
        '<form class="chooser" id="chooser" hidden><fieldset><legend>What your binary needs</legend>'
        f"{boxes}</fieldset>"
        '<p class="chooser-count" aria-live="polite"></p>'
        '<table class="chooser-results"><thead><tr><th scope="col">Image</th><th scope="col">Base</th>'
        '<th scope="col">C library</th><th scope="col">TLS, roots, resolver</th><th scope="col">Size</th>'
        '<th scope="col">/alloc vs glibc</th></tr></thead><tbody></tbody></table></form>'
        f'<script type="application/json" id="chooser-data">{payload}</script>'
    )
