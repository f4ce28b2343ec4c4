"""Approval states: allowed steps, refused steps with a helpful message, recorded history."""

from __future__ import annotations

import pytest
from meeting_factory import make_meeting, make_protocol, make_store

from summarizer.approval.workflow import STATES, TRANSITIONS, check_transition, record_edit, transition
from summarizer.errors import WorkflowError


def test_every_state_has_rules() -> None:
    assert set(TRANSITIONS) == set(STATES)


def test_full_life_is_recorded() -> None:
    store = make_store()
    meeting = make_meeting(store)
    v2, ev = record_edit(store, meeting.id, make_protocol(), actor="anna", note="fixed owner")
    assert ev is not None and (ev.from_state, ev.to_state) == ("draft", "internal_review")
    transition(store, meeting.id, "sent_to_client", actor="anna", note="to Boris")
    client = make_protocol()
    client.purpose = "Agree the schedule (client wording)"
    v3, ev = record_edit(store, meeting.id, client, source="client", actor="boris@alfa.test")
    assert ev is not None and ev.to_state == "changes_requested"
    assert store.get_version(meeting.id).source == "client"
    transition(store, meeting.id, "sent_to_client", actor="anna")
    transition(store, meeting.id, "approved", actor="anna", note="Boris confirmed")
    transition(store, meeting.id, "final_sent", actor="anna")
    history = [(e.from_state, e.to_state, e.actor, e.version) for e in store.events(meeting.id)]
    assert history == [
        (None, "draft", None, None),
        ("draft", "internal_review", "anna", 2),
        ("internal_review", "sent_to_client", "anna", 2),
        ("sent_to_client", "changes_requested", "boris@alfa.test", 3),
        ("changes_requested", "sent_to_client", "anna", 3),
        ("sent_to_client", "approved", "anna", 3),
        ("approved", "final_sent", "anna", 3),
    ]
    assert all(e.at for e in store.events(meeting.id))
    assert store.get_meeting(meeting.id).status == "final_sent"
    with pytest.raises(WorkflowError, match="final"):
        record_edit(store, meeting.id, make_protocol(), actor="anna")
    assert len(store.list_versions(meeting.id)) == 3


def test_refused_step_says_what_is_allowed() -> None:
    store = make_store()
    meeting = make_meeting(store)
    with pytest.raises(WorkflowError) as err:
        transition(store, meeting.id, "approved", actor="x")
    assert "draft" in err.value.message and "internal_review" in err.value.message
    assert store.get_meeting(meeting.id).status == "draft"
    assert len(store.events(meeting.id)) == 1
    with pytest.raises(WorkflowError, match="last state"):
        check_transition("m", "final_sent", "draft")
    with pytest.raises(WorkflowError, match="unknown state"):
        check_transition("m", "draft", "bogus")


def test_direct_approval_and_resend_needs_new_version() -> None:
    store = make_store()
    meeting = make_meeting(store)
    transition(store, meeting.id, "internal_review", actor="a")
    transition(store, meeting.id, "sent_to_client", actor="a")
    transition(store, meeting.id, "changes_requested", actor="a", note="call from Boris")
    with pytest.raises(WorkflowError, match="no newer version"):
        transition(store, meeting.id, "sent_to_client", actor="a")
    record_edit(store, meeting.id, make_protocol(), actor="a")
    transition(store, meeting.id, "sent_to_client", actor="a")
    transition(store, meeting.id, "approved", actor="a")  # sent_to_client -> approved directly
    assert store.get_meeting(meeting.id).status == "approved"


def test_stale_state_is_refused() -> None:
    store = make_store()
    meeting = make_meeting(store)
    with pytest.raises(WorkflowError, match="changed meanwhile"):
        store.set_status(meeting.id, "internal_review", "sent_to_client", actor="x")
