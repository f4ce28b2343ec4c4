"""The offline rules on what real meetings say (issue 12, issue 11 items 7–10), in small self-contained
transcripts. tests/test_offline_real.py checks the same on the shared real data, when it is present."""

from __future__ import annotations

import datetime as dt

from summarizer.extract.offline import extract_offline
from summarizer.extract.results import closing_for, results_for
from summarizer.extract.verify import finalize_protocol
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript

DAY = dt.date(2027, 1, 27)  # a Wednesday


def _meeting(lines: list[tuple[str | None, str]], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i + 1:04d}", text=text, speaker=speaker, start=float(i * 5), end=float(i * 5 + 4))
        for i, (speaker, text) in enumerate(lines)
    ])


def _draft(lines: list[tuple[str | None, str]], language: str = "en") -> Protocol:
    transcript = _meeting(lines, language)
    return finalize_protocol(extract_offline(transcript, meeting_date=DAY), transcript, meeting_date=DAY)


def _cited(item: object) -> set[str]:
    return {sid for ev in item.evidence if not ev.superseded for sid in ev.segment_ids}  # type: ignore[attr-defined]


def _history(item: object) -> set[str]:
    return {sid for ev in item.evidence if ev.superseded for sid in ev.segment_ids}  # type: ignore[attr-defined]


# -- negation and rejection -------------------------------------------------------------------------
def test_no_it_is_not_a_good_deal_is_no_agreement() -> None:
    protocol = _draft([
        ("A", "All of your firewood and water for one extra package of food?"),
        ("B", "No.. It is not a good deal."),
        ("A", "Is that a good deal for you then: two food for me, all the water for you?"),
    ])
    assert protocol.agreements == []


def test_a_counter_offer_supersedes_and_the_accepted_one_states_the_final_terms() -> None:
    protocol = _draft([
        ("A", "How about 2 food and 1 water for me?"),
        ("B", "Ok, but I need at least 2 water."),
        ("A", "Then 2 food and 1 firewood for me, and you get 3 water."),
        ("B", "Sounds good."),
    ])
    (agreement,) = protocol.agreements
    assert "2 food and 1 firewood" in agreement.text and "3 water" in agreement.text
    assert _cited(agreement) == {"s0003", "s0004"}


def test_countered_deal_keeps_the_earlier_form_as_history() -> None:
    protocol = _draft([
        ("A", "You can have 2 food and 1 water."),
        ("B", "Okay, deal."),
        ("A", "Actually, let's make it 1 food and 2 water for you."),
        ("B", "Fine with me."),
    ])
    (agreement,) = protocol.agreements
    assert "1 food and 2 water" in agreement.text
    assert {"s0001", "s0002"} <= _history(agreement) and {"s0003", "s0004"} <= _cited(agreement)


# -- keyword traps ----------------------------------------------------------------------------------
def test_deal_with_and_big_deal_are_no_agreements() -> None:
    protocol = _draft([
        ("A", "That breach was not the way to deal with such sensitive information."),
        ("B", "It is a big deal for the whole team."),
        ("A", "We need to deal with the backlog first."),
        ("B", "You."),
        ("A", "That."),
    ])
    assert protocol.agreements == []


def test_a_wish_for_a_deal_is_no_deal() -> None:
    protocol = _draft([
        ("A", "Alright so I think we can make a fair deal here where we both will be happy."),
        ("B", "We should be able to come up with a good deal."),
        ("A", "If we agreed to use it, we would need more data."),
    ])
    assert protocol.agreements == []


# -- the terms of a deal ----------------------------------------------------------------------------
def test_an_acceptance_states_the_terms_it_accepts_and_cites_both_turns() -> None:
    protocol = _draft([
        ("A", "I need water most. My offer: I get 3 water and 1 food, you get 2 food and 3 firewood."),
        ("B", "I think that is a fair deal."),
    ])
    (agreement,) = protocol.agreements
    assert "3 water and 1 food" in agreement.text and "3 firewood" in agreement.text
    assert _cited(agreement) == {"s0001", "s0002"}
    quotes = [ev.quote for ev in agreement.evidence]
    assert "I think that is a fair deal." in quotes  # the quote stays verbatim


# -- chatter is not an action; tasks with deadlines are ---------------------------------------------
def test_narration_of_the_call_is_not_a_next_step() -> None:
    protocol = _draft([
        ("Anna", "I'm Anna Petrova from Brightline."),
        ("Anna", "I will open it."),
        ("Anna", "Let me share it with you again."),
        ("Anna", "Uh, let me check the deliverables list."),
        ("Anna", "Just a moment, I'll find it."),
        ("Anna", "I will not be available in the afternoon."),
        ("Anna", "I will send you."),
    ])
    assert protocol.next_steps == []


def test_tasks_for_after_the_call_are_next_steps_in_the_third_person() -> None:
    protocol = _draft([
        ("Anna", "I'm Anna Petrova from Brightline."),
        ("Anna", "We'll update the demo paper submission, which is due next Friday."),
        ("Anna", "I will send the revised plan by the end of February."),
        ("Anna", "And I'll check the list of figures for the book."),
    ])
    steps = {n.action: (n.owner, n.due_date) for n in protocol.next_steps}
    assert steps == {
        "Brightline will update the demo paper submission, which is due next Friday":
            ("Anna Petrova", dt.date(2027, 2, 5)),
        "Anna Petrova will send the revised plan by the end of February":
            ("Anna Petrova", dt.date(2027, 2, 28)),
        "Anna Petrova will check the list of figures for the book": ("Anna Petrova", None),
    }
    quotes = [ev.quote for n in protocol.next_steps for ev in n.evidence]
    assert "I will send the revised plan by the end of February." in quotes  # verbatim


