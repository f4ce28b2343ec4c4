"""Finish any extracted protocol (LLM or offline) the same way: evidence, dates, owners, flags.

``finalize_protocol`` is pure: a protocol and its transcript in, a new protocol out. It is safe to
run twice; the flags it owns are recomputed, flags added by others are kept.
"""

from __future__ import annotations

import datetime as dt
import logging

from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.evidence import TranscriptIndex, check_evidence, normalise_text
from summarizer.extract.owners import (
    is_generic_label,
    match_participant,
    participant_for_label,
    resolve_owner,
)
from summarizer.extract.support import check_support
from summarizer.schema import Agreement, Flag, NextStep, Participant, Protocol, _Item
from summarizer.transcript import Transcript

log = logging.getLogger(__name__)

OWN_CODES = {
    "evidence_unverified", "no_evidence", "no_owner", "unknown_owner", "ambiguous_owner",
    "no_due_date", "date_mismatch", "date_unsupported", "unknown_speaker", "evidence_unsupported",
    "date_unresolved",
}

_MESSAGES = {
    "ru": {
        "no_evidence": "Нет цитаты из расшифровки — проверьте пункт.",
        "evidence_unverified": "Цитата не найдена в расшифровке: «{quote}».",
        "no_owner": "Не указан ответственный.",
        "unknown_owner": "«{owner}» нет среди участников.",
        "ambiguous_owner": "«{owner}» подходит нескольким участникам.",
        "no_due_date": "Не указан срок.",
        "date_mismatch": "Срок {given} не совпадает с фразой «{phrase}»; поставлен срок по фразе: "
                         "{resolved}.",
        "date_unresolved": "Срок {given} указан моделью: фразу «{phrase}» не удалось перевести в дату.",
        "evidence_unsupported": "Цитата не подтверждает пункт ({missing}) — проверьте.",
        "date_unsupported": "Срок {given} не подтверждён словами из расшифровки.",
        "unknown_speaker": "Говорящий {label} не опознан — укажите имя.",
    },
    "en": {
        "no_evidence": "No quote from the transcript — check this item.",
        "evidence_unverified": "Quote not found in the transcript: \"{quote}\".",
        "no_owner": "No responsible person.",
        "unknown_owner": "\"{owner}\" is not among the participants.",
        "ambiguous_owner": "\"{owner}\" fits more than one participant.",
        "no_due_date": "No due date.",
        "date_mismatch": "Due date {given} does not match the phrase \"{phrase}\"; set from the phrase: "
                         "{resolved}.",
        "date_unresolved": "Due date {given} is the model's: the phrase \"{phrase}\" could not be resolved.",
        "evidence_unsupported": "The quote does not support this item ({missing}) — check it.",
        "date_unsupported": "Due date {given} is not backed by words in the transcript.",
        "unknown_speaker": "Speaker {label} is not identified — add a name.",
    },
}


def _flag(language: str, code: str, item_id: str | None = None, **fields: object) -> Flag:
    table = _MESSAGES["ru" if language.startswith("ru") else "en"]
    return Flag(code=code, message=table[code].format(**fields), item_id=item_id)


def finalize_protocol(
    protocol: Protocol, transcript: Transcript, *, meeting_date: dt.date | None = None
) -> Protocol:
    out = protocol.model_copy(deep=True)
    lang = out.language or transcript.language or "ru"
    meeting_date = meeting_date or out.header.date
    if out.header.date is None and meeting_date is not None:
        out.header.date = meeting_date
    out.assign_ids()
    out.flags = [f for f in out.flags if f.code not in OWN_CODES]
    _merge_roster(out, transcript)

    index = TranscriptIndex.build(transcript)
    # The extractor's date a date_mismatch replaced is only in its flag: keep that flag on a second run.
    replaced = {id(item): [f for f in item.flags if f.code == "date_mismatch"] for item in out.items()}
    for item in out.items():
        item.flags = [f for f in item.flags if f.code not in OWN_CODES]
        _check_item_evidence(item, transcript, index, lang)
    entries: list[Agreement | NextStep] = [*out.agreements, *out.next_steps]
    names = _known_names(out.participants, transcript)
    for entry in entries:
        _check_item_support(entry, transcript, names, meeting_date, lang)
    for entry in entries:
        before = entry.due_date
        _resolve_item_date(entry, transcript, meeting_date, lang)
        if (replaced[id(entry)] and entry.due_date == before and not entry.edited
                and not any(f.code == "date_mismatch" for f in entry.flags)):
            entry.flags[:0] = replaced[id(entry)]
        _resolve_item_owner(entry, transcript, out.participants, lang)
    out.flags.extend(_unknown_speakers(transcript, out.participants, lang))
    return out


# --------------------------------------------------------------------------------------------------
def _merge_roster(protocol: Protocol, transcript: Transcript) -> None:
    """The roster is what the user told us; it fills gaps and adds people the extractor missed."""
    for person in transcript.roster:
        found, _ = match_participant(person.name, protocol.participants)
        if found is None:
            protocol.participants.append(
                Participant(
                    name=person.name, position=person.position, organisation=person.organisation,
                    email=person.email, phone=person.phone,
                    side=person.side if person.side in ("ours", "client") else "unknown",  # type: ignore[arg-type]
                    speaker_labels=list(person.labels),
                )
            )
            continue
        for field in ("position", "organisation", "email", "phone"):
            if not getattr(found, field) and getattr(person, field):
                setattr(found, field, getattr(person, field))
        if found.side == "unknown" and person.side in ("ours", "client"):
            found.side = person.side  # type: ignore[assignment]
        for label in person.labels:
            if label not in found.speaker_labels:
                found.speaker_labels.append(label)


