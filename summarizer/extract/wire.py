"""Wire models of the step protocol: what a language model fills, one short schema per step.

Nothing here repeats what the code already knows: no speaker labels, no segment lists beyond the
few ids an item cites, no header, no quotes (the code quotes the cited segment itself, so a quote
can never be misspelt). Every list is bounded (``maxItems``) and described, because a small model
fills an unbounded list until its context is full (the 1.5B put every segment id of the meeting into
one participant's ``speaker_labels``). The models are built per request so that segment ids and
participant names are enums: with a grammar-enforcing server (llama.cpp, vLLM, OpenAI strict) the
model cannot cite a segment that does not exist or name a person who is not there.

Strict ``json_schema`` rejects defaults, so every field is required and absent values are ``null``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

MAX_MOMENTS = 14
MAX_MOMENT_SEGMENTS = 3
MAX_ISSUES = 5
MAX_OPTIONS = 3
MAX_ISSUE_SEGMENTS = 4
MAX_RESULTS = 3
MAX_PEOPLE = 12

MomentKind = Literal["agreement", "action", "rejected", "revised"]
KIND_HELP = (
    "agreement: a decision both sides accepted (terms, price, dates, approach); "
    "action: someone commits to do something after the meeting (send, prepare, open access); "
    "rejected: a proposal the other side declined; "
    "revised: a decision that a later statement changed (cite the earlier one)"
)


def _enum(name: str, values: list[str]) -> Any:
    """A str Enum of ``values`` (a JSON-schema ``enum``); plain ``str`` when there are none."""
    if not values:
        return str
    members = {f"v{i}": v for i, v in enumerate(dict.fromkeys(values))}
    return Enum(name, members, type=str)


def moments_model(segment_ids: list[str]) -> type[BaseModel]:
    """Step 1: which segments hold decisions, commitments, rejected or revised proposals."""
    seg = _enum("SegmentId", segment_ids)
    moment = create_model(
        "Moment",
        segments=(list[seg], Field(  # type: ignore[valid-type]
            min_length=1, max_length=MAX_MOMENT_SEGMENTS,
            description="1-3 ids of the segments where it is proposed and accepted, "
                        "e.g. ['s0013', 's0014']")),
        kind=(MomentKind, Field(description=KIND_HELP)),
    )
    return create_model(
        "Moments",
        moments=(list[moment], Field(  # type: ignore[valid-type]
            max_length=MAX_MOMENTS,
            description=f"at most {MAX_MOMENTS}, in meeting order; only segments that decide or commit "
                        "something, never every segment")),
    )


Label = Literal["none", "agreement", "action", "both", "rejected", "revised"]


def labels_model(segment_ids: list[str]) -> type[BaseModel]:
    """Step 1 for small models: one label per segment, keyed by its id in transcript order.

    The grammar writes every id itself and the model only picks the label, so it can neither lose
    count nor drift to the first ids of the meeting (what the 0.5B did when asked for a list of ids);
    the reply's length is fixed by the transcript, not by the model."""
    label = (Label, Field(description="none, or the kind of moment this segment holds "
                                      "(both: an agreement and an action)"))
    fields: dict[str, Any] = dict.fromkeys(segment_ids, label)
    return create_model("Labels", **fields)


def items_model(count: int, names: list[str]) -> type[BaseModel]:
    """Step 2: one protocol sentence per agreement/action moment, in the order given."""
    person = _enum("Person", names)
    item = create_model(
        "Item",
        text=(str, Field(description="one protocol sentence in the third person with the concrete terms "
                                     "(numbers, amounts, dates, what exactly); not a quote")),
        responsible=(person | None, Field(
            description="the participant who will do it or answers for it, only if the segments say "
                        "so; else null")),
        due_phrase=(str | None, Field(description="the deadline words copied verbatim from the segments, "
                                                  "e.g. 'до пятницы', 'by Monday'; null if none was said")),
        due_date=(str | None, Field(description="that deadline as YYYY-MM-DD, or null")),
    )
    return create_model(
        "Items",
        items=(list[item], Field(  # type: ignore[valid-type]
            min_length=count, max_length=count,
            description=f"exactly {count}: one per numbered moment, in the same order")),
    )


def overview_model(segment_ids: list[str], *, with_closing: bool) -> type[BaseModel]:
    """Step 3: purpose, issues with the options raised and their outcome, results (and the closing)."""
    seg = _enum("SegmentId", segment_ids)
    issue = create_model(
        "Issue",
        title=(str, Field(description="the question discussed, a short noun phrase")),
        segments=(list[seg], Field(  # type: ignore[valid-type]
            min_length=1, max_length=MAX_ISSUE_SEGMENTS,
            description="1-4 ids of the segments where it is raised and settled")),
        options=(list[str], Field(max_length=MAX_OPTIONS,
                                  description="the solutions proposed, each a few words, including "
                                              "rejected ones")),
        outcome=(str | None, Field(description="how it was settled, one short sentence; null if left open")),
    )
    fields: dict[str, Any] = {
        "purpose": (str | None, Field(description="the purpose of the meeting, one sentence, or null")),
        "issues": (list[issue], Field(  # type: ignore[valid-type]
            max_length=MAX_ISSUES, description=f"the main questions discussed, at most {MAX_ISSUES}")),
        "results": (list[str], Field(
            max_length=MAX_RESULTS,
            description=f"at most {MAX_RESULTS} sentences on the overall outcome; do not repeat the "
                        "agreements one by one")),
    }
    if with_closing:
        fields["closing"] = (str, Field(description="one sentence that sums up and thanks the participants"))
    return create_model("Overview", **fields)


class Closing(BaseModel):
    """Step 4: the closing statement."""

    closing: str = Field(description="one sentence that sums up the meeting and thanks the participants")


class WirePerson(BaseModel):
    name: str = Field(description="full name as said in the meeting")
    position: str | None = Field(description="position or role as said, or null")
    organisation: str | None = Field(description="organisation as said, or null")
    email: str | None = Field(description="e-mail exactly as said, or null")
    phone: str | None = Field(description="phone number exactly as said, or null")


class People(BaseModel):
    """Optional step: who took part, only run when the code's own reading left gaps."""

    people: list[WirePerson] = Field(max_length=MAX_PEOPLE,
                                     description=f"the people taking part, at most {MAX_PEOPLE}")


def merged_items_model(segment_ids: list[str], names: list[str]) -> type[BaseModel]:
    """Steps 1 and 2 in one reply, for large models: each moment with its protocol sentence."""
    seg = _enum("SegmentId", segment_ids)
    person = _enum("Person", names)
    moment = create_model(
        "WrittenMoment",
        segments=(list[seg], Field(  # type: ignore[valid-type]
            min_length=1, max_length=MAX_MOMENT_SEGMENTS,
            description="1-3 ids of the segments where it is proposed and accepted")),
        kind=(MomentKind, Field(description=KIND_HELP)),
        text=(str, Field(description="one protocol sentence in the third person with the concrete terms")),
        responsible=(person | None, Field(
            description="the participant who will do it, only if the segments say so; else null")),
        due_phrase=(str | None, Field(description="the deadline words copied verbatim, or null")),
        due_date=(str | None, Field(description="that deadline as YYYY-MM-DD, or null")),
    )
    return create_model(
        "WrittenMoments",
        moments=(list[moment], Field(  # type: ignore[valid-type]
            max_length=MAX_MOMENTS, description=f"at most {MAX_MOMENTS}, in meeting order")),
    )
