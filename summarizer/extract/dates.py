"""Deadline phrases ("до пятницы", "by end of month") → calendar dates.

A rule table handles the phrases people actually say in meetings, so the result does not depend on
a parser's guess; ``dateparser`` is the fallback for anything else. Conventions, fixed so that a
reviewer can predict the date:

* a bare weekday ("до пятницы", "к пятнице", "в пятницу", "by Friday", "on Monday") is the *next*
  occurrence after the meeting day; said on a Friday, "до пятницы" means next week's Friday;
* "следующая среда" / "next Wednesday" is that weekday in the next calendar week (Mon–Sun);
* "на следующей неделе" / "next week" is the Friday of next week (the working week's deadline);
* "к концу недели" / "by end of week" is this week's Friday (next week's when said on a weekend);
* "к концу месяца" / "end of the month" is the last day of the meeting's month; "end of next month"
  the last day of the next one;
* a quarter ("end of Q1", "до конца первого квартала") is its last day, in the first year in which
  that day is not before the meeting; "к концу квартала" is the current quarter's last day;
* a day and month without a year ("до 15 декабря", "15.12") is the next such date on or after the
  meeting day;
* "через N дней/недель/месяцев", "in N days/weeks" count from the meeting day;
* a named month's end or middle ("by the end of February", "by February end", "в конце февраля",
  "by the mid of February", "в середине месяца") is its last day or its 15th, in the first year in which
  that day is not before the meeting; "at the latest" / "не позднее" add nothing to the date;
* a bare day of the month ("latest by 10th", "не позднее 10-го", "до десятого числа", "by the 10th")
  is the next such day on or after the meeting day (this month, else the next).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------
_WEEKDAYS: list[tuple[str, str]] = [  # (Russian stem pattern, English name) Monday first
    (r"понедельник\w*", "monday"),
    (r"вторник\w*", "tuesday"),
    (r"сред[аеуыо]й?", "wednesday"),
    (r"четверг\w*", "thursday"),
    (r"пятниц\w*", "friday"),
    (r"суббот\w*", "saturday"),
    (r"воскресень\w*", "sunday"),
]
_MONTHS: list[tuple[str, str]] = [
    (r"январ[ьяею]\w*", "january|jan"),
    (r"феврал[ьяею]\w*", "february|feb"),
    (r"март[аеу]?", "march|mar"),
    (r"апрел[ьяею]\w*", "april|apr"),
    (r"ма[йяею]", "may"),
    (r"июн[ьяею]\w*", "june|jun"),
    (r"июл[ьяею]\w*", "july|jul"),
    (r"август[аеу]?", "august|aug"),
    (r"сентябр[ьяею]\w*", "september|sept|sep"),
    (r"октябр[ьяею]\w*", "october|oct"),
    (r"ноябр[ьяею]\w*", "november|nov"),
    (r"декабр[ьяею]\w*", "december|dec"),
]
_NUMBERS: dict[str, int] = {
    "один": 1, "одну": 1, "одного": 1, "a": 1, "an": 1, "one": 1,
    "два": 2, "две": 2, "двух": 2, "пару": 2, "пара": 2, "two": 2, "couple": 2, "a couple of": 2,
    "три": 3, "трёх": 3, "трех": 3, "three": 3,
    "четыре": 4, "четырёх": 4, "четырех": 4, "four": 4,
    "пять": 5, "пяти": 5, "five": 5, "шесть": 6, "six": 6, "семь": 7, "seven": 7,
    "десять": 10, "ten": 10,
}
_ORDINAL_QUARTERS: dict[str, int] = {
    "перв": 1, "втор": 2, "трет": 3, "четв": 4, "1": 1, "2": 2, "3": 3, "4": 4,
    "first": 1, "second": 2, "third": 3, "fourth": 4,
}

# Days said as ordinal words ("двадцатого декабря", "March tenth"): speech recognisers often write
# them out, Russian ones nearly always. Stem/word → day; tens ("двадцать первого") are added.
_ORDINAL_DAYS_RU: dict[str, int] = {
    "перв": 1, "втор": 2, "трет": 3, "четв[её]рт": 4, "пят": 5, "шест": 6, "седьм": 7, "восьм": 8,
    "девят": 9, "десят": 10, "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13, "четырнадцат": 14,
    "пятнадцат": 15, "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18, "девятнадцат": 19,
    "двадцат": 20, "тридцат": 30,
}
_ORDINAL_DAYS_EN: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}
_ORD_RU = (r"(?:(?P<tens>двадцать|тридцать)\s+)?(?P<ord>" + "|".join(_ORDINAL_DAYS_RU)
           + r")(?:ого|ое|ьего|ье|ому|ьему)")
_ORD_EN = (r"(?:(?P<tens2>twenty|thirty)[-\s])?(?P<ord2>" + "|".join(_ORDINAL_DAYS_EN) + r")")
_ORD_RU_BARE = (r"(?:(?:двадцать|тридцать)\s+)?(?:" + "|".join(_ORDINAL_DAYS_RU)
                + r")(?:ого|ое|ьего|ье|ому|ьему)")
# Full English month names only, and "May" capitalised: "we may first check" is not a date.
_MONTH_EN_FULL = ("january|february|march|april|(?-i:May)|june|july|august|september|october|november|"
                  "december")

_MONTH_RU_ANY = "|".join(f"(?:{ru})" for ru, _ in _MONTHS)
_MONTH_EN_ANY = "|".join(en for _, en in _MONTHS)
_WD_RU = "|".join(f"(?:{ru})" for ru, _ in _WEEKDAYS)
_WD_EN = "|".join(en for _, en in _WEEKDAYS)
_MONTH_ANY = "|".join(f"(?:{ru})|(?:{en})" for ru, en in _MONTHS)
_NUM = r"\d+|" + "|".join(sorted((re.escape(k) for k in _NUMBERS), key=len, reverse=True))
_PREP_RU = r"(?:(?:не\s+позднее|до|к|в|во|на|по)\s+)"
_PREP_EN = r"(?:(?:by|before|until|till|on|no\s+later\s+than|due)\s+)"


def _weekday_index(word: str) -> int:
    low = word.lower()
    for index, (ru, en) in enumerate(_WEEKDAYS):
        if re.fullmatch(ru, low) or low == en:
            return index
    raise ValueError(word)


def _month_index(word: str) -> int:
    low = word.lower().rstrip(".")
    for index, (ru, en) in enumerate(_MONTHS, start=1):
        if re.fullmatch(ru, low) or re.fullmatch(en, low):
            return index
    raise ValueError(word)


def _number(word: str) -> int:
    low = word.lower()
    return int(low) if low.isdigit() else _NUMBERS[low]


# --------------------------------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------------------------------
def _next_weekday(base: dt.date, weekday: int) -> dt.date:
    """The next given weekday strictly after ``base`` (said on a Friday, Friday is next week's)."""
    days = (weekday - base.weekday()) % 7 or 7
    return base + dt.timedelta(days=days)


def _weekday_next_week(base: dt.date, weekday: int) -> dt.date:
    monday_next = base - dt.timedelta(days=base.weekday()) + dt.timedelta(days=7)
    return monday_next + dt.timedelta(days=weekday)


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(base: dt.date, months: int) -> dt.date:
    month0 = base.month - 1 + months
    year, month = base.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(base.day, calendar.monthrange(year, month)[1]))