def _check_item_evidence(item: _Item, transcript: Transcript, index: TranscriptIndex, lang: str) -> None:
    if not item.evidence:
        item.flags.append(_flag(lang, "no_evidence", item.id))
        return
    item.evidence = [check_evidence(ev, transcript, index) for ev in item.evidence]
    for ev in item.evidence:
        if ev.status == "unverified":
            item.flags.append(_flag(lang, "evidence_unverified", item.id, quote=ev.quote[:80]))


def _known_names(participants: list[Participant], transcript: Transcript) -> list[str]:
    """Names a protocol writer may put in an item that its quote need not say: people (the owner of
    "I'll send it"), their organisations, and speaker labels."""
    names = [p.name for p in participants] + [p.organisation for p in participants if p.organisation]
    names += [person.name for person in transcript.roster] + transcript.speakers()
    return names


def _cited_texts(item: _Item, transcript: Transcript) -> list[str]:
    texts = []
    for sid in dict.fromkeys(sid for ev in item.evidence for sid in ev.segment_ids):
        seg = transcript.segment(sid)
        if seg is not None:
            texts.append(seg.text)
    return texts


def _check_item_support(
    item: Agreement | NextStep, transcript: Transcript, names: list[str], meeting_date: dt.date | None,
    lang: str,
) -> None:
    """The quote exists; does it say what the item says? (facts and key words, see support.py)"""
    if item.edited or not item.evidence:
        return  # a reviewer's wording is theirs; an item with no quote is flagged already
    text = item.text if isinstance(item, Agreement) else item.action
    support = check_support(text, _cited_texts(item, transcript), names=names, meeting_date=meeting_date,
                            language=lang)
    if not support.supported:
        item.flags.append(_flag(lang, "evidence_unsupported", item.id, missing=support.describe()))


def _evidence_texts(item: _Item, transcript: Transcript) -> list[str]:
    # Only the checked quotes: a deadline said elsewhere in the same segment may belong to another item.
    return [ev.quote for ev in item.evidence if ev.status in ("verified", "fuzzy")]


def _resolve_item_date(
    item: Agreement | NextStep, transcript: Transcript, meeting_date: dt.date | None, lang: str
) -> None:
    """The phrase is what was said, the date is what the code makes of it.

    A phrase the cited segments do not contain is replaced by one they do (or dropped): a model's
    "by Friday" for a segment that says "в понедельник" is not evidence. A date the code resolves
    wins over the extractor's, the disagreement flagged; a phrase the code cannot resolve keeps the
    extractor's date, flagged. A reviewer's date is theirs."""
    if item.due_phrase and not item.edited:
        cited = normalise_text(" ".join(_cited_texts(item, transcript)))
        if cited and normalise_text(item.due_phrase) not in cited:
            log.info("due phrase %r not in the cited segments of %s; looking for one there",
                     item.due_phrase, item.id)
            item.due_phrase = None
    if not item.due_phrase:
        # Only take a phrase from what was actually said, never from the extractor's paraphrase.
        for text in _evidence_texts(item, transcript):
            phrases = find_due_phrases(text, lang)
            if phrases:
                item.due_phrase = phrases[0]
                break
    resolved = resolve_due(item.due_phrase, meeting_date, lang) if item.due_phrase and meeting_date else None
    if item.due_date is None:
        item.due_date = resolved
    elif resolved is not None and resolved != item.due_date:
        if item.edited:
            pass  # the reviewer set it knowingly
        else:
            item.flags.append(_flag(lang, "date_mismatch", item.id, given=item.due_date.isoformat(),
                                    phrase=item.due_phrase, resolved=resolved.isoformat()))
            item.due_date = resolved
    elif resolved is None and item.due_phrase and not item.edited:
        item.flags.append(_flag(lang, "date_unresolved", item.id, given=item.due_date.isoformat(),
                                phrase=item.due_phrase))
    elif not item.due_phrase and not item.edited:
        item.flags.append(_flag(lang, "date_unsupported", item.id, given=item.due_date.isoformat()))
    if item.due_date is None:
        item.flags.append(_flag(lang, "no_due_date", item.id))


def _resolve_item_owner(
    item: Agreement | NextStep, transcript: Transcript, participants: list[Participant], lang: str
) -> None:
    said = item.responsible if isinstance(item, Agreement) else item.owner
    match = resolve_owner(said, item.evidence, transcript, participants)
    if match.problem:
        item.flags.append(_flag(lang, match.problem, item.id, owner=match.name or ""))
    if isinstance(item, Agreement):
        item.responsible = match.name
    else:
        item.owner = match.name


def _unknown_speakers(transcript: Transcript, participants: list[Participant], lang: str) -> list[Flag]:
    flags = []
    for label in transcript.speakers():
        if not is_generic_label(label):
            continue
        who = participant_for_label(label, transcript, participants)
        if who is None or is_generic_label(who.name):
            flags.append(_flag(lang, "unknown_speaker", None, label=label))
    return flags
