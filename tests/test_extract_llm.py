"""LLM extraction end to end through real HTTP to the scripted server: the step protocol (short
bounded requests, merged in code), re-asks on degenerate output, date precedence, invented contacts
dropped, unsupported evidence flagged, long meetings in chunks, the CLI."""

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
from fake_openai import (
    FakeOpenAI,
    Reply,
    item,
    moment,
    overview,
    reply_json,
    reply_labels,
    reply_text,
    step_replies,
)

from summarizer.config import Settings
from summarizer.errors import ConfigError, LLMError
from summarizer.extract import extract_protocol
from summarizer.extract.llm_extractor import extract_llm, load_prompts
from summarizer.ingest.read import read_transcript
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript

ROOT = Path(__file__).resolve().parent.parent
GOLD_EN = ROOT / "samples" / "gold" / "en_dashboard_rollout.json"
GOLD_RU = ROOT / "samples" / "gold" / "ru_pilot_negotiation.json"
LINE_RE = re.compile(r"^\[(s\d{4})\] (?:[^:]+: )?(.*)$", re.M)
EN_DATE = dt.date(2026, 3, 12)  # a Thursday
RU_DATE = dt.date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def server():
    with FakeOpenAI() as srv:
        yield srv


def make_settings(server: FakeOpenAI, tmp_path: Path, **kw: Any) -> Settings:
    # split: the model labels every segment (the guided default, where the rules choose, has its own tests)
    base = Settings(base_url=server.base_url, llm_model="fake-model", cache_dir=tmp_path / "cache",
                    llm_timeout=5.0, llm_backoff=0.01, llm_steps="split")
    return dataclasses.replace(base, **kw)


def gold(path: Path) -> Transcript:
    return Transcript.from_json(path.read_text(encoding="utf-8"))


def step_of(request: dict[str, Any]) -> str:
    return str(request["response_format"]["json_schema"]["name"])


def schema_of(request: dict[str, Any]) -> dict[str, Any]:
    return dict(request["response_format"]["json_schema"]["schema"])


def codes(entry: Any) -> set[str]:
    return {f.code for f in entry.flags}


