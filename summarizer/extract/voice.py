"""The protocol's voice: the call's "me", "you", "нам", "ваш" said as who they are.

The third-person rewrite (``third_person``) puts the person who acts first; what it leaves is the rest
of the speaker's deixis: "Sofia Marchetti will send me the inventory", "Raj will have a sandbox ready
for you", "Алексей Громов пришлёт спецификацию вам завтра", "…, чтобы мы спланировали расстановку".
A protocol is read by people who were not on the call, so each pronoun becomes its referent, found
from who said the item's first quote:

* "me", "my", "I" → that speaker; "we", "us", "our" → their organisation (else their name);
* "you", "your" → the other side (the one other organisation in the call, else the one other person);
* Russian recipients ("пришлёт вам", "скинет нам") are dropped: a protocol does not say to whom a
  document goes when the sides are in its header, and declining a name would need a check we lack;
  "у нас", "наши безопасники" → "у компании «…»", "безопасники компании «…»" (the genitive
  "компании «…»" does not change with the case of the sentence);
* a trailing reason or acceptance in the first person is cut: ", so we see any surprises early",
  ", чтобы мы спланировали расстановку", " — нам нужно разбить их по зонам", ", нас устраивает".

A pronoun whose referent is unknown is left as said, so the reviewer sees the words rather than a
guess. Items a person edited are never touched. Pure: no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from summarizer.extract.owners import is_generic_label
from summarizer.extract.third_person import en_verb_s
from summarizer.schema import Agreement, NextStep, Participant, Protocol
from summarizer.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Referents:
    me: str | None = None  # who said it
    us: str | None = None  # their organisation, else their name
    you: str | None = None  # the other side


# --------------------------------------------------------------------------------------------------
# English
# --------------------------------------------------------------------------------------------------
_EN_REASON = re.compile(r",?\s+(?:so|so that|because|since|as|which|then)\s+"
                        r"(?:we|I|you|we'll|I'll|you'll)\b.*$"
                        r"|,\s*then\s*$", re.IGNORECASE)
# "But yes, you'll have the artwork by the fourth": the reply's opening is not the protocol's
_EN_LEAD = re.compile(r"^(?:(?:but|and|so|yes|yeah|sure|okay|ok)\b[,\s]+)+", re.IGNORECASE)
_EN_BE = {"am": "is", "'m": "is", "are": "is", "'re": "is", "have": "has", "'ve": "has", "do": "does"}
_EN_NOT_VERB = {
    "already", "just", "also", "really", "still", "never", "always", "only", "then", "actually", "probably",
    "definitely", "certainly", "usually", "often", "sometimes", "now", "both", "all", "and", "or", "but",
    "that", "to", "the", "a", "an", "so", "too",
}
_EN_MODALS = {"will", "would", "can", "could", "should", "shall", "must", "may", "might"}


def _en_subject(text: str, pronoun: str, who: str) -> str:
    """'we'll' → 'X will', 'we have' → 'X has', 'you can' → 'X can', as subjects."""
    def sub(m: re.Match[str]) -> str:
        contraction, verb = m.group(1), m.group(2)
        if contraction:
            return {"'ll": f"{who} will", "'d": f"{who} would", "'re": f"{who} is", "'ve": f"{who} has",
                    "'m": f"{who} is"}[contraction.lower()]
        if verb is None:
            return who
        low = verb.lower()
        if low in _EN_NOT_VERB:
            return f"{who} {verb}"  # "we already agreed", "I just need": the verb comes later
        if low in _EN_BE:
            return f"{who} {_EN_BE[low]}"
        if low in _EN_MODALS or not re.fullmatch(r"[a-z]+", low) or low.endswith("ed"):
            return f"{who} {verb}"
        return f"{who} {en_verb_s(verb)}"

    def checked(m: re.Match[str]) -> str:
        # "Can we say Friday…?" asks; an inverted subject is left as said
        return m.group(0) if _INVERTED.search(m.string[: m.start()]) else sub(m)

    pattern = rf"(?<![\w'])(?:{pronoun})(?:('ll|'d|'re|'ve|'m)|\s+([A-Za-z']+))?(?![\w'])"
    return re.sub(pattern, checked, text, flags=re.IGNORECASE)


