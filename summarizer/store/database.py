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
        review/unsaved-on-v*.json      edits refused because another version was saved first
        history.jsonl                  append-only log of every row written (see history.py)

Guarantees: versions, events and approvals are append-only (database triggers refuse UPDATE/DELETE);
version numbers are allocated inside a ``BEGIN IMMEDIATE`` transaction so concurrent writers get
distinct consecutive numbers; files are written to a temporary name and renamed, and the database row
is committed last, so a process killed midway leaves the previous version intact. An operation
happens whole or not at all: a new meeting's folder is reserved (an exclusive ``mkdir``) and filled —
input copy, transcript, version file, rendered draft — before its rows are committed, and removed
again if anything fails (a full disk included); an edit's version file and rendered draft are written
under the write lock and removed on failure. The folders are the record: ``rebuild.py`` rebuilds a
damaged or lost database from them. A data folder that cannot be written is opened read-only
(``opening.py``); writing then names the cause.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import shutil
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from summarizer.config import Settings
from summarizer.errors import NotFoundError, StoreError, WorkflowError
from summarizer.schema import Protocol
from summarizer.store import folders, history
from summarizer.store.backend import Connection, is_postgres_url
from summarizer.store.files import copy_atomic, disk_full_as_store_error, now_iso, sha256_bytes, write_atomic
from summarizer.store.opening import (
    REBUILD_HINT,
    connect_for_writing,
    connect_read_only,
    database_error,
    disk_nearly_full,
    make_parent,
)

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
    request_key: str | None = None  # what asked for it (a web job id), to find it again after a crash


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


