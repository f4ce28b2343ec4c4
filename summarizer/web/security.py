"""Access token for non-local binds and CSRF protection for every form.

CSRF uses a double-submit cookie: a random per-browser token lives in a ``SameSite=Strict`` cookie and
every form (and every XHR, as a header) must send the same value back. A cross-site page can neither
read the cookie nor make the browser attach it, so it cannot forge a matching pair.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer.config import Settings
from summarizer.errors import ConfigError, SummarizerError

CSRF_COOKIE = "summarizer_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "summarizer_token"
TOKEN_HEADER = "x-summarizer-token"
TOKEN_QUERY = "token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class CsrfFailed(SummarizerError):
    """A form came back without the token this browser was given (stale page or a forged request)."""

    status_code = 403


class AccessDenied(SummarizerError):
    """The server needs its access token and the request did not carry it."""

    status_code = 401


class HostRefused(AccessDenied):
    """A request to a loopback-only server that names some other host (DNS rebinding)."""

    status_code = 400


def is_local_host(host: str) -> bool:
    """True for loopback addresses and ``localhost``; anything else is reachable from other machines."""
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_token_for(host: str, settings: Settings) -> None:
    """Refuse to serve on a non-loopback address without an access token."""
    if not is_local_host(host) and not settings.web_token:
        raise ConfigError(
            f"refusing to listen on {host} without an access token: anyone on the network could read "
            "your meetings",
            hint="pass --token SECRET (or set web_token in the config / SUMMARIZER_WEB_TOKEN), "
            "or listen on 127.0.0.1",
        )


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class TokenMiddleware:
    """Every request must carry the access token (cookie, header, ``Authorization: Bearer`` or ``?token=``).

    A valid ``?token=`` in a link sets the cookie and redirects to the same URL without it, so the secret
    does not linger in the address bar or in history.
    """

    def __init__(self, app: ASGIApp, token: str, on_denied: ASGIApp) -> None:
        self.app = app
        self.token = token
        self.on_denied = on_denied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        query_token = conn.query_params.get(TOKEN_QUERY)
        auth = conn.headers.get("authorization", "")
        bearer = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        candidates = [conn.cookies.get(TOKEN_COOKIE), conn.headers.get(TOKEN_HEADER), bearer]
        if any(_same(c, self.token) for c in candidates):
            await self.app(scope, receive, send)
            return
        if _same(query_token, self.token) and scope["method"] in SAFE_METHODS:
            rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1"))
                    if k != TOKEN_QUERY]
            target = scope.get("root_path", "") + scope["path"] + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            await response(scope, receive, send)
            return
        if _same(query_token, self.token):
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["auth_error"] = AccessDenied(
            "This server needs its access token.",
            hint="open the link printed by `summarizer serve` (it ends in ?token=...)",
        )
        await self.on_denied(scope, receive, send)


class LocalHostMiddleware:
    """On a loopback bind, answer only requests addressed to a loopback name.

    A web page elsewhere can point its own domain at 127.0.0.1 (DNS rebinding) and then read this
    app as "same origin"; its requests still carry that domain in ``Host``, so they are refused here.
    """

    ALLOWED = {"127.0.0.1", "localhost", "::1"}

    def __init__(self, app: ASGIApp, on_denied: ASGIApp) -> None:
        self.app = app
        self.on_denied = on_denied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = HTTPConnection(scope).headers.get("host", "")
            name = host[1:].split("]")[0] if host.startswith("[") else host.rsplit(":", 1)[0]
            if name.lower() not in self.ALLOWED:
                scope.setdefault("state", {})["auth_error"] = HostRefused(
                    f"This server only answers on localhost, not as {host!r}.",
                    hint="open http://127.0.0.1:PORT/ directly; to serve other machines, start it with "
                    "--host and --token",
                )
                await self.on_denied(scope, receive, send)
                return
        await self.app(scope, receive, send)


class CsrfCookieMiddleware:
    """Give every browser a CSRF token (in ``scope['state']['csrf']``) and set the cookie when new."""

    def __init__(self, app: ASGIApp, *, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
        fresh = not current or len(current) < 32
        token = secrets.token_urlsafe(32) if fresh else current
        scope.setdefault("state", {})["csrf"] = token

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                if self.secure:
                    cookie += "; Secure"
                headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(request: Request) -> str:
    return str(request.state.csrf)


def check_csrf(request: Request, form: Mapping[str, object] | None = None) -> None:
    """Raise ``CsrfFailed`` unless the form field or the header matches this browser's cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted and form is not None:
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not _same(cookie, submitted):
        raise CsrfFailed(
            "This form has expired or did not come from this site, so nothing was changed.",
            hint="go back, reload the page and submit again",
        )