# --------------------------------------------------------------------------------------------------
# The step protocol
# --------------------------------------------------------------------------------------------------
def test_steps_are_short_bounded_requests_sharing_the_transcript(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_EN)
    server.script(*step_replies(
        [moment(["s0010", "s0011"]), moment(["s0019"], "action"), moment(["s0014", "s0015"], "rejected")],
        [item("Phase one with the five operations dashboards goes live by March 31",
              due_phrase="by March 31st", due_date="2026-03-31"),
         item("Weekend support at an extra fifteen percent was proposed and rejected"),
         item("John Miller's IT team will open the database access", responsible="John Miller",
              due_phrase="by Monday", due_date="2026-03-16")],
        overview(purpose="Agree the rollout and the support terms",
                 issues=[{"title": "Weekend support", "segments": ["s0012", "s0013"],
                          "options": ["business hours only"], "outcome": None}]),
        closing="The parties agreed the rollout plan; thanks to everyone."))
    protocol = extract_protocol(transcript, make_settings(server, tmp_path), meeting_date=EN_DATE)

    assert [step_of(r) for r in server.requests] == ["labels", "items", "overview", "closing"]
    assert all(isinstance(r["max_tokens"], int) and 0 < r["max_tokens"] <= 1200 for r in server.requests)
    # one prefix for every step (a server's prompt cache reuses it): rules, date, participants, transcript
    prefix = server.requests[0]["messages"][1]["content"].split("Task:")[0]
    assert "Meeting date: 2026-03-12 (Thursday)" in prefix and "Participants: Anna Petrova" in prefix
    assert "[s0019] John Miller: I'll get our IT team to open the database access by Monday." in prefix
    for request in server.requests:
        assert request["messages"][0] == server.requests[0]["messages"][0]
        assert request["messages"][1]["content"].startswith(prefix)
    # nothing the code knows is asked for: no speaker labels, header or quotes; every list bounded
    for request in server.requests:
        schema = json.dumps(schema_of(request))
        for known in ("speaker_labels", "header", "quote", "start_time"):
            assert f'"{known}"' not in schema
    # step 1 labels every segment: the grammar writes the ids, in order, and the model picks a label
    labels = schema_of(server.requests[0])
    assert list(labels["properties"]) == labels["required"] == [s.id for s in transcript.segments]
    assert labels["properties"]["s0001"]["enum"] == ["none", "agreement", "action", "both", "rejected",
                                                      "revised"]
    items_schema = schema_of(server.requests[1])
    bounds = items_schema["properties"]["items"]
    assert bounds["minItems"] == bounds["maxItems"] == 3
    assert items_schema["$defs"]["Person"]["enum"] == ["Anna Petrova", "John Miller", "Raj Patel"]
    for request in server.requests[1:3]:
        for schema in (schema_of(request), *schema_of(request).get("$defs", {}).values()):
            for prop in schema.get("properties", {}).values():
                assert prop.get("type") != "array" or "maxItems" in prop
    # step 2 is shown the moments it writes, with who said what
    assert ("3. action — [s0019] John Miller: I'll get our IT team to open the database access by Monday."
            in server.requests[1]["messages"][1]["content"])

    (agreed,) = protocol.agreements
    (action,) = protocol.next_steps
    assert agreed.due_date == dt.date(2026, 3, 31)
    assert not codes(agreed) & {"evidence_unsupported", "date_mismatch"}
    assert action.owner == "John Miller" and action.due_date == dt.date(2026, 3, 16)
    # the code quotes the cited segment itself: verbatim, so verified
    quote = "I'll get our IT team to open the database access by Monday."
    assert [e.quote for e in action.evidence] == [quote]
    assert all(e.status == "verified" for it in protocol.items() for e in it.evidence)
    # the rejected proposal is reported under its issue, never as an agreement
    (issue,) = protocol.issues
    assert "Weekend support at an extra fifteen percent was proposed and rejected" in issue.solutions
    assert protocol.purpose == "Agree the rollout and the support terms"
    assert protocol.closing == "The parties agreed the rollout plan; thanks to everyone."
    assert [p.speaker_labels for p in protocol.participants] == [["Anna"], ["John"], ["SPEAKER_02"]]
    assert protocol.meta.usage.requests == 4 and protocol.meta.prompt_version == (
        "system.en/3+extract.en/2+steps.en/3")


def test_merged_steps_for_large_models_take_two_requests(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_EN)
    written = {**moment(["s0019"], "action"), **item("John Miller's IT team will open the database access",
                                                      responsible="John Miller", due_phrase="by Monday")}
    server.script(reply_json({"moments": [written]}),
                  reply_json({**overview(), "closing": "Thank you all."}))
    settings = make_settings(server, tmp_path, context_tokens=64000, llm_steps="auto")
    protocol = extract_llm(transcript, settings, meeting_date=EN_DATE)
    assert [step_of(r) for r in server.requests] == ["moments_items", "overview"]
    assert protocol.next_steps[0].owner == "John Miller" and protocol.closing == "Thank you all."
    with pytest.raises(ConfigError, match="llm_steps"):
        extract_llm(transcript, make_settings(server, tmp_path, llm_steps="fast"))


def test_russian_meeting_gets_russian_prompts(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_RU)
    server.script(*step_replies([], closing="Спасибо всем."))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=RU_DATE)
    system, user = server.requests[0]["messages"]
    assert "Ничего не выдумывай" in system["content"] and "на языке: русском" in system["content"]
    assert "Дата встречи: 2026-11-25 (среда)" in user["content"]
    assert "[s0005] Дмитрий Ковалёв: Мою почту" in user["content"]  # SPEAKER_00 named by the code
    assert "Задача: отметь каждую реплику" in user["content"]
    assert protocol.language == "ru" and protocol.meta.prompt_version == "system.ru/3+extract.ru/2+steps.ru/3"
    assert [step_of(r) for r in server.requests] == ["labels", "overview", "closing"]  # no moments, no items


