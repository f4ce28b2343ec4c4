"""The protocol as a Word document, built with python-docx from the same view as the templates.

``summarizer.render.document.write_docx`` is the public entry point; this module only lays the view out.
python-docx is imported lazily by callers (this module is imported on demand only).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import tempfile
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from summarizer.errors import RenderError
from summarizer.render.labels import language_tag, typeset

log = logging.getLogger(__name__)

_RED = RGBColor(0xB0, 0x00, 0x00)
_GREY = RGBColor(0x55, 0x55, 0x55)


def write_protocol_docx(view: dict[str, Any], path: Path) -> None:
    """Lay out ``view`` (from ``render.document.build_view``) and save it atomically at ``path``."""
    document = build_document(view)
    save_atomically(document, path)


def save_atomically(document: Any, path: Path) -> None:
    """Save to a temporary file beside ``path`` and rename it over: a crash never leaves half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RenderError(f"{path}: folder {folder} does not exist", hint="create the folder first")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        document.save(str(tmp))
        tmp.replace(path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write the document ({exc.strerror or exc})") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    log.info("wrote %s", path)


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value: Any, lang: str = "en") -> Any:
    """Drop control characters Word's XML cannot hold (transcripts do carry stray ones) and set
    non-breaking spaces where a printed Russian date must not wrap."""
    if isinstance(value, str):
        return typeset(_XML_INVALID.sub("", value), lang)
    if isinstance(value, dict):
        return {k: _xml_safe(v, lang) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe(v, lang) for v in value]
    return value


class _LinearDocument:
    """A python-docx ``Document`` whose cost grows linearly with the number of paragraphs.

    python-docx inserts each new paragraph before the body's closing ``sectPr`` by scanning the
    body's children, and resolves a style name by scanning every style: a protocol of thousands of
    items took minutes. Paragraphs go straight before the ``sectPr`` found once, and style ids are
    looked up once per name.

    Building each paragraph through python-docx's element API (a successor search per property, an
    element per character) was then still most of a long protocol's rendering: a paragraph laid out
    like an earlier one is a copy of that one with its runs' texts written (``stamp``), the same XML.
    """

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        self._body = doc.element.body
        self._sect = self._body.find(qn("w:sectPr"))
        self._style_ids: dict[str, Any] = {}
        self._stamps: dict[Hashable, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._doc, name)

    def _insert(self, p: Any) -> Any:
        from docx.text.paragraph import Paragraph

        # where python-docx's add_paragraph puts it (before sectPr, else at the end), without the scan
        if self._sect is not None:
            self._sect.addprevious(p)
        else:
            self._body.append(p)
        return Paragraph(p, self._doc._body)

    def add_paragraph(self, text: str = "", style: Any = None) -> Any:
        key = ("add_paragraph", bool(text), style) if style is None or isinstance(style, str) else None
        if key is not None and key in self._stamps:
            return self.stamp(key, [text] if text else [])
        paragraph = self._insert(self._body._new_p())  # python-docx's own new w:p
        if text:
            paragraph.add_run(text)
        if style is not None:
            if isinstance(style, str):
                if style not in self._style_ids:
                    from docx.enum.style import WD_STYLE_TYPE

                    self._style_ids[style] = self._doc.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
                paragraph._p.style = self._style_ids[style]
            else:
                paragraph.style = style
        if key is not None:
            self.keep(key, paragraph)
        return paragraph

    def stamp(self, key: Hashable, texts: Sequence[str]) -> Any:
        """A new paragraph, a copy of the one ``keep`` took under ``key``, whose runs (in order) say
        ``texts``; None when nothing was kept under ``key`` yet."""
        template = self._stamps.get(key)
        if template is None:
            return None
        p = copy.deepcopy(template)
        for r, text in zip(p.iterchildren(qn("w:r")), texts, strict=True):
            _write_run(r, text)
        return self._insert(p)

    def keep(self, key: Hashable, paragraph: Any) -> None:
        """Remember ``paragraph``'s layout as it is now (before anything else changes it) for ``stamp``."""
        self._stamps[key] = _emptied(paragraph._p)

    def add_heading(self, text: str = "", level: int = 1) -> Any:
        # what python-docx's add_heading does, with the style id looked up once
        if not 0 <= level <= 9:
            raise ValueError(f"level must be in range 0-9, got {level}")
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def add_table(self, *args: Any, **kw: Any) -> Any:
        return self._doc.add_table(*args, **kw)  # a handful per document: python-docx's scan is fine

    def finish(self) -> Any:
        """The python-docx document."""
        return self._doc