def _end_of_quarter(base: dt.date, quarter: int | None) -> dt.date:
    current = (base.month - 1) // 3 + 1
    q = quarter or current
    end = _end_of_month(base.year, q * 3)
    return end if end >= base else _end_of_month(base.year + 1, q * 3)


def _day_month(base: dt.date, day: int, month: int, year: int | None) -> dt.date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        candidate = dt.date(year or base.year, month, day)
    except ValueError:
        return None
    if year is None and candidate < base:
        candidate = candidate.replace(year=base.year + 1)
    return candidate


# --------------------------------------------------------------------------------------------------
# Rule table: (pattern, resolver). Patterns are searched case-insensitively; the first match that
# resolves wins, so more specific rules come first.
# --------------------------------------------------------------------------------------------------
Resolver = Callable[[re.Match[str], dt.date], dt.date | None]


@dataclass(frozen=True)
class DueRule:
    name: str
    pattern: re.Pattern[str]
    resolve: Resolver


def _rule(name: str, pattern: str, resolve: Resolver) -> DueRule:
    return DueRule(name, re.compile(pattern, re.IGNORECASE), resolve)


def _quarter_of(m: re.Match[str]) -> int | None:
    raw = (m.groupdict().get("q") or "").lower()
    for key, value in _ORDINAL_QUARTERS.items():
        if raw.startswith(key):
            return value
    return None


def _in_units(m: re.Match[str], base: dt.date) -> dt.date:
    count = _number(m["n"]) if m["n"] else 1
    unit = m["unit"].lower()
    if unit.startswith(("недел", "week")):
        return base + dt.timedelta(weeks=count)
    if unit.startswith(("месяц", "month")):
        return _add_months(base, count)
    return base + dt.timedelta(days=count)


