"""The PostgreSQL backend of the meeting store (a team: several machines, one database).

``connect(url)`` hands out a ``PgConnection``: a psycopg 3 connection borrowed from a process-wide
``psycopg_pool.ConnectionPool`` (one per URL) that speaks the store's SQLite dialect:

- ``?`` placeholders become ``%s``; rows read by column name or by position, like ``sqlite3.Row``;
- ``BEGIN IMMEDIATE`` (SQLite: take the write lock up front) becomes ``BEGIN`` plus
  ``pg_advisory_xact_lock``: writers of the store queue one after another exactly as on SQLite, so the
  version-number allocation and the compare-and-set of the status hold across machines; readers never
  wait. The lock is released by COMMIT/ROLLBACK, or by the server when a client dies mid-transaction;
- outside a transaction every statement commits on its own (SQLite's ``isolation_level=None``).

The schema is the same tables and columns as ``summarizer.store.migrations``, created by migrations of
the same names; the append-only guarantee is a PL/pgSQL trigger that refuses UPDATE, DELETE and
TRUNCATE on versions, events and approvals.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from summarizer.errors import StoreError
from summarizer.store.backend import redact_url, translate_placeholders
from summarizer.store.migrations import ACCOUNTS_SQL

log = logging.getLogger(__name__)

# Any constant shared by every summarizer process; only our own transactions take these locks.
WRITE_LOCK_KEY = 0x53554D4D  # "SUMM"
MIGRATE_LOCK_KEY = 0x53554D4E
POOL_MAX = 10

_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


class Row(dict[str, Any]):
    """A row readable as ``row["col"]`` and ``row[0]``, and convertible with ``dict(row)``."""

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return list(self.values())[key]
        return super().__getitem__(key)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = [c.name for c in cursor.description] if cursor.description else []

    def make(values: Sequence[Any]) -> Row:
        return Row(zip(names, values, strict=True))

    return make


class _Done:
    rowcount = 0

    def fetchone(self) -> Any:
        return None

    def fetchall(self) -> list[Any]:
        return []


class _Rows(_Done):
    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Any]:
        return list(self.rows)


class PgConnection:
    """One borrowed pool connection speaking the store's dialect; ``close()`` gives it back."""

    def __init__(self, pool: Any, raw: Any, url: str) -> None:
        self._pool = pool
        self.raw = raw
        self.url = url

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        import psycopg

        statement = sql.strip().rstrip(";").upper()
        try:
            if statement == "BEGIN IMMEDIATE":
                self.raw.execute("BEGIN")
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))
                return _Done()
            if statement == "PRAGMA QUICK_CHECK":
                # SQLite's check before the first write; a PostgreSQL server keeps its own pages
                # consistent (WAL, and pg_amcheck for an operator's deeper check): nothing to do here
                return _Rows([Row(quick_check="ok")])
            if statement.startswith("PRAGMA"):
                raise StoreError(f"{sql.strip()!r} is SQLite-only; the store at {redact_url(self.url)} is "
                                 "PostgreSQL")
            return self.raw.execute(translate_placeholders(sql), tuple(parameters))
        except psycopg.OperationalError as exc:
            raise StoreError(f"{redact_url(self.url)}: the database connection failed ({exc})",
                             hint="check the PostgreSQL server is running and reachable") from exc

    def close(self) -> None:
        if self.raw is not None:
            self._pool.putconn(self.raw)  # the pool rolls back anything left open
            self.raw = None


def _pool(url: str) -> Any:
    from psycopg.rows import RowMaker
    from psycopg_pool import ConnectionPool

    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            row_factory: Callable[[Any], RowMaker[Row]] = _row_factory
            pool = ConnectionPool(
                url, min_size=1, max_size=POOL_MAX, open=False, name="summarizer-store",
                kwargs={"autocommit": True, "row_factory": row_factory},
            )
            try:
                pool.open(wait=True, timeout=10)
            except Exception as exc:  # PoolTimeout hides the reason: say it plainly
                pool.close()
                raise _connect_error(url, exc) from exc
            try:
                with pool.connection() as conn:
                    migrate(conn)
            except Exception:
                pool.close()
                raise
            _pools[url] = pool
        return pool


