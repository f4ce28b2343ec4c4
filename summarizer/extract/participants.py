"""Who took part, for the offline extractor: names, positions, organisations and their own contacts.

Names come from the roster or from self-introductions (``speakers``); a position or organisation said
in a later sentence of the same speaker fills the gaps; a colleague introduced by someone else
("со мной Дмитрий Орлов, наш логист") joins with the introducer's organisation.

A contact belongs to the person it names, never just to whoever said it: an address that spells a
participant's surname is theirs ("Записал: olga точка smirnova собака …" said by Андрей is Ольга's),
"почта Ольги …" is Ольга's, "моя почта …" is the speaker's. Only an address nobody else owns or is
named in falls back to its speaker.
"""

from __future__ import annotations

import re

from summarizer.extract import participant_patterns as PP
from summarizer.extract.dictation import dictated_phones, spelled_emails
from summarizer.extract.introductions import is_opening_chatter, nominative_organisation, parse_introduction
from summarizer.extract.owners import is_generic_label, match_participant, stem
from summarizer.extract.sentences import Sentence
from summarizer.schema import Participant
from summarizer.speech.speakers import clean_organisation
from summarizer.transcript import Transcript

_POSITION_REACH = 8  # a position said apart from the name comes early in the meeting


def extract_participants(transcript: Transcript, sentences: list[Sentence], lang: str) -> list[Participant]:
    key = "ru" if lang == "ru" else "en"
    people: dict[str, Participant] = {}  # by speaker label
    for label in transcript.speakers():
        person = transcript.person_for(label)
        if person is not None:
            side = person.side if person.side in ("ours", "client") else "unknown"
            people[label] = Participant(name=person.name, position=person.position,
                                        organisation=person.organisation, email=person.email,
                                        phone=person.phone, side=side,  # type: ignore[arg-type]
                                        speaker_labels=[label])
        else:
            people[label] = Participant(name=label, speaker_labels=[label])
    if not people:
        return _introduced_participants(sentences, lang)
    introduced = _read_introductions(transcript, people, key)
    first_turn: dict[str, list[Sentence]] = {}  # each speaker's first segment, sentence by sentence
    for s in sentences:
        if not s.speaker or s.speaker not in people:
            continue
        p = people[s.speaker]
        turn = first_turn.setdefault(s.speaker, [])
        if not turn or turn[0].segment_id == s.segment_id:
            turn.append(s)
        if s.speaker not in introduced and transcript.person_for(s.speaker) is None:
            for intro in PP.INTRO[key]:
                m = intro.pattern.search(s.text)
                if m and _plausible_name(m["name"], s.speaker):
                    p.name = m["name"].strip()
                    groups = m.groupdict()
                    if groups.get("position"):
                        p.position = p.position or PP.normalise_position(groups["position"])
                    p.organisation = p.organisation or clean_organisation(groups.get("org"))
                    introduced.add(s.speaker)
                    break
            else:
                bare = _bare_name(s, turn, key) if is_generic_label(s.speaker) else None
                if bare and s.position < _POSITION_REACH:
                    p.name = bare
                    introduced.add(s.speaker)
        if not p.position and s.position < _POSITION_REACH:
            _position(s.text, p, lang)
        elif p.position and s.position < _POSITION_REACH:
            p.position = PP.normalise_position(p.position)
    participants = list(people.values())
    _add_colleagues(sentences, people, participants, key)
    _attach_contacts(sentences, people, participants, key)
    _plain_organisations(transcript, participants)
    _complete_names(transcript, participants, key)
    return participants


# A surname said after a first name by anyone: "Денис Гаврилов до конца недели пришлёт…". Russian
# surnames are recognised by their endings; English ones by not being a word that starts a clause.
_RU_SURNAME = (r"[А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын|ский|цкий|ской|ова|ева|ёва|ина|ына|ская|цкая|ко|ук|юк|ич|дзе|"
               r"ян|их|ых)")
