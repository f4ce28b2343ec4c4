"""The main job with a language model, through real HTTP to the scripted server.

What a reviewer must be able to rely on: an item the model cannot prove from the transcript is kept
and flagged, an owner or date the model guessed is flagged, and a model that answers garbage costs
nothing already done (no half-made meeting, the transcription stays cached).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, item, moment, reply_text, step_replies

from summarizer.config import load_settings
from summarizer.schema import Protocol
from summarizer.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPT = ROOT / "samples" / "transcripts" / "negotiation_en.txt"


@pytest.fixture
def server():
    with FakeOpenAI() as srv:
        yield srv


def _draft(home: Path, server: FakeOpenAI, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(SUMMARIZER_HOME=str(home), OPENAI_BASE_URL=server.base_url, OPENAI_API_KEY="test-key",
               SUMMARIZER_LLM_MODEL="fake-model", SUMMARIZER_LLM_BACKOFF="0.01",
               SUMMARIZER_MODELS_DIR=os.environ["SUMMARIZER_MODELS_DIR"], SUMMARIZER_LOCAL_AUTOSTART="0",
               SUMMARIZER_LLM_STEPS="split")  # the scripted replies label every segment
    return subprocess.run([sys.executable, "-m", "summarizer", "draft", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def _latest_protocol(home: Path) -> Protocol:
    os.environ["SUMMARIZER_HOME"] = str(home)  # monkeypatched per test by conftest
    with Store(load_settings()) as store:
        (meeting,) = store.list_meetings()
        return store.get_version(meeting.id).protocol


def test_unprovable_items_and_guesses_are_flagged_not_dropped(server: FakeOpenAI, tmp_path: Path) -> None:
    home = tmp_path / "home"
    proven = item("Free weekend deliveries for a minimum of ten pallets a week", responsible="Tom Becker")
    # a real quote (s0004) that says nothing of the kind, and a date nobody said
    invented = item("A 20% discount on all orders", due_date="2030-01-01")
    server.script(*step_replies([moment(["s0004"]), moment(["s0008"])], [invented, proven]))

    result = _draft(home, server, str(TRANSCRIPT), "--date", "2026-11-25")

    assert result.returncode == 0, result.stderr
    protocol = _latest_protocol(home)
    assert protocol.meta.extractor == "llm" and protocol.meta.model == "fake-model"
    assert protocol.meta.usage.requests == 4  # moments, items, overview, closing
    second, first = protocol.agreements
    assert first.evidence[0].status == "verified" and first.evidence[0].start == 52.0
    assert "evidence_unsupported" not in {f.code for f in first.flags}
    # the invented item is kept for the reviewer, with every reason it cannot be trusted
    codes = {f.code for f in second.flags}
    assert second.evidence[0].status == "verified" and "evidence_unsupported" in codes
    assert "no_owner" in codes and "date_mismatch" in codes  # s0004 says "today", not 2030
    assert "evidence_unsupported" in result.stdout  # the attention list names it
    assert "extractor: LLM fake-model" in result.stdout and "4 request(s)" in result.stdout


def test_garbage_from_the_model_loses_nothing(server: FakeOpenAI, tmp_path: Path) -> None:
    home = tmp_path / "home"
    recording = ROOT / "samples" / "meeting_en.wav"
    server.script(*(reply_text("I am not JSON, sorry.") for _ in range(3)))

    failed = _draft(home, server, str(recording), "--date", "2026-11-25")

    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr and "3 attempts" in failed.stderr
    os.environ["SUMMARIZER_HOME"] = str(home)
    settings = load_settings()
    with Store(settings) as store:
        assert store.list_meetings() == []  # no half-made meeting that looks complete
    cached = list(settings.transcript_cache_dir.glob("*.json"))
    assert cached, "the transcription must survive a failed extraction"

    # the next run (here offline) picks the transcript up from the cache instead of transcribing again
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    again = subprocess.run([sys.executable, "-m", "summarizer", "-v", "draft", str(recording), "--date",
                            "2026-11-25"], capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "extractor: offline rules, no LLM endpoint configured" in again.stdout
    assert "taken from cache" in again.stderr
    assert sorted(settings.transcript_cache_dir.glob("*.json")) == sorted(cached)
