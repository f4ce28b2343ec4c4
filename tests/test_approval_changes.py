"""The client's changes merge by item id (never replace the protocol); restore; the toml export."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from meeting_factory import make_meeting, make_protocol, make_store

from summarizer.approval.changes import apply_changes, import_changes
from summarizer.approval.review import import_protocol_file, protocol_to_text
from summarizer.approval.workflow import restore_version, transition
from summarizer.errors import ValidationFailed, WorkflowError

SUMMARIZER = [sys.executable, "-m", "summarizer"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SUMMARIZER, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env=os.environ)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PARTIAL = '[[agreements]]\nid = "a2"\nresponsible = "Boris Klein"\ndue_date = 2026-12-04\n'


def test_a_partial_changes_file_changes_one_item_and_keeps_the_rest(tmp_path: Path) -> None:
    base = make_protocol()
    merged = import_changes(_write(tmp_path, "changes.toml", PARTIAL), base)
    a1, a2 = merged.agreements
    assert a2.responsible == "Boris Klein" and a2.due_date == dt.date(2026, 12, 4) and a2.edited
    assert a2.text == base.agreements[1].text and a2.evidence == base.agreements[1].evidence
    assert not [f for f in a2.flags if f.code == "no_owner"]  # the missing owner was filled
    assert a1 == base.agreements[0]
    assert merged.header == base.header and merged.participants == base.participants
    assert merged.issues == base.issues and merged.next_steps == base.next_steps
    assert merged.purpose == base.purpose and merged.closing == base.closing
    assert merged.results == base.results and merged.flags == base.flags


def test_cli_partial_client_changes_keep_the_protocol(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    changes = _write(tmp_path, "changes.toml", PARTIAL)
    run = _run("review", meeting.id, "--from-client", str(changes), "--by", "olga")
    assert run.returncode == 0, run.stderr
    v1, v2 = store.get_version(meeting.id, 1), store.get_version(meeting.id)
    assert v2.number == 2 and v2.source == "client"
    assert v2.protocol.header == v1.protocol.header
    assert len(v2.protocol.participants) == 3 and len(v2.protocol.issues) == 1
    assert len(v2.protocol.agreements) == 2 and len(v2.protocol.next_steps) == 1
    assert v2.protocol.agreements[1].responsible == "Boris Klein"


def test_add_change_and_remove_explicitly() -> None:
    base = make_protocol()
    text = (
        'closing = "Спасибо всем."\n'
        'remove = ["n1"]\n'
        "[header]\nplace = \"Office 4\"\n"
        '[[participants]]\nname = "Boris Klein"\nposition = "CEO"\n'
        '[[participants]]\nname = "Dana Lee"\nemail = "dana@alfa.test"\nside = "client"\n'
        '[[participants]]\nname = "Carl Unknown"\nremove = true\n'
        '[[issues]]\nid = "i1"\nremove = true\n'
        '[[agreements]]\ntext = "Invoice in January"\nresponsible = "Anna Petrova"\n'
    )
    import tomllib

    merged = apply_changes(base, tomllib.loads(text), text=text)
    assert merged.closing == "Спасибо всем." and merged.header.place == "Office 4"
    assert merged.header.platform == "Zoom"  # header keys not named stay
    assert [p.name for p in merged.participants] == ["Anna Petrova", "Boris Klein", "Dana Lee"]
    assert merged.participants[1].position == "CEO" and merged.participants[1].email == "boris@alfa.test"
    assert merged.issues == [] and merged.next_steps == []
    assert [a.id for a in merged.agreements] == ["a1", "a2", "a3"]
    assert merged.agreements[2].edited and [f.code for f in merged.agreements[2].flags] == ["manual_item"]


@pytest.mark.parametrize(("text", "needle", "line"), [
    ('[[agreements]]\nid = "a9"\nresponsible = "X"\n', "'a9'", 2),
    ('[[agreements]]\nid = "a1"\ndue_date = "soon"\n', "due_date", 3),
    ('[[agreements]]\nresponsible = "X"\n', "text: required for a new item", 1),
    ('[[agreements]]\nremove = true\n', "needs the id", 2),
    ('[[agreements]]\nid = "a1"\nowner = "X"\n', "unknown field 'owner'", 3),
])
def test_bad_changes_name_the_line(tmp_path: Path, text: str, needle: str, line: int) -> None:
    with pytest.raises(ValidationFailed) as err:
        import_changes(_write(tmp_path, "changes.toml", text), make_protocol())
    assert "changes.toml" in err.value.message
    assert any(needle in msg and ln == line for ln, msg in err.value.errors), err.value.errors


def test_a_file_that_would_remove_most_of_the_protocol_is_refused_unless_replace(tmp_path: Path) -> None:
    base = make_protocol()
    people = "".join(f'[[participants]]\nname = "{p.name}"\nremove = true\n' for p in base.participants)
    wipe = _write(tmp_path, "wipe.toml", 'remove = ["i1", "a1", "a2", "n1"]\n' + people)
    with pytest.raises(ValidationFailed, match="would remove") as err:
        import_changes(wipe, base)
    assert "--replace" in (err.value.hint or "")
    # a whole-protocol file that holds one block (the old behaviour of --from-client) is refused too
    partial = _write(tmp_path, "partial.toml", PARTIAL + 'text = "Check the budget"\n')
    with pytest.raises(ValidationFailed, match="would remove"):
        import_protocol_file(partial, base)
    replaced = import_changes(partial, base, replace=True)
    assert [a.id for a in replaced.agreements] == ["a2"] and not replaced.participants


def test_cli_replace_then_reimport_of_the_full_earlier_json(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    partial = _write(tmp_path, "partial.toml", PARTIAL + 'text = "Check the budget"\n')
    run = _run("review", meeting.id, "--from-client", str(partial), "--replace")
    assert run.returncode == 0, run.stderr
    assert len(store.get_version(meeting.id).protocol.items()) == 1
    # the full earlier export brings everything back, with its evidence and its ids
    assert _run("export", meeting.id, "--version", "1", "--format", "json", "-o",
                str(tmp_path / "v1.json")).returncode == 0
    run = _run("review", meeting.id, "--from-client", str(tmp_path / "v1.json"))
    assert run.returncode == 0, run.stderr
    v1, v3 = store.get_version(meeting.id, 1).protocol, store.get_version(meeting.id).protocol
    assert [it.id for it in v3.items()] == [it.id for it in v1.items()]
    assert [it.evidence for it in v3.items()] == [it.evidence for it in v1.items()]
    assert v3.header == v1.header and v3.participants == v1.participants
    # the cleared owner and date are flagged again (they stop a send)
    assert {f.code for f in v3.agreements[1].flags} == {"no_owner", "no_due_date"}
    # and `review --file` takes the same export as a whole protocol
    run = _run("review", meeting.id, "--file", str(tmp_path / "v1.json"))
    assert run.returncode == 0, run.stderr
    v4 = store.get_version(meeting.id).protocol
    assert [it.id for it in v4.items()] == [it.id for it in v1.items()]


def test_toml_export_round_trips_as_a_changes_file(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store, language="ru")
    out = tmp_path / "protocol.toml"
    run = _run("export", meeting.id, "--format", "toml", "-o", str(out))
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "remove = true" in text and '[[agreements]]\nid = "a1"' in text
    base = store.get_version(meeting.id).protocol
    assert import_changes(out, base) == base  # unchanged file: no change at all
    run = _run("review", meeting.id, "--from-client", str(out))
    assert run.returncode == 0 and "No changes" in run.stdout, run.stderr
    # the client edits one value and deletes a whole block: the value changes, the block stays
    start = text.index('[[next_steps]]')
    edited = text[:start].replace('"Send the pilot plan"', '"Send the pilot plan and the budget"')
    out.write_text(edited, encoding="utf-8")
    merged = import_changes(out, base)
    assert merged.agreements[0].text == "Send the pilot plan and the budget" and merged.agreements[0].edited
    assert merged.next_steps == base.next_steps


def test_restore_makes_a_new_version_with_the_old_content(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    transition(store, meeting.id, "internal_review", actor="anna")
    partial = _write(tmp_path, "partial.toml", PARTIAL + 'text = "Check the budget"\n')
    assert _run("review", meeting.id, "--file", str(partial), "--replace").returncode == 0
    run = _run("restore", meeting.id, "v1", "--by", "anna")
    assert run.returncode == 0, run.stderr
    assert "Saved v3" in run.stdout
    v1, v3 = store.get_version(meeting.id, 1), store.get_version(meeting.id)
    assert v3.number == 3 and v3.protocol == v1.protocol and v3.note == "restored from v1"
    assert len(store.list_versions(meeting.id)) == 3  # v2 is kept
    last = store.events(meeting.id)[-1]
    assert last.version == 3 and "restored from v1" in (last.note or "") and last.actor == "anna"
    status = _run("status", meeting.id)
    assert "restored from v1" in status.stdout
    assert (meeting.folder / "drafts" / "v003" / f"{meeting.id}-v3.docx").exists()
    with pytest.raises(WorkflowError, match="nothing to restore"):
        restore_version(store, meeting.id, 1)


def test_restore_is_refused_after_approval() -> None:
    store = make_store()
    meeting = make_meeting(store)
    protocol = store.get_version(meeting.id).protocol
    protocol.closing = "changed"
    store.add_version(meeting.id, protocol, source="edited")
    for state in ("internal_review", "sent_to_client", "approved"):
        transition(store, meeting.id, state, actor="anna")
    run = _run("restore", meeting.id, "1")
    assert run.returncode != 0 and "cannot be edited" in run.stderr
    assert len(store.list_versions(meeting.id)) == 2


def test_json_changes_from_a_full_export_only_change_what_differs(tmp_path: Path) -> None:
    base = make_protocol()
    data = base.model_dump(mode="json")
    data["agreements"][1]["responsible"] = "Boris Klein"
    data["agreements"][0]["evidence"] = []  # an export cannot take evidence away
    merged = import_changes(_write(tmp_path, "client.json", json.dumps(data)), base)
    assert merged.agreements[1].responsible == "Boris Klein"
    assert merged.agreements[0].evidence == base.agreements[0].evidence


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_changes_format_round_trips_losslessly(language: str) -> None:
    import tomllib

    base = make_protocol(language)
    base.agreements[0].text = 'Отправить "план" — до пятницы\\ok'
    text = protocol_to_text(base, title="x", changes=True)
    assert apply_changes(base, tomllib.loads(text), text=text) == base


def test_naming_an_unknown_speaker_clears_its_warning() -> None:
    import tomllib

    base = make_protocol()  # SPEAKER_02 is not in the roster
    assert [f.code for f in base.flags] == ["unknown_speaker"]
    text = '[[participants]]\nname = "Carl Unknown"\nspeaker_labels = ["SPEAKER_02"]\n'
    merged = apply_changes(base, tomllib.loads(text), text=text)
    assert merged.flags == [] and merged.participants[2].speaker_labels == ["SPEAKER_02"]
    other = '[[participants]]\nname = "Carl Unknown"\nspeaker_labels = ["SPEAKER_22"]\n'
    still = apply_changes(base, tomllib.loads(other), text=other)
    assert [f.code for f in still.flags] == ["unknown_speaker"]
