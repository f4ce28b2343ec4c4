"""LLM extraction end to end: prompts, long meetings in chunks, finalize, the CLI; real HTTP to the fake."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply, agreement, reply_json, reply_text, sample_protocol

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.extract import extract_protocol
from summarizer.extract.llm_extractor import extract_llm, load_prompts
from summarizer.ingest.read import read_transcript
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript

ROOT = Path(__file__).resolve().parent.parent
LINE_RE = re.compile(r"^\[(s\d{4})[^\]]*\] (?:[^:]+: )?(.*)$", re.M)


@pytest.fixture
def server():
    with FakeOpenAI() as srv:
        yield srv


def make_settings(server: FakeOpenAI, tmp_path: Path, **kw: Any) -> Settings:
    base = Settings(base_url=server.base_url, llm_model="fake-model", cache_dir=tmp_path / "cache",
                    llm_timeout=5.0, llm_backoff=0.01)
    return dataclasses.replace(base, **kw)


def cite_first_line(request: dict[str, Any]) -> dict[str, Any]:
    """A reply built from what was sent: one agreement quoting the chunk's first segment exactly."""
    user = request["messages"][-1]["content"]
    sid, text = LINE_RE.findall(user)[0]
    quote = " ".join(text.split()[:6])
    body = sample_protocol(agreements=[agreement(f"Item from {sid}", [sid], quote)])
    return {
        "id": "x", "object": "chat.completion", "created": 0, "model": "fake-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": json.dumps(body)}}],
        "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 50, "total_tokens": 0},
    }