def _connect_error(url: str, exc: BaseException) -> StoreError:
    import psycopg

    reason = str(exc)
    try:  # one direct attempt gives the server's own words (auth failed, no such database, ...)
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as direct:
        reason = str(direct).strip()
    return StoreError(f"{redact_url(url)}: cannot open the meeting database ({reason})",
                      hint="check database_url, that PostgreSQL runs and the database exists")


def connect(url: str, *, timeout: float = 30.0) -> PgConnection:
    """A connection to the store at ``url`` (migrated on first use in this process)."""
    pool = _pool(url)
    try:
        raw = pool.getconn(timeout=timeout)
    except Exception as exc:
        raise StoreError(f"{redact_url(url)}: no database connection free within {timeout:.0f}s ({exc})",
                         hint="the server may be overloaded; raise max_connections or wait") from exc
    return PgConnection(pool, raw, url)


@atexit.register
def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


# -- schema ----------------------------------------------------------------------------------------
# Same names as summarizer.store.migrations, so both stores list the same history.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("m001_initial", [
        """CREATE TABLE meetings (
            id TEXT PRIMARY KEY,
            title TEXT,
            client TEXT,
            meeting_date TEXT,
            language TEXT,
            level TEXT NOT NULL DEFAULT 'detailed',
            status TEXT NOT NULL DEFAULT 'draft',
            source_path TEXT,
            source_sha256 TEXT,
            transcript_path TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE versions (
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            number INTEGER NOT NULL,
            protocol TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            author TEXT,
            note TEXT,
            source TEXT NOT NULL CHECK (source IN ('extracted', 'edited', 'client')),
            created_at TEXT NOT NULL,
            UNIQUE (meeting_id, number)
        )""",
        """CREATE TABLE events (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            from_state TEXT,
            to_state TEXT NOT NULL,
            actor TEXT,
            note TEXT,
            at TEXT NOT NULL,
            version INTEGER
        )""",
        """CREATE TABLE approvals (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            version INTEGER NOT NULL,
            approved_by TEXT NOT NULL,
            at TEXT NOT NULL,
            evidence_text TEXT,
            evidence_path TEXT,
            evidence_sha256 TEXT NOT NULL,
            version_sha256 TEXT NOT NULL,
            FOREIGN KEY (meeting_id, version) REFERENCES versions(meeting_id, number)
        )""",
        "CREATE INDEX events_meeting ON events(meeting_id, id)",
        "CREATE INDEX approvals_meeting ON approvals(meeting_id, id)",
    ]),
    ("m002_immutable_history", [
        # A stored version, a recorded event and an approval are evidence: nothing may rewrite them.
        """CREATE FUNCTION summarizer_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% are immutable: % refused', TG_TABLE_NAME, TG_OP;
        END $$""",
        *[
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"FOR EACH {'STATEMENT' if op == 'TRUNCATE' else 'ROW'} EXECUTE FUNCTION summarizer_immutable()"
            for table in ("versions", "events", "approvals")
            for op in ("UPDATE", "DELETE", "TRUNCATE")
        ],
    ]),
    ("m003_request_key", [
        "ALTER TABLE meetings ADD COLUMN request_key TEXT",
        "CREATE INDEX meetings_request_key ON meetings(request_key)",
    ]),
    ("m004_accounts", list(ACCOUNTS_SQL)),  # plain types: the same statements as on SQLite
]


def applied_migrations(raw: Any) -> list[str]:
    raw.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL,"
                " seq BIGINT GENERATED BY DEFAULT AS IDENTITY)")
    return [r[0] for r in raw.execute("SELECT name FROM migrations ORDER BY seq").fetchall()]


def migrate(raw: Any) -> list[str]:
    """Apply pending migrations on a raw autocommit psycopg connection; safe from concurrent processes
    (a session advisory lock lets one migrate while the others wait, then find nothing to do)."""
    done: list[str] = []
    raw.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK_KEY,))
    try:
        applied = set(applied_migrations(raw))
        for name, statements in MIGRATIONS:
            if name in applied:
                continue
            with raw.transaction():
                for sql in statements:
                    raw.execute(sql)
                raw.execute("INSERT INTO migrations (name, applied_at) VALUES (%s, %s)",
                            (name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))
            done.append(name)
            log.info("store %s: applied %s", raw.info.dbname, name)
    finally:
        raw.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK_KEY,))
    return done
