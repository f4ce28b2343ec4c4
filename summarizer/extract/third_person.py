"""First-person speech → third-person protocol statements, shared by the offline rules and the review.

A protocol says "Игорь Петров пришлёт доступы к тестовой среде", not "Я пришлю доступы…": the quote
stays verbatim in the evidence and the item's text is the rewritten sentence. The rewriting is
deliberately conservative, so it never invents content:

* the subject ("я", "мы", "I", "we") becomes the person (or, for "we", their organisation, else their
  name) and moves to the front: "Протокол я пришлю сегодня" → "Дмитрий Ковалёв пришлёт протокол сегодня";
* the verb agrees with it. Russian needs real morphology (pymorphy3 with its Russian dictionaries):
  "пришлю" → "пришлёт", "выдадим" → "выдаст", "проведём" → "проведёт"; English is simpler
  ("I'll send" → "Anna will send", "let me send" → "Anna will send", "I am" → "Anna is");
* possessives follow ("my e-mail" → "Anna's e-mail", "моя почта" → "почта Ольги" is not attempted:
  Russian possessives are left as said when the rewrite would need a genitive we cannot check).

Anything the rules do not recognise is returned unchanged (after the leading filler is dropped), so a
reviewer sees the speaker's words rather than a guess.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

log = logging.getLogger(__name__)

_RU_PRONOUN = re.compile(r"(?<![\w-])(?P<pro>я|мы)(?![\w-])", re.IGNORECASE)
_EN_SUBJECT = re.compile(
    r"(?<![\w'])(?P<pro>I|we)(?P<aux>'ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to|"
    r"\s+can|\s+could|\s+should|\s+shall|\s+need to|\s+have to|'d|\s+would)?(?![\w'])",
    re.IGNORECASE,
)
# What both sides do together: "we" is the parties, not the speaker's company
_JOINT_EN = re.compile(r"\s*(?:meet|talk|speak|discuss|reconvene|sync|catch up|get together|"
                       r"have (?:a|another) (?:call|meeting)|review (?:it|this|the \w+) together|agree)\b",
                       re.IGNORECASE)
_JOINT_RU = re.compile(r"(?:встрет|созвон|обсуд|поговор|договор|увидим|соберём|соберем|встречаем)",
                       re.IGNORECASE)
_EN_LET_ME = re.compile(r"^\s*(?:let me|let us)\s+", re.IGNORECASE)
_FILLER = re.compile(
    r"^(?:(?:да|хорошо|отлично|ок|окей|ладно|итак|значит|тогда|так|а|и|ну|согласен|согласна|"
    r"perfect|great|okay|ok|yes|sure|so|and|then|well|right|alright|good|fine)\b[,.!:—-]?\s*)+",
    re.IGNORECASE,
)


@functools.cache
def morph() -> Any:
    """The Russian analyser, loaded once on first use (it reads its dictionaries, ~0.5 s)."""
    import pymorphy3  # lazy: --help and English meetings never pay for it

    return pymorphy3.MorphAnalyzer(lang="ru")


# The word-level helpers below are cached: pymorphy3's dictionary lookups were three quarters of a long
# Russian meeting's extraction, and a meeting says the same words again and again.
FIRST_PERSON_LIKELY = 0.3


@functools.lru_cache(maxsize=1 << 15)
def _ru_third_person(word: str, plural: bool = False) -> str | None:
    """'пришлю' → 'пришлёт', 'выдадим' → 'выдаст': a first-person verb in the third person singular.

    The subject of a protocol statement is one person or one organisation, so the plural "мы" verb
    becomes singular too. ``None`` when the word is not a first-person verb.
    """
    analyser = morph()
    parses = analyser.parse(word.lower())
    # "на почту" is a noun that is also a rare verb form ("почту" of "почтить"): a word is taken as a
    # first-person verb only when that reading is a likely one ("дам" 0.42 yes, "почту" 0.18 no)
    if sum(p.score for p in parses if p.tag.POS == "VERB" and p.tag.person == "1per") < FIRST_PERSON_LIKELY:
        return None
    for parse in parses:
        tag = parse.tag
        if tag.POS != "VERB" or tag.person != "1per":
            continue
        form = parse.inflect({"3per", "plur" if plural else "sing"})
        if form is None:
            continue
        out: str = form.word
        # pymorphy writes "е" for "ё"; keep the ё the speaker's form had ("пришлём" → "пришлёт")
        if "ё" in word.lower() or out.endswith(("ет", "ут")) and _yo_form(out, analyser):
            out = _yo_form(out, analyser) or out
        return _case_like(word, out)
    return None


def _yo_form(word: str, analyser: Any) -> str | None:
    """The dictionary's ё spelling of a form written with е ("пришлет" → "пришлёт"), if it has one."""
    for parse in analyser.parse(word):
        if parse.word != word and parse.word.replace("ё", "е") == word:
            return str(parse.word)
    if word.endswith("ет"):
        for parse in analyser.parse(word[:-2] + "ёт"):
            if parse.tag.POS == "VERB" and parse.tag.person == "3per" and parse.is_known:
                return word[:-2] + "ёт"
    return None


