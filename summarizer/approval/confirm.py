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

from summarizer.approval.mail import (
    Delivery,
    parse_addresses,
    participant_recipients,
    recipients_of_eml,
)
from summarizer.approval.workflow import check_transition, default_actor, transition
from summarizer.errors import InputError, SummarizerError, WorkflowError
from summarizer.pipeline import render_files, send_version
from summarizer.schema import Flag, Protocol
from summarizer.store.database import ApprovalRecord, MeetingRecord, Store
from summarizer.store.files import now_iso, sha256_bytes, write_atomic

log = logging.getLogger(__name__)

_EVIDENCE_SUFFIXES = (".eml", ".txt", ".msg", ".pdf", ".png", ".jpg", ".html")


@dataclass
class ApprovalResult:
    approval: ApprovalRecord
    final_files: dict[str, Path]
    delivery: Delivery | None = None  # None when no participant has an e-mail address
    notes: list[str] = field(default_factory=list)


class OpenWarnings(WorkflowError):
    """The version to send still has reviewer warnings (the protocol's flags)."""

    def __init__(self, meeting_id: str, flags: list[Flag], *, kind: str) -> None:
        self.flags = flags
        listed = "".join(f"\n  - {describe_flag(f)}" for f in flags)
        what = "the final version" if kind == "final" else "the protocol for review"
        super().__init__(
            f"meeting {meeting_id} has {len(flags)} open warning(s), so {what} was not sent:{listed}",
            hint=f"fix them with `summarizer review {meeting_id}`, or send anyway with --force",
        )


def describe_flag(flag: Flag) -> str:
    where = f"[{flag.item_id}] " if flag.item_id else ""
    return f"{where}{flag.message} ({flag.code})"


# Flags that only describe what a person did: an item a reviewer (or the client) added has no transcript
# evidence by design, and asking to confirm it again before every send would teach people --force.
_INFORMATIONAL = {"manual_item"}


def open_warnings(protocol: Protocol) -> list[Flag]:
    """What a reviewer should still look at before the protocol goes out (no owner, no date,
    unverified evidence, unknown speakers, ...); what a reviewer checked (``checked = true``) is not."""
    return [f for f in protocol.open_flags() if f.code not in _INFORMATIONAL]


def send_for_approval(
    store: Store,
    meeting_ref: str,
    to: list[str],
    *,
    actor: str | None = None,
    note: str | None = None,
    force: bool = False,
    review_link: bool = False,
) -> Delivery:
    """E-mail the latest version to the client for approval and move the meeting to sent_to_client.

    Refuses (``OpenWarnings``) while the version has open warnings, unless ``force``.
    ``review_link``: the e-mail opens with a signed link to the client's review page of that version."""
    meeting = store.get_meeting(meeting_ref)
    recipients = parse_addresses(to)
    if not recipients:
        raise InputError(None, "no recipient given", hint="add --to client@example.com")
    resend = meeting.status == "sent_to_client"  # e.g. to someone who was forgotten the first time
    if not resend:
        check_transition(meeting.id, meeting.status, "sent_to_client")
    version = store.get_version(meeting.id)
    warnings = open_warnings(version.protocol)
    if warnings and not force:
        raise OpenWarnings(meeting.id, warnings, kind="review")
    review_url = None
    if review_link:
        from summarizer.approval.client_link import link_url, make_token

        review_url = link_url(store.settings, make_token(store.settings, version,
                                                         days=store.settings.review_link_days))
    delivery = send_version(store, meeting, version, recipients, kind="review", review_url=review_url)
    how = "sent" if delivery.sent else "written"
    note = note or f"v{version.number} {how} to {', '.join(delivery.recipients)} ({delivery.path.name})"
    if warnings:
        note += f"; sent with {len(warnings)} open warning(s)"
    if resend:
        store.set_status(meeting.id, meeting.status, meeting.status, actor=actor or default_actor(),
                         note=note, version=version.number)
    else:
        transition(store, meeting.id, "sent_to_client", actor=actor, version=version.number, note=note)
    return delivery


@dataclass
class FinalRecipients:
    """Who the final version goes to, and whom it cannot reach."""

    addresses: list[str]
    without_address: list[str]  # participants with no e-mail on record
    unusable: list[str]  # participants whose e-mail on record is not an address

    def notes(self) -> list[str]:
        out = []
        if self.without_address:
            out.append("no e-mail address on record for: " + ", ".join(self.without_address)
                       + " (they do not get the final version; add one with `--to`)")
        if self.unusable:
            out.append("not an e-mail address, skipped: " + ", ".join(self.unusable))
        return out


def participant_addresses(store: Store, meeting_ref: str) -> list[str]:
    """Addresses of every participant of the latest version who has a usable one."""
    meeting = store.get_meeting(meeting_ref)
    return participant_recipients(store.get_version(meeting.id).protocol)[0]


