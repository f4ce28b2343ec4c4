"""App factory, templates and the one error handler of the web app."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from summarizer.config import Settings, load_settings
from summarizer.errors import InputError, NotFoundError, SummarizerError, WorkflowError
from summarizer.web.i18n import tr
from summarizer.web.security import (
    CsrfCookieMiddleware,
    FileHeadersMiddleware,
    LocalHostMiddleware,
    SameOriginMiddleware,
    TokenMiddleware,
    is_local_host,
    load_server_secret,
    require_token_for,
)
from summarizer.web.templating import HERE, environment, render
from summarizer.web.uploads import remove_stale_uploads

log = logging.getLogger(__name__)
def _status_for(exc: BaseException) -> int:
    code = getattr(exc, "status_code", None)
    if isinstance(code, int):
        return code
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, WorkflowError):
        return 409
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, SummarizerError):
        return 400
    return 500


def _wants_json(request: Request) -> bool:
    return (
        request.headers.get("x-requested-with") == "XMLHttpRequest"
        or "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


async def handle_error(request: Request, exc: Exception) -> Response:
    """The one place an error becomes a page (or JSON for the browser's background requests)."""
    status = _status_for(exc)
    if isinstance(exc, SummarizerError):
        title, message, hint = "Something needs your attention", exc.message, exc.hint
        if status == 404:
            title = "Not found"
        elif status == 403:
            title = "Request refused"
        elif status == 401:
            title = "Access token needed"
    elif isinstance(exc, HTTPException):
        status = exc.status_code
        title = "Not found" if status == 404 else f"HTTP {status}"
        message = "There is no page at this address." if status == 404 else str(exc.detail)
        hint = "go back to the meeting list" if status == 404 else None
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        title, message = "Unexpected error", f"unexpected {type(exc).__name__}: {exc}"
        hint = "this is a bug in summarizer; the server log has the details"
    if _wants_json(request):  # the page shows these as they are: in the person's language
        return JSONResponse({"error": tr(request, message), "hint": tr(request, hint) if hint else hint},
                            status_code=status)
    try:
        return render(request, "error.html", {"title": title, "message": message, "hint": hint},
                      status_code=status)
    except Exception:  # the error page itself must never fail to show something
        log.exception("error page failed")
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)


async def _denied(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    response = await handle_error(request, scope["state"]["auth_error"])
    await response(scope, receive, send)


class _DeniedApp:
    """Renders the refusal page of the host and token checks (outside routing, with the app's templates)."""

    def __init__(self) -> None:
        self.app: Starlette | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self.app
        state = scope.setdefault("state", {})
        state.setdefault("csrf", "")
        state.setdefault("csrf_expected", None)
        await _denied(scope, receive, send)


def create_app(settings: Settings | None = None, *, host: str | None = None) -> Starlette:
    """Build the web app. ``host`` is where it will listen; a non-loopback host requires a token."""
    from summarizer.approval.workflow import default_actor
    from summarizer.web import routes
    from summarizer.web.auth import AccountsMiddleware
    from summarizer.web.client_page import ClientLinks
    from summarizer.web.drafting import run_draft_job
    from summarizer.web.team_jobs import make_runner

    settings = settings or load_settings()
    host = host or settings.web_host
    require_token_for(host, settings)
    runner = make_runner(settings, {"draft": run_draft_job(settings)})  # team: web/team_jobs.py

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            runner.stop()

    denied = _DeniedApp()
    secret = load_server_secret(settings.data_dir)
    remove_stale_uploads(settings.data_dir / "web" / "uploads")
    middleware = [Middleware(CsrfCookieMiddleware, secret=secret, secure=False)]
    if settings.auth:  # team sign-in and roles: web/auth.py
        middleware.append(Middleware(AccountsMiddleware, settings=settings))
    # Listed outermost first: the host and token checks run before anything else sees the request.
    if is_local_host(host):
        middleware.insert(0, Middleware(LocalHostMiddleware, on_denied=denied))
    if settings.web_token:
        middleware.insert(0, Middleware(TokenMiddleware, token=settings.web_token, on_denied=denied))
    # A request another site made is refused before anything (a route, the upload parser) acts on it,
    # and every response without a policy of its own gets the file headers: both outermost.
    middleware.insert(0, Middleware(SameOriginMiddleware, on_denied=denied))
    middleware.insert(0, Middleware(FileHeadersMiddleware))
    middleware.insert(0, Middleware(ClientLinks, settings=settings))  # /r/<link>: web/client_page.py
    app = Starlette(
        routes=[*routes.ROUTES, Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")],
        middleware=middleware,
        exception_handlers={
            Exception: handle_error, SummarizerError: handle_error, HTTPException: handle_error,
        },
        lifespan=lifespan,
    )
    denied.app = app
    app.state.settings = settings
    app.state.templates = environment()
    app.state.jobs = runner
    app.state.host = host
    app.state.local = is_local_host(host)
    app.state.actor = default_actor()
    return app
