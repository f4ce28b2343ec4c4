"""Contacts dictated aloud, as a recogniser writes them down.

People read a phone number out in words, in groups ("plus four four, seven seven double-oh, nine
double-oh, four five six"; "плюс семь, девятьсот шестнадцать, пятьсот пятьдесят пять, двенадцать,
тридцать четыре") and spell an address in their own script ("т точка кравец, собака, заречное точка
ру"). These read them back: +44 7700 900 456, +7 916 555 12 34, t.kravets@zarechnoe.ru. Pure: no I/O.
"""

from __future__ import annotations

import re

from summarizer.extract.participant_patterns import transliterate

_EN_DIGITS = {"zero": 0, "oh": 0, "o": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4,
              "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_RU_UNITS = {"ноль": 0, "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
             "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "одиннадцать": 11,
             "двенадцать": 12,
             "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15, "шестнадцать": 16, "семнадцать": 17,
             "восемнадцать": 18, "девятнадцать": 19, "двадцать": 20, "тридцать": 30, "сорок": 40,
             "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90,
             "сто": 100, "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500, "шестьсот": 600,
             "семьсот": 700, "восемьсот": 800, "девятьсот": 900}
_REPEAT = {"double": 2, "triple": 3}
# Where a dictated number starts: "plus…", or right after a word that announces one.
_START = re.compile(r"\b(?:plus|плюс)\s|\b(?:phone|mobile|number|cell|телефон\w*|мобильн\w*|номер\w*)\b"
                    r"[^.!?\d]{0,25}?(?=\b(?:plus|плюс|zero|oh|one|two|three|four|five|six|seven|eight|nine|ноль|"
                    r"восемь|семь|девять)\b)", re.IGNORECASE)
_WORD = re.compile(r"[a-zа-яё]+(?:-[a-zа-яё]+)?|,", re.IGNORECASE)
_MIN_DIGITS, _MAX_DIGITS = 10, 13


def dictated_phones(text: str) -> list[tuple[str, int]]:
    """(phone, offset) for each number read out in words in ``text``."""
    found: list[tuple[str, int]] = []
    for start in _START.finditer(text):
        plus = bool(re.search(r"\b(?:plus|плюс)\s*$", start.group(0), re.IGNORECASE))
        groups = _groups(text[start.end():])
        if _MIN_DIGITS <= len("".join(groups)) <= _MAX_DIGITS:
            found.append((("+" if plus else "") + " ".join(groups), start.start()))
    return found


def _groups(text: str) -> list[str]:
    """The digit groups said from the start of ``text`` until a word that is no digit."""
    groups: list[str] = []
    current: list[str] = []  # digits of the group being said
    ru_value: int | None = None  # a Russian group said as a number ("девятьсот шестнадцать")
    ru_lead_zero = False
    repeat = 1

    def close() -> None:
        nonlocal ru_value, ru_lead_zero
        if ru_value is not None:
            current.append(("0" if ru_lead_zero else "") + str(ru_value))
        if current:
            groups.append("".join(current))
        current.clear()
        ru_value, ru_lead_zero = None, False

    for m in _WORD.finditer(text):
        word = m.group(0).lower()
        if word == ",":
            close()
            continue
        parts = word.split("-")
        if parts[0] in _REPEAT and len(parts) == 2 and parts[1] in _EN_DIGITS:
            current.append(str(_EN_DIGITS[parts[1]]) * _REPEAT[parts[0]])
            continue
        if word in _REPEAT:
            repeat = _REPEAT[word]
            continue
        if word in _EN_DIGITS:
            current.append(str(_EN_DIGITS[word]) * repeat)
            repeat = 1
            continue
        if word in _RU_UNITS:
            value = _RU_UNITS[word]
            if value == 0 and ru_value is None:
                ru_lead_zero = True
                continue
            if ru_value is not None and value >= 10 and ru_value % 10 == 0 and ru_value > value:
                ru_value += value  # "девятьсот шестнадцать"
            elif ru_value is not None and value < 10 and ru_value % 10 == 0 and ru_value >= 20:
                ru_value += value  # "тридцать четыре"
            else:
                if ru_value is not None:
                    close()
                ru_value = value
            continue
        break
    close()
    return groups


_RU_SPELLED_EMAIL = re.compile(
    r"(?<![а-яё-])(?P<user>[а-яё]+(?:\s+точка\s+[а-яё]+)*),?\s+собака,?\s+"
    r"(?P<host>[а-яё-]+(?:\s+точка\s+[а-яё-]+)+)(?![а-яё-])", re.IGNORECASE)


def spelled_emails(text: str) -> list[tuple[str, int]]:
    """(address, offset) for an address spelled in Cyrillic: "т точка кравец, собака, заречное точка ру"."""
    found = []
    for m in _RU_SPELLED_EMAIL.finditer(text):
        user = ".".join(transliterate(w) for w in re.split(r"\s+точка\s+", m["user"], flags=re.IGNORECASE))
        host = ".".join(transliterate(w) for w in re.split(r"\s+точка\s+", m["host"], flags=re.IGNORECASE))
        found.append((f"{user}@{host}".lower(), m.start()))
    return found
