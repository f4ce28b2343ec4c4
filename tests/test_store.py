"""The meeting store: migrations, SQLite settings, immutability, concurrency, crash safety."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from meeting_factory import make_meeting, make_protocol, make_store

from summarizer.errors import NotFoundError, StoreError, WorkflowError
from summarizer.store.database import Store, slugify
from summarizer.store.migrations import MIGRATIONS

WRITER = """
import sys
from summarizer.config import load_settings
from summarizer.store.database import Store
from summarizer.schema import Protocol
store = Store(load_settings())
base = store.get_version(sys.argv[1]).protocol
for i in range(int(sys.argv[2])):
    p = base.model_copy(deep=True)
    p.purpose = f"{sys.argv[3]} {i}"
    v = store.add_version(sys.argv[1], p, source="edited", author=sys.argv[3])
    print(v.number, flush=True)
"""


def test_migrations_recorded_and_idempotent() -> None:
    store = make_store()
    names = [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == [name for name, _ in MIGRATIONS]
    store.close()
    again = make_store()  # a second open applies nothing new
    assert [r[0] for r in again.conn.execute("SELECT name FROM migrations")] == names


def test_sqlite_pragmas() -> None:
    store = make_store()
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert store.path.parent.name == "data"  # inside SUMMARIZER_HOME/data


def test_foreign_keys_enforced() -> None:
    store = make_store()
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO versions (meeting_id, number, protocol, sha256, source, created_at)"
            " VALUES ('nope', 1, '{}', 'x', 'edited', 'now')"
        )


def test_versions_are_immutable() -> None:
    store = make_store()
    meeting = make_meeting(store)
    before = store.get_version(meeting.id, 1)
    for sql in ("UPDATE versions SET note = 'x'", "DELETE FROM versions",
                "UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            store.conn.execute(sql)
    v2 = store.add_version(meeting.id, make_protocol(), source="edited", author="me")
    assert v2.number == 2
    after = store.get_version(meeting.id, 1)
    assert after.sha256 == before.sha256 and after.protocol == before.protocol
    assert (meeting.folder / "versions" / "v001.json").exists()
    assert json.loads((meeting.folder / "versions" / "v002.json").read_text())["purpose"]


def test_tampered_version_detected(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    store.conn.execute("DROP TRIGGER versions_no_update")
    store.conn.execute("UPDATE versions SET protocol = replace(protocol, 'Alfa', 'Beta')")
    with pytest.raises(StoreError, match="sha256"):
        store.get_version(meeting.id, 1)


def test_ids_slug_and_prefixes() -> None:
    store = make_store()
    a = make_meeting(store, client="Alfa Logistik")
    b = make_meeting(store, client="Alfa Logistik")
    c = make_meeting(store, client="Ромашка ООО")
    assert a.id == "2026-11-25-alfa-logistik"
    assert b.id == "2026-11-25-alfa-logistik-2"
    assert c.id == "2026-11-25-romashka-ooo"
    assert store.resolve_id("2026-11-25-rom") == c.id
    assert store.get_meeting("2026-11-25-alfa-logistik").id == a.id  # exact id beats prefix
    with pytest.raises(NotFoundError, match="several"):
        store.resolve_id("2026-11-25")
    with pytest.raises(NotFoundError, match="no meeting"):
        store.resolve_id("zzz")
    assert slugify("Встреча: план / 2") == "vstrecha-plan-2"


def test_expect_status_guard() -> None:
    store = make_store()
    meeting = make_meeting(store)
    with pytest.raises(WorkflowError, match="draft"):
        store.add_version(meeting.id, make_protocol(), source="edited", expect_status={"approved"})
    assert len(store.list_versions(meeting.id)) == 1


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}


def test_concurrent_writers_get_distinct_consecutive_numbers() -> None:
    store = make_store()
    meeting = make_meeting(store)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, meeting.id, "8", name], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("alice", "bob")
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    numbers = sorted(int(n) for out, _ in outputs for n in out.split())
    assert numbers == list(range(2, 18))
    versions = store.list_versions(meeting.id)
    assert [v.number for v in versions] == list(range(1, 18))
    assert {v.author for v in versions[1:]} == {"alice", "bob"}
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_killed_writer_loses_nothing() -> None:
    store = make_store()
    meeting = make_meeting(store)
    v1 = store.get_version(meeting.id)
    env = {**_env(), "SUMMARIZER_TEST_PAUSE_AFTER_TEMP": "60"}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, meeting.id, "1", "killed"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    versions_dir = meeting.folder / "versions"
    deadline = time.monotonic() + 60
    while not list(versions_dir.glob(".*.tmp")):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline, "writer never reached the temp file"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    fresh = Store(store.settings)
    assert [v.number for v in fresh.list_versions(meeting.id)] == [1]
    assert fresh.get_version(meeting.id).sha256 == v1.sha256
    assert not (versions_dir / "v002.json").exists()
    assert json.loads((versions_dir / "v001.json").read_text())["purpose"] == v1.protocol.purpose
    # the lock died with the process: the next writer proceeds and takes number 2
    v2 = fresh.add_version(meeting.id, make_protocol(), source="edited", author="next")
    assert v2.number == 2
    assert fresh.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_version_number_out_of_range_is_not_found() -> None:
    store = make_store()
    meeting = make_meeting(store)
    for number in (0, -1, 10**20):  # 10**20 made sqlite raise OverflowError (a traceback in `diff`)
        with pytest.raises(NotFoundError, match=f"no version {number}"):
            store.get_version(meeting.id, number)


def test_unreadable_database_is_a_store_error_and_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.config import load_settings

    db = tmp_path / "summarizer.db"
    db.write_bytes(b"not a database" * 100)
    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", f"sqlite:///{db}")
    closed: list[bool] = []
    real_connect = sqlite3.connect

    class Tracked(sqlite3.Connection):
        def close(self) -> None:
            closed.append(True)
            super().close()

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, **k, factory=Tracked))
    with pytest.raises(StoreError, match="cannot open the meeting database"):
        Store(load_settings())
    assert closed == [True]


def test_threads_writing_one_file_do_not_share_a_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from summarizer.store.files import write_atomic

    # with one temp name per process, the second writer truncated the first one's temp file and
    # then found it renamed away (FileNotFoundError)
    monkeypatch.setenv("SUMMARIZER_TEST_PAUSE_AFTER_TEMP", "0.3")
    target = tmp_path / "protocol.md"
    failures: list[BaseException] = []

    def write(text: str) -> None:
        try:
            write_atomic(target, text * 1000)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert target.read_text() in ("a" * 1000, "b" * 1000)
    assert [p.name for p in tmp_path.iterdir()] == ["protocol.md"]


def test_writing_over_a_folder_is_an_input_error(tmp_path: Path) -> None:
    from summarizer.errors import InputError
    from summarizer.store.files import copy_atomic, write_atomic

    # `summarizer export M -f md -o FOLDER --force` ended in "unexpected IsADirectoryError"
    with pytest.raises(InputError, match="this is a folder"):
        write_atomic(tmp_path, "text")
    with pytest.raises(InputError, match="this is a folder"):
        copy_atomic(Path(__file__), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_database_folder_that_cannot_be_made_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from summarizer.config import load_settings

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    # was "unexpected FileExistsError/FileNotFoundError" from mkdir
    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", f"sqlite:///{blocker}/sub/summarizer.db")
    with pytest.raises(StoreError, match="cannot open the meeting database"):
        Store(load_settings())


def test_meeting_ids_are_cut_at_a_word_boundary() -> None:
    assert slugify("Meeting: Nordpack Supplies — Brightline Retail and more words") == (
        "meeting-nordpack-supplies-brightline")
    assert slugify("Переговоры: Северный путь — Альфа-Логистик") == "peregovory-severnyy-put-alfa-logistik"
    assert len(slugify("a" * 60)) == 40


def test_every_write_is_also_in_the_meeting_history_file() -> None:
    from summarizer.store.history import read_lines

    store = make_store()
    meeting = make_meeting(store)
    store.set_status(meeting.id, "draft", "internal_review", actor="anna", note="looked at it")
    kinds = [r["kind"] for _, r in read_lines(meeting.folder) if r]
    assert kinds == ["meeting", "event", "version", "event"]
    last = [r for _, r in read_lines(meeting.folder) if r][-1]
    assert last["to_state"] == "internal_review" and last["actor"] == "anna"


def test_a_failed_render_leaves_no_meeting_and_no_folder() -> None:
    store = make_store()

    def broken(meeting: object, version: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(StoreError, match="disk is full"):
        store.create_meeting(title="Delivery", client="Alfa", protocol=make_protocol(), render=broken,
                             files={"transcript.json": b"{}"})
    assert store.conn.execute("SELECT count(*) FROM meetings").fetchone()[0] == 0
    assert not list(store.meetings_dir.iterdir())


def test_a_failed_edit_render_stores_nothing_and_removes_its_files() -> None:
    store = make_store()
    meeting = make_meeting(store)

    def half_written(version: object) -> None:
        folder = meeting.folder / "drafts" / "v002"
        folder.mkdir(parents=True)
        (folder / "protocol.md").write_text("half")
        raise OSError(28, "No space left on device")

    history_before = (meeting.folder / "history.jsonl").read_bytes()
    with pytest.raises(StoreError, match="disk is full"):
        store.add_version(meeting.id, make_protocol(), source="edited", render=half_written)
    assert [v.number for v in store.list_versions(meeting.id)] == [1]
    assert not (meeting.folder / "versions" / "v002.json").exists()
    assert not (meeting.folder / "drafts" / "v002").exists()
    assert (meeting.folder / "history.jsonl").read_bytes() == history_before


def test_a_request_key_finds_the_meeting_and_takes_over_its_abandoned_folder() -> None:
    from summarizer.store import folders

    store = make_store()
    # a killed run reserved the folder and died before committing
    mid, folder = folders.reserve_folder(store.meetings_dir, "2026-11-25-alfa", exact=False,
                                         request_key="job1", known=lambda _id: False)
    (folder / "transcript.json").write_text("{}")
    assert store.find_by_request_key("job1") is None
    again = store.create_meeting(client="alfa", meeting_date=dt.date(2026, 11, 25), request_key="job1",
                                 protocol=make_protocol())
    assert again.id == mid == "2026-11-25-alfa"  # not 2026-11-25-alfa-2
    assert not (again.folder / ".creating").exists()
    found = store.find_by_request_key("job1")
    assert found is not None and found.id == mid
    other = store.create_meeting(client="alfa", meeting_date=dt.date(2026, 11, 25), request_key="job2")
    assert other.id == "2026-11-25-alfa-2"


def test_a_read_only_folder_is_read_without_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere; tests/faults/test_store_readonly.py uses a read-only mount")
    from summarizer.config import load_settings

    store = make_store()
    meeting = make_meeting(store)
    store.close()
    data = store.settings.data_dir
    for path in (data, data / "meetings", meeting.folder):
        path.chmod(0o555)
    try:
        reader = Store(load_settings())
        assert reader.readonly_reason and [m.id for m in reader.list_meetings()] == [meeting.id]
        with pytest.raises(StoreError, match="may not write"):
            reader.add_version(meeting.id, make_protocol(), source="edited")
    finally:
        for path in (data, data / "meetings", meeting.folder):
            path.chmod(0o755)


def test_unfinished_folders_of_dead_processes_are_removed_by_the_hourly_upkeep() -> None:
    from summarizer.store import folders

    store = make_store()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    _mid, folder = folders.reserve_folder(store.meetings_dir, "2026-11-25-killed", exact=False,
                                          request_key=None, known=lambda _id: False)
    mark = folder / ".creating"
    mark.write_text(mark.read_text().replace(str(os.getpid()), dead))
    _mid2, alive = folders.reserve_folder(store.meetings_dir, "2026-11-25-running", exact=False,
                                          request_key=None, known=lambda _id: False)
    two_hours_ago = time.time() - 7200
    for m in (mark, alive / ".creating"):
        os.utime(m, (two_hours_ago, two_hours_ago))
    make_meeting(store)  # the first write of this store runs the upkeep
    assert not folder.exists()
    assert alive.exists()  # this process is still running: its folder may yet be finished
