"""The web app in-process: the review form, approval, exports and the interface language."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from web_support import (
    csrf,
    make_draft,
    owner_field,
    review_fields,
    web_client,
)

from summarizer.config import load_settings


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from web_client()


# -- review --------------------------------------------------------------------------------------------


def test_review_shows_evidence_and_flags_and_saves_a_new_version(client: TestClient) -> None:
    meeting_id = make_draft(client)
    page = client.get(f"/m/{meeting_id}").text
    assert 'class="evidence ev-' in page and 'data-segment="s0002"' in page
    fields = review_fields(page)
    agreement = owner_field(fields)
    prefix = agreement[:4]
    fields[agreement] = "Lisa Chen"
    fields[f"{prefix}due_date"] = "2026-03-20"
    fields["csrf_token"] = csrf(client)
    fields["note"] = "owner fixed"
    r = client.post(f"/m/{meeting_id}", data=fields, follow_redirects=False)
    assert r.status_code == 303, r.text
    saved = client.get(r.headers["location"]).text
    assert "Saved as version v2" in saved and 'value="Lisa Chen"' in saved and 'value="2026-03-20"' in saved
    assert "Internal review" in saved  # editing a draft starts the internal review
    v1 = client.get(f"/m/{meeting_id}?v=1").text
    assert 'value="Lisa Chen"' not in v1  # versions are immutable
    assert "an earlier version" in v1 and '<fieldset class="card" disabled>' in v1
    # evidence stays attached to the edited item
    assert review_fields(saved)[f"{prefix}id"] == fields[f"{prefix}id"]
    assert saved.count('class="evidence ev-') == page.count('class="evidence ev-')
    assert saved.count('class="badge edited"') == 1 and 'class="badge edited"' not in page


def test_review_validation_errors_show_at_the_fields_and_keep_input(client: TestClient) -> None:
    meeting_id = make_draft(client)
    fields = review_fields(client.get(f"/m/{meeting_id}").text)
    due = owner_field(fields)[:4] + "due_date"
    fields[due] = "next friday-ish"
    fields["p-0-email"] = "not an address"
    fields["closing"] = "Thanks <b>all</b>"
    fields["csrf_token"] = csrf(client)
    r = client.post(f"/m/{meeting_id}", data=fields)
    assert r.status_code == 422
    assert f'id="err-{due}"' in r.text and "Use a date like" in r.text
    assert 'value="next friday-ish"' in r.text and "Thanks &lt;b&gt;all&lt;/b&gt;</textarea>" in r.text
    assert 'id="err-p-0-email"' in r.text
    assert "Nothing was saved yet" in r.text
    assert "v2" not in client.get(f"/m/{meeting_id}/approval").text


def test_audio_is_served_with_range_requests(client: TestClient, tmp_path: Path) -> None:
    from summarizer.schema import Protocol
    from summarizer.store.database import Store
    from summarizer.transcript import Segment, Transcript

    wav = tmp_path / "call.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 8000)
    transcript = Transcript(segments=[Segment(id="s0001", text="Hello", start=0.0, end=1.0)], language="en")
    with Store(load_settings()) as store:
        meeting = store.create_meeting(
            title="With audio",
            meeting_date=dt.date(2026, 3, 2),
            source_path="source/call.wav",
            transcript_path="transcript.json",
            protocol=Protocol(language="en"),
            files={"source/call.wav": wav, "transcript.json": transcript.to_json().encode()},
        )
    assert 'id="audio"' in client.get(f"/m/{meeting.id}").text
    full = client.get(f"/m/{meeting.id}/audio")
    assert full.status_code == 200 and full.headers["accept-ranges"] == "bytes"
    part = client.get(f"/m/{meeting.id}/audio", headers={"range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == wav.read_bytes()[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{wav.stat().st_size}"


# -- approval and exports ------------------------------------------------------------------------------


def test_approval_flow_diff_and_exports(client: TestClient) -> None:
    from docx import Document

    meeting_id = make_draft(client)
    token = csrf(client)
    fields = review_fields(client.get(f"/m/{meeting_id}").text)
    key = owner_field(fields)
    fields.update({key: "Lisa Chen", "csrf_token": token})
    assert client.post(f"/m/{meeting_id}", data=fields, follow_redirects=False).status_code == 303

    diff = client.get(f"/m/{meeting_id}/diff", params={"a": 1, "b": 2}).text
    assert "<ins>Lisa Chen</ins>" in diff and "<del>" in diff

    bad = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "not-an-address"})
    assert bad.status_code == 422 and "is not an e-mail address" in bad.text
    sent = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example"})
    assert sent.status_code == 200 and "written as an .eml" in sent.text
    eml_link = re.search(rf'href="(/m/{meeting_id}/outbox/[^"]+\.eml)"', sent.text)
    assert eml_link
    eml = client.get(eml_link.group(1))
    assert eml.status_code == 200 and b"mark@contoso.example" in eml.content

    missing = client.post(
        f"/m/{meeting_id}/approve",
        data={"csrf_token": token, "by": "Mark Olsen"},
        files={"evidence_file": ("", b"")},
    )
    assert missing.status_code == 422 and "Paste the client" in missing.text
    confirmation = (
        b"From: Mark Olsen <mark@contoso.example>\nSubject: Re: minutes\nDate: Mon, 2 Mar 2026\n\n"
        b"Approved, thanks.\n"
    )
    approved = client.post(
        f"/m/{meeting_id}/approve",
        data={"csrf_token": token, "by": "Mark Olsen <mark@contoso.example>"},
        files={"evidence_file": ("reply.eml", confirmation)},
    )
    assert approved.status_code == 200, approved.text
    assert "Approved v2 by Mark Olsen" in approved.text and "Approved, thanks." in approved.text

    final = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "final": "1", "to": ""})
    assert final.status_code == 200 and "Final sent" in final.text

    docx = client.get(f"/m/{meeting_id}/export/docx")
    assert docx.status_code == 200
    assert "final.docx" in docx.headers["content-disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    tables = "\n".join(
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert "Lisa Chen" in text + tables
    for fmt, marker in (
        ("md", b"Lisa Chen"),
        ("html", b"Lisa Chen"),
        ("json", b'"Lisa Chen"'),
        ("eml", b"Subject:"),
    ):
        r = client.get(f"/m/{meeting_id}/export/{fmt}", params={"v": 2})
        assert r.status_code == 200 and marker in r.content, fmt
    assert client.get(f"/m/{meeting_id}/export/pdf").status_code == 404
    # approved protocols are final: the form is read-only and a forged save is refused
    assert "can no longer be edited" in client.get(f"/m/{meeting_id}").text
    refused = client.post(f"/m/{meeting_id}", data={**fields, "base_version": "2"})
    assert refused.status_code == 422 and "cannot be edited" in refused.text


def test_client_changes_from_a_file_become_a_client_version(client: TestClient, tmp_path: Path) -> None:
    meeting_id = make_draft(client)
    token = csrf(client)
    assert client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    sent = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example"})
    assert "Sent to client" in sent.text and 'id="client-form"' in sent.text
    exported = client.get(f"/m/{meeting_id}/export/json").json()
    item = (exported["agreements"] or exported["next_steps"])[0]
    key = "responsible" if exported["agreements"] else "owner"
    item[key] = "Lisa Chen"
    broken = client.post(
        f"/m/{meeting_id}/client-changes",
        data={"csrf_token": token},
        files={"changes_file": ("theirs.json", b'{"language": "en",\n "agreements": [}')},
    )
    assert broken.status_code == 422 and "theirs.json" in broken.text and "line 2" in broken.text
    r = client.post(
        f"/m/{meeting_id}/client-changes",
        data={"csrf_token": token},
        files={"changes_file": ("theirs.json", json.dumps(exported).encode())},
    )
    assert r.status_code == 200, r.text
    assert "The client&#39;s changes are saved as v2" in r.text and "<ins>Lisa Chen</ins>" in r.text
    approval = client.get(f"/m/{meeting_id}/approval").text
    assert "Changes requested" in approval and "client" in approval
    # the changed version must be sent again before it can be approved
    assert 'id="send-approval"' in approval and 'id="approve"' not in approval
    assert 'id="client-form"' in approval  # more changes can still come back before it is re-sent


def test_interface_in_russian_by_browser_preference_or_choice(client: TestClient) -> None:
    meeting_id = make_draft(client)
    ru = {"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}
    page = client.get("/", headers=ru).text
    assert '<html lang="ru">' in page and "Новая встреча" in page and "Замечания" in page
    review = client.get(f"/m/{meeting_id}", headers=ru).text
    assert "Сохранить новую версию" in review and "Договорённости" in review
    refused = client.post("/new", data={"transcript": "x"}, files={"file": ("", b"")}, headers=ru)
    assert "Форма устарела" in refused.text  # the CSRF page too

    assert "Meetings" in client.get("/", headers={"accept-language": "de-DE,en;q=0.8"}).text
    switch = client.get("/lang/ru", params={"next": f"/m/{meeting_id}"}, follow_redirects=False)
    assert switch.status_code == 303 and switch.headers["location"] == f"/m/{meeting_id}"
    assert "Проверка" in client.get(f"/m/{meeting_id}").text  # the cookie now decides
    evil = client.get("/lang/en", params={"next": "//evil.example/"}, follow_redirects=False)
    assert evil.headers["location"] == "/"  # no open redirect
    assert client.get("/lang/de").status_code == 404


def test_every_interface_string_has_a_russian_translation() -> None:
    from summarizer.web import templating as web_app
    from summarizer.web.drafting import STAGES
    from summarizer.web.i18n import RU

    root = Path(web_app.__file__).parent
    used: set[str] = set()
    for template in (root / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        used |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)+)"', text))
        used |= set(re.findall(r"_\(\s*'((?:[^'\\]|\\.)+)'", text))
    for module in root.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        used |= set(re.findall(r'tr\(request, "((?:[^"\\]|\\.)+)"', text))
        used |= set(re.findall(r'errors\[[^\]]+\] = "((?:[^"\\]|\\.)+)"', text))
    used |= {label for label in web_app.STATUS_LABELS.values()}
    used |= set(web_app.CHANGE_LABELS.values())
    used |= set(STAGES.values())
    from summarizer.web.approval_page import NOTICES

    used |= set(NOTICES.values()) | {"Pasted transcript"}
    missing = sorted(s for s in used if s not in RU)
    assert len(used) > 150
    assert not missing, missing


# -- file responses ------------------------------------------------------------------------------------

SCRIPT = b"<script>document.title='pwned'</script><svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"


def wav_with_script(path: Path) -> Path:
    """A real, playable WAV whose RIFF ``junk`` chunk holds markup a browser would run as a page."""
    import struct

    plain = io.BytesIO()
    with wave.open(plain, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * 8000)
    data = plain.getvalue()
    junk = SCRIPT + b" " * (len(SCRIPT) % 2)
    chunks = data[12:36] + b"junk" + struct.pack("<I", len(junk)) + junk + data[36:]
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
    with wave.open(str(path)) as w:  # still a valid recording
        assert w.getnframes() == 8000
    return path


def _meeting_with_recording(tmp_path: Path, stored_as: str) -> str:
    from summarizer.schema import Protocol
    from summarizer.store.database import Store
    from summarizer.transcript import Segment, Transcript

    wav = wav_with_script(tmp_path / "call.wav")
    transcript = Transcript(segments=[Segment(id="s0001", text="Hello", start=0.0, end=1.0)], language="en")
    with Store(load_settings()) as store:
        meeting = store.create_meeting(
            title="Hostile recording", meeting_date=dt.date(2026, 3, 2), source_path=f"source/{stored_as}",
            transcript_path="transcript.json", protocol=Protocol(language="en"),
            files={f"source/{stored_as}": wav, "transcript.json": transcript.to_json().encode()},
        )
    return meeting.id


def _assert_file_headers(r: Any, *, attachment: bool) -> None:
    assert r.headers["x-content-type-options"] == "nosniff"
    csp = r.headers["content-security-policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp, csp
    if attachment:
        assert r.headers["content-disposition"].startswith("attachment"), r.headers.get("content-disposition")


@pytest.mark.parametrize("stored_as", ["minutes.html", "minutes.svg", "minutes.wav"])
def test_a_recording_is_served_as_the_audio_its_bytes_are(
    client: TestClient, tmp_path: Path, stored_as: str
) -> None:
    """Issue 9 item 2: the type comes from the container, never from the name (was text/html)."""
    meeting_id = _meeting_with_recording(tmp_path, stored_as)
    r = client.get(f"/m/{meeting_id}/audio")
    assert r.status_code == 200
    assert r.headers["content-type"] == "audio/wav"
    _assert_file_headers(r, attachment=False)
    assert SCRIPT in r.content  # served as it is, but as audio in a sandbox


def test_every_file_route_says_what_it_serves(client: TestClient) -> None:
    meeting_id = make_draft(client)
    token = csrf(client)
    assert client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    sent = client.post(f"/m/{meeting_id}/send",
                       data={"csrf_token": token, "to": "mark@contoso.example", "confirm_warnings": "1"})
    eml = re.search(rf'href="(/m/{meeting_id}/outbox/[^"]+\.eml)"', sent.text)
    assert eml
    outbox = client.get(eml.group(1))
    assert outbox.headers["content-type"] == "message/rfc822"
    _assert_file_headers(outbox, attachment=True)
    for fmt, kind in (("html", "text/html"), ("md", "text/markdown"), ("json", "application/json"),
                      ("docx", "application/vnd.openxmlformats"), ("eml", "message/rfc822")):
        r = client.get(f"/m/{meeting_id}/export/{fmt}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), fmt
        _assert_file_headers(r, attachment=True)
    for path, kind in (("/favicon.ico", "image/svg+xml"), ("/static/favicon.svg", "image/svg+xml"),
                       ("/static/app.js", "text/javascript"), ("/static/app.css", "text/css")):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), (path, r.headers)
        _assert_file_headers(r, attachment=False)
    status = client.get(f"/m/{meeting_id}/transcript", params={"segment": "s0001"})
    _assert_file_headers(status, attachment=False)  # JSON too


def test_a_form_sent_without_the_save_button_saves_nothing(client: TestClient) -> None:
    """Issue 11 item 12: only the Save button (save=1) makes a version; Enter in a field sends none."""
    meeting_id = make_draft(client)
    fields = review_fields(client.get(f"/m/{meeting_id}").text)
    fields.pop("save")
    fields["header.title"] = "Typed, then Enter"
    fields["csrf_token"] = csrf(client)
    r = client.post(f"/m/{meeting_id}", data=fields)
    assert r.status_code == 422 and "Nothing is saved until you press" in r.text
    assert 'value="Typed, then Enter"' in r.text  # the edit is still there
    approval = client.get(f"/m/{meeting_id}/approval").text
    assert "?v=2" not in approval and "Internal review" not in approval.split("History")[1]


def _open_flags(meeting_id: str) -> list[str]:
    from summarizer.store.database import Store

    with Store(load_settings()) as store:
        return [f.message for f in store.get_version(meeting_id).protocol.all_flags()]


def _outbox(meeting_id: str) -> list[Path]:
    return sorted((load_settings().data_dir).rglob("outbox/*.eml"))


OPEN_ENDS = (
    "[00:00:01] Anna Petrova: We agree that the contract will be signed.\n"
    "[00:00:05] Mark Olsen: Somebody needs to update the delivery schedule.\n"
    "[00:00:09] Anna Petrova: Agreed, the price stays at 40 euros per unit.\n"
)


def test_sending_with_open_warnings_asks_first_and_lists_them(client: TestClient) -> None:
    """Issue 11 item 5 (web): nothing goes out with open warnings until the person confirms."""
    meeting_id = make_draft(client, text=OPEN_ENDS)  # an agreement with no owner and no date
    token = csrf(client)
    assert client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    expected = _open_flags(meeting_id)
    assert expected, "the sample must leave something open for this test"

    asked = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example"})
    assert asked.status_code == 200 and 'id="confirm-send"' in asked.text
    assert "Nothing was sent yet" in asked.text
    for message in expected:
        assert html.escape(message) in asked.text, message
    assert 'name="to" value="mark@contoso.example"' in asked.text
    assert not _outbox(meeting_id), "an e-mail was written before the confirmation"
    assert 'id="send-approval"' in client.get(f"/m/{meeting_id}/approval").text  # still internal review

    sent = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example",
                                                      "confirm_warnings": "1"})
    assert sent.status_code == 200 and 'id="confirm-send"' not in sent.text
    assert "written as an .eml" in sent.text and 'id="approve-form"' in sent.text
    assert len(_outbox(meeting_id)) == 1

    # approving with "send the final now" records the approval, then asks before the final goes out
    approved = client.post(
        f"/m/{meeting_id}/approve",
        data={"csrf_token": token, "by": "Mark Olsen <mark@contoso.example>", "evidence_text": "OK. Mark",
              "send_final": "1"},
        files={"evidence_file": ("", b"")},
    )
    assert approved.status_code == 200 and 'id="confirm-send"' in approved.text
    assert 'id="send-final"' in approved.text and len(_outbox(meeting_id)) == 1
    final = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "final": "1", "to": ""})
    assert 'id="confirm-send"' in final.text and len(_outbox(meeting_id)) == 1  # asked again
    final = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "final": "1", "to": "",
                                                       "confirm_warnings": "1"})
    assert final.status_code == 200 and "The final version was sent" in final.text
    assert len(_outbox(meeting_id)) == 2



def test_a_russian_page_reads_russian_through_the_whole_loop(client: TestClient) -> None:
    """Issue 11 item 13: English on Russian pages ("Pasted transcript", the empty-form error, history
    notes, a missing space before "SMTP-сервер")."""
    client.get("/lang/ru")
    token = csrf(client)
    empty = client.post("/new", data={"csrf_token": token}, files={"file": ("", b"")},
                        headers={"x-requested-with": "XMLHttpRequest"})
    assert empty.status_code == 422
    assert empty.json()["error"] == "Загрузите запись или стенограмму либо вставьте стенограмму ниже."
    forged = client.post("/new", data={"csrf_token": "forged"}, files={"file": ("", b"")},
                         headers={"x-requested-with": "XMLHttpRequest"})
    assert forged.json()["error"].startswith("Форма устарела")

    r = client.post("/new", data={"csrf_token": token, "transcript": OPEN_ENDS}, files={"file": ("", b"")},
                    follow_redirects=False)
    job = client.get(r.headers["location"]).text
    assert "Вставленная стенограмма" in job and "Pasted transcript" not in job
    from web_support import wait_job

    meeting_id = str(wait_job(client, r.headers["location"])["meeting_id"])
    page = client.get(f"/m/{meeting_id}/approval").text
    client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    page = client.get(f"/m/{meeting_id}/approval").text
    assert "на согласование. SMTP-сервер не настроен" in page
    client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example",
                                               "confirm_warnings": "1"})
    client.post(f"/m/{meeting_id}/approve", files={"evidence_file": ("", b"")},
                data={"csrf_token": token, "by": "Mark Olsen <mark@contoso.example>",
                      "evidence_text": "Согласовано."})
    history = client.get(f"/m/{meeting_id}/approval").text.split("История</h2>")[1].split("</section>")[0]
    for english in ("written to", "sent to", "approved by", "created", "extracted", "edited"):
        assert english not in history, (english, history)
    assert "сохранена как письмо для: mark@contoso.example" in history
    assert "согласовал(а): Mark Olsen" in history and "создана" in history


def test_refusals_from_the_library_read_russian_on_a_russian_page(client: TestClient) -> None:
    client.get("/lang/ru")
    missing = client.get("/m/2099-01-01-nobody")
    assert missing.status_code == 404 and "встречи «2099-01-01-nobody» нет" in missing.text
    assert "no meeting" not in missing.text
    meeting_id = make_draft(client)
    token = csrf(client)
    client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    bad = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "not-an-address"})
    assert bad.status_code == 422 and "«not-an-address» — это не адрес e-mail" in bad.text