def test_custom_prompts_dir_may_hold_only_some_files(server: FakeOpenAI, tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "system.en.md").write_text("Be brief.", encoding="utf-8")
    (folder / "extract.en.md").write_text("Date {{meeting_date}}\n{{transcript}}", encoding="utf-8")
    prompts = load_prompts(make_settings(server, tmp_path, prompts_dir=folder), "en")
    assert re.fullmatch(r"system\.en@[0-9a-f]{8}\+extract\.en@[0-9a-f]{8}\+steps\.en/3", prompts.version)
    (folder / "steps.en.md").write_text("<!-- step: moments -->\nFind them.", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"steps\.en\.md: no section for step\(s\) labels, items"):
        load_prompts(make_settings(server, tmp_path, prompts_dir=folder), "en")


# --------------------------------------------------------------------------------------------------
# Degenerate output: re-asked, or cut; never stored
# --------------------------------------------------------------------------------------------------
def test_every_segment_marked_is_asked_again(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_EN)
    everything = [moment([s.id], "action") for s in transcript.segments[2:]]
    server.script(reply_labels(everything),
                  *step_replies([moment(["s0016", "s0017"])], [item("Weekend support at +10% with a "
                                                                     "twelve-month commitment")]))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=EN_DATE)
    assert [step_of(r) for r in server.requests] == ["labels", "labels", "items", "overview", "closing"]
    again = server.requests[1]["messages"]
    assert again[-2]["role"] == "assistant" and json.loads(again[-2]["content"])["s0005"] == "action"
    assert "nearly every segment" in again[-1]["content"] and "Task:" in again[1]["content"]
    assert [a.text for a in protocol.agreements] == ["Weekend support at +10% with a twelve-month commitment"]
    assert protocol.next_steps == []


def test_counting_ids_is_cut_when_asking_again_does_not_help(server: FakeOpenAI, tmp_path: Path) -> None:
    """A list of ids (the one-request steps for large models) counted upwards: asked again, then cut."""
    transcript = gold(GOLD_EN)
    agreed = {**moment(["s0011"]), **item("Phase one goes live by March 31st", due_phrase="by March 31st")}
    counting = [agreed, *({**moment([f"s{n:04d}"], "action"), **item(f"Step {n}")} for n in range(18, 25))]
    server.script(reply_json({"moments": counting}), reply_json({"moments": counting}),
                  reply_json({**overview(), "closing": "Thanks."}))
    settings = make_settings(server, tmp_path, llm_steps="merged")
    protocol = extract_llm(transcript, settings, meeting_date=EN_DATE)
    assert [step_of(r) for r in server.requests] == ["moments_items", "moments_items", "overview"]
    assert "one after another" in server.requests[1]["messages"][-1]["content"]
    # the run s0018..s0024 is cut; the real moment before it stays
    assert [a.text for a in protocol.agreements] == ["Phase one goes live by March 31st"]
    assert protocol.next_steps == []


def test_items_repeated_across_lists_are_stored_once(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_EN)
    text = "Anna Petrova will send the updated proposal with the new support price"
    items = [item(text, responsible="Anna Petrova", due_phrase="by Friday")] * 2
    server.script(reply_labels([moment(["s0020"]), moment(["s0020"], "action")]),  # labelled "both"
                  reply_json({"items": items}), reply_json({"items": items}),
                  reply_json(overview(results=[text, "The rollout plan and support terms were agreed"])),
                  reply_json({"closing": "Thanks."}))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=EN_DATE)
    assert [step_of(r) for r in server.requests] == ["labels", "items", "items", "overview", "closing"]
    assert "more than once" in server.requests[2]["messages"][-1]["content"]
    # the same sentence as agreement, next step and result is kept once: as the next step (someone does it)
    assert protocol.agreements == [] and [n.action for n in protocol.next_steps] == [text]
    assert protocol.results == ["The rollout plan and support terms were agreed"]


def test_first_person_copies_are_asked_again_in_the_third_person(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_RU)
    server.script(
        reply_labels([moment(["s0020"], "action")]),
        reply_json({"items": [item("Я пришлю техническое описание коннектора до пятницы.")]}),
        reply_json({"items": [item("Дмитрий Ковалёв пришлёт техническое описание коннектора",
                                   responsible="Дмитрий Ковалёв", due_phrase="до пятницы")]}),
        reply_json(overview()), reply_json({"closing": "Спасибо."}))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=RU_DATE)
    assert "третьем лице" in server.requests[2]["messages"][-1]["content"]
    assert protocol.next_steps[0].action == "Дмитрий Ковалёв пришлёт техническое описание коннектора"


