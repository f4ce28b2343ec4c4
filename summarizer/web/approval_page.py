"""Approval, history, redline and downloads: the CLI's workflow steps behind buttons.

Every step calls the same functions as ``summarizer send/approve/status/diff/export``
(``summarizer.approval`` and ``summarizer.pipeline``).
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from summarizer.errors import InputError, NotFoundError, StoreError, ValidationFailed
from summarizer.store.database import MeetingRecord, Store
from summarizer.web.i18n import tr
from summarizer.web.pages import in_thread_with_store, open_store
from summarizer.web.security import FILE_HEADERS, check_csrf
from summarizer.web.templating import render
from summarizer.web.uploads import inspect_upload, receive_multipart, upload_folder

EXPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "eml": "message/rfc822",
    # the editing format (``export --format toml``): what a client marks their changes in
    "toml": "application/toml; charset=utf-8",
}
EVIDENCE_LIMIT = 20 * 2**20
_EML_HEADER = re.compile(r"(?m)^(From|Received|Return-Path|Subject|Date|MIME-Version|Delivered-To):")
NOTICES = {
    "review": "Internal review started.",
    "draft": "Moved back to draft.",
    "approved": "The approval is recorded and the final version is rendered.",
    "final": "The final version went out.",
}


def _client_addresses(meeting_protocol: Any) -> str:
    from summarizer.approval.mail import participant_recipients

    people = [p for p in meeting_protocol.participants if p.email]
    client = [p for p in people if p.side == "client"] or people
    # quoted by the e-mail library: a name with a comma ("Smith, John") stays one address
    return ", ".join(participant_recipients(meeting_protocol.model_copy(update={"participants": client}))[0])


def _outbox(meeting: MeetingRecord) -> list[Path]:
    folder = meeting.folder / "outbox"
    return sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []


def _approval_context(store: Store, meeting: MeetingRecord, **extra: Any) -> dict[str, Any]:
    from summarizer.approval.workflow import allowed_next

    versions = store.list_versions(meeting.id)
    latest = versions[-1] if versions else None
    return {
        "meeting": meeting,
        "tab": "approval",
        "versions": versions,
        "latest": latest,
        "events": list(reversed(store.events(meeting.id))),
        "approvals": store.approvals(meeting.id),
        "next_states": allowed_next(meeting.status),
        "outbox": _outbox(meeting),
        "to": extra.pop("to") if "to" in extra else (_client_addresses(latest.protocol) if latest else ""),
        "errors": extra.pop("errors", {}),
        "notice": extra.pop("notice", None),
        "smtp": bool(store.settings.smtp_host),
        # the client's review link is offered where the client can reach this server (public_url)
        "link_box": bool(store.settings.public_url),
        "confirm": extra.pop("confirm", None),
        **extra,
    }


async def approval_page(request: Request) -> Response:
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        done = request.query_params.get("done", "")
        notice = tr(request, NOTICES[done]) if done in NOTICES else None
        if done.startswith("sent:"):
            sent = done.endswith(":smtp")
            notice = tr(request, "The protocol was sent." if sent else "The protocol was written as an .eml.")
        confirm = None
        if request.query_params.get("confirm") == "final" and meeting.status == "approved":
            warnings = open_warnings(_version_to_send(store, meeting, True).protocol)
            confirm = {"final": True, "warnings": warnings} if warnings else None
        return render(request, "approval.html", _approval_context(store, meeting, notice=notice,
                                                                  confirm=confirm))


async def change_state(request: Request) -> Response:
    """Steps without e-mail: start internal review, back to draft."""
    from summarizer.approval.workflow import transition

    form = await request.form()
    check_csrf(request, form)
    target = str(form.get("to_state", ""))
    if target not in {"internal_review", "draft"}:
        raise InputError(None, f"{target!r} is not a step this button can take")
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        note = str(form.get("note", "")).strip() or None
        transition(store, meeting.id, target, actor=request.app.state.actor, note=note)
    done = "review" if target == "internal_review" else "draft"
    return RedirectResponse(f"/m/{meeting.id}/approval?done={done}", status_code=303)


def open_warnings(protocol: Any) -> list[dict[str, str]]:
    """The protocol's open flags as the confirm step lists them: what is wrong, and on which item.
    The same flags the library's send refuses (``confirm.open_warnings``), no more and no fewer."""
    from summarizer.approval.confirm import open_warnings as library_warnings
    from summarizer.schema import Agreement, Issue, NextStep

    names: dict[str, str] = {}
    for item in protocol.items():
        text = (item.title if isinstance(item, Issue) else item.text if isinstance(item, Agreement)
                else item.action if isinstance(item, NextStep) else "")
        names[item.id] = text if len(text) <= 90 else text[:89] + "…"
    return [{"code": f.code, "message": f.message, "item_id": f.item_id or "",
             "item": names.get(f.item_id or "", "")} for f in library_warnings(protocol)]