def _explicit_date(m: re.Match[str], base: dt.date) -> dt.date | None:
    year = int(m["y"]) if m.groupdict().get("y") else None
    return _day_month(base, int(m["d"]), _month_index(m["m"]), year)


def _ordinal_day(m: re.Match[str]) -> int:
    if m["ord"]:
        word = m["ord"].lower()
        day = next(v for k, v in _ORDINAL_DAYS_RU.items() if re.fullmatch(k, word))
        tens = {"двадцать": 20, "тридцать": 30}.get((m["tens"] or "").lower(), 0)
    else:
        day = _ORDINAL_DAYS_EN[m["ord2"].lower()]
        tens = {"twenty": 20, "thirty": 30}.get((m["tens2"] or "").lower(), 0)
    return tens + day


def _ordinal_date(m: re.Match[str], base: dt.date) -> dt.date | None:
    return _day_month(base, _ordinal_day(m), _month_index(m["m"]), None)


def _numeric_date(m: re.Match[str], base: dt.date) -> dt.date | None:
    year = int(m["y"]) if m["y"] else None
    return _day_month(base, int(m["d"]), int(m["m"]), year)


def _month_part(m: re.Match[str], base: dt.date) -> dt.date | None:
    """The end or the middle of a named month (or of the current/next one), not before the meeting."""
    groups = m.groupdict()
    word = groups.get("m") or groups.get("m2")
    middle = bool(groups.get("mid") or groups.get("mid2"))
    if word:
        month = _month_index(word)
        year = base.year
    else:
        nxt = bool(groups.get("next"))
        target = _add_months(base.replace(day=1), 1) if nxt else base
        month, year = target.month, target.year
    day = 15 if middle else calendar.monthrange(year, month)[1]
    candidate = dt.date(year, month, day)
    if word and candidate < base:
        candidate = dt.date(year + 1, month, 15 if middle else calendar.monthrange(year + 1, month)[1])
    return candidate


def _day_of_month(m: re.Match[str], base: dt.date) -> dt.date | None:
    """'latest by 10th', 'не позднее 10-го', 'до десятого числа': the next such day from the meeting."""
    groups = m.groupdict()
    day = int(groups["d"]) if groups.get("d") else _ordinal_day(m)
    if not 1 <= day <= 31:
        return None
    year, month = base.year, base.month
    for _ in range(3):
        if day <= calendar.monthrange(year, month)[1]:
            candidate = dt.date(year, month, day)
            if candidate >= base:
                return candidate
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    return None


def _month_part_any(m: re.Match[str], base: dt.date) -> dt.date | None:
    g = m.groupdict()
    if g.get("m3"):
        fake = {"m": g["m3"], "mid": "mid" if g["part"].lower() != "end" else None}
    else:
        fake = {"m": g.get("m") or g.get("m2"), "mid": g.get("mid") or g.get("mid2"),
                "next": g.get("next") or g.get("next2")}
    return _month_part(_Groups(fake), base)  # type: ignore[arg-type]


def _day_of_month_any(m: re.Match[str], base: dt.date) -> dt.date | None:
    g = m.groupdict()
    if g.get("d") or g.get("d3"):
        return _day_of_month(_Groups({"d": g.get("d") or g.get("d3")}), base)  # type: ignore[arg-type]
    return _day_of_month(m, base)


class _Groups:
    """A stand-in for a match with only the named groups a resolver reads."""

    def __init__(self, groups: dict[str, str | None]) -> None:
        self._groups = groups

    def groupdict(self) -> dict[str, str | None]:
        return self._groups

    def __getitem__(self, key: str) -> str | None:
        return self._groups.get(key)


def _end_of_week(_m: re.Match[str], base: dt.date) -> dt.date:
    return base + dt.timedelta(days=4 - base.weekday()) if base.weekday() <= 4 else _next_weekday(base, 4)


