"""Real `summarizer worker` processes for the team tests, with their output read line by line."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SUMMARIZER = Path(sys.executable).parent / "summarizer"


class WorkerProc:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.proc = subprocess.Popen([str(SUMMARIZER), "worker", "--heartbeat", "1", "--stalled-after", "4",
                                      *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 90) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"worker never said {text!r}; output:\n" + "\n".join(self.seen))

    def saw(self, text: str) -> bool:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return any(text in line for line in self.seen)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def team_env(pg_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "SUMMARIZER_DATABASE_URL": pg_url, **extra}


def submit(env: dict[str, str], path: Path, *args: str) -> dict[str, Any]:
    run = subprocess.run([str(SUMMARIZER), "submit", str(path), *args], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def wait_job(env: dict[str, str], job_id: str, status: str = "done", timeout: float = 120) -> Any:
    from summarizer.config import load_settings
    from summarizer.jobs import table
    from summarizer.store.database import Store

    settings = load_settings(overrides={"database_url": env["SUMMARIZER_DATABASE_URL"]})
    deadline = time.monotonic() + timeout
    while True:
        with Store(settings) as store:
            job = table.get(store, job_id)
        if job.status == status or (job.status == "failed" and status != "failed"):
            return job
        assert time.monotonic() < deadline, f"job stayed {job.status} ({job.stage}): {job.log}"
        time.sleep(0.3)
