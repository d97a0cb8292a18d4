"""The datasets, downloadable from the site: an MkDocs hook (registered under ``hooks:`` in mkdocs.yml).

Every dataset (``measurements/<name>.csv`` with its Table Schema beside it) is added to the built site as
``data/<name>.csv`` (the file, byte for byte), ``data/<name>.schema.json`` (its schema, byte for
byte) and ``data/<name>.json`` (a list of row objects, one key per schema field in schema order,
typed by the schema: integers and numbers as JSON numbers, dates and times as the CSV writes
them, an empty value that is not a string as null). They are added as generated documentation files, so Markdown links
to them are checked by ``mkdocs build --strict`` like any other link, and ``mkdocs serve`` serves them.

The tables come from the same single load of the data as the macros
(:func:`cheatsheet.site.measurements.load_measurements`). The methodology page lists them where it
says ``<!-- datasets -->``: dataset, rows, CSV, JSON, schema. MkDocs loads a hook by its file path, so
the imports below are absolute.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from cheatsheet.data.schema import schema_path_for
from cheatsheet.data.table import Table
from cheatsheet.data.text import DataError, to_text
from cheatsheet.recipes.checks import RecipeError
from cheatsheet.site.measurements import load_measurements

DATA_DIR = "data"
MARKER = "<!-- datasets -->"
TABLE_PAGE = "methodology.md"

_tables: dict[str, Table] = {}


def json_rows(table: Table) -> str:
    """The rows of ``table`` as a JSON list of objects typed per its schema."""

    def typed(field_type: str, value: Any) -> Any:
        if value is None or field_type in ("string", "integer", "number"):
            return value
        return to_text(value)  # dates and times as the CSV writes them

    rows = [{f.name: typed(f.type, row[f.name]) for f in table.schema.fields} for row in table.rows]
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    measurements = Path(config.config_file_path).parent / "measurements"
    try:
        tables = load_measurements(measurements).tables
    except (DataError, RecipeError) as exc:
        raise PluginError(f"the site's data is invalid; nothing was built:\n{exc}") from None
    _tables.clear()
    _tables.update(tables)
    for name, table in tables.items():
        for uri, content in (
            (f"{DATA_DIR}/{name}.csv", table.path.read_bytes()),
            (f"{DATA_DIR}/{name}.schema.json", schema_path_for(table.path).read_bytes()),
            (f"{DATA_DIR}/{name}.json", json_rows(table).encode()),
        ):
            files.append(File.generated(config, uri, content=content))
    return files


def download_table(tables: dict[str, Table], prefix: str = f"{DATA_DIR}/") -> str:
    """A Markdown table: dataset, rows, and links to its CSV, JSON and schema."""
    lines = ["| Dataset | Rows | CSV | JSON | Schema |", "| :--- | ---: | :--- | :--- | :--- |"]
    for name, table in tables.items():
        link = f"{prefix}{name}"
        lines.append(
            f"| `{name}` | {len(table.rows):,} | [{name}.csv]({link}.csv) | [{name}.json]({link}.json) "
            f"| [{name}.schema.json]({link}.schema.json) |"
        )
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri != TABLE_PAGE or MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, download_table(_tables), 1)
