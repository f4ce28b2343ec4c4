"""Offers and acceptances as negotiators say them (found on samples/gold/dev; each failed on the old
tables)."""

from __future__ import annotations

import datetime as dt

from summarizer.extract.offline import extract_offline
from summarizer.transcript import Segment, Transcript

DAY = dt.date(2026, 4, 14)


def meeting(*lines: tuple[str, str], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i:04d}", text=text, start=i * 5.0, end=i * 5.0 + 4.0, speaker=who)
        for i, (who, text) in enumerate(lines, 1)])


def agreements(*lines: tuple[str, str], language: str = "en") -> list[str]:
    return [a.text for a in extract_offline(meeting(*lines, language=language), meeting_date=DAY).agreements]


def test_plain_english_yeses_accept_an_offer() -> None:
    for offer, yes in (
        ("What we can do is thirty percent upfront and the remaining seventy on launch.",
         "Thirty upfront, seventy on launch. Fine by us."),
        ("Could we do thirty percent on order and the rest within fourteen days after the show?", "Fine."),
        ("And to hold the date we'd need a twenty-five percent deposit.", "Twenty-five percent is fine."),
        ("Tuesday next week, two p.m.?", "Two p.m. Tuesday, perfect."),
        ("We could do two years, but then it'd be nineteen thousand two hundred a month.",
         "Nineteen-two for two years. Hm. Yeah, okay, we can live with that."),
    ):
        assert len(agreements(("Laura", offer), ("Megan", yes))) == 1, (offer, yes)


def test_an_offer_is_stated_whole_and_as_a_statement() -> None:
    assert agreements(("Laura", "What we can do is thirty percent upfront and the remaining seventy on "
                                "launch."),
                      ("Megan", "Fine by us.")) == ["Thirty percent upfront and the remaining seventy on "
                                                    "launch"]
    # the splitter cuts ", but then it'd be …" and "But if you commit …, I can do …": the offer keeps both
    assert agreements(("Priya", "Okay. We could do two years, but then it'd be nineteen thousand two "
                                "hundred a "
                                "month."),
                      ("Ben", "Yeah, okay, we can live with that.")) == [
        "Two years, but then it'd be nineteen thousand two hundred a month"]
    assert agreements(("Greg", "Can we move the cutover to the weekend of the seventeenth?"),
                      ("Daniel", "Seventeenth works for us.")) == [
        "The cutover moves to the weekend of the seventeenth"]
    assert agreements(("Aisha", "Greg, could we bring the artwork deadline forward to Friday the fourth?"),
                      ("Greg", "The fourth is tight, but yes, you'll have the artwork by the fourth.")) == [
        "The artwork deadline is brought forward to Friday the fourth"]


def test_the_other_side_may_talk_it_over_before_saying_yes() -> None:
    lines = (("Hannah", "Five is below what I'm able to go to. But if you commit to two years, I can do five "
                        "seventy-five."),
             ("Claire", "Owen, does five seventy-five fit the numbers you "
                        "ran?"),  # asks a colleague, offers nothing
             ("Owen", "It does, just about."),
             ("Claire", "Then let's do that. Two years at five seventy-five."))
    assert agreements(*lines) == ["If Claire commits to two years, Hannah can do five seventy-five"]
    # the offerer speaking in between is no consultation: the yes is too far from the offer
    again = (("Claire", "Hm."), ("Hannah", "Let me know."), ("Claire", "Then let's do that."))
    assert agreements(lines[0], *again) == []


def test_the_option_chosen_is_the_agreement() -> None:
    got = agreements(("Marco", "Thirty-two we can't reach, but I can give you two options. Option one, we "
                               "keep "
                               "everything and swap the custom walls for our modular system, that's "
                               "thirty-five "
                               "thousand eight hundred. Option two, we keep the custom walls and drop the "
                               "suspended "
                               "banner, that's thirty-four thousand five hundred."),
                     ("Greg", "Yes, go ahead with the second option."))
    assert len(got) == 1 and "drop the suspended banner" in got[0] and "thirty-four" in got[0]


def test_what_only_sounds_like_a_yes_accepts_nothing() -> None:
    assert agreements(("Tom", "I mean, we could look at it at some point. Something to think about."),
                      ("Megan", "Yeah, let's see. Not today.")) == []
    assert agreements(("Priya", "So just to confirm the basics, you're on stand H12, six by eight metres?"),
                      ("Greg", "Yep, that's correct, H12.")) == []
    assert agreements(("Ann", "Now let's move to the next point, the timeline."), ("Bob", "Sure.")) == []


def test_russian_offers_and_yeses_from_the_dev_calls() -> None:
    ru = "ru"
    assert len(agreements(("Ольга", "Могу предложить двести шестьдесят пять при объёме от трёх тысяч "
                                    "заказов."),
                          ("Максим", "Годится."), language=ru)) == 1
    assert agreements(("Денис", "Тогда старт — с понедельника, восьмого июня."),
                      ("Максим", "Восьмого так восьмого. Так и сделаем."), language=ru) == [
        "Старт — с понедельника, восьмого июня"]
    assert agreements(("Алексей", "Оплата стандартная, пятьдесят процентов предоплата, остальное по факту."),
                      ("Виктор", "Пятьдесят на пятьдесят нормально."), language=ru) == [
        "Оплата стандартная, пятьдесят процентов предоплата, остальное по факту"]
    assert agreements(("Вика", "Тогда сдвигаемся: старт поля пятого октября, итоговый отчёт — шестого "
                               "ноября."),
                      ("Татьяна", "Шестое ноября — да, хорошо."), language=ru) == [
        "Старт поля пятого октября, итоговый отчёт — шестого ноября"]
    # a floor is not a refusal, and it is not part of the terms agreed
    assert agreements(("Андрей", "Давайте тогда два месяца, меньше не можем."),
                      ("Сергей", "Два — хорошо, согласен."), language=ru) == ["Два месяца"]
    # insisting on a price offers it again, and the client's colleague may speak before the yes
    assert len(agreements(("Вика", "Миллион триста пятьдесят — это минимум."),
                          ("Татьяна", "Игорь, в принципе нам двух групп достаточно."),
                          ("Игорь", "Ок, на этом и остановимся."), language=ru)) == 1


def test_a_decision_taken_before_the_call_is_not_agreed_in_it() -> None:
    assert agreements(("Вика", "Тогда итоговый отчёт — шестого ноября."), ("Татьяна", "Хорошо."),
                      ("Татьяна", "И по формату мы с Игорем ещё до звонка решили: дашборд не берём."),
                      language="ru") == ["Итоговый отчёт — шестого ноября"]
