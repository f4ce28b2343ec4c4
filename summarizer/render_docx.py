"""The protocol as a Word document, built with python-docx from the same view as the templates.

``summarizer.render.write_docx`` is the public entry point; this module only lays the view out.
python-docx is imported lazily by callers (this module is imported on demand only).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from summarizer.render import RenderError
from summarizer.render_labels import language_tag

log = logging.getLogger(__name__)

_RED = RGBColor(0xB0, 0x00, 0x00)
_GREY = RGBColor(0x55, 0x55, 0x55)


def write_protocol_docx(view: dict[str, Any], path: Path) -> None:
    """Lay out ``view`` (from ``summarizer.render.build_view``) and save it atomically at ``path``."""
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


def _xml_safe(value: Any) -> Any:
    """Drop control characters Word's XML cannot hold (transcripts do carry stray ones)."""
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    return value


def build_document(view: dict[str, Any]) -> Any:
    view = _xml_safe(view)
    L: dict[str, str] = view["L"]
    detailed: bool = view["detailed"]
    doc = Document()
    _setup_page(doc, view)

    if view["is_draft"]:
        banner = doc.add_paragraph()
        run = banner.add_run(f"{view['draft_mark']} — {L['draft_note']}")
        run.bold = True
        run.font.color.rgb = _RED
    if view["company"]:
        doc.add_paragraph().add_run(view["company"]).bold = True
    doc.add_heading(view["title"], level=0)
    if view["version"]:
        meta = f"{L['version']} {view['version']}"
        if not view["is_draft"]:
            meta += f" · {view['status_label']}"
        _grey(doc.add_paragraph(), meta)

    # 1. header
    doc.add_heading(f"1. {L['header']}", level=1)
    rows: list[tuple[str, str]] = [
        (L["date"], view["date"]),
        (L["time"], view["time"]),
        (L["place"], view["place"]),
        (L["platform"], view["platform"]),
        (L["organisations"], ", ".join(view["organisations"])),
    ]
    filled = [r for r in rows if r[1]]
    if filled:
        _table(doc, None, filled, widths=(40, 134), bold_first_column=True)
    else:
        doc.add_paragraph(L["none"])

    # 2. participants
    doc.add_heading(f"2. {L['participants']}", level=1)
    _participants(doc, view, L, detailed)

    n = 3
    if detailed:
        doc.add_heading(f"3. {L['purpose_results']}", level=1)
        if view["purpose"]:
            p = doc.add_paragraph()
            p.add_run(f"{L['purpose']}: ").bold = True
            p.add_run(view["purpose"])
        if view["results"]:
            doc.add_paragraph().add_run(f"{L['results']}:").bold = True
            for r in view["results"]:
                doc.add_paragraph(r, style="List Bullet")
        if not view["purpose"] and not view["results"]:
            doc.add_paragraph(L["none"])
        doc.add_heading(f"4. {L['issues']}", level=1)
        _issues(doc, view, L)
        n = 5

    doc.add_heading(f"{n}. {L['agreements']}", level=1)
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
            widths=(10, 85, 40, 45),
        )
        if detailed:
            for a in view["agreements"]:
                _evidence(doc, a["evidence"], L, f"{L['evidence']} ({L['number']}{a['n']})")
    else:
        doc.add_paragraph(L["none"])

    doc.add_heading(f"{n + 1}. {L['next_steps']}", level=1)
    if view["next_steps"]:
        _table(
            doc,
            [L["number"], L["action"], L["owner"], L["due"]],
            [(str(s["n"]), s["action"], s["owner_text"], _due_cell(s["due"], L)) for s in view["next_steps"]],
            widths=(10, 85, 40, 45),
        )
        if detailed:
            for s in view["next_steps"]:
                _evidence(doc, s["evidence"], L, f"{L['evidence']} ({L['number']}{s['n']})")
    else:
        doc.add_paragraph(L["none"])

    if detailed and view["open_questions"]:
        doc.add_heading(L["open_questions"], level=1)
        for q in view["open_questions"]:
            doc.add_paragraph(q, style="List Bullet")

    doc.add_heading(f"{n + 2}. {L['closing']}", level=1)
    doc.add_paragraph(view["closing"] or L["none"])

    if view["disclaimer"]:
        run = doc.add_paragraph().add_run(view["disclaimer"])
        run.italic = True
        run.font.size = Pt(9)

    doc.add_heading(L["approval"], level=1)
    doc.add_paragraph(L["approval_note"])
    approval = _table(
        doc,
        [L["party"], L["name"], L["signature"], L["approval_date"]],
        [(party["party"], "", "", L["date_blank"]) for party in view["approval_parties"]],
        widths=(50, 50, 40, 40),
    )
    for row in approval.rows[1:]:
        row.height = Mm(14)

    if detailed and view["flags"]:
        doc.add_heading(L["flags"], level=1)
        for f in view["flags"]:
            text = f"⚠ {f['message']}" + (f" ({f['item']})" if f["item"] else "") + f" [{f['code']}]"
            run = doc.add_paragraph(style="List Bullet").add_run(text)
            run.font.color.rgb = _RED
    return doc