RULES: list[DueRule] = [
    _rule("end_of_day", r"\b(?:до\s+конца\s+(?:дня|сегодняшнего\s+дня)|сегодня|end\s+of\s+(?:the\s+)?day|"
          r"EOD|today)\b", lambda m, b: b),
    _rule("day_after_tomorrow", r"\b(?:послезавтра|(?:the\s+)?day\s+after\s+tomorrow)\b",
          lambda m, b: b + dt.timedelta(days=2)),
    _rule("tomorrow", r"\b(?:завтра|tomorrow)\b", lambda m, b: b + dt.timedelta(days=1)),
    _rule("end_of_next_week", r"\b(?:(?:к|до)\s+конц[уае]\s+следующей\s+недели|"
          r"(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+week)\b",
          lambda m, b: _weekday_next_week(b, 4)),
    _rule("weekday_next_week", rf"\b{_PREP_RU}?(?P<wd>{_WD_RU})\s+на\s+следующей\s+неделе\b|"
          rf"\b{_PREP_EN}?(?P<wd2>{_WD_EN})\s+(?:of\s+)?next\s+week\b",
          lambda m, b: _weekday_next_week(b, _weekday_index(m["wd"] or m["wd2"]))),
    _rule("next_weekday", rf"\b{_PREP_RU}?(?:следующ(?:ий|ую|ей|его|ее)|будущ(?:ий|ую|ей|его))\s+"
          rf"(?P<wd>{_WD_RU})\b|\b{_PREP_EN}?next\s+(?P<wd2>{_WD_EN})\b",
          lambda m, b: _weekday_next_week(b, _weekday_index(m["wd"] or m["wd2"]))),
    _rule("next_week", r"\b(?:на\s+следующей\s+неделе|на\s+будущей\s+неделе|следующей\s+неделе|"
          r"(?:during\s+|by\s+)?next\s+week)\b", lambda m, b: _weekday_next_week(b, 4)),
    _rule("end_of_week", r"\b(?:(?:к|до)\s+конц[уае]\s+(?:этой\s+|текущей\s+)?недели|"
          r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week)\b", _end_of_week),
    _rule("end_of_next_month", r"\b(?:(?:к|до)\s+конц[уае]\s+следующего\s+месяца|"
          r"(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+month)\b",
          lambda m, b: _end_of_month(_add_months(b, 1).year, _add_months(b, 1).month)),
    _rule("end_of_month", r"\b(?:(?:к|до)\s+конц[уае]\s+(?:этого\s+|текущего\s+)?месяца|"
          r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month)\b",
          lambda m, b: _end_of_month(b.year, b.month)),
    _rule("month_part", rf"\b(?:(?:к|до|в|на|не\s+позднее)\s+)?(?:(?P<mid>середин[еыау])|конц[еуа])\s+"
          rf"(?:(?P<m>{_MONTH_RU_ANY})|(?P<next>следующего\s+)?месяца)\b|"
          rf"\b(?:(?:by|before|until|till|in|at|around|no\s+later\s+than|due)\s+)?(?:the\s+)?"
          rf"(?:(?P<mid2>mid(?:dle)?)(?:\s+of\s+|-|\s+)|end\s+of\s+)(?:(?P<m2>{_MONTH_EN_ANY})|(?P<next2>next\s+)?month)\b|"
          rf"\b(?:(?:by|before|until|till|in|at|around|due)\s+)?(?:the\s+)?(?P<m3>{_MONTH_EN_ANY})[\s-]+"
          rf"(?P<part>end|middle|mid)\b",
          lambda m, b: _month_part_any(m, b)),
    _rule("end_of_quarter", r"\b(?:(?:к|до)\s+конц[уае]\s+"
          r"(?:(?P<q>перв\w*|втор\w*|трет\w*|четв\w*|[1-4]-?г?о?)\s+)?квартала|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:(?P<q2>first|second|third|fourth)\s+quarter|"
          r"Q(?P<q3>[1-4])|quarter))\b",
          lambda m, b: _end_of_quarter(b, _quarter_of(m) or
                                       ({"first": 1, "second": 2, "third": 3, "fourth": 4}.get(
                                           (m["q2"] or "").lower()) or (int(m["q3"]) if m["q3"] else None)))),
    _rule("end_of_year", r"\b(?:(?:к|до)\s+конц[уае]\s+(?:этого\s+)?года|(?:by\s+)?(?:the\s+)?end\s+of\s+"
          r"(?:the\s+|this\s+)?year)\b", lambda m, b: dt.date(b.year, 12, 31)),
    _rule("in_units", rf"\b(?:через|в\s+течение|in|within)\s+(?P<n>{_NUM})?\s*"
          r"(?P<unit>дн(?:я|ей|ь)|день|недел[юьиь]\w*|месяц\w*|days?|weeks?|months?)\b", _in_units),
    _rule("day_month", rf"\b{_PREP_RU}?{_PREP_EN}?(?P<d>[0-3]?\d)(?:-?(?:го|е|st|nd|rd|th))?\s+(?:of\s+)?"
          rf"(?P<m>{_MONTH_ANY})\.?(?:\s+(?P<y>20\d\d))?\b", _explicit_date),
    _rule("month_day", rf"\b{_PREP_EN}?(?P<m>{_MONTH_ANY})\.?\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
          r"(?:,?\s+(?P<y>20\d\d))?\b", _explicit_date),
    _rule("ordinal_day_month", rf"\b{_PREP_RU}?{_PREP_EN}?(?:the\s+)?(?:{_ORD_RU}|{_ORD_EN})\s+(?:of\s+)?"
          rf"(?P<m>{_MONTH_ANY})\b", _ordinal_date),
    _rule("month_ordinal_day", rf"\b{_PREP_EN}?(?P<m>{_MONTH_EN_FULL})\s+(?:the\s+)?"
          r"(?:(?P<tens2>twenty|thirty)[-\s])?(?P<ord2>" + "|".join(_ORDINAL_DAYS_EN) + r")\b"
          r"(?P<ord>)(?P<tens>)", _ordinal_date),
    _rule("numeric_date", r"\b(?:(?:до|к|by|on)\s+)?(?P<d>[0-3]\d)\.(?P<m>[01]\d)(?:\.(?P<y>(?:20)?\d\d))?\b",
          _numeric_date),
    _rule("day_of_month", rf"\b(?:(?:(?:at\s+the\s+)?latest\s+by|by|before|until|till|no\s+later\s+than|"
          rf"on)\s+(?:the\s+)?(?P<d>[0-3]?\d)(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:{_MONTH_ANY}))|"
          rf"(?:не\s+позднее|до|к)\s+(?P<d3>[0-3]?\d)-?(?:го|му)(?:\s+числ[ау])?\b|"
          rf"(?:не\s+позднее\s+|(?:до|к)\s+(?={_ORD_RU_BARE}\s+числ[ау]))"
          rf"{_ORD_RU}(?:\s+числ[ау])?\b(?!\s+(?:{_MONTH_ANY}))|"
          rf"(?:(?:at\s+the\s+)?latest\s+by|by|before|until|till|no\s+later\s+than|(?P<on>on))\s+the\s+{_ORD_EN}\b"
          rf"(?!\s+(?:of\s+)?(?:{_MONTH_ANY}|month|week|quarter|year|day|time|item|point|phase))"
          # "…on the first, so we see any surprises early": "on the first floor" is no date, so after
          # "on" the clause must end at the ordinal
          r"(?(on)(?=\s*(?:[,.;!?]|$)|\s+(?:so|and|then|or|at|because)\b)))",
          lambda m, b: _day_of_month_any(m, b)),
    _rule("weekday", rf"\b(?:{_PREP_RU}(?P<wd>{_WD_RU})|{_PREP_EN}(?:this\s+)?(?P<wd2>{_WD_EN}))\b",
          lambda m, b: _next_weekday(b, _weekday_index(m["wd"] or m["wd2"]))),
]


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------
def resolve_due(phrase: str, meeting_date: dt.date, language: str = "ru") -> dt.date | None:
    """The date a deadline phrase means, counted from the meeting day; ``None`` if it names none."""
    text = phrase.strip()
    if not text:
        return None
    for rule in RULES:
        match = rule.pattern.search(text)
        if match:
            try:
                result = rule.resolve(match, meeting_date)
            except (ValueError, KeyError):
                result = None
            if result is not None:
                return result
    return _resolve_with_dateparser(text, meeting_date, language)