def _version_to_send(store: Store, meeting: MeetingRecord, final: bool) -> Any:
    approvals = store.approvals(meeting.id)
    number = approvals[-1].version if final and approvals else None
    return store.get_version(meeting.id, number)


def _split_addresses(raw: str) -> list[str]:
    # one address per line or separated by ; or , -- but a comma inside "quotes" belongs to a name
    parts = [part.strip() for part in re.split(r"[;\n]", raw) if part.strip()]
    return [p.strip() for part in parts for p in re.split(r',(?=(?:[^"]*"[^"]*")*[^"]*$)', part) if p.strip()]


async def send(request: Request) -> Response:
    """Send for approval (or the final version): SMTP when configured, always an .eml in the outbox."""
    from summarizer.approval.confirm import send_final, send_for_approval

    form = await request.form()
    check_csrf(request, form)
    to = _split_addresses(str(form.get("to", "")))
    final = form.get("final") == "1"
    review_link = not final and form.get("review_link") == "1"
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        actor = request.app.state.actor
        warnings = open_warnings(_version_to_send(store, meeting, final).protocol)
        if warnings and form.get("confirm_warnings") != "1":
            # nothing goes out with open warnings until the person has seen them and said so
            context = _approval_context(store, meeting, to=str(form.get("to", "")),
                                        confirm={"final": final, "warnings": warnings,
                                                 "review_link": review_link})
            return render(request, "approval.html", context)
        # the person confirmed the warnings listed above (or there were none): the library may send
        try:
            if final:
                delivery = await in_thread_with_store(request, send_final, meeting.id, extra=to, actor=actor,
                                                      force=True)
            else:
                delivery = await in_thread_with_store(request, send_for_approval, meeting.id, to, actor=actor,
                                                      force=True, review_link=review_link)
        except InputError as exc:
            context = _approval_context(store, meeting, to=str(form.get("to", "")),
                                        errors={"to": exc.message})
            return render(request, "approval.html", context, status_code=422)
    how = "smtp" if delivery.sent else "eml"
    return RedirectResponse(f"/m/{meeting.id}/approval?done=sent:{how}", status_code=303)


