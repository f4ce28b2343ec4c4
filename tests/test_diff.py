"""Redline between versions: matched by item id, terminal and escaped HTML output."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from meeting_factory import make_meeting, make_protocol, make_store

from summarizer.approval.diff import diff_protocols, format_html, format_terminal
from summarizer.schema import Agreement


def _changed() -> tuple:
    old = make_protocol()
    new = old.model_copy(deep=True)
    new.agreements[0].due_date = dt.date(2026, 12, 4)
    new.agreements[1].responsible = "Boris <b>Klein</b>"
    del new.next_steps[0]
    new.agreements.append(Agreement(id="a3", text="Invoice & pay"))
    new.results.append("Budget agreed")
    new.participants[1].email = "boris@alfa.example"
    return old, new


def test_changes_item_by_item() -> None:
    old, new = _changed()
    changes = diff_protocols(old, new)
    summary = {(c.section, c.kind, c.key) for c in changes}
    assert summary == {
        ("agreements", "changed", "a1"), ("agreements", "changed", "a2"), ("agreements", "added", "a3"),
        ("next_steps", "removed", "n1"), ("results", "added", None),
        ("participants", "changed", "Boris Klein"),
    }
    a1 = next(c for c in changes if c.key == "a1")
    assert [(f.name, f.old, f.new) for f in a1.fields] == [
        ("due_date", dt.date(2026, 11, 27), dt.date(2026, 12, 4))
    ]
    assert diff_protocols(old, old.model_copy(deep=True)) == []


def test_terminal_output() -> None:
    old, new = _changed()
    text = format_terminal(diff_protocols(old, new), title="v1 → v2")
    assert "~ agreements [a1]: Send the pilot plan" in text
    assert "due_date: 2026-11-27 → 2026-12-04" in text
    assert "responsible: — → Boris <b>Klein</b>" in text
    assert "- next_steps [n1]: Book the next call" in text
    assert "\x1b[" not in text
    coloured = format_terminal(diff_protocols(old, new), colour=True)
    assert "\x1b[31m2026-11-27\x1b[0m → \x1b[32m2026-12-04\x1b[0m" in coloured
    assert format_terminal([]) == "No changes.\n"


def test_html_is_escaped() -> None:
    old, new = _changed()
    page = format_html(diff_protocols(old, new), title="<v1> & v2")
    assert "<del>2026-11-27</del> → <ins>2026-12-04</ins>" in page
    assert "Boris &lt;b&gt;Klein&lt;/b&gt;" in page and "<b>Klein</b>" not in page
    assert "&lt;v1&gt; &amp; v2" in page and "Invoice &amp; pay" in page


def test_cli_diff(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    _, new = _changed()
    store.add_version(meeting.id, new, source="edited", author="anna")
    out = subprocess.run([sys.executable, "-m", "summarizer", "diff", meeting.id, "v1", "v2"],
                         capture_output=True, text=True, env=os.environ, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "due_date: 2026-11-27 → 2026-12-04" in out.stdout
    html_path = tmp_path / "redline.html"
    cmd = [sys.executable, "-m", "summarizer", "diff", meeting.id, "1", "--html", str(html_path)]
    assert subprocess.run(cmd, capture_output=True, env=os.environ, timeout=120).returncode == 0
    assert "<ins>2026-12-04</ins>" in html_path.read_text()
    again = subprocess.run(cmd, capture_output=True, text=True, env=os.environ, timeout=120)
    assert again.returncode != 0 and "already exists" in again.stderr


def _ru_changed() -> tuple:
    old = make_protocol("ru")
    new = old.model_copy(deep=True)
    new.agreements[0].due_date = dt.date(2026, 12, 4)
    new.agreements[0].text = "Отправить план пилота"
    new.agreements[1].status = "disputed"
    return old, new


def test_html_redline_speaks_the_protocols_language_with_people_s_labels() -> None:
    old, new = _changed()
    en = format_html(diff_protocols(old, new), title="v1 → v2")
    assert "<html lang='en-US'>" in en
    assert "Agreements" in en and "Due date" in en and "Responsible" in en and "Next steps" in en
    for raw in ("due_date", "next_steps", "<b>agreements", ">text<"):
        assert raw not in en, raw
    old, new = _ru_changed()
    ru = format_html(diff_protocols(old, new), title="v1 → v2")
    assert "<html lang='ru-RU'>" in ru and "Договорённости" in ru and "Изменено" in ru
    assert "<span class='field'>Срок</span>: <del>2026-11-27</del> → <ins>2026-12-04</ins>" in ru
    assert "<span class='field'>Договорённость</span>: <del>Send the pilot plan</del>" in ru
    assert "<del>Согласовано</del> → <ins>Спорно</ins>" in ru  # codes as words, in Russian
    assert "due_date" not in ru and "disputed" not in ru
    assert format_html([], language="ru").count("Изменений нет.") == 1


def test_html_redline_is_styled_for_screen_and_print() -> None:
    page = format_html(diff_protocols(*_changed()))
    style = page[page.index("<style>"): page.index("</style>")]
    assert "ins {" in style and "text-decoration: underline" in style and "#0a6b2a" in style
    assert "del {" in style and "text-decoration: line-through" in style and "#a4161a" in style
    assert "@media print" in style and "print-color-adjust: exact" in style


def test_cli_html_redline_of_a_russian_protocol(tmp_path: Path) -> None:
    store = make_store()
    old, new = _ru_changed()
    meeting = make_meeting(store, language="ru")  # v1 is make_protocol("ru"), as ``old``
    store.add_version(meeting.id, new, source="edited", author="anna")
    html_path = tmp_path / "redline.html"
    cmd = [sys.executable, "-m", "summarizer", "diff", meeting.id, "1", "2", "--html", str(html_path)]
    run = subprocess.run(cmd, capture_output=True, text=True, env=os.environ, timeout=120)
    assert run.returncode == 0, run.stderr
    page = html_path.read_text(encoding="utf-8")
    assert "<html lang='ru-RU'>" in page and "<span class='field'>Срок</span>" in page
