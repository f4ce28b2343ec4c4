"""The offline draft of a Russian negotiation, checked the way a project manager reads it.

``negotiation_ru.*`` is the same meeting as a plain transcript, SubRip, Teams WebVTT (sentences cut
into cues) and a cp1251 file; each is drafted with and without the roster. The slow test runs the
Festival-voiced ``meeting_ru.wav`` through the real pipeline (Whisper base + diarisation).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.extract import extract_protocol
from summarizer.extract.offline import extract_offline
from summarizer.extract.verify import finalize_protocol
from summarizer.ingest.read import read_transcript
from summarizer.ingest.roster import apply_roster, load_roster
from summarizer.schema import Protocol
from summarizer.speech.speakers import find_introduction, name_speakers
from summarizer.transcript import Segment, Transcript

DAY = dt.date(2026, 11, 25)  # a Wednesday
FILES = ["negotiation_ru.txt", "negotiation_ru.srt", "negotiation_ru_teams.vtt", "negotiation_ru_cp1251.txt"]


def _draft(path: Path, roster: Path | None = None) -> Protocol:
    transcript = read_transcript(path)
    if roster is not None:
        transcript = apply_roster(transcript, load_roster(roster))
    transcript = name_speakers(transcript)
    return extract_protocol(transcript, load_settings(), meeting_date=DAY)


def _quotes(item: object) -> str:
    return " | ".join(ev.quote for ev in item.evidence)  # type: ignore[attr-defined]


@pytest.fixture(scope="module", params=[(f, r) for f in FILES for r in (False, True)],
                ids=lambda p: f"{p[0]}{'+roster' if p[1] else ''}")
def negotiation(request: pytest.FixtureRequest) -> Protocol:
    name, with_roster = request.param
    folder = Path(__file__).resolve().parent.parent / "samples" / "transcripts"
    return _draft(folder / name, folder / "roster_ru.toml" if with_roster else None)


def test_participants_with_positions_organisations_and_own_contacts(negotiation: Protocol) -> None:
    people = {p.name: (p.position, p.organisation, p.email, p.phone) for p in negotiation.participants}
    assert people == {
        "Андрей Козлов": ("менеджер по работе с ключевыми клиентами", "Северный путь",
                          "a.kozlov@severny-put.ru", "+7 495 123-45-67"),
        "Ольга Смирнова": ("руководитель отдела закупок", "Альфа-Логистик",
                           "olga.smirnova@alfa-logistic.ru", None),
        "Дмитрий Орлов": ("логист", "Альфа-Логистик", None, None),
    }
    assert negotiation.header.organisations == ["Северный путь", "Альфа-Логистик"]


def test_purpose_issues_and_open_question(negotiation: Protocol) -> None:
    assert negotiation.purpose == ("Договориться о сроках и условиях поставки паллетной плёнки "
                                   "на первый квартал")
    by_title = {i.title: i for i in negotiation.issues}
    # the requirement as said ("Нам важно, чтобы поставка…") is named by its topic, and kept as the summary
    delivery = by_title["Поставка"]
    assert delivery.summary and delivery.summary.startswith("Нам важно, чтобы поставка занимала")
    assert delivery.status == "resolved"
    assert any("три рабочих дня" in s for s in delivery.solutions)
    payment = next(i for t, i in by_title.items() if "оплат" in t.lower())
    assert payment.status == "resolved" and any("пятьдесят процентов" in s for s in payment.solutions)
    fines = next(i for t, i in by_title.items() if "штраф" in t.lower())
    assert fines.status == "open"
    assert negotiation.open_questions == ["Остался открытым вопрос о штрафах за просрочку."]


def test_agreements_final_form_only(negotiation: Protocol) -> None:
    texts = [a.text for a in negotiation.agreements]
    assert texts == [
        "Пятьдесят на пятьдесят, отсрочка второй части десять дней",
        "Срок поставки — три рабочих дня со склада в Москве для объёма до двадцати паллет",
        "Стороны обсудят его на следующей неделе",
    ]
    everything = " ".join(_quotes(a) for a in negotiation.agreements)
    assert "стопроцентн" not in everything.lower()  # the rejected 100 % prepayment is no agreement
    assert "Такой вариант подходит." in _quotes(negotiation.agreements[0])
    assert "Договорились." in _quotes(negotiation.agreements[1])
    assert negotiation.agreements[2].due_date == dt.date(2026, 12, 4)  # "на следующей неделе"
    assert all(ev.status == "verified" for a in negotiation.agreements for ev in a.evidence)
    assert negotiation.purpose not in " ".join(texts)  # the purpose is not an agreement


def test_next_steps_owners_and_dates(negotiation: Protocol) -> None:
    steps = [(n.owner, n.due_date, n.due_phrase) for n in negotiation.next_steps]
    assert steps == [
        ("Андрей Козлов", dt.date(2026, 11, 27), "до пятницы"),
        ("Дмитрий Орлов", dt.date(2026, 12, 15), "до пятнадцатого декабря"),
        ("Андрей Козлов", None, None),  # "к следующему созвону": no date is guessed
    ]
    assert [f.code for f in negotiation.next_steps[2].flags] == ["no_due_date"]


# --------------------------------------------------------------------------------------------------
# The rules on small meetings of their own
# --------------------------------------------------------------------------------------------------
def _meeting(turns: list[tuple[str | None, str]]) -> Transcript:
    segments = [Segment(id=f"s{i + 1:04d}", text=text, speaker=speaker, start=i * 5.0, end=i * 5.0 + 4)
                for i, (speaker, text) in enumerate(turns)]
    return Transcript(segments=segments, language="ru")


def _finalised(transcript: Transcript) -> Protocol:
    transcript = name_speakers(transcript)
    return finalize_protocol(extract_offline(transcript, meeting_date=DAY), transcript, meeting_date=DAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("Меня зовут Пётр Иванов, я директор по продажам в компании ООО «Северный ветер».",
     ("Пётр Иванов", "директор по продажам", "ООО «Северный ветер»")),
    ("Добрый день! Меня зовут Андрей Козлов, я менеджер компании «Северный путь».",
     ("Андрей Козлов", "менеджер", "Северный путь")),
    ("Здравствуйте. Ольга Смирнова, руководитель отдела закупок «Альфа-Логистик».",
     ("Ольга Смирнова", "руководитель отдела закупок", "Альфа-Логистик")),
    ("Я Игорь Белов, ИТ-директор Альфа-Логистик.", ("Игорь Белов", "ИТ-директор", "Альфа-Логистик")),
])
def test_introductions_with_quoted_organisations(text: str, expected: tuple[str, str, str]) -> None:
    assert find_introduction(text) == expected


def test_not_a_bare_introduction_without_a_job_title() -> None:
    assert find_introduction("Здравствуйте, Андрей. Ольга, спасибо, всё понятно.") is None


def test_contacts_go_to_whom_they_belong() -> None:
    protocol = _finalised(_meeting([
        ("SPEAKER_00", "Меня зовут Ольга Смирнова, я руководитель отдела закупок в компании Альфа."),
        ("SPEAKER_01", "Меня зовут Игорь Петров, я менеджер в компании Север."),
        ("SPEAKER_02", "Меня зовут Анна Белова, я юрист в компании Альфа."),
        # an address that spells Ольга's surname, said back by Игорь
        ("SPEAKER_00", "Пишите на olga.smirnova@alfa.ru."),
        ("SPEAKER_01", "Записал: olga точка smirnova собака alfa точка ru."),
        # "почта Анны" said by Ольга is Анна's; "мой телефон" is the speaker's own
        ("SPEAKER_00", "Почта Анны: legal@alfa.ru."),
        ("SPEAKER_01", "Мой телефон +7 916 555-12-34, почта sales@sever.ru."),
    ]))
    people = {p.name: (p.email, p.phone) for p in protocol.participants}
    assert people == {
        "Ольга Смирнова": ("olga.smirnova@alfa.ru", None),
        "Игорь Петров": ("sales@sever.ru", "+7 916 555-12-34"),
        "Анна Белова": ("legal@alfa.ru", None),
    }


def test_address_said_back_is_not_the_speakers() -> None:
    protocol = _finalised(_meeting([
        ("SPEAKER_00", "Меня зовут Игорь Петров, я менеджер в компании Север."),
        ("SPEAKER_00", "Записал: info собака partner точка ru."),
    ]))
    assert [p.email for p in protocol.participants] == [None]


def test_asr_position_and_acceptance_spellings() -> None:
    """What Whisper made of the Festival recording: "руководителя, дело закупок", "устроевает"."""
    protocol = _finalised(_meeting([
        ("SPEAKER_00", "Добрый день, меня зовут Ольга Смирнова."),
        ("SPEAKER_00", "Я руководителя, дело закупок в компании Альфологистик."),
        ("SPEAKER_01", "Здравствуйте, Ольга, меня зовут Игорь Петров."),
        ("SPEAKER_01", "Я руководителя, дело продажи в компании Север."),
        ("SPEAKER_01", "Мы даем скидку пять процентов, если вы подпишите договор на один год."),
        ("SPEAKER_00", "Такая скидка устроевает."),
    ]))
    people = {p.name: (p.position, p.organisation) for p in protocol.participants}
    assert people == {"Ольга Смирнова": ("руководитель отдела закупок", "Альфологистик"),
                      "Игорь Петров": ("руководитель отдела продаж", "Север")}
    (agreement,) = protocol.agreements
    assert agreement.responsible == "Игорь Петров"  # "мы даём": the side that offered delivers


def test_joint_proposal_has_no_guessed_responsible() -> None:
    protocol = _finalised(_meeting([
        ("SPEAKER_00", "Меня зовут Ольга Смирнова."),
        ("SPEAKER_01", "Меня зовут Игорь Петров."),
        ("SPEAKER_00", "Давайте встретимся в пятницу и посмотрим договор."),
        ("SPEAKER_01", "Подходит."),
    ]))
    (agreement,) = protocol.agreements
    assert agreement.responsible is None and agreement.due_date == dt.date(2026, 11, 27)


def test_revised_decision_only_in_final_form_and_end_of_month() -> None:
    protocol = _finalised(_meeting([
        ("SPEAKER_00", "Меня зовут Ольга Смирнова."),
        ("SPEAKER_01", "Меня зовут Игорь Петров."),
        ("SPEAKER_01", "Предлагаю поставку в понедельник."),
        ("SPEAKER_00", "Согласна."),
        ("SPEAKER_00", "Хотя нет, давайте лучше поставку в среду, в понедельник склад закрыт."),
        ("SPEAKER_01", "Устраивает. Счёт я выставлю к концу месяца."),
        ("SPEAKER_00", "Остался открытым вопрос о страховке груза."),
    ]))
    assert [a.text for a in protocol.agreements] == ["Поставку в среду, в понедельник склад закрыт"]
    assert protocol.agreements[0].due_date == dt.date(2026, 12, 2)
    (step,) = protocol.next_steps
    assert (step.owner, step.due_date) == ("Игорь Петров", dt.date(2026, 11, 30))
    assert protocol.open_questions == ["Остался открытым вопрос о страховке груза."]


# --------------------------------------------------------------------------------------------------
# The recording, through the real pipeline
# --------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_recording_draft_through_the_pipeline(samples: Path) -> None:
    pytest.importorskip("faster_whisper")
    from summarizer.pipeline import run_draft
    from summarizer.speech.diarize import diarization_available

    if not diarization_available():
        pytest.skip("speaker diarisation is not installed")
    result = run_draft(samples / "meeting_ru.wav", load_settings(), meeting_date=DAY)
    protocol = result.version.protocol
    assert protocol.language == "ru"
    people = {p.name: p for p in protocol.participants}
    assert set(people) == {"Ольга Смирнова", "Игорь Петров"}
    # the script: Ольга is "руководитель отдела закупок", Игорь "руководитель отдела продаж" at «Север»
    assert "закуп" in (people["Ольга Смирнова"].position or "")
    assert "продаж" in (people["Игорь Петров"].position or "")
    assert people["Игорь Петров"].organisation == "Север"
    assert "цен" in (protocol.purpose or "").lower()
    delivery = [a for a in protocol.agreements if a.due_date == dt.date(2026, 12, 20)]
    assert len(delivery) == 1, [a.text for a in protocol.agreements]
    assert delivery[0].responsible == "Игорь Петров"  # "Мы можем доставить товар двадцатого декабря"
    assert any("устр" in _quotes(a) for a in protocol.agreements), "the 5 % discount was accepted"
    contract = [n for n in protocol.next_steps if "пришл" in n.action.lower()]  # "пришлёт" in the protocol
    assert len(contract) == 1
    # "Хорошо. Я пришлю договор до пятницы." is Игорь's line in samples/meeting_ru.script.txt
    assert (contract[0].owner, contract[0].due_date) == ("Игорь Петров", dt.date(2026, 11, 27))
    assert all(ev.status in ("verified", "fuzzy") for item in protocol.items() for ev in item.evidence)


def test_english_counterpart_gets_the_same_reading(samples: Path) -> None:
    """negotiation_en.txt is the same kind of meeting; the shared rules read it the same way."""
    protocol = _draft(samples / "transcripts" / "negotiation_en.txt")
    people = {p.name: (p.position, p.organisation, p.email, p.phone) for p in protocol.participants}
    assert people == {
        "Sarah Collins": ("head of procurement", "Brightline Retail", "sarah.collins@brightline-retail.co.uk",
                          None),
        "Tom Becker": ("account manager", "Nordpack Supplies", None, "+44 20 7946 0958"),
        "Priya Nair": ("logistics", "Nordpack Supplies", None, None),
    }
    assert protocol.purpose == "Agree the delivery terms for the spring packaging order"
    assert protocol.agreements[0].text == (
        "The minimum is six pallets a week and mixed loads go out in three working days")
    assert not any("ten pallets" in _quotes(a) for a in protocol.agreements)  # declined
    assert [(n.owner, n.due_date) for n in protocol.next_steps] == [
        ("Tom Becker", dt.date(2026, 11, 30)), ("Priya Nair", dt.date(2026, 11, 27))]


def test_closing_sums_up_by_topic_without_quoting_a_speaker(negotiation: Protocol) -> None:
    """Issue 11, item 9: the closing repeated the issues' mistakes; it names the topics discussed and
    what was agreed, never a speaker's own words ("Пять дней для нас много")."""
    closing = negotiation.closing or ""
    assert closing.startswith("Стороны обсудили вопросы: Поставка; Оплата; Штрафы за просрочку")
    assert "для нас" not in closing and "Пятьдесят на пятьдесят" in closing
    assert closing.endswith("Благодарим всех участников за конструктивную встречу.")
