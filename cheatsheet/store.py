"""Write measured rows into a CSV file atomically, replacing rows by key and touching nothing else.

The new content is written to a temporary file in the same directory, validated against the
schema, flushed to disk and renamed over the old file: a reader (or a run killed at any moment)
sees either the old file or the new one, never a mixture. Lines of other rows are kept byte for byte.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any

from .tables import DataError, Schema, read_table, schema_path_for


def serialise(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def upsert_rows(csv_path: Path, rows: list[dict[str, Any]], *, label: str | None = None) -> bool:
    """Put ``rows`` into ``csv_path`` by primary key; return whether the file changed.

    Raises DataError (and leaves the file as it was) if the current file or the result is invalid.
    """
    csv_path = Path(csv_path)
    schema = Schema.load(schema_path_for(csv_path))
    table = read_table(csv_path, schema, label=label)
    text = csv_path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    header = lines[0].split(",")
    line_of_key = {
        tuple(row[k] for k in schema.primary_key): table.locate(i, schema.primary_key[0])[0]
        for i, row in enumerate(table.rows)
    }
    for row in rows:
        missing = set(schema.names) - set(row)
        if missing:
            raise DataError([(label or str(csv_path), 1, 1, f"new row lacks column(s): {', '.join(sorted(missing))}")])
        new_line = csv_line([serialise(row[name]) for name in header]).rstrip("\n")
        key = tuple(row[k] for k in schema.primary_key)
        if key in line_of_key:
            lines[line_of_key[key] - 1] = new_line
        else:
            lines.append(new_line)
            line_of_key[key] = len(lines)
    new_text = "\n".join(lines) + "\n"
    if new_text == text:
        return False
    write_validated(csv_path, new_text, schema, label=label)
    return True


def write_validated(csv_path: Path, content: str, schema: Schema, *, label: str | None = None) -> None:
    """Atomically replace ``csv_path`` with ``content`` if ``content`` passes ``schema``."""
    directory = csv_path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{csv_path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        read_table(tmp, schema, label=f"{label or csv_path} (new content)")
        if csv_path.exists():
            os.chmod(tmp, csv_path.stat().st_mode & 0o777)
        os.replace(tmp, csv_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