_EN_SURNAME = r"[A-Z][a-z]{2,}"
_NOT_SURNAME = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
    "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    "Thanks", "Thank", "And", "But", "So", "Yes", "Yeah", "Okay", "The", "This", "That", "What", "Could",
    "Can", "Will", "Would", "Please", "Sorry", "Right", "Great", "Perfect", "Sure", "Hi", "Hello",
}


def _complete_names(transcript: Transcript, participants: list[Participant], key: str) -> None:
    """A participant known by a first name gets the surname the call gives them, when it gives one."""
    text = "\n".join(seg.text for seg in transcript.segments)
    for p in participants:
        if is_generic_label(p.name) or len(p.name.split()) != 1:
            continue
        surname = _RU_SURNAME if key == "ru" else _EN_SURNAME
        found = {m.group(1) for m in re.finditer(rf"\b{re.escape(p.name)}\s+({surname})\b", text)}
        found -= _NOT_SURNAME
        others = {q.name for q in participants if q is not p}
        if len(found) == 1 and not any(f"{p.name} {s}" in others for s in found):
            p.name = f"{p.name} {found.pop()}"


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _read_introductions(transcript: Transcript, people: dict[str, Participant], key: str) -> set[str]:
    """Names, positions and organisations from the introductions that open a call.

    Whole segments are read, not clause-split sentences: "Sofia Marchetti, I manage IT infrastructure at
    Greenfield Mutual" is one introduction, though ", I manage" opens a new clause for the extractor.
    """
    introduced: set[str] = set()
    # a roster person the speaker naming step made from the audio fills its gaps here too; one a
    # person gave is theirs to keep
    named = transcript.meta.get("named_speakers")
    guessed = set(named) if isinstance(named, dict) else set()
    first_turn_over: set[str] = set()
    past_opening: set[str] = set()
    previous: str | None = None
    for seg in transcript.segments[:_POSITION_REACH]:
        label = seg.speaker
        if previous is not None and previous != label:
            first_turn_over.add(previous)
        previous = label
        if not label or label not in people or label in introduced or (
                transcript.person_for(label) and label not in guessed):
            continue
        for text in _SENTENCE_END.split(seg.text):
            intro = parse_introduction(text, key)
            was_opening = label not in past_opening  # only greetings and sound checks so far in the turn
            if not is_opening_chatter(text):
                past_opening.add(label)
            if intro is None or (intro.bare and (not was_opening or label in first_turn_over)):
                continue  # a name alone counts only where the speaker's first turn opens
            if not _plausible_name(intro.name, label) or _someone_else(intro.name, label, people):
                continue
            if intro.bare and not is_generic_label(label):
                continue  # "Anna" saying "John Miller." names someone else
            p = people[label]
            said_in_meeting_script = key == "ru" and not re.search("[А-Яа-яЁё]", p.name)
            fuller = len(intro.name.split()) > len(p.name.split())
            if is_generic_label(p.name) or fuller or said_in_meeting_script:
                p.name = intro.name
            if intro.position and not p.position:
                p.position = PP.normalise_position(intro.position)
            p.organisation = p.organisation or intro.organisation
            introduced.add(label)
            break
    return introduced


def _someone_else(name: str, label: str, people: dict[str, Participant]) -> bool:
    """A name that is another speaker's label is that person being addressed."""
    first = stem(name.split()[0])
    return any(other != label and not is_generic_label(other) and stem(other.split()[0]) == first
               for other in people)


def _plain_organisations(transcript: Transcript, participants: list[Participant]) -> None:
    """«Техпрома» (after a title) is «Техпром» when the call says «Техпром» too."""
    known = {m.group(1).strip() for seg in transcript.segments
             for m in re.finditer(r"«([^«»]{1,60})»", seg.text)}
    known |= {p.organisation for p in participants if p.organisation}
    ordered = sorted(known, key=len)
    for p in participants:
        if p.organisation:
            p.organisation = nominative_organisation(p.organisation, ordered)


