"""DOCX output opened back with python-docx: tables, marks, properties and the atomic write."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor
from render_samples import HOSTILE, english_protocol, russian_protocol, russian_transcript

from summarizer.config import Settings
from summarizer.render.document import RenderError, write_docx
from summarizer.schema import Protocol


def _tables(path: Path) -> list[list[list[str]]]:
    document = docx.Document(str(path))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def _table_starting(tables: list[list[list[str]]], first_cell: str) -> list[list[str]]:
    for table in tables:
        if table and table[0] and table[0][0] == first_cell:
            return table
    raise AssertionError(f"no table starts with {first_cell!r}: {tables}")


def test_docx_russian_detailed_draft(tmp_path: Path) -> None:
    path = tmp_path / "протокол.docx"
    write_docx(russian_protocol(), path, settings=Settings(company="ООО «Ромашка»"), version=2,
               transcript=russian_transcript())
    document = docx.Document(str(path))
    assert document.core_properties.title == "Переговоры о внедрении CRM"
    assert document.core_properties.language == "ru-RU"
    assert document.core_properties.author == "ООО «Ромашка»"
    assert [p.text for p in document.sections[0].header.paragraphs] == ["ЧЕРНОВИК"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    tables = _tables(path)
    assert _table_starting(tables, "Дата") == [
        ["Дата", "25\u00a0ноября 2026\u00a0г."],  # non-breaking: never wraps before "г."
        ["Время", "10:00–11:30"],
        ["Место", "Москва, ул.\u00a0Тверская, 1"],
        ["Платформа", "Zoom"],
        ["Организации", "ООО «Ромашка», АО «Вектор»"],
    ]
    participants = _table_starting(tables, "ФИО")
    assert participants[0] == ["ФИО", "Должность", "Организация", "Контакты"]
    petrov = ["Иван Петров", "Менеджер проекта", "ООО «Ромашка»",
              "petrov@romashka.ru, +7\u00a0900\u00a0000-00-01"]  # a phone number never wraps
    assert petrov in participants
    assert ["Мария Сидорова", "Финансовый директор", "АО «Вектор»", "sidorova@vector.ru"] in participants
    assert ["АО «Вектор»"] * 4 in participants  # the merged group row naming the client side
    assert _table_starting(tables, "№")[1:] == [
        ["1", "Подготовить коммерческое предложение на пилот", "Иван Петров",
         "27\u00a0ноября 2026\u00a0г.\n«до пятницы»"],
        ["2", "Согласовать доступ к тестовой базе 1С", "не назначен", "не указан"],
    ]
    steps = [t for t in tables if t[0] == ["№", "Действие", "Исполнитель", "Срок"]]
    assert steps[0][1] == [
        "1", "Созвониться по итогам КП", "Мария Сидорова", "2\u00a0декабря 2026\u00a0г.\n«в следующую среду»"
    ]
    approval = _table_starting(tables, "Сторона")
    assert approval[0] == ["Сторона", "ФИО", "Подпись", "Дата"]
    assert [row[0] for row in approval[1:]] == ["ООО «Ромашка»", "АО «Вектор»"]

    text = _text(path)
    assert text.startswith("ЧЕРНОВИК — ")
    assert "Версия 2" in text
    assert "4.1. Сроки интеграции с 1С (открыт)" in text
    assert "Перенести интеграцию на второй этап" in text
    assert "[00:03:41] Мария Сидорова: «обновление 1С у нас в декабре» (фрагменты s0003)" in text
    assert "[00:25:01] SPEAKER_01: «созвонимся в следующую среду»" in text
    assert "Кто со стороны клиента подписывает акт?" in text
    assert "Стороны подвели итоги и поблагодарили друг друга за встречу." in text
    assert "Протокол фиксирует договорённости сторон и не заменяет договор." in text
    # reviewer notes name the row as the reader sees it, without internal ids or codes
    assert "Для проверки" in text and "⚠ Договорённость №2: Не назван ответственный" in text
    assert "[no_owner]" not in text and "(a2)" not in text
    assert not list(tmp_path.glob("*.part"))


def test_docx_russian_brief_approved(tmp_path: Path) -> None:
    path = tmp_path / "brief.docx"
    write_docx(russian_protocol(), path, level="brief", settings=Settings(), status="approved")
    document = docx.Document(str(path))
    assert all(not p.text for p in document.sections[0].header.paragraphs)
    text = _text(path)
    assert "ЧЕРНОВИК" not in text and "Для проверки" not in text
    assert "ООО «Ромашка»: Иван Петров" in text and "АО «Вектор»: Мария Сидорова" in text
    assert "Стороны подвели итоги" in text
    assert "Сроки интеграции с 1С (открыт)" in text  # brief: the title, no summary or quotes
    for detail in ("обновление 1С у нас в декабре", "[00:03:41]", "Клиент опасается", "Открытые вопросы"):
        assert detail not in text, detail
    tables = _tables(path)
    assert not any(t[0][0] == "ФИО" for t in tables)  # brief: names only, no contacts table
    agreement = _table_starting(tables, "№")[1]
    assert agreement[1:3] == ["Подготовить коммерческое предложение на пилот", "Иван Петров"]
    assert "ЧЕРНОВИК" not in (document.core_properties.keywords or "")


def test_docx_english_both_levels(tmp_path: Path) -> None:
    detailed = tmp_path / "detailed.docx"
    write_docx(english_protocol(), detailed, settings=Settings())
    document = docx.Document(str(detailed))
    assert document.core_properties.language == "en-US"
    assert document.core_properties.title == "Website redesign kick-off"
    assert [p.text for p in document.sections[0].header.paragraphs] == ["DRAFT"]
    tables = _tables(detailed)
    alice = ["Alice Brown", "CMO", "Globex", "+44\u00a020\u00a00000\u00a00000"]
    assert alice in _table_starting(tables, "Name")
    assert _table_starting(tables, "#")[1] == [
        "1", "Send the sitemap proposal", "John Smith", "30 November 2026\n“by end of month”"
    ]
    assert [row[0] for row in _table_starting(tables, "Party")] == ["Party", "Acme Ltd", "Globex"]
    text = _text(detailed)
    assert "[00:01:35] Alice Brown: “we have about four hundred pages”" in text
    assert "This protocol records the parties' agreements and does not replace a contract." in text

    brief = tmp_path / "brief.docx"
    write_docx(english_protocol(), brief, level="brief", settings=Settings(), status="final")
    text = _text(brief)
    assert "DRAFT" not in text and "four hundred pages" not in text
    assert "Acme Ltd: John Smith" in text and "John thanked everyone" in text
    steps = [t for t in _tables(brief) if t[0] == ["#", "Action", "Owner", "Due"]]
    assert steps[0][1] == ["1", "Book the design workshop", "Alice Brown", "not set"]


def test_docx_keeps_hostile_text_and_drops_xml_invalid_characters(tmp_path: Path) -> None:
    protocol = russian_protocol()
    protocol.agreements[0].text = HOSTILE + "\x00\x0b end"
    path = tmp_path / "hostile.docx"
    write_docx(protocol, path, settings=Settings())
    assert _table_starting(_tables(path), "№")[1][1] == HOSTILE + " end"


def test_docx_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "protocol.docx"
    path.write_bytes(b"the reviewer's previous file")

    def failing_save(self: object, target: str) -> None:
        Path(target).write_bytes(b"half a docume")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("docx.document.Document.save", failing_save)
    with pytest.raises(RenderError, match="No space left on device"):
        write_docx(russian_protocol(), path, settings=Settings())
    assert path.read_bytes() == b"the reviewer's previous file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["protocol.docx"]


def test_docx_into_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="does not exist"):
        write_docx(russian_protocol(), tmp_path / "nope" / "p.docx", settings=Settings())


# -- what a printed page looks like -------------------------------------------------------------------
def test_docx_title_block_fonts_and_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "p.docx"
    write_docx(russian_protocol(), path, settings=Settings(), version=2)
    document = docx.Document(str(path))
    paragraphs = [p for p in document.paragraphs if p.text]
    texts = [p.text for p in paragraphs]
    start = texts.index("ПРОТОКОЛ ПЕРЕГОВОРОВ")
    assert texts[start:start + 4] == [
        "ПРОТОКОЛ ПЕРЕГОВОРОВ", "Переговоры о внедрении CRM", "между ООО «Ромашка» и АО «Вектор»", "Версия 2"
    ]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.CENTER for p in paragraphs[start:start + 4])

    # one font with Cyrillic in every script slot, no theme fonts for Word to substitute
    for name in ("Normal", "Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Arial"}, name
        assert fonts.get(qn("w:asciiTheme")) is None, name
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0, 0, 0)

    footer = document.sections[0].footer.paragraphs[0]
    fields = [f.get(qn("w:instr")) for f in footer._p.findall(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Стр. ") and " из " in footer.text


@pytest.mark.parametrize("level", ["brief", "detailed"])
def test_docx_sections_are_numbered_one_to_seven_at_both_levels(tmp_path: Path, level: str) -> None:
    path = tmp_path / f"{level}.docx"
    write_docx(russian_protocol(), path, level=level, settings=Settings())  # type: ignore[arg-type]
    headings = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Heading 1"]
    numbered = [h for h in headings if h[0].isdigit()]
    assert numbered == [
        "1. Общие сведения", "2. Участники", "3. Цель и итоги встречи", "4. Обсуждённые вопросы",
        "5. Договорённости", "6. Дальнейшие шаги", "7. Заключение",
    ]
    assert [h for h in headings if not h[0].isdigit()] == (
        ["Согласование", "Для проверки"] if level == "detailed" else ["Согласование"]
    )
    text = _text(path)
    if level == "detailed":  # open questions belong to the issues, numbered after them
        assert "4.2. Открытые вопросы" in text


def test_docx_tables_have_fixed_widths_and_repeat_their_header(tmp_path: Path) -> None:
    path = tmp_path / "p.docx"
    write_docx(russian_protocol(), path, settings=Settings())
    document = docx.Document(str(path))
    agreements = next(t for t in document.tables if t.rows[0].cells[1].text == "Договорённость")
    grid = [int(c.get(qn("w:w"))) for c in agreements._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert max(grid) == grid[1] and grid[1] > 2 * grid[2]  # the agreement text gets the room
    assert sum(grid) <= Mm(174).twips  # fits between the margins
    assert [e.get(qn("w:type")) for e in agreements._tbl.tblPr.findall(qn("w:tblLayout"))] == ["fixed"]
    assert agreements.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    participants = next(t for t in document.tables if t.rows[0].cells[0].text == "ФИО")
    assert all(tc.width is not None for row in participants.rows for tc in row._tr.tc_lst)
    # the signature block never splits from its header
    approval = next(t for t in document.tables if t.rows[0].cells[0].text == "Сторона")
    assert all(p.paragraph_format.keep_with_next for row in approval.rows[:-1]
               for cell in row.cells for p in cell.paragraphs)


def test_docx_evidence_is_captioned_once_per_table(tmp_path: Path) -> None:
    path = tmp_path / "p.docx"
    write_docx(russian_protocol(), path, settings=Settings(), transcript=russian_transcript())
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any(t.startswith("Подтверждение из записи (") for t in texts)
    assert "№1\t[00:05:05] Иван Петров: «пришлю КП до пятницы» (фрагменты s0005)" in texts


def test_docx_empty_sections_say_so_in_words(tmp_path: Path) -> None:
    for lang, expected in (
        ("ru", ["не указаны", "не указаны", "не указаны", "не обсуждались", "не зафиксированы",
                "не определены", "не указано"]),
        ("en", ["not recorded", "not recorded", "not recorded", "none discussed", "none recorded",
                "none agreed", "not recorded"]),
    ):
        path = tmp_path / f"empty-{lang}.docx"
        write_docx(Protocol(language=lang), path, settings=Settings())
        paragraphs = docx.Document(str(path)).paragraphs
        after_heading = [
            paragraphs[i + 1].text for i, p in enumerate(paragraphs)
            if p.style.name == "Heading 1" and p.text[0].isdigit()
        ]
        assert after_heading == expected, lang
        assert not any(p.text.strip() == "—" for p in paragraphs)
