"""The web app in-process (Starlette TestClient): routes, security, uploads, review and approval.

Drafts are made from pasted or uploaded transcripts with the offline extractor, through the real
pipeline, store and job runner; no Whisper here (the browser test uploads the sample recording).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from summarizer.config import load_settings
from summarizer.errors import ConfigError
from summarizer.web import create_app

LOCAL = "http://127.0.0.1:8765"
HOSTILE = (
    "[00:00:01] Anna Petrova: Hello <script>alert('pwned')</script> and welcome.\n"
    "[00:00:05] Mark Olsen: I will send the signed contract <img src=x onerror=alert(1)> by Friday.\n"
    "[00:00:09] Anna Petrova: And I will send the revised quote tomorrow.\n"
)
ROSTER = (
    "Anna Petrova=Anna Petrova, account manager, Northwind, side=ours\n"
    "Mark Olsen=Mark Olsen, purchasing lead, Contoso, mark@contoso.example, side=client"
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(load_settings())
    with TestClient(app, base_url=LOCAL) as c:
        c.get("/")  # receive the CSRF cookie like a browser that opened the app
        yield c


def csrf(c: TestClient) -> str:
    token = c.cookies.get("summarizer_csrf")
    assert token
    return token


def wait_job(c: TestClient, location: str, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = c.get(f"{location}/status").json()
        if state["status"] in {"done", "failed"}:
            return state  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"job {location} did not finish: {state}")


def make_draft(c: TestClient, text: str = HOSTILE, **fields: str) -> str:
    data = {
        "csrf_token": csrf(c),
        "transcript": text,
        "meeting_date": "2026-03-02",
        "title": "Contract talk",
        "client": "Contoso",
        "roster": ROSTER,
        "level": "detailed",
        **fields,
    }
    r = c.post(
        "/new", data=data, files={"file": ("", b"", "application/octet-stream")}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    state = wait_job(c, r.headers["location"])
    assert state["status"] == "done", state
    return str(state["meeting_id"])


def review_fields(html: str) -> dict[str, str]:
    """The review form as a browser would submit it (inputs, selects, textareas; no file inputs)."""
    form = html[html.index('id="review-form"') :]
    fields: dict[str, str] = {}
    for m in re.finditer(
        r'<input type="(?:text|hidden|date|email|tel)" name="([^"]+)" value="([^"]*)"', form
    ):
        fields[m.group(1)] = _unescape(m.group(2))
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[m.group(1)] = _unescape(m.group(2))
    for m in re.finditer(r'<select name="([^"]+)">(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
        fields[m.group(1)] = chosen.group(1) if chosen else ""
    return fields


def owner_field(fields: dict[str, str]) -> str:
    """The responsible/owner field of the first extracted agreement (or next step)."""
    return next(
        k
        for k in sorted(fields)
        if re.fullmatch(r"[an]-\d+-(responsible|owner)", k)
        and fields[f"{k.split('-')[0]}-{k.split('-')[1]}-id"]
    )


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


# -- pages and errors ----------------------------------------------------------------------------------


def test_pages_render_with_security_headers_and_csrf_cookie() -> None:
    app = create_app(load_settings())
    with TestClient(app, base_url=LOCAL) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert "No meetings yet" in r.text
        assert "summarizer_csrf" in r.headers["set-cookie"]
        assert "SameSite=Strict" in r.headers["set-cookie"]
        assert "script-src" not in r.headers["content-security-policy"]  # default-src 'self' covers it
        assert "default-src 'self'" in r.headers["content-security-policy"]
        new = c.get("/new")
        assert new.status_code == 200
        assert f'value="{csrf(c)}"' in new.text
        assert c.get("/static/app.css").status_code == 200


def test_errors_render_one_friendly_page(client: TestClient) -> None:
    missing = client.get("/m/2099-01-01-nobody")
    assert missing.status_code == 404
    assert "no meeting" in missing.text and "Back to the meeting list" in missing.text
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "There is no page at this address" in nowhere.text
    job = client.get("/jobs/ffffffff/status", headers={"accept": "application/json"})
    assert job.status_code == 404 and job.json()["error"].startswith("no job")


# -- security ------------------------------------------------------------------------------------------


def test_forms_without_the_csrf_token_are_refused(client: TestClient) -> None:
    meeting_id = make_draft(client)
    before = client.get(f"/m/{meeting_id}/approval").text.count('href="/m/' + meeting_id + "?v=")

    r = client.post("/new", data={"transcript": "Anna: hello"}, files={"file": ("", b"")})
    assert r.status_code == 403 and "did not come from this site" in r.text
    r = client.post(
        "/new", data={"csrf_token": "forged" * 8, "transcript": "Anna: hi"}, files={"file": ("", b"")}
    )
    assert r.status_code == 403
    # a forged token with a file: refused before the file is written
    r = client.post("/new", data={"csrf_token": "x" * 43}, files={"file": ("a.txt", b"Anna: hi\n")})
    assert r.status_code == 403
    fields = review_fields(client.get(f"/m/{meeting_id}").text)
    fields["csrf_token"] = "wrong" * 9
    assert client.post(f"/m/{meeting_id}", data=fields).status_code == 403
    assert client.post(f"/m/{meeting_id}/state", data={"to_state": "internal_review"}).status_code == 403
    assert client.post(f"/m/{meeting_id}/send", data={"to": "a@b.example"}).status_code == 403
    r = client.post(
        f"/m/{meeting_id}/approve",
        data={"by": "x", "evidence_text": "ok"},
        files={"evidence_file": ("", b"")},
    )
    assert r.status_code == 403

    after = client.get(f"/m/{meeting_id}/approval")
    assert after.text.count('href="/m/' + meeting_id + "?v=") == before  # no new version
    assert "Draft" in after.text and "Internal review" not in after.text.split("History")[1].split("</ul>")[0]
    uploads = load_settings().data_dir / "web" / "uploads"
    assert not any(p.is_file() and p.name != "pasted.txt" for p in uploads.rglob("*"))


def test_non_local_bind_requires_a_token() -> None:
    with pytest.raises(ConfigError, match="without an access token"):
        create_app(load_settings(), host="0.0.0.0")
    create_app(load_settings(), host="127.0.0.1")  # loopback is fine without one
    create_app(load_settings(), host="::1")

    settings = load_settings(overrides={"web_token": "s3cret-token"})
    app = create_app(settings, host="0.0.0.0")
    with TestClient(app, base_url="http://192.0.2.10:8765") as c:
        denied = c.get("/")
        assert denied.status_code == 401 and "access token" in denied.text
        assert c.get("/static/app.css").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        assert c.get("/", headers={"x-summarizer-token": "s3cret-token"}).status_code == 200
        assert c.get("/", headers={"authorization": "Bearer s3cret-token"}).status_code == 200
        link = c.get("/new?token=s3cret-token", follow_redirects=False)
        assert link.status_code == 303 and link.headers["location"] == "/new"
        assert "summarizer_token=s3cret-token" in link.headers["set-cookie"]
        assert c.get("/new").status_code == 200  # the cookie now carries it


def test_loopback_server_refuses_other_host_names() -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 must not read the meetings."""
    app = create_app(load_settings())
    with TestClient(app, base_url="http://evil.example:8765") as c:
        r = c.get("/")
        assert r.status_code == 400 and "only answers on localhost" in r.text
    for base in ("http://localhost:8765", "http://[::1]:8765", "http://127.0.0.1"):
        with TestClient(app, base_url=base) as c:
            assert c.get("/").status_code == 200, base


