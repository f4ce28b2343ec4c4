"""Rule fixes found on samples/gold/dev (``python bench/extract.py --sets dev --misses``), each with the
line that showed it: an internal decision or a fact check read as an agreement, "let's see if it happens"
read as a proposal, "on the first" read as no date, "do a pilot migration" as no task, a Latin speaker
label not found in a Cyrillic sentence, "на почту" turned into a verb."""

from __future__ import annotations

import datetime as dt

from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.offline import extract_offline
from summarizer.extract.third_person import third_person
from summarizer.transcript import Segment, Transcript

DAY = dt.date(2026, 9, 14)


def meeting(*lines: tuple[str, str], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i:04d}", text=text, start=i * 5.0, end=i * 5.0 + 4.0, speaker=who)
        for i, (who, text) in enumerate(lines, 1)])


def test_a_decision_one_side_took_internally_is_not_an_agreement() -> None:
    en = meeting(("Greg", "By the way, we've decided internally that our sales team won't be on the stand "
                          "during the build."), ("Marco", "Good to know, thanks."))
    ru = meeting(("Максим", "Чтобы вы знали: мы для себя решили, что регионы на распродажу отдадим другой "
                            "службе."), ("Ольга", "Поняла, спасибо."), language="ru")
    assert extract_offline(en, meeting_date=DAY).agreements == []
    assert extract_offline(ru, meeting_date=DAY).agreements == []
    # the same words agreed between the sides are still an agreement
    both = meeting(("Greg", "So we agreed: the stand is built on Monday the fourteenth."),
                   ("Marco", "Yes."))
    assert len(extract_offline(both, meeting_date=DAY).agreements) == 1


def test_a_fact_checked_is_not_terms_accepted() -> None:
    t = meeting(("Ольга", "Максим, правильно понимаю, что у вас сейчас около двух с половиной тысяч "
                          "заказов в месяц?"), ("Максим", "Да, примерно так."), language="ru")
    assert extract_offline(t, meeting_date=DAY).agreements == []
    # terms put as a question are still a proposal
    offer = meeting(("Ольга", "Значит, двести шестьдесят пять рублей за заказ?"),
                    ("Максим", "Да, устраивает."), language="ru")
    assert len(extract_offline(offer, meeting_date=DAY).agreements) == 1


def test_lets_see_puts_nothing_to_the_other_side() -> None:
    t = meeting(("Marco", "If the venue changes the hall, we would have to requote that, so let's see if it "
                          "happens."), ("Greg", "Sure, sounds good."))
    assert extract_offline(t, meeting_date=DAY).agreements == []
    proposal = meeting(("Marco", "Let's do thirty percent on order."), ("Greg", "Sounds good."))
    assert len(extract_offline(proposal, meeting_date=DAY).agreements) == 1


def test_on_the_first_is_a_date_when_the_clause_ends_there() -> None:
    assert find_due_phrases("I'll do a pilot on the first, so we see any surprises early.", "en") == [
        "on the first"]
    assert resolve_due("on the first", DAY, "en") == dt.date(2026, 10, 1)
    assert resolve_due("on the twenty-first", DAY, "en") == dt.date(2026, 9, 21)
    for text in ("Our office is on the first floor.", "We met on the second day of the fair."):
        assert find_due_phrases(text, "en") == []


def test_doing_a_named_piece_of_work_is_a_task() -> None:
    t = meeting(("Priya", "Then I'll do a pilot migration of the three test servers, so we see any "
                          "surprises early."), ("Sofia", "Great."))
    (step,) = extract_offline(t, meeting_date=DAY).next_steps
    assert step.owner == "Priya" and "pilot migration" in step.action
    chatter = meeting(("Priya", "I'll do the same."), ("Sofia", "Great."))
    assert extract_offline(chatter, meeting_date=DAY).next_steps == []


def test_russian_review_and_return_are_tasks() -> None:
    t = meeting(("Наталья", "Проект договора вы нам уже прислали, Виктор посмотрит его с юристами до "
                            "понедельника."),
                ("Виктор", "Да, до понедельника посмотрим и вернём с комментариями."), language="ru")
    steps = extract_offline(t, meeting_date=DAY).next_steps
    assert [s.owner for s in steps] == ["Виктор"]
    assert steps[0].due_date == dt.date(2026, 9, 21)


def test_a_latin_speaker_label_is_found_in_a_cyrillic_sentence() -> None:
    t = meeting(("Андрей", "Добрый день, меня зовут Андрей."), ("Irina", "Добрый день."),
                ("Андрей", "По документам: Ирина Ткачёва подготовит проект договора аренды к концу "
                           "следующей недели."), language="ru")
    (step,) = extract_offline(t, meeting_date=DAY).next_steps
    assert step.owner == "Irina" and "проект договора" in step.action


def test_a_noun_that_is_also_a_rare_verb_form_stays_a_noun() -> None:
    assert third_person("Планировку блока пришлю вам сегодня на почту.", "ru", "Андрей") == (
        "Андрей пришлёт планировку блока вам сегодня на почту")
    assert third_person("Я дам скидку пять процентов.", "ru", "Андрей") == "Андрей даст скидку пять процентов"


def test_a_draft_the_user_chose_to_make_offline_says_so_without_install_advice() -> None:
    from summarizer.config import load_settings
    from summarizer.extract import describe_extraction
    from summarizer.llm.backend import CHOSEN_OFFLINE, choose
    from summarizer.schema import ExtractionMeta

    meta = ExtractionMeta(extractor="offline")
    chosen = choose(load_settings(None, {"llm_backend": "offline"})).reason == CHOSEN_OFFLINE
    said = describe_extraction(meta, chosen_offline=chosen)
    assert said == "extractor: offline rules (llm_backend = offline)"
    assert "pip install" in describe_extraction(meta)


def test_the_topic_a_speaker_announces_is_not_part_of_the_step() -> None:
    t = meeting(("Андрей", "По документам: Денис подготовит проект договора к пятнице."), ("Денис", "Да."),
                language="ru")
    (step,) = extract_offline(t, meeting_date=DAY).next_steps
    assert step.action.startswith("Денис подготовит проект договора")


def test_an_offer_with_a_limit_accepted_is_an_agreement_not_a_task() -> None:
    t = meeting(("Максим", "Наши покупатели привыкли к двухчасовым окнам. Сможете?"),
                ("Денис", "Двухчасовые сделаем, но только с десяти утра до десяти вечера, ночных окон "
                          "у нас нет."),
                ("Максим", "Принимается."), language="ru")
    protocol = extract_offline(t, meeting_date=DAY)
    assert protocol.next_steps == []
    (agreement,) = protocol.agreements
    assert "с десяти утра до десяти вечера" in agreement.text
    noted = meeting(("Максим", "Чтобы вы знали: регионы на распродажу отдадим другой службе."),
                    ("Ольга", "Принято к сведению."), language="ru")
    assert extract_offline(noted, meeting_date=DAY).agreements == []
