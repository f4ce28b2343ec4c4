"""The meeting store: one SQLite database plus a folder of files per meeting.

Layout (``settings.data_dir``)::

    summarizer.db                      meetings, versions, events, approvals (see migrations.py)
    meetings/<meeting id>/
        source/<name>                  copy of the input (or only its path + sha256 when large)
        transcript.json
        versions/v001.json             each stored version, also kept as a file
        drafts/v001/protocol.{md,html,docx}
        final/protocol.{md,html,docx}
        outbox/*.eml                   every message built for the meeting, sent or not
        evidence/*                     the client's written confirmation
        review/recovery-*.toml         edits that did not validate

Guarantees: versions, events and approvals are append-only (database triggers refuse UPDATE/DELETE);
version numbers are allocated inside a ``BEGIN IMMEDIATE`` transaction so concurrent writers get
distinct consecutive numbers; files are written to a temporary name and renamed, and the database row
is committed last, so a process killed midway leaves the previous version intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from summarizer.config import Settings
from summarizer.errors import NotFoundError, StoreError, WorkflowError
from summarizer.schema import Protocol
from summarizer.store.backend import Connection, is_postgres_url
from summarizer.store.files import copy_atomic, now_iso, sha256_bytes, write_atomic
from summarizer.store.migrations import migrate

log = logging.getLogger(__name__)

VersionSource = Literal["extracted", "edited", "client"]

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
            "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
        ],
        strict=True,
    )
)


def protocol_json(protocol: Protocol) -> str:
    """Canonical JSON of a protocol: what is stored and hashed."""
    return json.dumps(protocol.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, indent=1)


def slugify(text: str, *, max_len: int = 40) -> str:
    """Lowercase ASCII slug; Cyrillic is transliterated so ids stay typeable on any keyboard."""
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
    slug = re.sub(r"[^a-z0-9]+", "-", "".join(out)).strip("-")
    if len(slug) <= max_len:
        return slug
    # cut at a word boundary: "brightline-retail-nordpack" reads better than "…-nordpack-suppl"
    head = slug[: max_len + 1]
    cut = head.rsplit("-", 1)[0] if "-" in head else ""
    return cut if len(cut) >= max_len // 2 else slug[:max_len].rstrip("-")


@dataclass
class MeetingRecord:
    id: str
    title: str | None
    client: str | None
    meeting_date: dt.date | None
    language: str | None
    level: str
    status: str
    source_path: str | None
    source_sha256: str | None
    transcript_path: str | None
    created_at: str
    updated_at: str
    folder: Path


@dataclass
class VersionRecord:
    meeting_id: str
    number: int
    protocol: Protocol
    sha256: str
    author: str | None
    note: str | None
    source: str
    created_at: str


@dataclass
class EventRecord:
    meeting_id: str
    from_state: str | None
    to_state: str
    actor: str | None
    note: str | None
    at: str
    version: int | None


@dataclass
class ApprovalRecord:
    meeting_id: str
    version: int
    approved_by: str
    at: str
    evidence_text: str | None
    evidence_path: str | None
    evidence_sha256: str
    version_sha256: str


class Store:
    """Meetings, their immutable versions and their approval history.

    One ``Store`` per process/thread; it opens its own connection. All writes that must be consistent
    go through ``transaction()`` (``BEGIN IMMEDIATE``: the write lock is taken up front, so two
    writers queue instead of failing halfway).
    """

    def __init__(self, settings: Settings, *, busy_timeout_ms: int = 30_000) -> None:
        self.settings = settings
        self.conn: Connection
        if is_postgres_url(settings.database_url):  # a team: see summarizer.store.postgres
            from summarizer.store.postgres import connect

            self.conn = connect(str(settings.database_url))
            return
        self.path = self._database_path(settings)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout_ms / 1000)
        except (OSError, sqlite3.Error) as exc:  # e.g. SUMMARIZER_HOME on a read-only or missing disk
            raise StoreError(f"{self.path}: cannot open the meeting database ({exc})",
                             hint="check SUMMARIZER_HOME / data_dir points to a writable folder") from exc
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            self.conn.close()  # a caller that gets no Store cannot close it
            raise StoreError(
                f"{self.path}: cannot open the meeting database ({exc})",
                hint="check the file is a summarizer database and not in use by a crashed process",
            ) from exc

    @staticmethod
    def _database_path(settings: Settings) -> Path:
        url = settings.database_url
        if not url:
            return settings.database_path
        if url.startswith("sqlite:///"):
            return Path(url.removeprefix("sqlite:///")).expanduser()
        raise StoreError(f"database_url {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- meetings ----------------------------------------------------------------------------------
    @property
    def meetings_dir(self) -> Path:
        return self.settings.data_dir / "meetings"

    def meeting_dir(self, meeting_id: str) -> Path:
        return self.meetings_dir / meeting_id

    def create_meeting(
        self,
        *,
        title: str | None = None,
        client: str | None = None,
        meeting_date: dt.date | None = None,
        language: str | None = None,
        level: str = "detailed",
        source_path: str | None = None,
        source_sha256: str | None = None,
        transcript_path: str | None = None,
        meeting_id: str | None = None,
        actor: str | None = None,
        files: dict[str, bytes | Path] | None = None,
        protocol: Protocol | None = None,
    ) -> MeetingRecord:
        """Create a meeting in state ``draft``; the id is ``<date>-<client or title slug>``.

        ``files`` (path inside the meeting folder → content or a file to copy) are written and
        ``protocol`` is stored as version 1 (source ``extracted``) in the same transaction, so the
        meeting never exists without them. ``transcript_path``/``source_path`` given relative are
        taken inside the meeting folder.
        """
        base = meeting_id or self._make_id(meeting_date, client or title)
        stamp = now_iso()
        with self.transaction() as conn:
            new_id, n = base, 1
            while conn.execute("SELECT 1 FROM meetings WHERE id = ?", (new_id,)).fetchone() or (
                not meeting_id and self.meeting_dir(new_id).exists()
            ):
                if meeting_id:
                    raise StoreError(f"meeting {meeting_id!r} already exists")
                n += 1
                new_id = f"{base}-{n}"
            folder = self.meeting_dir(new_id)
            for rel, content in (files or {}).items():
                if isinstance(content, Path):
                    copy_atomic(content, folder / rel)
                else:
                    write_atomic(folder / rel, content)
            if transcript_path and not Path(transcript_path).is_absolute():
                transcript_path = str(folder / transcript_path)
            if source_path and not Path(source_path).is_absolute():
                source_path = str(folder / source_path)
            conn.execute(
                "INSERT INTO meetings (id, title, client, meeting_date, language, level, status,"
                " source_path, source_sha256, transcript_path, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
                (
                    new_id, title, client, meeting_date.isoformat() if meeting_date else None,
                    language, level, source_path, source_sha256, transcript_path, stamp, stamp,
                ),
            )
            conn.execute(
                "INSERT INTO events (meeting_id, from_state, to_state, actor, note, at, version)"
                " VALUES (?, NULL, 'draft', ?, 'created', ?, NULL)",
                (new_id, actor, stamp),
            )
            if protocol is not None:
                self._insert_version(conn, new_id, 1, protocol, source="extracted", author=actor,
                                     note="extracted", stamp=stamp)
        folder.mkdir(parents=True, exist_ok=True)
        return self.get_meeting(new_id)

    @staticmethod
    def _make_id(meeting_date: dt.date | None, name: str | None) -> str:
        day = (meeting_date or dt.date.today()).isoformat()
        slug = slugify(name or "") or "meeting"
        return f"{day}-{slug}"

    def update_meeting(self, meeting_id: str, **fields: Any) -> MeetingRecord:
        """Change descriptive fields (title, client, meeting_date, language, level, transcript_path,
        source_path, source_sha256). ``status`` changes only through ``set_status``."""
        allowed = {"title", "client", "meeting_date", "language", "level", "transcript_path",
                   "source_path", "source_sha256"}
        unknown = set(fields) - allowed
        if unknown:
            raise StoreError(f"cannot update meeting fields {sorted(unknown)}")
        if not fields:
            return self.get_meeting(meeting_id)
        values = [v.isoformat() if isinstance(v, dt.date) else v for v in fields.values()]
        cols = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE meetings SET {cols}, updated_at = ? WHERE id = ?",
                (*values, now_iso(), meeting_id),
            )
        return self.get_meeting(meeting_id)

    def resolve_id(self, ref: str) -> str:
        """Accept a full meeting id or a unique prefix of one."""
        ref = ref.strip()
        if self.conn.execute("SELECT 1 FROM meetings WHERE id = ?", (ref,)).fetchone():
            return ref
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.conn.execute(
            "SELECT id FROM meetings WHERE id LIKE ? ESCAPE '\\' ORDER BY id", (escaped + "%",)
        ).fetchall()
        if not rows:
            raise NotFoundError(
                f"no meeting {ref!r}", hint="`summarizer list` shows the meetings and their ids"
            )
        if len(rows) > 1:
            ids = ", ".join(r["id"] for r in rows[:10])
            raise NotFoundError(f"{ref!r} matches several meetings: {ids}", hint="type more of the id")
        return str(rows[0]["id"])

    def get_meeting(self, ref: str) -> MeetingRecord:
        meeting_id = self.resolve_id(ref)
        row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        return self._meeting(row)

    def list_meetings(self) -> list[MeetingRecord]:
        rows = self.conn.execute(
            "SELECT * FROM meetings ORDER BY meeting_date DESC, created_at DESC"
        ).fetchall()
        return [self._meeting(r) for r in rows]

    def _meeting(self, row: sqlite3.Row) -> MeetingRecord:
        data = dict(row)
        data["meeting_date"] = dt.date.fromisoformat(data["meeting_date"]) if data["meeting_date"] else None
        return MeetingRecord(**data, folder=self.meeting_dir(data["id"]))

    # -- versions ----------------------------------------------------------------------------------
    def add_version(
        self,
        meeting_id: str,
        protocol: Protocol,
        *,
        source: VersionSource,
        author: str | None = None,
        note: str | None = None,
        expect_status: set[str] | None = None,
        based_on: int | None = None,
    ) -> VersionRecord:
        """Store ``protocol`` as the next version of the meeting and return it.

        ``expect_status``: refuse (``WorkflowError``) unless the meeting is in one of these states;
        ``based_on``: refuse unless that is still the latest version (an edit made on v2 while someone
        saved v3 would silently undo v3). Both are checked inside the same transaction, so nothing can
        slip in between.
        """
        stamp = now_iso()
        with self.transaction() as conn:
            row = conn.execute("SELECT status FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no meeting {meeting_id!r}")
            if expect_status is not None and row["status"] not in expect_status:
                raise WorkflowError(
                    f"meeting {meeting_id} is {row['status']}; a new version can be added only when it is "
                    + " or ".join(sorted(expect_status))
                )
            number = conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE meeting_id = ?", (meeting_id,)
            ).fetchone()[0]
            if based_on is not None and based_on != number - 1:
                raise WorkflowError(
                    f"meeting {meeting_id}: this edit was made on v{based_on}, but v{number - 1} has been "
                    "saved since",
                    hint="look at the latest version first (summarizer diff), then import your edit",
                )
            self._insert_version(conn, meeting_id, number, protocol, source=source, author=author,
                                 note=note, stamp=stamp)
            conn.execute("UPDATE meetings SET updated_at = ? WHERE id = ?", (stamp, meeting_id))
        return self.get_version(meeting_id, number)

    def _insert_version(
        self, conn: Connection, meeting_id: str, number: int, protocol: Protocol, *,
        source: str, author: str | None, note: str | None, stamp: str,
    ) -> None:
        text = protocol_json(protocol)
        # The file first, the row last: a crash in between leaves an orphan file that the next
        # writer of the same number simply replaces, never a row without its file.
        write_atomic(self.meeting_dir(meeting_id) / "versions" / f"v{number:03d}.json", text)
        conn.execute(
            "INSERT INTO versions (meeting_id, number, protocol, sha256, author, note, source,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, number, text, sha256_bytes(text.encode("utf-8")), author, note, source, stamp),
        )

    def get_version(self, meeting_id: str, number: int | None = None) -> VersionRecord:
        """The given version, or the latest when ``number`` is None."""
        if number is None:
            row = self.conn.execute(
                "SELECT * FROM versions WHERE meeting_id = ? ORDER BY number DESC LIMIT 1", (meeting_id,)
            ).fetchone()
        elif not 0 < number < 2**63:  # sqlite cannot even compare a larger int: OverflowError
            row = None
        else:
            row = self.conn.execute(
                "SELECT * FROM versions WHERE meeting_id = ? AND number = ?", (meeting_id, number)
            ).fetchone()
        if row is None:
            which = f"version {number}" if number is not None else "any version"
            raise NotFoundError(f"meeting {meeting_id} has no {which}")
        return self._version(row)

    def list_versions(self, meeting_id: str) -> list[VersionRecord]:
        rows = self.conn.execute(
            "SELECT * FROM versions WHERE meeting_id = ? ORDER BY number", (meeting_id,)
        ).fetchall()
        return [self._version(r) for r in rows]

    @staticmethod
    def _version(row: sqlite3.Row) -> VersionRecord:
        data = dict(row)
        if sha256_bytes(data["protocol"].encode("utf-8")) != data["sha256"]:
            raise StoreError(
                f"meeting {data['meeting_id']} version {data['number']}: stored text does not match its "
                "sha256; the database was altered outside summarizer"
            )
        data["protocol"] = Protocol.model_validate_json(data["protocol"])
        return VersionRecord(**data)

    # -- state and history -------------------------------------------------------------------------
    def set_status(
        self,
        meeting_id: str,
        from_state: str,
        to_state: str,
        *,
        actor: str | None,
        note: str | None = None,
        version: int | None = None,
        conn: Connection | None = None,
    ) -> EventRecord:
        """Compare-and-set the status and record the event. Callers check the workflow rules;
        this only guarantees nobody changed the state since ``from_state`` was read."""
        stamp = now_iso()

        def apply(c: Connection) -> None:
            cur = c.execute(
                "UPDATE meetings SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                (to_state, stamp, meeting_id, from_state),
            )
            if cur.rowcount != 1:
                current = c.execute("SELECT status FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
                raise WorkflowError(
                    f"meeting {meeting_id} changed meanwhile: it is "
                    f"{current['status'] if current else 'gone'}, expected {from_state}"
                )
            c.execute(
                "INSERT INTO events (meeting_id, from_state, to_state, actor, note, at, version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (meeting_id, from_state, to_state, actor, note, stamp, version),
            )

        if conn is not None:
            apply(conn)
        else:
            with self.transaction() as c:
                apply(c)
        return EventRecord(meeting_id, from_state, to_state, actor, note, stamp, version)

    def events(self, meeting_id: str) -> list[EventRecord]:
        rows = self.conn.execute(
            "SELECT meeting_id, from_state, to_state, actor, note, at, version FROM events"
            " WHERE meeting_id = ? ORDER BY id",
            (meeting_id,),
        ).fetchall()
        return [EventRecord(**dict(r)) for r in rows]

    def add_approval(self, approval: ApprovalRecord, *, conn: Connection | None = None) -> None:
        sql = (
            "INSERT INTO approvals (meeting_id, version, approved_by, at, evidence_text, evidence_path,"
            " evidence_sha256, version_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        values = (
            approval.meeting_id, approval.version, approval.approved_by, approval.at,
            approval.evidence_text, approval.evidence_path, approval.evidence_sha256,
            approval.version_sha256,
        )
        if conn is not None:
            conn.execute(sql, values)
        else:
            with self.transaction() as c:
                c.execute(sql, values)

    def approvals(self, meeting_id: str) -> list[ApprovalRecord]:
        rows = self.conn.execute(
            "SELECT meeting_id, version, approved_by, at, evidence_text, evidence_path, evidence_sha256,"
            " version_sha256 FROM approvals WHERE meeting_id = ? ORDER BY id",
            (meeting_id,),
        ).fetchall()
        return [ApprovalRecord(**dict(r)) for r in rows]