def test_serve_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "refusing to listen on 0.0.0.0 without an access token" in proc.stderr
    assert "--token" in proc.stderr


def test_serve_says_when_the_port_is_taken() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "summarizer", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "--port" in proc.stderr


def test_hostile_transcript_text_is_escaped_everywhere(client: TestClient) -> None:
    meeting_id = make_draft(client)
    for path in (f"/m/{meeting_id}", f"/m/{meeting_id}/approval", "/"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
    review = client.get(f"/m/{meeting_id}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in review  # shown, as text
    context = client.get(f"/m/{meeting_id}/transcript", params={"segment": "s0001"}).json()
    uploads = load_settings().data_dir / "web" / "uploads"
    assert not any(uploads.rglob("*.txt")), "the meeting keeps its own copy; the upload is dropped"
    assert (
        "<script>alert('pwned')</script>" in context["segments"][0]["text"]
    )  # JSON; the page uses textContent


# -- uploads -------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("meeting.wav", PNG, "PNG image"),
        ("notes.txt", bytes(range(256)) * 40, "neither a recording"),
        ("meeting.mp3", b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk", "no readable audio"),
        ("empty.txt", b"", "the file is empty"),
        ("minutes.docx", b"PK\x03\x04" + b"\x00" * 100, "ZIP archive"),
    ],
)
def test_uploads_are_checked_by_content_not_by_name(
    client: TestClient, name: str, content: bytes, problem: str
) -> None:
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client)},
        files={"file": (name, content)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert r.status_code == 422
    assert problem in r.json()["error"] and name in r.json()["error"]
    html_form = client.post(
        "/new", data={"csrf_token": csrf(client), "title": "Kept <title>"}, files={"file": (name, content)}
    )
    assert html_form.status_code == 422 and problem in html_form.text
    assert 'value="Kept &lt;title&gt;"' in html_form.text  # what was typed stays in the form
    uploads = load_settings().data_dir / "web" / "uploads"
    assert not any(p.is_file() for p in uploads.rglob("*")), "a rejected upload must not stay on disk"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("meeting_en.wav", "media"),
        ("transcripts/negotiation_ru_cp1251.txt", "transcript"),
        ("transcripts/negotiation_ru.srt", "transcript"),
        ("transcripts/negotiation_en_zoom.vtt", "transcript"),
    ],
)
def test_content_check_recognises_the_bundled_samples(
    samples: Path, tmp_path: Path, name: str, kind: str
) -> None:
    from summarizer.web.uploads import inspect_upload

    source = samples / name
    if not source.exists():
        pytest.skip(f"{source} is missing")
    renamed = tmp_path / "upload.bin"  # the name says nothing
    renamed.write_bytes(source.read_bytes())
    assert inspect_upload(renamed) == kind


