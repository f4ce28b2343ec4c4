"""The "Restore" button of the web versions list."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from typing import Any

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


def test_a_client_named_with_a_comma_is_one_address_in_the_web_send(client: TestClient) -> None:
    import email
    import email.policy
    import html as html_lib
    import re

    from summarizer.approval.workflow import transition
    from summarizer.schema import Participant

    store = make_store()
    meeting = make_meeting(store)
    protocol = store.get_version(meeting.id).protocol
    protocol.participants = [p for p in protocol.participants if p.side != "client"]
    protocol.participants.append(Participant(name="Smith, John", email="john@contoso.test", side="client"))
    store.add_version(meeting.id, protocol, source="edited")
    transition(store, meeting.id, "internal_review", actor="anna")
    page = client.get(f"/m/{meeting.id}/approval").text
    field = re.search(r'<textarea[^>]*name="to"[^>]*>([^<]*)</textarea>', page)
    assert field, page[:2000]
    to = html_lib.unescape(field.group(1)).strip()
    assert to == '"Smith, John" <john@contoso.test>'
    sent = client.post(f"/m/{meeting.id}/send",
                       data={"to": to, "csrf_token": csrf(client), "confirm_warnings": "1"})
    assert sent.status_code == 200, sent.text[:500]
    (eml,) = (meeting.folder / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].display_name == "Smith, John"
    assert msg["To"].addresses[0].addr_spec == "john@contoso.test"


def test_a_partial_client_file_uploaded_in_the_browser_merges(client: TestClient) -> None:
    from summarizer.approval.confirm import send_for_approval
    from summarizer.approval.workflow import transition

    store = make_store()
    meeting = make_meeting(store)
    transition(store, meeting.id, "internal_review", actor="anna")
    send_for_approval(store, meeting.id, ["boris@alfa.test"], force=True)
    token = csrf(client)
    partial = b'[[agreements]]\nid = "a2"\nresponsible = "Boris Klein"\n'
    r = client.post(f"/m/{meeting.id}/client-changes", data={"csrf_token": token},
                    files={"changes_file": ("changes.toml", partial)})
    assert r.status_code == 200, r.text[:500]
    v1, v2 = store.get_version(meeting.id, 1).protocol, store.get_version(meeting.id).protocol
    assert v2.agreements[1].responsible == "Boris Klein"
    assert v2.header == v1.header and v2.participants == v1.participants
    assert len(v2.items()) == len(v1.items())
    # a file that would remove most of the protocol is refused and changes nothing
    wipe = b'remove = ["i1", "a1", "a2", "n1"]\n'
    r = client.post(f"/m/{meeting.id}/client-changes", data={"csrf_token": token},
                    files={"changes_file": ("wipe.toml", wipe)})
    assert r.status_code == 422 and "would remove" in r.text
    assert len(store.list_versions(meeting.id)) == 2


def test_the_send_form_can_include_the_clients_review_link(monkeypatch: pytest.MonkeyPatch) -> None:
    """Team mode: with a public address the web send offers the client's review link, as `send --link`
    does; the link in the e-mail opens that version's read-only page. Without one it is not offered
    (a link to 127.0.0.1 would reach nobody)."""
    from summarizer.approval.workflow import transition

    store = make_store()
    meeting = make_meeting(store)
    transition(store, meeting.id, "internal_review", actor="anna")
    for plain in web_client():
        assert 'name="review_link"' not in plain.get(f"/m/{meeting.id}/approval").text
    monkeypatch.setenv("SUMMARIZER_PUBLIC_URL", "https://office.example")
    for client in web_client():
        _send_with_link(client, meeting)


def _send_with_link(client: TestClient, meeting: Any) -> None:
    page = client.get(f"/m/{meeting.id}/approval").text
    assert 'name="review_link" value="1" id="review-link" checked' in page
    # open warnings: the confirm step carries the box's choice
    asked = client.post(f"/m/{meeting.id}/send", data={"to": "boris@alfa.test", "csrf_token": csrf(client),
                                                       "review_link": "1"})
    assert 'id="confirm-send"' in asked.text
    assert '<input type="hidden" name="review_link" value="1">' in asked.text
    sent = client.post(f"/m/{meeting.id}/send", data={"to": "boris@alfa.test", "csrf_token": csrf(client),
                                                      "review_link": "1", "confirm_warnings": "1"})
    assert sent.status_code == 200, sent.text[:500]
    (eml,) = (meeting.folder / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    url = re.search(r"https://office\.example(/r/\S+)", body.get_content())
    assert url, body.get_content()
    assert client.get(url.group(1)).status_code == 200