# --------------------------------------------------------------------------------------------------
# Facts: dates, contacts, evidence that supports the item
# --------------------------------------------------------------------------------------------------
def test_the_code_resolves_the_phrase_and_its_date_wins(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_RU)
    server.script(*step_replies(
        [moment(["s0020"], "action"), moment(["s0021"], "action"), moment(["s0024"], "action")],
        [item("Дмитрий Ковалёв пришлёт техническое описание коннектора", responsible="Дмитрий Ковалёв",
              due_phrase="до пятницы", due_date="2026-12-04"),  # wrong: Friday after 25.11 is 27.11
         item("Игорь Белов выдаст доступы к тестовой базе 1С", responsible="Игорь Белов",
              due_phrase="до среды", due_date="2026-12-02"),  # not what s0021 says
         item("Дмитрий Ковалёв проведёт обучение пользователей", responsible="Дмитрий Ковалёв",
              due_phrase="после старта пилота", due_date="2026-12-15")]))  # no rule resolves it
    protocol = extract_protocol(transcript, make_settings(server, tmp_path), meeting_date=RU_DATE)
    send, access, train = protocol.next_steps
    assert send.due_date == dt.date(2026, 11, 27) and "date_mismatch" in codes(send)
    assert "2026-12-04" in next(f.message for f in send.flags if f.code == "date_mismatch")
    assert train.due_date == dt.date(2026, 12, 15) and "date_unresolved" in codes(train)
    # a phrase the cited segment does not contain is replaced by the one it does
    assert access.due_phrase == "в понедельник" and access.due_date == dt.date(2026, 11, 30)
    assert "date_mismatch" in codes(access)


def test_invented_contacts_are_dropped_and_flagged(server: FakeOpenAI, tmp_path: Path) -> None:
    # Without Tom's word on Priya the code knows nothing of her position: the model is asked for people
    text = (ROOT / "samples" / "transcripts" / "negotiation_en.txt").read_text(encoding="utf-8")
    source = tmp_path / "negotiation_en.txt"
    source.write_text(text.replace(" With me is Priya Nair from our logistics team.", ""), encoding="utf-8")
    transcript = read_transcript(source)
    people = {"people": [
        {"name": "Tom Becker", "position": "account manager", "organisation": "Nordpack Supplies",
         "email": "tom.becker@nordpack.com", "phone": "+44 20 7946 0000"},
        {"name": "Sarah Collins", "position": "CEO", "organisation": "Brightline Retail",
         "email": "sarah@brightline.com", "phone": None},
        {"name": "Priya Nair", "position": None, "organisation": "Nordpack Supplies",
         "email": None, "phone": "+44 20 7946 0000"},
        {"name": "Jane Invented", "position": "CFO", "organisation": "Nowhere Ltd", "email": None,
         "phone": None},
    ]}
    server.script(reply_json(people), *step_replies([]))
    protocol = extract_llm(transcript, make_settings(server, tmp_path), meeting_date=EN_DATE)
    assert step_of(server.requests[0]) == "people"
    by_name = {p.name: p for p in protocol.participants}
    assert set(by_name) == {"Sarah Collins", "Tom Becker", "Priya Nair"}  # nobody said "Jane Invented"
    tom = by_name["Tom Becker"]
    assert (tom.position, tom.organisation) == ("account manager", "Nordpack Supplies")  # said: kept
    assert tom.email is None and tom.phone == "+44 20 7946 0958"  # said, read by the code
    assert by_name["Priya Nair"].phone is None
    assert by_name["Sarah Collins"].position == "head of procurement"  # the code's reading stays
    assert by_name["Sarah Collins"].email == "sarah.collins@brightline-retail.co.uk"
    flagged = [f.message for f in protocol.flags if f.code == "contact_unsupported"]
    assert len(flagged) == 2
    assert any("tom.becker@nordpack.com" in m for m in flagged)
    assert any("+44 20 7946 0000" in m for m in flagged)
    assert all(len(p.speaker_labels) <= 1 for p in protocol.participants)


