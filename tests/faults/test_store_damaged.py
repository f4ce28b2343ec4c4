"""Issue 9.6: a damaged or lost database is detected, never written into, named, and rebuilt from the
meeting folders by `summarizer rebuild-index` (which keeps the damaged file aside)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

from faults.store_support import SAMPLE, SAMPLE_RU, cli, draft
from summarizer.config import load_settings
from summarizer.store.database import Store


def _db() -> Path:
    return Path(os.environ["SUMMARIZER_HOME"]) / "data" / "summarizer.db"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _history_of(mid: str) -> tuple[list[object], list[object], str]:
    with Store(load_settings()) as store:
        versions = [(v.number, v.sha256, v.source, v.author, v.note) for v in store.list_versions(mid)]
        events = [(e.from_state, e.to_state, e.actor, e.note, e.version) for e in store.events(mid)]
        return versions, events, store.get_meeting(mid).status


def _edit(mid: str, tmp_path: Path, closing: str) -> None:
    out = tmp_path / f"{mid}.json"
    assert cli("export", mid, "-f", "json", "-o", out, "--force").returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data = data.get("protocol", data)
    data["closing"] = closing
    out.write_text(json.dumps(data), encoding="utf-8")
    run = cli("review", mid, "--file", out, "--by", "anna", "--note", "fixed the closing")
    assert run.returncode == 0, run.stderr


def _middle_of_the_versions(db: Path) -> int:
    """The offset of the versions page nearest the middle of the file (what `list` must read), so
    the damage is one a reader meets, not only an unused index page."""
    conn = sqlite3.connect(db)
    try:
        size = db.stat().st_size
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        try:
            pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'versions'"
                                                " AND pagetype != 'internal'")]
        except sqlite3.OperationalError:  # SQLite built without dbstat: plain middle
            return size // 2 - 4096
    finally:
        conn.close()
    return (min(pages, key=lambda n: abs((n - 1) * page - size // 2)) - 1) * page


def _assert_refused(run_stderr: str, returncode: int) -> None:
    assert returncode != 0
    assert "unexpected" not in run_stderr and "Traceback" not in run_stderr, run_stderr
    assert str(_db()) in run_stderr and "rebuild-index" in run_stderr, run_stderr


def test_noise_in_the_middle_is_refused_and_rebuilt(tmp_path: Path) -> None:
    ids = [draft(SAMPLE), draft(SAMPLE_RU), draft(SAMPLE)]
    _edit(ids[0], tmp_path, "Thanks to everyone for a productive meeting.")
    before = {mid: _history_of(mid) for mid in ids}
    db = _db()
    with db.open("r+b") as fh:  # 8 KB of noise in the middle, as a failing disk or a bad copy leaves
        fh.seek(_middle_of_the_versions(db))
        fh.write(os.urandom(8192))
    damaged = _digest(db)

    listed = cli("list")
    _assert_refused(listed.stderr, listed.returncode)
    assert "damaged" in listed.stderr
    run = cli("draft", SAMPLE, "--date", "2026-11-26")
    _assert_refused(run.stderr, run.returncode)
    assert _digest(db) == damaged  # nothing was written into the damaged file
    assert len(list((db.parent / "meetings").iterdir())) == 3

    rebuilt = cli("rebuild-index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    (aside,) = (p for p in db.parent.glob("summarizer.db.damaged-*") if not p.name.endswith(("-wal", "-shm")))
    assert _digest(aside) == damaged and str(aside) in rebuilt.stdout  # kept, never deleted
    for mid in ids:
        assert mid in rebuilt.stdout
        assert _history_of(mid) == before[mid]
    listed = cli("list")
    assert listed.returncode == 0 and all(mid in listed.stdout for mid in ids), listed.stderr
    assert cli("draft", SAMPLE, "--date", "2026-11-26").returncode == 0  # writable again


def test_empty_database_beside_stored_meetings(tmp_path: Path) -> None:
    ids = [draft(SAMPLE), draft(SAMPLE_RU)]
    _edit(ids[1], tmp_path, "Спасибо всем участникам.")
    assert cli("status", ids[1], "--set", "internal_review").returncode != 0  # already there
    before = {mid: _history_of(mid) for mid in ids}
    db = _db()
    db.write_bytes(b"")  # zero-length: what a crashed copy or an over-eager cleanup leaves

    listed = cli("list")
    _assert_refused(listed.stderr, listed.returncode)
    assert "No meetings yet" not in listed.stdout and "empty" in listed.stderr
    run = cli("draft", SAMPLE, "--date", "2026-11-26")
    _assert_refused(run.stderr, run.returncode)
    with Store(load_settings()) as store:
        assert store.conn.execute("SELECT count(*) FROM meetings").fetchone()[0] == 0

    rebuilt = cli("rebuild-index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert list(db.parent.glob("summarizer.db.damaged-*"))
    for mid in ids:
        assert _history_of(mid) == before[mid]
    status = cli("status", ids[1])
    assert "status: internal_review" in status.stdout and "  v2 " in status.stdout, status.stdout
    assert "fixed the closing" in status.stdout


def test_rebuild_from_folders_without_a_history_file(tmp_path: Path) -> None:
    # meetings stored before history.jsonl existed: versions, transcript and source still rebuild
    mid = draft(SAMPLE)
    _edit(mid, tmp_path, "Thanks, all.")
    folder = _db().parent / "meetings" / mid
    (folder / "history.jsonl").unlink()
    _db().unlink()
    rebuilt = cli("rebuild-index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "files only" in rebuilt.stdout
    with Store(load_settings()) as store:
        assert [v.number for v in store.list_versions(mid)] == [1, 2]
        assert store.get_version(mid).protocol.closing == "Thanks, all."
        meeting = store.get_meeting(mid)
        assert meeting.status == "internal_review" and meeting.transcript_path
        assert Path(meeting.transcript_path).exists()


def test_rebuild_refuses_a_healthy_database() -> None:
    draft(SAMPLE)
    run = cli("rebuild-index")
    assert run.returncode != 0 and "healthy" in run.stderr and "--force" in run.stderr
    assert not list(_db().parent.glob("summarizer.db.damaged-*"))


def test_meetings_stored_before_the_history_file_get_one_and_rebuild_whole(tmp_path: Path) -> None:
    # an older version kept state and approvals only in the database: the first write of this one
    # writes each such meeting's history from its rows, so a later loss of the database loses nothing
    mid = draft(SAMPLE)
    assert cli("status", mid, "--set", "internal_review", "--note", "ready").returncode == 0
    folder = _db().parent / "meetings" / mid
    (folder / "history.jsonl").unlink()
    (_db().parent / ".tmp-swept").unlink()
    before = _history_of(mid)
    other = draft(SAMPLE_RU)  # any write does it
    assert (folder / "history.jsonl").exists()
    _db().write_bytes(b"")
    rebuilt = cli("rebuild-index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "files only" not in rebuilt.stdout
    assert _history_of(mid) == before
    assert other in cli("list").stdout
