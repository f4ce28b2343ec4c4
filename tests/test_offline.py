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
    """What an item states; the quotes of its earlier, superseded forms are its history."""
    return {sid for ev in item.evidence if not ev.superseded  # type: ignore[attr-defined]
            for sid in ev.segment_ids}


def _history(item: object) -> set[str]:
    return {sid for ev in item.evidence if ev.superseded  # type: ignore[attr-defined]
            for sid in ev.segment_ids}


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
    connector = next(a for a in protocol.agreements if "коннектор" in a.text)
    assert {"s0017", "s0018"} <= _history(connector)  # the revised form stays in its evidence
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


def _meeting(lines: list[tuple[str | None, str]], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i + 1:04d}", text=text, speaker=speaker, start=float(i * 5), end=float(i * 5 + 4))
        for i, (speaker, text) in enumerate(lines)
    ])


def _agreement_quotes(protocol: Protocol) -> list[list[str]]:
    return [[ev.quote for ev in a.evidence] for a in protocol.agreements]


def test_en_negotiation_without_speaker_labels() -> None:
    """No diarisation: people still come from introductions, and an answer in a later segment accepts."""
    transcript = _meeting([
        (None, "Hi, I'm Anna Petrova, account manager at Northwind."),
        (None, "Good morning. I'm Mark Olsen, Purchasing Lead at Contoso."),
        (None, "Today we agree the price and the delivery date for the new order."),
        (None, "Your first quote was too high for us."),
        (None, "We can offer 5% if you sign a 12 month contract."),
        (None, "5% works."),
        (None, "We propose half in advance and half after delivery."),
        (None, "Agreed. I will send the signed contract by Friday."),
        (None, "Hello, this is Lisa Chen from logistics."),
        (None, "Next step, we meet again next Tuesday to review the contract."),
    ])
    protocol = finalize_protocol(extract_offline(transcript, meeting_date=dt.date(2026, 11, 25)), transcript,
                                 meeting_date=dt.date(2026, 11, 25))
    people = {(p.name, p.position, p.organisation) for p in protocol.participants}
    assert people == {("Anna Petrova", "account manager", "Northwind"),
                      ("Mark Olsen", "Purchasing Lead", "Contoso"), ("Lisa Chen", "logistics", None)}
    assert protocol.purpose == "Agree the price and the delivery date for the new order"
    # the objection as said is named by its topic; the words stay in the evidence
    assert [i.title for i in protocol.issues] == ["Price and payment"]
    assert protocol.issues[0].evidence[0].quote == "Your first quote was too high for us."
    assert _agreement_quotes(protocol) == [
        ["We can offer 5% if you sign a 12 month contract.", "5% works."],
        ["We propose half in advance and half after delivery.", "Agreed."],
    ]
    steps = {n.action: (n.owner, n.due_date) for n in protocol.next_steps}
    # nobody is named as owner without labels: "I will" cannot be tied to a person
    assert steps == {"I will send the signed contract by Friday": (None, dt.date(2026, 11, 27)),
                     "The parties meet again next Tuesday to review the contract":
                         (None, dt.date(2026, 12, 1))}


def test_same_speaker_does_not_accept_own_proposal_and_rejection_still_wins() -> None:
    transcript = _meeting([
        ("A", "We can offer 5% if you sign a 12 month contract."),
        ("A", "Five percent works for us, I think."),
        ("B", "We propose half in advance."),
        ("A", "Sorry, we cannot accept that."),
    ])
    assert extract_offline(transcript).agreements == []


def test_ru_acceptance_and_next_step_lead() -> None:
    transcript = _meeting([
        ("A", "Предлагаю скидку пять процентов при годовом контракте."),
        ("B", "Подходит."),
        ("B", "Давайте оплату половину вперёд, половину после поставки."),
        ("A", "Согласен."),
        ("A", "Следующий шаг: встречаемся во вторник и смотрим договор."),
    ], language="ru")
    protocol = extract_offline(transcript, meeting_date=dt.date(2026, 11, 25))
    assert len(protocol.agreements) == 2
    # a joint step, in the third person ("встречаемся" → "Стороны встречаются")
    assert [n.action for n in protocol.next_steps] == ["Стороны встречаются во вторник и смотрят договор"]
    assert protocol.next_steps[0].owner == "A"


def test_spoken_email_with_written_dot_goes_to_the_speaker() -> None:
    transcript = _meeting([
        ("SPEAKER_00", "Hi, I'm Anna Petrova, account manager at Northwind."),
        ("SPEAKER_00", "My email is sales at northwind.com."),
        ("SPEAKER_01", "We met at the office."),
    ])
    protocol = extract_offline(transcript)
    emails = {p.name: p.email for p in protocol.participants}
    assert emails == {"Anna Petrova": "sales@northwind.com", "SPEAKER_01": None}


def test_ru_offer_accepted_purpose_and_spelled_out_date() -> None:
    transcript = _meeting([
        ("A", "Сегодня нам нужно обсудить цену и срок поставки."),
        ("B", "Мы даём скидку пять процентов, если вы подпишете договор на один год."),
        ("A", "Такая скидка нас устраивает."),
        ("B", "Мы можем доставить товар двадцатого декабря."),
        ("A", "Договорились."),
    ], language="ru")
    protocol = extract_offline(transcript, meeting_date=dt.date(2026, 11, 25))
    assert protocol.purpose == "Обсудить цену и срок поставки"
    assert _agreement_quotes(protocol) == [
        ["Мы даём скидку пять процентов, если вы подпишете договор на один год.",
         "Такая скидка нас устраивает."],
        ["Мы можем доставить товар двадцатого декабря.", "Договорились."],
    ]
    assert protocol.agreements[1].due_date == dt.date(2026, 12, 20)


@pytest.mark.parametrize("speaker", ["SPEAKER_00", None])
def test_position_and_organisation_said_after_the_name(speaker: str | None) -> None:
    transcript = _meeting([
        (speaker, "Добрый день. Меня зовут Ольга Смирнова. Я руководитель отдела закупок в компании "
                  "Альфа-Логистик."),
    ], language="ru")
    (person,) = extract_offline(transcript).participants
    assert (person.name, person.position, person.organisation) == (
        "Ольга Смирнова", "руководитель отдела закупок", "Альфа-Логистик")
