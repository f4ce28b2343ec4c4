"""Issue 9.8: a web job killed at the render stage resumes on restart and leaves one meeting, not two.

A real `summarizer serve` takes a pasted transcript; the job pauses once it reaches the render stage
(``SUMMARIZER_TEST_PAUSE_AT_STAGE=render=60``, a test-only hook in summarizer/web/jobs.py), the server
is killed with SIGKILL there, and a server started again (without the hook) finishes the job. Before,
the restarted job ran from scratch and left ``X`` and ``X-2``. The same for a kill just after the
meeting was saved (stage "done" reported, the job not yet marked done).
"""

from __future__ import annotations

import http.cookies
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from faults.store_support import SAMPLE
from summarizer.config import load_settings
from summarizer.store.database import Store


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, log: Path, **env: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "serve", "--port", str(port)],
        env={**os.environ, "SUMMARIZER_USER": "Reviewer", **env},
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.2)


def _submit(base: str, text: str) -> str:
    """Paste a transcript into /new as a browser does; return the job id."""
    with urllib.request.urlopen(base + "/new", timeout=10) as r:
        page = r.read().decode()
        jar = http.cookies.SimpleCookie()
        for header in r.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page[:2000]
    fields = {"csrf_token": token.group(1), "transcript": text, "meeting_date": "2026-03-02",
              "title": "Contract talk", "client": "Contoso", "level": "detailed"}
    boundary = secrets.token_hex(12)
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename=""\r\n'
         f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(base + "/new", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items()),
        "Origin": base, "Sec-Fetch-Site": "same-origin", "Referer": base + "/new",
        "X-CSRF-Token": token.group(1),
    })

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 303, exc.read().decode(errors="replace")[:2000]
        location = exc.headers["Location"]
    else:
        raise AssertionError("the form was not answered with a redirect to the job")
    return location.rstrip("/").split("/")[-1]


@pytest.mark.parametrize("stage", ["render", "done"])  # before the meeting is committed, and just after
def test_job_killed_at_render_resumes_into_one_meeting(tmp_path: Path, stage: str) -> None:
    jobs_dir = load_settings().data_dir / "web" / "jobs"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _start(port, log, SUMMARIZER_TEST_PAUSE_AT_STAGE=f"{stage}=60")
    try:
        job_id = _submit(base, SAMPLE.read_text(encoding="utf-8"))
        job_file = jobs_dir / f"{job_id}.json"
        deadline = time.monotonic() + 120
        while not (job_file.exists() and json.loads(job_file.read_text())["stage"] == stage):
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.05)
    finally:
        os.kill(server.pid, signal.SIGKILL)  # the crash, mid-render
        server.wait()
    assert json.loads(job_file.read_text())["status"] == "running"

    server = _start(port, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            with urllib.request.urlopen(f"{base}/jobs/{job_id}/status", timeout=10) as r:
                state = json.loads(r.read())
            if state["status"] in {"done", "failed"}:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert state["status"] == "done", state
    with Store(load_settings()) as store:
        meetings = store.list_meetings()
        assert [m.id for m in meetings] == [state["meeting_id"]], [m.id for m in meetings]
        meeting = meetings[0]
        assert [v.number for v in store.list_versions(meeting.id)] == [1]
    folders = sorted(p.name for p in (load_settings().data_dir / "meetings").iterdir())
    assert folders == [meeting.id]  # no X-2, no half-made folder
    assert list((meeting.folder / "drafts" / "v001").glob("*.docx"))
    assert not (meeting.folder / ".creating").exists()
