"""People a model reports are facts like any other: a contact, position or organisation it gives
must be said in the transcript, or it is dropped and flagged (the 1.5B gave every participant an
e-mail, though one was said)."""

from __future__ import annotations

import re

from summarizer.extract.evidence import normalise_text
from summarizer.extract.participants import find_contacts
from summarizer.extract.support import check_support
from summarizer.schema import Flag
from summarizer.transcript import Transcript

_MESSAGES = {
    "ru": "{field} «{value}» для {name} не прозвучал(а) в расшифровке — не добавлено.",
    "en": "{field} \"{value}\" for {name} is not said in the transcript — not added.",
}
_FIELDS = {
    "ru": {"email": "E-mail", "phone": "Телефон", "position": "Должность", "organisation": "Организация"},
    "en": {"email": "E-mail", "phone": "Phone", "position": "Position", "organisation": "Organisation"},
}


class TranscriptFacts:
    """What the transcript says, indexed once: e-mails (written or dictated), phone digits, words."""

    def __init__(self, transcript: Transcript) -> None:
        self.texts = [seg.text for seg in transcript.segments]
        self.emails = {value for text in self.texts
                       for kind, value, _ in find_contacts(text) if kind == "email"}
        self.lower = "\n".join(self.texts).lower()
        self.digits = [re.sub(r"\D", "", text) for text in self.texts]

    def has_email(self, email: str) -> bool:
        value = email.strip().lower().rstrip(".")
        return bool(value) and (value in self.emails or value in self.lower)

    def has_phone(self, phone: str) -> bool:
        digits = re.sub(r"\D", "", phone)
        if len(digits) < 5:
            return False
        # "8 916…" and "+7 916…" are one number; compare without the country prefix
        tail = digits[-10:] if len(digits) > 10 else digits
        return any(tail in d for d in self.digits)

    def has_words(self, text: str) -> bool:
        if normalise_text(text) in normalise_text(self.lower):
            return True
        return check_support(text, self.texts).supported


def checked_value(
    field: str, value: str | None, name: str, facts: TranscriptFacts, language: str
) -> tuple[str | None, Flag | None]:
    """``value`` if the transcript says it, else ``None`` and a ``contact_unsupported`` flag."""
    if not value or not value.strip():
        return None, None
    value = value.strip()
    ok = (facts.has_email(value) if field == "email" else facts.has_phone(value) if field == "phone"
          else facts.has_words(value))
    if ok:
        return value, None
    lang = "ru" if language.startswith("ru") else "en"
    message = _MESSAGES[lang].format(field=_FIELDS[lang][field], value=value, name=name)
    return None, Flag(code="contact_unsupported", message=message)
