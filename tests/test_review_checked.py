"""A reviewer can clear the warnings no edit can answer (unverified quote, a date the transcript does not
back, evidence that does not support the item) by checking the item: ``checked = true`` in the editing
format and in a client-changes file, the "Checked by the reviewer" box on the web form."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meeting_factory import make_meeting, make_protocol, make_store
from starlette.testclient import TestClient
from web_support import csrf, make_draft, review_fields, web_client

from summarizer.approval.changes import apply_changes
from summarizer.approval.confirm import open_warnings
from summarizer.approval.review import protocol_to_text, text_to_protocol
from summarizer.config import Settings, load_settings
from summarizer.errors import ValidationFailed
from summarizer.render.document import render_protocol
from summarizer.schema import Flag, Protocol


def _warned() -> Protocol:
    """a1: a quote not found in the transcript and a date no words back; a2: no owner (not checkable)."""
    protocol = make_protocol()
    a1 = protocol.agreements[0]
    a1.evidence[0].status = "unverified"
    a1.flags = [
        Flag(code="evidence_unverified", message="Quote not found in the transcript", item_id="a1"),
        Flag(code="date_unsupported", message="Due date 2026-11-27 is not backed", item_id="a1"),
        Flag(code="evidence_unsupported", message="Evidence does not support the item", item_id="a1"),
    ]
    return protocol


def _codes(protocol: Protocol) -> list[str]:
    return sorted(f.code for f in open_warnings(protocol))


def test_checked_in_the_editing_format_clears_the_evidence_and_date_warnings() -> None:
    base = _warned()
    assert {"evidence_unverified", "date_unsupported", "evidence_unsupported"} <= set(_codes(base))
    text = protocol_to_text(base)
    assert "checked = false" in text  # offered on the item that has such warnings
    block = text.index('id = "a1"')
    text = text[:block] + text[block:].replace("checked = false", "checked = true", 1)
    checked = text_to_protocol(text, base, reviewer="Olga")
    a1 = checked.agreements[0]
    assert a1.checked_by == "Olga" and not a1.edited
    assert "evidence_unverified" not in _codes(checked) and "date_unsupported" not in _codes(checked)
    assert "evidence_unsupported" not in _codes(checked)
    assert "no_owner" in _codes(checked)  # a missing owner is answered by filling it, not by a check
    assert len(a1.flags) == 3  # the warnings stay on record ...
    again = protocol_to_text(checked)
    assert "# checked by Olga: Quote not found" in again and "checked = true" in again  # ... as checked
    assert text_to_protocol(again, checked) == checked  # the check round-trips unchanged


def test_a_change_to_a_checked_item_removes_the_check_until_it_is_given_again() -> None:
    base = _warned()
    base.agreements[0].checked_by = "Olga"
    text = protocol_to_text(base).replace('text = "Send the pilot plan"', 'text = "Send the pilot plan v2"')
    edited = text_to_protocol(text, base)  # the box was left at true, but the item is no longer what she saw
    assert edited.agreements[0].checked_by is None and "evidence_unverified" in _codes(edited)
    again = protocol_to_text(edited)
    assert "checked = false" in again
    rechecked = text_to_protocol(again.replace("checked = false", "checked = true", 1), edited)
    assert rechecked.agreements[0].checked_by is not None  # said again: checked again (named on save)
    assert "evidence_unverified" not in _codes(rechecked)
    # unticking removes it too
    unticked = text_to_protocol(protocol_to_text(rechecked).replace("checked = true", "checked = false"),
                                rechecked)
    assert unticked.agreements[0].checked_by is None


def test_checked_in_a_client_changes_file() -> None:
    base = _warned()
    merged = apply_changes(base, {"agreements": [{"id": "a1", "checked": True}]}, reviewer="Boris Klein")
    assert merged.agreements[0].checked_by == "Boris Klein" and "date_unsupported" not in _codes(merged)
    # a later change file that edits the item's date without checking it again brings the warnings back
    changed = apply_changes(merged, {"agreements": [{"id": "a1", "due_date": dt.date(2026, 12, 4)}]})
    assert changed.agreements[0].checked_by is None and "date_unsupported" in _codes(changed)
    with pytest.raises(ValidationFailed) as refused:
        apply_changes(base, {"agreements": [{"id": "a1", "checked": "yes"}]})
    assert "checked = true or checked = false" in str(refused.value.errors)


@pytest.mark.parametrize(("language", "mark"), [("en", "checked by Olga"), ("ru", "проверено: Olga")])
def test_the_detailed_export_shows_checked_warnings_as_checked(language: str, mark: str) -> None:
    protocol = _warned()
    protocol.language = language
    protocol.agreements[0].checked_by = "Olga"
    html = render_protocol(protocol, "html", level="detailed", settings=Settings())
    assert f"Quote not found in the transcript — {mark}" in html
    assert f"no responsible person — {mark}" not in html


# -- the web form ---------------------------------------------------------------------------------------
@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from web_client()


UNBACKED = (
    "[00:00:01] Anna Petrova: We agree that the contract will be signed.\n"
    "[00:00:05] Mark Olsen: I will send the signed contract by Friday.\n"
)


def _protocol(meeting_id: str) -> Protocol:
    from summarizer.store.database import Store

    with Store(load_settings()) as store:
        return store.get_version(meeting_id).protocol


def test_the_web_form_has_a_checked_box_per_item_that_clears_the_warnings(client: TestClient) -> None:
    meeting_id = make_draft(client, text=UNBACKED)
    from summarizer.store.database import Store

    # put a checkable warning on the first agreement, as a model's unverified quote would
    protocol = _protocol(meeting_id)
    item = protocol.items()[0]
    item.flags.append(Flag(code="evidence_unverified", message="Quote not found: made up", item_id=item.id))
    with Store(load_settings()) as store:
        store.add_version(meeting_id, protocol, source="edited", author="test")
    page = client.get(f"/m/{meeting_id}").text
    assert f'name="checked-{item.id}"' in page and "Checked by the reviewer" in page
    assert "evidence_unverified" in [f.code for f in open_warnings(_protocol(meeting_id))]

    fields = review_fields(page)
    fields[f"checked-{item.id}"] = "1"
    fields["csrf_token"] = csrf(client)
    r = client.post(f"/m/{meeting_id}", data=fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    saved = _protocol(meeting_id)
    assert saved.items()[0].checked_by  # the app's actor
    assert "evidence_unverified" not in [f.code for f in open_warnings(saved)]
    shown = client.get(r.headers["location"]).text
    assert f'name="checked-{item.id}" value="1" checked' in shown and "✓ checked by" in shown

    # an edit of the item's text with the box left ticked removes the check
    fields = review_fields(shown)
    prefix = next(k for k, v in fields.items() if v == item.id and k.endswith("-id"))[:-2]
    text = prefix + {"i": "title", "a": "text", "n": "action"}[prefix[0]]
    fields[text] = fields[text] + " (revised)"
    fields[f"checked-{item.id}"] = "1"
    fields["csrf_token"] = csrf(client)
    assert client.post(f"/m/{meeting_id}", data=fields, follow_redirects=False).status_code == 303
    assert _protocol(meeting_id).items()[0].checked_by is None


def test_the_checked_box_reads_russian(client: TestClient) -> None:
    meeting_id = make_draft(client, text=UNBACKED)
    page = client.get(f"/m/{meeting_id}", headers={"accept-language": "ru"}).text
    assert "Проверено" in page


def test_cli_review_records_who_checked_and_stops_asking(tmp_path: Path) -> None:
    """`review --file … --by anna` with checked = true: checked by anna, not listed as needing attention."""
    store = make_store()
    meeting = make_meeting(store)
    base = _warned()
    store.add_version(meeting.id, base, source="edited", author="test")
    text = protocol_to_text(base)
    block = text.index('id = "a1"')
    edit = tmp_path / "edit.toml"
    edit.write_text(text[:block] + text[block:].replace("checked = false", "checked = true", 1),
                    encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "summarizer", "review", meeting.id, "--file", str(edit),
                          "--by", "anna"], env=os.environ, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    saved = store.get_version(meeting.id).protocol
    assert saved.agreements[0].checked_by == "anna"
    assert "Quote not found in the transcript" not in run.stdout and "no responsible person" in run.stdout
