"""Deadline phrases against a fixed meeting day: Wednesday 2026-11-25."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.extract.dates import find_due_phrases, resolve_due

WED = dt.date(2026, 11, 25)
FRI = dt.date(2026, 11, 27)

CASES = [
    ("до пятницы", "ru", WED, "2026-11-27"),
    ("к пятнице", "ru", WED, "2026-11-27"),
    ("в пятницу", "ru", WED, "2026-11-27"),
    ("by Friday", "en", WED, "2026-11-27"),
    ("до пятницы", "ru", FRI, "2026-12-04"),  # said on a Friday: next week's Friday
    ("на следующей неделе", "ru", WED, "2026-12-04"),
    ("next week", "en", WED, "2026-12-04"),
    ("к концу недели", "ru", WED, "2026-11-27"),
    ("by end of week", "en", WED, "2026-11-27"),
    ("к концу месяца", "ru", WED, "2026-11-30"),
    ("до конца месяца", "ru", WED, "2026-11-30"),
    ("by end of month", "en", WED, "2026-11-30"),
    ("end of the month", "en", WED, "2026-11-30"),
    ("через две недели", "ru", WED, "2026-12-09"),
    ("in two weeks", "en", WED, "2026-12-09"),
    ("через 3 дня", "ru", WED, "2026-11-28"),
    ("завтра", "ru", WED, "2026-11-26"),
    ("tomorrow", "en", WED, "2026-11-26"),
    ("послезавтра", "ru", WED, "2026-11-27"),
    ("до 15 декабря", "ru", WED, "2026-12-15"),
    ("by December 15th", "en", WED, "2026-12-15"),
    ("15.12", "ru", WED, "2026-12-15"),
    ("до 10.01.2027", "ru", WED, "2027-01-10"),
    ("до 1 ноября", "ru", WED, "2027-11-01"),  # already past this year
    ("end of Q1", "en", WED, "2027-03-31"),
    ("к концу квартала", "ru", WED, "2026-12-31"),
    ("до конца первого квартала", "ru", WED, "2027-03-31"),
    ("в понедельник", "ru", WED, "2026-11-30"),
    ("by next Wednesday", "en", WED, "2026-12-02"),
    ("в следующую среду", "ru", WED, "2026-12-02"),
    ("Thursday next week", "en", WED, "2026-12-03"),
    ("к концу года", "ru", WED, "2026-12-31"),
    ("today", "en", WED, "2026-11-25"),
]


@pytest.mark.parametrize(("phrase", "language", "meeting", "expected"), CASES)
def test_resolve_due(phrase: str, language: str, meeting: dt.date, expected: str) -> None:
    assert resolve_due(phrase, meeting, language) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("phrase", ["по средам", "в 15:00", "как можно скорее", ""])
def test_no_date_is_not_invented(phrase: str) -> None:
    assert resolve_due(phrase, WED, "ru") is None


def test_find_due_phrases_prefers_longest_and_keeps_order() -> None:
    text = "Хорошо, я пришлю договор до пятницы, а счёт — в следующую среду."
    assert find_due_phrases(text, "ru") == ["до пятницы", "в следующую среду"]
    assert find_due_phrases("I will send it by end of month.", "en") == ["by end of month"]
    assert find_due_phrases("Цена 2.5 миллиона, без сроков.", "ru") == []


@pytest.mark.parametrize(("text", "language", "phrase", "expected"), [
    ("Мы можем доставить товар двадцатого декабря.", "ru", "двадцатого декабря", dt.date(2026, 12, 20)),
    ("Оплата до двадцать первого января.", "ru", "до двадцать первого января", dt.date(2027, 1, 21)),
    ("Пришлю к третьему марта.", "ru", "к третьему марта", dt.date(2027, 3, 3)),
    ("We will deliver the first batch on March tenth.", "en", "on March tenth", dt.date(2027, 3, 10)),
    ("Sign it by the twenty-first of December.", "en", "by the twenty-first of December",
     dt.date(2026, 12, 21)),
])
def test_ordinal_word_dates(text: str, language: str, phrase: str, expected: dt.date) -> None:
    assert find_due_phrases(text, language) == [phrase]
    assert resolve_due(phrase, dt.date(2026, 11, 25), language) == expected


@pytest.mark.parametrize("text", ["We may first check the budget.", "In the first week we test.",
                                  "Второго раунда не будет."])
def test_ordinal_words_without_month_are_not_dates(text: str) -> None:
    assert find_due_phrases(text, "en") == []
