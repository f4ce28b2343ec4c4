"""Words around the protocol in Russian and English: section labels, dates, default notes.

Russian and English are both first-class; any other language gets English labels (the protocol's own
content is never translated).
"""

from __future__ import annotations

import datetime as dt
import re

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
        "draft_note": "требует проверки и согласования сторонами.",
        "heading": "ПРОТОКОЛ ПЕРЕГОВОРОВ",
        "between": "между",
        "and": "и",
        "page": "Стр.",
        "page_of": "из",
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
        "flag_issue": "Вопрос",
        "flag_agreement": "Договорённость",
        "flag_next_step": "Шаг",
        "approval": "Согласование",
        "party": "Сторона",
        "signature": "Подпись",
        "approval_date": "Дата",
        "approval_note": "Стороны подтверждают договорённости, изложенные в протоколе.",
        "approved_record": "Согласовано: {by} ({date}). Письменное подтверждение хранится с протоколом.",
        "not_assigned": "не назначен",
        "not_set": "не указан",
        "none": "—",
        "none_header": "не указаны",
        "none_participants": "не указаны",
        "none_purpose": "не указаны",
        "none_issues": "не обсуждались",
        "none_agreements": "не зафиксированы",
        "none_next_steps": "не определены",
        "none_closing": "не указано",
        "quote_open": "«",
        "quote_close": "»",
        "date_blank": "«___» __________ 20___ г.",
        "prepared_by": "Подготовлено",
    },
    "en": {
        "default_title": "Meeting protocol",
        "draft_mark": "DRAFT",
        "draft_note": "to be reviewed and confirmed by the parties.",
        "heading": "MEETING PROTOCOL",
        "between": "between",
        "and": "and",
        "page": "Page",
        "page_of": "of",
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
        "flag_issue": "Issue",
        "flag_agreement": "Agreement",
        "flag_next_step": "Next step",
        "approval": "Approval",
        "party": "Party",
        "signature": "Signature",
        "approval_date": "Date",
        "approval_note": "The parties confirm the agreements recorded in this protocol.",
        "approved_record": "Approved by {by} on {date}. The written confirmation is kept with the protocol.",
        "not_assigned": "not assigned",
        "not_set": "not set",
        "none": "—",
        "none_header": "not recorded",
        "none_participants": "not recorded",
        "none_purpose": "not recorded",
        "none_issues": "none discussed",
        "none_agreements": "none recorded",
        "none_next_steps": "none agreed",
        "none_closing": "not recorded",
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


NBSP = "\u00a0"
# "25 ноября 2026 г." must not break before "г." nor between the day and the month.
_RU_YEAR = re.compile(r"(\d{4}) (г\.)")
_RU_DAY_MONTH = re.compile(r"\b(\d{1,2}) (" + "|".join(_RU_MONTHS) + r")\b")


# "г. Москва", "ул. Тверская", "д. 1", "2 млн руб.", "50 %": the abbreviation stays with its word
_RU_ABBREVIATION = re.compile(r"(?<![\w.\u00a0])(г\.|ул\.|д\.|стр\.|корп\.|оф\.) (?=[А-ЯЁA-Z\d])")
_RU_UNIT = re.compile(r"(\d) (млн|млрд|тыс\.|руб\.|%|₽)")


_PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")


def typeset(text: str, language: str | None) -> str:
    """Non-breaking spaces where a printed page must not wrap: phone numbers in any language; in
    Russian also dates, "г.", abbreviations before names and numbers before units."""
    if not text:
        return text
    text = _PHONE.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    if normalize_language(language) != "ru":
        return text
    text = _RU_YEAR.sub(rf"\1{NBSP}\2", text)
    text = _RU_DAY_MONTH.sub(rf"\1{NBSP}\2", text)
    text = _RU_ABBREVIATION.sub(rf"\1{NBSP}", text)
    return _RU_UNIT.sub(rf"\1{NBSP}\2", text)


def quote_organisation(name: str, language: str | None) -> str:
    """Russian names an organisation in «»; one that already carries quotes is left alone."""
    if normalize_language(language) != "ru" or any(q in name for q in "«»\"“”"):
        return name
    return f"«{name}»"


def join_parties(names: list[str], language: str | None) -> str:
    """'A и B', 'A, B и C' / 'A and B'."""
    word = t(language, "and")
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"
