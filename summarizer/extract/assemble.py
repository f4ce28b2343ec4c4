"""From the steps' cleaned replies to a protocol part: moments, written items, evidence, guided items.

The code, not the model, quotes: an item's evidence is the sentence of each cited segment that
shares most words with the item, so a quote is verbatim by construction. In guided mode (the offline
rules chose the moments) the model's sentence is kept only when the cited segments support it, and
the owner and deadline the rules read from the transcript win over the model's. Data in, data out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from summarizer.extract import offline_patterns as P
from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.evidence import normalise_text
from summarizer.extract.numbers import is_number_word, month_numbers, number_values
from summarizer.extract.support import check_support
from summarizer.schema import Agreement, Evidence, Issue, NextStep, Participant, Protocol

log = logging.getLogger(__name__)

QUOTE_WORDS = 30
MIN_CONTENT_WORDS = 3  # of a guided item's sentence, beyond names, numbers and the writer's frame words
CONTEXT_REACH = 2  # segments before a guided moment that may supply what its acceptance refers to
NEAR_DUPLICATE = 90  # token_sort_ratio between two item texts that say the same
FIRST_PERSON = re.compile(r"^\s*(?:я|мы|i|we)\b|\b(?:i'll|we'll|i will|we will|я\s+\w+ю|мы\s+\w+м)\b",
                          re.IGNORECASE)


@dataclass
class Moment:
    kind: str
    segments: list[str]
    rules: Agreement | NextStep | None = None  # the offline rules' item, in guided mode

    @property
    def rules_text(self) -> str:
        rules = self.rules
        return "" if rules is None else rules.text if isinstance(rules, Agreement) else rules.action


def rules_moments(protocol: Protocol, segment_ids: list[str]) -> list[Moment]:
    """Guided step 1: the offline rules' agreements and next steps whose segments are in this chunk,
    in meeting order (an item belongs to the chunk that holds its first current segment)."""
    position = {sid: i for i, sid in enumerate(segment_ids)}
    found: list[tuple[int, Moment]] = []
    for kind, entries in (("agreement", protocol.agreements), ("action", protocol.next_steps)):
        for entry in entries:
            cited = [sid for ev in entry.evidence if not ev.superseded for sid in ev.segment_ids]
            cited = sorted(dict.fromkeys(s for s in cited if s in position), key=position.__getitem__)
            if cited:
                found.append((position[cited[0]], Moment(kind, cited, entry)))
    found.sort(key=lambda pm: pm[0])
    return [m for _, m in found]


@dataclass
class WrittenItem:
    moment: Moment
    text: str
    responsible: str | None
    due_phrase: str | None
    due_date: str | None


def same_text(a: str, b: str) -> bool:
    if sorted(re.findall(r"\d+", a)) != sorted(re.findall(r"\d+", b)):
        return False
    return fuzz.token_sort_ratio(normalise_text(a), normalise_text(b)) >= NEAR_DUPLICATE


def similar(a: str, b: str) -> bool:
    return fuzz.token_set_ratio(normalise_text(a), normalise_text(b)) >= 92


def _stems(text: str) -> set[str]:
    """Crude word stems (5-letter prefixes) for telling which text shares most words with another."""
    return {w[:5] for w in normalise_text(text).split()}


def best_quote(segment_text: str, item_text: str) -> str:
    """The sentence of a segment that shares most words with the item (verbatim, at most
    ``QUOTE_WORDS`` words)."""
    sentences = [s for s in re.split(r"(?<=[.!?…])\s+", segment_text.strip()) if s] or [segment_text]
    words = {w[:5] for w in normalise_text(item_text).split() if len(w) > 2}
    best = max(sentences, key=lambda s: len(words & _stems(s)))
    return " ".join(best.split()[:QUOTE_WORDS])


def evidence_for(segments: list[str], segment_text: dict[str, str], item_text: str) -> list[Evidence]:
    return [Evidence(segment_ids=[sid], quote=best_quote(segment_text[sid], item_text))
            for sid in segments if sid in segment_text]


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def fill_guided(moments: list[Moment], written: list[WrittenItem]) -> list[WrittenItem]:
    """Every guided moment keeps an item: where the model's reply lost one (an empty sentence, or
    the same sentence as another moment's), the rules' own text stands."""
    by_moment = {id(w.moment): w for w in written}
    out = []
    for moment in moments:
        item = by_moment.get(id(moment))
        if item is None and moment.rules is not None:
            item = WrittenItem(moment, moment.rules_text, None, None, None)
        if item is not None:
            out.append(item)
    return out


def guided_item(
    item: WrittenItem, segment_text: dict[str, str], names: list[str], meeting_date: dt.date | None,
    language: str,
) -> tuple[str, str | None, str | None, dt.date | None, list[Evidence]]:
    """A guided item: the model's sentence when its cited segments support it (else the rules' own
    text); the owner and the deadline the rules read from the transcript, the model's only where the
    rules found none; the rules' evidence (with the history of a revised item)."""
    rules = item.moment.rules
    assert rules is not None
    rules_text = item.moment.rules_text
    rules_owner = rules.responsible if isinstance(rules, Agreement) else rules.owner
    evidence = [ev.model_copy() for ev in rules.evidence]
    order = list(segment_text)
    first = order.index(item.moment.segments[0]) if item.moment.segments[0] in segment_text else 0
    # the sentence may name what an acceptance refers to ("weekend support" for "ten percent, agreed"):
    # then the segments just before, which say it, join the evidence
    lost = (number_values(rules_text) | month_numbers(rules_text)) - (
        number_values(item.text, parts=True) | month_numbers(item.text))
    # a copy of the speaker's words ("I'll send the invite today") is not a protocol sentence, and a
    # sentence that drops a number or a date of the rules' reading has lost a term of the deal
    rejected = bool(FIRST_PERSON.search(item.text) or lost) or item.text == rules_text
    text = rules_text
    for extra in range(0 if rejected else CONTEXT_REACH + 1):
        context = order[max(0, first - extra):first]
        if any(find_due_phrases(segment_text[s], language) for s in context):
            break  # a deadline said there is another item's: the code would read it as this one's
        said = [segment_text[s] for s in [*context, *item.moment.segments] if s in segment_text]
        support = check_support(item.text, said, names=names, meeting_date=meeting_date, language=language)
        # "Agreement." is supported by anything: a sentence must say something (3 content words)
        if support.supported and support.content_words >= MIN_CONTENT_WORDS:
            # after the moment's own: a deadline is read first where the moment is
            evidence += evidence_for(context, segment_text, item.text)
            text = item.text
            break
    if text != item.text:
        log.info("guided item %s: the model's sentence is not supported; the rules' text is kept",
                 item.moment.segments)
    # what the rules read from the transcript wins; the model's owner or deadline only where the cited
    # segments say it (a name, the deadline's words): otherwise it is a guess
    cited = normalise_text(" ".join(segment_text.get(s, "") for s in item.moment.segments))
    owner = rules_owner
    if owner is None and item.responsible and any(
            len(part) > 2 and part in cited.split() for part in normalise_text(item.responsible).split()):
        owner = item.responsible
    phrase, due_date = rules.due_phrase, rules.due_date
    if (phrase is None and due_date is None and item.due_phrase and meeting_date is not None
            and normalise_text(item.due_phrase) in cited):
        # a deadline the rules did not see counts only when the code can resolve what was said
        resolved = resolve_due(item.due_phrase, meeting_date, language)
        if resolved is not None:
            phrase, due_date = item.due_phrase, resolved
    return text, owner, phrase, due_date, evidence


