"""Issue 9.5: a full disk. With a real 15 MB file system as the data folder, every command either does
its whole job (rows and files) or nothing, and says "the disk is full" naming the folder — never
"unexpected OSError [Errno 28] … report it", never a listed draft without its documents, never a
saved version after an error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faults.store_support import SAMPLE, cli, draft, fill, temporaries, tmpfs


@pytest.fixture
def small_home(monkeypatch: pytest.MonkeyPatch) -> Path:
    with tmpfs("15m") as where:
        monkeypatch.setenv("SUMMARIZER_HOME", str(where))
        yield where


def _meeting_folders(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "data" / "meetings").iterdir())


def _assert_clean_failure(run_stderr: str, home: Path) -> None:
    assert "unexpected" not in run_stderr and "Traceback" not in run_stderr, run_stderr
    assert "disk is full" in run_stderr and str(home) in run_stderr, run_stderr


def test_draft_on_a_full_disk_is_whole_or_nothing(small_home: Path) -> None:
    first = draft()
    saved = 0
    # leave less and less room: the draft then fails at a different step each time (source copy,
    # transcript, version file, DOCX, database); each failure must leave nothing behind
    for leave in (400_000, 200_000, 120_000, 80_000, 40_000, 12_000, 4_000):
        fill(small_home, leave)
        run = cli("draft", SAMPLE, "--date", "2026-11-25")
        listed = cli("list")
        assert listed.returncode == 0, listed.stderr
        if run.returncode == 0:
            saved += 1
            mid = run.stdout.split()[1]
            assert mid in listed.stdout
            assert list((small_home / "data" / "meetings" / mid / "drafts" / "v001").glob("*.docx"))
            continue
        _assert_clean_failure(run.stderr, small_home)
        assert len(listed.stdout.strip().splitlines()) == 1 + saved, listed.stdout
        assert len(_meeting_folders(small_home)) == 1 + saved  # no half-made meeting folder left
        assert not temporaries(small_home / "data")
    assert saved < 7, "the disk never filled up; the test proves nothing"
    (small_home / "filler.bin").unlink()
    again = cli("draft", SAMPLE, "--date", "2026-11-25")
    assert again.returncode == 0, again.stderr  # space freed: everything works again
    assert first in cli("list").stdout


def test_review_on_a_full_disk_saves_nothing(small_home: Path, tmp_path: Path) -> None:
    mid = draft()
    folder = small_home / "data" / "meetings" / mid
    exported = cli("export", mid, "-f", "json", "-o", tmp_path / "v1.json")
    assert exported.returncode == 0, exported.stderr
    data = json.loads((tmp_path / "v1.json").read_text(encoding="utf-8"))
    data = data.get("protocol", data)
    data["closing"] = "Edited on a full disk. " * 200
    edit = tmp_path / "edit.json"
    edit.write_text(json.dumps(data), encoding="utf-8")
    failures = 0
    for leave in (60_000, 30_000, 12_000, 4_000):
        fill(small_home, leave)
        run = cli("review", mid, "--file", edit)
        status = cli("status", mid)
        assert status.returncode == 0, status.stderr
        if run.returncode == 0:
            break
        failures += 1
        _assert_clean_failure(run.stderr, small_home)
        assert "  v2 " not in status.stdout and "status: draft" in status.stdout, status.stdout
        assert not (folder / "versions" / "v002.json").exists()
        assert not (folder / "drafts" / "v002").exists()
        assert not temporaries(small_home / "data")
    assert failures, "the disk never filled up; the test proves nothing"
    (small_home / "filler.bin").unlink()
    run = cli("review", mid, "--file", edit)
    assert run.returncode == 0, run.stderr
    assert "Saved v2" in run.stdout
    assert list((folder / "drafts" / "v002").glob("*.docx"))