# Fields of a meeting row as the history file keeps them (paths inside the folder kept relative).
MEETING_FIELDS = ("title", "client", "meeting_date", "language", "level", "source_path", "source_sha256",
                  "transcript_path", "request_key")


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
            self.path = settings.database_path  # only named by SQLite's own error messages
            self.readonly_reason: str | None = None
            self._checked_for_writing = False
            self._pending: list[tuple[str, dict[str, Any]]] = []
            self._undo: list[Callable[[], None]] = []
            return
        self.path = self._database_path(settings)
        # Why this store cannot write (a read-only data folder), or None: it then only reads.
        self.readonly_reason = make_parent(self.path)
        if self.readonly_reason is None:
            try:
                self.conn = connect_for_writing(self.path, busy_timeout_ms)
            except StoreError:
                if not (self.path.exists() and disk_nearly_full(self.path.parent)):
                    raise
                # no room even for SQLite's -shm file: still let people read what is stored
                self.readonly_reason = "the disk is full"
        if self.readonly_reason is not None:
            log.info("%s: opened read-only: %s", self.path, self.readonly_reason)
            self.conn = connect_read_only(self.path, self.readonly_reason)
        self._checked_for_writing = False
        self._pending = []  # history lines of the open transaction
        self._undo = []  # removes the files the open transaction wrote

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
        """``BEGIN IMMEDIATE`` … ``COMMIT``; the history lines of the rows written are appended to the
        meeting folders just before the COMMIT and cut off again if it fails. Any SQLite error
        becomes a ``StoreError`` naming the database (damaged, full, busy)."""
        self.check_writable()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc) from exc
        self._pending = []
        self._undo = []
        appended: list[tuple[Path, int]] = []
        try:
            yield self.conn
            appended = self._append_history()
            self.conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            for path, size in appended:
                with contextlib.suppress(OSError):
                    history.truncate(path, size)
            for undo in reversed(self._undo):
                undo()
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
                raise database_error(self.path, exc) from exc
            raise
        finally:
            self._pending, self._undo = [], []

    def _log(self, meeting_id: str, kind: str, **record: Any) -> None:
        """Queue a history line for ``meeting_id`` (written when the transaction commits)."""
        self._pending.append((meeting_id, {"kind": kind, **record}))

    def _append_history(self) -> list[tuple[Path, int]]:
        by_meeting: dict[str, list[dict[str, Any]]] = {}
        for meeting_id, record in self._pending:
            by_meeting.setdefault(meeting_id, []).append(record)
        done: list[tuple[Path, int]] = []
        try:
            for meeting_id, records in by_meeting.items():
                done.append(history.append_lines(self.meeting_dir(meeting_id), records))
        except BaseException:
            for path, size in done:
                with contextlib.suppress(OSError):
                    history.truncate(path, size)
            raise
        return done

    def check_writable(self) -> None:
        """Refuse (``StoreError``) to write into a read-only folder, a damaged database, or an empty
        database beside stored meetings. The checks run once per ``Store``, before its first write."""
        if self.readonly_reason == "the disk is full":
            raise StoreError(f"{self.path.parent}: the disk is full; nothing was saved",
                             hint="free some space on that disk (or move SUMMARIZER_HOME / data_dir) "
                                  "and try again")
        if self.readonly_reason is not None:
            raise StoreError(
                f"{self.path.parent}: cannot save anything here: {self.readonly_reason}",
                hint="make the data folder writable, or point SUMMARIZER_HOME / data_dir to one that is "
                     "(reading works as it is)",
            )
        if self._checked_for_writing:
            return
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc) from exc
        if problems != ["ok"]:
            raise StoreError(
                f"{self.path}: the meeting database is damaged ({'; '.join(problems[:3])}); "
                "nothing was written to it", hint=REBUILD_HINT)
        self._refuse_lost_index()
        self._checked_for_writing = True
        if folders.sweep_temporaries(self.settings.data_dir):
            try:
                for folder in folders.remove_dead_reservations(self.meetings_dir, self._known):
                    log.info("removed %s: its creation was never finished", folder)
                self._backfill_history()
            except (StoreError, OSError) as exc:  # upkeep; the write the caller wants may still work
                log.warning("could not write the history of older meetings: %s", exc)

    def _backfill_history(self) -> None:
        """Meetings stored before ``history.jsonl`` existed get one written from their rows, so the
        folders alone can rebuild them too. Under the write lock, so no line is ever written twice."""
        missing = [d for d in self.stored_folders() if not (d / history.HISTORY_FILE).exists()]
        if not missing:
            return
        with self.transaction() as conn:
            for folder in missing:
                row = conn.execute("SELECT * FROM meetings WHERE id = ?", (folder.name,)).fetchone()
                if row is None or (folder / history.HISTORY_FILE).exists():
                    continue
                meeting = self._meeting(row)
                self._log(meeting.id, "meeting", at=meeting.created_at,
                          **folders.relative_paths(self._meeting_values(meeting), folder))
                for v in conn.execute("SELECT number, sha256, author, note, source, created_at FROM versions"
                                      " WHERE meeting_id = ? ORDER BY number", (meeting.id,)).fetchall():
                    self._log(meeting.id, "version", number=v["number"], sha256=v["sha256"],
                              author=v["author"], note=v["note"], source=v["source"], at=v["created_at"])
                for record in [*map(asdict, self.events(meeting.id))]:
                    record.pop("meeting_id")
                    self._log(meeting.id, "event", **record)
                for record in [*map(asdict, self.approvals(meeting.id))]:
                    record.pop("meeting_id")
                    self._log(meeting.id, "approval", **record)
                log.info("wrote %s from the database", folder / history.HISTORY_FILE)

    def _refuse_lost_index(self) -> None:
        """An empty database while meeting folders hold versions is a lost index, not a new store."""
        if self._read("SELECT 1 FROM meetings LIMIT 1"):
            return
        stored = self.stored_folders()
        if stored:
            raise StoreError(
                f"{self.path}: the meeting database is empty, but {len(stored)} meeting folder(s) with "
                f"stored versions exist in {self.meetings_dir} (e.g. {stored[0].name}); it was lost "
                "or replaced, and nothing is written to it", hint=REBUILD_HINT)

    def stored_folders(self) -> list[Path]:
        """Meeting folders that hold at least one version and are not half-created."""
        return folders.stored_folders(self.meetings_dir)

    def _read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Run a query; a damaged database becomes a ``StoreError`` naming the file."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.DatabaseError as exc:
            raise database_error(self.path, exc) from exc

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
        render: Callable[[MeetingRecord, VersionRecord], object] | None = None,
        request_key: str | None = None,
    ) -> MeetingRecord:
        """Create a meeting in state ``draft``; the id is ``<date>-<client or title slug>``.

        ``files`` (path inside the meeting folder → content or a file to copy) are written,
        ``protocol`` is stored as version 1 (source ``extracted``) and ``render`` (given the meeting and
        that version) writes the draft documents — all into a freshly reserved folder, before the rows
        are committed. If anything fails the folder is removed: the meeting exists whole or not at all.
        ``request_key`` (e.g. a web job id) lets a run repeated after a crash reuse the folder the
        killed run reserved; ``find_by_request_key`` finds the meeting once committed.
        ``transcript_path``/``source_path`` given relative are taken inside the meeting folder.
        """
        self.check_writable()
        base = meeting_id or self._make_id(meeting_date, client or title)
        stamp = now_iso()
        new_id, folder = folders.reserve_folder(
            self.meetings_dir, base, exact=meeting_id is not None, request_key=request_key, known=self._known,
        )
        try:
            with disk_full_as_store_error(folder):
                for rel, content in (files or {}).items():
                    if isinstance(content, Path):
                        copy_atomic(content, folder / rel)
                    else:
                        write_atomic(folder / rel, content)
                if transcript_path and not Path(transcript_path).is_absolute():
                    transcript_path = str(folder / transcript_path)
                if source_path and not Path(source_path).is_absolute():
                    source_path = str(folder / source_path)
                meeting = MeetingRecord(
                    id=new_id, title=title, client=client, meeting_date=meeting_date, language=language,
                    level=level, status="draft", source_path=source_path, source_sha256=source_sha256,
                    transcript_path=transcript_path, created_at=stamp, updated_at=stamp, folder=folder,
                    request_key=request_key,
                )
                version = None
                if protocol is not None:
                    version = self._write_version_file(new_id, 1, protocol, source="extracted",
                                                       author=actor, note="extracted", stamp=stamp)
                    if render is not None:
                        render(meeting, version)
            with self.transaction() as conn:
                if conn.execute("SELECT 1 FROM meetings WHERE id = ?", (new_id,)).fetchone():
                    raise StoreError(f"meeting {new_id!r} already exists")
                values = self._meeting_values(meeting)
                conn.execute(
                    "INSERT INTO meetings (id, title, client, meeting_date, language, level, status,"
                    " source_path, source_sha256, transcript_path, request_key, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
                    (new_id, values["title"], values["client"], values["meeting_date"], values["language"],
                     values["level"], source_path, source_sha256, transcript_path, request_key, stamp, stamp),
                )
                self._log(new_id, "meeting", at=stamp, **folders.relative_paths(values, folder))
                self._insert_event(conn, EventRecord(new_id, None, "draft", actor, "created", stamp, None))
                if version is not None:
                    self._insert_version_row(conn, version)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)  # ours alone: reserved above, never committed
            raise
        (folder / history.CREATING_MARK).unlink(missing_ok=True)
        return self.get_meeting(new_id)

    def _known(self, meeting_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM meetings WHERE id = ?", (meeting_id,)))

    def find_by_request_key(self, request_key: str) -> MeetingRecord | None:
        """The meeting a request (a web job) already made, if it got that far."""
        if self.readonly_reason is not None:  # nothing can have been made here (and an old schema
            return None                      # read as it is may lack the column)
        rows = self._read("SELECT * FROM meetings WHERE request_key = ? ORDER BY created_at LIMIT 1",
                          (request_key,))
        return self._meeting(rows[0]) if rows else None

    @staticmethod
    def _meeting_values(meeting: MeetingRecord) -> dict[str, Any]:
        values = {f: getattr(meeting, f) for f in MEETING_FIELDS}
        if isinstance(values["meeting_date"], dt.date):
            values["meeting_date"] = values["meeting_date"].isoformat()
        return values

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
        stamp = now_iso()
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE meetings SET {cols}, updated_at = ? WHERE id = ?",
                (*values, stamp, meeting_id),
            )
            row = conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
            if row is not None:
                meeting = self._meeting(row)
                self._log(meeting_id, "meeting", at=stamp,
                          **folders.relative_paths(self._meeting_values(meeting), meeting.folder))
        return self.get_meeting(meeting_id)

    def resolve_id(self, ref: str) -> str:
        """Accept a full meeting id or a unique prefix of one."""
        ref = ref.strip()
        if self._read("SELECT 1 FROM meetings WHERE id = ?", (ref,)):
            return ref
        escaped = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self._read("SELECT id FROM meetings WHERE id LIKE ? ESCAPE '\\' ORDER BY id", (escaped + "%",))
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
        (row,) = self._read("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        return self._meeting(row)

    def list_meetings(self) -> list[MeetingRecord]:
        rows = self._read("SELECT * FROM meetings ORDER BY meeting_date DESC, created_at DESC")
        if not rows:
            self._refuse_lost_index()  # "No meetings yet" beside 23 stored versions would be a lie
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
        conn: Connection | None = None,
        render: Callable[[VersionRecord], object] | None = None,
    ) -> VersionRecord:
        """Store ``protocol`` as the next version of the meeting and return it.

        ``expect_status``: refuse (``WorkflowError``) unless the meeting is in one of these states;
        ``based_on``: refuse unless that is still the latest version (an edit made on v2 while someone
        saved v3 would silently undo v3). Both are checked inside the same transaction, so nothing can
        slip in between. ``render`` writes the version's documents before the row is committed; on any
        failure the files written for this version are removed and nothing is stored. ``conn``: a
        transaction of the caller's (``transaction()``) to take part in.
        """
        if conn is None:
            with self.transaction() as own:
                return self.add_version(meeting_id, protocol, source=source, author=author, note=note,
                                        expect_status=expect_status, based_on=based_on, conn=own,
                                        render=render)
        stamp = now_iso()
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
        folder = self.meeting_dir(meeting_id)
        before = folders.files_under(folder)
        # undone by transaction() if this or anything after it in the transaction fails
        self._undo.append(lambda: folders.remove_new_files(folder, before))
        with disk_full_as_store_error(folder):
            version = self._write_version_file(meeting_id, number, protocol, source=source,
                                               author=author, note=note, stamp=stamp)
            if render is not None:
                render(version)
        self._insert_version_row(conn, version)
        conn.execute("UPDATE meetings SET updated_at = ? WHERE id = ?", (stamp, meeting_id))
        return version

    def _write_version_file(
        self, meeting_id: str, number: int, protocol: Protocol, *,
        source: str, author: str | None, note: str | None, stamp: str,
    ) -> VersionRecord:
        text = protocol_json(protocol)
        # The file first, the row last: a crash in between leaves an orphan file that the next
        # writer of the same number simply replaces, never a row without its file.
        write_atomic(self.meeting_dir(meeting_id) / "versions" / f"v{number:03d}.json", text)
        return VersionRecord(meeting_id, number, Protocol.model_validate_json(text),
                             sha256_bytes(text.encode("utf-8")), author, note, source, stamp)

    def _insert_version_row(self, conn: Connection, version: VersionRecord) -> None:
        text = protocol_json(version.protocol)
        conn.execute(
            "INSERT INTO versions (meeting_id, number, protocol, sha256, author, note, source,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (version.meeting_id, version.number, text, version.sha256, version.author, version.note,
             version.source, version.created_at),
        )
        self._log(version.meeting_id, "version", number=version.number, sha256=version.sha256,
                  author=version.author, note=version.note, source=version.source, at=version.created_at)

    def get_version(self, meeting_id: str, number: int | None = None) -> VersionRecord:
        """The given version, or the latest when ``number`` is None."""
        rows: list[sqlite3.Row] = []
        if number is None:
            rows = self._read(
                "SELECT * FROM versions WHERE meeting_id = ? ORDER BY number DESC LIMIT 1", (meeting_id,))
        elif 0 < number < 2**63:  # sqlite cannot even compare a larger int: OverflowError
            rows = self._read("SELECT * FROM versions WHERE meeting_id = ? AND number = ?",
                              (meeting_id, number))
        row = rows[0] if rows else None
        if row is None:
            which = f"version {number}" if number is not None else "any version"
            raise NotFoundError(f"meeting {meeting_id} has no {which}")
        return self._version(row)

    def list_versions(self, meeting_id: str) -> list[VersionRecord]:
        rows = self._read("SELECT * FROM versions WHERE meeting_id = ? ORDER BY number", (meeting_id,))
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
            self._insert_event(c, event)

        event = EventRecord(meeting_id, from_state, to_state, actor, note, stamp, version)
        if conn is not None:
            apply(conn)
        else:
            with self.transaction() as c:
                apply(c)
        return event

    def _insert_event(self, conn: Connection, event: EventRecord) -> None:
        conn.execute(
            "INSERT INTO events (meeting_id, from_state, to_state, actor, note, at, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event.meeting_id, event.from_state, event.to_state, event.actor, event.note, event.at,
             event.version),
        )
        record = asdict(event)
        record.pop("meeting_id")
        self._log(event.meeting_id, "event", **record)

    def events(self, meeting_id: str) -> list[EventRecord]:
        rows = self._read(
            "SELECT meeting_id, from_state, to_state, actor, note, at, version FROM events"
            " WHERE meeting_id = ? ORDER BY id",
            (meeting_id,),
        )
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
        record = asdict(approval)
        record.pop("meeting_id")
        if conn is not None:
            conn.execute(sql, values)
            self._log(approval.meeting_id, "approval", **record)
        else:
            with self.transaction() as c:
                c.execute(sql, values)
                self._log(approval.meeting_id, "approval", **record)

    def approvals(self, meeting_id: str) -> list[ApprovalRecord]:
        rows = self._read(
            "SELECT meeting_id, version, approved_by, at, evidence_text, evidence_path, evidence_sha256,"
            " version_sha256 FROM approvals WHERE meeting_id = ? ORDER BY id",
            (meeting_id,),
        )
        return [ApprovalRecord(**dict(r)) for r in rows]

