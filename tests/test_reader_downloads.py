"""Issue 10, items 6 and 7: the datasets downloadable from the built site; public addresses."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_site, mkdocs_build

from cheatsheet.tables import read_table


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the site (its data frozen: measurements may be written meanwhile) and its build."""
    project = copy_site(tmp_path_factory.mktemp("downloads") / "project")
    out = project.parent / "site"
    proc = mkdocs_build(project, out)
    assert proc.returncode == 0, proc.stderr
    return project / "measurements", out


def datasets(measurements: Path) -> list[str]:
    return sorted(p.stem for p in measurements.glob("*.csv") if (measurements / f"{p.stem}.schema.json").is_file())


def test_every_dataset_is_in_the_built_site_as_csv_json_and_schema(frozen):
    measurements, built_site = frozen
    assert {"images", "published", "sources", "toolchains"} <= set(datasets(measurements))
    for name in datasets(measurements):
        csv_path = measurements / f"{name}.csv"
        data = built_site / "data"
        assert (data / f"{name}.csv").read_bytes() == csv_path.read_bytes()
        assert (data / f"{name}.schema.json").read_bytes() == (measurements / f"{name}.schema.json").read_bytes()
        table = read_table(csv_path)
        rows = json.loads((data / f"{name}.json").read_text(encoding="utf-8"))
        assert len(rows) == len(table.rows)
        for row, typed in zip(rows, table.rows, strict=True):
            assert list(row) == list(table.schema.names)
            for f in table.schema.fields:
                value = typed[f.name]
                if f.type == "integer":
                    assert row[f.name] == value and (value is None or type(row[f.name]) is int)
                elif f.type == "number":
                    assert row[f.name] == value and (value is None or type(row[f.name]) in (int, float))
                elif isinstance(value, dt.datetime):
                    assert row[f.name] == value.strftime("%Y-%m-%dT%H:%M:%SZ")
                elif isinstance(value, dt.date):
                    assert row[f.name] == value.isoformat()
                else:
                    assert row[f.name] == value


def test_the_methodology_page_links_each_download(frozen):
    measurements, built_site = frozen
    page = (built_site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "<!-- datasets -->" not in page
    for name in datasets(measurements):
        rows = len(read_table(measurements / f"{name}.csv").rows)
        row = re.search(rf"<tr>\s*<td[^>]*><code>{name}</code></td>(.*?)</tr>", page, re.S)
        assert row, name
        cells = row.group(1)
        assert f">{rows:,}<" in cells
        for suffix in (".csv", ".json", ".schema.json"):
            assert f'href="../data/{name}{suffix}"' in cells


def test_a_broken_dataset_stops_the_build_with_its_position(site_copy, tmp_path):
    path = site_copy / "measurements" / "toolchains.csv"
    path.write_text(path.read_text() + "bad id,\n")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "measurements/toolchains.csv:" in proc.stderr


def test_the_download_hook_imports_neither_pandas_nor_docker_code():
    code = (
        "import sys, cheatsheet.downloads; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'docker') "
        "or m in ('cheatsheet.measure', 'cheatsheet.bases', 'cheatsheet.datasets')]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_site_url_makes_canonical_links_and_the_sitemap_public(built_site):
    page = (built_site / "programs" / "hello-world" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://rust-docker-cheatsheet.github.io/programs/hello-world/">' in page
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://rust-docker-cheatsheet.github.io/methodology/</loc>" in sitemap


def test_no_page_points_at_a_local_path(built_site):
    """Sources are cited by their public address, never by where a file lay on some machine."""
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for local in ("/work/", "file://", "../shared", "/tmp/"):
            assert local not in text, (page, local)


def test_every_source_is_located_by_a_public_address():
    for row in read_table(REPO / "measurements" / "sources.csv").rows:
        assert re.search(r"https://|github\.com/", row["location"]), row["id"]
        assert "beside this repository" not in row["location"], row["id"]