def test_prompt_has_date_weekday_ids_and_rules(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = read_transcript(ROOT / "samples" / "transcripts" / "negotiation_en.txt")
    quote = "Six pallets and three days for mixed loads"
    sid = next(s.id for s in transcript.segments if quote in s.text)
    server.script(reply_json(sample_protocol(agreements=[agreement("Six pallets a week", [sid], quote)])))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=dt.date(2024, 5, 15))
    system, user = server.requests[0]["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "Nothing invented" in system["content"] and "Write the protocol in English" in system["content"]
    assert "rejected" in system["content"] and "later decision" in system["content"]
    assert "Meeting date: 2024-05-15 (Wednesday)" in user["content"]
    seg = transcript.segment(sid)
    assert seg is not None
    assert f"[{sid} 00:01:16] Sarah Collins: {seg.text}" in user["content"]
    assert "{{" not in user["content"] and "prompt-version" not in system["content"]
    assert protocol.meta.extractor == "llm" and protocol.meta.chunks == 1
    assert protocol.meta.prompt_version == "system.en/1+extract.en/1"
    assert protocol.meta.mode == "json_schema" and protocol.meta.endpoint == server.base_url
    assert protocol.agreements[0].evidence[0].segment_ids == [sid]


def test_russian_meeting_gets_russian_prompts(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = read_transcript(ROOT / "samples" / "transcripts" / "negotiation_ru.txt")
    server.script(reply_json(sample_protocol()), reply_json(sample_protocol()))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=dt.date(2024, 5, 17))
    system, user = server.requests[0]["messages"]
    assert "Ничего не выдумывай" in system["content"] and "на языке: русском" in system["content"]
    assert "Дата встречи: 2024-05-17 (пятница)" in user["content"]
    assert protocol.language == "ru" and protocol.meta.prompt_version == "system.ru/1+extract.ru/1"
    # output_language overrides the meeting's language
    extract_llm(transcript, make_settings(server, tmp_path, output_language="en"))
    system, user = server.requests[1]["messages"]
    assert "Write the protocol in English" in system["content"]
    assert "Meeting date: unknown (weekday unknown)" in user["content"]


def test_custom_prompts_dir_without_marker_gets_a_content_version(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "system.en.md").write_text("Be brief.", encoding="utf-8")
    (folder / "extract.en.md").write_text("Date {{meeting_date}}\n{{transcript}}", encoding="utf-8")
    prompts = load_prompts(make_settings(server, tmp_path, prompts_dir=folder), "en")
    assert re.fullmatch(r"system\.en@[0-9a-f]{8}\+extract\.en@[0-9a-f]{8}", prompts.version)


def long_meeting(minutes: int = 120, every: float = 5.0) -> Transcript:
    segments = []
    for i in range(int(minutes * 60 / every)):
        speaker = ["Anna", "Boris", "Clara"][i % 3]
        text = (f"Point {i}: we reviewed deliverable {i % 17} and the schedule for phase {i % 5}, "
                f"and agreed to revisit the budget line {i}.")
        segments.append(Segment(id=f"s{i + 1:04d}", text=text, start=i * every, end=(i + 1) * every,
                                speaker=speaker))
    return Transcript(segments=segments, language="en", source="synthetic-2h")


def test_two_hour_meeting_is_chunked_not_truncated(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = long_meeting()
    settings = make_settings(server, tmp_path, context_tokens=6000)
    server.script(*(Reply(build=cite_first_line) for _ in range(40)))
    protocol = extract_protocol(transcript, settings, meeting_date=dt.date(2024, 5, 15))
    chunks = protocol.meta.chunks
    assert chunks > 3
    assert len(server.requests) == chunks == protocol.meta.usage.requests
    seen: set[str] = set()
    for n, request in enumerate(server.requests, start=1):
        user = request["messages"][-1]["content"]
        assert f"This is part {n} of {chunks}" in user
        assert request["temperature"] == 0
        seen.update(sid for sid, _ in LINE_RE.findall(user))
    assert seen == {s.id for s in transcript.segments}  # every segment was sent at least once
    # each chunk produced one distinct agreement; finalize proved every quote against the transcript
    assert len(protocol.agreements) == chunks
    assert all(a.evidence[0].status == "verified" for a in protocol.agreements)
    assert protocol.meta.extractor == "llm" and protocol.meta.created_at is not None
    assert protocol.header.date == dt.date(2024, 5, 15)


def test_failure_in_one_chunk_names_the_chunk(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = long_meeting(minutes=30)
    settings = make_settings(server, tmp_path, context_tokens=3000, llm_max_reasks=0)
    server.script(Reply(build=cite_first_line), reply_text("nonsense"))
    with pytest.raises(LLMError, match=r"chunk 2 of \d+ \(segments s\d{4}–s\d{4}\)") as info:
        extract_llm(transcript, settings)
    assert info.value.usage["requests"] == 2


def test_without_endpoint_the_offline_extractor_runs(tmp_path: Path) -> None:
    transcript = read_transcript(ROOT / "samples" / "transcripts" / "negotiation_en.txt")
    protocol = extract_protocol(transcript, Settings(cache_dir=tmp_path), meeting_date=dt.date(2024, 5, 15))
    assert protocol.meta.extractor == "offline" and protocol.meta.created_at is not None
    assert protocol.meta.usage.requests == 0


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_cli_extract_with_llm_and_no_overwrite(server: FakeOpenAI, tmp_path: Path) -> None:
    src = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
    out = tmp_path / "protocol.json"
    server.script(Reply(build=cite_first_line))
    result = _cli("extract", str(src), "-o", str(out), "--date", "2024-05-15", "--base-url", server.base_url,
                  "--model", "fake-model", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "extractor: LLM fake-model" in result.stdout
    assert "1 request(s)" in result.stdout and "flagged for review" in result.stdout
    protocol = Protocol.model_validate_json(out.read_text(encoding="utf-8"))
    assert protocol.meta.extractor == "llm" and protocol.agreements[0].evidence[0].status == "verified"
    before = out.read_bytes()
    again = _cli("extract", str(src), "-o", str(out), "--offline", home=tmp_path / "home")
    assert again.returncode != 0 and "already exists" in again.stderr and "--force" in again.stderr
    assert out.read_bytes() == before
    forced = _cli("extract", str(src), "-o", str(out), "--offline", "--force", home=tmp_path / "home")
    assert forced.returncode == 0, forced.stderr
    assert "offline draft" in forced.stdout
    assert Protocol.model_validate_json(out.read_text(encoding="utf-8")).meta.extractor == "offline"


def test_cli_extract_never_writes_over_its_transcript(tmp_path: Path) -> None:
    src = tmp_path / "call.txt"
    src.write_bytes((ROOT / "samples" / "transcripts" / "negotiation_en.txt").read_bytes())
    before = src.read_bytes()
    result = _cli("extract", str(src), "-o", str(src), "--offline", "--force", home=tmp_path / "home")
    assert result.returncode == 2 and "would replace the transcript itself" in result.stderr
    assert src.read_bytes() == before


def test_cli_reports_llm_failure_without_writing(server: FakeOpenAI, tmp_path: Path) -> None:
    src = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
    out = tmp_path / "protocol.json"
    server.script(*(reply_text("no json here") for _ in range(3)))
    result = _cli("extract", str(src), "-o", str(out), "--base-url", server.base_url, "--model", "m",
                  home=tmp_path / "home")
    assert result.returncode == 1
    assert "gave no valid answer in 3 attempts" in result.stderr and "--offline" in result.stderr
    assert not out.exists()


def test_installed_wheel_finds_its_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import summarizer
    from summarizer.extract import llm_extractor

    package = tmp_path / "site-packages" / "summarizer"
    package.mkdir(parents=True)
    monkeypatch.setattr(summarizer, "__file__", str(package / "__init__.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert llm_extractor.default_prompts_dir() == tmp_path / "venv" / "share" / "summarizer" / "prompts"
