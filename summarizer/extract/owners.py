"""Who is responsible: map an owner as said ("Ольге", "я", "John") onto a participant.

Matching is deliberately simple and explainable: a full normalised name, then single name parts
(first name or surname) compared by a crude stem so Russian case forms meet ("Ольге", "Ольгой" →
"Ольга"; "Смирновой" → "Смирнова"). First-person owners ("я", "мы", "I", "we") are the speaker of the
evidence segment. A name that fits nobody, or fits two people, is kept as said and flagged; we never
guess between candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from summarizer.schema import Evidence, Participant
from summarizer.transcript import Transcript

FIRST_PERSON = {
    "я", "мы", "меня", "мне", "нас", "нам", "сам", "сама", "сами", "за мной", "за нами",
    "i", "me", "we", "us", "myself", "ourselves", "our side", "наша сторона", "с нашей стороны",
}
# Longest first; a stem keeps at least three letters so short names are not eaten.
_RU_ENDINGS = sorted(
    ["ами", "ями", "ого", "его", "ому", "ему", "ой", "ей", "ою", "ею", "ом", "ем", "ым", "им", "ах", "ях",
     "ую", "юю", "ая", "яя", "а", "я", "у", "ю", "е", "ы", "и", "о", "ь", "й"],
    key=len, reverse=True,
)
_GENERIC_LABEL = re.compile(r"^(?:speaker|спикер|говорящий|участник|unknown|spk)[\s_\-]*\d*$", re.IGNORECASE)


def is_generic_label(label: str) -> bool:
    """Diarization labels (SPEAKER_00, Speaker 2, Спикер 1) that do not name anybody."""
    return bool(_GENERIC_LABEL.match(label.strip()))


def normalise_name(name: str) -> str:
    name = name.lower().replace("ё", "е")
    return re.sub(r"[^\w\s-]", " ", name).strip()


def stem(word: str) -> str:
    word = normalise_name(word)
    if not re.search(r"[а-я]", word):
        return word.removesuffix("'s")
    for ending in _RU_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\s\-]+", normalise_name(name)) if p]


@dataclass
class OwnerMatch:
    name: str | None  # the participant's name, or the owner as said when unmatched
    participant: Participant | None
    problem: str | None = None  # unknown_owner | ambiguous_owner | no_owner


def match_participant(owner: str, participants: list[Participant]) -> tuple[Participant | None, int]:
    """The participant ``owner`` names, and how many candidates there were (0, 1 or more)."""
    said = normalise_name(owner)
    if not said:
        return None, 0
    exact = [p for p in participants if normalise_name(p.name) == said]
    if len(exact) == 1:
        return exact[0], 1
    said_stems = {stem(part) for part in _parts(owner)}
    full = [p for p in participants if {stem(x) for x in _parts(p.name)} == said_stems]
    if len(full) == 1:
        return full[0], 1
    partial = [p for p in participants if said_stems & {stem(x) for x in _parts(p.name)}]
    if len(partial) == 1:
        return partial[0], 1
    return None, len(partial)


_CAPITALISED = re.compile(r"[A-ZА-ЯЁ][\w-]+")


class NameIndex:
    """Participants by the stem of each name part (three letters or more), built once per list.

    Finding "Ольга подготовит" by trying every participant's every name part against every word of
    every sentence was sentences × participants (8.7 s on a 105-speaker transcript); with the index
    each capitalised word of a sentence is one dictionary lookup.
    """

    def __init__(self, participants: list[Participant]) -> None:
        self.participants = participants
        self.key = [p.name for p in participants]
        self.by_stem: dict[str, list[int]] = {}
        for i, p in enumerate(participants):
            if is_generic_label(p.name):
                continue
            for part in p.name.split():
                if len(part) >= 3:
                    ids = self.by_stem.setdefault(stem(part), [])
                    if not ids or ids[-1] != i:
                        ids.append(i)

    def fresh(self, participants: list[Participant]) -> bool:
        return participants is self.participants and [p.name for p in participants] == self.key

    def named_before(self, text: str, follows: re.Pattern[str]) -> Participant | None:
        """The first participant (in list order) named by a capitalised word that ``follows`` matches
        right after (the text after the word, e.g. an optional surname and an action verb)."""
        best: int | None = None
        for m in _CAPITALISED.finditer(text):
            ids = self.by_stem.get(stem(m.group(0)))
            if not ids or (best is not None and ids[0] >= best):
                continue
            if follows.match(text[m.end():m.end() + 40]):
                best = ids[0]
        return self.participants[best] if best is not None else None


_INDEX: list[NameIndex] = []


def name_index(participants: list[Participant]) -> NameIndex:
    """The ``NameIndex`` of this list, rebuilt when the list or a name in it changed."""
    if _INDEX and _INDEX[0].fresh(participants):
        return _INDEX[0]
    index = NameIndex(participants)
    _INDEX[:] = [index]
    return index


def is_first_person(owner: str) -> bool:
    return normalise_name(owner) in FIRST_PERSON


def speaker_participant(
    evidence: list[Evidence], transcript: Transcript, participants: list[Participant]
) -> Participant | None:
    """The participant who said the first cited segment."""
    for ev in evidence:
        for sid in ev.segment_ids:
            seg = transcript.segment(sid)
            if seg is None or not seg.speaker:
                continue
            return participant_for_label(seg.speaker, transcript, participants)
    return None


def participant_for_label(
    label: str, transcript: Transcript, participants: list[Participant]
) -> Participant | None:
    for p in participants:
        if label in p.speaker_labels:
            return p
    name = transcript.speaker_name(label)
    if name:
        found, count = match_participant(name, participants)
        if found is not None and count == 1:
            return found
    return None


def resolve_owner(
    owner: str | None, evidence: list[Evidence], transcript: Transcript, participants: list[Participant]
) -> OwnerMatch:
    if not owner or not owner.strip():
        return OwnerMatch(None, None, "no_owner")
    if is_first_person(owner):
        speaker = speaker_participant(evidence, transcript, participants)
        if speaker is not None:
            return OwnerMatch(speaker.name, speaker)
        return OwnerMatch(owner, None, "unknown_owner")
    found, count = match_participant(owner, participants)
    if found is not None:
        return OwnerMatch(found.name, found)
    return OwnerMatch(owner.strip(), None, "ambiguous_owner" if count > 1 else "unknown_owner")