def test_upload_over_the_limit_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_UPLOAD_LIMIT_MB", "1")
    app = create_app(load_settings())
    with TestClient(app, base_url=LOCAL) as c:
        c.get("/")
        big = b"Anna: hello there\n" * 70_000  # ~1.2 MB
        r = c.post(
            "/new",
            data={"csrf_token": csrf(c)},
            files={"file": ("long.txt", big)},
            headers={"x-requested-with": "XMLHttpRequest"},
        )
        assert r.status_code == 413
        assert "limit of 1 MB" in r.json()["error"]
    uploads = load_settings().data_dir / "web" / "uploads"
    assert not any(p.is_file() for p in uploads.rglob("*"))


def test_a_transcript_named_like_audio_is_read_as_a_transcript(client: TestClient, samples: Path) -> None:
    text = (samples / "transcripts" / "negotiation_en.txt").read_bytes()
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client), "meeting_date": "2026-03-02"},
        files={"file": ("call-recording.mp3", text)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert r.status_code == 202, r.text
    state = wait_job(client, r.json()["job_url"])
    assert state["status"] == "done", state
    review = client.get(f"/m/{state['meeting_id']}").text
    assert "revised terms sheet" in review
    assert 'id="audio"' not in review  # no recording: it was a transcript


def test_russian_cp1251_transcript_upload(client: TestClient, samples: Path) -> None:
    source = samples / "transcripts" / "negotiation_ru_cp1251.txt"
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client), "meeting_date": "2026-03-02", "title": "Поставка упаковки"},
        files={"file": ("стенограмма.txt", source.read_bytes())},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert r.status_code == 202, r.text
    state = wait_job(client, r.json()["job_url"])
    assert state["status"] == "done", state
    review = client.get(f"/m/{state['meeting_id']}").text
    assert "Поставка упаковки" in review
    assert re.search(r"[а-яё]{4,}", review.split('id="review-form"')[1])  # the transcript's own words
    assert "Поставка упаковки" in client.get("/").text


