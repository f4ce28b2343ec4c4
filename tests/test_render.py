"""Markdown, HTML, JSON and e-mail rendering of protocols built directly from the schema."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from render_samples import HOSTILE, english_protocol, russian_protocol, russian_transcript

from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.render.document import (
    RenderError,
    protocol_labels,
    render_email_body,
    render_protocol,
    t,
)
from summarizer.render.labels import format_date, normalize_language
from summarizer.schema import Evidence, Protocol

RU_QUOTE = "обновление 1С у нас в декабре"
EN_QUOTE = "we have about four hundred pages"


def _settings(**kw: object) -> Settings:
    return Settings(**kw)  # type: ignore[arg-type]


# -- labels and dates ---------------------------------------------------------------------------------
def test_dates_are_formatted_per_language() -> None:
    assert format_date(dt.date(2026, 11, 25), "ru") == "25 ноября 2026 г."
    assert format_date(dt.date(2026, 3, 8), "ru") == "8 марта 2026 г."
    assert format_date(dt.date(2026, 5, 1), "ru-RU") == "1 мая 2026 г."
    assert format_date(dt.date(2026, 11, 25), "en") == "25 November 2026"
    assert format_date(dt.date(2026, 1, 2), "de") == "2 January 2026"


def test_labels_fall_back_to_english() -> None:
    assert normalize_language("RU_ru") == "ru"
    assert normalize_language(None) == "en"
    assert t("ru", "agreements") == "Договорённости"
    assert t("fr", "agreements") == "Agreements"
    labels = protocol_labels("ru")
    assert labels["draft_mark"] == "ЧЕРНОВИК"
    labels["draft_mark"] = "changed"  # a copy: callers cannot change the shared labels
    assert t("ru", "draft_mark") == "ЧЕРНОВИК"
    assert set(protocol_labels("ru")) == set(protocol_labels("en"))


# -- Markdown -----------------------------------------------------------------------------------------
def test_markdown_russian_detailed_draft() -> None:
    md = render_protocol(
        russian_protocol(),
        "md",
        settings=_settings(company="ООО «Ромашка»"),
        transcript=russian_transcript(),
        version=2,
    )
    assert md.startswith("**ЧЕРНОВИК**")
    assert "# Переговоры о внедрении CRM" in md
    assert "Версия 2" in md
    assert "- **Дата:** 25 ноября 2026 г." in md
    assert "- **Время:** 10:00–11:30" in md
    assert "Москва, ул. Тверская, 1" in md and "Zoom" in md
    # participants grouped by side, with position, organisation and contacts
    assert "### ООО «Ромашка»" in md and "### АО «Вектор»" in md
    assert "| Иван Петров | Менеджер проекта | ООО «Ромашка» | petrov@romashka.ru, +7 900 000-00-01 |" in md
    assert "| Мария Сидорова | Финансовый директор | АО «Вектор» | sidorova@vector.ru |" in md
    assert "**Цель:** Согласовать сроки пилотного внедрения" in md
    assert "- Бюджет согласован в пределах 2 млн руб." in md
    assert "### 4.1. Сроки интеграции с 1С (открыт)" in md
    assert "- Перенести интеграцию на второй этап" in md
    row = (
        "| 1 | Подготовить коммерческое предложение на пилот | Иван Петров "
        "| 27 ноября 2026 г. («до пятницы») |"
    )
    assert row in md
    assert "| 2 | Согласовать доступ к тестовой базе 1С | не назначен | не указан |" in md
    assert "| 1 | Созвониться по итогам КП | Мария Сидорова | 2 декабря 2026 г. («в следующую среду») |" in md
    # evidence with timestamps; the next step's quote has no start: it comes from the transcript
    assert f"> [00:03:41] Мария Сидорова: «{RU_QUOTE}» (фрагменты s0003)" in md
    assert "> [00:05:05] Иван Петров: «пришлю КП до пятницы»" in md
    assert "> [00:25:01] SPEAKER_01: «созвонимся в следующую среду»" in md
    assert "- Кто со стороны клиента подписывает акт?" in md
    assert "## 7. Заключение" in md
    assert "Стороны подвели итоги и поблагодарили друг друга за встречу." in md
    assert "*Протокол фиксирует договорённости сторон и не заменяет договор.*" in md
    assert "## Согласование" in md
    assert "| ООО «Ромашка» | | | |" in md and "| АО «Вектор» | | | |" in md
    assert "## Для проверки" in md
    assert "Не назван ответственный (a2) `no_owner`" in md
    assert "Спикер SPEAKER_02 не опознан" in md
    assert "\n\n\n" not in md


def test_markdown_russian_brief_omits_details() -> None:
    md = render_protocol(russian_protocol(), "md", level="brief", settings=_settings())
    assert "ЧЕРНОВИК" in md
    assert "25 ноября 2026 г." in md
    assert "- **ООО «Ромашка»:** Иван Петров" in md
    assert "- **АО «Вектор»:** Мария Сидорова" in md
    assert "Подготовить коммерческое предложение на пилот | Иван Петров | 27 ноября 2026 г." in md
    assert "Созвониться по итогам КП" in md
    assert "Стороны подвели итоги" in md
    # the same seven numbered parts as the detailed protocol, each shorter
    assert "## 3. Цель и итоги встречи" in md and "**Цель:** Согласовать сроки пилотного внедрения" in md
    assert "## 4. Обсуждённые вопросы" in md and "- Сроки интеграции с 1С (открыт)" in md
    assert "## 5. Договорённости" in md and "## 6. Дальнейшие шаги" in md and "## 7. Заключение" in md
    details = (RU_QUOTE, "[00:03:41]", "пришлю КП до пятницы", "Финансовый директор", "sidorova@vector.ru",
               "Клиент опасается", "Перенести интеграцию", "Открытые вопросы", "Для проверки")
    for detail in details:
        assert detail not in md, detail


def test_markdown_approved_has_no_draft_mark_or_reviewer_flags() -> None:
    md = render_protocol(russian_protocol(), "md", settings=_settings(), status="approved", version=4)
    assert "ЧЕРНОВИК" not in md and "Черновик" not in md
    assert "Версия 4 · согласован" in md
    assert "Для проверки" not in md and "no_owner" not in md
    assert RU_QUOTE in md  # evidence stays: every item remains provable
    final = render_protocol(russian_protocol(), "md", settings=_settings(), status="final")
    assert "ЧЕРНОВИК" not in final
    for status in ("draft", "review", "sent", "rejected"):
        assert "ЧЕРНОВИК" in render_protocol(russian_protocol(), "md", settings=_settings(), status=status)


def test_markdown_english_both_levels() -> None:
    detailed = render_protocol(english_protocol(), "md", settings=_settings())
    assert detailed.startswith("**DRAFT**")
    assert "- **Date:** 25 November 2026" in detailed
    assert "- **Platform:** Google Meet" in detailed
    assert "| John Smith | Account manager | Acme Ltd | john@acme.test |" in detailed
    assert "| Alice Brown | CMO | Globex | +44 20 0000 0000 |" in detailed
    assert "### 4.1. Content migration (resolved)" in detailed
    assert "- Migrate only the top 50 pages" in detailed
    assert "| 1 | Send the sitemap proposal | John Smith | 30 November 2026 (“by end of month”) |" in detailed
    assert "| 1 | Book the design workshop | Alice Brown | not set |" in detailed
    assert f"> [00:01:35] Alice Brown: “{EN_QUOTE}”" in detailed
    assert "> [01:01:41] John Smith: “I'll send the sitemap by end of month”" in detailed
    assert "This protocol records the parties' agreements and does not replace a contract." in detailed
    assert "| Acme Ltd | | | |" in detailed and "| Globex | | | |" in detailed

    brief = render_protocol(english_protocol(), "md", level="brief", settings=_settings(), status="approved")
    assert "DRAFT" not in brief
    assert "- **Acme Ltd:** John Smith" in brief
    assert "Send the sitemap proposal | John Smith | 30 November 2026" in brief
    assert "Book the design workshop" in brief
    assert "John thanked everyone" in brief
    assert "- Content migration (resolved)" in brief and "400 legacy pages" not in brief
    assert EN_QUOTE not in brief and "[01:01:41]" not in brief and "top 50 pages" not in brief


def test_unknown_language_gets_english_labels_and_settings_override_texts() -> None:
    protocol = english_protocol()
    protocol.language = "de"
    settings = _settings(disclaimer="Nur zur Information.", company="Acme")
    md = render_protocol(protocol, "md", settings=settings)
    assert "## 5. Agreements" in md and "DRAFT" in md
    assert "*Nur zur Information.*" in md and "does not replace a contract" not in md
    assert md.splitlines()[2] == "Acme"
    ru_labels = render_protocol(english_protocol(), "md", settings=_settings(output_language="ru"))
    assert "## 5. Договорённости" in ru_labels and "Send the sitemap proposal" in ru_labels
    assert "30 ноября 2026 г." in ru_labels


def test_evidence_without_transcript_and_unverified_note() -> None:
    protocol = russian_protocol()
    protocol.agreements[1].evidence = [
        Evidence(segment_ids=["s0099"], quote="доступ дадим", status="unverified")
    ]
    md = render_protocol(protocol, "md", settings=_settings())
    # no transcript: the next step's quote has no time, but its segment id still points at the source
    assert "> «созвонимся в следующую среду» (фрагменты s0007)" in md
    assert "> «доступ дадим» (фрагменты s0099) — ⚠ цитата не найдена в записи" in md


def test_markdown_keeps_hostile_text_literal() -> None:
    protocol = russian_protocol()
    protocol.agreements[0].text = HOSTILE + " | extra cell"
    protocol.closing = HOSTILE
    md = render_protocol(protocol, "md", settings=_settings())
    assert re.search(r"(?<!\\)<", md) is None  # every "<" is escaped, so no raw HTML reaches a viewer
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert "\\| extra cell" in md


def test_empty_protocol_renders() -> None:
    for fmt in ("md", "html"):
        for level in ("brief", "detailed"):
            out = render_protocol(Protocol(language="en"), fmt, level=level, settings=_settings())  # type: ignore[arg-type]
            assert "Meeting protocol" in out and "DRAFT" in out and "Our side" in out


# -- HTML ---------------------------------------------------------------------------------------------
def test_html_russian_detailed_is_standalone_and_printable() -> None:
    html = render_protocol(russian_protocol(), "html", settings=_settings(company="ООО «Ромашка»"),
                           transcript=russian_transcript())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="ru">' in html
    assert "@page { size: A4;" in html and "<style>" in html and "<link" not in html and "<script" not in html
    assert "<title>ЧЕРНОВИК: Переговоры о внедрении CRM — 25 ноября 2026 г.</title>" in html
    assert '<div class="draft-banner">ЧЕРНОВИК' in html
    assert "<tr><td>Иван Петров</td><td>Менеджер проекта</td><td>ООО «Ромашка»</td>" in html
    assert "<td>Иван Петров</td>" in html and "Подготовить коммерческое предложение на пилот" in html
    # a printed date never wraps between the day and the month or before "г."
    due = '<span class="nowrap">27\u00a0ноября 2026\u00a0г.</span><br><span class="meta">«до пятницы»</span>'
    assert due in html
    assert '<span class="ts">[00:03:41]</span>' in html and f"<q>{RU_QUOTE}</q>" in html
    assert "Для проверки" in html
    assert "<li>⚠ <strong>Договорённость №2:</strong> Не назван ответственный</li>" in html
    assert "no_owner" not in html
    assert "Протокол фиксирует договорённости сторон и не заменяет договор." in html


def test_html_brief_and_approved() -> None:
    html = render_protocol(english_protocol(), "html", level="brief", settings=_settings(), status="approved")
    assert '<html lang="en">' in html
    assert "DRAFT" not in html and "draft-banner\">" not in html
    assert "<strong>Acme Ltd:</strong> John Smith" in html
    assert "Send the sitemap proposal" in html and "30 November 2026" in html and "by end of month" in html
    assert EN_QUOTE not in html and "[00:01:35]" not in html and "CMO" not in html
    draft = render_protocol(english_protocol(), "html", level="detailed", settings=_settings())
    assert "DRAFT" in draft and EN_QUOTE in draft and "[00:01:35]" in draft and "<td>CMO</td>" in draft


def test_html_escapes_hostile_transcript_text() -> None:
    protocol = russian_protocol()
    protocol.header.title = HOSTILE
    protocol.header.place = HOSTILE
    protocol.participants[0].name = HOSTILE
    protocol.agreements[0].text = HOSTILE
    protocol.agreements[0].evidence[0].quote = HOSTILE
    protocol.issues[0].solutions = [HOSTILE]
    protocol.closing = HOSTILE
    html = render_protocol(protocol, "html", settings=_settings(company=HOSTILE, disclaimer=HOSTILE))
    assert "<script>" not in html
    assert "<img" not in html
    assert '"><img' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert html.count("&lt;script&gt;") >= 8


# -- JSON ---------------------------------------------------------------------------------------------
def test_json_is_the_protocol() -> None:
    protocol = russian_protocol()
    text = render_protocol(protocol, "json", settings=_settings(), status="approved")
    assert Protocol.model_validate_json(text) == protocol
    assert '"due_phrase": "до пятницы"' in text  # readable Cyrillic, not \u escapes


def test_unknown_format_and_level_are_clear_errors() -> None:
    with pytest.raises(RenderError, match="unknown output format 'pdf'"):
        render_protocol(russian_protocol(), "pdf", settings=_settings())  # type: ignore[arg-type]
    with pytest.raises(RenderError, match="unknown detail level"):
        render_protocol(russian_protocol(), "md", level="full", settings=_settings())  # type: ignore[arg-type]


# -- user templates -----------------------------------------------------------------------------------
def test_user_template_overrides_builtin(tmp_path: Path) -> None:
    (tmp_path / "protocol.md.j2").write_text(
        "{{ company }} / {{ title }} / "
        "{% for a in agreements %}{{ a.text }} @ {{ a.due.date }};{% endfor %}\n",
        encoding="utf-8",
    )
    settings = _settings(templates_dir=tmp_path, company="Acme")
    md = render_protocol(russian_protocol(), "md", settings=settings)
    assert md == (
        "Acme / Переговоры о внедрении CRM / "
        "Подготовить коммерческое предложение на пилот @ 27 ноября 2026 г.;"
        "Согласовать доступ к тестовой базе 1С @ ;\n"
    )
    # a language-specific file wins over the generic one; other formats still use the built-ins
    (tmp_path / "protocol.en.md.j2").write_text("EN {{ L.agreements }}\n", encoding="utf-8")
    assert render_protocol(english_protocol(), "md", settings=settings) == "EN Agreements\n"
    assert render_protocol(russian_protocol(), "md", settings=settings).startswith("Acme / ")
    assert "<!DOCTYPE html>" in render_protocol(russian_protocol(), "html", settings=settings)


def test_user_html_override_is_still_autoescaped(tmp_path: Path) -> None:
    (tmp_path / "protocol.html.j2").write_text("<p>{{ closing }}</p>", encoding="utf-8")
    protocol = russian_protocol()
    protocol.closing = HOSTILE
    html = render_protocol(protocol, "html", settings=_settings(templates_dir=tmp_path))
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;</p>"


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ L.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].system('id') }}",
        "{{ self._TemplateReference__context }}",
        "{{ agreements.append(1) }}",
        "{{ L.update({'draft_mark': ''}) }}",
    ],
)
def test_sandbox_blocks_hostile_templates(tmp_path: Path, payload: str) -> None:
    template = tmp_path / "protocol.md.j2"
    template.write_text(f"before {payload} after\n", encoding="utf-8")
    with pytest.raises(RenderError) as info:
        render_protocol(russian_protocol(), "md", settings=_settings(templates_dir=tmp_path))
    assert isinstance(info.value, SummarizerError)
    assert str(template) in info.value.message
    assert "may not do" in info.value.message  # stopped by the sandbox, not by some other failure
    assert "uid=" not in info.value.message


def test_broken_and_missing_templates_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "protocol.md.j2").write_text("line one\n{% if %}\n", encoding="utf-8")
    with pytest.raises(RenderError, match=r"protocol\.md\.j2, line 2"):
        render_protocol(russian_protocol(), "md", settings=_settings(templates_dir=tmp_path))
    (tmp_path / "protocol.md.j2").write_text("{{ no_such_variable }}\n", encoding="utf-8")
    with pytest.raises(RenderError, match="no_such_variable"):
        render_protocol(russian_protocol(), "md", settings=_settings(templates_dir=tmp_path))
    with pytest.raises(RenderError, match="does not exist"):
        render_protocol(russian_protocol(), "md", settings=_settings(templates_dir=tmp_path / "missing"))


# -- e-mail -------------------------------------------------------------------------------------------
def test_email_review_and_final_russian() -> None:
    settings = _settings(company="ООО «Ромашка»")
    subject, body = render_email_body(russian_protocol(), language="ru", kind="review", settings=settings,
                                      version=3)
    assert subject == "Протокол встречи «Переговоры о внедрении CRM» от 25 ноября 2026 г. — на согласование"
    assert body.startswith("Здравствуйте!")
    assert "черновик протокола «Переговоры о внедрении CRM» (версия 3)" in body
    line = (
        "1. Подготовить коммерческое предложение на пилот — Иван Петров, "
        "срок: 27 ноября 2026 г. («до пятницы»)"
    )
    assert line in body
    assert "подтвердите его или пришлите исправления" in body
    assert body.rstrip().endswith("ООО «Ромашка»")
    subject, body = render_email_body(russian_protocol(), language="ru", kind="final", settings=settings)
    assert subject.endswith("— согласованная версия")
    assert "итоговую версию протокола" in body and "Подготовить коммерческое предложение" in body


def test_email_english_and_language_choice() -> None:
    subject, body = render_email_body(russian_protocol(), language="en", kind="review", settings=_settings())
    assert subject == 'Meeting protocol "Переговоры о внедрении CRM" of 25 November 2026 for your review'
    assert "due: 27 November 2026 (“до пятницы”)" in body
    assert body.rstrip().endswith("The project team")
    subject, _ = render_email_body(english_protocol(), kind="final", settings=_settings())
    assert subject == 'Meeting protocol "Website redesign kick-off" of 25 November 2026: approved version'
    with pytest.raises(RenderError, match="unknown e-mail kind"):
        render_email_body(english_protocol(), kind="reminder", settings=_settings())  # type: ignore[arg-type]


def test_email_subject_is_one_line_and_overridable(tmp_path: Path) -> None:
    protocol = english_protocol()
    protocol.header.title = "Kick-off\nBcc: attacker@example.com"
    subject, _ = render_email_body(protocol, kind="review", settings=_settings())
    assert "\n" not in subject and "Kick-off Bcc:" in subject
    template = tmp_path / "email_review.en.txt.j2"
    template.write_text("Subject: Please review {{ title }}\n\nHi!\n", encoding="utf-8")
    settings = _settings(templates_dir=tmp_path)
    subject, body = render_email_body(english_protocol(), kind="review", settings=settings)
    assert subject == "Please review Website redesign kick-off"
    assert body == "Hi!\n"


def test_email_subject_without_a_title_does_not_repeat_itself() -> None:
    from summarizer.schema import MeetingHeader, Protocol

    for lang, expected in (("ru", "Протокол встречи от 25 ноября 2026 г. — на согласование"),
                           ("en", "Meeting protocol of 25 November 2026 for your review")):
        protocol = Protocol(language=lang, header=MeetingHeader(date=dt.date(2026, 11, 25)))
        subject, body = render_email_body(protocol, kind="review", settings=_settings())
        assert subject == expected
        assert '""' not in body and "«»" not in body


# -- how a manager reads the printed page -------------------------------------------------------------
def test_russian_typography_helpers() -> None:
    from summarizer.render.labels import join_parties, quote_organisation, typeset

    assert typeset("до 27 ноября 2026 г. и 3 мая", "ru") == "до 27\u00a0ноября 2026\u00a0г. и 3\u00a0мая"
    assert typeset("27 November 2026", "en") == "27 November 2026"
    assert typeset("call +44 20 0000 0000 or (495) 123-45-67", "en") == (
        "call +44\u00a020\u00a00000\u00a00000 or (495)\u00a0123-45-67"
    )
    assert quote_organisation("Северный путь", "ru") == "«Северный путь»"
    assert quote_organisation("ООО «Ромашка»", "ru") == "ООО «Ромашка»"
    assert quote_organisation("Acme Ltd", "en") == "Acme Ltd"
    assert join_parties(["«А»", "«Б»", "«В»"], "ru") == "«А», «Б» и «В»"
    assert typeset("г. Москва, ул. Тверская, д. 1", "ru") == "г.\u00a0Москва, ул.\u00a0Тверская, д.\u00a01"
    assert typeset("до 2 млн руб., скидка 5 %", "ru") == "до 2\u00a0млн руб., скидка 5\u00a0%"
    assert typeset("25 ноября 2026 г. в 10:00", "ru") == "25\u00a0ноября 2026\u00a0г. в 10:00"
    assert join_parties(["Acme", "Globex"], "en") == "Acme and Globex"


@pytest.mark.parametrize("level", ["brief", "detailed"])
def test_html_heading_parties_and_seven_numbered_sections(level: str) -> None:
    html = render_protocol(russian_protocol(), "html", level=level, settings=_settings())  # type: ignore[arg-type]
    assert "<h1>ПРОТОКОЛ ПЕРЕГОВОРОВ</h1>" in html
    assert '<p class="subtitle">Переговоры о внедрении CRM</p>' in html
    assert '<p class="parties">между ООО «Ромашка» и АО «Вектор»</p>' in html
    numbered = re.findall(r"<h2>(\d)\. ", html)
    assert numbered == ["1", "2", "3", "4", "5", "6", "7"]
    assert "counter(page)" in html and "counter(pages)" in html  # page numbers when printed
    assert "Стр." in html
    assert ("Открытые вопросы" in html) == (level == "detailed")


def test_default_title_is_not_repeated_under_the_heading() -> None:
    protocol = english_protocol()
    protocol.header.title = None
    html = render_protocol(protocol, "html", settings=_settings())
    assert "<h1>MEETING PROTOCOL</h1>" in html and 'class="subtitle"' not in html
    assert '<p class="parties">between Acme Ltd and Globex</p>' in html


def test_empty_sections_say_so_instead_of_a_dash() -> None:
    for fmt in ("md", "html"):
        out = render_protocol(Protocol(language="ru"), fmt, settings=_settings())  # type: ignore[arg-type]
        for words in ("не обсуждались", "не зафиксированы", "не определены"):
            assert words in out, (fmt, words)
        assert "<p>—</p>" not in out and "\n—\n" not in out


def test_due_phrase_that_repeats_the_date_is_not_shown_twice() -> None:
    protocol = russian_protocol()
    protocol.agreements[0].due_date = dt.date(2026, 12, 20)
    protocol.agreements[0].due_phrase = "20 декабря"
    md = render_protocol(protocol, "md", settings=_settings())
    assert "| 20 декабря 2026 г. |" in md and "(«20 декабря»)" not in md


def test_email_agreement_lines_read_as_sentences() -> None:
    protocol = russian_protocol()
    protocol.agreements[1].text = "Согласовать доступ к тестовой базе 1С."
    _, body = render_email_body(protocol, language="ru", kind="review", settings=_settings())
    assert "2. Согласовать доступ к тестовой базе 1С — ответственный не назначен, срок: не указан" in body
    _, body = render_email_body(protocol, language="en", kind="final", settings=_settings())
    assert "2. Согласовать доступ к тестовой базе 1С — responsible: not assigned, due: not set" in body
