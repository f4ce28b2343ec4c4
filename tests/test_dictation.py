"""Contacts read out in words (dev samples: a UK mobile, a Russian mobile, an address spelled in Cyrillic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.extract.dictation import dictated_phones, spelled_emails
from summarizer.extract.offline import extract_offline
from summarizer.transcript import Transcript

DEV = Path(__file__).resolve().parent.parent / "samples" / "gold" / "dev"


@pytest.mark.parametrize(("said", "number"), [
    ("If the line drops, my mobile is plus four four, seven seven double-oh, nine double-oh, four five six.",
     "+44 7700 900 456"),
    ("Запишите сразу мой мобильный: плюс семь, девятьсот шестнадцать, пятьсот пятьдесят пять, двенадцать, "
     "тридцать четыре.", "+7 916 555 12 34"),
    ("Мой телефон восемь, девятьсот шестнадцать, пятьсот сорок два, семнадцать, ноль девять.",
     "8 916 542 17 09"),
    ("Call me on oh two oh, seven nine four six, oh nine five eight.", None),  # 11 digits but no cue word
    ("My number is oh two oh, seven nine four six, oh nine five eight.", "020 7946 0958"),
])
def test_a_number_read_out_in_words_is_written_back(said: str, number: str | None) -> None:
    assert [n for n, _ in dictated_phones(said)] == ([number] if number else [])


@pytest.mark.parametrize("said", [
    "We plus two more people, that's twelve.",
    "Plus four percent on top of the base price.",
    "Number one, two and three are fine.",
    "Плюс семь процентов к цене.",
    "Номер договора — сто двадцать.",
])
def test_numbers_that_are_no_phone_are_left_alone(said: str) -> None:
    assert dictated_phones(said) == []


def test_an_address_spelled_in_cyrillic_is_written_in_latin() -> None:
    said = "Почту сразу продиктую: т точка кравец, собака, заречное точка ру."
    assert [a for a, _ in spelled_emails(said)] == ["t.kravets@zarechnoe.ru"]
    assert spelled_emails("Собака лает, точка.") == []
    assert spelled_emails("У нас собака живёт на складе.") == []


def test_dictated_contacts_reach_the_participants_table() -> None:
    stand = Transcript.from_json((DEV / "en_trade_show_stand.json").read_text(encoding="utf-8"))
    greg = next(p for p in extract_offline(stand).participants if p.name == "Greg Turner")
    assert greg.phone == "+44 7700 900 456"
    research = Transcript.from_json((DEV / "ru_market_research.json").read_text(encoding="utf-8"))
    tatiana = next(p for p in extract_offline(research).participants if p.name.startswith("Татьяна"))
    assert tatiana.email == "t.kravets@zarechnoe.ru"
