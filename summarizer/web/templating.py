"""Page templates of the web app: the Jinja environment, labels people read, and ``render``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from summarizer.approval.diff import format_value
from summarizer.transcript import format_timestamp
from summarizer.web.i18n import translate_history, translate_note, translator, ui_language
from summarizer.web.security import csrf_token

HERE = Path(__file__).resolve().parent

STATUS_LABELS = {
    "draft": "Draft",
    "internal_review": "Internal review",
    "sent_to_client": "Sent to client",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "final_sent": "Final sent",
}

# The redline's section and field names (``approval.diff``) as people say them; translated by ``_()``.
CHANGE_LABELS = {
    "header": "Header", "participants": "Participants", "purpose": "Purpose", "results": "Results",
    "issues": "Issues discussed", "agreements": "Agreements", "next_steps": "Next steps",
    "open_questions": "Open questions", "closing": "Closing",
    "title": "Title", "date": "Date", "start_time": "Start", "end_time": "End", "place": "Place",
    "platform": "Call platform", "organisations": "Organisations", "name": "Name", "position": "Position",
    "organisation": "Organisation", "side": "Side", "email": "E-mail", "phone": "Phone",
    "summary": "Summary", "solutions": "Possible solutions", "status": "Status", "text": "Agreement",
    "responsible": "Responsible", "due_date": "Due date", "due_phrase": "Due as said", "action": "Action",
    "owner": "Owner",
}

# Field values the redline shows as words rather than as stored codes.
VALUE_LABELS = {
    "status": {"agreed": "Agreed", "disputed": "Disputed", "cancelled": "Cancelled", "open": "Open",
               "resolved": "Resolved"},
    "side": {"ours": "Ours", "client": "Client", "unknown": "Unknown"},
}


def _show_field(translate: Any, name: str, value: Any) -> str:
    label = VALUE_LABELS.get(name, {}).get(value) if isinstance(value, str) else None
    return str(translate(label)) if label else format_value(value)


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,  # everything from a transcript or an LLM is untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ts"] = format_timestamp
    env.filters["when"] = _when
    env.globals["status_labels"] = STATUS_LABELS
    env.globals["change_labels"] = CHANGE_LABELS
    return env


def _when(value: str | None) -> str:
    """Stored ISO timestamps (UTC) as the server's local time, to the minute."""
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    env: jinja2.Environment = request.app.state.templates
    lang = ui_language(request)
    ctx = {"request": request, "csrf": csrf_token(request), "settings": request.app.state.settings,
           "lang": lang, "_": translator(lang), "note_text": lambda text: translate_note(text, lang),
           "history_note": lambda text: translate_history(text, lang)}
    ctx["show_field"] = lambda name, value: _show_field(ctx["_"], name, value)
    ctx.update(context or {})
    html = env.get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


SECURITY_HEADERS = {
    # no inline scripts, no third-party anything: the app works offline and a stray <script> in a
    # transcript would not run even if escaping ever failed
    "content-security-policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