def test_an_invented_agreement_citing_a_real_quote_is_flagged(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = gold(GOLD_EN)
    server.script(*step_replies(
        [moment(["s0002"]), moment(["s0016", "s0017"])],
        [item("30% discount and free delivery for two years"),
         item("Weekend support at ten percent with a twelve-month commitment")]))
    protocol = extract_protocol(transcript, make_settings(server, tmp_path), meeting_date=EN_DATE)
    invented, real = protocol.agreements
    assert invented.evidence[0].status == "verified"  # the quote was said...
    assert "evidence_unsupported" in codes(invented)  # ...but it does not say this
    assert "evidence_unsupported" not in codes(real)


# --------------------------------------------------------------------------------------------------
# Long meetings, failures, the CLI
# --------------------------------------------------------------------------------------------------
def long_meeting(minutes: int = 120, every: float = 5.0) -> Transcript:
    segments = []
    for i in range(int(minutes * 60 / every)):
        speaker = ["Anna", "Boris", "Clara"][i % 3]
        text = (f"Point {i}: we reviewed deliverable {i % 17} and the schedule for phase {i % 5}, "
                f"and agreed to revisit the budget line {i}.")
        segments.append(Segment(id=f"s{i + 1:04d}", text=text, start=i * every, end=(i + 1) * every,
                                speaker=speaker))
    return Transcript(segments=segments, language="en", source="synthetic-2h")


def answer_by_step(request: dict[str, Any]) -> dict[str, Any]:
    """A reply built from what was sent: one agreement on the chunk's first segment."""
    user = request["messages"][-1]["content"]
    sid, text = LINE_RE.findall(user)[0]
    step = step_of(request)
    body: dict[str, Any] = {
        "people": {"people": []},
        "labels": {s: "agreement" if s == sid else "none" for s in
                   request["response_format"]["json_schema"]["schema"]["properties"]},
        "items": {"items": [item(f"Budget line {int(sid[1:]) - 1} will be revisited")]},
        "overview": overview(),
        "closing": {"closing": "Thanks."},
    }[step]
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "fake-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": json.dumps(body)}}],
            "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 50, "total_tokens": 0}}


