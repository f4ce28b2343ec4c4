"""Rebuild the meeting database from the meeting folders (``summarizer rebuild-index``).

The folders are the record: ``versions/v*.json`` hold every version's text, ``history.jsonl`` every
row the store wrote (meeting fields, version authors, state changes, approvals). The new database is
built beside the old one and swapped in; the old file (and its ``-wal``/``-shm``) is moved aside to
``summarizer.db.damaged-<time>``, never deleted. Folders written before the history file existed
are recovered from their files alone: versions, transcript and source, with the state reset to what
the versions imply and a note saying so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.config import Settings
from summarizer.errors import StoreError
from summarizer.schema import Protocol
from summarizer.store import history
from summarizer.store.database import Store
from summarizer.store.files import now_iso, sha256_bytes
from summarizer.store.migrations import migrate

log = logging.getLogger(__name__)

_STATES = {"draft", "internal_review", "sent_to_client", "changes_requested", "approved", "final_sent"}


@dataclass
class RecoveredMeeting:
    id: str
    versions: int
    status: str
    events: int
    approvals: int
    from_history: bool
    problems: list[str] = field(default_factory=list)


@dataclass
class RebuildReport:
    database: Path
    moved_aside: list[Path] = field(default_factory=list)
    meetings: list[RecoveredMeeting] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def index_is_healthy(path: Path, meetings_dir: Path) -> str | None:
    """None when ``path`` opens, passes ``quick_check`` and knows every stored meeting folder;
    otherwise what is wrong with it."""
    if not path.exists():
        return "it does not exist"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
            if check != ["ok"]:
                return "; ".join(check[:3])
            known = {r[0] for r in conn.execute("SELECT id FROM meetings")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    folders = {d.name for d in _meeting_folders(meetings_dir)}
    missing = sorted(folders - known)
    if missing:
        return f"{len(missing)} stored meeting(s) are not in it (e.g. {missing[0]})"
    return None


def rebuild_index(settings: Settings, *, force: bool = False) -> RebuildReport:
    """Build a new meeting database from the meeting folders of ``settings.data_dir``."""
    path = Store._database_path(settings)
    meetings_dir = settings.data_dir / "meetings"
    problem = index_is_healthy(path, meetings_dir)
    if problem is None and not force:
        raise StoreError(f"{path}: the meeting database is healthy and knows every meeting folder; "
                         "nothing to rebuild", hint="pass --force to rebuild it anyway (the current file "
                         "is kept beside it)")
    report = RebuildReport(database=path)
    tmp = path.with_name(f"{path.name}.rebuild-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        conn.execute("BEGIN IMMEDIATE")
        for folder in _all_folders(meetings_dir):
            if (folder / history.CREATING_MARK).exists():
                report.skipped.append((folder, "its creation never finished (the process was stopped)"))
                continue
            if not any(folder.glob("versions/v*.json")):
                report.skipped.append((folder, "it holds no stored version"))
                continue
            report.meetings.append(_recover(conn, folder, settings))
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    report.moved_aside = _move_aside(path)
    os.replace(tmp, path)
    return report


def _all_folders(meetings_dir: Path) -> list[Path]:
    return sorted(d for d in meetings_dir.iterdir() if d.is_dir()) if meetings_dir.is_dir() else []


def _meeting_folders(meetings_dir: Path) -> list[Path]:
    return [d for d in _all_folders(meetings_dir)
            if not (d / history.CREATING_MARK).exists() and any(d.glob("versions/v*.json"))]


def _move_aside(path: Path) -> list[Path]:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = f"{path.name}.damaged-{stamp}"
    n = 1
    while any(path.with_name(f"{stem}{s}").exists() for s in ("", "-wal", "-shm")):
        n += 1
        stem = f"{path.name}.damaged-{stamp}-{n}"
    moved = []
    for suffix in ("", "-wal", "-shm"):
        old = path.with_name(path.name + suffix)
        if old.exists():
            new = path.with_name(stem + suffix)
            os.rename(old, new)
            moved.append(new)
    return moved


def _recover(conn: sqlite3.Connection, folder: Path, settings: Settings) -> RecoveredMeeting:
    meeting_id = folder.name
    problems: list[str] = []
    meeting: dict[str, Any] = {}
    version_meta: dict[int, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    approvals: list[dict[str, Any]] = []
    first_at = last_at = None
    for line, record in history.read_lines(folder):
        if record is None:
            problems.append(f"{history.HISTORY_FILE} line {line} is unreadable and was skipped")
            continue
        kind = record.get("kind")
        at = record.get("at")
        first_at = first_at or at
        last_at = at or last_at
        if kind == "meeting":
            meeting.update({k: v for k, v in record.items() if k not in {"kind", "at"}})
        elif kind == "version" and isinstance(record.get("number"), int):
            version_meta[record["number"]] = record  # a repeated number: the last write is the one kept
        elif kind == "event" and record.get("to_state") in _STATES:
            events.append(record)
        elif kind == "approval":
            approvals.append(record)
    from_history = bool(meeting)

    numbers: list[int] = []
    latest: Protocol | None = None
    for path in sorted(folder.glob("versions/v*.json")):
        m = re.fullmatch(r"v(\d+)\.json", path.name)
        if not m:
            continue
        number = int(m.group(1))
        text = path.read_text(encoding="utf-8")
        try:
            protocol = Protocol.model_validate_json(text)
        except ValidationError as exc:
            problems.append(f"{path.name} is not a valid protocol and was skipped "
                            f"({exc.error_count()} errors)")
            continue
        sha = sha256_bytes(text.encode("utf-8"))
        meta = version_meta.get(number, {})
        if meta and meta.get("sha256") != sha:
            problems.append(f"{path.name} differs from the version the history recorded (sha256 "
                            f"{str(meta.get('sha256'))[:12]}…, file {sha[:12]}…); the file is kept")
        source = meta.get("source") or ("extracted" if number == 1 else "edited")
        numbers.append(number)
        version_meta[number] = {**meta, "_text": text, "_sha": sha, "_source": source, "_path": path}
        latest = protocol

    if not from_history:
        problems.append("no history file (stored before it existed): state and history recovered from "
                        "the versions only")
    created = meeting.get("created_at") or first_at or _mtime(folder)
    status = events[-1]["to_state"] if events else ("draft" if len(numbers) <= 1 else "internal_review")
    header_date = latest.header.date.isoformat() if latest and latest.header.date else None
    id_date = meeting_id[:10] if re.match(r"\d{4}-\d{2}-\d{2}", meeting_id) else None
    transcript = meeting.get("transcript_path") or ("transcript.json" if (folder / "transcript.json").exists()
                                                    else None)
    source_path = meeting.get("source_path")
    if source_path is None and not from_history:
        sources = sorted(p for p in folder.glob("source/*") if p.is_file())
        source_path = str(sources[0].relative_to(folder)) if sources else None
    conn.execute(
        "INSERT INTO meetings (id, title, client, meeting_date, language, level, status, source_path,"
        " source_sha256, transcript_path, request_key, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            meeting.get("title") if from_history else (latest.header.title if latest else None),
            meeting.get("client"),
            meeting.get("meeting_date") if from_history else (header_date or id_date),
            meeting.get("language") if from_history else (latest.language if latest else None),
            meeting.get("level") or settings.detail,
            status,
            _absolute(source_path, folder),
            meeting.get("source_sha256"),
            _absolute(transcript, folder),
            meeting.get("request_key"),
            created,
            last_at or created,
        ),
    )
    for number in numbers:
        meta = version_meta[number]
        conn.execute(
            "INSERT INTO versions (meeting_id, number, protocol, sha256, author, note, source, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, number, meta["_text"], meta["_sha"], meta.get("author"),
             meta.get("note") if "sha256" in meta else "recovered from the folder", meta["_source"],
             meta.get("at") or _mtime(meta["_path"])),
        )
    if not events:
        events = [{"from_state": None, "to_state": status, "actor": None, "at": now_iso(), "version": None,
                   "note": "rebuilt from the meeting folder; the earlier history was not recorded"}]
    for e in events:
        conn.execute(
            "INSERT INTO events (meeting_id, from_state, to_state, actor, note, at, version)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, e.get("from_state"), e["to_state"], e.get("actor"), e.get("note"),
             e.get("at") or created, e.get("version")),
        )
    kept = 0
    for a in approvals:
        if a.get("version") not in numbers:
            problems.append(f"an approval of v{a.get('version')} refers to a version that is missing")
            continue
        evidence = Path(a["evidence_path"]) if a.get("evidence_path") else None
        if evidence is not None and not evidence.exists():
            local = folder / "evidence" / evidence.name
            evidence = local if local.exists() else evidence
        if evidence is None or not evidence.exists():
            problems.append(f"the evidence of the approval of v{a['version']} is missing "
                            f"({a.get('evidence_path')})")
        elif sha256_bytes(evidence.read_bytes()) != a.get("evidence_sha256"):
            problems.append(f"the evidence file {evidence.name} no longer matches its recorded sha256")
        conn.execute(
            "INSERT INTO approvals (meeting_id, version, approved_by, at, evidence_text, evidence_path,"
            " evidence_sha256, version_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, a["version"], a.get("approved_by") or "unknown", a.get("at") or created,
             a.get("evidence_text"), str(evidence) if evidence else a.get("evidence_path"),
             a.get("evidence_sha256") or "", a.get("version_sha256") or ""),
        )
        kept += 1
    if not approvals and any(folder.glob("evidence/*")) and not from_history:
        problems.append("evidence files exist but no history: the approval was not restored")
    return RecoveredMeeting(meeting_id, len(numbers), status, len(events), kept, from_history, problems)


def _absolute(value: str | None, folder: Path) -> str | None:
    if not value:
        return None
    path = Path(value)
    return str(path if path.is_absolute() else folder / path)


def _mtime(path: Path) -> str:
    with contextlib.suppress(OSError):
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    return now_iso()
