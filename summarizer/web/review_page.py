"""The review page: the protocol as a form, evidence with audio playback, saving as a new version."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from summarizer.errors import NotFoundError, ValidationFailed, WorkflowError
from summarizer.schema import Protocol
from summarizer.store.database import MeetingRecord, Store, VersionRecord, VersionSource
from summarizer.transcript import Transcript, format_timestamp
from summarizer.web.forms import FormDict, form_from_request, form_to_protocol, protocol_to_form
from summarizer.web.i18n import tr
from summarizer.web.pages import open_store
from summarizer.web.security import FILE_HEADERS, check_csrf
from summarizer.web.templating import render
from summarizer.web.uploads import audio_container

log = logging.getLogger(__name__)

EDITABLE_STATES = {"draft", "internal_review", "sent_to_client", "changes_requested"}
CLIENT_STATES = {"sent_to_client", "changes_requested"}
CONTEXT_SEGMENTS = 6  # shown before and after the quoted one

BLANK = {
    "participant": {"name": "", "position": "", "organisation": "", "side": "client", "email": "",
                    "phone": "", "labels": ""},
    "issue": {"id": "", "title": "", "summary": "", "solutions": "", "status": "open"},
    "agreement": {"id": "", "text": "", "responsible": "", "due_date": "", "due_phrase": "",
                  "status": "agreed"},
    "next_step": {"id": "", "action": "", "owner": "", "due_date": "", "due_phrase": ""},
}


def _version_param(request: Request) -> int | None:
    raw = request.query_params.get("v")
    if raw is None:
        return None
    if not raw.isdigit():
        raise NotFoundError(f"no version {raw!r}")
    return int(raw)


def recording_path(meeting: MeetingRecord) -> Path | None:
    """The meeting's recording, if it was made from one and the file is still there."""
    from summarizer.speech.transcribe import is_media_file

    if not meeting.source_path:
        return None
    path = Path(meeting.source_path)
    if not path.is_absolute():
        path = meeting.folder / path
    return path if path.is_file() and is_media_file(path) else None


def load_transcript(meeting: MeetingRecord) -> Transcript | None:
    from summarizer.pipeline import load_meeting_transcript

    return load_meeting_transcript(meeting)


def _review_context(store: Store, meeting: MeetingRecord, version: VersionRecord, form: FormDict,
                    errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    protocol = version.protocol
    versions = store.list_versions(meeting.id)
    transcript = load_transcript(meeting)
    run_notes = transcript.meta.get("notes") if transcript is not None else None
    latest = versions[-1].number if versions else version.number
    return {
        "meeting": meeting,
        "version": version,
        "versions": versions,
        "latest_number": latest,
        "old_version": version.number != latest,
        "form": form,
        "errors": errors,
        "items": {item.id: item for item in protocol.items()},
        "protocol_flags": protocol.flags,
        # what the draft run found out (speaker count, ...), kept with the transcript by the pipeline
        "run_notes": [str(n) for n in run_notes] if isinstance(run_notes, list) else [],
        "has_audio": recording_path(meeting) is not None,
        "readonly": meeting.status not in EDITABLE_STATES or version.number != latest,
        "client_stage": meeting.status in CLIENT_STATES,
        "blank": BLANK,
        "tab": "review",
        "note": extra.pop("note", ""),
        "from_client": extra.pop("from_client", False),
        "notice": extra.pop("notice", None),
        **extra,
    }


async def review_page(request: Request) -> Response:
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        version = store.get_version(meeting.id, _version_param(request))
        saved = request.query_params.get("done") == "saved"
        notice = tr(request, "Saved as version v{n}.", n=version.number) if saved else None
        context = _review_context(store, meeting, version, protocol_to_form(version.protocol), {},
                                  notice=notice)
        return render(request, "review.html", context)


def edited_protocol(form: FormDict, base: Protocol) -> tuple[Protocol, dict[str, str]]:
    """Apply the form and carry evidence and flags over through the review module's own merge."""
    from summarizer.approval.review import merge_edit

    candidate, errors = form_to_protocol(form, base)
    if errors:
        return candidate, errors
    return merge_edit(base, candidate), errors


async def review_save(request: Request) -> Response:
    from summarizer.approval.workflow import record_edit

    data = await request.form()
    check_csrf(request, data)
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    form = form_from_request(fields)
    note = fields.get("note", "").strip()
    from_client = bool(fields.get("from_client"))
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        latest = store.get_version(meeting.id)
        raw_base = fields.get("base_version", "")
        base_number = int(raw_base) if raw_base.isdigit() else latest.number
        base = store.get_version(meeting.id, base_number)
        protocol, errors = edited_protocol(form, base.protocol)
        if fields.get("save") != "1":
            # only the Save button sends save=1; a form submitted any other way (Enter in a field,
            # a script) saves nothing and shows the edits again
            errors["_form"] = "Nothing is saved until you press “Save as a new version”."
        if base_number != latest.number:
            errors["_form"] = tr(
                request, "This form was opened on v{a}, but v{b} has been saved since. Your edits are "
                "below; open the latest version to compare before saving.", a=base_number, b=latest.number)
        if not errors:
            try:
                client = from_client and meeting.status in CLIENT_STATES
                source: VersionSource = "client" if client else "edited"
                version, _ = record_edit(store, meeting.id, protocol, source=source,
                                         actor=request.app.state.actor, note=note or None,
                                         based_on=base_number)
            except ValidationFailed as exc:
                errors["_form"] = exc.message + "".join(f" {msg}" for _, msg in exc.errors)
            except WorkflowError as exc:
                errors["_form"] = exc.message
            else:
                return RedirectResponse(f"/m/{meeting.id}?done=saved", status_code=303)
        context = _review_context(store, meeting, base, form, errors, note=note, from_client=from_client)
        return render(request, "review.html", context, status_code=422)


async def audio(request: Request) -> Response:
    """The recording, with HTTP Range support (FileResponse) so the browser can seek."""
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
    path = recording_path(meeting)
    if path is None:
        raise NotFoundError(f"meeting {meeting.id} has no recording")
    # the type comes from the container's own bytes, never from the file's name: a WAV uploaded as
    # "minutes.html" must not become a page of this site that runs the <script> hidden in it
    container = audio_container(path)
    if container is None:
        raise NotFoundError(f"the recording of {meeting.id} is in a format the browser cannot play",
                            hint="download it from the meeting folder instead")
    media_type, suffix = container
    return FileResponse(path, media_type=media_type, headers={
        "cache-control": "private, max-age=3600",
        "content-disposition": f'inline; filename="recording{suffix}"',
        **FILE_HEADERS,
    })


async def transcript_context(request: Request) -> Response:
    """Segments around one segment id, as JSON (the page inserts them as text, never as HTML)."""
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
    transcript = load_transcript(meeting)
    if transcript is None:
        raise NotFoundError(f"meeting {meeting.id} has no transcript")
    wanted = request.query_params.get("segment", "")
    ids = [s.id for s in transcript.segments]
    if wanted not in ids:
        raise NotFoundError(f"no segment {wanted!r} in the transcript of {meeting.id}")
    at = ids.index(wanted)
    window = transcript.segments[max(0, at - CONTEXT_SEGMENTS): at + CONTEXT_SEGMENTS + 1]
    return JSONResponse({"segments": [
        {"id": s.id, "start": s.start, "ts": format_timestamp(s.start), "text": s.text,
         "speaker": transcript.speaker_name(s.speaker)}
        for s in window
    ]})

