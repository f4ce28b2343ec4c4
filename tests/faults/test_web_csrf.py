"""Issue 9 item 1: a page on another localhost port forges the client's approval.

The old double-submit check accepted any cookie of 32+ characters that the request itself set: a page
on 127.0.0.1:OTHER set ``summarizer_csrf=AAAA…`` and auto-submitted a form with the same value to
/m/<id>/approve, and the meeting became "approved by Forged Client" for good. Now the token is signed
by the server for the browser's id, and ``Origin`` / ``Sec-Fetch-Site`` must name this server.
"""

from __future__ import annotations

import html
from pathlib import Path

import httpx
import pytest

from .web_fault_support import (
    Session,
    approval_state,
    chromium,
    draft_meeting,
    other_site,
    sent_to_client,
    serving,
)

FORGED = "A" * 43
APPROVAL = {"by": "Forged Client <forger@evil.example>", "evidence_text": "Approved, thanks."}


def _not_approved(base: str, meeting_id: str) -> None:
    page = approval_state(base, meeting_id)
    assert "Forged Client" not in page, "the forged approval was recorded"
    assert 'id="approve-form"' in page, "the meeting left 'sent to client'"


def _forged_form(target: str) -> bytes:
    fields = "".join(f'<input name="{k}" value="{html.escape(v)}">' for k, v in
                     {"csrf_token": FORGED, **APPROVAL}.items())
    return (
        "<!doctype html><title>Win a prize</title>"
        f'<form id="f" method="post" enctype="multipart/form-data" action="{target}">{fields}</form>'
        f"<script>document.cookie = 'summarizer_csrf={FORGED}; path=/';"
        "document.getElementById('f').submit();</script>"
    ).encode()


@pytest.mark.browser
def test_a_forged_approval_from_another_port_is_refused_in_chromium(tmp_path: Path) -> None:
    with chromium() as browser:
        meeting_id = draft_meeting()
        with serving(tmp_path) as server:
            sent_to_client(server.base, meeting_id).close()
            target = f"{server.base}/m/{meeting_id}/approve"
            with other_site({"/": _forged_form(target)}) as evil:
                context = browser.new_context()
                page = context.new_page()
                # the victim's browser holds no cookie of the app yet (a new session), so the
                # attacker's page can plant its own value for 127.0.0.1 (cookies ignore the port)
                # and submit a form that carries the same value
                with page.expect_response(lambda r: r.url == target, timeout=20_000) as answer:
                    page.goto(evil + "/")
                assert answer.value.status == 403, f"the forged form got HTTP {answer.value.status}"
                page.wait_for_load_state()
                assert "did not come from this site" in page.content()
                context.close()
            _not_approved(server.base, meeting_id)
            assert "Traceback" not in server.output()


def test_forged_requests_over_plain_http_are_refused_and_change_nothing(tmp_path: Path) -> None:
    meeting_id = draft_meeting()
    with serving(tmp_path) as server:
        victim = sent_to_client(server.base, meeting_id)
        target = f"/m/{meeting_id}/approve"
        files = {"evidence_file": ("", b"")}
        own = server.base
        other = f"http://127.0.0.1:{server.port + 1 if server.port < 65535 else server.port - 1}"

        # 1. a cookie and a field the forger chose (no browser headers at all, like curl)
        forged = httpx.post(own + target, data={"csrf_token": FORGED, **APPROVAL}, files=files,
                            cookies={"summarizer_csrf": FORGED}, timeout=30)
        assert forged.status_code == 403, forged.text
        # 2. the victim's real cookie and token, but the browser says another site sent it
        for headers in (
            {"sec-fetch-site": "cross-site"},  # no Origin, Sec-Fetch-Site cross-site
            {"sec-fetch-site": "same-site"},  # another port of localhost is the same *site*
            {"origin": other},  # the Origin of another port
            {"origin": other, "sec-fetch-site": "same-site"},
            {"origin": "null"},  # a sandboxed frame or a data: page
            {"origin": "http://evil.example"},
        ):
            r = victim.post(target, APPROVAL, files=files, headers=headers)
            assert r.status_code == 403, (headers, r.status_code)
            assert "did not come from this site" in r.text
            _not_approved(own, meeting_id)
        # every other state-changing route is guarded the same way
        for path, data in ((f"/m/{meeting_id}/state", {"to_state": "draft"}),
                           (f"/m/{meeting_id}/send", {"to": "x@evil.example", "confirm_warnings": "1"}),
                           (f"/m/{meeting_id}", {"header.title": "Forged"}),
                           ("/new", {"transcript": "Anna: forged"})):
            r = victim.post(path, data, headers={"origin": other})
            assert r.status_code == 403, (path, r.status_code)
        assert httpx.post(own + f"/m/{meeting_id}/state", data={"csrf_token": FORGED, "to_state": "draft"},
                          cookies={"summarizer_csrf": FORGED}, timeout=30).status_code == 403
        _not_approved(own, meeting_id)

        # the real page, as the browser sends it, still works
        done = victim.post(target, {"by": "Mark Olsen <mark@contoso.example>",
                                    "evidence_text": "Approved. Mark"},
                           files=files, headers={"origin": own, "sec-fetch-site": "same-origin"})
        assert done.status_code == 303, done.text
        assert "Approved v1 by Mark Olsen" in approval_state(own, meeting_id)
        victim.close()


def test_the_signing_secret_is_private_and_survives_a_restart(tmp_path: Path) -> None:
    from summarizer.config import load_settings

    secret = load_settings().data_dir / "web" / "server-secret"
    with serving(tmp_path) as server:
        first = Session(server.base)
        assert secret.is_file() and secret.stat().st_mode & 0o777 == 0o600
        token = first.token
    with serving(tmp_path) as server:
        again = Session(server.base)
        # the same browser id gets the same token from a restarted server: open forms stay valid
        with httpx.Client(base_url=server.base, cookies={"summarizer_csrf": first.cookie or ""}) as same:
            assert f'content="{token}"' in same.get("/new").text
        first.close()
        again.close()
