"""The local model server's process faults, with real processes and real signals.

A stand-in binary (tests/fake_llama_server.py, same command line as llama-server) plays the server so
that these run without the 15-minute llama.cpp build: it dies on start, never gets ready, dies in the
middle of a request, or simply waits while we kill summarizer with SIGKILL, SIGTERM or SIGINT. The real
server is proven in tests/test_llm_real.py.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_llama_server import install

from summarizer.config import Settings
from summarizer.errors import LLMError
from summarizer.llm import local
from summarizer.llm.backend import resolve
from summarizer.llm.session import LLMSession
from summarizer.schema import WireProtocol

pytestmark = pytest.mark.local_server


def _tiny_gguf(folder: Path) -> Path:
    path = folder / "tiny.gguf"
    path.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 0))
    return path


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    pidfile = tmp_path / "server.pid"
    monkeypatch.setenv("FAKE_LLAMA_PIDFILE", str(pidfile))
    yield {"bin": install(tmp_path), "model": _tiny_gguf(tmp_path), "pidfile": pidfile}
    local.stop_all()


def _settings(tmp_path: Path, fake: dict[str, Path], **kw: object) -> Settings:
    return Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", llm_backend="local",
                    local_model=str(fake["model"]), local_server_bin=fake["bin"], llm_backoff=0.01,
                    **kw)  # type: ignore[arg-type]


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie no longer runs (nobody may reap it in a container)


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_a_server_that_dies_on_start_is_reported_with_its_log(
    tmp_path: Path, fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "die-on-start")
    with pytest.raises(LLMError) as info:
        resolve(_settings(tmp_path, fake))
    message = info.value.message
    assert ("the local model server (llama-server, model tiny) exited while starting (exit status 3)"
            in message)
    assert "data is not within the file bounds" in message  # the tail of its log
    logs = list((tmp_path / "cache" / "logs").glob("llama-server-*.log"))
    assert len(logs) == 1 and str(logs[0]) in message  # kept, and named


def test_a_server_that_never_gets_ready_is_stopped(
    tmp_path: Path, fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "never-ready")
    with pytest.raises(LLMError, match="did not become ready within 2 s") as info:
        resolve(_settings(tmp_path, fake, local_start_timeout=2.0))
    assert info.value.hint and "local_start_timeout" in info.value.hint
    assert _wait(lambda: _gone(int(fake["pidfile"].read_text())), 10)


def test_a_server_that_dies_mid_request_is_named_not_retried(
    tmp_path: Path, fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "die-on-request")
    settings = resolve(_settings(tmp_path, fake, llm_max_retries=3))
    assert settings.base_url and settings.base_url.startswith("http://127.0.0.1:")
    messages = [{"role": "user", "content": "[s0001 00:00:01] Anna: Let's launch on Friday."}]
    with pytest.raises(LLMError) as info:
        LLMSession(settings).complete_json(messages, WireProtocol)
    assert ("the local model server (llama-server, model tiny) has died (killed by signal 9)"
            in info.value.message)
    assert "GGML_ASSERT failed (fake)" in info.value.message
    assert len([h for h in info.value.history if "transport_try" in h]) == 1  # no retries on a dead server


def test_the_server_is_reused_and_restarted_when_dead(
    tmp_path: Path, fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_LLAMA_MODE", "ok")
    first = resolve(_settings(tmp_path, fake))
    again = resolve(_settings(tmp_path, fake))
    assert first.base_url == again.base_url  # one server per process
    pid = int(fake["pidfile"].read_text())
    os.kill(pid, signal.SIGKILL)
    assert _wait(lambda: _gone(pid), 5)
    third = resolve(_settings(tmp_path, fake))
    assert int(fake["pidfile"].read_text()) != pid and third.base_url != first.base_url
    local.stop_all()
    assert _wait(lambda: _gone(int(fake["pidfile"].read_text())), 10)


# --------------------------------------------------------------------------------------------------
# summarizer itself killed while the server works: never an orphan
# --------------------------------------------------------------------------------------------------
def _start_extract(tmp_path: Path, fake: dict[str, Path]) -> subprocess.Popen[str]:
    transcript = tmp_path / "call.txt"
    transcript.write_text("Anna: Let's launch on Friday.\nBoris: Agreed.\n", encoding="utf-8")
    env = {**os.environ, "FAKE_LLAMA_MODE": "ok", "SUMMARIZER_LLM_BACKEND": "local",
           "SUMMARIZER_LOCAL_MODEL": str(fake["model"]), "SUMMARIZER_LOCAL_SERVER_BIN": str(fake["bin"])}
    # as from a terminal: a test run started in the background (`pytest &` in a script) ignores SIGINT,
    # and a child inherits that, so Python would install no KeyboardInterrupt handler in it
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", "extract", str(transcript)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # wait until the server runs and our request is in flight (the stand-in logs each request line)
    assert _wait(lambda: fake["pidfile"].exists(), 60), "the server never started"
    time.sleep(1.5)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT], ids=["kill", "term", "int"])
def test_killing_summarizer_never_leaves_the_server_running(
    tmp_path: Path, fake: dict[str, Path], sig: signal.Signals
) -> None:
    proc = _start_extract(tmp_path, fake)
    server = int(fake["pidfile"].read_text())
    assert not _gone(server)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0, (out, err)
    assert _wait(lambda: _gone(server), 10), f"llama-server {server} outlived summarizer ({sig.name})"
    if sig == signal.SIGINT:
        assert proc.returncode == 130, (out, err)
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM, (out, err)  # a normal exit: atexit ran
    if sig != signal.SIGKILL:  # stopped by us: its log is removed
        assert not list((Path(os.environ["SUMMARIZER_HOME"]) / "cache" / "logs").glob("*.log"))
