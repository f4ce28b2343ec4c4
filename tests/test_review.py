"""Review: the TOML editing format round-trips, validates with line numbers and never loses text."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from meeting_factory import make_meeting, make_protocol, make_store

from summarizer.approval.editor import review_in_editor
from summarizer.approval.review import (
    import_protocol_file,
    protocol_to_text,
    text_to_protocol,
)
from summarizer.errors import InputError, ValidationFailed

SUMMARIZER = [sys.executable, "-m", "summarizer"]


def test_round_trip_is_lossless() -> None:
    protocol = make_protocol()
    text = protocol_to_text(protocol, title="Meeting x")
    assert text_to_protocol(text, protocol) == protocol
    ru = make_protocol("ru")
    ru.agreements[0].text = 'Отправить "план" — до пятницы\\ok'
    assert text_to_protocol(protocol_to_text(ru), ru) == ru


def test_edit_marks_item_and_keeps_evidence() -> None:
    base = make_protocol()
    text = protocol_to_text(base)
    text = text.replace('responsible = ""', 'responsible = "Boris Klein"')
    edited = text_to_protocol(text, base)
    a1, a2 = edited.agreements
    assert a2.responsible == "Boris Klein" and a2.edited
    assert a2.evidence == base.agreements[1].evidence
    assert [f.code for f in a2.flags] == []  # the missing owner was filled
    assert not a1.edited and a1 == base.agreements[0]
    assert edited.flags == base.flags and edited.meta == base.meta


def test_delete_and_add_items() -> None:
    base = make_protocol()
    text = protocol_to_text(base)
    start = text.index('[[agreements]]\nid = "a1"')
    end = text.index("[[agreements]]", start + 5)
    text = text[:start] + text[end:]  # reviewer deletes a1
    text += ('\n[[agreements]]\ntext = "Invoice in January"\nresponsible = "Anna Petrova"\n'
             "due_date = 2027-01-15\n")
    edited = text_to_protocol(text, base)
    assert [a.id for a in edited.agreements] == ["a2", "a3"]
    new = edited.agreements[1]
    assert new.edited and new.due_date == dt.date(2027, 1, 15) and not new.evidence
    assert [f.code for f in new.flags] == ["manual_item"] and new.flags[0].item_id == "a3"


def _error_lines(text: str, base: object) -> list[tuple[int | None, str]]:
    with pytest.raises(ValidationFailed) as err:
        text_to_protocol(text, base)  # type: ignore[arg-type]
    return err.value.errors


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return lines[occurrence]


def test_errors_have_line_numbers() -> None:
    base = make_protocol()
    text = protocol_to_text(base)
    broken = text.replace('title = "Warehouse delays"', 'title = "Warehouse delays')
    (line, msg), = _error_lines(broken, base)
    assert line == _line_of(broken, 'title = "Warehouse delays')

    bad_date = text.replace('due_date = ""', 'due_date = "next friday"', 1)
    (line, msg), = _error_lines(bad_date, base)
    assert line == _line_of(bad_date, "next friday") and "agreements.2.due_date" in msg

    empty = text.replace('text = "Check the budget"', 'text = ""')
    (line, msg), = _error_lines(empty, base)
    assert line == _line_of(empty, 'text = ""') and "must not be empty" in msg

    unknown = text.replace('id = "a2"', 'id = "a9"\ncolour = "red"')
    errors = _error_lines(unknown, base)
    assert {m.split(";")[0] for _, m in errors} == {
        "unknown field 'colour'", "id 'a9' is not an item of this protocol"
    }
    assert [ln for ln, _ in errors] == [_line_of(unknown, 'id = "a9"'), _line_of(unknown, "colour")]


def test_editor_loop_keeps_text_and_reopens(tmp_path: Path) -> None:
    base = make_protocol()
    calls: list[str] = []

    def editor(path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        calls.append(text)
        if len(calls) == 1:
            text = text.replace('due_date = 2026-11-27', 'due_date = "Friday"') + "# my own note\n"
        else:
            assert text.startswith("# !! line")
            text = text.replace('"Friday"', "2026-11-28")
        path.write_text(text, encoding="utf-8")

    asked: list[ValidationFailed] = []
    result = review_in_editor(base, tmp_path, edit=editor, ask_retry=lambda e, p: asked.append(e) or True)
    assert result is not None and result.agreements[0].due_date == dt.date(2026, 11, 28)
    (line, _), = asked[0].errors
    # the reported line is where the bad value sits in the file the editor reopened
    assert 'due_date = "Friday"' in calls[1].splitlines()[line - 1]
    assert list(tmp_path.iterdir()) == []  # recovery file removed once saved


def test_declined_fix_leaves_recovery_file(tmp_path: Path) -> None:
    base = make_protocol()

    def editor(path: Path) -> None:
        path.write_text(path.read_text().replace('status = "open"', 'status = "closed"') + "# keep me\n")

    with pytest.raises(ValidationFailed) as err:
        review_in_editor(base, tmp_path, edit=editor)
    (recovery,) = tmp_path.iterdir()
    assert str(recovery) in (err.value.hint or "")
    kept = recovery.read_text()
    assert "# keep me" in kept and 'status = "closed"' in kept and kept.startswith("# !! line")
    fixed_file = tmp_path / "fixed.toml"
    fixed_file.write_text(kept.replace('"closed"', '"resolved"'))
    fixed = import_protocol_file(fixed_file, base)
    assert fixed.issues[0].status == "resolved" and fixed.issues[0].edited


def test_json_import_reports_lines(tmp_path: Path) -> None:
    base = make_protocol()
    data = base.model_dump(mode="json")
    data["agreements"][0]["due_date"] = "soon"
    path = tmp_path / "client.json"
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(ValidationFailed) as err:
        import_protocol_file(path, base)
    (line, msg), = err.value.errors
    assert "due_date" in msg and line is not None
    path.write_text("{not json")
    with pytest.raises(ValidationFailed) as err:
        import_protocol_file(path, base)
    assert err.value.errors[0][0] == 1


def test_import_of_a_missing_file_or_folder_is_an_input_error(tmp_path: Path) -> None:
    # was ValidationFailed with the OSError text twice and exit code 1
    base = make_protocol()
    with pytest.raises(InputError, match=r"nope\.json: no such file$"):
        import_protocol_file(tmp_path / "nope.json", base)
    with pytest.raises(InputError, match="this is a folder"):
        import_protocol_file(tmp_path, base)


def _editor_script(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text("import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8').read()\n" + body
                      + "open(p, 'w', encoding='utf-8').write(t)\n")
    return f"{sys.executable} {script}"


def test_cli_review_with_failing_then_fixing_editor(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    env = {**os.environ, "VISUAL": "", "EDITOR": _editor_script(tmp_path, (
        "if '# !! ' in t:\n    t = t.replace('\"Friday\"', '2026-12-04')\n"
        "else:\n    t = t.replace('due_date = 2026-11-27', 'due_date = \"Friday\"') + '# precious\\n'\n"
    ))}
    # first: the user declines to reopen; the text is kept and the command fails
    run = subprocess.run([*SUMMARIZER, "review", meeting.id[:12], "--by", "anna"], input="n\n", env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "line " in run.stderr and "due_date" in run.stderr
    (recovery,) = (meeting.folder / "review").glob("recovery-*.toml")
    assert "# precious" in recovery.read_text() and recovery.name in run.stderr
    assert [v.number for v in store.list_versions(meeting.id)] == [1]
    # second: the user reopens and the (fake) editor fixes it
    run = subprocess.run([*SUMMARIZER, "review", meeting.id, "--by", "anna"], input="y\n", env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Saved v2" in run.stdout and "draft → internal_review" in run.stdout
    v2 = store.get_version(meeting.id)
    assert v2.source == "edited" and v2.author == "anna"
    assert v2.protocol.agreements[0].due_date == dt.date(2026, 12, 4) and v2.protocol.agreements[0].edited
    first = store.get_version(meeting.id, 1).protocol
    assert v2.protocol.agreements[0].evidence == first.agreements[0].evidence
    assert (meeting.folder / "drafts" / "v002" / f"{meeting.id}-v2.docx").exists()
    # the earlier recovery file can be imported once fixed by hand
    recovery.write_text(recovery.read_text().replace('"Friday"', "2026-12-11"))
    run = subprocess.run([*SUMMARIZER, "review", meeting.id, "--file", str(recovery)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert store.get_version(meeting.id).protocol.agreements[0].due_date == dt.date(2026, 12, 11)
    assert store.get_version(meeting.id, 2).protocol.agreements[0].due_date == dt.date(2026, 12, 4)


def test_cli_review_refuses_to_undo_a_version_saved_meanwhile(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    theirs = store.get_version(meeting.id).protocol.model_copy(deep=True)
    theirs.closing = "Saved by a colleague while the editor was open."
    other = tmp_path / "theirs.json"
    other.write_text(theirs.model_dump_json(), encoding="utf-8")
    # the "editor": a colleague saves v2 through the CLI, then our user makes their own change
    editor = _editor_script(tmp_path, (
        "import subprocess\n"
        f"subprocess.run([{sys.executable!r}, '-m', 'summarizer', 'review', {meeting.id!r}, '--file', "
        f"{str(other)!r}], check=True)\n"
        "t = t.replace('due_date = 2026-11-27', 'due_date = 2026-12-18')\n"
    ))
    env = {**os.environ, "VISUAL": "", "EDITOR": editor}
    run = subprocess.run([*SUMMARIZER, "review", meeting.id], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "made on v1, but v2 has been saved since" in run.stderr
    # nothing is lost: the colleague's v2 stands, and our edit is kept for `review --file`
    assert [v.number for v in store.list_versions(meeting.id)] == [1, 2]
    assert store.get_version(meeting.id).protocol.closing == theirs.closing
    (kept,) = (meeting.folder / "review").glob("unsaved-on-v1-*.json")
    assert kept.name in run.stderr
    assert "2026-12-18" in kept.read_text(encoding="utf-8")


def test_a_corrected_header_drops_its_assumption_flags() -> None:
    from summarizer.approval.review import merge_edit
    from summarizer.schema import Flag

    base = make_protocol()
    base.flags = [Flag(code="meeting_date_assumed", message="date from the file"),
                  Flag(code="header_assumed", message="platform from the file format"),
                  Flag(code="unknown_speaker", message="SPEAKER_02 is not identified")]
    untouched = merge_edit(base, base.model_copy(deep=True))
    assert [f.code for f in untouched.flags] == ["meeting_date_assumed", "header_assumed", "unknown_speaker"]
    edited = base.model_copy(deep=True)
    edited.header.date = dt.date(2026, 11, 24)
    assert [f.code for f in merge_edit(base, edited).flags] == ["header_assumed", "unknown_speaker"]
    edited.header.platform = "Microsoft Teams"
    assert [f.code for f in merge_edit(base, edited).flags] == ["unknown_speaker"]


@pytest.mark.parametrize(("name", "body"), [
    ("changes.json", '{"agreements": [{"id": "a2", "due_date": "2026-12-04"}]}'),
    ("changes.toml", '[[agreements]]\nid = "a2"\ndue_date = 2026-12-04\n'),
])
def test_review_file_with_a_partial_file_points_to_from_client(tmp_path: Path, name: str, body: str) -> None:
    """`--file` takes a whole protocol; a partial one ("Field required") gets a hint to --from-client."""
    store = make_store()
    meeting = make_meeting(store)
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    run = subprocess.run([*SUMMARIZER, "review", meeting.id, "--file", str(path)], env=os.environ,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert "Field required" in run.stderr, run.stderr
    assert f"--from-client {path}" in run.stderr and "partial" in run.stderr, run.stderr
    assert len(store.list_versions(meeting.id)) == 1
    # ... and the hint is right: the same file merges with --from-client
    merged = subprocess.run([*SUMMARIZER, "review", meeting.id, "--from-client", str(path)], env=os.environ,
                            capture_output=True, text=True, timeout=120)
    assert merged.returncode == 0, merged.stderr
