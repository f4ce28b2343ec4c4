"""Issue 9 item 9 (web part): ``upload-*.part`` files left by a server killed mid-upload were never
removed. A server now removes them at start — only those no live request is writing (its writer holds
a lock on the file) — and a broken or refused upload leaves nothing behind."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from summarizer.config import load_settings

from .web_fault_support import Session, start_server

LINE = b"Anna Petrova: We agree to ship the order on Friday, and Mark sends the contract.\n"
TOTAL_LINES = 40_000  # ~3 MB: far more than the first chunk, so the upload is clearly unfinished


def _uploads() -> Path:
    return load_settings().data_dir / "web" / "uploads"


def _wait_for(what: Callable[[], object], timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


class SlowUpload:
    """A browser's multipart POST to /new over a raw socket, sent only as far as the test says."""

    def __init__(self, server_base: str, session: Session) -> None:
        host, port = server_base.removeprefix("http://").rsplit(":", 1)
        boundary = "----summarizer-test-boundary"
        self.head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                     f"{session.token}\r\n"
                     f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="call.txt"\r\n'
                     "Content-Type: text/plain\r\n\r\n").encode()
        self.tail = f"\r\n--{boundary}--\r\n".encode()
        self.body = LINE * TOTAL_LINES
        length = len(self.head) + len(self.body) + len(self.tail)
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        self.sock.sendall(
            (f"POST /new HTTP/1.1\r\nHost: {host}:{port}\r\n"
             f"Cookie: summarizer_csrf={session.cookie}\r\n"
             f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
             f"Content-Length: {length}\r\nX-Requested-With: XMLHttpRequest\r\nAccept: application/json\r\n"
             "Origin: " + server_base + "\r\nSec-Fetch-Site: same-origin\r\n\r\n").encode()
            + self.head + self.body[:256 * 1024])
        self.sent = 256 * 1024

    def finish(self) -> str:
        self.sock.sendall(self.body[self.sent:] + self.tail)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += self.sock.recv(65536)
        self.sock.close()
        return answer.decode("latin-1").split("\r\n", 1)[0]


def _parts() -> list[Path]:
    return sorted(_uploads().rglob("upload-*.part"))


def test_parts_left_by_a_killed_server_are_removed_at_the_next_start(tmp_path: Path) -> None:
    first = start_server(tmp_path, name="first")
    try:
        upload = SlowUpload(first.base, Session(first.base))
        parts = _wait_for(_parts)
        first.kill()  # SIGKILL mid-upload: no clean-up code of the server runs
        upload.sock.close()
        assert _parts() == parts, "the killed server left its unfinished upload (the case being fixed)"
    finally:
        first.kill()
    second = start_server(tmp_path, name="second")
    try:
        assert _parts() == [], f"stale uploads survived the restart: {_parts()}"
        assert not [p for p in _uploads().iterdir()], "an empty upload folder was left"
        assert httpx.get(second.base + "/", timeout=30).status_code == 200
    finally:
        second.kill()


def test_a_part_still_being_written_by_a_live_server_is_kept(tmp_path: Path) -> None:
    live = start_server(tmp_path, name="live")
    other = None
    try:
        upload = SlowUpload(live.base, Session(live.base))
        parts = _wait_for(_parts)
        other = start_server(tmp_path, name="other")  # same data folder: its start-up clean-up runs
        assert _parts() == parts, "a live upload of another server process was deleted"
        assert upload.finish() == "HTTP/1.1 202 Accepted"
        assert _parts() == []
    finally:
        live.kill()
        if other is not None:
            other.kill()


def test_a_broken_upload_leaves_nothing_behind(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        upload = SlowUpload(server.base, Session(server.base))
        _wait_for(_parts)
        upload.sock.close()  # the browser went away mid-file
        _wait_for(lambda: not _parts() and not any(_uploads().iterdir()))
        assert "Traceback" not in server.output()
    finally:
        server.kill()
