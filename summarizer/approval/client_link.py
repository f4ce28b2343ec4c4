"""A review link for the client: signed, expiring, for one version of one meeting only.

The token is ``<payload>.<signature>``: the payload (base64url JSON) names the meeting, the version
number, that version's sha256 and the expiry; the signature is HMAC-SHA256 with the server's secret
(``review_link_secret``, or a random key kept in ``data_dir/secrets/review-link.key``, which every
machine of a team shares with the data root). Changing one character of the link, letting it expire or
saving a newer version makes it refuse; the page then shows nothing of the meeting.

The client's confirmation is recorded by ``summarizer.approval.confirm.approve`` exactly like one a
manager records from an e-mail, with the evidence text: name, e-mail, time, IP address, browser and the
version's hash. Comments are events in the meeting's (append-only) history.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.store.database import MeetingRecord, Store, VersionRecord

DEFAULT_DAYS = 14
_CONTEXT = b"summarizer review link v1\n"


class LinkRefused(SummarizerError):
    """A review link that is tampered with, expired or for a version that is no longer the one to confirm."""

    status_code = 403


@dataclass
class LinkClaims:
    meeting_id: str
    version: int
    version_sha256: str
    expires: int  # unix seconds
    issued: int

    @property
    def link_id(self) -> str:
        return hashlib.sha256(f"{self.meeting_id}/{self.version}/{self.issued}".encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def secret_key(settings: Settings) -> bytes:
    if settings.review_link_secret:
        return settings.review_link_secret.encode("utf-8")
    path = settings.data_dir / "secrets" / "review-link.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, secrets.token_hex(32).encode("ascii"))
        except FileExistsError:  # another process made it first: use theirs
            pass
        finally:
            if fd is not None:
                os.close(fd)
    return Path(path).read_bytes().strip()


def _sign(settings: Settings, payload: str) -> str:
    return _b64(hmac.new(secret_key(settings), _CONTEXT + payload.encode("ascii"), hashlib.sha256).digest())


def make_token(settings: Settings, version: VersionRecord, *, days: float = DEFAULT_DAYS,
               now: dt.datetime | None = None) -> str:
    issued = int((now or dt.datetime.now(dt.UTC)).timestamp())
    claims = {"m": version.meeting_id, "v": version.number, "h": version.sha256,
              "e": issued + int(days * 86400), "i": issued}
    payload = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{payload}.{_sign(settings, payload)}"


def link_url(settings: Settings, token: str) -> str:
    base = (settings.public_url or f"http://{settings.web_host}:{settings.web_port}").rstrip("/")
    return f"{base}/r/{token}"


def read_token(settings: Settings, token: str, *, now: dt.datetime | None = None) -> LinkClaims:
    """The claims of a genuine, unexpired link; ``LinkRefused`` otherwise (no detail of the meeting)."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or not hmac.compare_digest(_sign(settings, payload), signature):
        raise LinkRefused("This review link is not valid.",
                          hint="open the link exactly as it was sent, or ask the sender for a new one")
    try:
        raw = json.loads(_unb64(payload))
        claims = LinkClaims(str(raw["m"]), int(raw["v"]), str(raw["h"]), int(raw["e"]), int(raw["i"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise LinkRefused("This review link is not valid.") from exc
    if (now or dt.datetime.now(dt.UTC)).timestamp() > claims.expires:
        raise LinkRefused("This review link has expired.", hint="ask the sender for a new link")
    return claims


def open_link(store: Store, token: str, *, now: dt.datetime | None = None
              ) -> tuple[LinkClaims, MeetingRecord, VersionRecord]:
    """Check the link against the store: the version must exist with the signed hash and still be the
    one the client is asked about (the latest)."""
    claims = read_token(store.settings, token, now=now)
    try:
        meeting = store.get_meeting(claims.meeting_id)
        version = store.get_version(meeting.id, claims.version)
        latest = store.get_version(meeting.id)
    except SummarizerError as exc:
        raise LinkRefused("This review link is for a protocol that no longer exists.") from exc
    if version.sha256 != claims.version_sha256:
        raise LinkRefused("This review link does not match the stored version.")
    if latest.number != version.number:
        raise LinkRefused(f"This link is for version {version.number}; a newer version has been made since.",
                          hint="ask the sender for the link to the current version")
    return claims, meeting, version


def add_comment(store: Store, token: str, *, item_id: str, text: str, name: str) -> None:
    claims, meeting, version = open_link(store, token)
    text = " ".join(text.split())[:2000]
    if not text:
        raise LinkRefused("The comment is empty.")
    ids = {"": "the protocol", **{i.id: i.id for i in version.protocol.items() if i.id}}
    if item_id not in ids:
        raise LinkRefused("There is no such item in this version.")
    who = " ".join(name.split())[:200] or "client"
    where = f" on {item_id}" if item_id else ""
    store.set_status(meeting.id, meeting.status, meeting.status, actor=f"client link: {who}",
                     note=f"client comment{where} (v{version.number}): {text}", version=version.number)


def comments(store: Store, meeting_id: str, version: int) -> list[tuple[str, str, str]]:
    """(item id or '', who, text) of the client comments on ``version``."""
    out = []
    for ev in store.events(meeting_id):
        if ev.version == version and ev.note and ev.note.startswith("client comment"):
            head, _, text = ev.note.partition(": ")
            item = head.split(" on ")[1].split(" ")[0] if " on " in head else ""
            out.append((item, (ev.actor or "").removeprefix("client link: "), text))
    return out


def confirm(store: Store, token: str, *, name: str, email: str, ip: str | None, user_agent: str | None,
            now: dt.datetime | None = None) -> str:
    """Record the client's "Approved" as an approval with evidence; returns the evidence text."""
    from summarizer.approval.confirm import approve
    from summarizer.approval.mail import parse_addresses
    from summarizer.errors import InputError

    claims, meeting, version = open_link(store, token)
    name = " ".join(name.split())[:200]
    if not name:
        raise InputError(None, "your name is needed to confirm")
    try:
        (address,) = parse_addresses([email.strip()])
    except (SummarizerError, ValueError) as exc:
        raise InputError(None, f"{email!r} is not an e-mail address") from exc
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    evidence = "\n".join([
        "Confirmed on the review link (Согласовано / Approved)",
        f"Name: {name}",
        f"E-mail: {address}",
        f"Time (UTC): {stamp}",
        f"IP address: {ip or 'unknown'}",
        f"Browser: {(user_agent or 'unknown')[:300]}",
        f"Meeting: {meeting.id}",
        f"Version: {version.number}",
        f"Version sha256: {version.sha256}",
        f"Link: {claims.link_id}, expires "
        f"{dt.datetime.fromtimestamp(claims.expires, dt.UTC).isoformat(timespec='seconds')}",
    ])
    approve(store, meeting.id, by=f"{name} <{address}>", evidence=evidence, actor=f"client link: {address}",
            send=False)
    return evidence
