"""README's "A week with summarizer" runs as written, command by command.

The bash block is read from README.md itself, so a command that changes without the README (or the
other way round) fails here. What a person would do between the commands is done by the test: a
transcript stands in for ``call.m4a``, a scripted ``$EDITOR`` fills what the draft left empty, the client
edits ``changes.toml`` into the example of the README's "The client's changes" section and replies with
``reply.eml``, and a real SMTP server on 127.0.0.1 receives the e-mails.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

from meeting_factory import SmtpSink

from summarizer.config import load_settings
from summarizer.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
README = ROOT / "README.md"
MEETING = "2026-11-25-alfa-logistik"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def week_commands() -> list[list[str]]:
    """The commands of the week's bash block, continuation lines joined, comments dropped."""
    block = re.search(r"```bash\n(.*?)```", _section("A week with summarizer"), re.S)
    assert block, "README: no bash block under 'A week with summarizer'"
    commands: list[list[str]] = []
    pending = ""
    for line in block.group(1).splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        words = shlex.split(pending + line, comments=True)
        pending = ""
        if words:
            commands.append(words)
    return commands


def readme_changes_example() -> str:
    block = re.search(r"```toml\n(.*?)```", _section("A week with summarizer"), re.S)
    assert block, "README: no toml example of the client's changes"
    return block.group(1)


EDITOR = """\
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
# the manager fills what the draft left empty
text = text.replace('responsible = ""', 'responsible = "Ольга Смирнова"')
text = text.replace('owner = ""', 'owner = "Андрей Козлов"')
text = text.replace('due_date = ""', 'due_date = 2026-12-01')
open(path, "w", encoding="utf-8").write(text)
"""

REPLY = """\
From: =?utf-8?b?0J7Qu9GM0LPQsCDQodC80LjRgNC90L7QstCw?= <olga@alfa.ru>
To: manager@sever.example
Subject: Re: protocol
Date: Fri, 27 Nov 2026 10:00:00 +0300
Content-Type: text/plain; charset=utf-8

Протокол согласован. Ольга
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(words: list[str], env: dict[str, str], cwd: Path) -> None:
    """``summarizer serve`` runs until stopped: check that it answers, then stop it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", *words[1:]], cwd=cwd,
                            env={**env, "SUMMARIZER_WEB_PORT": str(port)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out, err = proc.communicate(timeout=10)
                    raise AssertionError(f"`summarizer serve` did not answer: {err or out}") from None
                time.sleep(0.3)
        assert MEETING in page
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_the_readme_week_runs_as_written(tmp_path: Path) -> None:
    commands = week_commands()
    assert [w[:2] for w in commands][:3] == [["summarizer", "draft"], ["summarizer", "review"],
                                             ["summarizer", "send"]]
    shutil.copyfile(SAMPLES / "transcripts" / "negotiation_ru.txt", tmp_path / "call.txt")
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR, encoding="utf-8")
    with SmtpSink() as sink:
        env = {**os.environ, "VISUAL": "", "EDITOR": f"{sys.executable} {editor}",
               "SUMMARIZER_SMTP_HOST": "127.0.0.1", "SUMMARIZER_SMTP_PORT": str(sink.port)}
        for words in commands:
            assert words[0] == "summarizer", words
            words = ["call.txt" if w == "call.m4a" else w for w in words]
            if words[1] == "serve":
                _serve(words, env, tmp_path)
                continue
            if words[1] == "approve":  # the client's reply arrived
                (tmp_path / "reply.eml").write_text(REPLY, encoding="utf-8")
            if words[1:3] == ["review", MEETING] and "--from-client" in words:
                # the client sends back the exported file, edited as in the README's example
                exported = tomllib.loads((tmp_path / "changes.toml").read_text(encoding="utf-8"))
                assert {a["id"] for a in exported["agreements"]} >= {"a2", "a3"}
                (tmp_path / "changes.toml").write_text(readme_changes_example(), encoding="utf-8")
            run = subprocess.run([sys.executable, "-m", "summarizer", *words[1:]], cwd=tmp_path, env=env,
                                 capture_output=True, text=True, timeout=300)
            shown = shlex.join(words)
            assert run.returncode == 0, f"{shown}\n{run.stdout}\n{run.stderr}"
            assert "Traceback" not in run.stderr, f"{shown}\n{run.stderr}"
        # the final reached the approver (she was sent the review; no participant address on record)
        final_to = sink.messages[-1]["to"]
        assert "olga@alfa.ru" in final_to, final_to  # type: ignore[operator]
        assert len(sink.messages) == 3  # review, review of the client's version, final

    store = Store(load_settings())
    meeting = store.get_meeting(MEETING)
    assert meeting.status == "final_sent"
    latest = store.get_version(MEETING).protocol
    by_id = {a.id: a for a in latest.agreements}
    assert "a3" not in by_id and by_id["a2"].responsible == "Дмитрий Орлов"
    assert latest.closing == "Спасибо за встречу." and latest.header.place == "Офис на Тверской"
    assert any(s.action.startswith("Дмитрий Орлов пришлёт график") for s in latest.next_steps)
    assert len(latest.participants) >= 3 and latest.issues  # the rest of the protocol survived
    assert (tmp_path / "redline.html").stat().st_size > 0
    assert (tmp_path / "protocol.docx").read_bytes()[:2] == b"PK"
    # the history records every step, and the final's recipients are in it
    notes = " ".join(e.note or "" for e in store.events(MEETING))
    assert "olga@alfa.ru" in notes and "final v" in notes
