"""E-mails that carry a protocol: built with ``email.message.EmailMessage``, kept as .eml, sent by SMTP.

Every message is written to ``<meeting folder>/outbox/`` first (the record of what went out); when
``settings.smtp_host`` is set it is also delivered over SMTP (optional STARTTLS and login).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import html
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.header import Header, decode_header, make_header
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, getaddresses, make_msgid
from pathlib import Path
from typing import Literal

from summarizer.config import Settings
from summarizer.errors import DeliveryError, InputError
from summarizer.schema import Protocol
from summarizer.store.files import write_atomic

log = logging.getLogger(__name__)

MailKind = Literal["review", "final"]
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


@dataclass
class Delivery:
    path: Path  # the .eml kept in the outbox
    recipients: list[str]
    sent: bool  # delivered over SMTP (False: only written to disk)
    subject: str
    notes: list[str] = field(default_factory=list)  # e.g. participants who have no address


class _EncodedWordsHeader(UnstructuredHeader, BaseHeader):
    """An unstructured header (Subject) folded as whole RFC 2047 encoded words.

    Python 3.11's refolding of a non-ASCII Subject puts the space between two words into the folding
    whitespace between two encoded words, where RFC 2047 says it is ignored: "Поставка от" arrived as
    "Поставкаот". ``email.header.Header`` keeps each space inside an encoded word instead.
    """

    def fold(self, *, policy: email.policy.Policy) -> str:
        value = str(self)
        if value.isascii():
            return super().fold(policy=policy)
        header = Header(value, charset="utf-8", header_name=self.name,
                        maxlinelen=policy.max_line_length or 78)
        return f"{self.name}: {header.encode(linesep=policy.linesep)}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("subject", _EncodedWordsHeader)
POLICY: EmailPolicy[EmailMessage] = email.policy.default.clone(header_factory=_HEADERS)


def _refuse_line_breaks(value: str, what: str) -> None:
    # a line break in a header value would start a new header (e.g. "Bcc: spy@...")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value if ch != "\t"):
        raise InputError(None, f"{what} {value!r} contains a line break or a control character",
                         hint="give one address per --to, on one line")


def format_address(name: str | None, addr: str) -> str:
    """``Name <a@b.c>`` built by ``email.headerregistry.Address``, which quotes a name with a comma
    ("Smith, John") or other specials; raise ``InputError`` for a malformed address or a name with a
    line break."""
    addr = addr.strip()
    _refuse_line_breaks(addr, "the address")
    if (not addr or addr.count("@") != 1 or any(ch.isspace() for ch in addr) or addr.startswith("@")
            or addr.endswith("@") or any(ch in addr for ch in '<>,;"()[]\\')):
        raise InputError(None, f"{addr!r} is not an e-mail address", hint="use a@example.com")
    name = (name or "").strip()
    _refuse_line_breaks(name, "the name")
    try:
        # Address keeps a Cyrillic name readable; formataddr would RFC 2047-encode it here, and the
        # encoded form would then show up in the history and the approval record.
        return str(Address(display_name=name, addr_spec=addr)) if name else addr
    except (ValueError, IndexError) as exc:  # the e-mail library's own refusal of a part
        raise InputError(None, f"{addr!r} is not an e-mail address ({exc})",
                         hint="use a@example.com") from None


def parse_addresses(values: list[str]) -> list[str]:
    """Validate addresses like ``a@b.c`` or ``Name <a@b.c>`` (a name with a comma in double quotes:
    ``"Smith, John" <j@b.c>``); raise ``InputError`` on a bad one."""
    out: list[str] = []
    for value in values:
        _refuse_line_breaks(value, "the address")
        for name, addr in getaddresses([value]):
            try:
                out.append(format_address(name, addr))
            except InputError:
                comma = (' (a name with a comma goes in double quotes: "Smith, John" <john@example.com>)'
                         if "," in value else "")
                raise InputError(None, f"{value!r} is not an e-mail address{comma}",
                                 hint='use a@example.com or "Name <a@example.com>"') from None
    return out


def recipients_of_eml(data: bytes) -> list[str]:
    """The To addresses of a stored .eml, names included.

    Read raw and decoded by ``email.header``: Python 3.11's structured parser keeps the folding space
    between two encoded words of one display name ("Сми рнова"), which RFC 2047 says is ignored.
    """
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    raw = " ".join(str(msg["To"] or "").split())
    out: list[str] = []
    for name, addr in getaddresses([raw]):
        try:
            out.append(format_address(str(make_header(decode_header(name))) if name else "", addr))
        except (InputError, ValueError, LookupError) as exc:
            log.warning("skipping %r in a stored e-mail: %s", addr, exc)
    return out


def participant_recipients(protocol: Protocol) -> tuple[list[str], list[str], list[str]]:
    """(addresses, names without an address, unusable entries) of the protocol's participants."""
    good: list[str] = []
    missing: list[str] = []
    bad: list[str] = []
    for person in protocol.participants:
        # a name from a transcript may hold a comma ("Smith, John") or even a line break: the name is
        # ours, not typed header input, so it is tidied and quoted, never allowed to block the send
        name = " ".join("".join(ch if ch.isprintable() else " " for ch in person.name).split())
        if not (person.email or "").strip():
            missing.append(name)
            continue
        try:
            good.append(format_address(name, person.email or ""))
        except InputError:
            bad.append(f"{name} ({person.email!r})")
    return good, missing, bad