# --------------------------------------------------------------------------------------------------
def _setup_page(doc: Any, view: dict[str, Any]) -> None:
    L = view["L"]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10.5)
    if view["is_draft"]:
        # On every page, so a printed page on its own still says it is a draft.
        para = section.header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = para.add_run(view["draft_mark"])
        run.bold = True
        run.font.color.rgb = _RED
    props = doc.core_properties
    props.title = view["title"]
    props.language = language_tag(view["lang"])
    props.author = view["company"] or ""
    props.subject = L["default_title"]
    props.content_status = view["status_label"]
    props.keywords = view["draft_mark"]
    props.comments = view["disclaimer"] or ""


def _participants(doc: Any, view: dict[str, Any], L: dict[str, str], detailed: bool) -> None:
    groups = view["participant_groups"]
    if not groups:
        doc.add_paragraph(L["none"])
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


def _issues(doc: Any, view: dict[str, Any], L: dict[str, str]) -> None:
    if not view["issues"]:
        doc.add_paragraph(L["none"])
    for k, issue in enumerate(view["issues"], 1):
        doc.add_heading(f"4.{k}. {issue['title']} ({issue['status_label']})", level=2)
        if issue["summary"]:
            doc.add_paragraph(issue["summary"])
        if issue["solutions"]:
            doc.add_paragraph().add_run(f"{L['solutions']}:").bold = True
            for s in issue["solutions"]:
                doc.add_paragraph(s, style="List Bullet")
        _evidence(doc, issue["evidence"], L, L["evidence"])


def _evidence(doc: Any, items: list[dict[str, Any]], L: dict[str, str], caption: str) -> None:
    if not items:
        return
    cap = doc.add_paragraph().add_run(f"{caption}:")
    cap.italic = True
    cap.font.size = Pt(9)
    for e in items:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Mm(6)
        text = ""
        if e["timestamp"]:
            text += f"[{e['timestamp']}] "
        if e["speaker"]:
            text += f"{e['speaker']}: "
        text += f"{L['quote_open']}{e['quote']}{L['quote_close']}"
        if e["segments"]:
            text += f" ({L['segments']} {e['segments']})"
        run = p.add_run(text)
        run.font.size = Pt(9)
        run.font.color.rgb = _GREY
        if e["status_note"]:
            warn = p.add_run(f" ⚠ {e['status_note']}")
            warn.font.size = Pt(9)
            warn.font.color.rgb = _RED


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
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            if bold_first_column and i == 0:
                cell.paragraphs[0].add_run(text).bold = True
            else:
                cell.text = text
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = Mm(width)
    doc.add_paragraph()
    return table
