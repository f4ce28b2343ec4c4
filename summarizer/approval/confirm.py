"""Sending a protocol to the client, recording their written approval, sending the final version.

These are the steps of ``summarizer.approval.workflow`` that involve e-mail and files; the CLI and the web app
call these functions and only present the results.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
from dataclasses import dataclass, field
from email.utils import getaddresses
from pathlib import Path

from summarizer.approval.mail import Delivery, parse_addresses
from summarizer.approval.workflow import check_transition, default_actor, transition
from summarizer.errors import InputError, WorkflowError
from summarizer.pipeline import render_files, send_version
from summarizer.store.database import ApprovalRecord, Store
from summarizer.store.files import now_iso, sha256_bytes, write_atomic

log = logging.getLogger(__name__)

_EVIDENCE_SUFFIXES = (".eml", ".txt", ".msg", ".pdf", ".png", ".jpg", ".html")


@dataclass
class ApprovalResult:
    approval: ApprovalRecord
    final_files: dict[str, Path]
    delivery: Delivery | None = None  # None when no participant has an e-mail address
    notes: list[str] = field(default_factory=list)


def send_for_approval(
    store: Store, meeting_ref: str, to: list[str], *, actor: str | None = None, note: str | None = None,
    review_link: bool = False,
) -> Delivery:
    """E-mail the latest version to the client for approval and move the meeting to sent_to_client.
    ``review_link``: the e-mail opens with a signed link to the client's review page of that version."""
    meeting = store.get_meeting(meeting_ref)
    recipients = parse_addresses(to)
    if not recipients:
        raise InputError(None, "no recipient given", hint="add --to client@example.com")
    resend = meeting.status == "sent_to_client"  # e.g. to someone who was forgotten the first time
    if not resend:
        check_transition(meeting.id, meeting.status, "sent_to_client")
    version = store.get_version(meeting.id)
    review_url = None
    if review_link:
        from summarizer.approval.client_link import link_url, make_token

        review_url = link_url(store.settings, make_token(store.settings, version,
                                                         days=store.settings.review_link_days))
    delivery = send_version(store, meeting, version, recipients, kind="review", review_url=review_url)
    how = "sent" if delivery.sent else "written"
    note = note or f"v{version.number} {how} to {', '.join(delivery.recipients)} ({delivery.path.name})"
    if resend:
        store.set_status(meeting.id, meeting.status, meeting.status, actor=actor or default_actor(),
                         note=note, version=version.number)
    else:
        transition(store, meeting.id, "sent_to_client", actor=actor, version=version.number, note=note)
    return delivery


def participant_addresses(store: Store, meeting_ref: str) -> list[str]:
    """Addresses of every participant of the latest version who has one."""
    meeting = store.get_meeting(meeting_ref)
    protocol = store.get_version(meeting.id).protocol
    return parse_addresses([f"{p.name} <{p.email}>" for p in protocol.participants if p.email])


def send_final(
    store: Store, meeting_ref: str, *, extra: list[str] | None = None, actor: str | None = None
) -> Delivery:
    """Send the approved version to every participant with an e-mail (plus ``extra``) → final_sent."""
    meeting = store.get_meeting(meeting_ref)
    check_transition(meeting.id, meeting.status, "final_sent")
    approvals = store.approvals(meeting.id)
    number = approvals[-1].version if approvals else store.get_version(meeting.id).number
    version = store.get_version(meeting.id, number)
    recipients = _dedupe(participant_addresses(store, meeting.id) + parse_addresses(extra or []))
    if not recipients:
        raise WorkflowError(
            f"meeting {meeting.id}: no participant has an e-mail address",
            hint="add addresses with `summarizer send MEETING --final --to a@example.com`",
        )
    delivery = send_version(store, meeting, version, recipients, kind="final")
    transition(store, meeting.id, "final_sent", actor=actor, version=version.number,
               note=f"final v{version.number} {'sent' if delivery.sent else 'written'} to "
               f"{', '.join(delivery.recipients)} ({delivery.path.name})")
    return delivery


def _dedupe(addresses: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in addresses:
        addr = getaddresses([value])[0][1].lower()
        seen.setdefault(addr, value)
    return list(seen.values())


def _read_evidence(evidence: str | Path) -> tuple[bytes, str, str]:
    """(stored bytes, text for the database, file suffix) of a confirmation file or text."""
    path = Path(evidence).expanduser() if isinstance(evidence, Path) or len(str(evidence)) < 4096 else None
    if path is not None and _is_file(path):
        data = path.read_bytes()
        if path.suffix.lower() == ".eml":
            msg = email.message_from_bytes(data, policy=email.policy.default)
            body = msg.get_body(preferencelist=("plain", "html"))
            content = body.get_content() if body is not None else ""
            text = f"From: {msg['From']}\nDate: {msg['Date']}\nSubject: {msg['Subject']}\n\n{content}"
        else:
            text = data.decode("utf-8", "replace")
        return data, text, path.suffix.lower() or ".txt"
    if isinstance(evidence, Path) or str(evidence).lower().endswith(_EVIDENCE_SUFFIXES):
        raise InputError(str(evidence), "no such file",
                         hint="give the confirmation e-mail file, or quote its text in double quotes")
    text = str(evidence).strip()
    if not text:
        raise InputError(None, "the approval evidence is empty",
                         hint="give the client's confirmation e-mail (.eml) or its text")
    return text.encode("utf-8"), text, ".txt"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # pasted reply text: a "name" over 255 bytes, or with a NUL
        return False


def approve(
    store: Store,
    meeting_ref: str,
    *,
    by: str,
    evidence: str | Path,
    actor: str | None = None,
    send: bool = True,
) -> ApprovalResult:
    """Record the client's written approval of the version they were sent, render the final
    protocol and (``send``) e-mail it to every participant with an address.

    The confirmation is kept in ``evidence/`` in the meeting folder; the approval row holds its
    sha256 and the sha256 of the approved version, so both can be checked later.
    """
    meeting = store.get_meeting(meeting_ref)
    check_transition(meeting.id, meeting.status, "approved")
    approved_by = parse_addresses([by])[0] if "@" in by else by.strip()
    if not approved_by:
        raise InputError(None, "who approved is missing", hint='use --by "Name <mail@example.com>"')
    data, text, suffix = _read_evidence(evidence)
    version = store.get_version(meeting.id)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"approval-v{version.number:03d}-{stamp}{suffix}"
    stored = write_atomic(meeting.folder / "evidence" / name, data)
    record = ApprovalRecord(
        meeting_id=meeting.id, version=version.number, approved_by=approved_by, at=now_iso(),
        evidence_text=text, evidence_path=str(stored), evidence_sha256=sha256_bytes(data),
        version_sha256=version.sha256,
    )
    actor = actor or default_actor()
    with store.transaction() as conn:
        store.add_approval(record, conn=conn)
        store.set_status(meeting.id, meeting.status, "approved", actor=actor, version=version.number,
                         note=f"approved by {approved_by} ({stored.name})", conn=conn)
    meeting = store.get_meeting(meeting.id)
    files = render_files(store, meeting, version, status="final")
    result = ApprovalResult(approval=record, final_files=files)
    if send:
        if participant_addresses(store, meeting.id):
            result.delivery = send_final(store, meeting.id, actor=actor)
        else:
            result.notes.append("no participant has an e-mail address; the final version was not sent "
                                "(use `summarizer send MEETING --final --to ...`)")
    return result
