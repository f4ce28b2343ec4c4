"""Issue 9.5 in the web app: an edit saved from the review page on a full disk (a real 15 MB file
system as the data folder, a real `summarizer serve`) is whole or nothing: the version with its
documents, or no version at all, with "the disk is full" on the page and the edits still in the form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import review_fields

from faults.store_support import draft, fill, temporaries, tmpfs
from faults.web_fault_support import Session, serving

EDIT = "Edited on a full disk. " * 200


@pytest.fixture
def small_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with tmpfs("15m") as where:
        monkeypatch.setenv("SUMMARIZER_HOME", str(where))
        yield where


def test_a_web_edit_on_a_full_disk_is_whole_or_nothing(small_home: Path, tmp_path: Path) -> None:
    mid = draft()
    folder = small_home / "data" / "meetings" / mid
    with serving(tmp_path) as server:
        session = Session(server.base)
        fields = review_fields(session.http.get(f"/m/{mid}").text)
        fields["closing"] = EDIT
        failures = 0
        # from no room to enough: each failure must leave nothing; the first success must be whole
        for leave in (4_000, 12_000, 30_000, 60_000, 120_000, 400_000, 2_000_000):
            fill(small_home, leave)
            r = session.post(f"/m/{mid}", fields)
            if r.status_code == 303:
                documents = sorted(p.suffix for p in (folder / "drafts" / "v002").glob(f"{mid}-v2.*"))
                assert documents == [".docx", ".html", ".md"], documents  # the version with its documents
                break
            failures += 1
            assert r.status_code == 422, r.text[:2000]
            assert "disk is full" in r.text and "unexpected" not in r.text, r.text[:2000]
            assert "Edited on a full disk." in r.text  # what the person typed is still on the page
            assert not (folder / "versions" / "v002.json").exists()
            drafts = folder / "drafts" / "v002"
            assert not drafts.exists() or not any(drafts.iterdir())
            assert not temporaries(small_home / "data")
        else:
            pytest.fail("the edit was never saved, even with room on the disk")
        session.close()
    assert failures, "the disk never filled up; the test proves nothing"