async def approve(request: Request) -> Response:
    """Record the client's written confirmation: pasted text or an uploaded .eml."""
    from summarizer.approval.confirm import approve as approve_meeting

    settings = request.app.state.settings
    folder = settings.data_dir / "web" / "uploads" / f"evidence-{secrets.token_hex(6)}"
    with upload_folder(folder):
        received = await receive_multipart(request, folder, limit_bytes=EVIDENCE_LIMIT)
    by = received.fields.get("by", "").strip()
    text = received.fields.get("evidence_text", "").strip()
    upload = received.files.get("evidence_file")
    send_now = received.fields.get("send_final") == "1"
    errors: dict[str, str] = {}
    evidence: str | Path | None = None
    try:
        if upload is not None:
            if inspect_upload(upload.path, display_name=upload.filename) != "transcript":
                raise InputError(upload.filename, "a confirmation must be an e-mail (.eml) or a text file")
            head = upload.path.read_bytes()[:4096].decode("utf-8", "replace")
            suffix = ".eml" if _EML_HEADER.match(head) else ".txt"
            evidence = upload.path.replace(upload.path.with_name("confirmation" + suffix))
        elif text:
            evidence = text
        else:
            errors["evidence"] = "Paste the client's confirmation or upload their e-mail (.eml)."
    except InputError as exc:
        errors["evidence"] = exc.message
    if not by:
        errors["by"] = "Say who approved, e.g. Olga Smirnova <olga@alfa.ru>."
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        if not errors and evidence is not None:
            # the final goes out here only when nothing is open; otherwise the approval is recorded
            # and the page asks before sending the final (the confirm step of "Send the final version")
            confirm_final = send_now and bool(open_warnings(store.get_version(meeting.id).protocol))
            try:
                await in_thread_with_store(request, approve_meeting, meeting.id, by=by, evidence=evidence,
                                           actor=request.app.state.actor,
                                           send=send_now and not confirm_final, force=True)
            except InputError as exc:
                errors["evidence"] = exc.message
            else:
                shutil.rmtree(folder, ignore_errors=True)  # approve() keeps its own copy in evidence/
                status = store.get_meeting(meeting.id).status
                done = "final" if send_now and status == "final_sent" else "approved"
                confirm = "&confirm=final" if confirm_final and status == "approved" else ""
                return RedirectResponse(f"/m/{meeting.id}/approval?done={done}{confirm}", status_code=303)
        shutil.rmtree(folder, ignore_errors=True)
        context = _approval_context(store, meeting, errors=errors, by=by, evidence_text=text)
        return render(request, "approval.html", context, status_code=422)


def _protocol_file(path: Path, filename: str) -> Path:
    """Name an uploaded protocol by its content (JSON or TOML) for ``review.import_protocol_file``."""
    if inspect_upload(path, display_name=filename) != "transcript":
        raise InputError(filename, "an edited protocol is a text file (.json or .toml)")
    head = path.read_bytes()[:2048].decode("utf-8", "replace").lstrip("\ufeff \r\n\t")
    return path.replace(path.with_name("client" + (".json" if head.startswith("{") else ".toml")))


