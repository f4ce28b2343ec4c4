"""What people see of a team job: one row per draft job in the store's PostgreSQL (``team_jobs``).

The queue engine (Procrastinate) keeps its own tables for what to run next; this row keeps what a person
asks about a draft: its stage, progress, messages, errors and the meeting it made. Its id is the job
key: a hash of the input's content and the draft options, so submitting the same upload twice finds
the same job, and its ``meeting_id`` is reserved when the job is accepted, so a step that runs again
(a worker killed mid-task) completes that meeting instead of making a second one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import NotFoundError
from summarizer.store.database import Store
from summarizer.store.files import now_iso

CREATE = """
CREATE TABLE IF NOT EXISTS team_jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    progress DOUBLE PRECISION,
    message TEXT,
    error TEXT,
    hint TEXT,
    meeting_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    log TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '[]'
)
"""
COLUMNS = ("id", "kind", "params", "status", "stage", "progress", "message", "error", "hint", "meeting_id",
           "attempts", "worker", "created_at", "updated_at", "log", "notes")


@dataclass
class TeamJob:
    id: str
    kind: str
    params: dict[str, Any]
    status: str = "queued"  # queued | running | done | failed
    stage: str = "queued"
    progress: float | None = None
    message: str | None = None
    error: str | None = None
    hint: str | None = None
    meeting_id: str | None = None
    attempts: int = 0
    worker: str | None = None
    created_at: str = ""
    updated_at: str = ""
    log: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def job_key(params: dict[str, Any], content_sha256: str) -> str:
    """Content hash + the options that shape the meeting: the same upload with the same options is
    the same job."""
    shaping = {k: v for k, v in sorted(params.items()) if k not in {"source", "text_path", "filename"}}
    blob = json.dumps({"content": content_sha256, "options": shaping}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _row(row: Any) -> TeamJob:
    data = dict(row)
    data["params"] = json.loads(data["params"])
    data["log"] = json.loads(data["log"])
    data["notes"] = json.loads(data["notes"])
    return TeamJob(**data)


def get(store: Store, job_id: str) -> TeamJob:
    row = store.conn.execute("SELECT * FROM team_jobs WHERE id = ?", (job_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no job {job_id!r}")
    return _row(row)


def list_jobs(store: Store, *, limit: int = 200) -> list[TeamJob]:
    rows = store.conn.execute("SELECT * FROM team_jobs ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
    return [_row(r) for r in rows]


def insert(store: Store, job: TeamJob, *, reserve_for: str) -> tuple[TeamJob, bool]:
    """Store a new job and reserve its meeting id; return (the job, True) or (the existing job with
    the same key, False). ``reserve_for`` is the id base (``<date>-<slug>``)."""
    with store.transaction() as conn:  # the store's write lock: reservations cannot collide
        row = conn.execute("SELECT * FROM team_jobs WHERE id = ?", (job.id,)).fetchone()
        if row is not None:
            return _row(row), False
        candidate, n = reserve_for, 1
        while (conn.execute("SELECT 1 FROM meetings WHERE id = ?", (candidate,)).fetchone()
               or conn.execute("SELECT 1 FROM team_jobs WHERE meeting_id = ?", (candidate,)).fetchone()
               or store.meeting_dir(candidate).exists()):
            n += 1
            candidate = f"{reserve_for}-{n}"
        job.meeting_id = candidate
        job.created_at = job.updated_at = now_iso()
        values = [getattr(job, c) for c in COLUMNS]
        for i, c in enumerate(COLUMNS):
            if c in ("params", "log", "notes"):
                values[i] = json.dumps(values[i], ensure_ascii=False)
        marks = ", ".join("?" for _ in COLUMNS)
        conn.execute(f"INSERT INTO team_jobs ({', '.join(COLUMNS)}) VALUES ({marks})", values)
    return job, True


def update(store: Store, job_id: str, *, log_line: str | None = None, note: str | None = None,
           **fields: Any) -> None:
    sets = [f"{k} = ?" for k in fields]
    values = list(fields.values())
    if log_line:
        sets.append("log = (log::jsonb || jsonb_build_array(?::text))::text")
        values.append(f"{now_iso()} {log_line}")
    if note:
        sets.append("notes = (notes::jsonb || jsonb_build_array(?::text))::text")
        values.append(note)
    sets.append("updated_at = ?")
    values.append(now_iso())
    store.conn.execute(f"UPDATE team_jobs SET {', '.join(sets)} WHERE id = ?", (*values, job_id))
