"""Meeting list, new meeting (upload or paste) and the progress page of a draft being prepared."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from summarizer.errors import InputError, NotFoundError, SummarizerError
from summarizer.store.database import Store, slugify
from summarizer.web.i18n import (
    LANG_COOKIE,
    LANGUAGES,
    tr,
    translate_history,
    translate_input_error,
    ui_language,
)
from summarizer.web.jobs import JobRunner
from summarizer.web.security import FILE_HEADERS, check_csrf
from summarizer.web.templating import HERE, render
from summarizer.web.uploads import (
    audio_container,
    inspect_upload,
    media_suffixes,
    pasted_text,
    receive_multipart,
    upload_folder,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
TRANSCRIPT_SUFFIXES = {".txt", ".srt", ".vtt", ".json", ".md"}
NEW_FIELDS = ("title", "client", "meeting_date", "place", "language", "level", "num_speakers", "roster",
              "transcript", "meeting_time", "platform")
MAX_SPEAKERS = 20


@contextlib.contextmanager
def open_store(request: Request) -> Iterator[Store]:
    store = Store(request.app.state.settings)
    try:
        yield store
    finally:
        store.close()


async def in_thread_with_store(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a slow library call (rendering, SMTP) off the event loop, with a store of its own:
    SQLite connections belong to the thread that opened them."""
    settings = request.app.state.settings

    def work() -> T:
        with Store(settings) as store:
            return fn(store, *args, **kwargs)

    return await run_in_threadpool(work)