async def client_changes(request: Request) -> Response:
    """The client's own edit of the protocol (a JSON export or the TOML editing format) as a new version."""
    from summarizer.approval.changes import import_changes
    from summarizer.approval.workflow import record_edit
    from summarizer.web.review_page import version_renderer

    settings = request.app.state.settings
    folder = settings.data_dir / "web" / "uploads" / f"client-{secrets.token_hex(6)}"
    with upload_folder(folder):
        received = await receive_multipart(request, folder, limit_bytes=EVIDENCE_LIMIT)
    upload = received.files.get("changes_file")
    errors: dict[str, str] = {}
    try:
        with open_store(request) as store:
            meeting = store.get_meeting(request.path_params["meeting_id"])
            if upload is None:
                errors["changes"] = "Choose the file the client sent back (.json or .toml)."
            else:
                try:
                    named = _protocol_file(upload.path, upload.filename)
                    protocol = import_changes(named, store.get_version(meeting.id).protocol)
                    version, _ = record_edit(store, meeting.id, protocol, source="client",
                                             actor=request.app.state.actor,
                                             note=f"client's changes from {upload.filename}",
                                             render=version_renderer(store, meeting.id))
                except ValidationFailed as exc:
                    lines = "; ".join(f"line {line}: {msg}" if line else msg for line, msg in exc.errors)
                    errors["changes"] = f"{upload.filename}: {exc.message.split(': ', 1)[-1]} ({lines})"
                except (InputError, StoreError) as exc:  # StoreError: a full disk; nothing was saved
                    errors["changes"] = exc.message + (f" ({exc.hint})" if exc.hint else "")
                else:
                    return RedirectResponse(
                        f"/m/{meeting.id}/diff?a={version.number - 1}&b={version.number}&done=client",
                        status_code=303)
            context = _approval_context(store, meeting, errors=errors)
            return render(request, "approval.html", context, status_code=422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def restore(request: Request) -> Response:
    """The "Restore" button of the versions list: ``summarizer restore`` (a new version, in the history)."""
    from summarizer.approval.workflow import restore_version
    from summarizer.web.review_page import version_renderer

    form = await request.form()
    check_csrf(request, form)
    raw = str(form.get("version", ""))
    if not raw.isdigit():
        raise InputError(None, f"{raw!r} is not a version number")
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        version, _ = restore_version(store, meeting.id, int(raw), actor=request.app.state.actor,
                                     render=version_renderer(store, meeting.id))
    return RedirectResponse(f"/m/{meeting.id}/diff?a={version.number - 1}&b={version.number}&restored={raw}",
                            status_code=303)


async def diff_page(request: Request) -> Response:
    from summarizer.approval.diff import diff_protocols

    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        versions = store.list_versions(meeting.id)
        if not versions:
            raise NotFoundError(f"meeting {meeting.id} has no versions")
        try:
            a = int(request.query_params.get("a") or max(1, versions[-1].number - 1))
            b = int(request.query_params.get("b") or versions[-1].number)
        except ValueError:
            raise NotFoundError("versions are numbers, e.g. ?a=1&b=2") from None
        old, new = store.get_version(meeting.id, a), store.get_version(meeting.id, b)
        changes = diff_protocols(old.protocol, new.protocol)
        notice = None
        restored = request.query_params.get("restored", "")
        if restored.isdigit():
            notice = tr(request, "v{n} is restored as v{m}.", n=restored, m=new.number)
        if request.query_params.get("done") == "client":
            notice = tr(request, "The client's changes are saved as v{n}; here is what they changed.",
                        n=new.number)
        return render(request, "diff.html", {"meeting": meeting, "tab": "approval", "old": old, "new": new,
                                             "versions": versions, "changes": changes, "notice": notice})


async def exports_page(request: Request) -> Response:
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
        versions = store.list_versions(meeting.id)
        approved = {a.version for a in store.approvals(meeting.id)}
        return render(request, "exports.html", {
            "meeting": meeting, "tab": "exports", "versions": list(reversed(versions)),
            "approved": approved, "outbox": _outbox(meeting), "formats": list(EXPORT_TYPES), "notice": None,
        })


async def export(request: Request) -> Response:
    """One version as docx/html/md/json/eml/toml, written by ``pipeline.export_version`` to a temp file."""
    from summarizer.pipeline import export_version

    fmt = request.path_params["fmt"]
    if fmt not in EXPORT_TYPES:
        raise NotFoundError(f"no export format {fmt!r}; use " + ", ".join(EXPORT_TYPES))
    raw = request.query_params.get("v")
    if raw is not None and not raw.isdigit():
        raise NotFoundError(f"no version {raw!r}")
    settings = request.app.state.settings
    tmp_root = settings.cache_dir / "web-exports"
    tmp_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=tmp_root))
    try:
        with open_store(request) as store:
            meeting = store.get_meeting(request.path_params["meeting_id"])
            version = store.get_version(meeting.id, int(raw) if raw else None)
            approved = version.number in {a.version for a in store.approvals(meeting.id)}
            name = f"{meeting.id}-{'final' if approved else f'v{version.number}'}.{fmt}"
        path = await in_thread_with_store(request, export_version, meeting.id, fmt, output=tmp / name,
                                          version=version.number)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    # a download, never a page of this site: even the HTML export opens sandboxed if opened at all
    return FileResponse(path, media_type=EXPORT_TYPES[fmt], filename=name, headers=FILE_HEADERS,
                        content_disposition_type="attachment",
                        background=BackgroundTask(shutil.rmtree, tmp, ignore_errors=True))


async def outbox_file(request: Request) -> Response:
    name = request.path_params["name"]
    with open_store(request) as store:
        meeting = store.get_meeting(request.path_params["meeting_id"])
    match = next((p for p in _outbox(meeting) if p.name == name), None)  # only names listed, no paths
    if match is None:
        raise NotFoundError(f"no message {name!r} in the outbox of {meeting.id}")
    return FileResponse(match, media_type="message/rfc822", filename=match.name, headers=FILE_HEADERS,
                        content_disposition_type="attachment")
