"""Browser tests: a real `summarizer serve` subprocess driven by Debian's Chromium through Playwright.

Playwright's own browser download does not work offline, so the tests use /usr/bin/chromium
(`apt-get install chromium`) and skip with a clear reason when it or the playwright package is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("SUMMARIZER_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"
MODELS_CACHE = Path(os.environ.get("SUMMARIZER_TEST_MODELS_DIR", ROOT / ".pytest_cache" / "models"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """`summarizer serve` on a free 127.0.0.1 port with its own SUMMARIZER_HOME; yields the base URL.

    The Whisper model is tiny.en unless the test parametrizes this fixture indirectly with another.
    """
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env.update(
        SUMMARIZER_HOME=str(home),
        SUMMARIZER_MODELS_DIR=str(MODELS_CACHE),
        # the English sample needs no multilingual model; tiny.en keeps the test short on 2 cores
        SUMMARIZER_WHISPER_MODEL=getattr(request, "param", None) or "tiny.en",
        SUMMARIZER_USER="Reviewer",
        HF_HUB_OFFLINE="1",
        # with the [local] extra installed, drafts would otherwise go to the local model (minutes each);
        # these tests check the page on the offline rules' protocol
        SUMMARIZER_LOCAL_AUTOSTART="0",
    )
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(
                "summarizer serve did not start:\n" + (tmp_path / "server.log").read_text(errors="replace")
            )
        time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        output = (tmp_path / "server.log").read_text(errors="replace")
        if "Traceback" in output:
            print(output)  # shown by pytest when the test fails


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: apt-get install -y chromium (Playwright's own download "
            "does not work offline)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
