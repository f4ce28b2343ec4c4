"""The "Restore" button of the web versions list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from meeting_factory import make_meeting, make_store
from starlette.testclient import TestClient
from web_support import csrf, web_client


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from web_client()


def test_restore_button_makes_a_new_version_with_the_old_content(client: TestClient) -> None:
    store = make_store()
    meeting = make_meeting(store)
    changed = store.get_version(meeting.id).protocol
    changed.agreements = changed.agreements[:1]
    store.add_version(meeting.id, changed, source="client", author="olga")
    page = client.get(f"/m/{meeting.id}/approval").text
    assert 'id="restore-form"' in page and '<option value="1">v1</option>' in page
    # a forged request (no token) changes nothing
    forged = client.post(f"/m/{meeting.id}/restore", data={"version": "1"}, follow_redirects=False)
    assert forged.status_code == 403 and len(store.list_versions(meeting.id)) == 2
    done = client.post(f"/m/{meeting.id}/restore", data={"version": "1", "csrf_token": csrf(client)},
                       follow_redirects=False)
    assert done.status_code == 303 and "/diff?a=2&b=3" in done.headers["location"]
    v1, v3 = store.get_version(meeting.id, 1), store.get_version(meeting.id)
    assert v3.number == 3 and v3.protocol == v1.protocol and v3.note == "restored from v1"
    assert "restored from v1" in (store.events(meeting.id)[-1].note or "")
    diff = client.get(done.headers["location"]).text
    assert "v1 is restored as v3" in diff


def test_no_restore_button_once_approved(client: TestClient) -> None:
    from summarizer.approval.workflow import transition

    store = make_store()
    meeting = make_meeting(store)
    store.add_version(meeting.id, store.get_version(meeting.id).protocol.model_copy(update={"closing": "x"}),
                      source="edited")
    for state in ("internal_review", "sent_to_client", "approved"):
        transition(store, meeting.id, state, actor="anna")
    assert 'id="restore-form"' not in client.get(f"/m/{meeting.id}/approval").text
    refused = client.post(f"/m/{meeting.id}/restore", data={"version": "1", "csrf_token": csrf(client)},
                          follow_redirects=False)
    assert refused.status_code >= 400 and len(store.list_versions(meeting.id)) == 2
