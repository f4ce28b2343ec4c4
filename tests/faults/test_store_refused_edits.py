"""Issue 9.4: concurrent saves refused on the same version each keep their edit in a file of their own.

Four real `summarizer review` processes edit v1 in an "editor" that waits; meanwhile a colleague
saves v2; then all four editors close within the same second. Each save is refused, and each
person's text must survive in its own file, named in their own error message. (The old code wrote
all of them to the same ``unsaved-on-v1-<second>.json``: the last one won, the others were lost.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from meeting_factory import make_meeting, make_protocol, make_store

EDITOR = """
import os, sys, time
from pathlib import Path
path, flags = Path(sys.argv[1]), Path(os.environ["EDIT_FLAGS"])
(flags / ("ready-" + os.environ["EDIT_MARK"])).touch()
while not (flags / "go").exists():
    time.sleep(0.01)
text = path.read_text(encoding="utf-8")
text = text.replace('closing = "Thanks everyone."', 'closing = "closing by ' + os.environ["EDIT_MARK"] + '"')
path.write_text(text, encoding="utf-8")
"""


def test_each_refused_edit_is_kept_in_its_own_file(tmp_path: Path) -> None:
    store = make_store()
    meeting = make_meeting(store)
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR, encoding="utf-8")
    flags = tmp_path / "flags"
    flags.mkdir()
    marks = [f"person{i}" for i in range(4)]
    procs = {
        mark: subprocess.Popen(
            [sys.executable, "-m", "summarizer", "review", meeting.id, "--by", mark],
            env={**os.environ, "VISUAL": "", "EDITOR": f"{sys.executable} {editor}", "EDIT_MARK": mark,
                 "EDIT_FLAGS": str(flags)},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for mark in marks
    }
    deadline = time.monotonic() + 120
    while len(list(flags.glob("ready-*"))) < len(marks):
        assert time.monotonic() < deadline, "the editors never opened"
        assert all(p.poll() is None for p in procs.values()), [p.communicate() for p in procs.values()]
        time.sleep(0.05)
    # a colleague saves v2 while all four have v1 open
    theirs = make_protocol()
    theirs.purpose = "Saved by a colleague meanwhile"
    store.add_version(meeting.id, theirs, source="edited", author="colleague")
    while time.time() % 1 > 0.1:  # release at the start of a second: all four refusals share it
        time.sleep(0.005)
    (flags / "go").touch()
    results = {mark: p.communicate(timeout=120) for mark, p in procs.items()}

    kept: dict[str, Path] = {}
    for mark, (_out, err) in results.items():
        assert procs[mark].returncode != 0, err
        assert "Traceback" not in err and "made on v1, but v2 has been saved since" in err, err
        found = re.search(r"your edit is kept in (\S+?\.json)", err)
        assert found, err
        kept[mark] = Path(found.group(1))
    assert len(set(kept.values())) == len(marks), kept  # four people, four files
    for mark, path in kept.items():
        assert path.parent == meeting.folder / "review"
        assert f"closing by {mark}" in path.read_text(encoding="utf-8"), (mark, path)
    assert len(list((meeting.folder / "review").glob("unsaved-on-v1-*.json"))) == len(marks)
    assert [v.number for v in store.list_versions(meeting.id)] == [1, 2]
    assert not list(meeting.folder.rglob("*.tmp"))


def test_write_new_never_overwrites(tmp_path: Path) -> None:
    from summarizer.store.files import write_new

    first = write_new(tmp_path, "unsaved", ".json", "one")
    second = write_new(tmp_path, "unsaved", ".json", "two")
    assert first.name == "unsaved.json" and second.name == "unsaved-2.json"
    assert first.read_text() == "one" and second.read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["unsaved-2.json", "unsaved.json"]
