"""The approval e-mails: who the final goes to, open warnings, addresses and subjects that survive."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from email.utils import getaddresses
from pathlib import Path

import pytest
from meeting_factory import SmtpSink, make_meeting

from summarizer.approval.confirm import OpenWarnings, approve, final_recipients, send_final, send_for_approval
from summarizer.approval.mail import build_message, parse_addresses
from summarizer.approval.workflow import transition
from summarizer.config import load_settings
from summarizer.errors import InputError
from summarizer.schema import Participant
from summarizer.store.database import Store

SUMMARIZER = [sys.executable, "-m", "summarizer"]


def _store(**overrides: object) -> Store:
    return Store(load_settings(overrides=overrides or None))


def _ready(store: Store, language: str = "en", *, clean: bool = False) -> str:
    meeting = make_meeting(store, language=language)
    if clean:  # a version without warnings
        protocol = store.get_version(meeting.id).protocol
        protocol.flags = []
        for item in protocol.items():
            item.flags = []
        store.add_version(meeting.id, protocol, source="edited", author="anna")
    transition(store, meeting.id, "internal_review", actor="anna")
    return meeting.id


def _parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def _addresses(msg: email.message.EmailMessage) -> list[str]:
    return sorted(addr for _, addr in getaddresses([str(msg["To"])]))


# -- issue 11.6: the subject keeps its spaces ---------------------------------------------------------
def test_a_long_russian_subject_keeps_every_space_when_folded() -> None:
    from summarizer.schema import MeetingHeader, Protocol

    settings = load_settings()
    for title in ("Поставка", "Альфа-Логистик: поставка оборудования и обучение персонала склада"):
        protocol = Protocol(language="ru", header=MeetingHeader(title=title))
        protocol.header.date = __import__("datetime").date(2026, 11, 25)
        msg = build_message(protocol, kind="review", to=["olga@alfa.test"], settings=settings, version=2)
        raw = msg.as_bytes()
        subject = str(msg["Subject"])
        assert "2026 г. — на согласование" in subject or "г. — " in subject, subject
        decoded = _parse(raw)["Subject"]
        assert decoded == subject, (decoded, raw.split(b"\nFrom:")[0])
        assert all(len(line) <= 78 for line in raw.split(b"\n\n")[0].split(b"\n")), raw[:400]


# -- issue 9.13 / 9.14: names with a comma, line breaks ---------------------------------------------------
def test_a_participant_named_with_a_comma_gets_the_final(tmp_path: Path) -> None:
    store = _store()
    mid = _ready(store, clean=True)
    protocol = store.get_version(mid).protocol
    protocol.participants.append(Participant(name="Smith, John", email="john@contoso.test", side="client"))
    store.add_version(mid, protocol, source="edited", author="anna")
    send_for_approval(store, mid, ['"Smith, John" <john@contoso.test>'])
    result = approve(store, mid, by='"Smith, John" <john@contoso.test>', evidence="Approved. John")
    assert result.delivery is not None, result.notes
    assert store.get_meeting(mid).status == "final_sent"
    msg = _parse(result.delivery.path.read_bytes())
    assert ("Smith, John", "john@contoso.test") in getaddresses([str(msg["To"])])
    assert "john@contoso.test" in _addresses(msg) and "boris@alfa.test" in _addresses(msg)


def test_a_name_with_a_comma_typed_unquoted_is_refused_before_anything_is_recorded() -> None:
    store = _store()
    mid = _ready(store, clean=True)
    send_for_approval(store, mid, ["boris@alfa.test"])
    with pytest.raises(InputError, match="double quotes"):
        approve(store, mid, by="Smith, John <john@contoso.test>", evidence="ok")
    assert store.get_meeting(mid).status == "sent_to_client" and not store.approvals(mid)


@pytest.mark.parametrize("value", [
    "victim@alfa.test\nBcc: spy@evil.test",
    "victim@alfa.test\r\nBcc: spy@evil.test",
    "Vic\ntim <victim@alfa.test>",
])
def test_a_line_break_in_an_address_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="line break"):
        parse_addresses([value])
    store = _store()
    mid = _ready(store, clean=True)
    with pytest.raises(InputError, match="line break"):
        send_for_approval(store, mid, [value])
    assert not (store.meeting_dir(mid) / "outbox").exists()
    assert store.get_meeting(mid).status == "internal_review"


def test_a_participant_name_with_a_line_break_does_not_block_the_final() -> None:
    store = _store()
    mid = _ready(store, clean=True)
    protocol = store.get_version(mid).protocol
    protocol.participants.append(Participant(name="Eve\nBcc: spy@evil.test", email="eve@alfa.test"))
    store.add_version(mid, protocol, source="edited", author="anna")
    send_for_approval(store, mid, ["boris@alfa.test"])
    result = approve(store, mid, by="Boris Klein <boris@alfa.test>", evidence="Approved.")
    assert result.delivery is not None
    raw = result.delivery.path.read_bytes()
    headers = raw.split(b"\n\n")[0]
    assert b"\nBcc:" not in headers and "eve@alfa.test" in _addresses(_parse(raw))
    assert "spy@evil.test" not in _addresses(_parse(raw))


def test_approver_with_a_line_break_is_refused() -> None:
    store = _store()
    mid = _ready(store, clean=True)
    send_for_approval(store, mid, ["boris@alfa.test"])
    with pytest.raises(InputError, match="line break"):
        approve(store, mid, by="Boris\nBcc: spy@evil.test", evidence="ok")
    assert not store.approvals(mid)


# -- issue 11.4: the final reaches everyone ------------------------------------------------------------
def test_the_final_goes_to_participants_review_recipients_and_the_approver() -> None:
    with SmtpSink() as sink:
        store = _store(smtp_host="127.0.0.1", smtp_port=sink.port)
        mid = _ready(store, clean=True)
        # Olga is not a participant on record: the protocol was sent to her, and she approved it
        send_for_approval(store, mid, ["Ольга Смирнова <olga@alfa.test>", "legal@alfa.test"])
        result = approve(store, mid, by="Ольга Смирнова <olga@alfa.test>", evidence="Согласовано. Ольга")
        assert result.delivery is not None and result.delivery.sent
        final = sink.messages[-1]
        assert sorted(final["to"]) == [  # type: ignore[arg-type]
            "anna@studio.test", "boris@alfa.test", "legal@alfa.test", "olga@alfa.test"]
        # the participant without an address is named, not silently left out
        assert any("Carl Unknown" in n for n in result.notes), result.notes
        assert any("Carl Unknown" in n for n in result.delivery.notes)
    plan = final_recipients(store, mid)
    assert "Carl Unknown" in plan.without_address


def test_cli_send_final_lists_recipients_and_warns_about_missing_addresses(tmp_path: Path) -> None:
    store = _store()
    mid = _ready(store, clean=True)
    send_for_approval(store, mid, ["olga@alfa.test"])
    approve(store, mid, by="Olga <olga@alfa.test>", evidence="Approved", send=False)
    run = subprocess.run([*SUMMARIZER, "send", mid, "--final"], capture_output=True, text=True,
                         timeout=120, env=os.environ)
    assert run.returncode == 0, run.stderr
    for addr in ("anna@studio.test", "boris@alfa.test", "olga@alfa.test"):
        assert addr in run.stdout
    assert "4 recipient" not in run.stdout and "3 recipient(s)" in run.stdout
    assert "Carl Unknown" in run.stderr and "no e-mail address" in run.stderr


# -- issue 11.5: open warnings stop a send -------------------------------------------------------------
def test_send_with_open_warnings_is_refused_and_lists_them() -> None:
    store = _store()
    mid = _ready(store)  # the factory protocol has an agreement without owner and an unknown speaker
    with pytest.raises(OpenWarnings) as err:
        send_for_approval(store, mid, ["boris@alfa.test"])
    assert "no responsible person" in err.value.message and "SPEAKER_02" in err.value.message
    assert "--force" in (err.value.hint or "")
    assert store.get_meeting(mid).status == "internal_review"
    assert not (store.meeting_dir(mid) / "outbox").exists()
    send_for_approval(store, mid, ["boris@alfa.test"], force=True)
    assert store.get_meeting(mid).status == "sent_to_client"
    assert "open warning" in (store.events(mid)[-1].note or "")
    # the final: approve records the approval but does not send the final with warnings
    result = approve(store, mid, by="Boris <boris@alfa.test>", evidence="ok")
    assert result.delivery is None and any("open warning" in n for n in result.notes)
    assert store.get_meeting(mid).status == "approved"
    with pytest.raises(OpenWarnings):
        send_final(store, mid)
    assert send_final(store, mid, force=True).recipients
    assert store.get_meeting(mid).status == "final_sent"


def test_cli_send_refuses_with_open_warnings_without_force() -> None:
    store = _store()
    mid = _ready(store)
    run = subprocess.run([*SUMMARIZER, "send", mid, "--to", "boris@alfa.test"], capture_output=True,
                         text=True, timeout=120, env=os.environ)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "2 open warning" in run.stderr and "no responsible person" in run.stderr
    assert "--force" in run.stderr
    assert store.get_meeting(mid).status == "internal_review"
    run = subprocess.run([*SUMMARIZER, "send", mid, "--to", "boris@alfa.test", "--force"],
                         capture_output=True, text=True, timeout=120, env=os.environ)
    assert run.returncode == 0, run.stderr
    assert store.get_meeting(mid).status == "sent_to_client"


def test_the_russian_final_docx_has_no_double_period_after_the_year() -> None:
    from docx import Document

    store = _store()
    mid = _ready(store, "ru", clean=True)
    send_for_approval(store, mid, ["boris@alfa.test"])
    result = approve(store, mid, by="Ольга Смирнова <olga@alfa.test>", evidence="Согласовано.", send=False)
    doc = Document(str(result.final_files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    texts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    record = [t for t in texts if t.startswith("Согласовано:")]
    assert record and "г.)" in record[0], record
    assert not [t for t in texts if "г.." in t], [t for t in texts if "г.." in t]
    for fmt in ("html", "md"):
        assert "г.." not in result.final_files[fmt].read_text(encoding="utf-8")


def test_a_long_cyrillic_name_survives_the_outbox_into_the_final() -> None:
    # folded into several encoded words in the review e-mail; read back for the final without a stray
    # space in the middle of a word
    store = _store()
    mid = _ready(store, clean=True)
    olga = "Ольга Александровна Смирнова-Петрова <olga@alfa.test>"
    send_for_approval(store, mid, [olga])
    result = approve(store, mid, by="olga@alfa.test", evidence="Согласовано.")
    assert result.delivery is not None
    assert olga in result.delivery.recipients, result.delivery.recipients
