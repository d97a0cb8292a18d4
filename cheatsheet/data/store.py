"""Write measured rows into a CSV file atomically, replacing rows by key and touching nothing else.

Writers of one CSV file are serialised by an ``flock`` on a lock file beside it (``.<name>.lock``),
held around the whole read-modify-write: two measurement runs at once both keep their rows. The new
content is written to a temporary file in the same directory (named with the writer's process id),
validated against the schema by the reader (:func:`cheatsheet.data.table.read_table`, the one set of
rules), flushed to disk and renamed over the old file: a reader (or a run killed at any moment) sees
either the old file or the new one, never a mixture. Lines of other rows are kept byte for byte.

A temporary file is only ever deleted by the process that made it, or, under the lock, when the
process named in it no longer exists (a run that was killed while writing).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..util import atomic_write, file_lock, process_alive
from .schema import Schema, schema_path_for
from .table import read_table, validate_row
from .text import DataError, csv_line, to_text


def lock_path_for(csv_path: Path) -> Path:
    return csv_path.with_name(f".{csv_path.name}.lock")


@contextlib.contextmanager
def locked(csv_path: Path) -> Iterator[None]:
    """Hold the writers' lock of ``csv_path`` (see the module docstring)."""
    with file_lock(lock_path_for(Path(csv_path))):
        yield


def remove_stale_temporaries(csv_path: Path) -> list[Path]:
    """Delete temporary files of ``csv_path`` whose writer process is gone; return them.

    Call with the lock held. A file whose name carries no process id, or the id of a live process,
    is left alone: it may be another run's file being written.
    """
    removed = []
    pattern = re.compile(rf"\.{re.escape(csv_path.name)}\.([0-9]+)\..*\.tmp")
    for tmp in csv_path.parent.glob(f".{csv_path.name}.*.tmp"):
        match = pattern.fullmatch(tmp.name)
        if match is None or process_alive(int(match.group(1))):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def upsert_rows(
    csv_path: Path,
    rows: list[dict[str, Any]],
    *,
    label: str | None = None,
    schema: Schema | None = None,
    replace_all: bool = False,
) -> bool:
    """Put ``rows`` into ``csv_path`` by primary key; return whether the file changed.

    A value is written as :func:`~.text.to_text` gives it, so a value given as text is written as it
    came (a merge keeps the bytes it read). ``schema`` defaults to the one beside the file (a partial
    file of a measurement job has none beside it: its dataset's schema is given). A file that does not
    exist yet starts as the schema's header. ``replace_all`` drops every row not in ``rows`` (one run
    is the whole file). Raises DataError (and leaves the file as it was) if the current file or the
    result is invalid.
    """
    csv_path = Path(csv_path)
    schema = schema or Schema.load(schema_path_for(csv_path))
    with locked(csv_path):
        remove_stale_temporaries(csv_path)
        if not csv_path.exists():
            write_validated(csv_path, csv_line(schema.names) + "\n", schema, label=label)
        table = read_table(csv_path, schema, label=label)
        # The reader accepted the file, so it is UTF-8 with LF line endings: split it on LF only.
        text = csv_path.read_bytes().decode("utf-8")
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if replace_all:
            lines = lines[:1]
        line_of_key = (
            {}
            if replace_all
            else {
                tuple(to_text(row[k]) for k in schema.primary_key): line
                for row, line in zip(table.rows, table.lines, strict=True)
            }
        )
        for row in rows:
            missing = set(schema.names) - set(row)
            if missing:
                raise DataError(
                    [(label or str(csv_path), 1, 1, f"new row lacks column(s): {', '.join(sorted(missing))}")]
                )
            new_line = csv_line(to_text(row[name]) for name in table.header)
            key = tuple(to_text(row[k]) for k in schema.primary_key)
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
    atomic_write(
        csv_path,
        content,
        check=lambda tmp: read_table(tmp, schema, label=f"{label or csv_path} (new content)"),
    )


def check_row(csv_path: Path, row: dict[str, Any], *, label: str | None = None) -> dict[str, Any]:
    """Raise DataError if ``row`` would not pass the schema of ``csv_path``, on its own; else the typed row.

    The reader's :func:`cheatsheet.data.table.validate_row` decides, so the rules are exactly the ones
    the file will be held to. Cross-row rules (the primary key) are checked when the file is written.
    """
    csv_path = Path(csv_path)
    schema = Schema.load(schema_path_for(csv_path))
    return validate_row(schema, row, label=label or f"{csv_path} (new row)")


def fit_to_schema(row: dict[str, Any], schema: Schema) -> tuple[dict[str, Any], dict[str, str]]:
    """``row`` with every string longer than its column's maxLength cut to fit (ending in "…").

    Returns the new row and ``{column: full text}`` of what was cut, for the caller to keep.
    """
    fitted = dict(row)
    cut: dict[str, str] = {}
    for f in schema.fields:
        value = row.get(f.name)
        if isinstance(value, str) and f.max_length is not None and len(value) > f.max_length:
            fitted[f.name] = value[: max(f.max_length - 1, 0)].rstrip() + "…"
            cut[f.name] = value
    return fitted, cut