def _review_recipients(meeting: MeetingRecord) -> list[str]:
    """Everyone the protocol was sent to for review: the To of each review e-mail in the outbox
    (the outbox is the record of what went out)."""
    out: list[str] = []
    folder = meeting.folder / "outbox"
    for path in sorted(folder.glob("*-review-v*.eml")) if folder.is_dir() else []:
        try:
            out.extend(recipients_of_eml(path.read_bytes()))
        except OSError as exc:
            log.warning("cannot read the recipients of %s: %s", path, exc)
    return out


def final_recipients(
    store: Store, meeting_ref: str, *, extra: list[str] | None = None, approved_by: str | None = None
) -> FinalRecipients:
    """Every participant with an address, everyone the protocol was sent to for review, the approver
    and ``extra``, each once."""
    meeting = store.get_meeting(meeting_ref)
    approvals = store.approvals(meeting.id)
    number = approvals[-1].version if approvals else None
    protocol = store.get_version(meeting.id, number).protocol
    people, missing, bad = participant_recipients(protocol)
    approver = approved_by or (approvals[-1].approved_by if approvals else "")
    approver_addr = _lenient(approver) if approver and "@" in approver else []
    addresses = _dedupe(people + _review_recipients(meeting) + approver_addr + parse_addresses(extra or []))
    # a participant without an address on record may still be reached through --to or the review mail
    reached = {name.casefold() for name, _ in getaddresses(addresses) if name}
    missing = [m for m in missing if m.casefold() not in reached]
    return FinalRecipients(addresses=addresses, without_address=missing, unusable=bad)


def _lenient(value: str) -> list[str]:
    try:
        return parse_addresses([value])
    except InputError:
        log.warning("the approver %r has no usable address", value)
        return []


def send_final(
    store: Store,
    meeting_ref: str,
    *,
    extra: list[str] | None = None,
    actor: str | None = None,
    force: bool = False,
) -> Delivery:
    """Send the approved version to every participant with an address, everyone it was sent to for
    review, the approver (plus ``extra``) → final_sent. ``Delivery.notes`` names the participants it
    cannot reach. Refuses (``OpenWarnings``) while the approved version has warnings, unless ``force``."""
    meeting = store.get_meeting(meeting_ref)
    check_transition(meeting.id, meeting.status, "final_sent")
    approvals = store.approvals(meeting.id)
    number = approvals[-1].version if approvals else store.get_version(meeting.id).number
    version = store.get_version(meeting.id, number)
    plan = final_recipients(store, meeting.id, extra=extra)
    if not plan.addresses:
        raise WorkflowError(
            f"meeting {meeting.id}: nobody to send the final version to (no participant, review "
            "recipient or approver has an e-mail address)",
            hint=f"add addresses with `summarizer send {meeting.id} --final --to a@example.com`",
        )
    warnings = open_warnings(version.protocol)
    if warnings and not force:
        raise OpenWarnings(meeting.id, warnings, kind="final")
    delivery = send_version(store, meeting, version, plan.addresses, kind="final")
    delivery.notes.extend(plan.notes())
    transition(store, meeting.id, "final_sent", actor=actor, version=version.number,
               note=f"final v{version.number} {'sent' if delivery.sent else 'written'} to "
               f"{', '.join(delivery.recipients)} ({delivery.path.name})")
    return delivery


def _dedupe(addresses: list[str]) -> list[str]:
    """One entry per address (case-insensitive); an entry with a name wins over a bare address."""
    seen: dict[str, str] = {}
    for value in addresses:
        name, addr = getaddresses([value])[0]
        key = addr.lower()
        if key not in seen or (name and not getaddresses([seen[key]])[0][0]):
            seen[key] = value
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
    force: bool = False,
) -> ApprovalResult:
    """Record the client's written approval of the version they were sent, render the final
    protocol and (``send``) e-mail it to everyone who must have it (see ``send_final``).

    The confirmation is kept in ``evidence/`` in the meeting folder; the approval row holds its
    sha256 and the sha256 of the approved version, so both can be checked later. Who approved is
    checked before anything is recorded, so an approval never leaves a meeting that cannot be sent.
    A final version with open warnings is not sent unless ``force`` (a note says so).
    """
    meeting = store.get_meeting(meeting_ref)
    check_transition(meeting.id, meeting.status, "approved")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in by):
        raise InputError(None, f"who approved ({by!r}) contains a line break or a control character",
                         hint='use --by "Name <mail@example.com>" on one line')
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
        plan = final_recipients(store, meeting.id)
        warnings = open_warnings(version.protocol)
        if not plan.addresses:
            result.notes.append("nobody has an e-mail address; the final version was not sent "
                                f"(use `summarizer send {meeting.id} --final --to ...`)")
        elif warnings and not force:
            listed = "".join(f"\n  - {describe_flag(f)}" for f in warnings)
            result.notes.append(f"the final version was not sent: {len(warnings)} open warning(s):{listed}"
                                f"\nsend it anyway with `summarizer send {meeting.id} --final --force`")
        else:
            try:
                result.delivery = send_final(store, meeting.id, actor=actor, force=force)
            except SummarizerError as err:
                again = f"the approval is recorded; send again: `summarizer send {meeting.id} --final`"
                err.hint = f"{again} ({err.hint})" if err.hint else again
                raise
            result.notes.extend(result.delivery.notes)
    return result