def _case_like(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _lower_first(text: str) -> str:
    """Lower the first letter unless the word is a name or an acronym ("Протокол" → "протокол";
    "1С" stays)."""
    m = re.match(r"\s*(\w+)", text)
    if not m:
        return text
    word = m.group(1)
    if len(word) > 1 and (word.isupper() or not word[1:].islower()):
        return text  # "1С", "ИТ", "CRM"
    if word[:1].isupper() and _is_name(word):
        return text
    return text[: m.start(1)] + word[:1].lower() + word[1:] + text[m.end(1):]


@functools.lru_cache(maxsize=1 << 15)
def _is_name(word: str) -> bool:
    if re.search(r"[а-яё]", word, re.IGNORECASE):
        return any({"Name", "Surn", "Geox", "Orgn"} & set(str(p.tag).replace(" ", ",").split(","))
                   for p in morph().parse(word))
    return False


def _capitalise(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def _finish(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return _capitalise(text.rstrip("."))


def strip_filler(text: str) -> str:
    return _FILLER.sub("", text.strip())


def third_person_ru(text: str, person: str | None, side: str | None = None, *,
                    parties: str | None = None, task: bool = False) -> str:
    """'Я пришлю техническое описание до пятницы' → 'Дмитрий Ковалёв пришлёт техническое описание до пятницы'.

    ``person`` is who said it; ``side`` is their organisation, used for "мы". ``parties`` ("Стороны")
    is the plural subject of a joint decision ("Фиксируем десятое февраля" → "Стороны фиксируют
    десятое февраля"). Without the subject it needs, or without a first-person verb, the text is
    returned with only the filler removed.
    """
    body = strip_filler(text).rstrip(".!")
    words = list(re.finditer(r"[\w-]+", body))
    for i, m in enumerate(words):
        if _ru_third_person(m.group(0)) is None:
            continue
        pronoun = next((w for w in reversed(words[:i]) if _RU_PRONOUN.fullmatch(w.group(0))), None)
        if pronoun is None and i + 1 < len(words) and _RU_PRONOUN.fullmatch(words[i + 1].group(0)):
            pronoun = words[i + 1]  # "пришлю я"
        said_we = pronoun is not None and pronoun.group(0).lower() == "мы"
        plural = said_we or (not pronoun and _is_plural_1per(m.group(0)))
        subject: str | None
        if said_we and parties and _JOINT_RU.match(m.group(0)):
            subject = parties  # "мы встретимся во вторник": both sides meet
        elif said_we:
            subject = side or person or parties  # "мы выдадим": their organisation does it
        elif plural and task and side and not _JOINT_RU.match(m.group(0)):
            subject = side  # a task: "Предоплату проведём в среду" is what the speaker's company does
        elif plural:
            subject = parties or side or person  # "Фиксируем…", "встречаемся…": both sides
        else:
            subject = person
        if not subject:
            return _finish(body)
        many = subject == parties
        verb = _ru_third_person(m.group(0), plural=many) or ""
        before = body[: pronoun.start()] if pronoun and pronoun.start() < m.start() else body[: m.start()]
        middle = body[pronoun.end(): m.start()] if pronoun and pronoun.start() < m.start() else ""
        after = body[m.end():]
        if pronoun and pronoun.start() > m.start():
            after = body[m.end(): pronoun.start()] + body[pronoun.end():]
        before = re.sub(r"^[,\s]+|[,\s]+$", "", before)
        # "…подготовлю график и отправлю Андрею": every first-person verb of the statement agrees
        after = re.sub(r"[\w-]+", functools.partial(_agree_word, plural=many), after)
        head = f"{subject} {middle.strip()} {verb.lower()}".replace("  ", " ")
        rest = f"{_lower_first(before)} {after}" if before else after
        return _finish(f"{head} {rest}")
    # past tense has no person: "Я подготовила проект" → "Ольга Смирнова подготовила проект"
    for i, m in enumerate(words[:-1]):
        if m.group(0).lower() == "я" and person and _is_past(words[i + 1].group(0)):
            return _finish(f"{body[: m.start()]}{person}{body[m.end():]}")
    return _finish(body)


@functools.lru_cache(maxsize=1 << 15)
def _is_past(word: str) -> bool:
    return any(p.tag.POS == "VERB" and p.tag.tense == "past" for p in morph().parse(word.lower()))


def requested_of(task: str, language: str, person: str) -> str:
    """'пришлите договор' asked of Ольга → 'Ольга пришлёт договор'; 'prepare the poll' → 'X will prepare…'."""
    if not language.startswith("ru"):
        return _finish(f"{person} will {task}")
    first, _, rest = task.partition(" ")
    for parse in morph().parse(first.lower()):
        if parse.tag.POS == "VERB":
            form = parse.inflect({"indc", "3per", "sing"})
            if form is not None:
                return _finish(f"{person} {form.word} {rest}")
    return _finish(f"{person}: {task}")


def _agree_word(match: re.Match[str], *, plural: bool) -> str:
    return _ru_third_person(match.group(0), plural=plural) or match.group(0)


@functools.lru_cache(maxsize=1 << 15)
def _is_plural_1per(word: str) -> bool:
    return any(p.tag.POS == "VERB" and p.tag.person == "1per" and p.tag.number == "plur"
               for p in morph().parse(word.lower()))


_EN_BE = {"am": "is", "'m": " is"}


def third_person_en(text: str, person: str | None, side: str | None = None, *,
                    parties: str | None = None) -> str:
    """'I will send the plan by Friday' → 'Anna will send the plan by Friday'; 'we'll' → the side."""
    body = strip_filler(text).rstrip(".!")
    let = _EN_LET_ME.match(body)
    if let and person:
        who = side if let.group(0).lower().strip().startswith("let us") and side else person
        return _finish(f"{who} will {body[let.end():]}")
    m = _EN_SUBJECT.search(body)
    if not m:
        return _finish(_en_possessives(body, person, side))
    plural = m["pro"].lower() == "we"
    subject = (side or person or parties) if plural else person  # "we'll deliver": their company
    if plural and parties and _JOINT_EN.match(body[m.end():]):
        subject = parties  # "we meet again next Tuesday": both sides
    if not subject:
        return _finish(body)
    if subject == parties:
        if body[: m.start()].strip():
            return _finish(body)  # "Thursday next week, on Wednesday we have the audit": not its subject
        aux = {"'ll": " will", "'re going to": " are going to", "'d": " would"}.get(
            (m["aux"] or "").lower(), m["aux"] or "")
        return _finish(subject + aux + body[m.end():])
    aux = (m["aux"] or "").strip().lower()
    aux = {"'ll": "will", "'m going to": "is going to", "am going to": "is going to",
           "'re going to": "is going to", "are going to": "is going to", "'d": "would",
           "need to": "needs to", "have to": "has to"}.get(aux, aux)
    rest = body[m.end():]
    if not aux:
        # "I send", "we take care": a bare present verb agrees with a singular subject
        verb = re.match(r"\s+(am|'m|are|'re|have|'ve|do|take|send|\w+)\b", rest)
        if verb:
            word = verb.group(1).lower()
            fixed = {"am": "is", "'m": "is", "are": "is", "'re": "is", "have": "has", "'ve": "has",
                     "do": "does"}.get(word)
            if fixed is None and re.fullmatch(r"[a-z]+", word) and word not in {"will", "can", "could"}:
                fixed = en_verb_s(word)
            rest = f" {fixed}{rest[verb.end():]}"
    before = body[: m.start()]
    head = f"{subject} {aux}".strip()
    text_out = f"{head}{rest}" if not before.strip() else f"{before.rstrip(' ,')}, {head}{rest}"
    text_out = _en_possessives(text_out, person, side)
    return _finish(text_out)


def en_verb_s(verb: str) -> str:
    """The third person singular of a bare English verb: send → sends, reach → reaches, try → tries."""
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _en_possessives(text: str, person: str | None, side: str | None) -> str:
    if person:
        text = re.sub(r"(?<![\w'])my(?![\w'])", f"{person}'s", text, flags=re.IGNORECASE)
        text = re.sub(r"(?<![\w'])(?:me|myself)(?![\w'])", person, text)
        text = re.sub(r"(?<![\w'])I(?![\w'])", person, text)
    if side:
        text = re.sub(r"(?<![\w'])our(?![\w'])", f"{side}'s", text, flags=re.IGNORECASE)
    return text


PARTIES = {"ru": "Стороны", "en": "The parties"}

# "I will send the quote tomorrow, my email is …": the contact belongs to the participants' table
# (``contacts``), not to the action, and a protocol sentence does not dictate an address
_CONTACT_CLAUSE = re.compile(
    r"[,;]?\s*(?:(?:and\s+)?(?:my|our)\s+(?:e-?mail(?:\s+address)?|address|phone(?:\s+number)?|number)"
    r"\s+is\b|(?:и\s+|а\s+)?(?:мой|моя|наш|наша)\s+(?:почта|адрес|e-?mail|имейл|телефон|номер)\b).*$",
    re.IGNORECASE,
)


def without_contact_clause(text: str) -> str:
    cut = _CONTACT_CLAUSE.sub("", text).strip()
    return cut if len(cut.split()) >= 3 else text


_EN_IF_YOU = re.compile(r"\b(if|when|once|provided|unless|as long as)\s+you\s+([a-z]+)\b", re.IGNORECASE)


def addressed_en(text: str, addressee: str) -> str:
    """"…5% if you sign a 12 month contract" said to Marco → "…5% if Marco Olsen signs…": the "you" of an
    accepted offer is the side that accepted it."""
    def if_you(m: re.Match[str]) -> str:
        verb = m.group(2)
        modal = verb.lower() in {"can", "could", "will", "would", "should", "must", "may", "might"}
        fixed = {"are": "is", "have": "has", "do": "does"}.get(verb.lower(),
                                                             verb if modal else en_verb_s(verb))
        return f"{m.group(1)} {addressee} {fixed}"

    text = _EN_IF_YOU.sub(if_you, text)
    text = re.sub(r"(?<![\w'])your(?![\w'])", f"{addressee}'s", text, flags=re.IGNORECASE)
    return re.sub(r"(?<!thank )(?<![\w'])you(?![\w'])", addressee, text, flags=re.IGNORECASE)


def third_person(text: str, language: str, person: str | None, side: str | None = None, *,
                 joint: bool = False, addressee: str | None = None, task: bool = False) -> str:
    """The statement in the third person for a protocol, in the meeting's language.

    ``joint``: a decision of both sides, whose "we" is the parties ("Стороны", "The parties").
    ``addressee``: who "you" is (the side that accepted an offer); English only, as Russian would need
    the name declined. ``task``: a next step, whose subjectless "проведём" is the speaker's company
    unless the verb is one both sides do together ("созвонимся").
    """
    key = "ru" if language.startswith("ru") else "en"
    parties = PARTIES[key] if joint else None
    text = without_contact_clause(text)
    try:
        if key == "ru":
            return third_person_ru(text, person, side, parties=parties, task=task)
        out = third_person_en(text, person, side, parties=parties)
        return addressed_en(out, addressee) if addressee else out
    except Exception:  # noqa: BLE001 - a rewrite must never lose the item; the words as said still do
        log.warning("third-person rewrite failed for %r", text, exc_info=True)
        return _finish(strip_filler(text))