def jobs_of(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.jobs
    return runner


async def meeting_list(request: Request) -> Response:
    rows = []
    with open_store(request) as store:
        for meeting in store.list_meetings():
            try:
                warnings = len(store.get_version(meeting.id).protocol.all_flags())
            except NotFoundError:
                warnings = 0
            rows.append({"meeting": meeting, "warnings": warnings})
    jobs = [j for j in jobs_of(request).list() if j.status != "done"][:20]
    return render(request, "list.html", {"meetings": rows, "jobs": jobs})


def _new_context(request: Request, form: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    from summarizer.extract.header import PLATFORMS

    limit_mb = request.app.state.settings.upload_limit_mb
    return {"form": form, "errors": errors, "limit_mb": limit_mb, "limit_bytes": limit_mb * 2**20,
            "platforms": list(PLATFORMS)}


async def new_meeting_form(request: Request) -> Response:
    form = {k: "" for k in NEW_FIELDS}
    form["level"] = request.app.state.settings.detail
    if request.query_params.get("from"):
        form.update(_details_of_job(request, request.query_params["from"]))
    return render(request, "new.html", _new_context(request, form, {}))


def _details_of_job(request: Request, job_id: str) -> dict[str, str]:
    """What the person typed for an earlier (failed) job, so starting again with another file keeps it."""
    params = jobs_of(request).get(job_id).params
    details = {k: str(params[k]) for k in NEW_FIELDS if params.get(k) not in (None, "")}
    text_path = params.get("text_path")
    if text_path and Path(text_path).is_file():
        details["transcript"] = Path(text_path).read_text(encoding="utf-8")
    return details


def _stored_name(original: str, kind: str, fallback: str, *, content: Path | None = None) -> str:
    """A safe file name that keeps the person's name recognisable and whose suffix says what the
    content is: a recording's suffix comes from its container ("minutes.html" holding a WAV is stored
    as minutes.wav), never from the name the browser sent."""
    path = Path(original)
    stem = slugify(path.stem, max_len=60) or fallback
    suffix = path.suffix.lower() if path.suffix.isascii() and path.suffix[1:].isalnum() else ""
    if kind == "transcript" and suffix not in TRANSCRIPT_SUFFIXES:
        suffix = ".txt"
    if kind == "media":
        container = audio_container(content) if content is not None else None
        if container is not None:
            suffix = container[1]
        elif suffix not in media_suffixes() or suffix in _PAGE_SUFFIXES:
            suffix = ".media"
    return stem + suffix


# names a browser would open as a document if the file were ever served by name
_PAGE_SUFFIXES = {".html", ".htm", ".xhtml", ".svg", ".xml", ".js", ".mjs", ".css", ".pdf"}



def _validate_new(fields: dict[str, str], errors: dict[str, str]) -> None:
    from summarizer.ingest.roster import load_roster

    if fields.get("meeting_date"):
        try:
            dt.date.fromisoformat(fields["meeting_date"])
        except ValueError:
            errors["meeting_date"] = "Use a date like 2026-03-31."
    if fields.get("meeting_time"):
        try:
            dt.time.fromisoformat(fields["meeting_time"])
        except ValueError:
            errors["meeting_time"] = "Use a time like 14:30."
    lines = [line for line in fields.get("roster", "").splitlines() if line.strip()]
    if lines:
        try:
            load_roster(lines)
        except SummarizerError as exc:
            errors["roster"] = exc.message
    speakers = fields.get("num_speakers", "")
    if speakers and not (speakers.isdigit() and 1 <= int(speakers) <= MAX_SPEAKERS):
        errors["num_speakers"] = "Give a whole number from 1 to 20, or leave it empty."
    if fields.get("language") not in {"", "ru", "en"}:
        errors["language"] = "Choose Russian, English or detection."
    if fields.get("level") not in {"", "brief", "detailed"}:
        errors["level"] = "Choose brief or detailed."


async def new_meeting_submit(request: Request) -> Response:
    """Receive the upload (streamed to disk), check it by content, start the draft job."""
    settings = request.app.state.settings
    job_id = secrets.token_hex(8)
    upload_dir = settings.data_dir / "web" / "uploads" / job_id
    wants_json = request.headers.get("x-requested-with") == "XMLHttpRequest"
    with upload_folder(upload_dir):  # a refused or broken upload leaves nothing behind
        received = await receive_multipart(request, upload_dir,
                                           limit_bytes=settings.upload_limit_mb * 2**20)
    fields = {k: received.fields.get(k, "").strip() for k in NEW_FIELDS}
    errors: dict[str, str] = {}
    upload = received.files.get("file")
    params: dict[str, Any] = {k: fields[k] for k in NEW_FIELDS if k != "transcript"}
    try:
        if upload is not None and fields["transcript"]:
            errors["transcript"] = "Upload a file or paste a transcript, not both."
        elif upload is not None:
            kind = await run_in_threadpool(inspect_upload, upload.path, display_name=upload.filename)
            target = upload.path.with_name(_stored_name(upload.filename, kind, "recording",
                                                        content=upload.path))
            upload.path.replace(target)
            params.update(source=str(target), kind=kind, filename=upload.filename)
        elif fields["transcript"]:
            fields["transcript"] = pasted_text(received, "transcript")
            text_path = upload_dir / "pasted.txt"
            text_path.write_text(fields["transcript"], encoding="utf-8")
            params.update(text_path=str(text_path), kind="pasted")
        else:
            errors["file"] = "Upload a recording or a transcript, or paste the transcript below."
    except InputError as exc:
        where = "file" if upload is not None else "transcript"
        errors[where] = translate_input_error(exc.path, exc.problem, exc.hint, ui_language(request),
                                              line=exc.line)
    _validate_new(fields, errors)
    if errors:
        for path in upload_dir.glob("*"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            upload_dir.rmdir()
        if wants_json:  # the page shows these as they are: in the person's language
            shown = {k: tr(request, v) for k, v in errors.items()}
            first = shown.get("file") or next(iter(shown.values()))
            return JSONResponse({"error": first, "errors": shown}, status_code=422)
        return render(request, "new.html", _new_context(request, fields, errors), status_code=422)
    label = fields["title"] or (upload.filename if upload else "Pasted transcript")
    params.update(label=label, actor=request.app.state.actor)
    job = jobs_of(request).submit("draft", params, job_id=job_id)
    url = f"/jobs/{job.id}"
    if wants_json:
        return JSONResponse({"job_url": url, "job_id": job.id}, status_code=202)
    return RedirectResponse(url, status_code=303)


async def job_page(request: Request) -> Response:
    job = jobs_of(request).get(request.path_params["job_id"])
    if job.status == "done" and job.meeting_id:
        return RedirectResponse(f"/m/{job.meeting_id}", status_code=303)
    return render(request, "job.html", {"job": job})


async def job_status(request: Request) -> Response:
    job = jobs_of(request).get(request.path_params["job_id"])
    state = job.public()
    state["message"] = translate_history(tr(request, job.message or "Waiting in the queue"),
                                         ui_language(request))
    return JSONResponse(state, headers={"cache-control": "no-store"})


async def choose_language(request: Request) -> Response:
    """Remember the interface language in a cookie and go back to the page the person was on."""
    code = request.path_params["code"]
    if code not in LANGUAGES:
        raise NotFoundError(f"no interface language {code!r}; choose en or ru")
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"  # only paths on this site: no open redirect
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


async def job_retry(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    job = jobs_of(request).retry(request.path_params["job_id"])
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
    return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml",
                        headers={"cache-control": "public, max-age=86400", **FILE_HEADERS})