def _resolve_with_dateparser(text: str, meeting_date: dt.date, language: str) -> dt.date | None:
    import dateparser  # lazy: it loads its locale data on first use

    stripped = re.sub(rf"^\s*(?:{_PREP_RU}|{_PREP_EN})", "", text, flags=re.IGNORECASE)
    languages = ["ru", "en"] if language.startswith("ru") else ["en", "ru"]
    base = dt.datetime.combine(meeting_date, dt.time(12, 0))
    parsed = dateparser.parse(
        stripped,
        languages=languages,
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False},
    )
    if parsed is None:
        return None
    # A bare clock time ("в 15:00") parses as today; that is not a deadline.
    if parsed.date() == meeting_date and not re.search(r"сегодня|today", text, re.IGNORECASE):
        return None
    log.debug("dateparser resolved %r to %s", text, parsed.date())
    return parsed.date()


def find_due_phrases(text: str, language: str = "ru") -> list[str]:
    """Verbatim deadline phrases in ``text``, in order of appearance, without overlaps."""
    return list(_find_due_phrases(text))


@functools.lru_cache(maxsize=4096)
def _find_due_phrases(text: str) -> tuple[str, ...]:
    # cached: the offline rules ask about the same sentence more than once
    spans: list[tuple[int, int]] = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            spans.append(match.span())
    # Prefer the longest phrase where matches overlap ("в следующую среду" over "среду").
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(end <= c_start or start >= c_end for c_start, c_end in chosen):
            chosen.append((start, end))
    return tuple(text[start:end].strip() for start, end in sorted(chosen))