def test_new_meeting_form_errors_keep_the_input(client: TestClient) -> None:
    r = client.post(
        "/new",
        data={
            "csrf_token": csrf(client),
            "transcript": "Anna: hi",
            "meeting_date": "2.3.26",
            "roster": "=nobody, , ,",
        },
        files={"file": ("", b"")},
    )
    assert r.status_code == 422
    assert "Use a date like" in r.text and 'value="2.3.26"' in r.text
    assert 'id="err-roster"' in r.text and "Anna: hi</textarea>" in r.text
    both = client.post(
        "/new",
        data={"csrf_token": csrf(client), "transcript": "Anna: hi"},
        files={"file": ("t.txt", b"Anna: hello\n")},
    )
    assert both.status_code == 422 and "not both" in both.text
    assert client.get("/").text.count("/jobs/") == 0


def test_draft_job_survives_a_server_restart() -> None:
    """A job left 'running' by a stopped server is picked up by the next one (nothing is lost)."""
    settings = load_settings()
    jobs = settings.data_dir / "web" / "jobs"
    uploads = settings.data_dir / "web" / "uploads" / "abc123"
    jobs.mkdir(parents=True)
    uploads.mkdir(parents=True)
    (uploads / "pasted.txt").write_text(HOSTILE, encoding="utf-8")
    (jobs / "abc123.json").write_text(
        json.dumps(
            {
                "id": "abc123",
                "kind": "draft",
                "status": "running",
                "stage": "extract",
                "params": {
                    "text_path": str(uploads / "pasted.txt"),
                    "meeting_date": "2026-03-02",
                    "title": "Resumed",
                    "roster": ROSTER,
                    "label": "Resumed",
                },
                "created_at": "2026-03-02T10:00:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    with TestClient(create_app(settings), base_url=LOCAL) as c:
        state = wait_job(c, "/jobs/abc123")
        assert state["status"] == "done" and state["meeting_id"]
        assert any("resumed after a server restart" in line for line in state["log"])  # type: ignore[union-attr]
        assert (
            c.get("/jobs/abc123", follow_redirects=False).headers["location"] == f"/m/{state['meeting_id']}"
        )


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
    from summarizer.store import Store
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


def test_a_failed_job_names_the_uploaded_file_and_can_be_retried(client: TestClient) -> None:
    broken = b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:0x,000 --> garbage\nBroken\n"
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client)},
        files={"file": ("Call with Contoso.srt", broken)},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert r.status_code == 202
    state = wait_job(client, r.json()["job_url"])
    assert state["status"] == "failed"
    assert str(state["error"]).startswith("Call with Contoso.srt, line 6: cannot read the time line")
    assert "/web/uploads/" not in str(state["error"])  # no server paths shown
    page = client.get(r.json()["job_url"]).text
    assert "Try again" in page and "cannot read the time line" in page
    assert "cannot read the time line" in client.get("/").text  # the list shows it too
    retried = client.post(f"{r.json()['job_url']}/retry", data={"csrf_token": csrf(client)})
    assert retried.status_code == 200
    assert wait_job(client, r.json()["job_url"])["attempts"] == 2


def test_client_changes_from_a_file_become_a_client_version(client: TestClient, tmp_path: Path) -> None:
    meeting_id = make_draft(client)
    token = csrf(client)
    assert client.post(f"/m/{meeting_id}/state", data={"csrf_token": token, "to_state": "internal_review"})
    sent = client.post(f"/m/{meeting_id}/send", data={"csrf_token": token, "to": "mark@contoso.example"})
    assert "Sent to client" in sent.text
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
    from summarizer.web import app as web_app
    from summarizer.web.i18n import RU

    root = Path(web_app.__file__).parent
    used: set[str] = set()
    for template in (root / "templates").glob("*.html"):
        used |= set(re.findall(r'_\("((?:[^"\\]|\\.)+)"', template.read_text(encoding="utf-8")))
    for module in root.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        used |= set(re.findall(r'tr\(request, "((?:[^"\\]|\\.)+)"', text))
        used |= set(re.findall(r'errors\[[^\]]+\] = "((?:[^"\\]|\\.)+)"', text))
    used |= {label for label in web_app.STATUS_LABELS.values()}
    missing = sorted(s for s in used if s not in RU)
    assert len(used) > 150
    assert not missing, missing
