"""Helpers shared by the in-process web tests (test_web.py, test_web_review.py)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator

from starlette.testclient import TestClient

from summarizer.config import load_settings
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


def web_client() -> Iterator[TestClient]:
    """A running app (lifespan on: the job runner works) seen by a browser that opened it once."""
    app = create_app(load_settings())
    with TestClient(app, base_url=LOCAL) as c:
        c.get("/")  # receive the CSRF cookie like a browser that opened the app
        yield c


def csrf(c: TestClient) -> str:
    """The form token the server signed for this client's browser id, read from a page like a form."""
    assert c.cookies.get("summarizer_csrf"), "open a page first: the server issues the browser id"
    page = c.get("/new").text
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the page carries no CSRF token"
    return match.group(1)


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
    fields["save"] = "1"  # submitted with the Save button, the only way the page saves
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
    return html.unescape(value)
