"""Long meetings: split the rendered transcript into overlapping chunks, and merge per-chunk protocols.

Splitting is on segment boundaries only, so every segment is sent whole and every segment is in at
least one chunk; consecutive chunks share a few segments so a statement at a boundary is seen with
its context.

Merging is in code, not by another model call, so it can't invent anything:

* header fields: first non-null; organisations: union; purpose: first non-null; closing: last non-null
  (the end of the meeting is where it is summed up);
* participants: one per normalised name (case, ``ё``, word order), fields filled first non-null;
* issues, agreements, next steps from *different* chunks are the same item when they cite a common
  segment (the overlap) and say roughly the same, or when their text is near-identical; the later
  chunk's non-null fields win (it heard what came after) and evidence is united;
* a later agreement on the same subject with another owner or date **supersedes** the earlier one:
  the earlier one is kept, marked ``status="cancelled"`` with a ``superseded`` flag, so a reviewer
  sees both and every line stays provable. Within one chunk the model applies that rule itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz

from summarizer.extract.evidence import normalise_text
from summarizer.llm.structured import estimate_tokens
from summarizer.schema import Agreement, Evidence, Flag, Issue, MeetingHeader, NextStep, Participant, Protocol

DEFAULT_OVERLAP = 3
NEAR_IDENTICAL = 88  # token_sort_ratio: same item said in other words order / small edits
SAME_STATEMENT = 50  # token_set_ratio when evidence overlaps: two readings of the same segments
SAME_SUBJECT = 70  # token_set_ratio: an agreement about the same thing (for supersession)


@dataclass
class Chunk:
    index: int  # 0-based
    total: int
    segment_ids: list[str]
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def first_id(self) -> str:
        return self.segment_ids[0]

    @property
    def last_id(self) -> str:
        return self.segment_ids[-1]


def split_lines(
    lines: Sequence[tuple[str, str]], budget_tokens: int, *, overlap: int = DEFAULT_OVERLAP
) -> list[Chunk]:
    """Split ``(segment_id, rendered line)`` pairs into chunks of at most ``budget_tokens`` (estimated).

    A single segment larger than the budget becomes a chunk of its own rather than being cut."""
    costs = [estimate_tokens(line) + 1 for _, line in lines]
    n = len(lines)
    bounds: list[tuple[int, int]] = []
    start, prev_end = 0, 0
    while start < n:
        end, used = start, 0
        while end < n and (end <= prev_end or end == start or used + costs[end] <= budget_tokens):
            used += costs[end]
            end += 1
        bounds.append((start, end))
        if end >= n:
            break
        # overlap: the last few segments again, but never more than a quarter of the budget
        back = 0
        spent = 0
        while back < overlap and end - back - 1 > start:
            cost = costs[end - back - 1]
            if spent + cost > budget_tokens // 4:
                break
            spent += cost
            back += 1
        start, prev_end = end - back, end
    total = len(bounds)
    return [
        Chunk(index=i, total=total, segment_ids=[sid for sid, _ in lines[a:b]],
              lines=[ln for _, ln in lines[a:b]])
        for i, (a, b) in enumerate(bounds)
    ]


# --------------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------------
def normalise(text: str | None) -> str:
    return normalise_text(text or "")


def _near_identical(a: str, b: str) -> bool:
    # "Invoice 1043" and "Invoice 1044" are different items however similar the words
    if not (a and b) or sorted(_NUMBER_RE.findall(a)) != sorted(_NUMBER_RE.findall(b)):
        return False
    return fuzz.token_sort_ratio(normalise(a), normalise(b)) >= NEAR_IDENTICAL


_NUMBER_RE = re.compile(r"\d+")


def _segments(evidence: list[Evidence]) -> set[str]:
    return {sid for ev in evidence for sid in ev.segment_ids}


def _unite_evidence(first: list[Evidence], second: list[Evidence]) -> list[Evidence]:
    out = list(first)
    seen = {(tuple(ev.segment_ids), normalise(ev.quote)) for ev in first}
    for ev in second:
        key = (tuple(ev.segment_ids), normalise(ev.quote))
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


Item = TypeVar("Item", Issue, Agreement, NextStep)


def _text_of(item: Issue | Agreement | NextStep) -> str:
    if isinstance(item, Issue):
        return item.title  # summaries differ with what each chunk heard; the subject is the title
    if isinstance(item, Agreement):
        return item.text
    return item.action


def _same_item(a: Issue | Agreement | NextStep, b: Issue | Agreement | NextStep) -> bool:
    ta, tb = _text_of(a), _text_of(b)
    if _segments(a.evidence) & _segments(b.evidence):
        return fuzz.token_set_ratio(normalise(ta), normalise(tb)) >= SAME_STATEMENT
    return _near_identical(ta, tb)


def _combine(earlier: Item, later: Item) -> Item:
    """Later non-null fields win; evidence, solutions and flags are united."""
    data = earlier.model_dump()
    for key, value in later.model_dump().items():
        if key in ("id", "evidence", "flags", "solutions", "edited"):
            continue
        if value not in (None, "", []):
            data[key] = value
    merged = type(earlier).model_validate(data)
    merged.evidence = _unite_evidence(earlier.evidence, later.evidence)
    merged.flags = [*earlier.flags, *later.flags]
    if isinstance(merged, Issue) and isinstance(earlier, Issue) and isinstance(later, Issue):
        merged.solutions = _unite_texts([earlier.solutions, later.solutions])
    return merged


def _conflicts(a: Agreement, b: Agreement) -> bool:
    """Same subject, but another owner or date: the later one changes the earlier decision."""
    if fuzz.token_set_ratio(normalise(a.text), normalise(b.text)) < SAME_SUBJECT:
        return False
    other_owner = bool(a.responsible and b.responsible) and (
        normalise(a.responsible) != normalise(b.responsible)
    )
    date_a = a.due_date.isoformat() if a.due_date else normalise(a.due_phrase)
    date_b = b.due_date.isoformat() if b.due_date else normalise(b.due_phrase)
    other_date = bool(date_a and date_b) and date_a != date_b
    return other_owner or other_date


def _merge_items(parts: list[list[Item]], *, supersede: bool = False) -> list[Item]:
    merged: list[Item] = []
    origin: list[int] = []  # which part each merged item first came from
    for part_no, items in enumerate(parts):
        for item in items:
            earlier = [i for i, src in enumerate(origin) if src < part_no]
            if supersede:
                for i in earlier:
                    old = merged[i]
                    if (isinstance(old, Agreement) and isinstance(item, Agreement)
                            and old.status != "cancelled" and _conflicts(old, item)
                            and not (_segments(old.evidence) & _segments(item.evidence))):
                        old.status = "cancelled"
                        old.flags.append(Flag(code="superseded",
                                              message=f"superseded by a later agreement: {item.text}"))
            live = [i for i in earlier if getattr(merged[i], "status", None) != "cancelled"]
            match = next((i for i in live if _same_item(merged[i], item)), None)
            if match is None:
                merged.append(item.model_copy(deep=True))
                origin.append(part_no)
            else:
                merged[match] = _combine(merged[match], item)
    return merged


def _unite_texts(lists: list[list[str]]) -> list[str]:
    out: list[str] = []
    for texts in lists:
        for text in texts:
            if text and not any(_near_identical(text, seen) for seen in out):
                out.append(text)
    return out


def _participant_key(name: str) -> str:
    return " ".join(sorted(normalise(name).split()))


def _merge_participants(parts: list[list[Participant]]) -> list[Participant]:
    out: list[Participant] = []
    for people in parts:
        for person in people:
            key = _participant_key(person.name)
            found = next((p for p in out if _participant_key(p.name) == key
                          or fuzz.ratio(_participant_key(p.name), key) >= 92), None)
            if found is None:
                out.append(person.model_copy(deep=True))
                continue
            for field in ("position", "organisation", "email", "phone"):
                if getattr(found, field) is None and getattr(person, field):
                    setattr(found, field, getattr(person, field))
            if found.side == "unknown":
                found.side = person.side
            found.speaker_labels = list(dict.fromkeys([*found.speaker_labels, *person.speaker_labels]))
    return out


def _first(values: list[str | None]) -> str | None:
    return next((v for v in values if v), None)


def merge_protocols(parts: list[Protocol]) -> Protocol:
    """One protocol from per-chunk protocols (in meeting order); see the module docstring for rules."""
    if not parts:
        raise ValueError("nothing to merge")
    if len(parts) == 1:
        return parts[0]
    header = MeetingHeader()
    for name in ("title", "date", "start_time", "end_time", "place", "platform"):
        setattr(header, name, next((getattr(p.header, name) for p in parts if getattr(p.header, name)), None))
    header.organisations = _unite_texts([p.header.organisations for p in parts])
    protocol = Protocol(
        language=parts[0].language,
        header=header,
        participants=_merge_participants([p.participants for p in parts]),
        purpose=_first([p.purpose for p in parts]),
        results=_unite_texts([p.results for p in parts]),
        issues=_merge_items([p.issues for p in parts]),
        agreements=_merge_items([p.agreements for p in parts], supersede=True),
        next_steps=_merge_items([p.next_steps for p in parts]),
        open_questions=_unite_texts([p.open_questions for p in parts]),
        closing=_first([p.closing for p in reversed(parts)]),
        flags=[f for p in parts for f in p.flags],
    )
    for item in protocol.items():
        item.id = ""
    protocol.assign_ids()
    for item in protocol.items():
        for flag in item.flags:
            flag.item_id = item.id
    return protocol

