"""Draft jobs as Procrastinate tasks: transcription → speakers → extraction → rendering.

Each stage is a task on a queue of its own (``transcription``, ``speakers``, ``extraction``,
``rendering``), so a GPU machine can run ``summarizer worker --queue transcription`` only. A stage
that finishes defers the next one. Every stage is idempotent, so running it again (a retry, or a
worker killed with SIGKILL whose job is picked up again) never repeats an effect:

- transcription and speaker labels are cached by the recording's content hash (``cache_dir``,
  shared by the workers);
- extraction creates the meeting under the id reserved when the job was accepted, in one store
  transaction with its version 1; a run that finds that meeting already there skips to rendering;
- rendering rewrites the draft files atomically.

Every task runs under the job's lock (Procrastinate runs one job per lock at a time), so two workers
never work on one draft at once. Errors in the input (a file that cannot be read) fail the job at once
with the message; anything else (database, LLM endpoint, disk) is retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import ConfigError, InputError, SummarizerError, ValidationFailed, WorkflowError
from summarizer.jobs import table
from summarizer.store.backend import is_postgres_url
from summarizer.store.database import Store

log = logging.getLogger(__name__)

QUEUES = {"transcribe": "transcription", "speakers": "speakers", "extract": "extraction",
          "render": "rendering"}
NEXT = {"transcribe": "speakers", "speakers": "extract", "extract": "render", "render": None}
STAGE_TEXT = {"transcribe": "Transcribing the recording", "speakers": "Telling the speakers apart",
              "extract": "Extracting the protocol", "render": "Rendering the draft"}
# job_max_attempts (default 5) and job_backoff (default 2: waits of 4, 8, 16, 32 s) come from the settings
# Problems with what a person gave: running again cannot help.
PERMANENT = (InputError, ValidationFailed, WorkflowError, ConfigError)


def task_name(step: str) -> str:
    return f"summarizer.{step}"


def make_app(settings: Settings) -> Any:
    """The Procrastinate app on the store's own PostgreSQL, with the four stage tasks registered."""
    import procrastinate

    if not is_postgres_url(settings.database_url):
        raise ConfigError("team jobs need the store on PostgreSQL",
                          hint='set database_url = "postgresql://USER@HOST/DB" (SUMMARIZER_DATABASE_URL)')
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=str(settings.database_url)))
    retry = procrastinate.RetryStrategy(max_attempts=settings.job_max_attempts,
                                        exponential_wait=settings.job_backoff)
    for step in QUEUES:
        app.task(name=task_name(step), queue=QUEUES[step], retry=retry, pass_context=True)(
            _task(settings, step))
    return app


def ensure_schema(app: Any, settings: Settings) -> None:
    """Procrastinate's tables and ours, created once even when several workers start together."""
    import psycopg

    from summarizer.store.postgres import MIGRATE_LOCK_KEY

    with Store(settings):
        pass  # opening applies the store's migrations (under the same lock) and names a bad URL plainly
    with psycopg.connect(str(settings.database_url), autocommit=True) as raw:
        raw.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK_KEY,))
        try:
            # under the lock too: two processes running CREATE TABLE IF NOT EXISTS at once collide in
            # PostgreSQL's catalogue (UniqueViolation on pg_type_typname_nsp_index, seen with a web
            # server and a worker starting together)
            raw.execute(table.CREATE)
            row = raw.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").fetchone()
            if not (row and row[0]):
                raw.execute(app.schema_manager.get_schema())
        finally:
            raw.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK_KEY,))


def first_step(params: dict[str, Any]) -> str:
    from summarizer.speech.transcribe import is_media_file

    source = params.get("source")
    return "transcribe" if source and is_media_file(Path(source)) else "extract"


def submit(app: Any, settings: Settings, params: dict[str, Any]) -> tuple[table.TeamJob, bool]:
    """Accept a draft job: record it, reserve its meeting id and queue its first stage.
    Returns (job, created); the same input with the same options returns the existing job."""
    from summarizer.store.files import sha256_bytes, sha256_file

    source = Path(params["source"]) if params.get("source") else None
    text_path = Path(params["text_path"]) if params.get("text_path") else None
    if source is None and text_path is None:
        raise InputError(None, "nothing to summarise: give a recording, a transcript file or text")
    for path in (source, text_path):
        if path is not None and not path.is_file():
            raise InputError(path, "no such file")
    content = sha256_file(source) if source else sha256_bytes(text_path.read_bytes())  # type: ignore[union-attr]
    key = table.job_key(params, content)
    day = params.get("meeting_date") or dt.date.today().isoformat()
    with Store(settings) as store:
        base = Store._make_id(dt.date.fromisoformat(day), params.get("client") or params.get("title"))
        new = table.TeamJob(id=key, kind="draft", params=params)
        job, created = table.insert(store, new, reserve_for=base)
    if created:
        defer(app, first_step(params), key)
    return job, created


def defer(app: Any, step: str, key: str) -> None:
    from procrastinate import exceptions

    try:
        app.tasks[task_name(step)].configure(lock=key, queueing_lock=f"{key}:{step}").defer(job_id=key)
    except exceptions.AlreadyEnqueued:  # a run of the previous step that was cut short queued it already
        log.info("job %s: %s already queued", key, step)


