"""The offline extractor on the labelled samples in samples/gold, traps included."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from summarizer.extract.offline import extract_offline
from summarizer.extract.verify import finalize_protocol
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript

GOLD = Path(__file__).resolve().parent.parent / "samples" / "gold"


def _run(name: str) -> tuple[Protocol, dict[str, object]]:
    transcript = Transcript.from_json((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    gold = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
    meeting = dt.date.fromisoformat(gold["meeting_date"])
    protocol = finalize_protocol(
        extract_offline(transcript, meeting_date=meeting), transcript, meeting_date=meeting
    )
    return protocol, gold


def _cited(item: object) -> set[str]:
    return {sid for ev in item.evidence for sid in ev.segment_ids}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def ru() -> tuple[Protocol, dict[str, object]]:
    return _run("ru_pilot_negotiation")


@pytest.fixture(scope="module")
def en() -> tuple[Protocol, dict[str, object]]:
    return _run("en_dashboard_rollout")


def test_ru_participants_from_introductions(ru: tuple[Protocol, dict]) -> None:
    protocol, _ = ru
    people = {p.name: p for p in protocol.participants}
    assert set(people) == {"Дмитрий Ковалёв", "Ольга Смирнова", "Игорь Белов"}
    assert people["Ольга Смирнова"].position == "руководитель отдела закупок"
    assert people["Ольга Смирнова"].organisation == "Альфа-Логистик"
    assert people["Ольга Смирнова"].phone == "+7 916 123-45-67"
    assert people["Дмитрий Ковалёв"].email == "dmitry.kovalev@seversoft.ru"
    assert not protocol.flags  # every SPEAKER_xx introduced themselves
    assert protocol.meta.extractor == "offline"
    assert protocol.purpose and "пилотного внедрения" in protocol.purpose


def test_ru_next_steps_owners_and_dates(ru: tuple[Protocol, dict]) -> None:
    protocol, _ = ru
    steps = {n.evidence[0].segment_ids[0]: n for n in protocol.next_steps}
    # я пришлю
    assert (steps["s0020"].owner, steps["s0020"].due_date) == ("Дмитрий Ковалёв", dt.date(2026, 11, 27))
    # мы выдадим
    assert (steps["s0021"].owner, steps["s0021"].due_date) == ("Игорь Белов", dt.date(2026, 11, 30))
    # named
    assert (steps["s0022"].owner, steps["s0022"].due_date) == ("Ольга Смирнова", dt.date(2026, 12, 4))
    assert "s0023" in _cited(steps["s0022"])  # "беру на себя" confirms, it is not a new step
    assert all(ev.status == "verified" for n in protocol.next_steps for ev in n.evidence)


def test_ru_traps(ru: tuple[Protocol, dict]) -> None:
    protocol, _ = ru
    texts = " | ".join(a.text.lower() for a in protocol.agreements)
    assert "стопроцентн" not in texts  # rejected proposal
    cited = set().union(*(_cited(a) for a in protocol.agreements))
    assert not cited & {"s0011", "s0017", "s0018"}  # rejected; revised file exchange
    assert any("коннектор" in a.text for a in protocol.agreements)
    assert any(a.due_date == dt.date(2026, 12, 1) for a in protocol.agreements)
    payment = next(a for a in protocol.agreements if "s0014" in _cited(a))
    assert payment.due_date is None and "no_due_date" in {f.code for f in payment.flags}
    assert not any("подводя итоги" in a.text.lower() for a in protocol.agreements)


def test_en_extraction(en: tuple[Protocol, dict]) -> None:
    protocol, _ = en
    people = {p.name: p for p in protocol.participants}
    assert set(people) == {"Anna Petrova", "John Miller", "Raj Patel"}
    assert people["Raj Patel"].email == "raj.patel@northwind-freight.com"
    assert people["John Miller"].organisation == "Northwind Freight"
    steps = {n.evidence[0].segment_ids[0]: n for n in protocol.next_steps}
    assert (steps["s0019"].owner, steps["s0019"].due_date) == ("John Miller", dt.date(2026, 3, 16))
    assert (steps["s0020"].owner, steps["s0020"].due_date) == ("Anna Petrova", dt.date(2026, 3, 13))
    assert (steps["s0025"].owner, steps["s0025"].due_date) == ("John Miller", dt.date(2026, 3, 26))
    cited = set().union(*(_cited(a) for a in protocol.agreements))
    assert not cited & {"s0007", "s0014", "s0021", "s0022"}  # rejected and revised proposals
    kickoff = [a for a in protocol.agreements if "s0023" in _cited(a)]
    assert len(kickoff) == 1 and kickoff[0].due_date == dt.date(2026, 3, 19)
    assert protocol.closing and "Thank you" in protocol.closing


def test_speaker_without_name_is_flagged() -> None:
    transcript = Transcript(
        segments=[
            Segment(id="s0001", text="Давайте начнём.", speaker="SPEAKER_00"),
            Segment(id="s0002", text="Я пришлю смету завтра.", speaker="SPEAKER_01"),
        ]
    )
    protocol = finalize_protocol(extract_offline(transcript, meeting_date=dt.date(2026, 11, 25)), transcript)
    assert protocol.language == "ru"
    assert {f.code for f in protocol.flags} == {"unknown_speaker"}
    step = protocol.next_steps[0]
    assert step.due_date == dt.date(2026, 11, 26)
    assert step.evidence[0].quote == "Я пришлю смету завтра."
