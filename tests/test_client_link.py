"""The client's review link: a signed, expiring link to one version; comments; "Approved" recorded as
the approval with its evidence; tampered, expired, foreign and other-version links refused."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from meeting_factory import make_meeting, make_protocol
from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)
from starlette.testclient import TestClient

from summarizer.approval import client_link
from summarizer.approval.workflow import record_edit, transition
from summarizer.config import load_settings
from summarizer.store.database import Store
from summarizer.web import create_app

SUMMARIZER = Path(sys.executable).parent / "summarizer"


@pytest.fixture(params=["sqlite", "postgresql"])
def sent(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[Store, str]:
    # the link is a team feature: the same tests on the embedded store and on a real PostgreSQL
    if request.param == "postgresql":
        monkeypatch.setenv("SUMMARIZER_DATABASE_URL", request.getfixturevalue("pg_url"))
    store = Store(load_settings())
    meeting = make_meeting(store)
    transition(store, meeting.id, "internal_review", actor="anna")
    transition(store, meeting.id, "sent_to_client", actor="anna")
    return store, meeting.id


def _client(**overrides: object) -> TestClient:
    return TestClient(create_app(load_settings(overrides=overrides)), base_url="http://127.0.0.1:8765")


def _csrf(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, page
    return m.group(1)


def test_client_reads_comments_and_approves(sent: tuple[Store, str]) -> None:
    store, mid = sent
    version = store.get_version(mid)
    token = client_link.make_token(store.settings, version)
    with _client() as c:
        page = c.get(f"/r/{token}")
        assert page.status_code == 200
        assert "Send the pilot plan" in page.text and "Anna Petrova" in page.text
        assert 'href="/"' not in page.text and "/m/" not in page.text  # nothing else of the office
        assert page.headers["cache-control"] == "no-store"
        r = c.post(f"/r/{token}/comment", data={"csrf_token": _csrf(page.text), "item": "a1",
                                                "text": "Friday is too early, <b>Monday</b>?",
                                                "name": "Boris Klein"}, follow_redirects=False)
        assert r.status_code == 303
        page = c.get(r.headers["location"])
        assert "Friday is too early, &lt;b&gt;Monday&lt;/b&gt;?" in page.text
        assert c.post(f"/r/{token}/comment", data={"item": "a1", "text": "forged"}).status_code == 403
        r = c.post(f"/r/{token}/approve", data={"csrf_token": _csrf(page.text), "name": "Boris Klein",
                                                "email": "boris@alfa.test"}, follow_redirects=False)
        assert r.status_code == 303
        assert 'id="approved"' in c.get(r.headers["location"]).text
    (approval,) = store.approvals(mid)
    assert approval.version == version.number and approval.version_sha256 == version.sha256
    assert approval.approved_by == "Boris Klein <boris@alfa.test>"
    evidence = approval.evidence_text or ""
    for needed in ("Name: Boris Klein", "E-mail: boris@alfa.test", "IP address: testclient",
                   f"Version sha256: {version.sha256}", "Time (UTC): "):
        assert needed in evidence
    assert Path(approval.evidence_path or "").read_text(encoding="utf-8") == evidence
    events = store.events(mid)
    assert events[-1].to_state == "approved" and events[-1].actor == "client link: boris@alfa.test"
    assert any(e.note and "client comment on a1" in e.note and e.actor == "client link: Boris Klein"
               for e in events)


def _refused(c: TestClient, token: str, reason: str) -> None:
    page = c.get(f"/r/{token}")
    assert page.status_code == 403, page.text
    assert reason in page.text
    assert "Send the pilot plan" not in page.text and "Alfa" not in page.text
    # a genuine CSRF token (the office page's, same browser and secret): the link itself must be refused
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', c.get("/").text)
    assert found
    csrf = found.group(1)
    post = c.post(f"/r/{token}/approve", data={"csrf_token": csrf, "name": "A", "email": "a@b.test"})
    assert post.status_code == 403 and reason in post.text


def test_tampered_expired_foreign_and_other_version_links_are_refused(sent: tuple[Store, str]) -> None:
    store, mid = sent
    v1 = store.get_version(mid)
    good = client_link.make_token(store.settings, v1)
    payload, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    expired = client_link.make_token(store.settings, v1, days=14,
                                     now=dt.datetime.now(dt.UTC) - dt.timedelta(days=15))
    forged_payload = client_link._b64(client_link._unb64(payload).replace(b'"v":1', b'"v":2'))
    with _client() as c:
        _refused(c, f"{payload}.{flipped}", "not valid")
        _refused(c, f"{forged_payload}.{sig}", "not valid")
        _refused(c, expired, "expired")
        with _client(review_link_secret="another office") as other:
            _refused(other, good, "not valid")
        assert c.get(f"/r/{good}").status_code == 200
        record_edit(store, mid, make_protocol(), source="edited", actor="anna")  # v2: the client must see it
        _refused(c, good, "newer version")
        assert store.approvals(mid) == []


def test_link_bypasses_the_office_token_but_nothing_else_does(sent: tuple[Store, str]) -> None:
    store, mid = sent
    token = client_link.make_token(store.settings, store.get_version(mid))
    app = create_app(load_settings(overrides={"web_token": "office-secret-long-enough-0123"}), host="0.0.0.0")
    with TestClient(app, base_url="http://office.example:8765") as c:
        assert c.get("/").status_code == 401
        assert c.get(f"/m/{mid}").status_code == 401
        assert c.get(f"/r/{token}").status_code == 200
        assert c.get("/r/static/app.css").status_code == 200


def test_review_link_command_prints_a_working_link(sent: tuple[Store, str]) -> None:
    _store, mid = sent
    import os

    out = subprocess.run([str(SUMMARIZER), "review-link", mid], capture_output=True, text=True,
                         env={**os.environ, "SUMMARIZER_PUBLIC_URL": "https://office.example/"}, timeout=60)
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert url.startswith("https://office.example/r/")
    with _client() as c:
        assert c.get(url.removeprefix("https://office.example")).status_code == 200


def test_send_with_link_mails_a_link_that_approves_that_version(tmp_path: Path) -> None:
    import email
    import email.policy
    import os

    from meeting_factory import SmtpSink

    store = Store(load_settings())
    mid = make_meeting(store).id
    transition(store, mid, "internal_review", actor="anna")
    with SmtpSink() as sink:
        env = {**os.environ, "SUMMARIZER_SMTP_HOST": "127.0.0.1", "SUMMARIZER_SMTP_PORT": str(sink.port),
               "SUMMARIZER_PUBLIC_URL": "https://office.example"}
        run = subprocess.run([str(SUMMARIZER), "send", mid, "--to", "boris@alfa.test", "--link", "--force"],
                             env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stderr
    (sent,) = sink.messages
    msg = email.message_from_bytes(sent["data"], policy=email.policy.default)  # type: ignore[arg-type]
    body = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    assert body is not None and html_part is not None
    url = re.search(r"https://office\.example/r/\S+", body.get_content())
    assert url, body.get_content()
    assert f'href="{url.group(0)}"' in html_part.get_content()
    with _client() as c:
        page = c.get(url.group(0).removeprefix("https://office.example"))
        assert page.status_code == 200
        c.post(url.group(0).removeprefix("https://office.example") + "/approve",
               data={"csrf_token": _csrf(page.text), "name": "Boris Klein", "email": "boris@alfa.test"})
    (approval,) = store.approvals(mid)
    assert approval.version == store.get_version(mid).number and approval.approved_by.startswith("Boris")
