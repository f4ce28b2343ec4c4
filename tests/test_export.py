"""Exports: the level of detail agreed with the client can be overridden for one file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.errors import InputError
from summarizer.pipeline import export_version, run_draft
from summarizer.store.database import Store

ROOT = Path(__file__).resolve().parent.parent


def test_export_level_overrides_the_meeting_level(tmp_path: Path) -> None:
    settings = load_settings()
    with Store(settings) as store:
        result = run_draft(ROOT / "samples" / "transcripts" / "negotiation_en.txt", settings,
                           meeting_date=dt.date(2026, 11, 25), level="detailed", store=store)
        mid = result.meeting.id
        detailed = export_version(store, mid, "md", output=tmp_path / "detailed.md")
        brief = export_version(store, mid, "md", output=tmp_path / "brief.md", level="brief")
        detailed_text = detailed.read_text(encoding="utf-8")
        brief_text = brief.read_text(encoding="utf-8")
        # the detailed protocol quotes the recording for every item; the brief one does not
        assert "Evidence" in detailed_text and "Evidence" not in brief_text
        assert len(brief_text) < len(detailed_text)
        with pytest.raises(InputError, match="level of detail"):
            export_version(store, mid, "md", output=tmp_path / "x.md", level="verbose")
