"""Access token for non-local binds, and proof that every state-changing request came from our own page.

Two independent checks guard every POST/PUT/PATCH/DELETE:

* **Where it came from.** Browsers tell us: ``Origin`` (sent with every non-GET request) must be this
  server's own origin and ``Sec-Fetch-Site`` must say ``same-origin``. Another port on localhost is a
  different origin (though the "same site"), so a page there is refused before any route runs.
* **A token only this server can make.** The ``summarizer_csrf`` cookie holds a random browser id the
  server issued; the token in each form (and XHR header) is an HMAC of that id under a per-install
  secret kept in the data folder (mode 0600). A page that plants its own cookie value cannot compute
  the matching token; the old double-submit check merely compared cookie and field, so a forger that set
  both to "AAAA…" was let through.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from summarizer.config import Settings
from summarizer.errors import ConfigError, SummarizerError

log = logging.getLogger(__name__)

CSRF_COOKIE = "summarizer_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "summarizer_token"
TOKEN_HEADER = "x-summarizer-token"
TOKEN_QUERY = "token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MIN_TOKEN_LENGTH = 16
SECRET_FILE = "server-secret"
_BROWSER_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # what ``secrets.token_urlsafe(32)`` gives
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=-]+")  # safe in a URL, a cookie and a header as it is


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
    if host.lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str | None) -> None:
    """Refuse an access token that protects nothing: blank, short, or with characters that do not
    survive a link, a cookie and a header unchanged."""
    if token is None:
        return
    hint = ("choose a long random one, e.g. "
            "--token \"$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')\"")
    if not token.strip():
        raise ConfigError("the access token is blank: it would let anyone in", hint=hint)
    if len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"the access token is too short ({len(token)} characters; at least {MIN_TOKEN_LENGTH} "
            "are needed so it cannot be guessed)", hint=hint)
    if not _TOKEN_CHARS.fullmatch(token):
        raise ConfigError(
            "the access token may hold only letters, digits and - . _ ~ + / = (no spaces): it travels "
            "in links and cookies", hint=hint)


def require_token_for(host: str, settings: Settings) -> None:
    """Refuse to serve on a non-loopback address without an access token, or with a weak one."""
    check_token(settings.web_token)
    if not is_local_host(host) and not settings.web_token:
        raise ConfigError(
            f"refusing to listen on {host} without an access token: anyone on the network could read "
            "your meetings",
            hint="pass --token SECRET (or set web_token in the config / SUMMARIZER_WEB_TOKEN), "
            "or listen on 127.0.0.1",
        )


def load_server_secret(data_dir: Path) -> bytes:
    """This installation's signing secret: ``<data>/web/server-secret``, created once with mode 0600.

    Created by writing a private temporary file and hard-linking it into place, so two servers starting
    at once agree on one secret. A data folder that cannot be written gets a secret for this process
    only (forms then expire when the server restarts), with a warning in the log.
    """
    folder = data_dir / "web"
    path = folder / SECRET_FILE
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another server made it first: use theirs
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return _read_secret(path)
    except OSError as exc:
        log.warning("cannot keep the web app's secret in %s (%s); forms will expire when this server "
                    "stops", path, exc.strerror or exc)
        return secrets.token_bytes(32)


def _read_secret(path: Path) -> bytes:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s was readable by others; making it private (0600)", path)
        path.chmod(0o600)
    raw = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(raw)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise ConfigError(f"{path} is damaged (not a 64-digit hex secret)",
                          hint="delete it and start the server again; open forms will need a reload")
    return secret


def sign_browser_id(secret: bytes, browser_id: str) -> str:
    mac = hmac.new(secret, b"summarizer-csrf-v1\0" + browser_id.encode("ascii"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


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


def _host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without port or IPv6 brackets."""
    if host_header.startswith("["):
        return host_header[1:].split("]")[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class LocalHostMiddleware:
    """On a loopback bind, answer only requests addressed to a loopback name or address.

    A web page elsewhere can point its own domain at 127.0.0.1 (DNS rebinding) and then read this
    app as "same origin"; its requests still carry that domain in ``Host``, so they are refused here.
    Any loopback address is ours (``--host 127.0.0.2``, ``::1``).
    """

    def __init__(self, app: ASGIApp, on_denied: ASGIApp) -> None:
        self.app = app
        self.on_denied = on_denied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = HTTPConnection(scope).headers.get("host", "")
            if not is_local_host(_host_name(host)):
                scope.setdefault("state", {})["auth_error"] = HostRefused(
                    f"This server only answers on localhost, not as {host!r}.",
                    hint="open http://127.0.0.1:PORT/ directly; to serve other machines, start it with "
                    "--host and --token",
                )
                await self.on_denied(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cross_site_reason(scope: Scope) -> str | None:
    """Why a state-changing request did not come from a page of this server, or None if it did.

    ``Origin`` must be exactly this server (scheme, host and port, compared with ``Host``): a page on
    another port of localhost is another origin. ``Sec-Fetch-Site`` must be ``same-origin`` (``none``
    is a request the person started themselves, e.g. from the address bar). Clients that send neither
    header are not browsers, so no other site can make them act; they still need the signed token.
    """
    headers = HTTPConnection(scope).headers
    host = headers.get("host", "").lower()
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return f"the request came from {origin!r}, not from this site"
        default = "80" if parts.scheme == "http" else "443"
        netloc = parts.netloc if parts.port is not None else f"{parts.netloc}:{default}"
        wanted = host if ":" in host.rsplit("]", 1)[-1] else f"{host}:{default}"
        if netloc != wanted:
            return f"the request came from the page {origin}, not from this site"
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in {"same-origin", "none"}:
        return f"the browser says the request came from another site (Sec-Fetch-Site: {fetch_site})"
    return None


class SameOriginMiddleware:
    """Refuse every state-changing request that a browser says came from another origin (403)."""

    def __init__(self, app: ASGIApp, on_denied: ASGIApp) -> None:
        self.app = app
        self.on_denied = on_denied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = cross_site_reason(scope)
            if reason:
                log.warning("refused %s %s: %s", scope["method"], scope["path"], reason)
                scope.setdefault("state", {})["auth_error"] = CsrfFailed(
                    "This form has expired or did not come from this site, so nothing was changed.",
                    hint="go back, reload the page and submit again",
                )
                await self.on_denied(scope, receive, send)
                return
        await self.app(scope, receive, send)


class CsrfCookieMiddleware:
    """Give every browser an id (the ``summarizer_csrf`` cookie) and its signed form token.

    ``scope['state']['csrf']`` is the token pages embed; ``scope['state']['csrf_expected']`` is the
    token this request must carry, or None when it brought no id of ours (then nothing it posts is
    accepted).
    """

    def __init__(self, app: ASGIApp, *, secret: bytes, secure: bool = False) -> None:
        self.app = app
        self.secret = secret
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        current = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
        fresh = not current or not _BROWSER_ID.fullmatch(current)
        browser_id = secrets.token_urlsafe(32) if fresh else str(current)
        token = sign_browser_id(self.secret, browser_id)
        state = scope.setdefault("state", {})
        state["csrf"] = token
        state["csrf_expected"] = None if fresh else token

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookie = f"{CSRF_COOKIE}={browser_id}; Path=/; HttpOnly; SameSite=Strict"
                if self.secure:
                    cookie += "; Secure"
                headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(request: Request) -> str:
    return str(request.state.csrf)


def check_csrf(request: Request, form: Mapping[str, object] | None = None) -> None:
    """Raise ``CsrfFailed`` unless the form field or the header is the token signed for this browser,
    and the request did not come from another site."""
    expected = getattr(request.state, "csrf_expected", None)
    submitted = request.headers.get(CSRF_HEADER)
    if not submitted and form is not None:
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if cross_site_reason(request.scope) or not _same(expected, submitted):
        raise CsrfFailed(
            "This form has expired or did not come from this site, so nothing was changed.",
            hint="go back, reload the page and submit again",
        )


# What every file the server hands out carries (recordings, exports, outbox messages, static files):
# the browser must neither guess another type nor run anything in it, even when it is opened directly.
FILE_CSP = "sandbox; default-src 'none'"
FILE_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": FILE_CSP,
    "referrer-policy": "same-origin",
}


class FileHeadersMiddleware:
    """Give every response that set no policy of its own the file headers (``nosniff``, a sandbox CSP).

    Pages set their own CSP (``templating.SECURITY_HEADERS``); everything else — JSON, redirects,
    static files, downloads, the recording — gets the strictest one, so a file route added later is
    safe by default.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in FILE_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
