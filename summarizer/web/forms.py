"""The review form: a protocol as flat form fields and back.

The page renders from a plain dict of strings (``ProtocolForm``), never from the model directly, so a
form that failed validation is shown again with exactly what the person typed. Items keep their ids, so
evidence, flags and extraction metadata stay attached through ``summarizer.approval.review.merge_edit``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from summarizer.schema import Agreement, Issue, NextStep, Participant, Protocol

FormDict = dict[str, Any]
Errors = dict[str, str]

HEADER_FIELDS = ("title", "date", "start_time", "end_time", "place", "platform", "organisations")
PARTICIPANT_FIELDS = ("name", "position", "organisation", "side", "email", "phone", "labels")
ISSUE_FIELDS = ("id", "title", "summary", "solutions", "status")
AGREEMENT_FIELDS = ("id", "text", "responsible", "due_date", "due_phrase", "status")
STEP_FIELDS = ("id", "action", "owner", "due_date", "due_phrase")
LISTS = {
    "participants": ("p", PARTICIPANT_FIELDS),
    "issues": ("i", ISSUE_FIELDS),
    "agreements": ("a", AGREEMENT_FIELDS),
    "next_steps": ("n", STEP_FIELDS),
}
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _s(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def protocol_to_form(protocol: Protocol) -> FormDict:
    h = protocol.header
    return {
        "header": {
            "title": _s(h.title), "date": _s(h.date), "start_time": _s(h.start_time),
            "end_time": _s(h.end_time), "place": _s(h.place), "platform": _s(h.platform),
            "organisations": ", ".join(h.organisations),
        },
        "purpose": _s(protocol.purpose),
        "results": "\n".join(protocol.results),
        "open_questions": "\n".join(protocol.open_questions),
        "closing": _s(protocol.closing),
        "participants": [
            {"name": p.name, "position": _s(p.position), "organisation": _s(p.organisation),
             "side": p.side, "email": _s(p.email), "phone": _s(p.phone),
             "labels": ", ".join(p.speaker_labels)}
            for p in protocol.participants
        ],
        "issues": [
            {"id": i.id, "title": i.title, "summary": _s(i.summary), "solutions": "\n".join(i.solutions),
             "status": i.status}
            for i in protocol.issues
        ],
        "agreements": [
            {"id": a.id, "text": a.text, "responsible": _s(a.responsible), "due_date": _s(a.due_date),
             "due_phrase": _s(a.due_phrase), "status": a.status}
            for a in protocol.agreements
        ],
        "next_steps": [
            {"id": n.id, "action": n.action, "owner": _s(n.owner), "due_date": _s(n.due_date),
             "due_phrase": _s(n.due_phrase)}
            for n in protocol.next_steps
        ],
    }


def form_from_request(data: Mapping[str, str]) -> FormDict:
    """Collect the posted fields into the same shape ``protocol_to_form`` produces."""
    form: FormDict = {
        "header": {f: data.get(f"header.{f}", "").strip() for f in HEADER_FIELDS},
        **{k: data.get(k, "").strip() for k in ("purpose", "results", "open_questions", "closing")},
    }
    for key, (prefix, fields) in LISTS.items():
        rows: list[dict[str, str]] = []
        indexes = sorted({int(m.group(1)) for name in data
                          if (m := re.fullmatch(rf"{prefix}-(\d+)-\w+", name))})
        for index in indexes:
            if data.get(f"{prefix}-{index}-delete"):
                continue
            row = {f: data.get(f"{prefix}-{index}-{f}", "").strip() for f in fields}
            if not any(v for f, v in row.items() if f not in {"id", "side", "status"}):
                continue  # the empty "add" row
            rows.append(row)
        form[key] = rows
    return form


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _opt(text: str) -> str | None:
    return text.strip() or None


def _date(value: str, field: str, errors: Errors) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = "Use a date like 2026-03-31."
        return None


def _time(value: str, field: str, errors: Errors) -> dt.time | None:
    if not value:
        return None
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        errors[field] = "Use a time like 14:30."
        return None


def form_to_protocol(form: FormDict, base: Protocol) -> tuple[Protocol, Errors]:
    """The protocol as the form describes it, plus field errors keyed by field name.

    Items carry only what the form shows; ``summarizer.approval.review.merge_edit`` then brings evidence,
    flags and extraction metadata over from ``base`` by item id and marks what changed.
    """
    errors: Errors = {}
    protocol = base.model_copy(deep=True)
    h, fh = protocol.header, form["header"]
    h.title, h.place, h.platform = _opt(fh["title"]), _opt(fh["place"]), _opt(fh["platform"])
    h.date = _date(fh["date"], "header.date", errors)
    h.start_time = _time(fh["start_time"], "header.start_time", errors)
    h.end_time = _time(fh["end_time"], "header.end_time", errors)
    h.organisations = [o.strip() for o in fh["organisations"].split(",") if o.strip()]
    protocol.purpose = _opt(form["purpose"])
    protocol.results = _lines(form["results"])
    protocol.open_questions = _lines(form["open_questions"])
    protocol.closing = _opt(form["closing"])

    protocol.participants = []
    for n, row in enumerate(form["participants"]):
        if not row["name"]:
            errors[f"p-{n}-name"] = "A participant needs a name."
        if row["email"] and not EMAIL.match(row["email"]):
            errors[f"p-{n}-email"] = "This does not look like an e-mail address."
        side = row["side"] if row["side"] in {"ours", "client", "unknown"} else "unknown"
        protocol.participants.append(Participant(
            name=row["name"], position=_opt(row["position"]), organisation=_opt(row["organisation"]),
            side=side, email=_opt(row["email"]), phone=_opt(row["phone"]),  # type: ignore[arg-type]
            speaker_labels=[x.strip() for x in row["labels"].split(",") if x.strip()],
        ))

    known = {item.id for item in base.items()}

    def item_id(row: dict[str, str]) -> str:
        # an id the base does not know is dropped: the item is new (merge_edit flags it as manual)
        return row["id"] if row["id"] in known else ""

    protocol.issues = []
    for n, row in enumerate(form["issues"]):
        if not row["title"]:
            errors[f"i-{n}-title"] = "An issue needs a title."
        protocol.issues.append(Issue(
            id=item_id(row), title=row["title"], summary=_opt(row["summary"]),
            solutions=_lines(row["solutions"]),
            status="resolved" if row["status"] == "resolved" else "open",
        ))

    protocol.agreements = []
    for n, row in enumerate(form["agreements"]):
        if not row["text"]:
            errors[f"a-{n}-text"] = "An agreement needs its text."
        status = row["status"] if row["status"] in {"agreed", "disputed", "cancelled"} else "agreed"
        protocol.agreements.append(Agreement(
            id=item_id(row), text=row["text"], responsible=_opt(row["responsible"]),
            due_date=_date(row["due_date"], f"a-{n}-due_date", errors), due_phrase=_opt(row["due_phrase"]),
            status=status,  # type: ignore[arg-type]
        ))

    protocol.next_steps = []
    for n, row in enumerate(form["next_steps"]):
        if not row["action"]:
            errors[f"n-{n}-action"] = "A next step needs an action."
        protocol.next_steps.append(NextStep(
            id=item_id(row), action=row["action"], owner=_opt(row["owner"]),
            due_date=_date(row["due_date"], f"n-{n}-due_date", errors), due_phrase=_opt(row["due_phrase"]),
        ))
    return protocol, errors
