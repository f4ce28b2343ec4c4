"""E-mails that carry a protocol: built with ``email.message.EmailMessage``, kept as .eml, sent by SMTP.

Every message is written to ``<meeting folder>/outbox/`` first (the record of what went out); when
``settings.smtp_host`` is set it is also delivered over SMTP (optional STARTTLS and login).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
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


def parse_addresses(values: list[str]) -> list[str]:
    """Validate addresses like ``a@b.c`` or ``Name <a@b.c>``; raise ``InputError`` on a bad one."""
    out: list[str] = []
    for value in values:
        for name, addr in getaddresses([value]):
            if not addr or "@" not in addr or " " in addr or addr.startswith("@") or addr.endswith("@"):
                raise InputError(None, f"{value!r} is not an e-mail address", hint="use a@example.com")
            # Address keeps a Cyrillic name readable; formataddr would RFC 2047-encode it here, and
            # the encoded form would then show up in the history and the approval record.
            out.append(str(Address(display_name=name, addr_spec=addr)) if name else addr)
    return out


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
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = _sender(settings)
    msg["To"] = ", ".join(to)
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
    recipients = [addr for _, addr in getaddresses([msg["To"] or ""])]
    sent = False
    if settings.smtp_host:
        send_smtp(msg, settings)
        sent = True
        log.info("sent %s to %s via %s", path.name, ", ".join(recipients), settings.smtp_host)
    return Delivery(path=path, recipients=recipients, sent=sent, subject=str(msg["Subject"]))
