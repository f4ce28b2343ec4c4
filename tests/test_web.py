"""The web app in-process (Starlette TestClient): pages, security, uploads, background jobs.

Drafts are made from pasted or uploaded transcripts with the offline extractor, through the real
pipeline, store and job runner; no Whisper here (the browser test uploads the sample recording).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_support import (
    HOSTILE,
    LOCAL,
    ROSTER,
    csrf,
    make_draft,
    review_fields,
    wait_job,
    web_client,
)

from summarizer.config import load_settings
from summarizer.errors import ConfigError
from summarizer.web import create_app


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from web_client()


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

    settings = load_settings(overrides={"web_token": "s3cret-token-0123"})
    app = create_app(settings, host="0.0.0.0")
    with TestClient(app, base_url="http://192.0.2.10:8765") as c:
        denied = c.get("/")
        assert denied.status_code == 401 and "access token" in denied.text
        assert c.get("/static/app.css").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        assert c.get("/", headers={"x-summarizer-token": "s3cret-token-0123"}).status_code == 200
        assert c.get("/", headers={"authorization": "Bearer s3cret-token-0123"}).status_code == 200
        link = c.get("/new?token=s3cret-token-0123", follow_redirects=False)
        assert link.status_code == 303 and link.headers["location"] == "/new"
        assert "summarizer_token=s3cret-token-0123" in link.headers["set-cookie"]
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


def test_serve_says_when_the_port_is_impossible() -> None:
    # was "unexpected OverflowError"
    proc = subprocess.run([sys.executable, "-m", "summarizer", "serve", "--port", "99999"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot listen on 127.0.0.1:99999: bind(): port must be 0-65535" in proc.stderr
    assert "unexpected" not in proc.stderr


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


def test_new_meeting_time_place_and_platform_reach_the_header(client: TestClient) -> None:
    """Issue 11 item 14: a time field, and separate place and platform fields on the new-meeting form."""
    bad = client.post("/new", files={"file": ("", b"")},
                      data={"csrf_token": csrf(client), "transcript": HOSTILE, "meeting_time": "25:99"})
    assert bad.status_code == 422 and 'id="err-meeting_time"' in bad.text and 'value="25:99"' in bad.text
    meeting_id = make_draft(client, meeting_time="09:15", place="Contoso HQ, Oslo", platform="zoom")
    fields = review_fields(client.get(f"/m/{meeting_id}").text)
    assert fields["header.start_time"] == "09:15"
    assert fields["header.place"] == "Contoso HQ, Oslo" and fields["header.platform"] == "Zoom"
