"""Issue 9.7: a read-only data folder (a real tmpfs remounted read-only). Reading works — list, status,
diff, export to a writable place — and writing is refused naming the real cause, not "unable to
open database file" with a hint about a crashed process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faults.store_support import SAMPLE, cli, draft, remount_read_only, tmpfs

# Saves v2 and is killed before it closes: the database's -wal and -shm files stay behind, holding v2.
KILLED_WRITER = """
import sys, time
from summarizer.config import load_settings
from summarizer.store.database import Store
store = Store(load_settings())
store.conn.execute("PRAGMA wal_autocheckpoint = 0")
p = store.get_version(sys.argv[1]).protocol.model_copy(deep=True)
p.closing = "Saved just before the crash."
store.add_version(sys.argv[1], p, source="edited", author="crashed")
print("saved", flush=True)
time.sleep(120)
"""


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    with tmpfs("64m") as where:
        monkeypatch.setenv("SUMMARIZER_HOME", str(where))
        yield where


def _assert_write_refused(run: subprocess.CompletedProcess[str], home: Path) -> None:
    assert run.returncode != 0
    assert "unexpected" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert "crashed process" not in run.stderr, run.stderr
    assert "read-only file system" in run.stderr and str(home / "data") in run.stderr, run.stderr


def test_read_only_data_folder_reads_and_refuses_writes(home: Path, tmp_path: Path) -> None:
    mid = draft()
    edit = tmp_path / "edit.json"
    exported = cli("export", mid, "-f", "json", "-o", edit)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(edit.read_text(encoding="utf-8"))
    data = data.get("protocol", data)
    data["closing"] = "An edit made while the folder is read-only."
    edit.write_text(json.dumps(data), encoding="utf-8")
    remount_read_only(home)

    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    assert mid in listed.stdout
    status = cli("status", mid)
    assert status.returncode == 0 and "  v1 " in status.stdout, status.stderr
    out = tmp_path / "copy.md"
    exported = cli("export", mid, "-f", "md", "-o", out)
    assert exported.returncode == 0, exported.stderr
    assert out.read_text(encoding="utf-8").strip()

    _assert_write_refused(cli("review", mid, "--file", edit), home)
    _assert_write_refused(cli("draft", SAMPLE, "--date", "2026-11-26"), home)
    _assert_write_refused(cli("status", mid, "--set", "internal_review"), home)


def test_read_only_folder_with_a_wal_left_by_a_killed_writer(home: Path) -> None:
    mid = draft()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, mid], env=os.environ.copy(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "saved", proc.stderr
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    db = home / "data" / "summarizer.db"
    assert db.with_name("summarizer.db-wal").stat().st_size > 0  # v2 lives only in the WAL
    time.sleep(0.1)
    remount_read_only(home)
    status = cli("status", mid)
    assert status.returncode == 0, status.stderr
    assert "  v2 " in status.stdout and "crashed" in status.stdout, status.stdout
    assert cli("list").returncode == 0


def test_read_only_folder_without_a_database_lists_nothing(home: Path) -> None:
    remount_read_only(home)
    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    assert "No meetings yet" in listed.stdout
