"""Issue 9 item 3: `serve --token " "` was accepted (a blank token protects nothing) and
`--host 127.0.0.2` answered 400 to everything. A blank or short token is refused with a clear message
and a non-zero exit; any loopback address serves normally."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .web_fault_support import ROOT, Session, draft_meeting, free_port, serving


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        command = [sys.executable, "-m", "summarizer", "serve", "--port", str(free_port()), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=ROOT)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"serve {args} started serving instead of refusing") from None


@pytest.mark.parametrize(("token", "says"), [
    (" ", "the access token is blank"),
    ("", "the access token is blank"),
    ("hunter2", "the access token is too short (7 characters; at least 16"),
    ("correct horse battery staple", "no spaces"),
])
def test_a_blank_or_weak_token_is_refused(token: str, says: str) -> None:
    for host in ("127.0.0.1", "0.0.0.0"):
        run = _serve("--host", host, "--token", token)
        assert run.returncode != 0, run.stdout
        assert says in run.stderr, run.stderr
        assert "secrets.token_urlsafe" in run.stderr  # how to make a good one
        assert "Traceback" not in run.stderr and "unexpected" not in run.stderr


def _loopback_available(host: str) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family) as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.0.0.2", "::1"])
def test_any_loopback_address_serves_normally(tmp_path: Path, host: str) -> None:
    if not _loopback_available(host):
        pytest.skip(f"this machine has no {host} to listen on")
    meeting_id = draft_meeting()
    with serving(tmp_path, host=host) as server:
        page = httpx.get(server.base + f"/m/{meeting_id}", timeout=30)
        assert page.status_code == 200, page.text
        assert "only answers on localhost" not in page.text
        # and a form of its own page is accepted (Origin is this address)
        session = Session(server.base)
        r = session.post(f"/m/{meeting_id}/state", {"to_state": "internal_review"},
                         headers={"origin": server.base, "sec-fetch-site": "same-origin"})
        assert r.status_code == 303, r.text
        session.close()
        # a rebinding name is still refused
        assert httpx.get(server.base + "/", headers={"host": "evil.example"}, timeout=30).status_code == 400
