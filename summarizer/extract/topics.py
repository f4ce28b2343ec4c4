"""What a meeting's issues are called: titles as a protocol writes them, and the usual topics of a deal.

"Ещё вопрос по интеграции с нашей 1С" is how a person raises an issue; the protocol lists it as
"Интеграция с нашей 1С". Russian needs the noun back in the nominative ("по срокам пилота" → "Сроки
пилота"), which pymorphy3 gives. Terms agreed without anyone saying "вопрос по…" still belong to an
issue: the topic table names the usual ones (timeline, payment, delivery…), so "Давайте запуск
сделаем десятого февраля" lands under "Сроки" with its options, not under whatever was raised last.
"""

from __future__ import annotations

import re

from summarizer.extract.third_person import morph

# (title, stems that say it) per language; checked in order, the first that matches names the topic
TOPICS: dict[str, list[tuple[str, str]]] = {
    "ru": [
        ("Оплата и цена", r"оплат|предоплат|цен[аеыу]|стоимост|скидк|процент|бюджет|сч[её]т|рубл|аванс"),
        ("Сроки", r"срок|дат[аеуы]|запуск|старт|график|дедлайн|январ|феврал|март|апрел|ма[йя]|июн|июл|"
                  r"август|сентябр|октябр|ноябр|декабр|недел"),
        ("Поставка", r"постав|достав|отгруз|склад|логист|паллет"),
        ("Интеграция", r"интеграц|коннектор|\bapi\b|обмен|1с\b"),
        ("Обучение", r"обучен|тренинг"),
        ("Поддержка", r"поддержк|сопровожд"),
        ("Договор", r"договор|контракт|соглашени|юрист|штраф"),
        ("Доступы", r"доступ"),
        ("Отчётность", r"отч[её]т"),
    ],
    "en": [
        ("Price and payment", r"price|\bquote\b|payment|pay\b|discount|percent|%|budget|cost|invoice|"
                              r"advance|fee"),
        ("Timeline", r"date|deadline|launch|start|rollout|roll out|kickoff|schedule|timeline|phase|"
                     r"january|february|march|april|june|july|august|september|october|november|december"),
        ("Delivery", r"deliver|shipment|shipping|batch|warehouse"),
        ("Integration", r"integrat|connector|\bapi\b"),
        ("Training", r"training"),
        ("Support", r"support"),
        ("Contract", r"contract|agreement terms|legal|penalt"),
        ("Access", r"access"),
        ("Reporting", r"report"),
    ],
}

_LEAD = {
    "ru": re.compile(r"^(?:(?:ещ[её]|и|а|также|теперь|тогда|дальше)\s+)*"
                     r"(?:(?:один\s+)?вопрос\s+(?:по|о|об|про|с|касательно)"
                     r"|по\s+поводу|касательно|проблема\s+(?:в\s+том|с)|по)\s+", re.IGNORECASE),
    "en": re.compile(r"^(?:the\s+(?:main\s+|key\s+|big\s+)?(?:issue|question)\s+is|regarding|as\s+for|"
                     r"when\s+it\s+comes\s+to|concern(?:ed)?\s+about|(?:one|an|the)\s+open\s+(?:point|issue|"
                     r"question)\s+is)\s+(?:the\s+)?", re.IGNORECASE),
}
# a speaker's own words: the first person (one side speaking), and the second (addressing the other)
_FIRST = {"ru": r"я|мы|наш\w*|мо[йяеи]\w*|нам|нас", "en": r"i|we|our|my|us"}
_SECOND = {"ru": r"вы|ваш\w*|вам|вас", "en": r"you|your"}
_PERSONAL = {key: re.compile(rf"\b(?:{_FIRST[key]}|{_SECOND[key]})\b", re.IGNORECASE) for key in _FIRST}
_ONE_SIDE = {key: re.compile(rf"\b(?:{_FIRST[key]})\b", re.IGNORECASE) for key in _FIRST}
# where a title stops: the speaker goes on to say what they want ("по оплате мы хотели бы…")
_STOP_RU = {"мы", "я", "вы", "нам", "вам", "нас", "вас", "они", "это", "который", "которая", "что", "чтобы",
            "если", "когда", "потому"}


def topic_of(text: str, language: str) -> str | None:
    """The usual topic a sentence is about ("Оплата и цена", "Timeline"), or ``None``."""
    key = "ru" if language.startswith("ru") else "en"
    low = text.lower()
    for title, stems in TOPICS[key]:
        if re.search(stems, low):
            return title
    return None


def is_personal(text: str, language: str) -> bool:
    """Whether a text is a speaker's own words ("Пять дней для нас много"), not a protocol's heading."""
    return bool(_PERSONAL["ru" if language.startswith("ru") else "en"].search(text))


def speaks_as_one_side(text: str, language: str) -> bool:
    """Whether a text is one side speaking ("Thank you both, we have agreed…"); thanking "you" is not."""
    return bool(_ONE_SIDE["ru" if language.startswith("ru") else "en"].search(text))


def issue_title(raw: str, language: str) -> str:
    """'Ещё вопрос по интеграции с нашей 1С' → 'Интеграция с нашей 1С'; 'Regarding support' → 'Support'.

    A title that is not a "вопрос по…" / "regarding…" lead (a requirement, an objection) is kept."""
    key = "ru" if language.startswith("ru") else "en"
    text = raw.strip().rstrip(".")
    m = _LEAD[key].match(text)
    if not m or not text[m.end():].strip():
        # an objection as said ("Your first quote was too high for us") is a speaker's words, not a
        # protocol's heading: the topic it is about names it, the sentence stays in the evidence
        if is_personal(text, key):
            return topic_of(text, key) or text
        return text
    rest = text[m.end():].strip()
    if key == "ru":
        rest = _ru_nominative(rest)
    return rest[:1].upper() + rest[1:]


def _ru_nominative(phrase: str) -> str:
    """The phrase up to the speaker's own words, its first noun in the nominative ("срокам пилота" →
    "сроки пилота"); the words after the noun keep their case, as they depend on it."""
    words = phrase.split()
    kept: list[str] = []
    for w in words:
        bare = re.sub(r"[^\w-]", "", w).lower()
        if bare in _STOP_RU or _is_verb(bare):
            break
        kept.append(w)
    if not kept:
        return phrase
    analyser = morph()
    first = re.sub(r"[^\w-]", "", kept[0])
    for parse in analyser.parse(first.lower()):
        if parse.tag.POS == "NOUN":
            number = parse.tag.number or "sing"
            form = parse.inflect({"nomn", number})
            if form is not None:
                kept[0] = form.word
            break
    return " ".join(kept)


def _is_verb(word: str) -> bool:
    if not word:
        return False
    parses = morph().parse(word)
    return bool(parses) and parses[0].tag.POS in ("VERB", "INFN", "PRTS", "GRND")