def _bare_name(s: Sentence, turn: list[Sentence], key: str) -> str | None:
    """A first and last name said alone as the first sentence of someone's first turn, or right after
    a greeting there ("Morning. Daniel Kowalski.")."""
    opening = s is turn[0] or (len(turn) > 1 and s is turn[1] and bool(PP.GREETING[key].match(turn[0].text)))
    if not opening:
        return None
    m = PP.BARE_NAME[key].match(s.text)
    return m["name"] if m else None


def _position(text: str, p: Participant, lang: str) -> None:
    """'Я руководитель отдела закупок в компании Альфа', said apart from the name."""
    key = "ru" if lang == "ru" else "en"
    with_org = PP.POSITION_ORG[key].search(text)
    if with_org:
        p.position = PP.normalise_position(with_org["position"])
        p.organisation = p.organisation or clean_organisation(with_org["org"])
        return
    m = PP.POSITION_ONLY[key].search(text)
    if m:
        p.position = PP.normalise_position(m["position"])


def _introduced_participants(sentences: list[Sentence], lang: str) -> list[Participant]:
    """Without speaker labels, the people who introduce themselves are still the participants.

    Contacts are attached only from the introducing segment itself: with no labels, a later
    "my e-mail is ..." cannot be tied to anyone.
    """
    from summarizer.speech.speakers import find_introduction

    found: dict[str, Participant] = {}
    last: tuple[str, Participant] | None = None  # the segment someone just introduced themselves in
    for s in sentences:
        hit = find_introduction(s.text)
        if not hit or hit[0] in found:
            if last and last[0] == s.segment_id and not last[1].position:
                _position(s.text, last[1], lang)  # the same turn goes on: "Я руководитель ..."
            continue
        name, position, organisation = hit
        person = Participant(name=name, position=PP.normalise_position(position) if position else None,
                             organisation=organisation)
        for kind, value, _ in find_contacts(s.text):
            if not getattr(person, kind):
                setattr(person, kind, value)
        found[name] = person
        last = (s.segment_id, person)
    participants = list(found.values())
    _add_colleagues(sentences, {}, participants, "ru" if lang == "ru" else "en")
    return participants


def _plausible_name(name: str, label: str) -> bool:
    # A label that already is a name must agree with the introduction ("Anna" → "Anna Petrova"), in
    # either script: Zoom shows "Irina" for someone who says "Ирина".
    if is_generic_label(label):
        return True
    said, shown = name.split()[0], label.split()[0]
    return stem(said) == stem(shown) or PP.transliterate(said) == shown.lower()


def _add_colleagues(sentences: list[Sentence], people: dict[str, Participant],
                    participants: list[Participant], key: str) -> None:
    """'Со мной Дмитрий Орлов, наш логист': position from the introducer, organisation from theirs."""
    for s in sentences:
        m = next((hit for pattern in PP.COLLEAGUE[key] if (hit := pattern.search(s.text))), None)
        if not m:
            continue
        speaker = people.get(s.speaker) if s.speaker else None
        found, _ = match_participant(m["name"], [p for p in participants if not is_generic_label(p.name)])
        if found is None:
            found = Participant(name=m["name"].strip())
            participants.append(found)
        found.position = found.position or PP.normalise_position(m["position"])
        _same_side(found, speaker)
    for s in sentences:
        speaker = people.get(s.speaker) if s.speaker else None
        for pattern in PP.COLLEAGUE_MENTION[key]:
            for m in pattern.finditer(s.text):
                known = [p for p in participants if not is_generic_label(p.name) and p is not speaker]
                found, _ = match_participant(m["name"], known)
                if found is None:
                    continue
                if m.groupdict().get("position") and not found.position:
                    found.position = PP.normalise_position(m["position"])
                _same_side(found, speaker)


