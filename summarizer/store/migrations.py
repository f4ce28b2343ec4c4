"""Schema migrations for the meeting store, applied in order and recorded by name.

Each migration is a function registered with ``@migration``; ``migrate(conn)`` runs the ones not yet
listed in the ``migrations`` table, each inside its own transaction. Never edit a migration that has
shipped — add a new one. The table definitions use plain types (TEXT ids, ISO-8601 TEXT timestamps,
INTEGER numbers) so the same schema can be created on PostgreSQL for a team; only the immutability
triggers are dialect-specific and would be rewritten as PL/pgSQL functions there.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE meetings (
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
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE versions (
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            number INTEGER NOT NULL,
            protocol TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            author TEXT,
            note TEXT,
            source TEXT NOT NULL CHECK (source IN ('extracted', 'edited', 'client')),
            created_at TEXT NOT NULL,
            UNIQUE (meeting_id, number)
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            from_state TEXT,
            to_state TEXT NOT NULL,
            actor TEXT,
            note TEXT,
            at TEXT NOT NULL,
            version INTEGER
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE approvals (
            id INTEGER PRIMARY KEY,
            meeting_id TEXT NOT NULL REFERENCES meetings(id),
            version INTEGER NOT NULL,
            approved_by TEXT NOT NULL,
            at TEXT NOT NULL,
            evidence_text TEXT,
            evidence_path TEXT,
            evidence_sha256 TEXT NOT NULL,
            version_sha256 TEXT NOT NULL,
            FOREIGN KEY (meeting_id, version) REFERENCES versions(meeting_id, number)
        )
        """
    )
    conn.execute("CREATE INDEX events_meeting ON events(meeting_id, id)")
    conn.execute("CREATE INDEX approvals_meeting ON approvals(meeting_id, id)")


@migration
def m002_immutable_history(conn: sqlite3.Connection) -> None:
    # A stored version, a recorded event and an approval are evidence: nothing may rewrite them.
    for table in ("versions", "events", "approvals"):
        for op in ("UPDATE", "DELETE"):
            conn.execute(
                f"""
                CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} are immutable: {op} refused'); END
                """
            )


@migration
def m003_request_key(conn: sqlite3.Connection) -> None:
    # What asked for the meeting (a web job's id): a job that is run again after a crash finds the
    # meeting it already made instead of making a second one.
    conn.execute("ALTER TABLE meetings ADD COLUMN request_key TEXT")
    conn.execute("CREATE INDEX meetings_request_key ON meetings(request_key)")


@migration
def m004_accounts(conn: sqlite3.Connection) -> None:
    # Team sign-in (summarizer.accounts): accounts with a role, sessions that expire, and sign-in
    # attempts for the rate limit. Sessions and attempts are working state, not evidence: mutable.
    for sql in ACCOUNTS_SQL:
        conn.execute(sql)


ACCOUNTS_SQL = (
    """CREATE TABLE accounts (
        login TEXT PRIMARY KEY,
        name TEXT,
        email TEXT,
        role TEXT NOT NULL CHECK (role IN ('manager', 'reviewer', 'admin')),
        password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        login TEXT NOT NULL REFERENCES accounts(login),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
    """CREATE TABLE signin_attempts (
        login TEXT NOT NULL,
        ip TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL
    )""",
    "CREATE INDEX signin_attempts_at ON signin_attempts(login, ip, at)",
)


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations; return the names applied now. Safe to call from concurrent processes."""
    done_now: list[str] = []
    applied = set(applied_migrations(conn))
    for name, fn in MIGRATIONS:
        if name in applied:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the write lock.
            if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            fn(conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        done_now.append(name)
    return done_now
