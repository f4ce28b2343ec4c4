"""The bench's "terms right" check compares values, not spellings (bench/terms_right.py ``term_right``).

A gold term ("€19,200", "October 17", "8 июня") is right when the predicted agreement states the same
value the way speech does ("nineteen-two", "the seventeenth", "восьмого июня"), and wrong when the number
or the date differs. Most strings here are from samples/gold/dev and their transcripts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from bench_support import load_bench

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "samples" / "gold"


bench = load_bench("terms_right")


def right(text: str, term: str, *, due: dt.date | None = None, meeting: str | None = None,
          language: str = "en") -> bool:
    meeting_date = dt.date.fromisoformat(meeting) if meeting else None
    return bench.term_right(text, term, due=due, meeting_date=meeting_date, language=language)


# (item text, term, meeting date): the item states the term
STATED_EN = [
    ("Managed hosting at nineteen-two per month for two years", "€19,200", None),
    ("Okay. We could do two years, but then it'd be nineteen thousand two hundred a month.", "€19,200", None),
    ("Managed hosting at 19,200 euros a month", "€19,200", None),
    ("Managed hosting with a two-year commitment", "two years", None),
    ("We want a straight lift and shift, Oracle stays Oracle.", "lift and shift", None),
    ("We want a straight lift and shift, Oracle stays Oracle.", "Oracle", None),
    ("The cutover moves to the weekend of the seventeenth", "October 17", "2026-09-16"),
    ("Forty-four a head with numbers ten days out", "$44", None),
    ("Forty-four a head with numbers ten days out", "ten days", None),
    ("A twenty-five percent deposit holds the date", "25%", None),
    ("Tasting session on Tuesday next week", "February 17", "2026-02-09"),
    ("Tasting session at two p.m.", "2 p.m.", None),
    ("Two years at five seventy-five per employee", "£5.75", None),
    ("Billed annually, paid upfront, with a further five percent off", "annual", None),
    ("Billed annually, paid up front", "upfront", None),
    ("A parallel run on the June payroll, live with the July run, Friday the thirty-first", "July 31",
     "2026-05-12"),
    ("A parallel run on the June payroll", "June", "2026-05-12"),
    ("Option two: the custom walls stay and the suspended banner is dropped, thirty-four thousand five "
     "hundred", "£34,500", None),
    ("Option two: the custom walls stay and the suspended banner is dropped", "no suspended banner", None),
    ("We go ahead with the second option", "option two", None),
    ("Thirty percent on order, the rest within fourteen days after the show", "14 days after the show", None),
    ("The artwork arrives by Friday the fourth", "September 4", "2026-08-20"),
    ("The last two years of posts for thirty-eight hundred", "$3,800", None),
    ("Thirty upfront, seventy on launch", "70%", None),
    ("The site goes live by June thirtieth", "June 30", "2026-04-14"),
    ("Four twenty-five per van per month, thirty-six months", "425", None),
    ("Four twenty-five per van per month, thirty-six months", "36 months", None),
    ("Forty-four, including one retest round within ninety days", "44,000", None),
    ("Twenty thousand miles per van per year", "20,000 miles", None),
    ("Internal scans run after 19:00 only", "7 p.m.", None),
    ("Social and in-store posters within the 60 thousand", "60", None),
]
STATED_RU = [
    ("Могу предложить двести шестьдесят пять при объёме от трёх тысяч заказов в месяц", "265", None),
    ("Тариф 265 рублей за заказ", "265 руб.", None),
    ("Могу предложить двести шестьдесят пять при объёме от трёх тысяч заказов в месяц", "3 000 заказов",
     None),
    ("Двухчасовые интервалы с десяти утра до десяти вечера", "2 часа", None),
    ("Двухчасовые интервалы с десяти утра до десяти вечера", "10:00–22:00", None),
    ("Тогда старт — с понедельника, восьмого июня.", "8 июня", "2026-05-20"),
    ("Тысяча двести респондентов и две фокус-группы — миллион триста пятьдесят", "1 200 респондентов", None),
    ("Тысяча двести респондентов и две фокус-группы — миллион триста пятьдесят", "2 фокус-группы", None),
    ("Тысяча двести респондентов и две фокус-группы — миллион триста пятьдесят", "1 350 000", None),
    ("Исследование за 1 350 000 руб.", "1 350 000", None),
    ("Дашборд не берём, только презентацию", "без дашборда", None),
    ("Дашборд не берём, только презентацию", "презентация", None),
    ("Старт поля пятого октября, итоговый отчёт — шестого ноября", "5 октября", "2026-09-17"),
    ("Старт поля пятого октября, итоговый отчёт — шестого ноября", "6 ноября", "2026-09-17"),
    ("Два семьсот пятьдесят, цена фиксированная", "2 750 000", None),
    ("Два семьсот пятьдесят, цена фиксированная", "фиксирован", None),
    ("Первый этап без онлайн-оплаты", "онлайн-оплат", None),
    ("Оплата этапа — тридцать процентов аванс, семьдесят после подписания акта приёмки", "30%", None),
    ("Оплата этапа — тридцать процентов аванс, семьдесят после подписания акта приёмки", "70%", None),
    ("Оплата этапа — тридцать процентов аванс, семьдесят после подписания акта приёмки", "акт", None),
    ("Восемь процентов, сорок тумб добавляю в спецификацию", "8%", None),
    ("Восемь процентов, сорок тумб добавляю в спецификацию", "40", None),
    ("Восемь процентов, сорок тумб добавляю в спецификацию", "тумб", None),
    ("Вечерняя доставка после шести вечера, без доплаты", "18:00", None),
    ("Шесть восемьсот на пять лет, индексация до пяти процентов", "6 800", None),
    ("Шесть восемьсот на пять лет, индексация до пяти процентов", "5 лет", None),
    ("Шесть восемьсот на пять лет, индексация до пяти процентов", "5%", None),
    ("Пятилетний договор аренды", "5 лет", None),
    ("Обеспечительный платёж — два месячных арендных платежа", "2 месяца", None),
    ("Передача по акту — тринадцатого июля", "13 июля", "2026-06-02"),
    ("Десять рублей пятьдесят копеек за кадр, с двойной проверкой", "10,50", None),
    ("Десять пятьдесят за кадр", "10,50", None),
    ("Сто двадцать пять на год, расходники входят", "125 000", None),
    ("Сто двадцать пять на год, расходники входят", "расходн", None),
    ("С двадцать седьмого", "27 апреля", "2026-04-16"),
    ("Поставка шести компрессоров по 1,2 миллиона рублей", "1,2", None),
    ("Обучение проведём до середины января", "январ", "2026-12-01"),
    ("Переразмечаем за свой счёт", "за свой счёт", None),
    ("First visit on the seventh of April, eight a.m.", "7 April", "2026-02-26"),
]


@pytest.mark.parametrize(("text", "term", "meeting"), STATED_EN + STATED_RU)
def test_a_term_stated_another_way_is_right(text: str, term: str, meeting: str | None) -> None:
    language = "ru" if re.search(r"[а-я]", term + text, re.I) else "en"
    assert right(text, term, meeting=meeting, language=language)


# (item text, term, meeting date): the item states something else
WRONG_EN = [
    ("Managed hosting at nineteen-two per month", "€19,500", None),
    ("Managed hosting at nineteen thousand two hundred a month", "€19,500", None),
    ("Managed hosting at 19,200 euros a month", "€19,500", None),
    ("Managed hosting with a three-year commitment", "two years", None),
    ("Two years at five seventy-five", "£5.25", None),
    ("The cutover moves to the weekend of the eighteenth", "October 17", "2026-09-16"),
    ("The cutover takes place on October 18", "October 17", "2026-09-16"),
    ("Tasting session on Wednesday next week", "February 17", "2026-02-09"),
    ("Tasting session at three p.m.", "2 p.m.", None),
    ("A twenty percent deposit holds the date", "25%", None),
    ("But I can give you two options", "£34,500", None),
    ("The suspended banner stays", "no suspended banner", None),
    ("Forty, including one retest round within ninety days", "44,000", None),
    ("Forty-four, including one retest round within ninety days", "40 days", None),
    ("The database is re-platformed", "lift and shift", None),
    ("A parallel run on the June payroll", "July 31", "2026-05-12"),
    ("Twenty-five percent deposit", "5%", None),
    # an hour is no day of the month
    ("First visit on the seventh of April, eight a.m.", "8 April", "2026-02-26"),
    ("First visit on the seventh of April, from eight in the morning", "8 April", "2026-02-26"),
]
WRONG_RU = [
    ("Могу предложить двести пятьдесят пять при объёме от трёх тысяч заказов", "265", None),
    ("Тогда старт — с понедельника, девятого июня.", "8 июня", "2026-05-20"),
    ("Тогда старт — с понедельника, восьмого июля.", "8 июня", "2026-05-20"),
    ("Старт поля пятого октября, итоговый отчёт — шестого ноября", "6 октября", "2026-09-17"),
    ("Два семьсот, цена фиксированная", "2 750 000", None),
    ("Миллион двести пятьдесят", "1 350 000", None),
    ("Шесть семьсот не могу. На пять лет — шесть восемьсот", "6 лет", None),
    ("На пять лет — шесть восемьсот, индексация до пяти процентов", "6%", None),
    ("Оплата — сорок процентов аванс, шестьдесят после акта", "30%", None),
    ("Дашборд берём вместе с презентацией", "без дашборда", None),
    ("Девять рублей пятьдесят копеек за кадр", "10,50", None),
    ("Передача по акту — тринадцатого июля", "13 июня", "2026-06-02"),
    ("С двадцать восьмого", "27 апреля", "2026-04-16"),
    ("Доставка после семи вечера", "18:00", None),
    ("Обеспечительный платёж — три месячных платежа", "2 месяца", None),
]


@pytest.mark.parametrize(("text", "term", "meeting"), WRONG_EN + WRONG_RU)
def test_a_different_number_or_date_is_wrong(text: str, term: str, meeting: str | None) -> None:
    language = "ru" if re.search(r"[а-я]", term + text, re.I) else "en"
    assert not right(text, term, meeting=meeting, language=language)


def test_the_items_due_date_states_a_date_term() -> None:
    assert right("The production cutover", "October 17", due=dt.date(2026, 10, 17), meeting="2026-09-16")
    assert not right("The production cutover", "October 17", due=dt.date(2026, 10, 18), meeting="2026-09-16")
    assert right("Старт этапа", "19 июня", due=dt.date(2026, 6, 19), meeting="2026-04-16", language="ru")


def test_every_term_must_be_stated() -> None:
    text = "Стороны договорились: Шесть восемьсот на пять лет, индексация до пяти процентов"
    assert bench.terms_right(text, ["6 800", "5 лет", "5%"], language="ru")
    assert not bench.terms_right(text, ["6 800", "5 лет", "5%", "2 месяца"], language="ru")
    assert not bench.terms_right("Если онлайн-оплату убрать из первого этапа",
                                  ["2 750 000", "фиксирован", "онлайн-оплат"], language="ru")


def _gold_agreements():
    for path in sorted(GOLD.glob("*/*.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        transcript = json.loads((path.parent / gold["transcript"]).read_text(encoding="utf-8"))
        said = {s["id"]: s["text"] for s in transcript["segments"]}
        for agreement in gold["agreements"]:
            if agreement.get("terms"):
                spoken = " ".join(said[s] for s in agreement["evidence"])
                yield pytest.param(gold, agreement, spoken, id=f"{path.stem}:{agreement['terms'][0]}")


@pytest.mark.parametrize(("gold", "agreement", "spoken"), list(_gold_agreements()))
def test_gold_agreements_and_what_was_said_state_their_terms(gold, agreement, spoken) -> None:
    """Every labelled agreement states its own terms, and so do the words said in the call it cites;
    with one digit of a number or a date changed, the call no longer states it."""
    meeting = dt.date.fromisoformat(gold["meeting_date"])
    language = gold["language"]
    due = dt.date.fromisoformat(agreement["due_date"]) if agreement["due_date"] else None
    assert bench.terms_right(agreement["text"], agreement["terms"], due=due, meeting_date=meeting,
                              language=language)
    assert bench.terms_right(spoken, agreement["terms"], meeting_date=meeting, language=language)
    for term in agreement["terms"]:
        digit = re.search(r"\d", term)
        if digit is None:
            continue
        for step in (1, 2, 5):
            changed = term[:digit.start()] + str((int(digit[0]) + step) % 10 or 1) + term[digit.end():]
            assert not bench.term_right(spoken, changed, meeting_date=meeting, language=language), changed
