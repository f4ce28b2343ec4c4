"""The meeting store on a real PostgreSQL 15: same schema and guarantees as on SQLite, and the whole
week of a protocol through the CLI (draft from a transcript, review, send, approve, the final sent)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from meeting_factory import SmtpSink, make_meeting, make_protocol
from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)

from summarizer.approval.workflow import record_edit
from summarizer.config import load_settings
from summarizer.errors import StoreError, WorkflowError
from summarizer.store import migrations as sqlite_migrations
from summarizer.store import postgres
from summarizer.store.database import Store
from summarizer.store.files import sha256_bytes

ROOT = Path(__file__).resolve().parent.parent
SUMMARIZER = Path(sys.executable).parent / "summarizer"
WRITER = """
import os, sys, time
from summarizer.config import load_settings
from summarizer.store.database import Store
store = Store(load_settings())
base = store.get_version(sys.argv[1]).protocol
if sys.argv[3] == "stall":
    # hold the write lock mid-transaction, after the version row is written, until killed
    with store.transaction() as conn:
        conn.execute("INSERT INTO versions (meeting_id, number, protocol, sha256, author, source, created_at)"
                     " VALUES (?, 2, '{}', 'x', 'stall', 'edited', 'now')", (sys.argv[1],))
        print("inside", flush=True)
        time.sleep(600)
for i in range(int(sys.argv[2])):
    p = base.model_copy(deep=True)
    p.purpose = f"{sys.argv[3]} {i}"
    v = store.add_version(sys.argv[1], p, source="edited", author=sys.argv[3])
    print(v.number, flush=True)
