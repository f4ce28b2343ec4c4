"""Faults of the approval loop, with real processes: a real SMTP server in its own process (killed with
SIGKILL), the real CLI, real files. Each case once left a meeting stuck or sent mail it should not."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.store.database import Store

SUMMARIZER = [sys.executable, "-m", "summarizer"]
TESTS = Path(__file__).resolve().parent.parent
SERVER = """\
import pathlib, sys, time
from aiosmtpd.controller import Controller

class Keep:
    async def handle_DATA(self, server, session, envelope):
        out = pathlib.Path(sys.argv[2])
        n = len(list(out.glob("*.eml")))
        (out / f"{n:03d}.rcpt").write_text("\\n".join(envelope.rcpt_tos))
        (out / f"{n:03d}.eml").write_bytes(envelope.content)
        return "250 OK"

Controller(Keep(), hostname="127.0.0.1", port=int(sys.argv[1])).start()
print("ready", flush=True)
while True:
    time.sleep(1)
"""


class SmtpProcess:
    """An SMTP server (aiosmtpd) in a process of its own; every message lands in ``folder``."""

    def __init__(self, tmp: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.folder = tmp / f"smtp-{self.port}"
        self.folder.mkdir()
        script = tmp / "smtp_server.py"
        script.write_text(SERVER, encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.port), str(self.folder)],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def recipients(self) -> list[list[str]]:
        return [p.read_text().split("\n") for p in sorted(self.folder.glob("*.rcpt"))]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpProcess]:
    server = SmtpProcess(tmp_path)
    yield server
    server.kill()


def _env(port: int) -> dict[str, str]:
    return {**os.environ, "SUMMARIZER_SMTP_HOST": "127.0.0.1", "SUMMARIZER_SMTP_PORT": str(port)}


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SUMMARIZER, *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def _meeting(tmp_path: Path, env: dict[str, str]) -> str:
    """A real draft from the Russian sample transcript, reviewed so that nothing is left open."""
    transcript = TESTS.parent / "samples" / "transcripts" / "negotiation_ru.txt"
    run = _cli("draft", str(transcript), "--date", "2026-11-25", "--client", "Альфа-Логистик", env=env,
               cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    mid = "2026-11-25-alfa-logistik"
    exported = tmp_path / "v1.json"
    assert _cli("export", mid, "--format", "json", "-o", str(exported), env=env, cwd=tmp_path).returncode == 0
    data = json.loads(exported.read_text(encoding="utf-8"))
    for item in data["agreements"]:
        item["responsible"] = item["responsible"] or "Ольга Смирнова"
        item["due_date"] = item["due_date"] or "2026-12-01"
    for item in data["next_steps"]:
        item["owner"] = item["owner"] or "Андрей Козлов"
        item["due_date"] = item["due_date"] or "2026-12-01"
    data["participants"].append({"name": "Smith, John", "email": "john@contoso.test", "side": "client"})
    edited = tmp_path / "reviewed.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run = _cli("review", mid, "--file", str(edited), env=env, cwd=tmp_path)
    assert run.returncode == 0 and "Nothing flagged" in run.stdout, run.stdout + run.stderr
    return "2026-11-25-alfa-logistik"


def test_a_name_with_a_comma_gets_the_final_through_a_real_smtp_server(
        tmp_path: Path, smtp: SmtpProcess) -> None:
    env = _env(smtp.port)
    mid = _meeting(tmp_path, env)
    run = _cli("send", mid, "--to", '"Smith, John" <john@contoso.test>', env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    run = _cli("approve", mid, "--by", '"Smith, John" <john@contoso.test>', "--evidence", "Approved. John",
               env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "john@contoso.test" in run.stdout and "Smith, John" in run.stdout
    final = smtp.recipients()[-1]
    assert "john@contoso.test" in final and "a.kozlov@severny-put.ru" in final, final
    store = Store(load_settings())
    assert store.get_meeting(mid).status == "final_sent"
    # the participants without an address are named
    protocol = store.get_version(mid).protocol
    missing = [p.name for p in protocol.participants if not p.email]
    assert all(name in run.stderr for name in missing), (missing, run.stderr)
    assert ("no e-mail address on record" in run.stderr) == bool(missing)


def test_smtp_killed_before_the_final_leaves_the_meeting_sendable(tmp_path: Path, smtp: SmtpProcess) -> None:
    env = _env(smtp.port)
    mid = _meeting(tmp_path, env)
    assert _cli("send", mid, "--to", "olga@alfa.test", env=env, cwd=tmp_path).returncode == 0
    smtp.kill()  # the mail server dies between the review and the client's approval
    run = _cli("approve", mid, "--by", "Ольга Смирнова <olga@alfa.test>", "--evidence", "Согласовано.",
               env=env, cwd=tmp_path)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert f"127.0.0.1:{smtp.port}" in run.stderr and "approval is recorded" in run.stderr
    store = Store(load_settings())
    assert store.get_meeting(mid).status == "approved" and store.approvals(mid)
    kept = sorted((store.meeting_dir(mid) / "outbox").glob("*-final-v*.eml"))
    assert kept, "the final .eml is kept in the outbox"
    # a new mail server: the final goes out to everyone, the approver included
    again = SmtpProcess(tmp_path)
    try:
        run = _cli("send", mid, "--final", env=_env(again.port), cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        final = again.recipients()[-1]
        assert {"john@contoso.test", "olga@alfa.test", "a.kozlov@severny-put.ru"} <= set(final), final
    finally:
        again.kill()
    assert store.get_meeting(mid).status == "final_sent"


@pytest.mark.parametrize("args", [
    ["send", "--to", "victim@alfa.test\nBcc: spy@evil.test"],
    ["send", "--to", "Victim\r\nBcc: spy@evil.test <victim@alfa.test>"],
])
def test_a_line_break_in_a_recipient_is_refused_and_nothing_is_sent(
        tmp_path: Path, smtp: SmtpProcess, args: list[str]) -> None:
    env = _env(smtp.port)
    mid = _meeting(tmp_path, env)
    run = _cli(args[0], mid, *args[1:], env=env, cwd=tmp_path)
    assert run.returncode == 2 and "line break" in run.stderr and "Traceback" not in run.stderr
    time.sleep(0.2)
    assert smtp.recipients() == []
    store = Store(load_settings())
    assert not (store.meeting_dir(mid) / "outbox").exists()
    assert store.get_meeting(mid).status == "internal_review"


def test_an_approver_with_a_line_break_is_refused_before_anything_is_recorded(
        tmp_path: Path, smtp: SmtpProcess) -> None:
    env = _env(smtp.port)
    mid = _meeting(tmp_path, env)
    assert _cli("send", mid, "--to", "olga@alfa.test", env=env, cwd=tmp_path).returncode == 0
    run = _cli("approve", mid, "--by", "Olga\nBcc: spy@evil.test", "--evidence", "ok", env=env, cwd=tmp_path)
    assert run.returncode == 2 and "line break" in run.stderr and "Traceback" not in run.stderr
    store = Store(load_settings())
    assert store.get_meeting(mid).status == "sent_to_client" and not store.approvals(mid)
    assert len(smtp.recipients()) == 1  # only the review
