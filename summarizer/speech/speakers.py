"""Putting names on speaker labels before extraction, from what people say about themselves.

Diarisation gives ``SPEAKER_00``…; a protocol needs people. The roster (given by a person) always
wins; where it says nothing about a label, a self-introduction in that speaker's own segments
("меня зовут Ольга Смирнова", "я — Иван из Ромашки", "this is John from Acme",
"I'm Anna Petrova, account manager at Northwind") names it. Pure: no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from summarizer.transcript import Person, Transcript

log = logging.getLogger(__name__)

_UP = "A-ZА-ЯЁ"
_LOW = "a-zа-яё"
_WORD = rf"[{_UP}][{_LOW}]+(?:-[{_UP}]?[{_LOW}]+)?"
_NAME = rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}})"
# What may follow the name: ", account manager at Northwind" / "from Acme" / ", менеджер из Ромашки".
# An organisation: «Северный путь» or "Acme Corp" in quotes (lower-case words inside), with an optional
# legal form (ООО «Северный ветер»), or up to four capitalised words without quotes.
ORG_PATTERN = (r"(?:(?:ООО|ОАО|ЗАО|ПАО|АО|ИП|НКО|ГК|LLC|Ltd|Inc|GmbH)\s+)?"
               r"(?:«[^»«\n]{1,60}»|\"[^\"\n]{1,60}\"|"
               # a dot inside a name (Контур.Толк), never one that ends a sentence ("Supplies. With")
               r"[A-ZА-ЯЁ0-9][\w&\-]*(?:\.[\w&\-]+)*(?:\s+[A-ZА-ЯЁ0-9][\w&\-]*(?:\.[\w&\-]+)*){0,3})")
_ORG = ORG_PATTERN
_LEGAL_QUOTED = re.compile(r"^(?P<form>[A-ZА-ЯЁ]{2,5}|LLC|Ltd|Inc|GmbH)\s+[«\"](?P<name>[^»\"]+)[»\"]$")
# Job titles a bare "Name, title «Org»" introduction must start with (any case form).
_ROLE = (r"(?:менеджер|руководител|директор|глав|начальник|специалист|юрист|бухгалтер|аналитик|"
         r"инженер|логист|заместител|координатор|консультант|представител|владел|основател)\w*")
_ROLE_EN = (r"(?:[a-z]+\s+){0,3}(?:manager|director|head|lead|engineer|officer|analyst|consultant|"
            r"specialist|coordinator|executive|founder|partner|buyer|planner)\b")
# A position may be capitalised and carry an article in English ("a Sales Manager at Acme"); then
# "of" is part of it ("Head of Sales at Acme"), not the link to the organisation.
# "from logistics" / "из бухгалтерии" in lower case names a department, kept as the position.
_TAIL = (
    rf"(?:\s*,\s*(?:я\s+)?(?P<position>[{_LOW}][{_LOW}\s\-]{{1,60}}?)\s+"
    rf"(?:(?:в|из|от)\s+компании|at|from|with|of|в|из|от|компании)\s+(?P<org>{_ORG})"
    # "Ольга Смирнова, руководитель отдела закупок «Альфа-Логистик»", "Я Игорь Белов, ИТ-директор Альфа":
    # after a job title the organisation needs no preposition
    rf"|\s*,\s*(?P<position3>(?:[{_UP}]{{2,4}}-)?{_ROLE}[{_LOW}\s\-]{{0,60}}?)\s+(?P<org4>{_ORG})"
    rf"|\s*,\s*(?:(?:a|an|the)\s+)?(?P<position2>[{_UP}][\w\s\-]{{1,60}}?)\s+(?:at|from|with)\s+"
    rf"(?P<org3>{_ORG})"
    rf"|\s*,?\s+(?:from|at|with|из|от|компания|компании)\s+(?P<org2>{_ORG})"
    rf"|\s*,?\s+(?:from|из)\s+(?:the\s+)?(?P<department>[{_LOW}]+(?:\s+[{_LOW}]+){{0,2}})(?=\s*(?:[.,;!?]|$)))?"
)

_PATTERNS = [
    re.compile(rf"\b[Mm]y name is\s+{_NAME}{_TAIL}"),
    re.compile(rf"\b(?:i'm|i am)\s+{_NAME}{_TAIL}"),
    re.compile(rf"(?:^|[.!?,]\s*|\b(?:[Hh]i|[Hh]ello)\W+)[Tt]his is\s+{_NAME}{_TAIL}"),
    re.compile(rf"\b[Мм]еня зовут\s+{_NAME}{_TAIL}"),
    re.compile(rf"(?:^|[.!?,]\s*)(?:[Яя]|[Сс] вами)\s*(?:[—–-]\s*)?{_NAME}{_TAIL}"),
    # "Это Мария" alone may be about anyone or anything ("Это Москва"); with "из"/"компания" it is not.
    re.compile(rf"(?:^|[.!?,]\s*)[Ээ]то\s+{_NAME}(?=\s*,?\s+(?:из|от|компания)\s){_TAIL}"),
    # A bare "Ольга Смирнова, руководитель отдела закупок ..." opening a sentence: only with a job title.
    re.compile(rf"(?:^|[.!?]\s+){_NAME}(?=\s*,\s*(?:{_ROLE}|{_ROLE_EN})){_TAIL}"),
]
# Words that follow "I'm"/"это" capitalised at the start of a sentence and are not names.
_NOT_NAMES = {
    "sorry", "not", "here", "fine", "good", "glad", "happy", "afraid", "going", "sure", "just", "the",
    "also", "really", "very", "okay", "ok", "ready", "back", "done", "new", "still", "so", "now",
    "думаю", "хочу", "считаю", "тоже", "согласен", "согласна", "вот", "так", "да", "нет", "всё", "все",
    "наверное", "понимаю", "помню", "правильно", "хорошо", "ладно", "очень", "просто", "уже",
}
# Regexes are case-sensitive for names on purpose, but "i'm" must match at any case.
_CASELESS_LEAD = re.compile(r"\b(I'M|I AM|I'm|i'm|i am|I am)\b")
# Words a name never ends with although they are capitalised at the start of a clause.
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_TRAILING_NOT_NAME = {"Thanks", "Thank", "Hi", "Hello", "And", "So", "Спасибо", "Привет", "Здравствуйте"}


@dataclass(frozen=True)
class Introduction:
    label: str
    segment_id: str
    name: str
    position: str | None = None
    organisation: str | None = None


def clean_organisation(raw: str | None) -> str | None:
    """«Северный путь» → Северный путь; a legal form keeps its quotes: ООО «Северный ветер»."""
    if not raw:
        return None
    text = raw.strip(" .,;:")
    legal = _LEGAL_QUOTED.match(text)
    if legal:
        return f"{legal['form']} «{legal['name'].strip()}»"
    if len(text) > 1 and text[0] in "«\"" and text[-1] in "»\"":
        text = text[1:-1]
    return text.strip(" «»\"") or None


def find_introduction(text: str) -> tuple[str, str | None, str | None] | None:
    """(name, position, organisation) if the text is someone introducing themselves."""
    normalized = _CASELESS_LEAD.sub(lambda m: m.group(1).lower(), text.replace("’", "'"))
    for pattern in _PATTERNS:
        for match in pattern.finditer(normalized):
            words = match.group("name").split()
            while words and words[-1] in _TRAILING_NOT_NAME:
                words.pop()
            if not words or words[0].lower() in _NOT_NAMES:
                continue
            position = (match.group("position") or match.group("position2") or match.group("position3")
                        or match.group("department"))
            org = match.group("org") or match.group("org2") or match.group("org3") or match.group("org4")
            if position:
                position = _ARTICLE.sub("", position.strip())
            return " ".join(words), position or None, clean_organisation(org)
    return None


def find_introductions(transcript: Transcript) -> list[Introduction]:
    """Self-introductions per speaker label, first one per label, in transcript order."""
    found: dict[str, Introduction] = {}
    for seg in transcript.segments:
        if not seg.speaker or seg.speaker in found:
            continue
        hit = find_introduction(seg.text)
        if hit:
            name, position, org = hit
            found[seg.speaker] = Introduction(seg.speaker, seg.id, name, position, org)
    return list(found.values())


def split_merged_speakers(transcript: Transcript) -> Transcript:
    """Give a new label to a segment whose speaker introduces a second, different person.

    Voice clustering can put two similar voices (two women, two synthetic voices) under one label, and a
    person who speaks once is a cluster of one that no count estimate can prove. A label that
    introduces itself as two different people is proof from the words that it is two speakers; only
    labels that came from diarisation are split, never labels a transcript file gave.
    """
    if "diarization" not in transcript.meta:
        return transcript
    out = transcript.model_copy(deep=True)
    used = set(out.speakers())
    first: dict[str, str] = {}
    for seg in out.segments:
        hit = find_introduction(seg.text) if seg.speaker else None
        if not hit or not seg.speaker:
            continue
        known = first.setdefault(seg.speaker, hit[0])
        if _same_person(known, hit[0]):
            continue
        number = len(used)
        while f"SPEAKER_{number:02d}" in used:
            number += 1
        new = f"SPEAKER_{number:02d}"
        used.add(new)
        log.info("%s introduces both %s and %s; segment %s becomes %s", seg.speaker, known, hit[0],
                 seg.id, new)
        seg.speaker = new
        first[new] = hit[0]
    return out


def _same_person(roster_name: str, introduced: str) -> bool:
    a = roster_name.casefold().split()
    b = introduced.casefold().split()
    # "Anna" introduces herself, the roster says "Anna Petrova" (or the other way round).
    return bool(a) and bool(b) and (a == b or a[: len(b)] == b or b[: len(a)] == a)


def name_speakers(transcript: Transcript) -> Transcript:
    """A copy whose roster also names the labels people introduced themselves under.

    Never changes what the roster already says: a label the roster maps stays, a roster person
    who already has labels keeps exactly those, and a name the roster lacks becomes a new Person.
    """
    out = split_merged_speakers(transcript)
    if out is transcript:
        out = transcript.model_copy(deep=True)
    named: dict[str, dict[str, str]] = {}
    for intro in find_introductions(out):
        if out.person_for(intro.label) is not None:
            continue  # the roster (a person's word) wins over what the audio suggests
        match = next((p for p in out.roster if _same_person(p.name, intro.name)), None)
        if match is not None:
            if match.labels:
                log.info("%s introduced as %s, who already has labels %s; left as is",
                         intro.label, intro.name, match.labels)
                continue
            match.labels.append(intro.label)
        else:
            out.roster.append(Person(name=intro.name, position=intro.position,
                                     organisation=intro.organisation, labels=[intro.label]))
        named[intro.label] = {"name": intro.name, "segment": intro.segment_id}
    if named:
        out.meta["named_speakers"] = named
    return out