def _emptied(element: Any) -> Any:
    """A copy of ``element`` whose runs say nothing (their formatting kept): a template to stamp."""
    template = copy.deepcopy(element)
    for r in template.iter(qn("w:r")):
        r.clear_content()
    return template


def _write_run(r: Any, text: str) -> None:
    """What python-docx's ``run.text = text`` writes into an empty run: one ``w:t`` (python-docx's own
    ``add_t``, ``xml:space`` included) when there is no tab or line break, else the setter itself,
    which turns those into their elements character by character."""
    if "\t" in text or "\n" in text or "\r" in text:
        r.text = text
    elif text:
        r.add_t(text)


def build_document(view: dict[str, Any]) -> Any:
    view = _xml_safe(view, view["lang"])
    L: dict[str, str] = view["L"]
    detailed: bool = view["detailed"]
    doc = _LinearDocument(Document())
    _setup_page(doc, view)

    if view["is_draft"]:
        banner = doc.add_paragraph()
        run = banner.add_run(f"{view['draft_mark']} — {L['draft_note']}")
        run.bold = True
        run.font.color.rgb = _RED
    if view["company"]:
        company = doc.add_paragraph()
        company.alignment = WD_ALIGN_PARAGRAPH.CENTER
        company.add_run(view["company"]).bold = True
    _title_block(doc, view)

    # 1. header
    _heading(doc, f"1. {L['header']}")
    rows: list[tuple[str, str]] = [
        (L["date"], view["date"]),
        (L["time"], view["time"]),
        (L["place"], view["place"]),
        (L["platform"], view["platform"]),
        (L["organisations"], ", ".join(view["organisations"])),
    ]
    filled = [r for r in rows if r[1]]
    if filled:
        _table(doc, None, filled, widths=(45, 129), bold_first_column=True)
    else:
        doc.add_paragraph(L["none_header"])

    # 2. participants
    _heading(doc, f"2. {L['participants']}")
    _participants(doc, view, L, detailed)

    # 3. purpose and results: kept at both levels, it is what the reader looks for first
    _heading(doc, f"3. {L['purpose_results']}")
    if view["purpose"]:
        p = doc.add_paragraph()
        p.add_run(f"{L['purpose']}: ").bold = True
        p.add_run(view["purpose"])
    if view["results"]:
        doc.add_paragraph().add_run(f"{L['results']}:").bold = True
        for r in view["results"]:
            doc.add_paragraph(r, style="List Bullet")
    if not view["purpose"] and not view["results"]:
        doc.add_paragraph(L["none_purpose"])

    _heading(doc, f"4. {L['issues']}")
    _issues(doc, view, L, detailed)

    _heading(doc, f"5. {L['agreements']}")
    if view["agreements"]:
        _table(
            doc,
            [L["number"], L["agreement"], L["responsible"], L["due"]],
            [
                (
                    str(a["n"]),
                    a["text"] + ("" if a["status"] == "agreed" else f" ({a['status_label']})"),
                    a["responsible_text"],
                    _due_cell(a["due"], L),
                )
                for a in view["agreements"]
            ],
            widths=_ITEM_WIDTHS,
        )
        if detailed:
            _evidence_block(doc, [(f"{L['number']}{a['n']}", a["evidence"]) for a in view["agreements"]], L)
    else:
        doc.add_paragraph(L["none_agreements"])

    _heading(doc, f"6. {L['next_steps']}")
    if view["next_steps"]:
        _table(
            doc,
            [L["number"], L["action"], L["owner"], L["due"]],
            [(str(s["n"]), s["action"], s["owner_text"], _due_cell(s["due"], L)) for s in view["next_steps"]],
            widths=_ITEM_WIDTHS,
        )
        if detailed:
            _evidence_block(doc, [(f"{L['number']}{s['n']}", s["evidence"]) for s in view["next_steps"]], L)
    else:
        doc.add_paragraph(L["none_next_steps"])

    _heading(doc, f"7. {L['closing']}")
    doc.add_paragraph(view["closing"] or L["none_closing"])

    if view["disclaimer"]:
        run = doc.add_paragraph().add_run(view["disclaimer"])
        run.italic = True
        run.font.size = Pt(9)

    _approval(doc, view, L)

    if detailed and view["flags"]:
        _heading(doc, L["flags"])
        for f in view["flags"]:
            text = f"⚠ {f['where']}: {f['message']}" if f["where"] else f"⚠ {f['message']}"
            run = doc.add_paragraph(style="List Bullet").add_run(text)
            run.font.color.rgb = _RED
    return doc.finish()