def test_a_deadline_inside_a_longer_sentence_without_i_will() -> None:
    protocol = _draft([
        ("A", "Hello."),
        ("A", "The paper has to be submitted and the review paper is due next Friday, so it is urgent."),
    ])
    (step,) = protocol.next_steps
    assert step.due_phrase == "due next Friday" and step.due_date == dt.date(2027, 2, 5)


# -- issue 11, item 7: a revised decision once, in its final form; a proposal is no action -------------
def test_revised_launch_date_appears_once_with_the_earlier_form_in_its_evidence() -> None:
    protocol = _draft([
        ("SPEAKER_00", "Меня зовут Игорь Петров, я руководитель проекта в компании Север."),
        ("SPEAKER_01", "Меня зовут Ольга Смирнова, я директор по закупкам в компании Альфа."),
        ("SPEAKER_00", "Предлагаю запуск первого февраля."),
        ("SPEAKER_01", "Первое февраля нас устраивает."),
        ("SPEAKER_00", "Я пришлю доступы к тестовой среде до пятницы."),
        ("SPEAKER_01", "Ещё вопрос по обучению: нужно два дня занятий."),
        ("SPEAKER_00", "Обучение проведём на месте."),
        ("SPEAKER_01", "Давайте запуск сделаем десятого февраля, у нас инвентаризация."),
        ("SPEAKER_00", "Хорошо, десятое февраля подходит."),
        ("SPEAKER_01", "Фиксируем десятое февраля."),
    ], language="ru")
    launch = [a for a in protocol.agreements if "феврал" in a.text.lower()]
    assert len(launch) == 1, [a.text for a in protocol.agreements]
    assert "десят" in launch[0].text.lower() and launch[0].due_date == dt.date(2027, 2, 10)
    assert {"s0003", "s0004"} <= _history(launch[0]) and {"s0008", "s0009"} <= _cited(launch[0])
    # the proposal is not a next step of the person who proposed it
    assert not [n for n in protocol.next_steps if "s0008" in _cited(n)]
    # issue 11, item 10: the next step is a third-person statement; the quote stays in its evidence
    (access,) = [n for n in protocol.next_steps if "доступ" in n.action]
    assert access.action == "Игорь Петров пришлёт доступы к тестовой среде до пятницы"
    assert access.evidence[0].quote == "Я пришлю доступы к тестовой среде до пятницы."
    # issue 11, item 9: the timeline is an issue with its options, beside the training question
    titles = {i.title: i for i in protocol.issues}
    assert "Обучение" in titles and "Сроки" in titles, list(titles)
    assert any("десятого февраля" in s for s in titles["Сроки"].solutions)
    assert not any("февраля" in s for s in titles["Обучение"].solutions)
    assert titles["Сроки"].status == "resolved"


# -- issue 11, item 8: results are sentences about what was agreed ------------------------------------
def test_results_say_what_was_agreed_and_follow_the_version() -> None:
    protocol = _draft([
        ("SPEAKER_00", "Меня зовут Игорь Петров, я руководитель проекта в компании Север."),
        ("SPEAKER_01", "Предлагаю оплату пятьдесят на пятьдесят."),
        ("SPEAKER_00", "Пятьдесят на пятьдесят нас устраивает."),
        ("SPEAKER_00", "Я пришлю договор до пятницы."),
    ], language="ru")
    results = results_for(protocol)
    assert results[0].startswith("Стороны договорились: ") and "пятьдесят на пятьдесят" in results[0].lower()
    assert "Игорь Петров пришлёт договор до пятницы" in results[1]
    assert protocol.results == results
    protocol.agreements.clear()
    assert results_for(protocol)[0] == "Договорённости не зафиксированы."
    assert "Стороны обсудили" in closing_for(protocol)


def test_english_first_person_becomes_the_speaker_and_their_company() -> None:
    protocol = _draft([
        ("Anna", "Hi, I'm Anna Petrova, account manager at Northwind."),
        ("Mark", "Good morning. I'm Mark Olsen, purchasing lead at Contoso."),
        ("Anna", "And I will send the revised quote tomorrow. My email is sales at northwind.com."),
        ("Mark", "We will deliver the first batch on March tenth."),
    ])
    actions = sorted(n.action for n in protocol.next_steps)
    assert actions == ["Anna Petrova will send the revised quote tomorrow",
                       "Contoso will deliver the first batch on March tenth"]


def test_a_task_asked_of_someone_by_name_is_theirs() -> None:
    protocol = _draft([
        ("SPEAKER_00", "Меня зовут Ольга Смирнова."),
        ("SPEAKER_01", "Меня зовут Игорь Петров."),
        ("SPEAKER_00", "Игорь, пришлите, пожалуйста, договор до пятницы."),
    ], language="ru")
    (step,) = protocol.next_steps
    assert (step.action, step.owner) == ("Игорь Петров пришлёт договор до пятницы", "Игорь Петров")
    assert step.due_date == dt.date(2027, 1, 29)
    protocol = _draft([
        ("[PERSON1]", "Hello."),
        ("[PERSON1]", "So so [PERSON15], could you again please prepare the internal poll?"),
    ])
    (step,) = protocol.next_steps
    assert (step.action, step.owner) == ("[PERSON15] will prepare the internal poll", "[PERSON15]")
    assert "unknown_owner" in {f.code for f in step.flags}  # named, but not among the participants


def test_a_relative_deadline_named_by_its_date_takes_the_date() -> None:
    protocol = _draft([
        ("A", "Hello."),
        ("A", "We will submit the paper, which is due next Friday, Feb 12."),
    ])
    (step,) = protocol.next_steps
    assert (step.due_phrase, step.due_date) == ("Feb 12", dt.date(2027, 2, 12))
