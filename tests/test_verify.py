"""finalize_protocol: ids, evidence flags, dates, owners (pronouns, case forms), unknown speakers."""

from __future__ import annotations

import datetime as dt

from summarizer.extract.owners import match_participant, stem
from summarizer.extract.verify import finalize_protocol
from summarizer.schema import Agreement, Evidence, NextStep, Participant, Protocol
from summarizer.transcript import Segment, Transcript

WED = dt.date(2026, 11, 25)
PEOPLE = [
    Participant(name="Ольга Смирнова", speaker_labels=["SPEAKER_01"]),
    Participant(name="Дмитрий Ковалёв", speaker_labels=["SPEAKER_00"]),
    Participant(name="John Miller", speaker_labels=["John"]),
]


def _transcript() -> Transcript:
    rows = [
        ("SPEAKER_00", "Я пришлю коммерческое предложение до пятницы."),
        ("SPEAKER_01", "Договор поручим Ольге, она подготовит его к концу месяца."),
        ("John", "I'll send the invoice tomorrow."),
        ("SPEAKER_07", "Можно мне вопрос?"),
    ]
    return Transcript(
        segments=[Segment(id=f"s{i + 1:04d}", text=t, speaker=s) for i, (s, t) in enumerate(rows)],
        language="ru",
    )


def _codes(item: Agreement | NextStep) -> set[str]:
    return {f.code for f in item.flags}


def test_stem_meets_case_forms() -> None:
    assert stem("Ольге") == stem("Ольгой") == stem("Ольга")
    assert stem("Смирновой") == stem("Смирнова")
    found, _ = match_participant("Ольгой", PEOPLE)
    assert found is not None and found.name == "Ольга Смирнова"
    found, _ = match_participant("Ковалёву", PEOPLE)
    assert found is not None and found.name == "Дмитрий Ковалёв"
    assert match_participant("Пётр", PEOPLE)[0] is None


def test_pronoun_owner_is_evidence_speaker_and_dates_resolved() -> None:
    protocol = Protocol(
        participants=list(PEOPLE),
        next_steps=[
            NextStep(
                action="Прислать КП",
                owner="я",
                due_phrase="до пятницы",
                evidence=[Evidence(segment_ids=["s0001"], quote="Я пришлю коммерческое предложение")],
            ),
            NextStep(
                action="Send invoice",
                owner="I",
                evidence=[Evidence(segment_ids=["s0003"], quote="I'll send the invoice tomorrow")],
            ),
        ],
    )
    out = finalize_protocol(protocol, _transcript(), meeting_date=WED)
    first, second = out.next_steps
    assert (first.id, second.id) == ("n1", "n2")
    assert first.owner == "Дмитрий Ковалёв" and first.due_date == dt.date(2026, 11, 27)
    assert second.owner == "John Miller"
    # phrase found in quote
    assert second.due_phrase == "tomorrow" and second.due_date == dt.date(2026, 11, 26)
    assert _codes(first) == set() and _codes(second) == set()
    assert protocol.next_steps[0].owner == "я"  # pure: input untouched


def test_case_form_owner_and_date_mismatch() -> None:
    protocol = Protocol(
        participants=list(PEOPLE),
        agreements=[
            Agreement(
                text="Договор готовит Ольга",
                responsible="Ольге",
                due_date=dt.date(2026, 12, 5),
                due_phrase="к концу месяца",
                evidence=[Evidence(segment_ids=["s0002"], quote="она подготовит его к концу месяца")],
            )
        ],
    )
    out = finalize_protocol(protocol, _transcript(), meeting_date=WED)
    agreement = out.agreements[0]
    assert agreement.responsible == "Ольга Смирнова"
    assert agreement.due_date == dt.date(2026, 12, 5)  # the extractor's date is kept, but flagged
    assert "date_mismatch" in _codes(agreement)


def test_missing_things_are_flagged_not_dropped() -> None:
    protocol = Protocol(
        participants=list(PEOPLE),
        agreements=[
            Agreement(
                text="Скидка 20%",
                responsible="Пётр",
                evidence=[Evidence(segment_ids=["s0001"], quote="даём скидку двадцать процентов")],
            ),
            Agreement(text="Без цитаты"),
        ],
    )
    out = finalize_protocol(protocol, _transcript(), meeting_date=WED)
    fabricated, bare = out.agreements
    assert {"evidence_unverified", "unknown_owner", "no_due_date"} <= _codes(fabricated)
    assert fabricated.responsible == "Пётр"
    assert {"no_evidence", "no_owner", "no_due_date"} <= _codes(bare)
    assert [f.code for f in out.flags] == ["unknown_speaker"]
    assert "SPEAKER_07" in out.flags[0].message


def test_date_without_words_is_flagged() -> None:
    protocol = Protocol(
        participants=list(PEOPLE),
        next_steps=[
            NextStep(
                action="Прислать КП",
                owner="Дмитрий",
                due_date=dt.date(2026, 12, 1),
                evidence=[Evidence(segment_ids=["s0001"], quote="Я пришлю коммерческое")],
            )
        ],
    )
    out = finalize_protocol(protocol, _transcript(), meeting_date=WED)
    assert out.next_steps[0].owner == "Дмитрий Ковалёв"
    assert "date_unsupported" in _codes(out.next_steps[0])


def test_idempotent() -> None:
    protocol = Protocol(participants=list(PEOPLE), agreements=[Agreement(text="Без цитаты")])
    once = finalize_protocol(protocol, _transcript(), meeting_date=WED)
    twice = finalize_protocol(once, _transcript(), meeting_date=WED)
    assert once.model_dump() == twice.model_dump()
