"""The append-only history file of a meeting: ``meetings/<id>/history.jsonl``.

The meeting folder is the record and the database is its index: every row the store writes
(the meeting's fields, each version's author/note/source, every state change, every approval) is also
appended here as one JSON line, so ``summarizer rebuild-index`` can rebuild a damaged or lost
database from the folders alone. Lines are only ever appended (fsync'd), never rewritten.

Lines are appended inside the store's write transaction, just before its COMMIT (files first, the row
last). If the COMMIT fails, the lines are cut off again (we still hold the write lock, so nobody else
appended meanwhile). A process killed between the append and the COMMIT leaves a line the
database does not have; a rebuild then shows that step — the same trade every journal makes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from summarizer.store.files import disk_full_as_store_error

HISTORY_FILE = "history.jsonl"
# Present while a meeting folder is being created and its rows are not committed yet.
CREATING_MARK = ".creating"


def append_lines(folder: Path, records: list[dict[str, Any]]) -> tuple[Path, int]:
    """Append ``records`` to the folder's history; return (file, its size before) for ``truncate``."""
    path = folder / HISTORY_FILE
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    with disk_full_as_store_error(folder):
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            try:
                os.write(fd, text.encode("utf-8"))
                os.fsync(fd)
            except OSError:
                os.ftruncate(fd, size)  # no half line left behind on a full disk
                raise
        finally:
            os.close(fd)
    return path, size


def truncate(path: Path, size: int) -> None:
    """Cut the history back to ``size`` bytes (the lines of a transaction that did not commit)."""
    if size == 0:
        path.unlink(missing_ok=True)
        return
    with path.open("r+b") as fh:
        fh.truncate(size)
        os.fsync(fh.fileno())


def read_lines(folder: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, record) for each line; ``None`` for a line that is not valid JSON (a torn
    last line after a crash), so the caller can report it."""
    path = folder / HISTORY_FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                yield n, None
                continue
            yield n, record if isinstance(record, dict) else None
