"""Sign-in for the office app in team mode (``auth = "accounts"`` or ``"proxy"``).

``AccountsMiddleware`` sits inside the CSRF middleware: every request needs a live session (or, with
``auth = "proxy"``, the trusted proxy's header naming an existing account); ``/signin`` and
``/static`` are the only pages without one. It also enforces the roles (a manager changes only their own
meetings; only an admin manages accounts), and for the request's duration makes
``request.app.state.actor`` the signed-in account, so every event the existing pages record names it.
"""

from __future__ import annotations

import contextvars
import re
from typing import Any
from urllib.parse import quote

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from summarizer.accounts import service
from summarizer.config import Settings
from summarizer.errors import ConfigError, SummarizerError
from summarizer.store.database import Store
from summarizer.web.security import check_csrf
from summarizer.web.templating import render

SESSION_COOKIE = "summarizer_session"
PUBLIC = ("/static/", "/lang/")
MEETING_WRITE = re.compile(r"^/m/(?P<id>[^/]+)(/(state|send|approve|client-changes))?$")

_account: contextvars.ContextVar[service.Account | None] = contextvars.ContextVar("account", default=None)


class _AccountState(State):
    """App state whose ``actor`` is the signed-in account of the current request."""

    def __getattr__(self, key: str) -> Any:
        if key == "actor":
            account = _account.get()
            if account is not None:
                return account.actor
        return super().__getattr__(key)


def current_account() -> service.Account | None:
    return _account.get()


class AccountsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        if settings.auth not in ("accounts", "proxy"):
            raise ConfigError(f"auth = {settings.auth!r}: use \"accounts\" or \"proxy\" (or leave it unset)")
        self.app = app
        self.settings = settings
        self.secure = bool(settings.public_url and settings.public_url.startswith("https:"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        starlette_app = scope.get("app")
        if starlette_app is not None and type(starlette_app.state) is State:
            object.__setattr__(starlette_app.state, "__class__", _AccountState)  # State overrides setattr
        request = Request(scope, receive)
        path = scope["path"]
        try:
            if path == "/signin":
                response = await self._signin(request)
            elif path.startswith(PUBLIC):
                await self.app(scope, receive, send)
                return
            else:
                account = self._account(request)
                if account is None:
                    response = self._need_signin(request)
                elif path == "/signout" and request.method == "POST":
                    response = await self._signout(request)
                elif path == "/admin/accounts":
                    response = await self._accounts(request, account)
                else:
                    self._authorize(request, account)
                    token = _account.set(account)
                    try:
                        await self.app(scope, receive, send)
                    finally:
                        _account.reset(token)
                    return
        except SummarizerError as exc:
            response = self._error(request, exc)
        await response(scope, receive, send)

    # -- who ---------------------------------------------------------------------------------------
    def _account(self, request: Request) -> service.Account | None:
        with Store(self.settings) as store:
            if self.settings.auth == "proxy":
                login = request.headers.get(self.settings.auth_proxy_header, "").strip()
                if not login:
                    return None
                try:
                    account = service.get_account(store, login)
                except service.SignInRefused:
                    return None
                return None if account.disabled else account
            return service.session_account(store, request.cookies.get(SESSION_COOKIE))

    def _need_signin(self, request: Request) -> Response:
        if request.method == "GET" and self.settings.auth != "proxy":
            return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
        raise service.SignInRefused("Sign in first.", hint="open /signin")

    def _authorize(self, request: Request, account: service.Account) -> None:
        if request.method == "GET":
            return
        match = MEETING_WRITE.match(request.url.path)
        if match and request.url.path.endswith("/state") and account.role == "manager":
            # internal review is the reviewers' step; a manager's own edit starts it by itself
            raise service.Forbidden("Moving a meeting into or out of internal review is a reviewer's step.",
                                    hint="save your edits (that starts the review), or ask a reviewer")
        if match:
            with Store(self.settings) as store:
                meeting_id = store.resolve_id(match.group("id"))
                service.check_may_change(store, account, meeting_id)

    # -- pages -------------------------------------------------------------------------------------
    async def _signin(self, request: Request) -> Response:
        nxt = request.query_params.get("next", "/")
        if request.method != "POST":
            return render(request, "signin.html", {"error": None, "next": nxt})
        form = await request.form()
        check_csrf(request, form)
        nxt = str(form.get("next") or "/")
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/"  # never redirect off the site
        ip = request.client.host if request.client else "unknown"
        try:
            with Store(self.settings) as store:
                login, password = str(form.get("login", "")), str(form.get("password", ""))
                hours = self.settings.session_hours
                _acc, token = service.sign_in(store, login, password, ip=ip, hours=hours)
        except service.TooManyAttempts as exc:
            page = render(request, "signin.html", {"error": exc.message, "next": nxt}, status_code=429)
            page.headers["retry-after"] = str(exc.retry_after)
            return page
        except service.SignInRefused as exc:
            return render(request, "signin.html", {"error": exc.message, "next": nxt}, status_code=401)
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=int(self.settings.session_hours * 3600),
                            httponly=True, samesite="strict", secure=self.secure)
        return response

    async def _signout(self, request: Request) -> Response:
        form = await request.form()
        check_csrf(request, form)
        with Store(self.settings) as store:
            service.sign_out(store, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def _accounts(self, request: Request, account: service.Account) -> Response:
        if account.role != "admin":
            raise service.Forbidden("Only an admin manages accounts.")
        error = None
        with Store(self.settings) as store:
            if request.method == "POST":
                form = await request.form()
                check_csrf(request, form)
                try:
                    service.create_account(store, str(form.get("login", "")), str(form.get("password", "")),
                                           role=str(form.get("role", "")),
                                           name=str(form.get("name", "")) or None)
                except SummarizerError as exc:
                    error = exc.message
                else:
                    return RedirectResponse("/admin/accounts", status_code=303)
            accounts = service.list_accounts(store)
        context = {"accounts": accounts, "roles": service.ROLES, "error": error}
        return render(request, "accounts.html", context, status_code=400 if error else 200)

    def _error(self, request: Request, exc: SummarizerError) -> Response:
        status = int(getattr(exc, "status_code", 400))
        title = {401: "Sign in first", 403: "Request refused"}.get(status, "Something needs your attention")
        return render(request, "error.html", {"title": title, "message": exc.message, "hint": exc.hint},
                      status_code=status)