"""


@pytest.fixture
def pg_store(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:  # noqa: F811
    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", pg_url)
    store = Store(load_settings())
    yield store  # type: ignore[misc]
    store.close()


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_same_migrations_and_tables_as_sqlite(pg_store: Store, pg_url: str) -> None:  # noqa: F811
    names = [r[0] for r in pg_store.conn.execute("SELECT name FROM migrations ORDER BY seq").fetchall()]
    assert names == [name for name, _ in sqlite_migrations.MIGRATIONS]
    assert [name for name, _ in postgres.MIGRATIONS] == names
    with psycopg.connect(pg_url) as raw:  # a second process migrating finds nothing to do
        assert postgres.migrate(raw) == []
    cols = pg_store.conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND table_name IN ('meetings', 'versions', 'events', 'approvals')").fetchall()
    sqlite = Store(load_settings(overrides={"database_url": "sqlite:///" + str(Path(os.environ[
        "SUMMARIZER_HOME"]) / "x.db")}))
    sqlite_cols = {(t, r["name"]) for t in ("meetings", "versions", "events", "approvals")
                   for r in sqlite.conn.execute(f"PRAGMA table_info({t})").fetchall()}
    assert {(r[0], r[1]) for r in cols} == sqlite_cols


def test_history_is_append_only(pg_store: Store) -> None:
    meeting = make_meeting(pg_store)
    before = pg_store.get_version(meeting.id, 1)
    for sql in ("UPDATE versions SET note = 'x'", "DELETE FROM versions", "TRUNCATE versions CASCADE",
                "UPDATE events SET actor = 'x'", "DELETE FROM events", "TRUNCATE approvals"):
        with pytest.raises(psycopg.errors.RaiseException, match="immutable"):
            pg_store.conn.execute(sql)
    assert pg_store.get_version(meeting.id, 1).sha256 == before.sha256
    v2 = pg_store.add_version(meeting.id, make_protocol(), source="edited", author="me")
    assert v2.number == 2 and [e.to_state for e in pg_store.events(meeting.id)] == ["draft"]


def test_tampered_version_detected(pg_store: Store) -> None:
    meeting = make_meeting(pg_store)
    pg_store.conn.execute("ALTER TABLE versions DISABLE TRIGGER versions_no_update")
    pg_store.conn.execute("UPDATE versions SET protocol = replace(protocol, 'Alfa', 'Beta')")
    with pytest.raises(StoreError, match="sha256"):
        pg_store.get_version(meeting.id, 1)


def test_ids_prefixes_and_like_escaping(pg_store: Store) -> None:
    a = make_meeting(pg_store, client="Alfa Logistik")
    b = make_meeting(pg_store, client="Alfa Logistik")
    assert (a.id, b.id) == ("2026-11-25-alfa-logistik", "2026-11-25-alfa-logistik-2")
    assert pg_store.resolve_id("2026-11-25-alfa-logistik-") == b.id
    with pytest.raises(Exception, match="no meeting"):
        pg_store.resolve_id("2026-11-25_alfa%")  # LIKE wildcards are escaped, not matched


def test_concurrent_writers_get_distinct_consecutive_numbers(pg_store: Store) -> None:
    meeting = make_meeting(pg_store)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, meeting.id, "8", name], env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("alice", "bob", "carol")]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    numbers = sorted(int(n) for out, _ in outputs for n in out.split())
    assert numbers == list(range(2, 26))
    assert [v.number for v in pg_store.list_versions(meeting.id)] == list(range(1, 26))


def test_concurrent_saves_on_one_version_second_is_refused(pg_store: Store) -> None:
    """Two reviewers both opened v1 and press save at the same moment: one becomes v2, the other is
    refused (its text stays with the caller: the CLI and the web form keep it), never a silent v3."""
    meeting = make_meeting(pg_store)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def save(name: str) -> None:
        with Store(pg_store.settings) as store:
            protocol = store.get_version(meeting.id, 1).protocol.model_copy(deep=True)
            protocol.purpose = f"purpose by {name}"
            barrier.wait()
            try:
                results[name] = record_edit(store, meeting.id, protocol, actor=name, based_on=1)[0].number
            except WorkflowError as exc:
                results[name] = exc

    threads = [threading.Thread(target=save, args=(n,)) for n in ("anna", "boris")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    saved = [n for n, r in results.items() if r == 2]
    refused = [r for r in results.values() if isinstance(r, WorkflowError)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert "saved since" in refused[0].message
    versions = pg_store.list_versions(meeting.id)
    assert [v.number for v in versions] == [1, 2] and versions[1].author == saved[0]


def test_killed_writer_mid_transaction_leaves_nothing_and_releases_the_lock(pg_store: Store) -> None:
    meeting = make_meeting(pg_store)
    v1 = pg_store.get_version(meeting.id)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, meeting.id, "1", "stall"], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "inside", proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    v2 = None
    while v2 is None:  # the server notices the dead client and rolls back, releasing the lock
        try:
            v2 = pg_store.add_version(meeting.id, make_protocol(), source="edited", author="next")
        except StoreError:
            assert time.monotonic() < deadline
    assert v2.number == 2 and v2.author == "next"
    assert pg_store.get_version(meeting.id, 1).sha256 == v1.sha256
    assert [v.author for v in pg_store.list_versions(meeting.id)] == ["pipeline", "next"]


def test_unreachable_server_is_a_clear_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pg_support import free_port

    url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/nope"
    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", url)
    with pytest.raises(StoreError, match="cannot open the meeting database") as info:
        Store(load_settings())
    assert "secret" not in info.value.message and "127.0.0.1" in info.value.message


def _cli(*args: str, env: dict[str, str], ok: bool = True) -> str:
    run = subprocess.run([str(SUMMARIZER), *args], env=env, capture_output=True, text=True, timeout=600)
    assert (run.returncode == 0) == ok, f"{args}: {run.stdout}\n{run.stderr}"
    return run.stdout + run.stderr


def test_week_of_a_protocol_on_postgres(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    editor = tmp_path / "editor.py"
    editor.write_text("import re, sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
                      "t = re.sub(r'(?m)^purpose = .*$', 'purpose = \"Agree the pilot\"', t, count=1)\n"
                      "open(p, 'w', encoding='utf-8').write(t)\n")
    transcript = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
    with SmtpSink() as sink:
        env = {**os.environ, "SUMMARIZER_DATABASE_URL": pg_url, "SUMMARIZER_SMTP_HOST": "127.0.0.1",
               "SUMMARIZER_SMTP_PORT": str(sink.port), "SUMMARIZER_MAIL_FROM": "Anna <anna@studio.test>",
               "VISUAL": "", "EDITOR": f"{sys.executable} {editor}", "SUMMARIZER_USER": "anna"}
        out = _cli("draft", str(transcript), "--date", "2026-11-25", "--client", "Contoso", env=env)
        mid = re.search(r"Meeting (\S+) — draft v1", out).group(1)  # type: ignore[union-attr]
        assert "Saved v2 (edited)" in _cli("review", mid, env=env)
        _cli("send", mid, "--to", "Mark Olsen <mark@contoso.test>", "--force", env=env)
        reply = tmp_path / "reply.eml"
        reply.write_bytes(b"From: Mark Olsen <mark@contoso.test>\r\nSubject: Re\r\n\r\nApproved. Mark\r\n")
        # approve sends the final version to the approver (and everyone it went to for review); the
        # draft's open warnings were sent with --force above, so the final is too
        _cli("approve", mid, "--by", "Mark Olsen <mark@contoso.test>", "--evidence", str(reply), "--force",
             env=env)
        assert "final_sent" in _cli("list", env=env)
        assert len(sink.messages) == 2 and sink.messages[0]["to"] == ["mark@contoso.test"]
        assert "mark@contoso.test" in sink.messages[1]["to"]
    assert not (Path(os.environ["SUMMARIZER_HOME"]) / "data" / "summarizer.db").exists()  # no SQLite
    with psycopg.connect(pg_url) as db:
        steps = db.execute("SELECT from_state, to_state, actor, version FROM events WHERE meeting_id = %s"
                           " ORDER BY id", (mid,)).fetchall()
        assert steps == [(None, "draft", None, None), ("draft", "internal_review", "anna", 2),
                         ("internal_review", "sent_to_client", "anna", 2),
                         ("sent_to_client", "approved", "anna", 2), ("approved", "final_sent", "anna", 2)]
        versions = db.execute("SELECT number, source, sha256, protocol FROM versions WHERE meeting_id = %s"
                              " ORDER BY number", (mid,)).fetchall()
        assert [(n, s) for n, s, _, _ in versions] == [(1, "extracted"), (2, "edited")]
        assert all(sha256_bytes(p.encode()) == h for _, _, h, p in versions)
        assert "Agree the pilot" in versions[1][3]
        ((approved_by, ev_sha, ver_sha),) = db.execute(
            "SELECT approved_by, evidence_sha256, version_sha256 FROM approvals WHERE meeting_id = %s",
            (mid,)).fetchall()
        assert approved_by == "Mark Olsen <mark@contoso.test>" and ver_sha == versions[1][2]
        assert ev_sha == sha256_bytes(reply.read_bytes())
