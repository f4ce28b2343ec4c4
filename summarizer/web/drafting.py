"""The background job that turns an upload (or pasted text) into a stored draft.

It only adapts ``summarizer.pipeline.run_draft`` to the job runner: progress goes to the job file,
the result is the meeting id. Everything else (transcription cache, roster, extraction, store, draft
files) is the pipeline's own. The job's id is the store's ``request_key``: a job run again after the
server was killed finds the meeting it already saved, or takes over the folder it had reserved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.web.jobs import Job, JobFunc, Reporter

log = logging.getLogger(__name__)

STAGES = {
    "transcribe": "Transcribing the recording",
    "diarize": "Telling the speakers apart",
    "read": "Reading the transcript",
    "extract": "Extracting the protocol",
    "store": "Saving the meeting",
    "render": "Rendering the draft",
}


def run_draft_job(settings: Settings) -> JobFunc:
    def run(job: Job, report: Reporter) -> str:
        from summarizer.ingest.roster import load_roster
        from summarizer.pipeline import run_draft
        from summarizer.store.database import Store

        p = job.params
        source = Path(p["source"]) if p.get("source") else None
        with Store(settings) as store:
            done = store.find_by_request_key(job.id)
        if done is not None:  # saved by an earlier run that was killed before it could say so
            report.meeting(done.id)
            _drop_upload_copy(source, p, done.folder)
            report.stage("done", "The draft was saved before the server restarted", 1.0)
            return done.id
        place, platform = place_or_platform(p.get("place") or None)
        roster_lines = [line for line in (p.get("roster") or "").splitlines() if line.strip()]
        if p.get("platform"):  # the form's own platform field (the place field may still name one)
            platform = canonical_platform_name(p["platform"])

        def progress(stage: str, fraction: float | None) -> None:
            if stage == job.stage and fraction is not None:
                report.progress(fraction)
            else:
                report.stage(stage, STAGES.get(stage, stage), fraction)

        try:
            result = run_draft(
                source,
                settings,
                text=Path(p["text_path"]).read_text(encoding="utf-8") if p.get("text_path") else None,
                meeting_date=dt.date.fromisoformat(p["meeting_date"]) if p.get("meeting_date") else None,
                title=p.get("title") or None,
                client=p.get("client") or None,
                language=p.get("language") or None,
                level=p.get("level") or None,
                roster=load_roster(roster_lines) if roster_lines else None,
                num_speakers=int(p["num_speakers"]) if p.get("num_speakers") else None,
                start_time=dt.time.fromisoformat(p["meeting_time"]) if p.get("meeting_time") else None,
                progress=progress,
                actor=p.get("actor") or None,
                place=place,
                platform=platform,
                request_key=job.id,
            )
        except SummarizerError as exc:
            if source is not None and p.get("filename"):
                # the person knows the file by the name they uploaded, not by its path on the server
                exc.message = exc.message.replace(str(source), str(p["filename"]))
                exc.args = (exc.message,)
            raise
        report.meeting(result.meeting.id)
        for note in result.notes:
            report.note(note)
        _drop_upload_copy(source, p, result.meeting.folder)
        report.stage("done", f"Draft v{result.version.number} is ready", 1.0)
        return result.meeting.id

    return run


def _drop_upload_copy(source: Path | None, params: dict[str, Any], meeting_folder: Path) -> None:
    """Once the meeting holds its own copy of the input, the upload is a duplicate; a recording too
    large to copy stays, because the meeting refers to it where it is."""
    upload = source or (Path(params["text_path"]) if params.get("text_path") else None)
    if upload is None:
        return
    if source is not None and not any(meeting_folder.joinpath("source").glob(source.name)):
        return
    upload.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        upload.parent.rmdir()


def place_or_platform(value: str | None) -> tuple[str | None, str | None]:
    """The form's one "Place or call platform" field: a known platform ("zoom", "Teams") is the
    platform, anything else the place. Either overrides what the transcript suggests."""
    from summarizer.extract.header import PLATFORMS, canonical_platform

    if not value or not value.strip():
        return None, None
    name = canonical_platform(value)
    return (None, name) if name in PLATFORMS else (value.strip(), None)


def canonical_platform_name(value: str) -> str:
    from summarizer.extract.header import canonical_platform

    return canonical_platform(value)