def _same_side(found: Participant, speaker: Participant | None) -> None:
    if speaker is not None and speaker is not found:
        found.organisation = found.organisation or speaker.organisation
        if found.side == "unknown":
            found.side = speaker.side


# --------------------------------------------------------------------------------------------------
# Contacts
# --------------------------------------------------------------------------------------------------
def find_contacts(text: str) -> list[tuple[str, str, int]]:
    """(field, value, offset) for every e-mail (written or dictated) and phone in ``text``."""
    found: list[tuple[str, str, int]] = []
    for m in PP.EMAIL.finditer(text):
        found.append(("email", m.group(0).rstrip(".").lower(), m.start()))
    if not found:
        for m in [*PP.SPOKEN_EMAIL.finditer(text), *PP.SPOKEN_EMAIL_DOTTED.finditer(text)][:1]:
            user = re.sub(r"\s+(?:точка|dot)\s+", ".", m["user"], flags=re.IGNORECASE)
            host = re.sub(r"\s+(?:точка|dot)\s+", ".", m["host"], flags=re.IGNORECASE).rstrip(".")
            if "." in host:
                found.append(("email", f"{user}@{host}".lower(), m.start()))
    if not found:
        found += [("email", address, at) for address, at in spelled_emails(text)]
    phones = list(PP.PHONE.finditer(text)) or [
        m for m in PP.PHONE_INTL.finditer(text) if len(re.sub(r"\D", "", m.group(0))) >= 8]
    for m in phones:
        found.append(("phone", m.group(0).strip(), m.start()))
    if not phones:
        found += [("phone", number, at) for number, at in dictated_phones(text)]
    return found


def _loose(text: str) -> str:
    # Transliterations differ (Михаил: mikhail / mihail, Юлия: yulia / iuliia): compare loosely.
    return text.lower().replace("kh", "h").replace("j", "i").replace("y", "i")


def _named_in_address(email: str, participants: list[Participant]) -> Participant | None:
    local = _loose(email.split("@")[0])
    hits = []
    for p in participants:
        if is_generic_label(p.name):
            continue
        parts = [_loose(PP.transliterate(stem(part))) for part in p.name.split()]
        # A surname (the last part) is distinctive; a first name alone only when it is the whole local part.
        surname = len(parts) > 1 and len(parts[-1]) >= 4 and parts[-1] in local
        if surname or parts[0] == re.sub(r"\W", "", local):
            hits.append(p)
    return hits[0] if len(hits) == 1 else None


def _contact_owner(s: Sentence, kind: str, value: str, offset: int, speaker: Participant | None,
                   participants: list[Participant], key: str) -> Participant | None:
    if kind == "email":
        named = _named_in_address(value, participants)
        if named is not None:
            return named
    before = s.text[:offset]
    said_of = None
    for m in PP.CONTACT_OF[key].finditer(before):
        said_of = m
    if said_of is not None:
        found, count = match_participant(said_of["name"], participants)
        if found is not None:
            return found
    if PP.CONTACT_MINE[key].search(before):
        return speaker
    if PP.REPEAT_BACK[key].search(before):
        return None  # "Записал: …": someone else's address said back, owner unknown
    return speaker


def _attach_contacts(sentences: list[Sentence], people: dict[str, Participant],
                     participants: list[Participant], key: str) -> None:
    owned = {v for p in participants for v in (p.email, p.phone) if v}
    for s in sentences:
        contacts = find_contacts(s.text)
        if not contacts:
            continue
        speaker = people.get(s.speaker) if s.speaker else None
        for kind, value, offset in contacts:
            if value in owned:
                continue  # said back ("Записал: …") or repeated: it already has its owner
            owner = _contact_owner(s, kind, value, offset, speaker, participants, key)
            if owner is not None and not getattr(owner, kind):
                setattr(owner, kind, value)
                owned.add(value)
