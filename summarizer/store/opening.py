"""Opening the SQLite index of the store, read-write or read-only, and naming what went wrong.

A data folder that cannot be written (a read-only mount, a backup opened by another user) is still
readable: the database is opened with ``mode=ro`` when its ``-wal``/``-shm`` files exist (SQLite reads
a WAL database that way since 3.22), and as ``immutable=1`` when they do not (a cleanly closed WAL
database in a read-only folder cannot be opened ``mode=ro``: SQLite would have to create the ``-shm``
file). Writing is then refused with the real cause. Every ``sqlite3`` error is turned into a
``StoreError`` naming the file: damaged, disk full, busy or not writable.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from summarizer.errors import StoreError
from summarizer.store.migrations import MIGRATIONS, migrate

log = logging.getLogger(__name__)

REBUILD_HINT = ("`summarizer rebuild-index` rebuilds the index from the meeting folders "
                "(the damaged file is moved aside, never deleted)")


def not_writable_reason(folder: Path) -> str | None:
    """Why ``folder`` cannot be written, or None when it can."""
    if os.access(folder, os.W_OK):
        return None
    try:
        readonly_fs = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        readonly_fs = False
    return "it is on a read-only file system" if readonly_fs else "this user may not write to it"


# Below this much free space a failed write is taken for a full disk (SQLite then reports only a
# "disk I/O error": it could not create or grow its -shm/-wal files).
NEARLY_FULL_BYTES = 1 << 20


def disk_nearly_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < NEARLY_FULL_BYTES


def database_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """A ``StoreError`` naming ``path`` for an error SQLite raised while using it."""
    text = str(exc)
    low = text.lower()
    code = getattr(exc, "sqlite_errorcode", None)
    full = "disk is full" in low or code == getattr(sqlite3, "SQLITE_FULL", 13)
    if full or ("disk i/o error" in low and disk_nearly_full(path.parent)):
        return StoreError(f"{path.parent}: the disk is full; nothing was saved",
                          hint="free some space on that disk (or move SUMMARIZER_HOME / data_dir) "
                               "and try again")
    if "locked" in low or "busy" in low:
        return StoreError(f"{path}: the meeting database is busy ({text})",
                          hint="another summarizer process is writing; try again in a moment")
    if "disk i/o error" in low:
        return StoreError(f"{path}: the disk reported an error reading or writing the meeting database "
                          f"({text})", hint="check the disk (dmesg); then try again")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{path}: cannot write the meeting database ({text})",
                          hint="make the data folder writable, or point SUMMARIZER_HOME to one that is")
    return StoreError(f"{path}: the meeting database is damaged ({text}); nothing was written to it",
                      hint=REBUILD_HINT)


def connect_for_writing(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the meeting database ({exc})",
                         hint="check SUMMARIZER_HOME / data_dir points to a writable folder") from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()  # a caller that gets no Store cannot close it
        err = database_error(path, exc)
        if err.message.endswith("nothing was written to it") and "damaged" in err.message:
            err = StoreError(f"{path}: cannot open the meeting database: it is damaged or not a summarizer "
                             f"database ({exc})", hint=REBUILD_HINT)
        raise err from exc
    return conn


def connect_read_only(path: Path, reason: str) -> sqlite3.Connection:
    """Open ``path`` without writing anything next to it (see the module docstring)."""
    if not path.exists():
        # nothing stored yet in a folder we cannot write: an empty index in memory
        conn = sqlite3.connect(":memory:", isolation_level=None)
        conn.row_factory = sqlite3.Row
        migrate(conn)
        return conn
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    last: sqlite3.Error | None = None
    # mode=ro sees a writer's latest commits (through the -shm index); it fails when the -shm file
    # would have to be created, and then the file, which nobody can be writing, is read as immutable
    for mode in ("mode=ro", "immutable=1"):
        try:
            conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?{mode}", uri=True,
                                   isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            last = exc
            continue
        if has_wal and mode == "immutable=1":
            log.warning("%s: read without its -wal file (no -shm and a read-only folder); the newest "
                        "changes may not be shown", path)
        _check_schema_current(conn, path, reason)
        return conn
    assert last is not None
    err = database_error(path, last)
    raise StoreError(f"{path}: cannot open the meeting database read-only ({last}); the folder "
                     f"cannot be written: {reason}", hint=err.hint) from last


def _check_schema_current(conn: sqlite3.Connection, path: Path, reason: str) -> None:
    try:
        rows = conn.execute("SELECT name FROM migrations").fetchall()
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "no such table" in str(exc):
            raise StoreError(f"{path}: not a summarizer database (no migrations table)") from exc
        raise database_error(path, exc) from exc
    pending = [name for name, _ in MIGRATIONS if name not in {r[0] for r in rows}]
    if pending:
        # migrations only add tables and columns, so what an older version wrote still reads
        log.warning("%s: not upgraded yet (%s) and the folder cannot be written (%s); reading it as it is",
                    path, ", ".join(pending), reason)


def make_parent(path: Path) -> str | None:
    """Create the database's folder; return why it is not writable (None when it is)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            missing = next(p for p in (path.parent, *path.parent.parents) if p.exists())
            return not_writable_reason(missing) or f"it cannot be created ({exc.strerror})"
        raise StoreError(f"{path}: cannot open the meeting database ({exc})",
                         hint="check SUMMARIZER_HOME / data_dir points to a writable folder") from exc
    reason = not_writable_reason(path.parent)
    if reason is None and path.exists() and not os.access(path, os.W_OK):
        reason = "the database file is read-only"
    return reason