_INVERTED = re.compile(r"\b(?:can|could|shall|should|will|would|do|did|are|were|have|may|might)\s+$",
                       re.IGNORECASE)


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def voice_en(text: str, who: Referents, *, owner_is_you: bool = False) -> str:
    """``owner_is_you``: the item's owner is on the side "you" names, so "your logo files" are simply
    "the logo files" ("Greg Turner will send Aisha the logo files", not "… Corvid Robotics's logo files")."""
    out = _EN_LEAD.sub("", _EN_REASON.sub("", text))
    out = out[:1].upper() + out[1:]
    if who.me:
        out = re.sub(r"(?<![\w'])my(?![\w'])", _possessive(who.me), out, flags=re.IGNORECASE)
        out = re.sub(r"(?<![\w'])(?:me|myself)(?![\w'])", who.me, out, flags=re.IGNORECASE)
        out = _en_subject(out, "I", who.me)
    if who.us:
        out = re.sub(r"(?<![\w'])our(?![\w'])", _possessive(who.us), out, flags=re.IGNORECASE)
        out = re.sub(r"(?<![\w'])us(?![\w'])", who.us, out)
        out = _en_subject(out, "we", who.us)
    if who.you:
        out = re.sub(r"(?<![\w'])your(?![\w'])", "the" if owner_is_you else _possessive(who.you), out,
                     flags=re.IGNORECASE)
        # "to you", "for you", "send you": an object; "you'll have", "you can": a subject
        out = re.sub(r"(?<![\w'])(to|for|with|send|give|get|show|tell|call|email|e-mail|let|help|ask|remind)"
                     r"\s+you(?![\w'])",
                     lambda m: f"{m.group(1)} {who.you}", out, flags=re.IGNORECASE)
        out = _en_subject(out, "you", who.you)
    return out.strip()


# --------------------------------------------------------------------------------------------------
# Russian
# --------------------------------------------------------------------------------------------------
_RU_REASON = re.compile(
    r"(?:,?\s*(?:чтобы|так как|потому что|поскольку)\s+(?:мы|я|вы|нам|вам|нас|вас|мне)\b.*$"
    r"|\s+[—–-]\s+(?:нам|мне|нас|вам)\b.*$"
    r"|,\s*(?:нас|нам|меня|мне)\s+(?:это\s+|всё\s+|все\s+)?(?:устраивает|подходит|годится|нормально|ок)\b.*$)",
    re.IGNORECASE)
_RU_TRANSFER = re.compile(r"(?:пришл|присыл|отправ|скин|переда|дад|дас|выстав|предостав|покаж|сообщ|напиш|"
                          r"направ|вышл|верн|подготов|перезвон|позвон|набер)", re.IGNORECASE)
_RU_RECIPIENT = re.compile(r"\s+(?:вам|нам|мне)(?=[\s,.!?]|$)", re.IGNORECASE)
_RU_AT = re.compile(r"(?<![\w-])у\s+(нас|вас)(?![\w-])", re.IGNORECASE)
_RU_OUR = re.compile(r"(?<![\w-])(наш|ваш)(?:и|а|е|его|ему|ей|их|им|ими|у|ем)?\s+"
                     r"(?P<words>(?:[а-яё-]+\s+){0,1}[а-яё-]+)",
                     re.IGNORECASE)
_RU_ADJ_END = ("ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ой", "ей",
               "ым", "им", "ых", "их", "ую", "юю")


def _of_company(organisation: str) -> str:
    """'Техпром' → 'компании «Техпром»'; a legal form or quotes already said stay as they are."""
    if "«" in organisation or '"' in organisation:
        return organisation if re.match(r"^[A-ZА-ЯЁ]{2,5}\s", organisation) else f"компании {organisation}"
    if re.search("[А-Яа-яЁё]", organisation):
        return f"компании «{organisation}»"
    return f"компании {organisation}"


# "Проект договора вы нам уже прислали, Виктор посмотрит его с юристами": what was done, in the call's
# persons, then the step on it; the step stands alone with the object in place of its pronoun.
_RU_TOPIC = re.compile(r"^(?P<obj>[^,]{3,60}?)\s+(?:вы|мы|я)\s+(?:(?:нам|вам|мне)\s+)?(?:уже\s+)?"
                       r"[а-яё]+(?:ли|л|ла)\s*,\s*(?P<rest>.+)$", re.IGNORECASE)


def _topic_first(text: str) -> str:
    m = _RU_TOPIC.match(text)
    if not m or not re.search(r"(?<![\w-])(?:его|её|ее|их)(?![\w-])", m["rest"]):
        return text
    obj = m["obj"][:1].lower() + m["obj"][1:]
    return re.sub(r"(?<![\w-])(?:его|её|ее|их)(?![\w-])", obj, m["rest"], count=1)


