"""Background jobs for the web app: transcription and extraction off the request thread.

Each job's state is a small JSON file under ``data_dir/web/jobs/`` written atomically at every step,
so a closed browser tab loses nothing (the page polls the file) and a restarted server picks up jobs
that were queued or running when it stopped. A resumed job does not start over: the draft job is keyed
by its id (``request_key`` in the store), so a job killed after its meeting was saved just links to it,
and one killed before reuses the folder it had reserved — never a second meeting. One worker thread
runs jobs one after another: Whisper already uses every core, and two at once would only make both
slower.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import NotFoundError, SummarizerError
from summarizer.progress import estimate_remaining
from summarizer.store.files import now_iso, write_atomic

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
# Tests only: "render=30" makes a job sleep 30 s once it reports the stage "render", so a fault test
# can SIGKILL the server at exactly that stage. Unset, it costs one dictionary lookup per stage.
PAUSE_AT_STAGE_ENV = "SUMMARIZER_TEST_PAUSE_AT_STAGE"


@dataclass
class Job:
    id: str
    kind: str
    params: dict[str, Any]
    status: str = "queued"  # queued | running | done | failed
    stage: str = "queued"  # what runs now, for people ("transcribing", "extracting", ...)
    progress: float | None = None  # 0..1 when known
    eta_seconds: int | None = None  # the stage's time left at its pace so far, when it can be told
    message: str | None = None
    error: str | None = None
    hint: str | None = None
    meeting_id: str | None = None
    attempts: int = 0
    created_at: str = ""
    updated_at: str = ""
    log: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the run found out (speakers, assumed date)

    def public(self) -> dict[str, Any]:
        """What the status endpoint shows (no file paths)."""
        data = asdict(self)
        data.pop("params")
        return data


class Reporter:
    """Handed to a job: lets it say what it is doing; every report is saved."""

    def __init__(self, runner: JobRunner, job: Job) -> None:
        self._runner = runner
        self.job = job
        self._stage_started = time.monotonic()

    def stage(self, stage: str, message: str | None = None, progress: float | None = None) -> None:
        self.job.stage = stage
        self.job.progress = progress
        self.job.eta_seconds = None
        self._stage_started = time.monotonic()
        if message:
            self.job.message = message
            self.job.log.append(f"{now_iso()} {message}")
        self._runner.save(self.job)
        pause = os.environ.get(PAUSE_AT_STAGE_ENV, "")
        if pause.partition("=")[0] == stage:
            time.sleep(float(pause.partition("=")[2] or 30))

    def progress(self, fraction: float) -> None:
        self.job.progress = max(0.0, min(1.0, fraction))
        left = estimate_remaining(self.job.progress, time.monotonic() - self._stage_started)
        self.job.eta_seconds = None if left is None else int(left)
        self._runner.save(self.job, throttle=True)

    def note(self, text: str) -> None:
        self.job.notes.append(text)
        self.job.log.append(f"{now_iso()} {text}")
        self._runner.save(self.job)

    def meeting(self, meeting_id: str) -> None:
        """Record the meeting as soon as it exists, so even a failed job links to what was saved."""
        self.job.meeting_id = meeting_id
        self._runner.save(self.job)


JobFunc = Callable[[Job, Reporter], str | None]  # returns the meeting id


class JobRunner:
    def __init__(self, settings: Settings, handlers: dict[str, JobFunc]) -> None:
        self.dir = settings.data_dir / "web" / "jobs"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.handlers = handlers
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._last_save: dict[str, float] = {}

    # -- persistence -------------------------------------------------------------------------------
    def _path(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise NotFoundError(f"no job {job_id!r}")
        return self.dir / f"{job_id}.json"

    def save(self, job: Job, *, throttle: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if throttle and now - self._last_save.get(job.id, 0.0) < 0.5:
                return
            self._last_save[job.id] = now
            job.updated_at = now_iso()
            write_atomic(self._path(job.id), json.dumps(asdict(job), ensure_ascii=False, indent=1))

    def get(self, job_id: str) -> Job:
        path = self._path(job_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotFoundError(f"no job {job_id!r}") from None
        return Job(**data)

    def list(self) -> list[Job]:
        jobs = []
        for path in sorted(self.dir.glob("*.json")):
            try:
                jobs.append(Job(**json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                log.warning("skipping unreadable job file %s", path)
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    # -- running -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker and resume jobs a previous server left queued or running."""
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-job")
        for job in reversed(self.list()):
            if job.status in ACTIVE:
                job.status = "queued"
                job.stage = "queued"
                job.log.append(f"{now_iso()} resumed after a server restart")
                self.save(job)
                self._pool.submit(self._run, job.id)

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def submit(self, kind: str, params: dict[str, Any], *, job_id: str | None = None) -> Job:
        job = Job(id=job_id or secrets.token_hex(8), kind=kind, params=params, created_at=now_iso())
        self.save(job)
        if self._pool is None:
            raise RuntimeError("job runner is not started")
        self._pool.submit(self._run, job.id)
        return job

    def retry(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.status in ACTIVE:
            return job
        job.status, job.stage, job.error, job.hint, job.progress = "queued", "queued", None, None, None
        job.log.append(f"{now_iso()} retried")
        self.save(job)
        assert self._pool is not None
        self._pool.submit(self._run, job.id)
        return job

    def _run(self, job_id: str) -> None:
        job = self.get(job_id)
        if job.status not in ACTIVE:
            return
        job.status = "running"
        job.attempts += 1
        self.save(job)
        reporter = Reporter(self, job)
        try:
            meeting_id = self.handlers[job.kind](job, reporter)
        except SummarizerError as exc:
            log.info("job %s failed: %s", job.id, exc.message)
            job.status, job.error, job.hint = "failed", exc.message, exc.hint
        except Exception as exc:  # a bug must still end the job visibly, not leave it "running"
            log.error("job %s crashed:\n%s", job.id, traceback.format_exc())
            job.status, job.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
            job.hint = "this is a bug in summarizer; the server log has the details"
        else:
            job.status, job.stage, job.progress = "done", "done", 1.0
            job.meeting_id = meeting_id or job.meeting_id
        self.save(job)
