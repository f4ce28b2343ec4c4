"""E-mails: .eml structure, language of the subject, delivery to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from meeting_factory import SmtpSink, make_meeting

from summarizer.approval.confirm import approve, send_final, send_for_approval
from summarizer.approval.workflow import transition
from summarizer.config import load_settings
from summarizer.errors import DeliveryError, InputError, WorkflowError
from summarizer.store.database import Store
from summarizer.store.files import sha256_bytes


def _ready_store(language: str = "en", **overrides: object) -> tuple[Store, str]:
    store = Store(load_settings(overrides=overrides or None))
    meeting = make_meeting(store, language=language)
    transition(store, meeting.id, "internal_review", actor="anna")
    return store, meeting.id


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def test_eml_written_when_no_smtp() -> None:
    store, mid = _ready_store("en")
    delivery = send_for_approval(store, mid, ["Boris Klein <boris@alfa.test>"], actor="anna", force=True)
    assert not delivery.sent and delivery.path.parent == store.meeting_dir(mid) / "outbox"
    msg = _parse(delivery.path.read_bytes())
    assert msg["To"] == "Boris Klein <boris@alfa.test>" and msg["X-Summarizer-Version"] == "1"
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert body is not None and html is not None and "<html" in html.get_content().lower()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == f"{mid}-v1.docx"
    docx = attachment.get_content()
    assert docx[:2] == b"PK"  # a real DOCX (zip)
    assert docx == (store.meeting_dir(mid) / "drafts" / "v001" / f"{mid}-v1.docx").read_bytes()
    assert "review" in msg["Subject"].lower() or "approv" in msg["Subject"].lower()
    assert store.get_meeting(mid).status == "sent_to_client"


def test_subject_follows_meeting_language() -> None:
    store, mid = _ready_store("ru")
    msg = _parse(send_for_approval(store, mid, ["boris@alfa.test"], force=True).path.read_bytes())
    subject = msg["Subject"]
    assert any("а" <= ch.lower() <= "я" for ch in subject), subject
    assert any("а" <= ch.lower() <= "я" for ch in msg.get_body(preferencelist=("plain",)).get_content())


def test_bad_address_and_state_refused() -> None:
    store, mid = _ready_store()
    with pytest.raises(InputError, match="not an e-mail"):
        send_for_approval(store, mid, ["boris at alfa"], force=True)
    with pytest.raises(WorkflowError):
        send_final(store, mid)
    assert not (store.meeting_dir(mid) / "outbox").exists()


def test_smtp_delivery_and_final_to_participants(tmp_path: Path) -> None:
    with SmtpSink() as sink:
        store, mid = _ready_store("en", smtp_host="127.0.0.1", smtp_port=sink.port,
                                  mail_from="Anna <anna@studio.test>")
        delivery = send_for_approval(store, mid, ["boris@alfa.test"], actor="anna", force=True)
        assert delivery.sent
        (received,) = sink.messages
        assert received["to"] == ["boris@alfa.test"] and received["from"] == "anna@studio.test"
        msg = _parse(received["data"])  # type: ignore[arg-type]
        assert [a.get_filename() for a in msg.iter_attachments()] == [f"{mid}-v1.docx"]
        assert msg["Message-ID"] == _parse(delivery.path.read_bytes())["Message-ID"]

        reply = tmp_path / "reply.eml"
        reply.write_bytes(b"From: Boris <boris@alfa.test>\r\nSubject: Re: minutes\r\n\r\nApproved.\r\n")
        result = approve(store, mid, by="Boris Klein <boris@alfa.test>", evidence=reply, actor="anna",
                         force=True)
        assert result.delivery is not None and result.delivery.sent
        final = sink.messages[-1]
        assert sorted(final["to"]) == ["anna@studio.test", "boris@alfa.test"]  # type: ignore[arg-type]
        final_msg = _parse(final["data"])  # type: ignore[arg-type]
        assert [a.get_filename() for a in final_msg.iter_attachments()] == [f"{mid}-final.docx"]
    approval = store.approvals(mid)[0]
    assert approval.evidence_sha256 == sha256_bytes(reply.read_bytes())
    assert Path(approval.evidence_path or "").read_bytes() == reply.read_bytes()
    assert approval.version_sha256 == store.get_version(mid, 1).sha256
    assert "Approved." in (approval.evidence_text or "")
    assert store.get_meeting(mid).status == "final_sent"


def test_smtp_down_is_a_clear_error() -> None:
    with SmtpSink() as sink:
        port = sink.port
    store, mid = _ready_store("en", smtp_host="127.0.0.1", smtp_port=port)
    with pytest.raises(DeliveryError, match=f"127.0.0.1:{port}"):
        send_for_approval(store, mid, ["boris@alfa.test"], force=True)
    # nothing was recorded as sent, but the message is kept in the outbox
    assert store.get_meeting(mid).status == "internal_review"
    assert len(list((store.meeting_dir(mid) / "outbox").glob("*.eml"))) == 1


def test_approval_evidence_text_and_missing_file() -> None:
    store, mid = _ready_store()
    send_for_approval(store, mid, ["boris@alfa.test"], force=True)
    with pytest.raises(InputError, match="no such file"):
        approve(store, mid, by="Boris", evidence="reply-missing.eml")
    assert store.get_meeting(mid).status == "sent_to_client"
    result = approve(store, mid, by="Boris", evidence="Call 12:00: Boris confirmed by e-mail", send=False)
    assert result.approval.evidence_text.startswith("Call 12:00")  # type: ignore[union-attr]
    assert store.get_meeting(mid).status == "approved"


def test_approval_evidence_pasted_as_a_long_text() -> None:
    # a reply longer than a file name may be (255 bytes) was an OSError "File name too long"
    store, mid = _ready_store()
    send_for_approval(store, mid, ["boris@alfa.test"], force=True)
    reply = "Good afternoon! We have read the protocol and approve it without changes. " * 6
    result = approve(store, mid, by="Boris", evidence=reply, send=False)
    assert result.approval.evidence_text == reply.strip()
    assert store.get_meeting(mid).status == "approved"


def test_smtp_login() -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: object, session: object, envelope: object, mechanism: str,
                      data: object) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")

    with SmtpSink(authenticator=authenticator, auth_require_tls=False) as sink:
        store, mid = _ready_store("en", smtp_host="127.0.0.1", smtp_port=sink.port,
                                  smtp_user="anna", smtp_password="s3cret")
        assert send_for_approval(store, mid, ["boris@alfa.test"], force=True).sent
        assert logins == [(b"anna", b"s3cret")] and len(sink.messages) == 1