# Columns of the agreement and next-step tables (mm, 174 mm of text width): the text gets the room.
_ITEM_WIDTHS = (9, 89, 36, 40)
_FONT = "Arial"


def _title_block(doc: Any, view: dict[str, Any]) -> None:
    """'ПРОТОКОЛ ПЕРЕГОВОРОВ', the meeting's own title, the parties, the version — centred."""
    lines: list[tuple[str, float, bool]] = [(view["heading"], 15, True)]
    if view["subtitle"]:
        lines.append((view["subtitle"], 12.5, True))
    if view["parties_line"]:
        lines.append((view["parties_line"], 11, False))
    for text, size, bold in lines:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.space_after = Pt(2)
        run = para.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
    if view["version"]:
        meta = f"{view['L']['version']} {view['version']}"
        if not view["is_draft"]:
            meta += f" · {view['status_label']}"
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _grey(para, meta)


def _heading(doc: Any, text: str, level: int = 1) -> Any:
    return doc.add_heading(text, level=level)


def _approval(doc: Any, view: dict[str, Any], L: dict[str, str]) -> None:
    heading = _heading(doc, L["approval"])
    heading.paragraph_format.keep_with_next = True
    note = doc.add_paragraph(L["approval_note"])
    note.paragraph_format.keep_with_next = True
    if view.get("approval_record"):
        record = doc.add_paragraph()
        record.add_run(view["approval_record"]["text"]).bold = True
        record.paragraph_format.keep_with_next = True
    blank = L["date_blank"].replace(" ", "\u00a0")
    approval = _table(
        doc,
        [L["party"], L["name"], L["signature"], L["approval_date"]],
        [(party["party"], "", "", blank) for party in view["approval_parties"]],
        widths=(42, 44, 34, 54),
    )
    for row in approval.rows[1:]:
        row.height = Mm(14)
    # The signature block is one unit: never its header on one page and its rows on the next.
    for row in approval.rows[:-1]:
        for cell in row.cells:
            for para in cell.paragraphs:
                para.paragraph_format.keep_with_next = True


def _setup_page(doc: Any, view: dict[str, Any]) -> None:
    L = view["L"]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(18)
    _setup_styles(doc, view["lang"])
    if view["is_draft"]:
        # On every page, so a printed page on its own still says it is a draft.
        para = section.header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = para.add_run(view["draft_mark"])
        run.bold = True
        run.font.color.rgb = _RED
    _page_numbers(section.footer.paragraphs[0], L)
    props = doc.core_properties
    props.title = view["title"]
    props.language = language_tag(view["lang"])
    props.author = view["company"] or ""
    props.subject = L["default_title"]
    props.content_status = view["status_label"]
    props.keywords = view["draft_mark"]
    props.comments = view["disclaimer"] or ""


_STYLED = ("Normal", "Heading 1", "Heading 2", "Title", "List Bullet", "Table Grid", "Header", "Footer")
_HEADING_SIZES = {"Heading 1": 12.5, "Heading 2": 11.0, "Title": 15.0}


