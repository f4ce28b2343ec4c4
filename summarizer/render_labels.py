"""Words around the protocol in Russian and English: section labels, dates, default notes.

Russian and English are both first-class; any other language gets English labels (the protocol's own
content is never translated).
"""

from __future__ import annotations

import datetime as dt

SUPPORTED_LANGUAGES = ("ru", "en")

_RU_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)
_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

LABELS: dict[str, dict[str, str]] = {
    "ru": {
        "default_title": "Протокол переговоров",
        "draft_mark": "ЧЕРНОВИК",
        "draft_note": "Черновик: требует проверки и согласования сторонами.",
        "status_draft": "черновик",
        "status_final": "согласован",
        "version": "Версия",
        "header": "Общие сведения",
        "date": "Дата",
        "time": "Время",
        "place": "Место",
        "platform": "Платформа",
        "organisations": "Организации",
        "participants": "Участники",
        "name": "ФИО",
        "position": "Должность",
        "organisation": "Организация",
        "contacts": "Контакты",
        "side_ours": "Наша сторона",
        "side_client": "Сторона клиента",
        "side_unknown": "Другие участники",
        "purpose_results": "Цель и итоги встречи",
        "purpose": "Цель",
        "results": "Итоги",
        "issues": "Обсуждённые вопросы",
        "summary": "Суть",
        "solutions": "Предложенные решения",
        "issue_open": "открыт",
        "issue_resolved": "решён",
        "agreements": "Договорённости",
        "number": "№",
        "agreement": "Договорённость",
        "responsible": "Ответственный",
        "due": "Срок",
        "agreement_agreed": "согласовано",
        "agreement_disputed": "спорно",
        "agreement_cancelled": "отменено",
        "next_steps": "Дальнейшие шаги",
        "action": "Действие",
        "owner": "Исполнитель",
        "open_questions": "Открытые вопросы",
        "closing": "Заключение",
        "evidence": "Подтверждение из записи",
        "evidence_unverified": "цитата не найдена в записи",
        "evidence_fuzzy": "цитата совпадает неточно",
        "segments": "фрагменты",
        "flags": "Для проверки",
        "approval": "Согласование",
        "party": "Сторона",
        "signature": "Подпись",
        "approval_date": "Дата",
        "approval_note": "Стороны подтверждают договорённости, изложенные в протоколе.",
        "not_assigned": "не назначен",
        "not_set": "не указан",
        "none": "—",
        "quote_open": "«",
        "quote_close": "»",
        "date_blank": "«___» ____________ 20___ г.",
        "prepared_by": "Подготовлено",
    },
    "en": {
        "default_title": "Meeting protocol",
        "draft_mark": "DRAFT",
        "draft_note": "Draft: to be reviewed and confirmed by the parties.",
        "status_draft": "draft",
        "status_final": "approved",
        "version": "Version",
        "header": "Meeting details",
        "date": "Date",
        "time": "Time",
        "place": "Place",
        "platform": "Platform",
        "organisations": "Organisations",
        "participants": "Participants",
        "name": "Name",
        "position": "Position",
        "organisation": "Organisation",
        "contacts": "Contacts",
        "side_ours": "Our side",
        "side_client": "Client side",
        "side_unknown": "Other participants",
        "purpose_results": "Purpose and results",
        "purpose": "Purpose",
        "results": "Results",
        "issues": "Issues discussed",
        "summary": "Summary",
        "solutions": "Possible solutions",
        "issue_open": "open",
        "issue_resolved": "resolved",
        "agreements": "Agreements",
        "number": "#",
        "agreement": "Agreement",
        "responsible": "Responsible",
        "due": "Due",
        "agreement_agreed": "agreed",
        "agreement_disputed": "disputed",
        "agreement_cancelled": "cancelled",
        "next_steps": "Next steps",
        "action": "Action",
        "owner": "Owner",
        "open_questions": "Open questions",
        "closing": "Closing",
        "evidence": "Evidence from the recording",
        "evidence_unverified": "quote not found in the recording",
        "evidence_fuzzy": "quote matches only approximately",
        "segments": "segments",
        "flags": "For the reviewer",
        "approval": "Approval",
        "party": "Party",
        "signature": "Signature",
        "approval_date": "Date",
        "approval_note": "The parties confirm the agreements recorded in this protocol.",
        "not_assigned": "not assigned",
        "not_set": "not set",
        "none": "—",
        "quote_open": "“",
        "quote_close": "”",
        "date_blank": "____ / ____ / ________",
        "prepared_by": "Prepared by",
    },
}

_DISCLAIMERS = {
    "ru": "Протокол фиксирует договорённости сторон и не заменяет договор.",
    "en": "This protocol records the parties' agreements and does not replace a contract.",
}

_LANGUAGE_TAGS = {"ru": "ru-RU", "en": "en-US"}


def normalize_language(language: str | None) -> str:
    """'ru', 'RU', 'ru-RU', 'ru_RU' -> 'ru'; unknown or missing -> 'en'."""
    code = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED_LANGUAGES else "en"


def language_tag(language: str | None) -> str:
    return _LANGUAGE_TAGS[normalize_language(language)]


def t(language: str | None, key: str) -> str:
    """One label; a missing key is a programming error, so it raises ``KeyError``."""
    return LABELS[normalize_language(language)][key]


def default_disclaimer(language: str | None) -> str:
    return _DISCLAIMERS[normalize_language(language)]


def format_date(value: dt.date, language: str | None) -> str:
    """'25 ноября 2026 г.' / '25 November 2026'."""
    if normalize_language(language) == "ru":
        return f"{value.day} {_RU_MONTHS[value.month - 1]} {value.year} г."
    return f"{value.day} {_EN_MONTHS[value.month - 1]} {value.year}"


def format_time_range(start: dt.time | None, end: dt.time | None) -> str:
    if start and end:
        return f"{start:%H:%M}–{end:%H:%M}"
    if start:
        return f"{start:%H:%M}"
    return f"{end:%H:%M}" if end else ""