def _task(settings: Settings, step: str) -> Any:
    def run(context: Any, job_id: str) -> None:
        attempt = context.job.attempts + 1
        worker = f"{os.uname().nodename}:{os.getpid()}"
        with Store(settings) as store:
            job = table.get(store, job_id)
            table.update(store, job_id, status="running", stage=step, attempts=job.attempts + 1,
                         worker=worker, message=STAGE_TEXT[step], error=None, hint=None,
                         log_line=f"{STAGE_TEXT[step]} (attempt {attempt}, {worker})")
        try:
            notes = STEPS[step](settings, job)
        except PERMANENT as exc:
            _fail(settings, job_id, exc)
            return
        except Exception as exc:
            last = attempt >= settings.job_max_attempts
            if last:
                _fail(settings, job_id, exc)
            else:
                with Store(settings) as store:
                    table.update(store, job_id, status="queued",
                                 log_line=f"{step} failed ({_say(exc)}); retrying in "
                                 f"{settings.job_backoff ** (attempt + 1)} s")
            raise
        nxt = NEXT[step]
        with Store(settings) as store:
            for note in notes:
                table.update(store, job_id, note=note, log_line=note)
            if nxt:
                defer(context.app, nxt, job_id)
                table.update(store, job_id, status="queued", stage=nxt, progress=None)
            else:
                table.update(store, job_id, status="done", stage="done", progress=1.0,
                             message=f"Draft v1 of {job.meeting_id} is ready", log_line="done")

    run.__name__ = f"summarizer_{step}"
    return run


def _say(exc: BaseException) -> str:
    return exc.message if isinstance(exc, SummarizerError) else f"{type(exc).__name__}: {exc}"


def _fail(settings: Settings, job_id: str, exc: BaseException) -> None:
    with Store(settings) as store:
        table.update(store, job_id, status="failed", error=_say(exc),
                     hint=exc.hint if isinstance(exc, SummarizerError) else None,
                     log_line=f"failed: {_say(exc)}")


def _pause_for_tests(step: str, job: table.TeamJob) -> None:
    """``SUMMARIZER_TEST_JOB_PAUSE=extract:30``: sleep after the step's work on its first attempt (the
    fault tests SIGKILL a worker there)."""
    spec = os.environ.get("SUMMARIZER_TEST_JOB_PAUSE", "")
    earlier_runs = [line for line in job.log if f" {STAGE_TEXT[step]} (attempt " in line]
    if spec.partition(":")[0] == step and not earlier_runs:
        log.warning("paused %s %s (test hook)", step, job.id)  # the fault test waits for this line
        time.sleep(float(spec.partition(":")[2] or 30))


# -- the stages ------------------------------------------------------------------------------------
def _transcribe(settings: Settings, job: table.TeamJob) -> list[str]:
    from summarizer.pipeline import load_transcript

    p = job.params
    load_transcript(Path(p["source"]), settings, language=p.get("language") or None)  # fills the cache
    _pause_for_tests("transcribe", job)
    return []


def _speakers(settings: Settings, job: table.TeamJob) -> list[str]:
    from summarizer.pipeline import load_transcript
    from summarizer.speech.diarize_cache import label_speakers

    p = job.params
    source = Path(p["source"])
    transcript = load_transcript(source, settings, language=p.get("language") or None)  # cached
    label_speakers(transcript, source, settings,
                            num_speakers=int(p["num_speakers"]) if p.get("num_speakers") else None)
    _pause_for_tests("speakers", job)
    return []  # the message (if any) is recorded again by extraction, which reads the same cache


def _extract(settings: Settings, job: table.TeamJob) -> list[str]:
    from summarizer.extract.header import PLATFORMS, canonical_platform
    from summarizer.ingest.roster import load_roster
    from summarizer.pipeline import run_draft

    assert job.meeting_id
    with Store(settings) as store:
        exists = store.conn.execute("SELECT 1 FROM meetings WHERE id = ?", (job.meeting_id,)).fetchone()
    if exists:  # an earlier run stored it and was cut short afterwards
        log.info("job %s: meeting %s already stored", job.id, job.meeting_id)
        return []
    p = job.params
    place = platform = None
    if p.get("place"):
        name = canonical_platform(p["place"])
        place, platform = (None, name) if name in PLATFORMS else (p["place"].strip(), None)
    roster = [line for line in (p.get("roster") or "").splitlines() if line.strip()]
    result = run_draft(
        Path(p["source"]) if p.get("source") else None, settings,
        text=Path(p["text_path"]).read_text(encoding="utf-8") if p.get("text_path") else None,
        meeting_date=dt.date.fromisoformat(p["meeting_date"]) if p.get("meeting_date") else None,
        title=p.get("title") or None, client=p.get("client") or None, language=p.get("language") or None,
        level=p.get("level") or None, roster=load_roster(roster) if roster else None,
        num_speakers=int(p["num_speakers"]) if p.get("num_speakers") else None,
        actor=p.get("actor") or None, place=place, platform=platform,
        meeting_id=job.meeting_id, request_key=job.id, render_now=False,
    )
    _pause_for_tests("extract", job)
    return result.notes


def _render(settings: Settings, job: table.TeamJob) -> list[str]:
    from summarizer.pipeline import render_files

    assert job.meeting_id
    with Store(settings) as store:
        meeting = store.get_meeting(job.meeting_id)
        render_files(store, meeting, store.get_version(meeting.id, 1), status="draft")
    _pause_for_tests("render", job)
    return []


STEPS = {"transcribe": _transcribe, "speakers": _speakers, "extract": _extract, "render": _render}
