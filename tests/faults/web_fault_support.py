"""Helpers for the web fault tests: the real `summarizer serve` in a subprocess on a free 127.0.0.1 port,
a second real HTTP server playing the attacker's site, a legitimate browser session over plain HTTP,
and headless Chromium (the settings of tests/browser/conftest.py)."""

from __future__ import annotations

import contextlib
import http.server
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPT = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
CHROMIUM = Path(os.environ.get("SUMMARIZER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def cli(*args: str | Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``summarizer ARGS`` with the test's SUMMARIZER_HOME (set by tests/conftest.py)."""
    return subprocess.run([sys.executable, "-m", "summarizer", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=dict(os.environ))


def draft_meeting() -> str:
    run = cli("draft", TRANSCRIPT, "--date", "2026-11-25", "--client", "Contoso")
    assert run.returncode == 0, run.stderr
    found = re.search(r"\b(\d{4}-\d{2}-\d{2}-[\w-]+)", run.stdout)
    assert found, run.stdout
    return found.group(1)


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path
    host: str = "127.0.0.1"
    port: int = 0
    extra: list[str] = field(default_factory=list)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up code of the server runs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)


def start_server(tmp_path: Path, *args: str, host: str = "127.0.0.1", name: str = "server") -> Server:
    port = free_port(host)
    log = tmp_path / f"{name}-{port}.log"
    shown = f"[{host}]" if ":" in host else host
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "serve", "--host", host, "--port", str(port), *args],
        cwd=tmp_path, env=dict(os.environ), stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )
    server = Server(proc, f"http://{shown}:{port}", log, host, port)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(server.base + "/", timeout=1) as r:
                if r.status == 200:
                    return server
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"summarizer serve did not start:\n{server.output()}")
        time.sleep(0.2)


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str, host: str = "127.0.0.1") -> Iterator[Server]:
    server = start_server(tmp_path, *args, host=host)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            server.proc.terminate()
            try:
                server.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


class Session:
    """A person's browser session over plain HTTP: the cookie and the form token the server issued."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, timeout=60, follow_redirects=False)
        page = self.http.get("/new")
        assert page.status_code == 200, page.text
        found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
        assert found, "no CSRF token on the page"
        self.token = found.group(1)
        self.cookie = self.http.cookies.get("summarizer_csrf")

    def close(self) -> None:
        self.http.close()

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self.http.post(path, data={"csrf_token": self.token, **data}, **kwargs)


def sent_to_client(base: str, meeting_id: str) -> Session:
    """Carry a drafted meeting to "sent to client" through the web app, as its user would."""
    session = Session(base)
    r = session.post(f"/m/{meeting_id}/state", {"to_state": "internal_review"})
    assert r.status_code == 303, r.text
    r = session.post(f"/m/{meeting_id}/send", {"to": "mark@contoso.example", "confirm_warnings": "1"})
    assert r.status_code == 303, r.text
    return session


def approval_state(base: str, meeting_id: str) -> str:
    return httpx.get(f"{base}/m/{meeting_id}/approval", timeout=30).text


@contextlib.contextmanager
def other_site(pages: dict[str, bytes], *, record: list[str] | None = None) -> Iterator[str]:
    """A second real HTTP server on another localhost port (the attacker's site). ``record`` collects
    every path it is asked for (so a test can see whether a script phoned home)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if record is not None:
                record.append(self.path)
            body = pages.get(self.path.split("?")[0], b"ok")
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            self.do_GET()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
