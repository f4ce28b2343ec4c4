"""Whether a predicted agreement states a gold agreement's terms, by value rather than spelling.

Used by ``bench/extract.py`` for its "terms right" row; tested in tests/test_bench_terms.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import unicodedata

from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.numbers import month_numbers, number_values

# Terms right. A gold term ("€19,200", "two years", "October 17", "8 июня", "без дашборда") is compared
# with the predicted agreement by value, not by spelling, since agreements are written from speech
# ("nineteen-two", "a two-year commitment", "the seventeenth", "восьмого июня"):
# * a number is right when the item states the same value, in digits or words (EN, RU), also as it is
#   said in shorthand: "nineteen-two" = 19,200, "шесть восемьсот" = 6 800, "four twenty-five" = 425,
#   "десять пятьдесят" = 10,50, or with the thousand or million left unsaid ("forty-four" = 44,000,
#   "сто двадцать пять" = 125 000, "60 thousand" = "60"); a currency, "%" or "процентов" is not compared;
#   a number with a unit ("two years", "5 лет", "option two") needs the unit within three words of it;
# * a time ("2 p.m.", "18:00", "10:00–22:00") is right when the hour is stated, on either clock;
# * a date is right when the item's due date is that day, a deadline phrase in the item resolves to it
#   from the meeting day ("Tuesday next week"), or the item names that day next to that month, or that
#   day and no month at all ("the seventeenth", as the call said it); a month alone when it is named;
# * the words of a term must all be in the item up to inflection (a shared prefix of up to five
#   letters: "фиксирован" / "фиксированной", "years" / "two-year"); a negation matches any negation
#   ("без дашборда" / "дашборд не берём", "no suspended banner" / "the banner is dropped").
# Words are read by support.number_values and month_numbers (the product's own readers); what they do
# not read (hundreds like "восемьсот", "seventeenth", "двухчасовые", grouped digits "19,200" and
# "1 350 000", hundreds with tens "триста пятьдесят", the order of spoken numbers) is handled here.
_TERM_TOKEN = re.compile(
    r"(?P<time>(?<![\d:])\d{1,2}:\d{2}(?![\d:]))"
    r"|(?P<grouped>(?<![\d.,])\d{1,3}(?:(?:,|[ \u00a0\u202f])\d{3})+(?!\d|[.,]\d))"
    r"|(?P<num>\d+(?:[.,]\d+)?)"
    r"|(?P<word>[a-zа-я]+)"
    r"|(?P<stop>[.,;:!?…—–()/«»\"%€$£₽]|\s-\s)"
)
# number words support.number_values misses or misreads ("восемьсот" as 8)
_HUNDREDS_RU = {"четыреста": 400, "четырехсот": 400, "шестьсот": 600, "шестисот": 600, "семьсот": 700,
                "семисот": 700, "восемьсот": 800, "восьмисот": 800, "девятьсот": 900, "девятисот": 900}
_ORDINALS_EN = {"thirteenth": 13, "fourteenth": 14, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
                "nineteenth": 19}
_MULTIPLIER_WORDS = {"тыс": 1000.0, "k": 1000.0, "млн": 1e6}
# "двухчасовые", "пятилетний": a number joined to a unit
_COMPOUND_RU = (("двенадцати", 12), ("четырех", 4), ("десяти", 10), ("девяти", 9), ("восьми", 8),
                ("шести", 6), ("двух", 2), ("трех", 3), ("пяти", 5), ("семи", 7), ("одно", 1))
_COMPOUND_UNITS = ("час", "днев", "недел", "месяч", "лет", "годи", "годов", "процент", "минут", "разов",
                   "кратн", "сменн")
# words a term's value is written with: not compared ("€" = "euros", "руб." = "рублей", "%" = "процентов")
_UNIT_WORDS = ("руб", "рубл", "коп", "евро", "euro", "eur", "dollar", "usd", "pound", "gbp", "процент",
               "percent", "cent", "тыс", "тысяч", "млн", "миллион", "thousand", "million")
_CURRENCY = ("руб", "рубл", "евро", "euro", "dollar", "pound", "buck", "quid")
_SUBUNIT = ("коп", "cent", "pence", "penny")
_NEGATION = {"no", "not", "without", "none", "без", "не", "нет"}
_NEGATION_STEMS = ("drop", "remov", "exclud", "убра", "убир", "исключ", "отказ")
_TERM_SKIP = {"the", "and", "an", "of", "и"}
_ALTERNATIONS = (("месяч", "месяц"),)  # "два месячных платежа" states "2 месяца"
_UNIT_REACH = 3  # tokens between a number and its unit ("two-year", "двух фокус-групп", "the second option")


def _word_value(word: str) -> tuple[float, str, str] | None:
    """(value, kind, rest) of a number word: kind "mult" (thousand), "hundred" (English "hundred", which
    multiplies what comes before), "" for the rest; rest is the unit of a compound ("двухчасовые")."""
    if word in _MULTIPLIER_WORDS:
        return _MULTIPLIER_WORDS[word], "mult", ""
    if word == "hundred":
        return 100.0, "hundred", ""
    if word in _ORDINALS_EN:
        return float(_ORDINALS_EN[word]), "", ""
    for stem, value in _HUNDREDS_RU.items():
        if word.startswith(stem):
            return float(value), "", ""
    values = number_values(word)
    if len(values) == 1:
        number = float(next(iter(values)))
        return number, "mult" if number in (1000.0, 1e6) else "", ""
    for prefix, value in _COMPOUND_RU:
        rest = word[len(prefix):]
        if word.startswith(prefix) and rest.startswith(_COMPOUND_UNITS):
            return float(value), "", rest
    return None


@dataclasses.dataclass
class _Number:
    at: int  # index of its last token
    value: float  # as said
    readings: set[float]  # every value it may mean (shorthand readings too)
    alone: bool = True  # not said next to another number ("шесть" of "шесть восемьсот" is not)


@dataclasses.dataclass
class _Stated:
    """What a text states: its spoken or written numbers and its words, with their token positions."""

    numbers: list[_Number]
    words: list[tuple[int, str]]  # the other words (the unit of "двухчасовые" too)
    stops: set[int]  # where punctuation is
    percent: set[int]  # where "%" or a percent word is

    @property
    def readings(self) -> set[float]:
        return set().union(*(n.readings for n in self.numbers))

    @property
    def word_set(self) -> set[str]:
        # each two neighbours written together too ("up front" = "upfront")
        plain = [w for _, w in self.words]
        return set(plain) | {a + b for a, b in zip(plain, plain[1:], strict=False)}


def _combine(run: list[tuple[int, float, str]]) -> list[_Number]:
    """Consecutive number tokens (index, value, kind) → spoken numbers: "nineteen thousand two hundred"
    → 19200; "nineteen two" → 19, 2; "миллион триста пятьдесят" → 1 000 350, or 1 350 000."""
    out: list[_Number] = []
    total, cur, last_mult, at = 0.0, None, 0.0, 0

    def flush() -> None:
        nonlocal total, cur, last_mult
        if total or cur is not None:
            value = total + (cur or 0.0)
            readings = {value}
            if last_mult >= 1e6 and cur is not None and cur < 1000:  # the thousand left unsaid
                readings.add(total + cur * last_mult / 1000)
            out.append(_Number(at, value, readings))
        total, cur, last_mult = 0.0, None, 0.0

    for index, value, kind in run:
        if kind == "time":
            flush()
            at = index
            out.append(_Number(index, value, {value}))
            continue
        if kind == "mult":
            if last_mult and value >= last_mult:
                flush()
            total += (cur if cur is not None else 1.0) * value
            cur, last_mult = None, value
        elif kind == "hundred":
            cur = (cur if cur is not None else 1.0) * 100
        elif cur is None:
            cur = value
        elif value.is_integer() and cur.is_integer() and (
            (cur >= 100 and cur % 100 == 0 and value < 100)  # триста пятьдесят, сто двадцать
            or (cur % 10 == 0 and cur % 100 >= 20 and value < 10)  # twenty five, сто двадцать пять
        ):
            cur += value
        else:
            flush()
            cur = value
        at = index
    flush()
    return out


def _shorthand(a: float, b: float) -> set[float]:
    """Two numbers said one after the other as one amount: "nineteen two" (19 200), "шесть восемьсот"
    (6 800), "four twenty-five" (425), "десять пятьдесят" (10.50)."""
    if not (a.is_integer() and b.is_integer() and 1 <= a < 1000 and 1 <= b < 1000):
        return set()
    joined = float(f"{int(a)}{int(b)}")
    out = {joined * 10**k for k in range(4)}
    if 10 <= b < 100:
        out.add(a + b / 100)
    return out


def _stated_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("ё", "е")


def _stated(text: str) -> _Stated:
    tokens: list[tuple[str, float, str]] = []  # ("n", value, kind) | ("w", 0, word) | ("stop", 0, "")
    for m in _TERM_TOKEN.finditer(_stated_text(text)):
        if m["time"]:
            tokens.append(("n", float(m["time"].split(":")[0]), "time"))
        elif m["grouped"]:
            tokens.append(("n", float(re.sub(r"\D", "", m["grouped"])), ""))
        elif m["num"]:
            tokens.append(("n", float(m["num"].replace(",", ".")), ""))
        elif m["word"]:
            read = _word_value(m["word"])
            if read is None:
                tokens.append(("w", 0.0, m["word"]))
            else:
                tokens.append(("n", read[0], read[1]))
                if read[2]:
                    tokens.append(("w", 0.0, read[2]))
        else:
            tokens.append(("stop", 0.0, m["stop"].strip()))
    numbers: list[_Number] = []
    runs: list[tuple[int, int, list[_Number]]] = []  # (first, last token, its numbers)
    i = 0
    while i < len(tokens):
        if tokens[i][0] != "n":
            i += 1
            continue
        j = i
        while j < len(tokens) and tokens[j][0] == "n":
            j += 1
        said = _combine([(k, tokens[k][1], tokens[k][2]) for k in range(i, j)])
        for first, second in zip(said, said[1:], strict=False):
            both = _shorthand(first.value, second.value)
            first.readings |= both
            second.readings |= both
            first.alone = second.alone = False
        runs.append((i, j - 1, said))
        numbers += said
        i = j
    # "десять рублей пятьдесят копеек", "ten dollars fifty cents"
    for (_, end, said), (start, end2, said2) in zip(runs, runs[1:], strict=False):
        between = [t[2] for t in tokens[end + 1:start]]
        after = tokens[end2 + 1][2] if end2 + 1 < len(tokens) else ""
        if (len(between) == 1 and between[0].startswith(_CURRENCY) and after.startswith(_SUBUNIT)
                and said2[0].value < 100):
            said[-1].readings.add(said[-1].value + said2[0].value / 100)
    words = [(k, t[2]) for k, t in enumerate(tokens) if t[0] == "w"]
    stops = {k for k, t in enumerate(tokens) if t[0] == "stop"}
    percent = {k for k, t in enumerate(tokens) if t[2] == "%" or t[2].startswith(("процент", "percent"))}
    return _Stated(numbers, words, stops, percent)


def _same_value(value: float, readings: set[float]) -> bool:
    # a thousand or a million may be left unsaid on either side ("forty-four" for $44,000)
    return any(
        math.isclose(value, r * scale, rel_tol=1e-9) or math.isclose(value * scale, r, rel_tol=1e-9)
        for r in readings
        for scale in (1.0, 1000.0, 1e6)
    )


def _stem_key(word: str) -> str:
    for said, written in _ALTERNATIONS:
        if word.startswith(said):
            word = written + word[len(said):]
    return word


def _same_word(term_word: str, words: set[str]) -> bool:
    if term_word in _NEGATION:
        return any(w in _NEGATION or w.startswith(_NEGATION_STEMS) for w in words)
    a = _stem_key(term_word)
    for w in words:
        b = _stem_key(w)
        if a == b:
            return True
        if len(a) < 3 or len(b) < 3:
            continue
        # a light stem: the shared prefix covers up to five letters of both (a one-letter ending aside)
        need = max(3, min(5, len(a) - 1, len(b) - 1))
        if a[:need] == b[:need]:
            return True
    return False


def _compared(word: str) -> bool:
    return len(word) > 1 and word not in _TERM_SKIP and not word.startswith(_UNIT_WORDS)


_DAYTIME = {"morning", "evening", "afternoon"}
_TIME_WORDS = {"a", "am", "p", "pm", "o'clock", "oclock", "hours", "hour", "утра", "вечера", "дня", "часов",
               "часа", "час"}


def _date_right(said: _Stated, text: str, months: set[int], days: list[int], due: dt.date | None,
                meeting_date: dt.date | None, language: str) -> bool:
    named: set[tuple[int, int]] = set()  # (month, day) the item's due date and deadline phrases mean
    if due is not None:
        named.add((due.month, due.day))
    if meeting_date is not None:
        for phrase in find_due_phrases(text, language):
            resolved = resolve_due(phrase, meeting_date, language)
            if resolved is not None:
                named.add((resolved.month, resolved.day))
    month_at = [(k, int(m)) for k, w in said.words for m in month_numbers(w)]
    if not days:  # a month alone ("June", "январ")
        return bool(months & ({m for _, m in month_at} | {m for m, _ in named}))
    # each day the item names goes with the month word nearest to it, or with none if it names no month;
    # an hour is no day ("the seventh of April, eight a.m." does not say "8 April")
    after = dict(said.words)
    for n in said.numbers:
        if after.get(n.at + 1, "").lower() in _TIME_WORDS or (
                after.get(n.at + 1) == "in" and after.get(n.at + 3, "").lower() in _DAYTIME):
            continue
        if n.value.is_integer() and 1 <= n.value <= 31:
            if not month_at:
                named |= {(m, int(n.value)) for m in months}
                continue
            nearest = min(abs(k - n.at) for k, _ in month_at)
            named |= {(m, int(n.value)) for k, m in month_at if abs(k - n.at) == nearest}
    return all(any((m, d) in named for m in months) for d in days)


def term_right(
    text: str,
    term: str,
    *,
    due: dt.date | None = None,
    meeting_date: dt.date | None = None,
    language: str = "en",
) -> bool:
    """Whether the agreement ``text`` (due on ``due``) states the gold ``term``; see the notes above."""
    said, wanted = _stated(text), _stated(term)
    months = {int(m) for m in month_numbers(term)}
    if months:
        days = [int(n.value) if n.value.is_integer() else 0 for n in wanted.numbers if n.value < 1000]
        return _date_right(said, text, months, days, due, meeting_date, language)
    if re.search(r"\d:\d\d|\b[ap]\.?\s?m\b", _stated_text(term)):  # a time: the hour, on either clock
        return bool(wanted.numbers) and all(
            any(0 <= h <= 24 and h in said.readings for h in (n.value, n.value - 12, n.value + 12))
            for n in wanted.numbers
        )
    for n in wanted.numbers:
        found = [m for m in said.numbers if _same_value(n.value, m.readings)]
        if wanted.percent:
            # a percentage is said on its own or as a percentage ("тридцать процентов аванс, семьдесят
            # после"), not as a part of an amount ("шесть" of "шесть восемьсот")
            found = [m for m in found if m.alone or {m.at + 1, m.at + 2} & said.percent]
        if not found:
            return False
        # its unit: the term's word right after the number (else right before), said near the number
        # with no punctuation between ("пять лет — шесть восемьсот" does not say "6 лет")
        units = [w for k, w in wanted.words if k == n.at + 1 and _compared(w)] or [
            w for k, w in wanted.words if k == n.at - 1 and _compared(w)]
        if units and not any(
            _same_word(units[0], {w})
            for m in found
            for k, w in said.words
            if abs(k - m.at) <= _UNIT_REACH and not said.stops & set(range(min(k, m.at), max(k, m.at)))
        ):
            return False
    words = said.word_set
    return all(_same_word(w, words) for _, w in wanted.words if _compared(w))


def terms_right(
    text: str,
    terms: list[str],
    *,
    due: dt.date | None = None,
    meeting_date: dt.date | None = None,
    language: str = "en",
) -> bool:
    return all(term_right(text, t, due=due, meeting_date=meeting_date, language=language) for t in terms)
