"""End to end through the CLI: the bundled recording → draft → review → sent (SMTP) → client changes →
sent again → approved with evidence → final sent to participants. Real Whisper, SQLite, SMTP, files."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from meeting_factory import SmtpSink

from summarizer.config import load_settings
from summarizer.store.database import Store
from summarizer.store.files import sha256_bytes

SUMMARIZER = Path(sys.executable).parent / "summarizer"


def _cli(*args: str, env: dict[str, str], input: str | None = None, ok: bool = True) -> str:
    run = subprocess.run([str(SUMMARIZER), *args], env=env, input=input, capture_output=True, text=True,
                         timeout=600)
    if ok:
        assert run.returncode == 0, f"{args}: {run.stdout}\n{run.stderr}"
    else:
        assert run.returncode != 0, f"{args} should have failed: {run.stdout}"
    return run.stdout + run.stderr


def _editor(tmp_path: Path) -> str:
    script = tmp_path / "editor.py"
    # The reviewer names who answers for the first item without one (the draft may have found the
    # next-step owners from the speakers, leaving an agreement's responsible empty) and rewrites the
    # purpose, whatever the extractor put there.
    script.write_text(
        "import re, sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n"
        "t = re.sub(r'(?m)^(responsible|owner) = \"\"$', r'\\1 = \"Mark Olsen\"', t, count=1)\n"
        "t = re.sub(r'(?m)^purpose = .*$', 'purpose = \"Agree price and delivery of the new order\"', t, "
        "count=1)\n"
        "open(p, 'w', encoding='utf-8').write(t)\n"
    )
    return f"{sys.executable} {script}"


@pytest.mark.slow
def test_recording_to_final_protocol(samples: Path, tmp_path: Path) -> None:
    recording = samples / "meeting_en.wav"
    if not recording.exists():
        pytest.skip("samples/meeting_en.wav is not generated on this machine")
    with SmtpSink() as sink:
        env = {**os.environ, "SUMMARIZER_SMTP_HOST": "127.0.0.1", "SUMMARIZER_SMTP_PORT": str(sink.port),
               "SUMMARIZER_MAIL_FROM": "Anna Petrova <anna@northwind.test>", "VISUAL": "",
               "EDITOR": _editor(tmp_path), "SUMMARIZER_USER": "anna"}

        # 1. draft from the recording, offline
        out = _cli("draft", str(recording), "--date", "2026-11-25", "--client", "Contoso",
                   "--title", "New order terms", env=env)
        match = re.search(r"Meeting (\S+) — draft v1", out)
        assert match, out
        mid = match.group(1)
        assert mid == "2026-11-25-contoso"
        assert "Needs your attention" in out or "Nothing flagged" in out
        store = Store(load_settings())
        meeting = store.get_meeting(mid[:14])
        folder = meeting.folder
        v1 = store.get_version(mid, 1)
        assert meeting.status == "draft" and v1.source == "extracted"
        assert (folder / "source" / "meeting_en.wav").read_bytes() == recording.read_bytes()
        assert meeting.source_sha256 == sha256_bytes(recording.read_bytes())
        transcript = json.loads((folder / "transcript.json").read_text())
        assert any("contract" in s["text"].lower() for s in transcript["segments"])
        assert v1.protocol.next_steps or v1.protocol.agreements, "the offline extractor found nothing"
        assert all(item.evidence for item in v1.protocol.items())
        for fmt in ("md", "html", "docx"):
            assert (folder / "drafts" / "v001" / f"{mid}-v1.{fmt}").stat().st_size > 0

        # 2. internal review in the (scripted) editor
        out = _cli("review", mid, env=env)
        assert "Saved v2 (edited)" in out and "draft → internal_review" in out
        v2 = store.get_version(mid, 2)
        assert v2.protocol.purpose == "Agree price and delivery of the new order"
        edited = [it for it in v2.protocol.items() if it.edited]
        assert len(edited) == 1 and edited[0].evidence  # the edited item kept its evidence

        # 3. sent to the client over SMTP
        out = _cli("send", mid, "--to", "Mark Olsen <mark@contoso.test>", "--force", env=env)
        assert "Sent:" in out
        assert [m["to"] for m in sink.messages] == [["mark@contoso.test"]]

        # 4. the client returns their own changes
        client_file = tmp_path / "client.json"
        _cli("export", mid, "--format", "json", "-o", str(client_file), env=env)
        data = json.loads(client_file.read_text())
        data["participants"] = [
            {"name": "Mark Olsen", "organisation": "Contoso", "side": "client", "email": "mark@contoso.test"},
            {"name": "Anna Petrova", "organisation": "Northwind", "side": "ours",
             "email": "anna@northwind.test"},
            {"name": "Lisa Chen", "organisation": "Northwind", "side": "ours"},
        ]
        changed_section = "next_steps" if data["next_steps"] else "agreements"
        field = "action" if changed_section == "next_steps" else "text"
        data[changed_section][-1][field] += " (confirmed by Contoso)"
        client_file.write_text(json.dumps(data))
        out = _cli("review", mid, "--from-client", str(client_file), "--by", "mark@contoso.test", env=env)
        assert "Saved v3 (client)" in out and "sent_to_client → changes_requested" in out

        out = _cli("diff", mid, "v2", "v3", env=env)
        assert "(confirmed by Contoso)" in out and "+ participants: Mark Olsen" in out

        # 5. sent again, 6. approved with the client's reply, 7. final to every participant with e-mail
        _cli("send", mid, "--to", "mark@contoso.test", "--force", env=env)
        reply = tmp_path / "reply.eml"
        reply.write_bytes(b"From: Mark Olsen <mark@contoso.test>\r\nTo: anna@northwind.test\r\n"
                          b"Subject: Re: minutes\r\n\r\nVersion 3 is approved. Mark\r\n")
        out = _cli("approve", mid, "--by", "Mark Olsen <mark@contoso.test>", "--evidence", str(reply),
                   "--force", env=env)
        assert "Status: final_sent" in out
        assert len(sink.messages) == 3
        final = sink.messages[-1]
        assert sorted(final["to"]) == ["anna@northwind.test", "mark@contoso.test"]  # type: ignore[arg-type]
        final_msg = email.message_from_bytes(final["data"], policy=email.policy.default)  # type: ignore[arg-type]
        assert [a.get_filename() for a in final_msg.iter_attachments()] == [f"{mid}-final.docx"]

    # database rows
    db = sqlite3.connect(load_settings().database_path)
    steps = db.execute("SELECT from_state, to_state, actor, version FROM events WHERE meeting_id = ? "
                       "ORDER BY id", (mid,)).fetchall()
    assert steps == [
        (None, "draft", None, None),
        ("draft", "internal_review", "anna", 2),
        ("internal_review", "sent_to_client", "anna", 2),
        ("sent_to_client", "changes_requested", "mark@contoso.test", 3),
        ("changes_requested", "sent_to_client", "anna", 3),
        ("sent_to_client", "approved", "anna", 3),
        ("approved", "final_sent", "anna", 3),
    ]
    versions = db.execute("SELECT number, source, sha256 FROM versions WHERE meeting_id = ? ORDER BY number",
                          (mid,)).fetchall()
    assert [(n, s) for n, s, _ in versions] == [(1, "extracted"), (2, "edited"), (3, "client")]
    assert versions[0][2] == v1.sha256 and versions[1][2] == v2.sha256  # earlier versions unchanged
    (approval,) = db.execute("SELECT version, approved_by, evidence_path, evidence_sha256, version_sha256 "
                             "FROM approvals WHERE meeting_id = ?", (mid,)).fetchall()
    assert approval[:2] == (3, "Mark Olsen <mark@contoso.test>")
    assert Path(approval[2]).read_bytes() == reply.read_bytes()
    assert approval[3] == sha256_bytes(reply.read_bytes()) and approval[4] == versions[2][2]

    # files: the final protocol has no draft mark; every message is kept in the outbox
    final_md = (folder / "final" / f"{mid}-final.md").read_text()
    draft_md = (folder / "drafts" / "v003" / f"{mid}-v3.md").read_text()
    assert "DRAFT" in draft_md and "DRAFT" not in final_md
    assert "(confirmed by Contoso)" in final_md
    # the approved protocol states who confirmed it and when, instead of blank signature lines
    assert re.search(r"Approved by Mark Olsen .{0,3}mark@contoso.test.{0,3} on \d+ \w+ \d{4}", final_md)
    assert "Approved by" not in draft_md
    assert len(list((folder / "outbox").glob("*.eml"))) == 3
    out = _cli("list", env=env)
    assert mid in out and "final_sent" in out
    target = tmp_path / "final.docx"
    _cli("export", mid, "--format", "docx", "-o", str(target), env=env)
    assert target.read_bytes()[:2] == b"PK"
    import docx

    docx_text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Approved by Mark Olsen" in docx_text
    assert "already exists" in _cli("export", mid, "--format", "docx", "-o", str(target), env=env, ok=False)
    assert "final" in _cli("review", mid, "--file", str(client_file), env=env, ok=False)


def test_draft_from_russian_transcript_with_roster(samples: Path, tmp_path: Path) -> None:
    from summarizer.pipeline import run_draft

    stages: list[str] = []
    result = run_draft(samples / "transcripts" / "negotiation_ru.txt", load_settings(),
                       meeting_date=__import__("datetime").date(2026, 11, 25), client="Альфа-Логистик",
                       roster=samples / "transcripts" / "roster_ru.toml",
                       progress=lambda stage, frac: stages.append(stage))
    # a stage may report several fractions; each is entered once, in order
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == [
        "read", "extract", "store", "render"]
    meeting = result.meeting
    assert meeting.id == "2026-11-25-alfa-logistik" and meeting.language == "ru"
    emails = {p.email for p in result.version.protocol.participants}
    assert "olga.smirnova@alfa-logistic.ru" in emails
    assert set(result.files) == {"md", "html", "docx"} and all(p.exists() for p in result.files.values())
    assert result.attention == result.version.protocol.all_flags()
    assert (meeting.folder / "source" / "negotiation_ru.txt").exists()


def test_failed_extraction_stores_nothing_and_keeps_transcript_stage(tmp_path: Path) -> None:
    from summarizer.errors import ExtractionError
    from summarizer.pipeline import run_draft
    from summarizer.transcript import Segment, Transcript

    calls: list[str] = []

    def transcribe(path: Path, settings: object, **kw: object) -> Transcript:
        calls.append("transcribe")
        return Transcript(segments=[Segment(id="s0001", text="We agree.")], language="en")

    def broken_extract(*args: object, **kw: object) -> object:
        raise ExtractionError("model returned garbage")

    recording = tmp_path / "call.wav"
    recording.write_bytes(b"RIFF....WAVEfmt ")
    with pytest.raises(ExtractionError):
        run_draft(recording, load_settings(), transcribe=transcribe, extract=broken_extract,
                  ingest=lambda *a, **k: pytest.fail("a recording is not read as text"))
    assert calls == ["transcribe"]
    store = Store(load_settings())
    assert store.list_meetings() == [] and not store.meetings_dir.exists()


def test_draft_cli_from_stdin_and_output_dir(tmp_path: Path) -> None:
    text = ("Anna: We agree to send the offer by Friday.\nMark: Agreed, I will check the budget tomorrow.\n")
    out_dir = tmp_path / "out"
    env = {**os.environ}
    out = _cli("draft", "-", "--date", "2026-11-20", "--title", "Offer call", "-o", str(out_dir),
               env=env, input=text)
    assert "Meeting 2026-11-20-offer-call — draft v1" in out
    assert sorted(p.suffix for p in out_dir.iterdir()) == [".docx", ".html", ".md"]
    first = sorted(p.read_bytes() for p in out_dir.iterdir())
    # the same call again is a new meeting with its own id: nothing in -o DIR is replaced
    again = _cli("draft", "-", "--date", "2026-11-20", "--title", "Offer call", "-o", str(out_dir),
                 env=env, input=text)
    assert "Meeting 2026-11-20-offer-call-2" in again
    assert len(list(out_dir.iterdir())) == 6
    assert sorted(p.read_bytes() for p in out_dir.glob("2026-11-20-offer-call-v1.*")) == first
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("mine")
    refused = _cli("draft", "-", "-o", str(not_a_dir), env=env, input=text, ok=False)
    assert "not a folder" in refused and not_a_dir.read_text() == "mine"
    bad = _cli("draft", str(tmp_path / "missing.txt"), env=env, ok=False)
    assert "missing.txt" in bad and "no such file" in bad
