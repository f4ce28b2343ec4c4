"""Deadlines as people really say them (issue 12): month ends and middles, "latest by", days of the
month, in English and Russian; resolved against a meeting on Wednesday 2027-02-03."""

from __future__ import annotations

import datetime as dt

import pytest

from summarizer.extract.dates import find_due_phrases, resolve_due

MEETING = dt.date(2027, 2, 3)

SPOKEN = [
    ("I will send it by February end.", "en", "by February end", "2027-02-28"),
    ("We need the draft by the end of February.", "en", "by the end of February", "2027-02-28"),
    ("Please have it by the mid of February at the latest.", "en", "by the mid of February", "2027-02-15"),
    ("Send the numbers latest by 10th, please.", "en", "latest by 10th", "2027-02-10"),
    ("It should be ready by the 1st.", "en", "by the 1st", "2027-03-01"),  # the 1st has passed: next month
    ("We ship in mid-March.", "en", "in mid-March", "2027-03-15"),
    ("Send it by the tenth, please.", "en", "by the tenth", "2027-02-10"),
    ("Оплатим к 10-му числу.", "ru", "к 10-му числу", "2027-02-10"),
    ("the ELG paper is due next Friday, Feb 21.", "en", "due next Friday", "2027-02-12"),
    ("We close it by the end of January.", "en", "by the end of January", "2028-01-31"),  # already past
    ("Отчёт пришлю в середине февраля.", "ru", "в середине февраля", "2027-02-15"),
    ("Счёт выставим в конце месяца.", "ru", "в конце месяца", "2027-02-28"),
    ("Оплату проведём не позднее 10-го.", "ru", "не позднее 10-го", "2027-02-10"),
    ("Договор подпишем до десятого числа.", "ru", "до десятого числа", "2027-02-10"),
    ("Доступы дадим не позднее пятнадцатого.", "ru", "не позднее пятнадцатого", "2027-02-15"),
    ("Запуск — в конце следующего месяца.", "ru", "в конце следующего месяца", "2027-03-31"),
    ("Поставка к концу марта.", "ru", "к концу марта", "2027-03-31"),
]


@pytest.mark.parametrize(("sentence", "language", "phrase", "expected"), SPOKEN)
def test_spoken_deadline_is_found_and_resolved(sentence: str, language: str, phrase: str,
                                               expected: str) -> None:
    found = find_due_phrases(sentence, language)
    assert found[:1] == [phrase], found
    assert resolve_due(phrase, MEETING, language) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize("sentence", [
    "до десятого класса он учился в Москве",  # an ordinal without "числа" is not a day
    "the 10th item on the list",
    "we met in February",
])
def test_ordinals_and_months_alone_are_no_deadline(sentence: str) -> None:
    assert find_due_phrases(sentence, "ru" if "до" in sentence else "en") == []
