"""Accounts and roles on a real PostgreSQL: argon2 sign-in, sessions that expire, the sign-in rate
limit, managers refused on meetings not theirs, admin-only account management, events naming the account."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meeting_factory import make_protocol
from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)
from starlette.testclient import TestClient

from summarizer.accounts import service
from summarizer.config import load_settings
from summarizer.store.database import Store
from summarizer.web import create_app

SUMMARIZER = Path(sys.executable).parent / "summarizer"
PASSWORD = "correct horse battery"


@pytest.fixture
def office(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:  # noqa: F811
    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", pg_url)
    monkeypatch.setenv("SUMMARIZER_AUTH", "accounts")
    # the first admin is made on the command line, as an office would
    run = subprocess.run([str(SUMMARIZER), "account", "add", "adam", "--role", "admin", "--password-stdin"],
                         input=PASSWORD + "\n", capture_output=True, text=True, env=dict(os.environ),
                         timeout=60)
    assert run.returncode == 0, run.stderr
    store = Store(load_settings())
    for login, role in (("anna", "manager"), ("boris", "manager"), ("rita", "reviewer")):
        service.create_account(store, login, PASSWORD, role=role)
    yield store
    store.close()


def _client() -> TestClient:
    c = TestClient(create_app(load_settings()), base_url="http://127.0.0.1:8765")
    c.__enter__()
    c.get("/signin")  # CSRF cookie
    return c


def _csrf(c: TestClient) -> str:
    """The form token the sign-in page gives this browser (signed for its cookie)."""
    import re

    page = c.get("/signin").text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _sign_in(c: TestClient, login: str, password: str = PASSWORD) -> int:
    r = c.post("/signin", data={"csrf_token": _csrf(c), "login": login, "password": password, "next": "/"},
               follow_redirects=False)
    return r.status_code


def _meeting(store: Store, owner: str, client: str) -> str:
    return store.create_meeting(client=client, meeting_date=dt.date(2026, 11, 25), actor=owner,
                                protocol=make_protocol()).id


def test_roles_and_events_name_the_account(office: Store) -> None:
    store = office
    hashed = store.conn.execute("SELECT password_hash FROM accounts WHERE login = 'adam'").fetchone()[0]
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    annas, boriss = _meeting(store, "anna", "Alfa"), _meeting(store, "boris", "Beta")
    c = _client()
    assert c.get("/", follow_redirects=False).headers["location"] == "/signin?next=/"
    assert _sign_in(c, "anna", "wrong password!") == 401
    assert _sign_in(c, "anna") == 303
    assert c.get("/").status_code == 200
    step = {"csrf_token": _csrf(c), "to_state": "internal_review"}
    refused = c.post(f"/m/{annas}/state", data=step, follow_redirects=False)
    assert refused.status_code == 403 and "reviewer" in refused.text  # the review step is not hers
    assert c.get("/admin/accounts").status_code == 403

    rita = _client()
    assert _sign_in(rita, "rita") == 303
    step["csrf_token"] = _csrf(rita)
    for mid in (annas, boriss):
        assert rita.post(f"/m/{mid}/state", data=step, follow_redirects=False).status_code == 303
        assert store.events(mid)[-1].actor == "rita"
    assert rita.get("/admin/accounts").status_code == 403

    send = {"csrf_token": _csrf(c), "to": "client@alfa.test", "confirm_warnings": "1"}
    refused = c.post(f"/m/{boriss}/send", data=send, follow_redirects=False)
    assert refused.status_code == 403 and "only your own" in refused.text
    assert store.get_meeting(boriss).status == "internal_review"
    assert c.post(f"/m/{annas}/send", data=send, follow_redirects=False).status_code in (200, 303)
    assert store.get_meeting(annas).status == "sent_to_client"
    assert store.events(annas)[-1].actor == "anna"  # the account, not the server's OS user

    adam = _client()
    assert _sign_in(adam, "adam") == 303
    assert "rita" in adam.get("/admin/accounts").text
    r = adam.post("/admin/accounts", data={"csrf_token": _csrf(adam), "login": "nina", "role": "manager",
                                           "password": "another long one"}, follow_redirects=False)
    assert r.status_code == 303 and service.get_account(store, "nina").role == "manager"

    r = c.post("/signout", data={"csrf_token": _csrf(c)}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303  # signed out


def test_sessions_expire_and_disabled_accounts_lose_them(office: Store) -> None:
    c = _client()
    c.cookies.set("summarizer_session", service.open_session(office, "anna", hours=-0.01))
    assert c.get("/", follow_redirects=False).headers["location"].startswith("/signin")
    assert _sign_in(c, "anna") == 303 and c.get("/").status_code == 200
    service.set_disabled(office, "anna")
    assert c.get("/", follow_redirects=False).status_code == 303
    assert _sign_in(c, "anna") == 401


def test_sign_in_is_rate_limited(office: Store) -> None:
    c = _client()
    for _ in range(service.MAX_FAILURES):
        assert _sign_in(c, "boris", "not the password") == 401
    r = c.post("/signin", data={"csrf_token": _csrf(c), "login": "boris", "password": PASSWORD},
               follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 60  # even the right password waits
    assert c.post("/signin", data={"login": "boris", "password": PASSWORD}).status_code == 403  # CSRF


def test_proxy_header_names_an_existing_account(office: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_AUTH", "proxy")
    annas = _meeting(office, "anna", "Gamma")
    with TestClient(create_app(load_settings()), base_url="http://127.0.0.1:8765") as c:
        assert c.get("/").status_code == 401
        assert c.get("/", headers={"X-Remote-User": "stranger"}).status_code == 401
        c.get("/", headers={"X-Remote-User": "rita"})
        step = {"csrf_token": _csrf(c), "to_state": "internal_review"}
        r = c.post(f"/m/{annas}/state", data=step, headers={"X-Remote-User": "rita"}, follow_redirects=False)
        assert r.status_code == 303 and office.events(annas)[-1].actor == "rita"
        r = c.post(f"/m/{annas}/state", data=step, headers={"X-Remote-User": "boris"}, follow_redirects=False)
        assert r.status_code == 403