def test_two_hour_meeting_is_chunked_not_truncated(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = long_meeting()
    settings = make_settings(server, tmp_path, context_tokens=6000)
    server.script(*(Reply(build=answer_by_step) for _ in range(60)))
    protocol = extract_protocol(transcript, settings, meeting_date=dt.date(2024, 5, 15))
    chunks = protocol.meta.chunks
    assert chunks > 3
    steps = [step_of(r) for r in server.requests]
    # people once (the code could not tell who Anna is), then moments/items/overview per chunk, one closing
    assert steps.count("people") == 1 and steps.count("closing") == 1
    assert steps.count("labels") == steps.count("items") == steps.count("overview") == chunks
    assert len(server.requests) == protocol.meta.usage.requests
    seen: set[str] = set()
    for request in server.requests:
        user = request["messages"][-1]["content"]
        assert request["temperature"] == 0
        seen.update(sid for sid, _ in LINE_RE.findall(user))
    assert seen == {s.id for s in transcript.segments}  # every segment was sent at least once
    assert len(protocol.agreements) == chunks
    assert all(a.evidence[0].status == "verified" for a in protocol.agreements)
    assert not any("evidence_unsupported" in codes(a) for a in protocol.agreements)
    assert protocol.meta.extractor == "llm" and protocol.meta.created_at is not None


def test_failure_names_the_chunk_and_the_step(server: FakeOpenAI, tmp_path: Path) -> None:
    transcript = long_meeting(minutes=30)
    settings = make_settings(server, tmp_path, context_tokens=3000, llm_max_reasks=0)
    server.script(*(Reply(build=answer_by_step) for _ in range(4)), reply_text("nonsense"))
    with pytest.raises(LLMError, match=r"chunk 2 of \d+ \(segments s\d{4}–s\d{4}\), step labels") as info:
        extract_llm(transcript, settings)
    assert info.value.usage["requests"] == 5


def test_without_endpoint_the_offline_extractor_runs(tmp_path: Path) -> None:
    transcript = read_transcript(ROOT / "samples" / "transcripts" / "negotiation_en.txt")
    protocol = extract_protocol(transcript, Settings(cache_dir=tmp_path), meeting_date=dt.date(2024, 5, 15))
    assert protocol.meta.extractor == "offline" and protocol.meta.created_at is not None
    assert protocol.meta.usage.requests == 0


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["SUMMARIZER_HOME"] = str(home)
    env["SUMMARIZER_LOCAL_AUTOSTART"] = "0"  # the [local] extra would otherwise start the local model
    env["SUMMARIZER_LLM_STEPS"] = "split"  # the scripted replies label every segment
    return subprocess.run([sys.executable, "-m", "summarizer", *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_cli_extract_with_llm_and_no_overwrite(server: FakeOpenAI, tmp_path: Path) -> None:
    src = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
    out = tmp_path / "protocol.json"
    server.script(*(Reply(build=answer_by_step) for _ in range(5)))
    result = _cli("extract", str(src), "-o", str(out), "--date", "2024-05-15", "--base-url", server.base_url,
                  "--model", "fake-model", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "extractor: LLM fake-model" in result.stdout
    # labels, items, issues, closing; everyone introduced themselves, so no people step
    assert "4 request(s)" in result.stdout and "flagged for review" in result.stdout
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


def test_labels_become_moments() -> None:
    from summarizer.extract.llm_steps import clean_labels

    labels = [("s0001", "none"), ("s0002", "agreement"), ("s0003", "agreement"), ("s0004", "action"),
              ("s0005", "action"), ("s0006", "both"), ("s0007", "none"), ("s0008", "rejected"),
              ("s0009", "rejected"), ("s0010", "none"), ("s0011", "none"), ("s0012", "none")]
    moments, problem = clean_labels(labels, {})
    assert problem is None
    assert [(m.kind, m.segments) for m in moments] == [
        ("agreement", ["s0002", "s0003"]),  # a proposal and its acceptance
        ("action", ["s0004"]), ("action", ["s0005"]),  # two people's actions stay two
        ("agreement", ["s0006"]), ("action", ["s0006"]),  # both
        ("rejected", ["s0008", "s0009"]),
    ]
    moments, problem = clean_labels([(f"s{i:04d}", "agreement") for i in range(1, 13)], {})
    assert moments == [] and problem is not None


def test_a_small_models_habits_are_cut_from_the_text() -> None:
    from summarizer.extract.llm_steps import _sentences, _text

    # the 1.5B began every item with the kind it was shown, and wrote a paragraph for one sentence
    assert _text("agreement: phase one by March 31st.") == "Phase one by March 31st."
    assert _text("Договорённость — пилот стартует 1 декабря") == "Пилот стартует 1 декабря"
    assert _sentences("Thank you all. We agreed the plan. We will be in touch. Bye.", 2) == (
        "Thank you all. We agreed the plan.")


# --------------------------------------------------------------------------------------------------
# Guided steps (the default below MERGED_FROM_TOKENS): the rules choose, the model writes
# --------------------------------------------------------------------------------------------------
WEEKEND = "Weekend support coverage for the warehouses is added at ten percent with a twelve-month commitment"


def test_guided_steps_write_what_the_rules_chose(server: FakeOpenAI, tmp_path: Path) -> None:
    from summarizer.extract.offline import extract_offline

    transcript = gold(GOLD_EN)
    rules = extract_offline(transcript, meeting_date=EN_DATE)
    written = [
        item("Phase one with the five operations dashboards goes live by March 31"),
        # names what "ten percent, agreed" accepts: said two segments before, which join the evidence
        item(WEEKEND),
        item("John Miller will have the IT team open the database access", due_phrase="by Monday"),
        # invented: the number, and an owner against the one the rules read
        item("Anna Petrova will send the updated proposal at 25 percent", responsible="Raj Patel"),
        item("The kickoff is moved to Thursday next week because of the audit"),
        item(""),  # lost by the model: the rules' own text stands
        item("John Miller will sign off the data security questionnaire within two weeks"),
    ]
    server.script(*(reply_json({"items": [w]}) for w in written), reply_json(overview()),
                  reply_json({"closing": "Thanks."}))
    settings = dataclasses.replace(make_settings(server, tmp_path), llm_steps="auto")
    protocol = extract_protocol(transcript, settings, meeting_date=EN_DATE)

    # step 2 is asked once per moment the rules chose, in meeting order, with the rules' draft
    assert len(rules.agreements) + len(rules.next_steps) == 7
    assert [step_of(r) for r in server.requests] == ["items"] * 7 + ["overview", "closing"]
    first, last = (server.requests[i]["messages"][1]["content"] for i in (0, 6))
    assert "1. agreement — [s0009]" in first and "1. action — [s0025]" in last
    assert "⇒ John will sign off the data security questionnaire in two weeks" in last
    assert server.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["items"][
        "minItems"] == 1
    texts = [a.text for a in protocol.agreements]
    assert texts == ["Phase one with the five operations dashboards goes live by March 31",
                     WEEKEND,
                     "The kickoff is moved to Thursday next week because of the audit"]
    # the closing is told what the protocol says, not what the model wrote
    closing_task = server.requests[-1]["messages"][-1]["content"]
    assert "The kickoff is moved to Thursday next week because of the audit" in closing_task
    assert "25 percent" not in server.requests[-2]["messages"][-1]["content"]
    # the rules' deadlines stay, whatever the model's sentence says
    assert [a.due_date for a in protocol.agreements] == [dt.date(2026, 3, 31), None, dt.date(2026, 3, 19)]
    weekend = protocol.agreements[1]
    assert {"s0014", "s0016", "s0017"} <= {s for e in weekend.evidence for s in e.segment_ids}
    steps = {n.action: n for n in protocol.next_steps}
    # the invented "25 percent" is not kept; nor is the model's owner against the one the rules read
    proposal = "Anna Petrova will send the updated proposal with the new support price by Friday"
    assert steps[proposal].owner == "Anna Petrova"
    assert "Anna Petrova will send the calendar invite today" in steps  # the rules' text for the lost one
    # the rules' deadlines, resolved by the code
    access = steps["John Miller will have the IT team open the database access"]
    assert access.due_date == dt.date(2026, 3, 16)
    for entry in [*protocol.agreements, *protocol.next_steps]:
        assert entry.evidence and all(e.status == "verified" for e in entry.evidence)
        assert "evidence_unsupported" not in codes(entry)
    assert protocol.meta.extractor == "llm"


def test_a_settled_issue_with_terms_is_an_agreement_the_rules_missed() -> None:
    from types import SimpleNamespace

    from summarizer.extract.assemble import settled_issues
    from summarizer.schema import Agreement, Evidence

    said = {"s0001": "Which launch date works for you?",
            "s0002": "The campaign goes live on October 5, we confirmed that internally.",
            "s0003": "Great. And the budget stays at 60 thousand dollars, as agreed.",
            "s0004": "To sum up: October 5 and 60 thousand dollars.",
            "s0005": "Then the kickoff is on October 20."}
    protocol = Protocol(agreements=[Agreement(text="The budget stays at 60 thousand dollars",
                                              evidence=[Evidence(segment_ids=["s0003"], quote="x")])])

    def issue(outcome: str, segments: list[str]) -> SimpleNamespace:
        return SimpleNamespace(title="t", outcome=outcome, segments=segments, options=[])

    added = settled_issues([
        issue("The campaign goes live on October 5", ["s0001", "s0002"]),
        issue("The campaign goes live on October 12", ["s0002"]),  # a number nobody said
        issue("The budget is 60 thousand dollars", ["s0003"]),  # already an agreement of the rules
        issue("October 5 and 60 thousand dollars were summed up", ["s0004"]),  # a recap repeats them
        issue("A launch date was discussed", ["s0001"]),  # no terms: not a decision to add
        issue("October 20", ["s0005"]),  # a figure, not a statement (the 1.5B's "7%", "1 июня")
    ], protocol, said, [], dt.date(2026, 9, 1), "en")
    # the two segments that share most words with it, in meeting order, quoted verbatim
    assert [(a.text, [s for e in a.evidence for s in e.segment_ids]) for a in added] == [
        ("The campaign goes live on October 5", ["s0001", "s0002"])]
    assert added[0].evidence[1].quote == said["s0002"]


# The bundled English sample as the local 1.5B wrote it (summarizer draft samples/meeting_en.wav):
# a deadline borrowed from the next step said in the same breath, results that restate the next
# steps, and a closing in one side's voice.
SAMPLE_EN = [
    ("Anna", "Hi, I'm Anna Petrova, account manager at Northwind."),
    ("Marco", "Good morning, I'm Marco Olsen, purchasing lead at Contoso."),
    ("Anna", "Thank you for joining, today we agree the price and the delivery date for the new order."),
    ("Marco", "Your first quote was too high for us, we asked for a 10% discount."),
    ("Anna", "We can offer 5% if you sign a 12 month contract."),
    ("Marco", "5% works, but we cannot pay the full amount in advance."),
    ("Anna", "Sorry, we must reject this proposal, we propose half in advance, and half after delivery."),
    ("Marco", "Agreed, I will send the signed contract by Friday."),
    ("Anna", "And I will send the revised quote tomorrow."),
    ("Lisa", "Hello, this is Lisa Chen from logistics, we will deliver the first batch on March 10th."),
    ("Marco", "Good, next step, we meet again next Tuesday to review the contract."),
    ("Anna", "Thank you both, have a good day."),
]


def test_guided_protocol_keeps_deadlines_results_and_closing_honest(server: FakeOpenAI,
                                                                   tmp_path: Path) -> None:
    from summarizer.extract.offline import extract_offline
    from summarizer.extract.results import closing_for

    transcript = Transcript(segments=[Segment(id=f"s{i + 1:04d}", text=t, speaker=s, start=i * 5.0)
                                      for i, (s, t) in enumerate(SAMPLE_EN)], language="en")
    rules = extract_offline(transcript, meeting_date=RU_DATE)
    moments = len(rules.agreements) + len(rules.next_steps)
    payment = next(i for i, a in enumerate(rules.agreements) if "half" in a.text.lower())
    written = [item("") for _ in range(moments)]
    # the payment terms "Agreed" accepts, dated by the contract's Friday said in the same segment
    written[payment] = item("The parties agreed to pay half in advance and half after delivery",
                            due_phrase="by Friday")
    results = ["The meeting reached a mutually acceptable agreement.",
               "The logistics will deliver the first batch on March 10th."]
    server.script(reply_json({"people": []}),  # asked once: the code's reading leaves gaps
                  *(reply_json({"items": [w]}) for w in written),
                  reply_json(overview(results=results)),
                  reply_json({"closing": "Thank you both, we have agreed to the revised quote."}))
    settings = dataclasses.replace(make_settings(server, tmp_path), llm_steps="guided")
    protocol = extract_protocol(transcript, settings, meeting_date=RU_DATE)

    agreement = next(a for a in protocol.agreements if "half" in a.text.lower())
    assert agreement.text == "The parties agreed to pay half in advance and half after delivery"
    assert agreement.due_date is None and agreement.due_phrase is None  # the contract's Friday, not this
    contract = next(n for n in protocol.next_steps if "signed contract" in n.action)
    assert contract.due_date == dt.date(2026, 11, 27)
    # a result that only says a next step again is cut; the overall outcome stays
    assert protocol.results == ["The meeting reached a mutually acceptable agreement."]
    # one side's voice ("we have agreed") is not the parties' closing: the code writes it
    assert protocol.closing == closing_for(protocol) and "we have" not in protocol.closing


def test_a_result_that_restates_an_item() -> None:
    from summarizer.extract.llm_steps import restates

    step = "Lisa Chen will deliver the first batch on March 10th"
    assert restates("The logistics will deliver the first batch on March 10th.", step)
    assert not restates("The logistics will deliver the second batch on March 24th.", step)  # its own numbers
    assert not restates("The meeting reached a mutually acceptable agreement.", step)