def voice_ru(text: str, who: Referents, *, us_org: str | None, you_org: str | None) -> str:
    out = _topic_first(_RU_REASON.sub("", text))
    if _RU_TRANSFER.search(out):
        out = _RU_RECIPIENT.sub("", out)

    def at(m: re.Match[str]) -> str:
        org = us_org if m.group(1).lower() == "нас" else you_org
        return f"у {_of_company(org)}" if org else m.group(0)

    out = _RU_AT.sub(at, out)

    def our(m: re.Match[str]) -> str:
        org = us_org if m.group(1).lower() == "наш" else you_org
        if not org:
            return m.group(0)
        words = m.group("words").split()
        # "наши безопасники не пропустят": the noun phrase is one word, or an adjective and its noun
        phrase = words if len(words) == 2 and words[0].lower().endswith(_RU_ADJ_END) else words[:1]
        rest = words[len(phrase):]
        return " ".join([*phrase, _of_company(org), *rest])

    out = _RU_OUR.sub(our, out)
    return re.sub(r"\s{2,}", " ", out).strip()


# --------------------------------------------------------------------------------------------------
def referents(speaker: Participant | None, participants: list[Participant]) -> Referents:
    """Who "I", "we" and "you" are for what ``speaker`` said."""
    if speaker is None:
        return Referents()
    named = not is_generic_label(speaker.name)
    me = speaker.name if named else None
    # "we" is the speaker's company; with none known it may be the team or everyone in the room
    us = speaker.organisation
    others = [p for p in participants if p is not speaker]
    other_orgs = {p.organisation for p in others if p.organisation and p.organisation != speaker.organisation}
    you: str | None = None
    if len(other_orgs) == 1 and (speaker.organisation or len(others) == 1
                                 or all(p.organisation for p in others)):
        you = other_orgs.pop()
    elif len(others) == 1 and not is_generic_label(others[0].name):
        you = others[0].name
    return Referents(me=me, us=us, you=you)


def _speaker(item: Agreement | NextStep, transcript: Transcript,
             participants: list[Participant]) -> Participant | None:
    quoted = next((e for e in item.evidence if not getattr(e, "superseded", False)), None)
    if quoted is None:
        return None
    segment = transcript.segment(quoted.segment_ids[0]) if quoted.segment_ids else None
    label = segment.speaker if segment is not None else None
    return next((p for p in participants if label and label in p.speaker_labels), None)


def _owner(item: Agreement | NextStep, participants: list[Participant]) -> Participant | None:
    name = item.responsible if isinstance(item, Agreement) else item.owner
    return next((p for p in participants if name and name in (p.name, *p.speaker_labels)), None)


def voice_for(text: str, language: str, speaker: Participant | None, participants: list[Participant], *,
              owner: Participant | None = None) -> str:
    """``text`` said by ``speaker``, with the call's pronouns said as who they are."""
    try:
        new = _voiced(text, language, speaker, participants, owner)
    except Exception:  # noqa: BLE001 - a rewrite must never lose the item; the words as said still do
        log.warning("pronoun rewrite failed for %r", text, exc_info=True)
        return text
    return new if len(new.split()) >= 2 else text  # nothing left to say: the words as said are better


def _voiced(text: str, language: str, speaker: Participant | None, participants: list[Participant],
            owner: Participant | None) -> str:
    who = referents(speaker, participants)
    if language.startswith("ru"):
        us_org = speaker.organisation if speaker else None
        you_org = who.you if who.you and who.you != (speaker.name if speaker else None) and any(
            p.organisation == who.you for p in participants) else None
        new = voice_ru(text, who, us_org=us_org, you_org=you_org)
    else:
        mine = bool(owner and who.you and who.you in (owner.organisation, owner.name))
        new = voice_en(text, who, owner_is_you=mine)
    return new


def speak_as_protocol(protocol: Protocol, transcript: Transcript) -> None:
    """Every item's pronouns of the call, resolved in place (items a person edited are left alone)."""
    language = protocol.language or transcript.language or ""
    items: list[Agreement | NextStep] = [*protocol.agreements, *protocol.next_steps]
    for item in items:
        if item.edited:
            continue
        speaker = _speaker(item, transcript, protocol.participants)
        owner = _owner(item, protocol.participants)
        text = item.text if isinstance(item, Agreement) else item.action
        new = voice_for(text, language, speaker, protocol.participants, owner=owner)
        if isinstance(item, Agreement):
            item.text = new
        else:
            item.action = new
