"""Numbers and months said in a sentence, as values: what an item's facts are compared by.

Digits in any common grouping ("19,200", "1 350 000", "10,50", "1,2 млн", "60k") and number words in
Russian and English, joined as they are spoken ("триста пятьдесят" = 350, "сто двадцать пять тысяч" =
125 000, "three hundred and fifty" = 350, "двух с половиной тысяч" = 2 500), ordinals as their number.
Pure functions, cached per word; ``support.check_support`` is their main reader.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from summarizer.extract.evidence import normalise_text

# Number words, each read as (value, kind); the kind says how it joins its neighbours into one spoken
# number ("сто двадцать пять тысяч" = 125 000, "three hundred and fifty" = 350):
#   "n" a cardinal: joins by place value ("триста пятьдесят", "twenty five", "тысяча двести");
#   "o" an ordinal: read as its number and joined like a cardinal ("twenty-first" = 21, "двадцать
#       пятого" = 25), but nothing joins after it ("первая тысяча" is 1 and 1000);
#   "h" English "hundred": multiplies the number before it ("three hundred"), 100 on its own;
#   "s" a scale word ("тысяча", "million"): multiplies the number before it, on its own 1000, 1 000 000;
#   "a" a scale abbreviation ("тыс", "млн"): a scale after a number, nothing on its own;
#   "k" "k", "к" written onto digits ("60k"): a thousand, nothing on its own;
#   "l" a number only a scale may follow ("полтора миллиона", "пару тысяч");
#   "f" a fraction said on its own ("half", "половина"): 0.5;
#   "c" a number that stands alone ("twice", "dozen", "двухнедельный").
_WordValue = tuple[Decimal, str]

_CARDINALS_EN = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINALS_EN = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
    "eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000, "millionth": 1_000_000,
}
_WORDS_EN: dict[str, _WordValue] = {
    **{w: (Decimal(v), "n") for w, v in _CARDINALS_EN.items()},
    **{w: (Decimal(v), "o") for w, v in _ORDINALS_EN.items()},
    "hundred": (Decimal(100), "h"), "thousand": (Decimal(1000), "s"),
    "million": (Decimal(1_000_000), "s"), "billion": (Decimal(1_000_000_000), "s"),
    "single": (Decimal(1), "c"), "double": (Decimal(2), "c"), "twice": (Decimal(2), "c"),
    "dozen": (Decimal(12), "c"), "half": (Decimal("0.5"), "f"),
}
_ABBREVIATIONS: dict[str, _WordValue] = {
    "тыс": (Decimal(1000), "a"), "млн": (Decimal(1_000_000), "a"), "млрд": (Decimal(1_000_000_000), "a"),
    "mln": (Decimal(1_000_000), "a"), "bn": (Decimal(1_000_000_000), "a"),
    "k": (Decimal(1000), "k"), "к": (Decimal(1000), "k"),
}
# Russian number words: short ones by their forms, long ones by stem, so every case form
# ("пятидесяти", "двумя", "первого") is one number.
_FORMS_RU: dict[str, int] = {
    **dict.fromkeys(["ноль", "нуль"], 0),
    **dict.fromkeys(["один", "одна", "одно", "одного", "одной", "одному", "одним", "одну"], 1),
    **dict.fromkeys(["два", "две", "двух", "двум", "двумя"], 2),
    **dict.fromkeys(["три", "трех", "трем", "тремя"], 3),
    # spelled out: "четырем" ends like an ordinal ("пятом")
    **dict.fromkeys(["четыре", "четырех", "четырем", "четырьмя"], 4),
    **dict.fromkeys(["пять", "пяти", "пятью"], 5),
    **dict.fromkeys(["шесть", "шести", "шестью"], 6),
    **dict.fromkeys(["семь", "семи", "семью"], 7),
    **dict.fromkeys(["сто", "ста"], 100),
}
_LEAD_RU: dict[str, Decimal] = {
    **dict.fromkeys(["полтора", "полторы", "полутора"], Decimal("1.5")),
    **dict.fromkeys(["пара", "пару", "пары"], Decimal(2)),
}
_STEMS_RU: list[tuple[str, int]] = sorted([
    ("перв", 1), ("втор", 2), ("трет", 3), ("четыр", 4), ("четверт", 4), ("пят", 5), ("шест", 6),
    ("седьм", 7), ("восем", 8), ("восьм", 8), ("девят", 9), ("десят", 10), ("одиннадцат", 11),
    ("двенадцат", 12), ("тринадцат", 13), ("четырнадцат", 14), ("пятнадцат", 15),
    ("шестнадцат", 16), ("семнадцат", 17), ("восемнадцат", 18), ("девятнадцат", 19),
    ("двадцат", 20), ("тридцат", 30), ("сорок", 40), ("сороков", 40), ("пятьдесят", 50), ("пятидесят", 50),
    ("пятьюдесят", 50), ("шестьдесят", 60), ("шестидесят", 60), ("шестьюдесят", 60),
    ("семьдесят", 70), ("семидесят", 70), ("семьюдесят", 70), ("восемьдесят", 80),
    ("восьмидесят", 80), ("восемьюдесят", 80), ("восьмьюдесят", 80), ("девяност", 90),
], key=lambda p: -len(p[0]))
_ORDINAL_STEMS_RU = ("перв", "втор", "трет", "четверт", "седьм")  # no cardinal begins so
# an ordinal's adjective ending ("пятого", "двадцатой", "третьей"); no case of a cardinal ends so
_ORDINAL_END_RU = re.compile(
    r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ом|ем|ую|юю|ых|их|ыми|ими|ей)$")
# a number joined to its unit: one number ("стопроцентную", "двухнедельный")
_COMPOUNDS_RU = (("стопроцент", 100), ("двухнедел", 2), ("двухмесяч", 2), ("трехмесяч", 3),
                 ("двенадцатимесяч", 12))
# Hundreds in every case: "двести", "двухсот", "трёмстам", "пятьюстами", "восьмистах", and ordinals
# ("сотый", "трёхсотого"). "сто" and "ста" are in _FORMS_RU.
_HUNDREDS_RU = re.compile(
    r"(?P<d>дв(?:е|ух|ум|умя)|тр(?:и|ех|ем|емя)|четыр(?:е|ех|ем|ьмя)|пят(?:ь|и|ью)|шест(?:ь|и|ью)"
    r"|сем(?:ь|и|ью)|вос(?:емь|ьми|емью|ьмью)|девят(?:ь|и|ью))?"
    r"(?:(?P<c>сти|ста|сот|стам|стами|стах)|сот(?:ый|ая|ое|ого|ой|ому|ым|ом|ую|ые|ых|ыми))"
)
_HUNDRED_DIGITS = (("дв", 2), ("тр", 3), ("четыр", 4), ("пят", 5), ("шест", 6), ("сем", 7), ("вос", 8),
                   ("девят", 9))
_SCALES_RU = {"тысяч": 1000, "миллион": 1_000_000, "миллиард": 1_000_000_000}
_SCALE_RU = re.compile(
    r"(?P<s>тысяч|миллиард|миллион)"
    r"(?:а|и|у|ей|ью|ам|ами|ах|ом|е|ы|ов|(?P<o>н(?:ый|ая|ое|ого|ой|ому|ым|ом|ую|ые|ых|ыми)))?"
)
_HALF_RU = "половин"
# Words that begin like a number word but are not one.
_NOT_NUMBER_RU = ("пятниц", "вторник", "четверг", "первичн", "перве", "девятк", "десятилет")
_NOT_NUMBER_FORMS_RU = {"четверть", "четверти", "четвертью", "четвертей", "четвертям", "четвертями",
                        "четвертях"}  # a quarter, not the fourth
MONTH_STEMS = [
    ("январ", "jan"), ("феврал", "feb"), ("март", "mar"), ("апрел", "apr"), ("ма", "may"),
    ("июн", "jun"), ("июл", "jul"), ("август", "aug"), ("сентябр", "sep"), ("октябр", "oct"),
    ("ноябр", "nov"), ("декабр", "dec"),
]


@functools.lru_cache(maxsize=1 << 15)
def _word_value(word: str) -> _WordValue | None:
    """(value, kind) of a number word (lower case, "ё" as "е"), or None; the kinds are above _WordValue."""
    # cached: every word of every item and cited segment is asked, against seventy stems
    if word in _WORDS_EN:
        return _WORDS_EN[word]
    if word in _ABBREVIATIONS:
        return _ABBREVIATIONS[word]
    if word in _FORMS_RU:
        return Decimal(_FORMS_RU[word]), "n"
    if word in _LEAD_RU:
        return _LEAD_RU[word], "l"
    if (not re.fullmatch(r"[а-я]+", word) or word in _NOT_NUMBER_FORMS_RU
            or word.startswith(_NOT_NUMBER_RU)):
        return None
    if hundreds := _HUNDREDS_RU.fullmatch(word):
        count = hundreds["d"]
        if count is None and hundreds["c"]:
            return None  # "стам", "сот": no number without its count
        digit = next((v for p, v in _HUNDRED_DIGITS if count.startswith(p)), 1) if count else 1
        return Decimal(digit * 100), "n" if hundreds["c"] else "o"
    if scale := _SCALE_RU.fullmatch(word):
        return Decimal(_SCALES_RU[scale["s"]]), "o" if scale["o"] else "s"
    if word.startswith(_HALF_RU) and len(word) - len(_HALF_RU) <= 4:
        return Decimal("0.5"), "f"
    for stem, value in _COMPOUNDS_RU:
        if word.startswith(stem):
            return Decimal(value), "c"
    for stem, value in _STEMS_RU:
        # a number word's ending is short ("пятидесяти", "двадцатого"); a long tail is another word,
        # except after a long stem ("двенадцатиэтажный")
        if word.startswith(stem) and (len(word) - len(stem) <= 4 or len(stem) >= 7):
            ordinal = stem in _ORDINAL_STEMS_RU or _ORDINAL_END_RU.search(word[len(stem):]) is not None
            return Decimal(value), "o" if ordinal else "n"
    return None


def is_number_word(word: str) -> bool:
    return _word_value(word) is not None


# Digits: grouped thousands ("19,200", "1 350 000", "1.350.000", "1 234,56") are one number; a comma
# or point before other than three digits is a decimal one ("10,50", "1.5", "1,2 млн"); a point before
# three digits too ("1.500" = 1.5, as English writes it). Letters are words; other signs end a number.
_TOKEN = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:"
    r"(?P<comma>\d{1,3}(?:,\d{3})+(?:\.\d+)?)"
    r"|(?P<dot>\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,})"
    r"|(?P<space>\d{1,3}(?: \d{3})+(?:[.,]\d+)?)"
    r")(?!\d|[.,]\d)"
    r"|(?P<plain>\d+(?:[.,]\d+)?)"
    r"|(?P<word>[^\W\d_]+)"
    r"|(?P<gap>[^\w\s-]+)"
)


def _digits_value(token: re.Match[str]) -> Decimal:
    text = token.group()
    if token["comma"]:
        text = text.replace(",", "")
    elif token["dot"]:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(" ", "").replace(",", ".")
    return Decimal(text)


@dataclass
class _Spoken:
    """One number being read, token by token (indexes into the text's tokens)."""

    start: int
    group: Decimal = Decimal(0)  # said since the last scale ("пятьсот" of "две тысячи пятьсот")
    total: Decimal = Decimal(0)  # what the scales said before it ("две тысячи")
    scale: Decimal = Decimal(0)  # the last scale (1000, 1 000 000), 0 before one
    additive: bool = True  # number words may still add to the group (not to digits or "полтора")
    final: bool = False  # an ordinal, "twice", "half": nothing joins it
    words: bool = True  # said in words only
    fraction: bool = False  # "half" said on its own
    percent: bool = False  # followed by "%" or a percent word
    end: int = 0
    shorthand: Decimal | None = None  # with the next number, said as one amount ("шесть восемьсот")

    @classmethod
    def new(cls, at: int, value: Decimal, kind: str) -> _Spoken:
        if kind == "s":
            return cls(at, total=value, scale=value, end=at)
        return cls(at, group=value, additive=kind in ("n", "h"), final=kind in ("o", "c", "f"),
                   fraction=kind == "f", end=at)

    @property
    def value(self) -> Decimal:
        return self.total + self.group

    def joins(self, value: Decimal, kind: str, attached: bool) -> bool:
        if self.final:
            return False
        group, low = self.group, self.group % 100
        after_scale = group == 0 and self.total > 0  # "тысяча двести", "two thousand and five"
        if kind in ("n", "o"):
            if not self.additive or value != value.to_integral_value():
                return False
            if 1 <= value <= 9:  # twenty five, сто пять
                return (low >= 20 and low % 10 == 0) or (low == 0 and (group >= 100 or after_scale))
            if 10 <= value <= 90 and (value < 20 or value % 10 == 0):  # сто двадцать, триста пятнадцать
                return low == 0 and (group >= 100 or after_scale)
            if 100 <= value <= 900 and value % 100 == 0:  # тысяча двести
                return after_scale
            return False
        if kind == "h":  # three hundred, nineteen hundred
            return group == group.to_integral_value() and 1 <= group <= 99
        if kind in ("s", "a") or (kind == "k" and attached):
            return group > 0 and (not self.scale or self.scale > value)
        return False

    def takes_digits(self, value: Decimal) -> bool:
        """Digits after a scale: "2 тысячи 500"."""
        return (not self.final and self.group == 0 and self.total > 0 and 1 <= value < 1000
                and value == value.to_integral_value())


def _spoken(text: str) -> tuple[list[_Spoken], set[Decimal]]:
    """The numbers ``text`` states, in order, and every value a word or digits of theirs says alone."""
    prepared = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    tokens = list(_TOKEN.finditer(prepared))
    found: list[_Spoken] = []
    pieces: set[Decimal] = set()
    current: _Spoken | None = None

    def word_at(i: int) -> str:
        return (tokens[i]["word"] or "") if i < len(tokens) else ""

    def finish() -> None:
        nonlocal current
        if current is None:
            return
        after = tokens[current.end + 1].group() if current.end + 1 < len(tokens) else ""
        current.percent = (after.startswith("%") or after == "percent" or after.startswith("процент")
                           or (after == "per" and word_at(current.end + 2) == "cent"))
        if found:
            last = found[-1]
            # said one after the other, nothing between: one amount ("шесть восемьсот" = 6 800)
            between = prepared[tokens[last.end].end():tokens[current.start].start()]
            if (last.end + 1 == current.start and not between.strip() and last.words and current.words
                    and not last.final and not current.final and last.total == 0 and current.total == 0
                    and last.additive and last.group == last.group.to_integral_value()
                    and 1 <= last.group <= 99 and current.group == current.group.to_integral_value()
                    and 100 <= current.group <= 999):
                last.shorthand = last.group * 1000 + current.group
        found.append(current)
        current = None

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token["word"] is None and token["gap"] is None:  # digits
            value = _digits_value(token)
            pieces.add(value)
            if current is not None and current.takes_digits(value):
                current.group, current.additive, current.words = value, False, False
            else:
                finish()
                current = _Spoken(i, group=value, additive=False, words=False)
            current.end = i
            i += 1
            continue
        read = _word_value(token["word"]) if token["word"] else None
        if read is None:
            word = token["word"]
            if current is not None and word in ("and", "с"):
                # "two and a half", "два с половиной"
                half_at = i + 2 if word == "and" and word_at(i + 1) == "a" else i + 1
                half = _word_value(word_at(half_at))
                if half is not None and half[1] == "f" and current.group > 0 and not current.final:
                    current.group += half[0]
                    current.additive = False
                    pieces.add(half[0])
                    current.end = half_at
                    i = half_at + 1
                    continue
                # "three hundred and fifty", "two thousand and five"
                following = _word_value(word_at(i + 1))
                if word == "and" and following is not None and current.joins(*following, attached=False):
                    i += 1
                    continue
            finish()
            i += 1
            continue
        value, kind = read
        attached = (kind == "k" and i > 0 and tokens[i - 1]["word"] is None and tokens[i - 1]["gap"] is None
                    and tokens[i - 1].end() == token.start())
        if current is not None and current.joins(value, kind, attached):
            if kind in ("s", "a", "k"):
                pieces.add(current.group)  # "120" of "сто двадцать тысяч"
                current.total += current.group * value
                current.group, current.scale, current.additive = Decimal(0), value, True
            elif kind == "h":
                current.group *= 100
            else:
                current.group += value
                current.final = kind == "o"
        elif kind in ("a", "k"):
            finish()  # "тыс", "k" with no number before them say nothing
            i += 1
            continue
        else:
            finish()
            current = _Spoken.new(i, value, kind)
        pieces.add(value)
        current.end = i
        i += 1
    finish()
    return found, pieces


def _as_text(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def number_values(text: str, *, parts: bool = False) -> set[str]:
    """Every number ``text`` states, as digit strings: digits as written ("19,200" and "1 350 000" are
    grouped thousands, "10,50" is 10.5) and number words combined the way they are said ("двадцать
    пять" = 25, "three hundred and fifty" = 350, "сто двадцать тысяч" = 120000, "1,2 млн" = 1200000,
    "60k" = 60000, "two and a half" = 2.5, "шесть восемьсот" = 6800 as prices are said).

    With ``parts`` (what a transcript says, read loosely) the words and digits of a combined number
    count too ("двадцать пять" also says 20 and 5, "шесть восемьсот" 6 and 800), "half" on its own
    also says 50 (per cent: "half in advance" is "50% prepayment"), and a percentage also says its
    fraction ("50%" is 0.5, "half")."""
    found, pieces = _spoken(text)
    values: set[Decimal] = set()
    loose: set[Decimal] = set(pieces)
    after_shorthand = False
    for number in found:
        if after_shorthand:  # said in the amount before it
            after_shorthand = False
            loose.add(number.value)
            continue
        if number.shorthand is not None:
            values.add(number.shorthand)
            loose.add(number.value)
            after_shorthand = True
            continue
        values.add(number.value)
        if number.fraction:
            loose.add(number.value * 100)
        if number.percent:
            loose.add(number.value / 100)
    if parts:
        values |= loose
    return {_as_text(v) for v in values}


def month_numbers(text: str) -> set[str]:
    out: set[str] = set()
    for token in re.findall(r"[a-zа-я]+", normalise_text(text)):
        out.update(_token_months(token))
    return out


# English month words are whole words: a prefix reading took "Marco" for March and "decision" for
# December, and flagged a correct item as unsupported
_EN_MONTHS = {word: str(number) for number, words in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for word in words}


@functools.lru_cache(maxsize=1 << 15)
def _token_months(token: str) -> tuple[str, ...]:
    # cached per word: twelve months tried on every word of every cited segment added up
    if token in _EN_MONTHS:
        return (_EN_MONTHS[token],)
    return tuple(str(number) for number, (ru, _) in enumerate(MONTH_STEMS, start=1)
                 if token.startswith(ru) and (ru != "ма" or token in ("май", "мая", "мае", "маю")))
