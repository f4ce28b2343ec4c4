"""Pattern tables for who is in the meeting: introductions, positions, contacts and whose they are.

One entry per language where the wording differs; matched against one sentence at a time. Add a sample
sentence to tests/test_offline.py or tests/test_offline_ru.py when you add a pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.speech.speakers import ORG_PATTERN

_NAME_RU = r"[А-ЯЁ][а-яё]+(?:\s+[А-ЯЁ][а-яё]+){0,2}"
_NAME_EN = r"[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}"
_ORG = rf"(?P<org>{ORG_PATTERN})"
# Job titles that open a position, in any case form: the recogniser often writes "руководителя".
ROLE_RU = (r"(?:менеджер|руководител|директор|глав|начальник|специалист|юрист|бухгалтер|аналитик|"
           r"инженер|логист|заместител|координатор|консультант|представител|владел|основател|"
           r"партн[её]р|экономист|закупщик|технолог|архитектор|разработчик)\w*")


@dataclass(frozen=True)
class IntroPattern:
    """A self-introduction; named groups: name, optionally position and org."""

    pattern: re.Pattern[str]


def _intro(pattern: str) -> IntroPattern:
    return IntroPattern(re.compile(pattern))


INTRO: dict[str, list[IntroPattern]] = {
    "ru": [
        _intro(rf"[Мм]еня зовут (?P<name>{_NAME_RU})(?:,\s+я\s+(?P<position>[а-яё][\w\s-]*?)\s+"
               rf"(?:(?:в|из)\s+(?:компании\s+)?|компании\s+){_ORG})?"),
        _intro(rf"(?:^|[.!?]\s+)[Яя] (?:—\s+)?(?P<name>{_NAME_RU}),\s+(?P<position>[\wЁё][\w\s-]*?)\s+"
               rf"(?:в\s+|из\s+)?(?:компании\s+)?{_ORG}"),
        _intro(rf"(?:^|[.!?]\s+)[Яя] (?:—\s+)?(?P<name>{_NAME_RU})[,.]"),
        _intro(rf"(?:^|[.!?]\s+)[Сс] вами (?P<name>{_NAME_RU})"),
    ],
    "en": [
        _intro(rf"\b(?:I'm|I am|[Mm]y name is|[Tt]his is)\s+(?P<name>{_NAME_EN}),\s+(?:the\s+)?"
               rf"(?P<position>[a-z][\w\s-]*?)\s+(?:at|from|of|with)\s+{_ORG}"),
        _intro(rf"\b(?:I'm|I am|[Mm]y name is|[Tt]his is)\s+(?P<name>{_NAME_EN})\s+"
               rf"(?:from|at|with)\s+{_ORG}"),
        _intro(rf"\b(?:I'm|I am|[Mm]y name is|[Tt]his is)\s+(?P<name>{_NAME_EN})\b(?=\s*(?:,|\.|$|here\b))"),
    ],
}
# A name said alone at the start of someone's first turn, after at most a greeting: "Morning. Daniel
# Kowalski. Yeah, I'll be your technical lead." / "Здравствуйте. Виктор Зайцев, финансовый директор".
# First and last name both, then a stop or a comma: one capitalised word opens too many sentences.
BARE_NAME: dict[str, re.Pattern[str]] = {
    "ru": re.compile(r"^(?!(?:Здравствуйте|Добрый|Доброе|Привет|Спасибо|Да|Ну|Так|Хорошо|Отлично|Коллеги|"
                     r"Итак|Тогда|Вот)\b)(?P<name>[А-ЯЁ][а-яё]+\s+[А-ЯЁ][а-яё]+)\s*(?:[.,]|$)"),
    "en": re.compile(r"^(?!(?:Hi|Hello|Hey|Morning|Thanks|Thank|Good|Okay|Ok|So|Yes|Yeah|Yep|Well|Great|"
                     r"Right|Sure|Dear)\b)(?P<name>[A-Z][a-z]+\s+[A-Z][a-z]+)\s*(?:[.,]|$)"),
}
GREETING: dict[str, re.Pattern[str]] = {
    "ru": re.compile(r"^\W*(?:здравствуйте|добрый (?:день|вечер)|доброе утро|привет|всем привет|коллеги|"
                     r"да,? слышно(?: хорошо)?)\W*$", re.IGNORECASE),
    "en": re.compile(r"^\W*(?:hi|hello|hey|morning|good (?:morning|afternoon|evening)|hi everyone|"
                     r"hello everyone|hi all)\W*$", re.IGNORECASE),
}
# "I'm the account manager for ..." / "я менеджер проекта в ..." said without a name. Commas are allowed
# inside a Russian position because the recogniser puts them there ("руководителя, дело закупок").
POSITION_ONLY: dict[str, re.Pattern[str]] = {
    "ru": re.compile(rf"\b[Яя],?\s+(?P<position>{ROLE_RU}[\w\s,-]*?)(?:\s+(?:в|из)\s+|[.;!?]|$)"),
    "en": re.compile(r"\b(?:I'm|I am) (?:the|an?) (?P<position>[a-z][a-z -]+?)\s+(?:for|at|of|in|on)\b"),
}
# The same with the organisation: "я руководитель отдела закупок в компании Альфа-Логистик".
POSITION_ORG: dict[str, re.Pattern[str]] = {
    "ru": re.compile(rf"\b[Яя],?\s+(?P<position>{ROLE_RU}[\w\s,-]*?)\s+(?:(?:в|из)\s+(?:компании\s+)?|"
                     rf"компании\s+){_ORG}"),
    "en": re.compile(r"\b(?:I'm|I am) (?:the|an?) (?P<position>[a-z][a-z -]+?)\s+(?:at|with|from)\s+" + _ORG),
}
# Someone introduces a colleague: "Со мной Дмитрий Орлов, наш логист", "Joining me is Raj, our CFO".
COLLEAGUE: dict[str, list[re.Pattern[str]]] = {
    "ru": [re.compile(rf"\b(?:[Сс]о мной|[Сс] нами|[Сс]егодня с нами|[Тт]акже присутствует)\s+(?:также\s+)?"
                      rf"(?:(?:мой|моя|наш|наша)\s+)?(?:коллега\s+)?(?P<name>{_NAME_RU}),\s+"
                      # "наш ИТ-директор", "наш HR-менеджер": a title may open with an acronym
                      r"(?:наш|наша|мой|моя)\s+(?P<position>(?:[А-ЯЁA-Z]{2,5}-)?[а-яё][а-яё\s-]{1,60}?)"
                      r"(?=\s*(?:[.,;!?]|$))")],
    "en": [re.compile(rf"\b(?:[Ww]ith me (?:today )?is|[Jj]oining (?:me|us) (?:today )?is|[Aa]lso here is)\s+"
                      rf"(?P<name>{_NAME_EN}),\s+(?:our|my)\s+(?P<position>[a-zA-Z][\w\s-]{{1,60}}?)"
                      r"(?=\s*(?:[.,;!?]|$))"),
           # "With me is Priya Nair from our logistics team": the team is all we learn of her position
           re.compile(rf"\b(?:[Ww]ith me (?:today )?is|[Jj]oining (?:me|us) (?:today )?is|[Aa]lso here is)\s+"
                      rf"(?P<name>{_NAME_EN})\s+from our\s+(?P<position>[a-z][a-z\s-]{{1,40}}?)"
                      r"(?:\s+(?:team|department))?(?=\s*(?:[.,;!?]|$))")],
}
# A colleague named in passing: "I've got Raj from our implementation team with me", "With me is Daniel,
# he's our solutions architect", "Owen's on the call from our side", "Со мной на связи Виктор". It adds
# nobody (a name said once is not proof of presence); it gives a known participant the introducer's
# organisation and side, and a position when one follows ("he's our …").
COLLEAGUE_MENTION: dict[str, list[re.Pattern[str]]] = {
    "ru": [re.compile(rf"\b(?:[Сс]о мной|[Сс] нами)(?:\s+(?:на связи|сегодня|также|ещё|тоже))*\s+"
                      rf"(?:(?:мой|моя|наш|наша)\s+)?(?:коллега\s+)?(?P<name>{_NAME_RU})")],
    "en": [re.compile(rf"\b(?:I've got|I have|[Ww]ith me (?:today )?(?:is|are)|"
                      rf"[Jj]oining (?:me|us)(?: today)? (?:is|are)|"
                      rf"[Aa]lso (?:here|on the (?:call|line)) (?:is|are))\s+(?P<name>{_NAME_EN})\b"
                      r"(?:,\s+(?:he|she)(?:'s| is) (?:our|my)\s+(?P<position>[a-z][\w\s-]{1,40}?)"
                      r"(?=\s*(?:[.,;!?]|$|\s+and\b)))?"),
           re.compile(rf"\b(?P<name>{_NAME_EN})(?:'s| is) (?:on the (?:call|line)|here|with us|joining us)\b"
                      r"[^.!?]{0,20}?\b(?:from our (?:side|team|end)|with me)")],
}
# What the recogniser makes of common Russian job titles, and the nominative a protocol needs.
POSITION_FIXES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*,\s*"), " "),
    (re.compile(r"^руководител[яюеи]\b"), "руководитель"),
    (re.compile(r"^(директор|менеджер|начальник|специалист|инженер|аналитик|логист|юрист|бухгалтер|"
                r"координатор|консультант|экономист)(?:а|у|ом|е)\b"), r"\1"),
    (re.compile(r"^заместител[яюеи]\b"), "заместитель"),
    (re.compile(r"^представител[яюеи]\b"), "представитель"),
    # "руководитель отдела" heard as "руководителя, дело" / "руководитель отдел"
    (re.compile(r"^(руководитель|начальник|заместитель|директор) (?:дела|дело|отдел)\b"), r"\1 отдела"),
    (re.compile(r"\bотдела продажи\b"), "отдела продаж"),
    (re.compile(r"\bотдела закупки\b"), "отдела закупок"),
]

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_SPOKEN_PART = r"[a-z][\w-]*"
_SPOKEN_DOT = r"\s+(?:точка|dot)\s+"
# "olga точка smirnova собака alfa-logistic точка ru" (a dot heard in the address must be spoken too)
SPOKEN_EMAIL = re.compile(
    rf"\b(?P<user>{_SPOKEN_PART}(?:(?:{_SPOKEN_DOT}|\.){_SPOKEN_PART})*)\s+(?:собака|at)\s+"
    rf"(?P<host>{_SPOKEN_PART}(?:(?:{_SPOKEN_DOT}|\.){_SPOKEN_PART})*{_SPOKEN_DOT}[a-z]{{2,6}})\b",
    re.IGNORECASE,
)
# "my e-mail is sales at northwind.com" (the recogniser wrote the dot, not the "at"): only after a word
# that says an address follows, as "we met at the office.com" is not one.
SPOKEN_EMAIL_DOTTED = re.compile(
    rf"\b(?:e-?mail|mail|address|почта|почту|адрес)\b[^.!?]{{0,25}}?\b"
    rf"(?P<user>{_SPOKEN_PART}(?:(?:{_SPOKEN_DOT}|\.){_SPOKEN_PART})*)\s+(?:собака|at)\s+"
    rf"(?P<host>[a-z][\w-]*(?:\.[a-z][\w-]*)*\.[a-z]{{2,6}})\b",
    re.IGNORECASE,
)
PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b")
# Other countries' numbers: "+44 20 7946 0958", "+1 (212) 555-0188" (eight digits at least).
PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s-]?\(?\d{1,4}\)?){2,5}(?!\w)")
# A contact with an owner named right before it: "почта Ольги: ...", "Olga's e-mail is ...".
CONTACT_OF: dict[str, re.Pattern[str]] = {
    "ru": re.compile(r"\b(?i:почт[аеуы]|адрес|e-?mail|имейл|телефон|номер)\s+(?:у\s+)?"
                     r"(?P<name>[А-ЯЁ][а-яё]+)"),
    "en": re.compile(r"\b(?P<name>[A-Z][a-z]+)'s\s+(?i:e-?mail|address|phone|number)\b"),
}
# The speaker's own contact: "моя почта", "мой телефон", "пишите мне", "my e-mail", "reach me at".
CONTACT_MINE: dict[str, re.Pattern[str]] = {
    "ru": re.compile(r"\b(?:мо[яйюе]|мне|меня|мною)\b", re.IGNORECASE),
    "en": re.compile(r"\b(?:my|me|I'm at|I am at)\b", re.IGNORECASE),
}
# Someone says back what they heard; the address is not theirs.
REPEAT_BACK: dict[str, re.Pattern[str]] = {
    "ru": re.compile(r"\b(?:записал[аи]?|записываю|повторю|повторяю|правильно понял[аи]?)\b", re.IGNORECASE),
    "en": re.compile(r"\b(?:got it|noted|let me repeat|writing (?:it|that) down|so that's)\b", re.IGNORECASE),
}
_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def transliterate(word: str) -> str:
    """Latin spelling of a Russian name as people write it in e-mail addresses (Козлов → kozlov)."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in word.lower())


def normalise_position(position: str) -> str:
    text = position.strip(" ,.")
    for pattern, replacement in POSITION_FIXES:
        text = pattern.sub(replacement, text)
    return text.strip()