def _sender(settings: Settings) -> str:
    return settings.mail_from or f"summarizer@{settings.smtp_host or 'localhost'}"


def _fallback_text(protocol: Protocol, kind: MailKind, version: int) -> tuple[str, str]:
    ru = protocol.language.startswith("ru")
    title = protocol.header.title or ("Встреча" if ru else "Meeting")
    when = protocol.header.date.isoformat() if protocol.header.date else ""
    if ru:
        subject = f"{'Итоговый протокол' if kind == 'final' else 'Протокол на согласование'}: {title} {when}"
        body = ("Добрый день!\n\nНаправляем протокол встречи (версия {v}). "
                + ("Просим подтвердить его ответным письмом." if kind == "review" else "Спасибо!"))
    else:
        subject = f"{'Final minutes' if kind == 'final' else 'Minutes for approval'}: {title} {when}"
        body = ("Hello,\n\nplease find the meeting minutes attached (version {v}). "
                + ("Please confirm them by replying to this e-mail." if kind == "review" else "Thank you!"))
    return subject.strip(), body.format(v=version) + "\n"


def build_message(
    protocol: Protocol,
    *,
    kind: MailKind,
    to: list[str],
    settings: Settings,
    version: int,
    attachment: Path | None = None,
    html_body: str | None = None,
    meeting_id: str | None = None,
    review_url: str | None = None,
) -> EmailMessage:
    """The e-mail for ``protocol``: subject and text in the protocol's language (from the render
    templates), an HTML alternative, and the DOCX attached."""
    try:
        from summarizer.render.document import render_email_body

        subject, text = render_email_body(protocol, kind=kind, settings=settings, version=version)
    except ImportError:  # rendering not installed in a stripped-down build
        subject, text = _fallback_text(protocol, kind, version)
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = " ".join(subject.split())
    msg["From"] = _sender(settings)
    msg["To"] = ", ".join(parse_addresses(to))
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="summarizer.local")
    if meeting_id:
        msg["X-Summarizer-Meeting"] = meeting_id
    msg["X-Summarizer-Version"] = str(version)
    if review_url:  # the client's signed link (summarizer.approval.client_link), first thing they read
        ru = protocol.language.startswith("ru")
        line = "Прочитать и согласовать протокол онлайн:" if ru else "Read and approve the protocol online:"
        text = f"{line}\n{review_url}\n\n{text}"
    msg.set_content(text)
    if html_body is None:
        html_body = f"<html><body><pre>{html.escape(text)}</pre></body></html>"
    elif review_url:
        link = f'<p><a href="{html.escape(review_url)}">{html.escape(line)}</a></p>'
        html_body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + link, html_body, count=1)
    msg.add_alternative(html_body, subtype="html")
    if attachment is not None:
        msg.add_attachment(attachment.read_bytes(), maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1],
                           filename=attachment.name)
    return msg


def write_eml(msg: EmailMessage, outbox: Path, stem: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = outbox / f"{stamp}-{stem}.eml"
    n = 1
    while path.exists():
        n += 1
        path = outbox / f"{stamp}-{stem}-{n}.eml"
    write_atomic(path, msg.as_bytes())
    return path


def send_smtp(msg: EmailMessage, settings: Settings) -> None:
    """Deliver over SMTP; raise ``DeliveryError`` naming the server and the problem."""
    host, port = settings.smtp_host, settings.smtp_port
    try:
        with smtplib.SMTP(host or "localhost", port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"could not send the e-mail via {host}:{port}: {exc}",
            hint="check smtp_host/smtp_port/smtp_user in the config; the .eml is kept in the outbox",
        ) from exc
    if refused:
        raise DeliveryError(f"{host}:{port} refused some recipients: {', '.join(refused)}")


def deliver(msg: EmailMessage, settings: Settings, outbox: Path, *, stem: str) -> Delivery:
    """Keep ``msg`` as an .eml in ``outbox`` and send it when SMTP is configured."""
    path = write_eml(msg, outbox, stem)
    # with names, as the person knows them (and quoted where a name holds a comma)
    recipients = [format_address(name, addr) for name, addr in getaddresses([str(msg["To"] or "")])]
    sent = False
    if settings.smtp_host:
        send_smtp(msg, settings)
        sent = True
        log.info("sent %s to %s via %s", path.name, ", ".join(recipients), settings.smtp_host)
    return Delivery(path=path, recipients=recipients, sent=sent, subject=str(msg["Subject"]))
