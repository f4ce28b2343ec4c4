"""Splitting long transcripts on segment boundaries, and merging per-chunk protocols in code."""

from __future__ import annotations

import datetime as dt

from summarizer.extract.chunking import merge_protocols, split_lines
from summarizer.llm.structured import estimate_tokens
from summarizer.schema import (
    Agreement,
    Evidence,
    Issue,
    MeetingHeader,
    NextStep,
    Participant,
    Protocol,
)


def _lines(n: int, words: int = 12) -> list[tuple[str, str]]:
    return [(f"s{i:04d}", f"[s{i:04d} 00:00:00] Anna: " + " ".join(f"w{i}x{j}" for j in range(words)))
            for i in range(1, n + 1)]


def test_short_transcript_is_one_chunk() -> None:
    lines = _lines(20)
    [chunk] = split_lines(lines, 100_000)
    assert chunk.segment_ids == [sid for sid, _ in lines] and chunk.total == 1


def test_two_hour_meeting_is_split_with_overlap_and_nothing_lost() -> None:
    lines = _lines(1440)  # one segment every 5 s for two hours
    budget = 3000
    chunks = split_lines(lines, budget, overlap=3)
    assert len(chunks) > 5
    covered = [sid for c in chunks for sid in c.segment_ids]
    assert set(covered) == {sid for sid, _ in lines}
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert prev.segment_ids[-3:] == nxt.segment_ids[:3]  # overlap of three segments
    for chunk in chunks:
        assert sum(estimate_tokens(line) + 1 for line in chunk.lines) <= budget
        ids = chunk.segment_ids
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert chunk.total == len(chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_oversized_segment_is_sent_whole_and_progress_continues() -> None:
    lines = _lines(10)
    lines[4] = ("s0005", "[s0005] Boris: " + "long " * 2000)
    chunks = split_lines(lines, 200, overlap=2)
    assert any(c.lines == [lines[4][1]] or lines[4][1] in c.lines for c in chunks)
    assert {sid for c in chunks for sid in c.segment_ids} == {sid for sid, _ in lines}
    assert len(chunks) < 20  # no endless loop of overlap-only chunks


def _ev(*ids: str, quote: str = "q") -> list[Evidence]:
    return [Evidence(segment_ids=list(ids), quote=quote)]


def test_merge_dedupes_overlap_supersedes_and_merges_people() -> None:
    first = Protocol(
        language="ru",
        header=MeetingHeader(title="Созвон по запуску", platform=None, organisations=["Ромашка"]),
        participants=[Participant(name="Иван Петров", position="менеджер", speaker_labels=["SPEAKER_00"])],
        purpose="Согласовать запуск",
        results=["План запуска согласован"],
        issues=[Issue(title="Сроки интеграции", evidence=_ev("s0010"))],
        agreements=[
            Agreement(text="Отправить коммерческое предложение клиенту", responsible="Иван",
                      due_phrase="до пятницы", due_date=dt.date(2024, 5, 17), evidence=_ev("s0020")),
            Agreement(text="Провести демо для команды клиента", evidence=_ev("s0030")),
        ],
        next_steps=[NextStep(action="Подготовить демо-стенд", owner="Иван", evidence=_ev("s0031"))],
        closing="Спасибо, продолжим.",
    )
    second = Protocol(
        language="ru",
        header=MeetingHeader(title="Другое название", platform="Zoom", organisations=["ромашка", "Лютик"]),
        participants=[Participant(name="петров  иван", organisation="Ромашка", speaker_labels=["SPEAKER_01"]),
                      Participant(name="Мария", side="client")],
        purpose="Другая цель",
        results=["План запуска согласован.", "Бюджет утверждён"],
        issues=[Issue(title="Сроки интеграции", summary="обсудили риски", solutions=["взять подрядчика"],
                      evidence=_ev("s0090"))],
        agreements=[
            # the overlap: same statement about s0030, read again by the second chunk, with an owner
            Agreement(text="Провести демо для команды клиента", responsible="Мария", evidence=_ev("s0030")),
            # later decision on the same subject with another date
            Agreement(text="Отправить коммерческое предложение клиенту", responsible="Иван",
                      due_phrase="до понедельника", due_date=dt.date(2024, 5, 20), evidence=_ev("s0150")),
        ],
        next_steps=[NextStep(action="Подготовить демо стенд", evidence=_ev("s0031"))],
        closing="Итог: КП до понедельника, спасибо всем.",
    )
    merged = merge_protocols([first, second])
    assert merged.header.title == "Созвон по запуску"  # first non-null
    assert merged.header.platform == "Zoom"
    assert merged.header.organisations == ["Ромашка", "Лютик"]
    assert merged.purpose == "Согласовать запуск"
    assert merged.closing == "Итог: КП до понедельника, спасибо всем."  # the end of the meeting sums up
    assert merged.results == ["План запуска согласован", "Бюджет утверждён"]

    people = {p.name: p for p in merged.participants}
    assert set(people) == {"Иван Петров", "Мария"}
    assert people["Иван Петров"].organisation == "Ромашка"
    assert people["Иван Петров"].speaker_labels == ["SPEAKER_00", "SPEAKER_01"]

    [issue] = merged.issues
    assert issue.summary == "обсудили риски" and issue.solutions == ["взять подрядчика"]
    assert {sid for ev in issue.evidence for sid in ev.segment_ids} == {"s0010", "s0090"}

    by_text = {(a.text, a.status): a for a in merged.agreements}
    assert len(merged.agreements) == 3
    old = by_text[("Отправить коммерческое предложение клиенту", "cancelled")]
    new = by_text[("Отправить коммерческое предложение клиенту", "agreed")]
    assert old.due_date == dt.date(2024, 5, 17) and new.due_date == dt.date(2024, 5, 20)
    assert [f.code for f in old.flags] == ["superseded"] and old.flags[0].item_id == old.id
    demo = by_text[("Провести демо для команды клиента", "agreed")]
    assert demo.responsible == "Мария"  # the later chunk heard who will do it
    assert len(merged.next_steps) == 1 and merged.next_steps[0].owner == "Иван"
    assert sorted(i.id for i in merged.items()) == ["a1", "a2", "a3", "i1", "n1"]


def test_items_within_one_chunk_are_left_alone() -> None:
    one = Protocol(agreements=[Agreement(text="Send the report", evidence=_ev("s0001")),
                               Agreement(text="Send the report", evidence=_ev("s0001"))])
    two = Protocol(agreements=[Agreement(text="Book the venue", evidence=_ev("s0100"))])
    merged = merge_protocols([one, two])
    assert [a.text for a in merged.agreements] == ["Send the report", "Send the report", "Book the venue"]
    assert all(a.status == "agreed" for a in merged.agreements)


def test_different_items_are_not_merged() -> None:
    one = Protocol(next_steps=[NextStep(action="Send the signed contract to legal", evidence=_ev("s0001"))])
    two = Protocol(next_steps=[NextStep(action="Book a room for the workshop", evidence=_ev("s0200"))])
    assert len(merge_protocols([one, two]).next_steps) == 2


def test_items_differing_only_in_numbers_are_kept_apart() -> None:
    one = Protocol(agreements=[Agreement(text="Pay invoice 1043", evidence=_ev("s0001"))])
    two = Protocol(agreements=[Agreement(text="Pay invoice 1044", evidence=_ev("s0300"))])
    assert len(merge_protocols([one, two]).agreements) == 2