def settled_issues(
    issues: list[Any], protocol: Protocol, segment_text: dict[str, str], names: list[str],
    meeting_date: dt.date | None, language: str,
) -> list[Agreement]:
    """Guided mode: an issue the model says was settled, where no agreement of the rules is, is an
    agreement the rules missed ("the campaign goes live on October 5" said as a plain statement) —
    kept only when the issue's segments support the outcome sentence, which then cites the segments
    that share most words with it."""
    entries = [*protocol.agreements, *protocol.next_steps]
    cited = {s for entry in entries for e in entry.evidence for s in e.segment_ids}
    said = [a.text for a in protocol.agreements] + [n.action for n in protocol.next_steps]
    out: list[Agreement] = []
    recap = P.combine(P.compile_table(P.RECAP, language))
    for issue in issues:
        outcome = " ".join((issue.outcome or "").split())
        segments = [s for s in issue.segments if s in segment_text]
        if (not outcome or not segments or set(segments) & cited or FIRST_PERSON.search(outcome)
                or any(similar(outcome, x) or same_text(outcome, x) for x in said)):
            continue
        if not (number_values(outcome) or month_numbers(outcome)) or any(
                recap.search(segment_text[s]) for s in segments):
            continue  # the rules miss decisions with terms; a recap only repeats the agreements
        if _words_besides_terms(outcome) < OUTCOME_WORDS:
            continue  # "7%", "1 июня": the 1.5B's outcome is a figure, not a statement of what was agreed
        support = check_support(outcome, [segment_text[s] for s in segments], names=names,
                                meeting_date=meeting_date, language=language)
        if not support.supported:
            continue
        words = {w[:5] for w in normalise_text(outcome).split() if len(w) > 2}
        ranked = sorted(segments, key=lambda s: -len(words & _stems(segment_text[s])))
        evidence = evidence_for(sorted(ranked[:2], key=segments.index), segment_text, outcome)
        out.append(Agreement(text=outcome[:1].upper() + outcome[1:], evidence=evidence))
        cited.update(segments)
        said.append(outcome)
    return out


OUTCOME_WORDS = 2  # words besides numbers and months that make an outcome a statement


def _words_besides_terms(text: str) -> int:
    words = re.findall(r"[^\W\d_]{3,}", normalise_text(text))
    return sum(not is_number_word(w) and not month_numbers(w) for w in words)


def names_of(participants: list[Participant]) -> list[str]:
    """Who a protocol sentence may name without the cited segments saying it."""
    return [n for p in participants for n in (p.name, *p.speaker_labels) if n]


