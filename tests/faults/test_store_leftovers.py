"""Issue 9.9: temporary files that killed writers left are cleaned up (only stale ones, only ours),
and `status --set final_sent` cannot mark a protocol sent without sending it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from faults.store_support import SAMPLE, cli, draft
from summarizer.config import load_settings

# Killed between "temp file written" and "renamed into place" (files.py's test hook).
WRITER = """
import sys
from summarizer.config import load_settings
from summarizer.store.database import Store
store = Store(load_settings())
p = store.get_version(sys.argv[1]).protocol.model_copy(deep=True)
p.closing = "never saved"
store.add_version(sys.argv[1], p, source="edited", author="killed")
"""


def test_stale_temporary_files_are_removed_on_the_next_write(tmp_path: Path) -> None:
    mid = draft()
    folder = load_settings().data_dir / "meetings" / mid
    proc = subprocess.Popen([sys.executable, "-c", WRITER, mid],
                            env={**os.environ, "SUMMARIZER_TEST_PAUSE_AFTER_TEMP": "60"})
    deadline = time.monotonic() + 60
    while not list((folder / "versions").glob(".*.tmp")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    (stale,) = (folder / "versions").glob(".*.tmp")
    hour_ago = time.time() - 2 * 3600
    os.utime(stale, (hour_ago, hour_ago))
    fresh = folder / "drafts" / ".notes.md.abc123.tmp"  # a write in progress right now: kept
    fresh.write_text("in progress")
    person = folder / "review" / "my-notes.tmp"  # not a name we make: never touched
    person.parent.mkdir(exist_ok=True)
    person.write_text("mine")
    os.utime(person, (hour_ago, hour_ago))
    (load_settings().data_dir / ".tmp-swept").unlink(missing_ok=True)

    out = tmp_path / "edit.json"
    assert cli("export", mid, "-f", "json", "-o", out).returncode == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    data = data.get("protocol", data)
    data["closing"] = "Thank you all."
    out.write_text(json.dumps(data), encoding="utf-8")
    run = cli("review", mid, "--file", out)
    assert run.returncode == 0, run.stderr
    assert not stale.exists()
    assert fresh.exists() and person.exists()


def test_final_sent_and_approved_cannot_be_set_by_hand() -> None:
    mid = draft()
    assert cli("status", mid, "--set", "internal_review").returncode == 0
    assert cli("send", mid, "--to", "client@example.com", "--force").returncode == 0
    run = cli("status", mid, "--set", "approved")
    assert run.returncode != 0 and "summarizer approve" in run.stderr, run.stderr
    assert cli("approve", mid, "--by", "Boris <boris@example.com>", "--evidence", "Approved, thanks.",
               "--no-send").returncode == 0
    run = cli("status", mid, "--set", "final_sent")
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "send --final" in run.stderr, run.stderr
    status = cli("status", mid)
    assert "status: approved" in status.stdout, status.stdout
    assert "final_sent" not in status.stdout.split("History:")[1]
    sent = cli("send", mid, "--final", "--to", "all@example.com", "--force")
    assert sent.returncode == 0, sent.stderr
    assert "status: final_sent" in cli("status", mid).stdout


def test_a_draft_killed_midway_leaves_no_second_meeting_behind() -> None:
    # SIGKILL while the draft is writing its files: the next draft of the same meeting gets the same
    # id (before: the half-written folder stayed, invisible, and the next draft became "X-2")
    env = {**os.environ, "SUMMARIZER_TEST_PAUSE_AFTER_TEMP": "60"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "draft", str(SAMPLE), "--date", "2026-11-25"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    meetings = load_settings().data_dir / "meetings"
    deadline = time.monotonic() + 120
    while not list(meetings.glob("*/**/.*.tmp")):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    mid = draft()
    listed = cli("list")
    assert listed.returncode == 0 and len(listed.stdout.strip().splitlines()) == 1, listed.stdout
    assert sorted(p.name for p in meetings.iterdir()) == [mid]
    assert not mid.endswith("-2")
