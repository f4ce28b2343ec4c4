"""The approval life of a meeting protocol.

States and the steps between them::

    draft ─► internal_review ─► sent_to_client ─► approved ─► final_sent
                  ▲  │                 │  ▲
                  └──┘ (back to draft) ▼  │ (after a new version)
                                 changes_requested

Every step is recorded (who, when, note, version). A step that is not allowed raises ``WorkflowError``
naming the steps that are. Edits (new versions) move the state where it logically goes: editing a
draft starts the internal review, changes after sending mean the client must see a new version.
This module holds the rules; ``summarizer.approval.confirm`` does the sending and the approval record.
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Callable

from summarizer.errors import WorkflowError
from summarizer.schema import Protocol
from summarizer.store.database import EventRecord, Store, VersionRecord, VersionSource

log = logging.getLogger(__name__)

STATES = ("draft", "internal_review", "sent_to_client", "changes_requested", "approved", "final_sent")

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("internal_review",),
    "internal_review": ("sent_to_client", "draft"),
    "sent_to_client": ("changes_requested", "approved"),
    "changes_requested": ("sent_to_client",),
    "approved": ("final_sent",),
    "final_sent": (),
}

# States in which a new version may be stored, and where the state goes after it.
_AFTER_EDIT: dict[str, str] = {
    "draft": "internal_review",
    "internal_review": "internal_review",
    "sent_to_client": "changes_requested",
    "changes_requested": "changes_requested",
}

_HOW = {
    "internal_review": "`summarizer review MEETING` (or `summarizer status MEETING --set internal_review`)",
    "sent_to_client": "`summarizer send MEETING --to client@example.com`",
    "changes_requested": "`summarizer review MEETING --from-client changes.json`",
    "approved": "`summarizer approve MEETING --by 'Name <mail>' --evidence reply.eml`",
    "final_sent": "`summarizer send MEETING --final`",
    "draft": "`summarizer status MEETING --set draft`",
}


# States only the command that does the work may reach: an approval needs the client's written
# confirmation recorded, "final sent" needs the final version actually sent.
_ONLY_VIA = {
    "approved": "`summarizer approve MEETING --by 'Name <mail>' --evidence reply.eml` (it records the "
                "client's written confirmation)",
    "final_sent": "`summarizer send --final MEETING` (it sends the approved version to every participant)",
}


def check_manual_transition(meeting_id: str, to_state: str) -> None:
    """Raise ``WorkflowError`` for a state that setting it by hand would fake (``status --set``)."""
    if to_state in _ONLY_VIA:
        raise WorkflowError(
            f"meeting {meeting_id}: {to_state} cannot be set by hand; nothing would have been "
            f"{'sent' if to_state == 'final_sent' else 'recorded'}",
            hint="use " + _ONLY_VIA[to_state].replace("MEETING", meeting_id),
        )


def default_actor() -> str:
    """Who is acting when nobody said: the operating-system user."""
    try:
        return os.environ.get("SUMMARIZER_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def allowed_next(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def check_transition(meeting_id: str, from_state: str, to_state: str) -> None:
    """Raise ``WorkflowError`` unless ``from_state`` → ``to_state`` is a permitted step."""
    if to_state not in STATES:
        raise WorkflowError(f"unknown state {to_state!r}; states are: {', '.join(STATES)}")
    nexts = allowed_next(from_state)
    if to_state in nexts:
        return
    if nexts:
        options = "; ".join(f"{s} via {_HOW[s]}" for s in nexts)
        allowed = f"from {from_state} it can go to: {options}"
    else:
        allowed = f"{from_state} is the last state; nothing follows it"
    raise WorkflowError(f"meeting {meeting_id} is {from_state} and cannot become {to_state}; {allowed}")


def last_sent_version(store: Store, meeting_id: str) -> int | None:
    for event in reversed(store.events(meeting_id)):
        if event.to_state == "sent_to_client":
            return event.version
    return None


def transition(
    store: Store,
    meeting_ref: str,
    to_state: str,
    *,
    actor: str | None = None,
    note: str | None = None,
    version: int | None = None,
) -> EventRecord:
    """Move a meeting to ``to_state`` after checking the rules; returns the recorded event.

    ``version`` defaults to the latest version (the one the step concerns). Re-sending after
    ``changes_requested`` requires a version newer than the one last sent.
    """
    meeting = store.get_meeting(meeting_ref)
    check_transition(meeting.id, meeting.status, to_state)
    if version is None:
        version = store.get_version(meeting.id).number if store.list_versions(meeting.id) else None
    if meeting.status == "changes_requested" and to_state == "sent_to_client":
        sent = last_sent_version(store, meeting.id)
        if sent is not None and (version is None or version <= sent):
            raise WorkflowError(
                f"meeting {meeting.id}: the client asked for changes to v{sent} and there is no newer "
                "version to send",
                hint=f"make the changes first: `summarizer review {meeting.id}`",
            )
    event = store.set_status(
        meeting.id, meeting.status, to_state, actor=actor or default_actor(), note=note, version=version
    )
    log.info("meeting %s: %s -> %s", meeting.id, meeting.status, to_state)
    return event


def check_editable(meeting_id: str, status: str) -> None:
    """Raise ``WorkflowError`` when a meeting in ``status`` takes no new versions (call it before
    opening an editor, so nobody edits for nothing)."""
    if status not in _AFTER_EDIT:
        raise WorkflowError(
            f"meeting {meeting_id} is {status}; its approved version is final and cannot be edited",
            hint="start a new meeting record if the protocol must change after approval",
        )


def record_edit(
    store: Store,
    meeting_ref: str,
    protocol: Protocol,
    *,
    source: VersionSource = "edited",
    actor: str | None = None,
    note: str | None = None,
    based_on: int | None = None,
    render: Callable[[VersionRecord], object] | None = None,
) -> tuple[VersionRecord, EventRecord | None]:
    """Store an edited protocol as a new version and move the state accordingly.

    ``based_on``: the version the edit started from; refused if another version was saved since.

    Editing a draft starts ``internal_review``; any new version after sending (an internal fix or
    the client's own changes, ``source="client"``) means ``changes_requested`` until it is sent
    again. Approved protocols are final and refuse edits.

    ``render`` writes the new version's documents; the version, its documents and the state change
    are one transaction: if any of them fails (a full disk), none of them is kept.
    """
    meeting = store.get_meeting(meeting_ref)
    check_editable(meeting.id, meeting.status)
    actor = actor or default_actor()
    with store.transaction() as conn:
        version = store.add_version(
            meeting.id, protocol, source=source, author=actor, note=note, expect_status=set(_AFTER_EDIT),
            based_on=based_on, conn=conn, render=render,
        )
        current = store.get_meeting(meeting.id).status  # read inside the transaction: cannot change
        target = _AFTER_EDIT[current]
        event = None
        if target != current:
            what = "client's changes" if source == "client" else "edited"
            event = store.set_status(
                meeting.id, current, target, actor=actor, note=note or f"v{version.number} {what}",
                version=version.number, conn=conn,
            )
    return version, event


def restore_version(
    store: Store,
    meeting_ref: str,
    number: int,
    *,
    actor: str | None = None,
    note: str | None = None,
) -> tuple[VersionRecord, EventRecord]:
    """Store the content of version ``number`` as a new version (nothing is deleted; the versions in
    between stay in the history), and record the restore in the history."""
    meeting = store.get_meeting(meeting_ref)
    check_editable(meeting.id, meeting.status)
    old = store.get_version(meeting.id, number)
    latest = store.get_version(meeting.id)
    if old.number == latest.number or old.protocol == latest.protocol:
        raise WorkflowError(f"meeting {meeting.id}: v{latest.number} already has the content of "
                            f"v{old.number}; nothing to restore")
    note = note or f"restored from v{old.number}"
    actor = actor or default_actor()
    version, event = record_edit(store, meeting.id, old.protocol.model_copy(deep=True), source="edited",
                                 actor=actor, note=note, based_on=latest.number)
    if event is None:  # the state did not change: the restore still goes into the history
        current = store.get_meeting(meeting.id).status
        event = store.set_status(meeting.id, current, current, actor=actor,
                                 note=f"v{version.number} {note}", version=version.number)
    log.info("meeting %s: v%d restored from v%d", meeting.id, version.number, old.number)
    return version, event