def settle_texts(
    items: list[WrittenItem], segment_text: dict[str, str], participants: list[Participant],
    meeting_date: dt.date | None, language: str,
) -> list[WrittenItem]:
    """Guided items with the sentence each will have in the protocol (the model's or the rules'), so
    that the overview and the closing are told what the protocol says, not what the model wrote."""
    names = names_of(participants)
    return [dataclasses.replace(i, text=guided_item(i, segment_text, names, meeting_date, language)[0])
            if i.moment.rules is not None else i for i in items]


def build_part(
    items: list[WrittenItem], overview: Any, closing: str | None, segment_text: dict[str, str],
    language: str, participants: list[Participant], meeting_date: dt.date | None = None,
    *, guided: bool = False,
) -> Protocol:
    """One chunk's protocol from the steps' cleaned replies."""
    protocol = Protocol(language=language, participants=[p.model_copy() for p in participants])
    names = names_of(participants)
    changed: list[WrittenItem] = []
    model_deadlines: list[Agreement | NextStep] = []  # guided items whose deadline only the model read
    for item in items:
        if item.moment.kind not in ("agreement", "action"):
            changed.append(item)
            continue
        if item.moment.rules is not None:
            text, who, phrase, due, evidence = guided_item(item, segment_text, names, meeting_date, language)
        else:
            text, who, phrase, due = item.text, item.responsible, item.due_phrase, _parse_date(item.due_date)
            evidence = evidence_for(item.moment.segments, segment_text, item.text)
        entry: Agreement | NextStep
        if item.moment.kind == "agreement":
            entry = Agreement(text=text, responsible=who, due_phrase=phrase, due_date=due, evidence=evidence)
            protocol.agreements.append(entry)
        else:
            entry = NextStep(action=text, owner=who, due_phrase=phrase, due_date=due, evidence=evidence)
            protocol.next_steps.append(entry)
        rules = item.moment.rules
        if rules is not None and phrase and rules.due_phrase is None:
            model_deadlines.append(entry)
    _drop_borrowed_deadlines(protocol, model_deadlines)
    if overview is not None:
        protocol.purpose = overview.purpose
        protocol.results = list(overview.results)
        for issue in overview.issues:
            protocol.issues.append(Issue(
                title=issue.title, summary=issue.outcome, solutions=list(issue.options),
                status="resolved" if issue.outcome else "open",
                evidence=evidence_for(issue.segments, segment_text, issue.title)))
        closing = closing or getattr(overview, "closing", None)
        if guided:
            protocol.agreements += settled_issues(overview.issues, protocol, segment_text, names,
                                                  meeting_date, language)
    _attach_changed(protocol, changed, segment_text)
    protocol.closing = closing
    protocol.assign_ids()
    return protocol


def _drop_borrowed_deadlines(protocol: Protocol, model_deadlines: list[Agreement | NextStep]) -> None:
    """A deadline the model gave an item is another item's when that item reads the same words from a
    segment both cite: "Agreed, I will send the signed contract by Friday" dates the contract, not the
    payment terms the "Agreed" accepts."""
    entries: list[Agreement | NextStep] = [*protocol.agreements, *protocol.next_steps]
    borrowed = {id(e) for e in model_deadlines}
    for entry in model_deadlines:
        mine = {s for e in entry.evidence for s in e.segment_ids}
        phrase = normalise_text(entry.due_phrase or "")
        for other in entries:
            if id(other) in borrowed or normalise_text(other.due_phrase or "") != phrase:
                continue
            if mine & {s for e in other.evidence for s in e.segment_ids}:
                entry.due_phrase = entry.due_date = None
                break


def _attach_changed(protocol: Protocol, changed: list[WrittenItem], segment_text: dict[str, str]) -> None:
    """A rejected or revised proposal is reported among its issue's options (never as an agreement):
    in the issue whose cited segments are nearest, or as an issue of its own."""
    order = {sid: i for i, sid in enumerate(segment_text)}
    for item in changed:
        if any(similar(item.text, o) or same_text(item.text, o)
               for issue in protocol.issues for o in issue.solutions):
            continue
        where = [order[s] for s in item.moment.segments if s in order]
        best, distance = None, 10**9
        for issue in protocol.issues:
            cited = [order[s] for ev in issue.evidence for s in ev.segment_ids if s in order]
            if cited and where:
                d = min(abs(a - b) for a in cited for b in where)
                if d < distance:
                    best, distance = issue, d
        if best is not None and distance <= 3:
            best.solutions.append(item.text)
            best.evidence.extend(evidence_for(item.moment.segments, segment_text, item.text))
        else:
            evidence = evidence_for(item.moment.segments, segment_text, item.text)
            protocol.issues.append(Issue(title=item.text, solutions=[item.text], evidence=evidence))


def draft_of(moment: Moment) -> str:
    """The rules' rough sentence for a guided moment, after ⇒: it anchors a small model to the right
    facts, which it then writes as a protocol sentence."""
    return f" ⇒ {moment.rules_text}" if moment.rules is not None else ""


def enum_value(value: Any) -> Any:
    """An enum member's value (segment ids and names arrive as enums when the schema had them)."""
    return getattr(value, "value", value)
