"""The client's review page (``/r/<signed link>``): one version, read-only, comments and "Approved".

It is a small app of its own in front of the office app: a request under ``/r/`` never reaches the
office's routes, its access token or its pages, and the page links to nothing else. Forms carry the
same double-submit CSRF token as the office app's (``summarizer.web.security``). The link itself is
the credential; ``summarizer.approval.client_link`` checks it on every request.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from summarizer.approval import client_link
from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.store.database import Store
from summarizer.web.security import CsrfCookieMiddleware, check_csrf, csrf_token, load_server_secret
from summarizer.web.templating import HERE, SECURITY_HEADERS, environment

PREFIX = "/r/"

LABELS = {
    "en": {"title": "Meeting protocol for your review", "version": "Version", "approve": "Approved",
           "approve_intro": "If the protocol is correct, confirm it with your name and e-mail.",
           "name": "Your name", "email": "Your e-mail", "comment": "Comment", "send": "Add comment",
           "approved": "Thank you: your confirmation of this version is recorded.",
           "already": "This version is approved.", "participants": "Participants", "purpose": "Purpose",
           "results": "Results", "issues": "Issues discussed", "agreements": "Agreements",
           "next_steps": "Next steps", "closing": "Closing", "responsible": "Responsible", "due": "Due",
           "comments": "Comments", "refused": "Link refused", "commented": "Your comment is recorded.",
           "general": "General comment", "solutions": "Possible solutions"},
    "ru": {"title": "Протокол встречи на согласование", "version": "Версия", "approve": "Согласовано",
           "approve_intro": "Если протокол верен, подтвердите его, указав имя и e-mail.",
           "name": "Ваше имя", "email": "Ваш e-mail", "comment": "Комментарий",
           "send": "Добавить комментарий",
           "approved": "Спасибо: ваше согласование этой версии записано.",
           "already": "Эта версия согласована.", "participants": "Участники", "purpose": "Цель встречи",
           "results": "Результаты", "issues": "Обсуждённые вопросы", "agreements": "Договорённости",
           "next_steps": "Дальнейшие шаги", "closing": "Заключение", "responsible": "Ответственный",
           "due": "Срок", "comments": "Комментарии", "refused": "Ссылка отклонена",
           "commented": "Ваш комментарий записан.", "general": "Общий комментарий",
           "solutions": "Возможные решения"},
}


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    env = request.app.state.templates
    lang = context.get("lang", "en")
    html = env.get_template("client_review.html").render(
        {"csrf": csrf_token(request), "t": LABELS[lang], "lang": lang, **context})
    headers = {**SECURITY_HEADERS, "cache-control": "no-store", "referrer-policy": "no-referrer"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _lang_of(protocol: Any) -> str:
    return "ru" if (protocol.language or "").startswith("ru") else "en"


async def review(request: Request) -> Response:
    token = request.path_params["token"]
    with Store(request.app.state.settings) as store:
        _claims, meeting, version = client_link.open_link(store, token)
        notes = client_link.comments(store, meeting.id, version.number)
    return _page(request, {"meeting": meeting, "version": version, "p": version.protocol, "token": token,
                           "comments": notes, "lang": _lang_of(version.protocol),
                           "done": request.query_params.get("done", ""), "error": None})


async def comment(request: Request) -> Response:
    token = request.path_params["token"]
    form = await request.form()
    check_csrf(request, form)
    with Store(request.app.state.settings) as store:
        client_link.add_comment(store, token, item_id=str(form.get("item", "")),
                                text=str(form.get("text", "")), name=str(form.get("name", "")))
    return RedirectResponse(f"{PREFIX}{token}?done=commented", status_code=303)


async def approve(request: Request) -> Response:
    token = request.path_params["token"]
    form = await request.form()
    check_csrf(request, form)
    settings: Settings = request.app.state.settings
    with Store(settings) as store:
        client_link.confirm(store, token, name=str(form.get("name", "")), email=str(form.get("email", "")),
                            ip=request.client.host if request.client else None,
                            user_agent=request.headers.get("user-agent"))
    return RedirectResponse(f"{PREFIX}{token}?done=approved", status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    """Any refusal shows the reason and nothing of the meeting."""
    status = getattr(exc, "status_code", 400) if isinstance(exc, SummarizerError) else 500
    message = exc.message if isinstance(exc, SummarizerError) else "Unexpected error"
    hint = exc.hint if isinstance(exc, SummarizerError) else None
    if not isinstance(exc, SummarizerError):
        import logging

        logging.getLogger(__name__).exception("client page error")
    return _page(request, {"error": message, "hint": hint, "lang": "en"}, status_code=int(status))


def client_app(settings: Settings) -> Starlette:
    app = Starlette(
        routes=[
            Mount("/r/static", StaticFiles(directory=str(HERE / "static")), name="static"),
            Route("/r/{token}", review, methods=["GET"]),
            Route("/r/{token}/comment", comment, methods=["POST"]),
            Route("/r/{token}/approve", approve, methods=["POST"]),
        ],
        middleware=[Middleware(CsrfCookieMiddleware, secret=load_server_secret(settings.data_dir),
                               secure=False)],
        exception_handlers={Exception: _refused, SummarizerError: _refused},
    )
    app.state.settings = settings
    app.state.templates = environment()
    return app


class ClientLinks:
    """Outermost middleware of the office app: ``/r/...`` goes to the client app, the rest goes on."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.client = client_app(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.client(scope, receive, send)
            return
        await self.app(scope, receive, send)
