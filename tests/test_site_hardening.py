"""Issue 6, site side, through real strict builds: values shown literally, bad data stopping the build
with its position and no traceback, empty datasets, and a build that imports no measurement code."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, mkdocs_build

from cheatsheet.datasets import load_measurements
from cheatsheet.recipes import dockerfile

pytestmark = pytest.mark.slow


class Texts(HTMLParser):
    """Text content of every element matching (tag, attribute, value-prefix), ignoring <sup> and backrefs."""

    def __init__(self, tag: str, attr: str = "", prefix: str = ""):
        super().__init__(convert_charrefs=True)
        self.want = (tag, attr, prefix)
        self.depth = 0  # > 0 inside a wanted element
        self.skip = 0  # > 0 inside a footnote reference or back-reference
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.depth += tag == self.want[0]
            if tag == "sup" or "footnote-backref" in (a.get("class") or "") or (self.skip and tag in ("sup", "a")):
                self.skip += 1
            return
        t, attr, prefix = self.want
        if tag == t and (not attr or (a.get(attr) or "").startswith(prefix)):
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if self.skip and tag in ("sup", "a"):
            self.skip -= 1
            return
        if tag == self.want[0]:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.found[-1] += data


def texts(doc: str, tag: str, attr: str = "", prefix: str = "") -> list[str]:
    parser = Texts(tag, attr, prefix)
    parser.feed(doc)
    return [t.strip() for t in parser.found]


def build(project: Path, out: Path) -> subprocess.CompletedProcess:
    proc = mkdocs_build(project, out)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return proc


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / "measurements" / name
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


TITLES = [
    "- a list item?",
    "+ plus",
    "* star",
    "1986. A year",
    "1) one",
    "# heading",
    "> quote",
    "=== tab",
    "!!! note",
    "a  b   c",
    "| pipe |",
    "<b>x</b> &amp; {{ 1 }}",
    "Τίτλος — ünïcode",
]


def test_citation_titles_and_cells_render_as_their_characters(site_copy, tmp_path):
    """A citation title, a footnote note and table cells show exactly the CSV text in the built HTML."""
    sources = site_copy / "measurements" / "sources.csv"
    lines = sources.read_text().splitlines()
    extra = [f'src{i},Short {i},"{t}",somewhere,2026-01-01,"{t}"' for i, t in enumerate(TITLES)]
    sources.write_text("\n".join(lines + extra) + "\n")
    published = site_copy / "measurements" / "published.csv"
    rows = published.read_text().splitlines()
    cells = [
        f'src{i},hello-world,debian,1,debian,"{t}",glibc,dynamic,none,none,,1000,1KB,' for i, t in enumerate(TITLES)
    ]
    published.write_text("\n".join(rows + cells) + "\n")
    page = site_copy / "docs" / "hostile.md"
    body = "\n\n".join(
        f'Cited{{{{ cite("src{i}") }}}}.\n\n{{{{ published_table("src{i}", "hello-world") }}}}'
        for i in range(len(TITLES))
    )
    page.write_text("# Hostile\n\n" + body + "\n")
    yml = site_copy / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace("  - Methodology: methodology.md", "  - Methodology: methodology.md\n  - hostile.md")
    )
    proc = build(site_copy, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = (tmp_path / "out" / "hostile" / "index.html").read_text()
    notes = texts(doc, "li", "id", "fn:src-")
    cells = texts(doc, "td")
    for title in TITLES:
        assert f"{title}. somewhere. Figures copied on 2026-01-01. {title}" in notes, (title, notes)
        assert title in cells, (title, cells)
    article = doc[doc.index("<article") : doc.index("</article>")]
    assert re.findall(r"<(?:h[1-6]|ul|ol|blockquote|pre|hr|dl|details|div class=.admonition)\b", article) == [
        "<h1",  # the page's own title
        "<hr",  # the footnotes' rule
        "<ol",  # the footnotes
    ]


def test_dockerfiles_and_inline_code_render_as_their_characters(built_site):
    data = load_measurements()
    doc = (built_site / "programs" / "hello-world" / "index.html").read_text()
    shown = set(texts(doc, "pre"))
    page_variants = {  # the arm64 variants' Dockerfiles are on the x86-64 and arm64 page
        v.id for v in data.recipes.variants if v.program.id == "hello-world" and not v.ladder and v.arch == "amd64"
    }
    for variant in data.recipes.variants:
        if variant.id in page_variants:  # size-ladder steps are on the binary-size page, with their commands
            assert dockerfile(variant).strip() in shown, variant.id
    assert 'title="Dockerfile"' in doc or ">Dockerfile<" in doc
    codes = texts(doc, "code")
    for row in data.images.rows:
        if row["program"] != "hello-world" or row["variant"] not in page_variants:
            continue
        assert row["variant"] in codes
        if row["base_id"]:
            assert row["base_id"][:19] in codes


@pytest.mark.parametrize(
    "name, old, new, expected",
    [
        (
            "published.csv",
            ",124000000,124MB,",
            ",99999999999999999999999,124MB,",
            r"measurements/published\.csv:2:\d+: column 'image_bytes': 99999999999999999999999 is above the maximum",
        ),
        (
            "sources.csv",
            "Rust Docker",
            "Rust\u202e Docker",
            r"measurements/sources\.csv:2:30: column 'title': U\+202E \(RIGHT-TO-LEFT OVERRIDE\) is not allowed",
        ),
        (
            "images.csv",
            "strip=symbols,-C target-feature=+crt-static,1224968,",  # hello-world/scratch-glibc's image_bytes
            "strip=symbols,-C target-feature=+crt-static,1,",
            r"measurements/images\.csv:6:\d+: column 'image_bytes' is 1 but must be >= binary_bytes \(1,224,968\)",
        ),
        (
            "published.csv",
            "seed,hello-world,debian,1,",
            "bolg,hello-world,debian,1,",
            r"measurements/published\.csv:2:1: unknown source 'bolg'; sources\.csv has id: seed",
        ),
    ],
    ids=["huge-size", "bidi-override", "image-below-binary", "foreign-key"],
)
def test_bad_values_fail_the_build_with_their_position(site_copy, tmp_path, name, old, new, expected):
    edit(site_copy, name, old, new)
    proc = build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert re.search(expected, proc.stderr), proc.stderr[-3000:]


def test_crlf_fails_the_build_and_the_validator_alike(site_copy, tmp_path):
    path = site_copy / "measurements" / "published.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "measurements/published.csv:1:" in proc.stderr and "LF line endings only" in proc.stderr
    validate = run_validate(site_copy)
    assert validate.returncode == 1 and "LF line endings only" in validate.stderr


def test_a_malformed_schema_fails_the_build_cleanly(site_copy, tmp_path):
    edit(site_copy, "sources.schema.json", '"maxLength": 200', '"maxLenght": 200')
    proc = build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert re.search(
        r"sources\.schema\.json:1:1: \$\.fields\[2\]\.constraints: unknown key\(s\) 'maxLenght'", proc.stderr
    ), proc.stderr


def run_validate(project: Path) -> subprocess.CompletedProcess:
    """scripts/validate.py run on the copy's data, with the copy's code first on the path."""
    (project / "scripts").mkdir(exist_ok=True)
    shutil.copy(REPO / "scripts" / "validate.py", project / "scripts" / "validate.py")
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, str(project / "scripts" / "validate.py")],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        check=False,
    )


def test_a_header_only_dataset_validates_and_renders_as_no_rows(site_copy, tmp_path):
    """An empty images.csv is valid everywhere; pages asking for a measured figure fail naming it."""
    path = site_copy / "measurements" / "images.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    validate = run_validate(site_copy)
    assert validate.returncode == 0 and "images.csv 0 rows" in validate.stdout, validate.stderr
    proc = mkdocs_build(site_copy, tmp_path / "out")  # mkdocs-macros prints a macro error with its traceback
    assert proc.returncode != 0
    assert re.search(
        r"MacroError_: [a-z/-]+\.md: (hello-world/[a-z-]+ has no measured|no measured image uses base '[a-z-]+')",
        proc.stdout + proc.stderr,
    ), proc.stderr[-2000:]
    docs = site_copy / "docs"
    keep = {"index.md", "programs/hello-world.md"}
    for page in docs.rglob("*.md"):
        rel = str(page.relative_to(docs))
        if rel not in keep:
            page.write_text("# Page\n")
    (docs / "index.md").write_text("# Home\n")
    (docs / "programs" / "hello-world.md").write_text(
        '# Hello\n\n{{ image_size_table("hello-world") }}\n\n{{ provenance_table("hello-world") }}\n'
    )
    proc = build(site_copy, tmp_path / "out2")
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = (tmp_path / "out2" / "programs" / "hello-world" / "index.html").read_text()
    assert "No measured rows for" in doc and doc.count("not measured") >= 7


def test_building_the_site_imports_no_docker_or_measurement_code(tmp_path):
    """The strict build, in a fresh interpreter, loads no Docker, bootstrapping, toolchain or runner code.

    ``cheatsheet.bases`` may be loaded only as the import-free package that names the bootstrap
    recipes (recipes.py reads those names); none of its modules may be.
    """
    code = f"""
import sys
from mkdocs.config import load_config
from mkdocs.commands.build import build
config = load_config({str(REPO / "mkdocs.yml")!r})
config["site_dir"] = {str(tmp_path / "out")!r}
build(config)
forbidden = ("cheatsheet.docker", "cheatsheet.measure", "cheatsheet.toolchain", "cheatsheet.store",
             "cheatsheet.containers", "cheatsheet.imagefacts", "cheatsheet.netcheck", "cheatsheet.util")
loaded = sorted(m for m in sys.modules if m in forbidden or m.startswith("cheatsheet.bases."))
bases = sys.modules.get("cheatsheet.bases")
if bases is not None and not hasattr(bases, "__path__"):
    loaded.append("cheatsheet.bases (a module, not the import-free package)")
print("LOADED", loaded)
"""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "LOADED []" in proc.stdout, proc.stdout