def _setup_styles(doc: Any, lang: str) -> None:
    """One font with Cyrillic in every script slot of every style we use, and black headings.

    The default template's headings use theme fonts (Calibri Light, blue), and Word fills the
    east-Asian and complex-script slots on its own unless they are named, so all four are set.
    """
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(3)
    tag = language_tag(lang)
    for name in _STYLED:
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        _set_font(rpr, _FONT)
        lang_el = rpr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            rpr.append(lang_el)
        for attr in ("w:val", "w:eastAsia", "w:bidi"):
            lang_el.set(qn(attr), tag)
        if name in _HEADING_SIZES:
            style.font.size = Pt(_HEADING_SIZES[name])
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = True
            style.font.italic = False
    for name in ("Heading 1", "Heading 2"):
        fmt = doc.styles[name].paragraph_format
        fmt.space_before = Pt(12 if name == "Heading 1" else 8)
        fmt.space_after = Pt(4)
        fmt.keep_with_next = True


def _set_font(rpr: Any, name: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _page_numbers(para: Any, L: dict[str, str]) -> None:
    """'Стр. 2 из 5' centred in the footer, as Word fields so the numbers stay right after edits."""
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run(f"{L['page']} ")
    _field(para, "PAGE")
    para.add_run(f" {L['page_of']} ")
    _field(para, "NUMPAGES")
    for run in para.runs:
        run.font.size = Pt(9)
        run.font.color.rgb = _GREY


def _field(para: Any, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")
    rpr.append(size)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    para._p.append(field)


def _participants(doc: Any, view: dict[str, Any], L: dict[str, str], detailed: bool) -> None:
    groups = view["participant_groups"]
    if not groups:
        doc.add_paragraph(L["none_participants"])
        return
    if not detailed:
        for g in groups:
            p = doc.add_paragraph()
            if g["label"]:
                p.add_run(f"{g['label']}: ").bold = True
            p.add_run(", ".join(person["name"] for person in g["people"]))
        return
    table = _table(doc, [L["name"], L["position"], L["organisation"], L["contacts"]], [])
    for g in groups:
        if g["label"]:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[-1])
            merged.text = ""
            merged.paragraphs[0].add_run(g["label"]).bold = True
        for person in g["people"]:
            cells = table.add_row().cells
            values = (person["name"], person["position"], person["organisation"], person["contacts"])
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
    _set_widths(table, (40, 46, 40, 48))


def _issues(doc: Any, view: dict[str, Any], L: dict[str, str], detailed: bool) -> None:
    if not view["issues"] and not (detailed and view["open_questions"]):
        doc.add_paragraph(L["none_issues"])
    if not detailed:
        # brief: one line per issue, no summaries or quotes
        for issue in view["issues"]:
            doc.add_paragraph(f"{issue['title']} ({issue['status_label']})", style="List Bullet")
        return
    k = 0
    for k, issue in enumerate(view["issues"], 1):
        _heading(doc, f"4.{k}. {issue['title']} ({issue['status_label']})", level=2)
        if issue["summary"]:
            doc.add_paragraph(issue["summary"])
        if issue["solutions"]:
            doc.add_paragraph().add_run(f"{L['solutions']}:").bold = True
            for s in issue["solutions"]:
                doc.add_paragraph(s, style="List Bullet")
        _evidence(doc, issue["evidence"], L, L["evidence"])
    if view["open_questions"]:
        _heading(doc, f"4.{k + 1}. {L['open_questions']}", level=2)
        for q in view["open_questions"]:
            doc.add_paragraph(q, style="List Bullet")


def _evidence_block(doc: Any, groups: list[tuple[str, list[dict[str, Any]]]], L: dict[str, str]) -> None:
    """The quotes behind a table's rows under one caption, each group led by its row number."""
    groups = [(label, items) for label, items in groups if items]
    if not groups:
        return
    cap = doc.add_paragraph().add_run(f"{L['evidence']}:")
    cap.italic = True
    cap.font.size = Pt(9)
    for label, items in groups:
        _evidence_lines(doc, items, L, label)


def _evidence(doc: Any, items: list[dict[str, Any]], L: dict[str, str], caption: str) -> None:
    if not items:
        return
    cap = doc.add_paragraph().add_run(f"{caption}:")
    cap.italic = True
    cap.font.size = Pt(9)
    _evidence_lines(doc, items, L, "")


def _evidence_lines(doc: Any, items: list[dict[str, Any]], L: dict[str, str], label: str) -> None:
    for n, e in enumerate(items):
        text = ""
        if e["timestamp"]:
            text += f"[{e['timestamp']}] "
        if e["speaker"]:
            text += f"{e['speaker']}: "
        text += f"{L['quote_open']}{e['quote']}{L['quote_close']}"
        if e["segments"]:
            text += f" ({L['segments']} {e['segments']})"
        lead = [(f"{label}\t" if n == 0 else "\t")] if label else []
        warn = [f" ⚠ {e['status_note']}"] if e["status_note"] else []
        # every quote line of one shape is laid out alike: a copy of the first with its texts
        key = ("evidence", bool(label), n == 0, bool(warn))
        if doc.stamp(key, [*lead, text, *warn]) is not None:
            continue
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.left_indent = Mm(6)
        fmt.space_after = Pt(1)
        if label:
            # the row number once, ahead of its first quote; the quotes line up after it
            fmt.left_indent = Mm(16)
            fmt.first_line_indent = Mm(-10)
            fmt.tab_stops.add_tab_stop(Mm(16))
            lead_run = p.add_run(lead[0])
            lead_run.bold = True
            lead_run.font.size = Pt(9)
        run = p.add_run(text)
        run.font.size = Pt(9)
        run.font.color.rgb = _GREY
        if warn:
            warn_run = p.add_run(warn[0])
            warn_run.font.size = Pt(9)
            warn_run.font.color.rgb = _RED
        doc.keep(key, p)


def _grey(paragraph: Any, text: str) -> None:
    run = paragraph.add_run(text)
    run.font.color.rgb = _GREY


def _due_cell(due: dict[str, str], L: dict[str, str]) -> str:
    if due["date"] and due["phrase"]:
        return f"{due['date']}\n{L['quote_open']}{due['phrase']}{L['quote_close']}"
    return due["text"]


def _table(
    doc: Any,
    header: list[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    widths: tuple[int, ...] | None = None,
    bold_first_column: bool = False,
) -> Any:
    columns = len(header) if header else (len(rows[0]) if rows else 2)
    table = doc.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
            _shade(cell, "E8E8E8")
        _row_flag(table.rows[0], "w:tblHeader")  # repeated on every page the table runs onto
    template = None  # the first row as made, copied for the others (python-docx per cell was slow)
    for values in rows:
        if template is not None:
            tr = copy.deepcopy(template)
            for r, text in zip(tr.xpath("./w:tc/w:p/w:r"), values, strict=True):
                _write_run(r, text)  # what cell.text and add_run write, the formatting kept
            table._tbl.append(tr)  # where add_row puts a row
            continue
        row = table.add_row()
        for i, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            if bold_first_column and i == 0:
                cell.paragraphs[0].add_run(text).bold = True
            else:
                cell.text = text
        template = _emptied(row._tr)
    if widths:
        _set_widths(table, widths)
    spacer = doc.add_paragraph()
    spacer.paragraph_format.space_after = Pt(0)
    return table


def _set_widths(table: Any, widths: tuple[int, ...]) -> None:
    """Fixed column widths: Word reads the cells, LibreOffice the grid, so both are written."""
    table.autofit = False  # writes <w:tblLayout w:type="fixed"/> in its schema place
    tbl = table._tbl
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(Mm(width).twips))
    for row in table.rows:
        col = 0
        for tc in row._tr.tc_lst:  # a merged cell (a party's name row) spans several columns
            span = tc.grid_span
            tc.width = Mm(sum(widths[col:col + span]))
            col += span


def _row_flag(row: Any, tag: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(tag))


def _shade(cell: Any, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
