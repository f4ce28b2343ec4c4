"""The meeting protocol.

Two layers, kept apart on purpose:

* the **domain model** (``Protocol`` and friends): what the rest of the tool works with, with real
  ``date``/``time`` types, defaults, evidence status and reviewer flags;
* the **wire model** (``WireProtocol``): what a language model fills. Strict structured outputs
  (OpenAI ``json_schema`` with ``strict: true``) reject defaults and ``format``, so every field there is
  required, absent values are ``null`` and dates are plain strings. ``wire_to_protocol`` converts.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Side = Literal["ours", "client", "unknown"]
IssueStatus = Literal["open", "resolved"]
AgreementStatus = Literal["agreed", "disputed", "cancelled"]
EvidenceStatus = Literal["unchecked", "verified", "fuzzy", "unverified"]
Level = Literal["brief", "detailed"]


# --------------------------------------------------------------------------------------------------
# Domain model
# --------------------------------------------------------------------------------------------------
class Evidence(BaseModel):
    """Where an item is said in the transcript: segment ids and a short verbatim quote."""

    segment_ids: list[str] = Field(default_factory=list)
    quote: str = ""
    status: EvidenceStatus = "unchecked"
    score: float | None = None  # fuzzy match score 0..100 when status is fuzzy/unverified
    start: float | None = None  # seconds; filled from the transcript by the evidence check
    speaker: str | None = None
    superseded: bool = False  # a quote of an earlier form of the item (revised or countered later)


class Flag(BaseModel):
    """Something a reviewer should look at. ``code`` is stable for programs, ``message`` is for people."""

    code: str  # evidence_unverified | no_owner | no_due_date | date_mismatch | unknown_speaker | ...
    message: str
    item_id: str | None = None


class Participant(BaseModel):
    name: str
    position: str | None = None
    organisation: str | None = None
    side: Side = "unknown"
    email: str | None = None
    phone: str | None = None
    speaker_labels: list[str] = Field(default_factory=list)


class MeetingHeader(BaseModel):
    title: str | None = None
    date: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: str | None = None  # room/address, or the call platform
    platform: str | None = None
    organisations: list[str] = Field(default_factory=list)


class _Item(BaseModel):
    id: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    edited: bool = False  # changed by a reviewer after extraction
    flags: list[Flag] = Field(default_factory=list)


class Issue(_Item):
    title: str
    summary: str | None = None
    solutions: list[str] = Field(default_factory=list)
    status: IssueStatus = "open"


class Agreement(_Item):
    text: str
    responsible: str | None = None
    due_date: dt.date | None = None
    due_phrase: str | None = None  # verbatim, e.g. "до пятницы"
    status: AgreementStatus = "agreed"


class NextStep(_Item):
    action: str
    owner: str | None = None
    due_date: dt.date | None = None
    due_phrase: str | None = None


class Usage(BaseModel):
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None


class ExtractionMeta(BaseModel):
    extractor: Literal["llm", "offline", "manual"] = "offline"
    model: str | None = None
    endpoint: str | None = None
    prompt_version: str | None = None
    mode: str | None = None  # json_schema | json_object | text
    chunks: int = 1
    usage: Usage = Field(default_factory=Usage)
    created_at: dt.datetime | None = None


class Protocol(BaseModel):
    language: str = "ru"
    header: MeetingHeader = Field(default_factory=MeetingHeader)
    participants: list[Participant] = Field(default_factory=list)
    purpose: str | None = None
    results: list[str] = Field(default_factory=list)
    results_by_reviewer: bool = False  # written by a person: kept, not regenerated on a new version
    issues: list[Issue] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    next_steps: list[NextStep] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    closing: str | None = None
    flags: list[Flag] = Field(default_factory=list)  # protocol-wide (e.g. unknown speakers)
    meta: ExtractionMeta = Field(default_factory=ExtractionMeta)

    def items(self) -> list[_Item]:
        return [*self.issues, *self.agreements, *self.next_steps]

    def all_flags(self) -> list[Flag]:
        out = list(self.flags)
        for item in self.items():
            out.extend(item.flags)
        return out

    def assign_ids(self, reserved: Protocol | None = None) -> None:
        """Give every item a stable id (i1, a1, n1...) if it has none; ids survive edits.

        Ids used in ``reserved`` (an earlier version) are never handed out again, so a new item never
        takes the id of a deleted one and a redline does not pair them up.
        """
        for prefix, items in (("i", self.issues), ("a", self.agreements), ("n", self.next_steps)):
            used = {it.id for it in items if it.id}
            if reserved is not None:
                used |= {it.id for it in reserved.items() if it.id.startswith(prefix)}
            counter = 1
            for item in items:
                if not item.id:
                    while f"{prefix}{counter}" in used:
                        counter += 1
                    item.id = f"{prefix}{counter}"
                    used.add(item.id)


# --------------------------------------------------------------------------------------------------
# Wire model: what the language model fills (strict-schema friendly)
# --------------------------------------------------------------------------------------------------
class WireEvidence(BaseModel):
    segment_ids: list[str] = Field(description="ids of the transcript segments, e.g. ['s0012']")
    quote: str = Field(description="short verbatim quote copied exactly from those segments")


class WireParticipant(BaseModel):
    name: str
    position: str | None
    organisation: str | None
    side: Literal["ours", "client", "unknown"]
    email: str | None
    phone: str | None
    speaker_labels: list[str]


class WireHeader(BaseModel):
    title: str | None
    date: str | None = Field(description="YYYY-MM-DD or null")
    start_time: str | None = Field(description="HH:MM or null")
    end_time: str | None = Field(description="HH:MM or null")
    place: str | None
    platform: str | None
    organisations: list[str]


class WireIssue(BaseModel):
    title: str
    summary: str | None
    solutions: list[str]
    status: Literal["open", "resolved"]
    evidence: list[WireEvidence]


class WireAgreement(BaseModel):
    text: str
    responsible: str | None = Field(description="a participant's name exactly as said, or null")
    due_date: str | None = Field(description="YYYY-MM-DD resolved against the meeting date, or null")
    due_phrase: str | None = Field(description="the deadline words verbatim, e.g. 'до пятницы', or null")
    evidence: list[WireEvidence]


class WireNextStep(BaseModel):
    action: str
    owner: str | None
    due_date: str | None
    due_phrase: str | None
    evidence: list[WireEvidence]


class WireProtocol(BaseModel):
    header: WireHeader
    participants: list[WireParticipant]
    purpose: str | None
    results: list[str]
    issues: list[WireIssue]
    agreements: list[WireAgreement]
    next_steps: list[WireNextStep]
    open_questions: list[str]
    closing: str | None


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _parse_time(value: str | None) -> dt.time | None:
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        return None


def _evidence(items: list[WireEvidence]) -> list[Evidence]:
    return [Evidence(segment_ids=list(e.segment_ids), quote=e.quote) for e in items]


def wire_to_protocol(wire: WireProtocol, *, language: str) -> Protocol:
    """Convert what a model filled into the domain model. Unparseable dates become ``None``;
    the date resolver and the evidence check decide later what to flag."""
    h = wire.header
    protocol = Protocol(
        language=language,
        header=MeetingHeader(
            title=h.title,
            date=_parse_date(h.date),
            start_time=_parse_time(h.start_time),
            end_time=_parse_time(h.end_time),
            place=h.place,
            platform=h.platform,
            organisations=list(h.organisations),
        ),
        participants=[Participant(**p.model_dump()) for p in wire.participants],
        purpose=wire.purpose,
        results=list(wire.results),
        issues=[
            Issue(
                title=i.title,
                summary=i.summary,
                solutions=list(i.solutions),
                status=i.status,
                evidence=_evidence(i.evidence),
            )
            for i in wire.issues
        ],
        agreements=[
            Agreement(
                text=a.text,
                responsible=a.responsible,
                due_date=_parse_date(a.due_date),
                due_phrase=a.due_phrase,
                evidence=_evidence(a.evidence),
            )
            for a in wire.agreements
        ],
        next_steps=[
            NextStep(
                action=n.action,
                owner=n.owner,
                due_date=_parse_date(n.due_date),
                due_phrase=n.due_phrase,
                evidence=_evidence(n.evidence),
            )
            for n in wire.next_steps
        ],
        open_questions=list(wire.open_questions),
        closing=wire.closing,
    )
    protocol.assign_ids()
    return protocol
