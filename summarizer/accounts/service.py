"""Accounts of a project office: argon2 passwords, roles, sessions that expire, a sign-in rate limit.

Roles:
- ``manager`` drafts meetings and edits, sends and approves their own (the account that created it);
  saving an edit of a draft starts its internal review, but the review step itself is not theirs;
- ``reviewer`` reviews every meeting, moves meetings into and out of internal review and may act on
  all of them (edits, sending, approval);
- ``admin`` does all of that and manages the accounts.

Sessions are random tokens kept by the browser; the store holds only their sha256, with an absolute
expiry. Failed sign-ins are counted per login and per address: after ``MAX_FAILURES`` within
``WINDOW`` further attempts are refused until the window has passed, whatever the password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from summarizer.errors import InputError, SummarizerError
from summarizer.store.database import Store
from summarizer.store.files import now_iso

ROLES = ("manager", "reviewer", "admin")
SESSION_HOURS = 8.0
MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)


class SignInRefused(SummarizerError):
    status_code = 401


class TooManyAttempts(SummarizerError):
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed sign-ins; wait before trying again.",
                         hint=f"try again in {max(1, retry_after // 60)} min")
        self.retry_after = retry_after


class Forbidden(SummarizerError):
    status_code = 403


@dataclass
class Account:
    login: str
    name: str | None
    email: str | None
    role: str
    disabled: bool

    @property
    def actor(self) -> str:
        """How the account appears in a meeting's history."""
        return self.login


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # argon2id with the library's current recommended parameters


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account(row: object) -> Account:
    data = dict(row)  # type: ignore[call-overload]
    return Account(data["login"], data["name"], data["email"], data["role"], bool(data["disabled"]))


def create_account(store: Store, login: str, password: str | None, *, role: str, name: str | None = None,
                   email: str | None = None) -> Account:
    login = login.strip().lower()
    if not login or any(c.isspace() for c in login):
        raise InputError(None, f"login {login!r}: use one word (letters, digits, dots)")
    if role not in ROLES:
        raise InputError(None, f"unknown role {role!r}", hint="roles: " + ", ".join(ROLES))
    if password is not None and len(password) < 10:
        raise InputError(None, "the password is too short", hint="use at least 10 characters")
    hashed = _hasher().hash(password) if password else None  # None: proxy sign-in only
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM accounts WHERE login = ?", (login,)).fetchone():
            raise InputError(None, f"account {login!r} already exists")
        conn.execute("INSERT INTO accounts (login, name, email, role, password_hash, disabled, created_at)"
                     " VALUES (?, ?, ?, ?, ?, 0, ?)", (login, name, email, role, hashed, now_iso()))
    return get_account(store, login)


def get_account(store: Store, login: str) -> Account:
    row = store.conn.execute("SELECT * FROM accounts WHERE login = ?", (login.strip().lower(),)).fetchone()
    if row is None:
        raise SignInRefused(f"no account {login!r}")
    return _account(row)


def list_accounts(store: Store) -> list[Account]:
    return [_account(r) for r in store.conn.execute("SELECT * FROM accounts ORDER BY login").fetchall()]


def set_disabled(store: Store, login: str, disabled: bool = True) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE accounts SET disabled = ? WHERE login = ?", (int(disabled), login))
        if disabled:
            conn.execute("DELETE FROM sessions WHERE login = ?", (login,))


def _check_rate(store: Store, login: str, ip: str) -> None:
    since = (_now() - WINDOW).isoformat(timespec="seconds")
    rows = store.conn.execute(
        "SELECT at FROM signin_attempts WHERE ok = 0 AND at > ? AND (login = ? OR ip = ?) ORDER BY at",
        (since, login, ip)).fetchall()
    if len(rows) >= MAX_FAILURES:
        oldest = dt.datetime.fromisoformat(rows[-MAX_FAILURES]["at"])
        raise TooManyAttempts(int((oldest + WINDOW - _now()).total_seconds()) + 1)


def sign_in(store: Store, login: str, password: str, *, ip: str, hours: float = SESSION_HOURS
            ) -> tuple[Account, str]:
    """Check the password and open a session; returns (account, session token for the cookie)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    login = login.strip().lower()
    _check_rate(store, login, ip)
    row = store.conn.execute("SELECT * FROM accounts WHERE login = ?", (login,)).fetchone()
    ok = False
    if row is not None and row["password_hash"] and not row["disabled"]:
        try:
            ok = _hasher().verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        # the same work for an unknown login, so timing does not tell which logins exist
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher().verify(_dummy_hash(), password)
    with store.transaction() as conn:
        conn.execute("INSERT INTO signin_attempts (login, ip, at, ok) VALUES (?, ?, ?, ?)",
                     (login, ip, _now().isoformat(timespec="seconds"), int(ok)))
    if not ok:
        raise SignInRefused("Wrong login or password.")
    assert row is not None
    return _account(row), open_session(store, login, hours=hours)


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(_hasher().hash(secrets.token_hex(16)))
    return _dummy[0]


def open_session(store: Store, login: str, *, hours: float = SESSION_HOURS) -> str:
    token = secrets.token_urlsafe(32)
    now = _now()
    with store.transaction() as conn:
        conn.execute("INSERT INTO sessions (id, login, created_at, expires_at) VALUES (?, ?, ?, ?)",
                     (_digest(token), login, now.isoformat(timespec="seconds"),
                      (now + dt.timedelta(hours=hours)).isoformat(timespec="seconds")))
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_account(store: Store, token: str | None) -> Account | None:
    """The account of a live session, or None (unknown, expired, or the account disabled)."""
    if not token:
        return None
    row = store.conn.execute(
        "SELECT a.*, s.expires_at FROM sessions s JOIN accounts a ON a.login = s.login WHERE s.id = ?",
        (_digest(token),)).fetchone()
    if row is None or row["disabled"] or dt.datetime.fromisoformat(row["expires_at"]) <= _now():
        return None
    return _account(row)


def sign_out(store: Store, token: str | None) -> None:
    if token:
        with store.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (_digest(token),))


def meeting_owner(store: Store, meeting_id: str) -> str | None:
    """The account that created the meeting (the actor of its first event)."""
    events = store.events(meeting_id)
    return events[0].actor if events else None


def check_may_change(store: Store, account: Account, meeting_id: str) -> None:
    """Managers change only their own meetings; reviewers and admins any."""
    if account.role in ("reviewer", "admin"):
        return
    owner = meeting_owner(store, meeting_id)
    if owner != account.login:
        raise Forbidden(f"meeting {meeting_id} belongs to {owner or 'nobody'}; as a manager you may change "
                        "only your own meetings", hint="ask a reviewer, or the meeting's manager")
