"""The evidence check: exact, normalised, fuzzy, relocated, and fabricated quotes."""

from __future__ import annotations

from summarizer.extract.evidence import check_evidence, normalise_text
from summarizer.schema import Evidence
from summarizer.transcript import Person, Segment, Transcript


def _transcript() -> Transcript:
    texts = [
        ("SPEAKER_00", "Добрый день, коллеги."),
        ("SPEAKER_01", "Ещё вопрос: когда будет счёт?"),
        ("SPEAKER_00", "Я пришлю счёт до пятницы, ёлки-палки, обещаю."),
        ("SPEAKER_01", "Отлично, тогда договорились о поставке в декабре."),
        ("SPEAKER_00", "We will prepare the contract by next Wednesday."),
    ]
    return Transcript(
        segments=[
            Segment(id=f"s{i + 1:04d}", text=t, start=10.0 * i, speaker=s) for i, (s, t) in enumerate(texts)
        ],
        language="ru",
        roster=[Person(name="Дмитрий Ковалёв", labels=["SPEAKER_00"])],
    )


def test_normalise_case_yo_punctuation() -> None:
    assert normalise_text("«Ёлки-Палки»,  ОБЕЩАЮ!") == "елки палки обещаю"


def test_exact_quote_verified_with_start_and_speaker() -> None:
    ev = check_evidence(Evidence(segment_ids=["s0003"], quote="Я пришлю счёт до пятницы"), _transcript())
    assert ev.status == "verified"
    assert ev.start == 20.0
    assert ev.speaker == "Дмитрий Ковалёв"


def test_normalised_quote_verified() -> None:
    ev = check_evidence(
        Evidence(segment_ids=["s0003"], quote="я ПРИШЛЮ счет до пятницы елки палки"), _transcript()
    )
    assert ev.status == "verified"


def test_quote_in_neighbour_segment_is_verified() -> None:
    ev = check_evidence(
        Evidence(segment_ids=["s0003"], quote="договорились о поставке в декабре"), _transcript()
    )
    assert ev.status == "verified"
    assert ev.segment_ids == ["s0003"]


def test_fuzzy_quote() -> None:
    ev = check_evidence(
        Evidence(segment_ids=["s0005"], quote="we will prepare the contracts by next wednesday"),
        _transcript(),
    )
    assert ev.status == "fuzzy"
    assert ev.score is not None and ev.score >= 90


def test_wrong_segment_id_is_fixed() -> None:
    ev = check_evidence(Evidence(segment_ids=["s0001"], quote="We will prepare the contract"), _transcript())
    assert ev.status == "verified"
    assert ev.segment_ids == ["s0005"]
    assert ev.start == 40.0


def test_missing_segment_id_is_fixed() -> None:
    ev = check_evidence(Evidence(segment_ids=["s0999"], quote="тогда договорились о поставке"), _transcript())
    assert ev.status == "verified"
    assert ev.segment_ids == ["s0004"]


def test_fabricated_quote_is_unverified() -> None:
    ev = check_evidence(
        Evidence(segment_ids=["s0003"], quote="Скидка двадцать процентов на весь объём"), _transcript()
    )
    assert ev.status == "unverified"
    assert ev.segment_ids == ["s0003"]  # kept as cited so a reviewer sees what was claimed


def test_short_quote_is_not_relocated() -> None:
    ev = check_evidence(Evidence(segment_ids=["s0005"], quote="Добрый"), _transcript())
    assert ev.status == "unverified"


def test_empty_quote_is_unverified() -> None:
    assert check_evidence(Evidence(segment_ids=["s0003"], quote=""), _transcript()).status == "unverified"
