"""cheatsheet.site.downloads: the datasets downloadable from the built site (the MkDocs hook), and the
site's public addresses."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from cheatsheet.data.datasets import dataset_paths, read_datasets
from cheatsheet.data.table import read_table
from cheatsheet.paths import MEASUREMENTS, REPO
from cheatsheet.site import downloads


def test_every_dataset_is_in_the_built_site_as_csv_json_and_schema(built_project):
    project, built_site = built_project
    measurements = project / "measurements"
    names = list(dataset_paths(measurements))
    assert {"images", "published", "sources", "toolchains"} <= set(names)
    for name in names:
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


def test_the_methodology_page_links_each_download(built_project):
    project, built_site = built_project
    page = (built_site / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "<!-- datasets -->" not in page
    for name, table in read_datasets(project / "measurements").items():
        row = re.search(rf"<tr>\s*<td[^>]*><code>{name}</code></td>(.*?)</tr>", page, re.S)
        assert row, name
        cells = row.group(1)
        assert f">{len(table.rows):,}<" in cells
        for suffix in (".csv", ".json", ".schema.json"):
            assert f'href="../data/{name}{suffix}"' in cells


def test_the_download_table_lists_every_dataset_with_its_rows():
    tables = read_datasets()
    lines = downloads.download_table(tables).splitlines()
    assert lines[0] == "| Dataset | Rows | CSV | JSON | Schema |" and len(lines) == 2 + len(tables)
    assert (
        f"| `sources` | {len(tables['sources'].rows):,} | [sources.csv](data/sources.csv) |"
        in lines[2:][list(tables).index("sources")]
    )


def test_a_broken_dataset_stops_the_hook_with_its_position(site_copy):
    path = site_copy / "measurements" / "toolchains.csv"
    path.write_text(path.read_text() + "bad id,\n")
    config = load_config(str(site_copy / "mkdocs.yml"))
    with pytest.raises(PluginError) as info:
        downloads.on_files(Files([]), config)
    message = str(info.value)
    assert message.startswith("the site's data is invalid; nothing was built:\n")
    assert re.search(r"measurements/toolchains\.csv:\d+:\d+: ", message), message


def test_the_download_hook_imports_neither_pandas_nor_docker_code():
    code = (
        "import sys, cheatsheet.site.downloads; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'docker') "
        "or m.startswith('cheatsheet.measure')]; "
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
    pages = list(built_site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for local in ("/work/", "file://", "../shared", "/tmp/"):
            assert local not in text, (page, local)


def test_every_source_is_located_by_a_public_address():
    rows = read_table(MEASUREMENTS / "sources.csv").rows
    assert rows
    for row in rows:
        assert re.search(r"https://|github\.com/", row["location"]), row["id"]
        assert "beside this repository" not in row["location"], row["id"]
