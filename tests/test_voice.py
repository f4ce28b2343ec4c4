"""The protocol's voice: the call's "me", "you", "нам" said as who they are (dev samples and lines)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from summarizer.extract.offline import extract_offline
from summarizer.extract.voice import Referents, voice_en, voice_ru
from summarizer.transcript import Segment, Transcript

DEV = Path(__file__).resolve().parent.parent / "samples" / "gold" / "dev"
_CALL_PRONOUN = re.compile(r"(?<![\w'-])(?:I|me|my|we|us|our|you|your|я|мне|мы|нас|нам|наш\w*|вы|вас|вам|"
                           r"ваш\w*)(?![\w'-])", re.IGNORECASE)


def meeting(*lines: tuple[str, str], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i:04d}", text=text, start=i * 5.0, end=i * 5.0 + 4.0, speaker=who)
        for i, (who, text) in enumerate(lines, 1)])


def test_english_pronouns_become_the_people_and_sides_they_stand_for() -> None:
    daniel = Referents(me="Daniel Kowalski", us="Cirrolane Cloud", you="Greenfield Mutual")
    assert voice_en("Sofia Marchetti will send me the full VM inventory by Friday", daniel) == \
        "Sofia Marchetti will send Daniel Kowalski the full VM inventory by Friday"
    assert voice_en("Raj will have a sandbox ready for you by the end of next week", daniel) == \
        "Raj will have a sandbox ready for Greenfield Mutual by the end of next week"
    assert voice_en("Ben will check whether the PO needs a second approver on our side", daniel) == \
        "Ben will check whether the PO needs a second approver on Cirrolane Cloud's side"
    assert voice_en("But yes, you'll have the artwork by the fourth", daniel) == \
        "Greenfield Mutual will have the artwork by the fourth"
    assert voice_en("Daniel Kowalski will migrate the test servers on the first, so we see surprises early",
                    daniel) == "Daniel Kowalski will migrate the test servers on the first"
    # the owner's own things: "send me your logo files" said to Greg is "the logo files"
    assert voice_en("Greg Turner will send me your logo files by Monday", daniel, owner_is_you=True) == \
        "Greg Turner will send Daniel Kowalski the logo files by Monday"
    assert voice_en("On Wednesday we have the audit", daniel) == "On Wednesday Cirrolane Cloud has the audit"
    assert voice_en("Let you use the new site as a case study", daniel) == \
        "Let Greenfield Mutual use the new site as a case study"
    assert voice_en("Corvid Robotics will get it from your team", Referents(you="Brightframe Exhibits")) == \
        "Corvid Robotics will get it from Brightframe Exhibits' team"


def test_what_has_no_known_referent_or_asks_is_left_as_said() -> None:
    assert voice_en("Can we say Friday the twenty-fourth for the wireframes", Referents(us="Pixelforge")) == \
        "Can we say Friday the twenty-fourth for the wireframes"
    assert voice_en("Anna will send you the plan", Referents(me="Bob")) == "Anna will send you the plan"
    assert voice_en("Anna will send the plan", Referents()) == "Anna will send the plan"


def test_russian_recipients_reasons_and_possessives() -> None:
    who = Referents(me="Алексей Громов", us="Офис-Комфорт", you="Техпром")
    assert voice_ru("Алексей Громов пришлёт обновлённую спецификацию вам завтра до обеда", who,
                    us_org="Офис-Комфорт", you_org="Техпром") == \
        "Алексей Громов пришлёт обновлённую спецификацию завтра до обеда"
    assert voice_ru("Наталья Орлова пришлёт реквизиты до пятницы, чтобы мы спланировали расстановку", who,
                    us_org="Офис-Комфорт", you_org="Техпром") == "Наталья Орлова пришлёт реквизиты до пятницы"
    assert voice_ru("Максим Орлов пришлёт выгрузку адресов за апрель — нам нужно разбить их по зонам", who,
                    us_org=None, you_org=None) == "Максим Орлов пришлёт выгрузку адресов за апрель"
    assert voice_ru("Проект договора вы нам уже прислали, Виктор посмотрит его с юристами до понедельника",
                    who, us_org=None, you_org=None) == \
        "Виктор посмотрит проект договора с юристами до понедельника"
    assert voice_ru("Восемь процентов с тумбами, нас устраивает", who, us_org=None, you_org=None) == \
        "Восемь процентов с тумбами"
    assert voice_ru("Файловый обмен наши безопасники не пропустят", who, us_org="Альфа-Логистик",
                    you_org=None) == "Файловый обмен безопасники компании «Альфа-Логистик» не пропустят"
    assert voice_ru("Ночных окон у нас нет", who, us_org="ГородКурьер", you_org=None) == \
        "Ночных окон у компании «ГородКурьер» нет"
    # no organisation known: the words stay; "нам" with no transfer verb is not a recipient
    assert voice_ru("Ночных окон у нас нет", who, us_org=None, you_org=None) == "Ночных окон у нас нет"
    assert voice_ru("Срок нам подходит до июня", who, us_org=None, you_org=None) == \
        "Срок нам подходит до июня"


def test_drafts_of_the_dev_meetings_keep_no_pronoun_of_the_call() -> None:
    for name, day in (("en_trade_show_stand", "2026-09-01"), ("en_payroll_subscription", "2026-04-20"),
                      ("ru_office_furniture", "2026-03-11"), ("ru_courier_delivery", "2026-05-20")):
        transcript = Transcript.from_json((DEV / f"{name}.json").read_text(encoding="utf-8"))
        protocol = extract_offline(transcript, meeting_date=dt.date.fromisoformat(day))
        texts = [a.text for a in protocol.agreements] + [n.action for n in protocol.next_steps]
        assert texts and not [t for t in texts if _CALL_PRONOUN.search(t)], name


def test_an_edited_item_is_never_rewritten() -> None:
    from summarizer.extract.voice import speak_as_protocol

    t = meeting(("Anna", "Hi, I'm Anna Petrova, account manager at Northwind."),
                ("Bob", "Bob Stone, buyer at Contoso."),
                ("Anna", "I'll send you the plan by Friday."))
    protocol = extract_offline(t, meeting_date=dt.date(2026, 9, 14))
    step = protocol.next_steps[0]
    assert step.action == "Anna Petrova will send Contoso the plan by Friday"
    step.action, step.edited = "We send you the plan", True
    speak_as_protocol(protocol, t)
    assert step.action == "We send you the plan"


def test_options_under_an_issue_lose_the_calls_pronouns_and_questions() -> None:
    furniture = Transcript.from_json((DEV / "ru_office_furniture.json").read_text(encoding="utf-8"))
    solutions = [s for i in extract_offline(furniture, meeting_date=dt.date(2026, 3, 11)).issues
                 for s in i.solutions]
    assert "Восемь процентов с тумбами" in solutions  # not "…, нас устраивает"
    stand = Transcript.from_json((DEV / "en_trade_show_stand.json").read_text(encoding="utf-8"))
    issues = extract_offline(stand, meeting_date=dt.date(2026, 9, 1)).issues
    solutions = [s for i in issues for s in i.solutions]
    assert "The artwork deadline is brought forward to Friday the fourth" in solutions
    asked = [s for s in solutions if s.rstrip(".").endswith("?") or s.lower().startswith(("could", "can "))]
    assert not asked
