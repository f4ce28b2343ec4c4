"""Meeting folders: reserving a new one, finding the stored ones, undoing a failed write, and
removing the temporary files that killed processes left behind."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.errors import StoreError
from summarizer.store.files import disk_full_as_store_error, remove_stale_temporaries
from summarizer.store.history import CREATING_MARK

log = logging.getLogger(__name__)

SWEEP_MARK = ".tmp-swept"  # when stale temporary files were last removed from the data folder


def stored_folders(meetings_dir: Path) -> list[Path]:
    """Meeting folders that hold at least one version and are not half-created."""
    if not meetings_dir.is_dir():
        return []
    return sorted(
        d for d in meetings_dir.iterdir()
        if d.is_dir() and not (d / CREATING_MARK).exists() and any(d.glob("versions/v*.json"))
    )


def reserve_folder(
    meetings_dir: Path, base: str, *, exact: bool, request_key: str | None, known: Callable[[str], bool],
) -> tuple[str, Path]:
    """Make a new meeting's folder with an exclusive ``mkdir`` (two processes can never pick the same
    id) and mark it as being created; ``known(id)`` says whether the database has that meeting. A
    folder that a killed run with the same ``request_key`` reserved and never committed is taken over
    instead of making ``<id>-2``. ``exact``: ``base`` is the id asked for; refuse if it is taken."""
    with disk_full_as_store_error(meetings_dir):
        meetings_dir.mkdir(parents=True, exist_ok=True)
        if request_key:
            for mark in sorted(meetings_dir.glob(f"*/{CREATING_MARK}")):
                if _abandoned_by(mark.parent, request_key, known):
                    shutil.rmtree(mark.parent)
                    break
        new_id, n = base, 1
        while True:
            folder = meetings_dir / new_id
            try:
                folder.mkdir()
            except FileExistsError:
                taken = True
                if _dead_reservation(folder, known):  # a draft killed midway: its id is free again
                    shutil.rmtree(folder, ignore_errors=True)
                    continue
            else:
                taken = known(new_id)  # a meeting whose folder was deleted by hand
                if taken:
                    folder.rmdir()
            if not taken:
                break
            if exact:
                raise StoreError(f"meeting {base!r} already exists")
            n += 1
            new_id = f"{base}-{n}"
        try:
            owner = f"{request_key or ''}\n{os.getpid()}\n{socket.gethostname()}\n"
            (folder / CREATING_MARK).write_text(owner, encoding="utf-8")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
    return new_id, folder


def _dead_reservation(folder: Path, known: Callable[[str], bool]) -> bool:
    """True for a folder reserved by a process of this machine that no longer runs and whose meeting
    was never committed: nothing can finish it, and what it holds is a copy of an input."""
    try:
        _key, pid, host = (folder / CREATING_MARK).read_text(encoding="utf-8").split("\n")[:3]
        alive = host != socket.gethostname() or _running(int(pid))
    except (OSError, ValueError):
        return False
    return not alive and not known(folder.name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_dead_reservations(meetings_dir: Path, known: Callable[[str], bool],
                             *, older_than: float = 3600) -> list[Path]:
    """Remove meeting folders whose creation a killed process left unfinished (never committed, the
    process gone, untouched for ``older_than`` seconds). They hold only copies of an input."""
    removed = []
    cutoff = time.time() - older_than
    for mark in sorted(meetings_dir.glob(f"*/{CREATING_MARK}")):
        try:
            stale = mark.stat().st_mtime < cutoff
        except OSError:
            continue
        if stale and _dead_reservation(mark.parent, known):
            shutil.rmtree(mark.parent, ignore_errors=True)
            removed.append(mark.parent)
    return removed


def _abandoned_by(folder: Path, request_key: str, known: Callable[[str], bool]) -> bool:
    try:
        key = (folder / CREATING_MARK).read_text(encoding="utf-8").split("\n", 1)[0]
    except OSError:
        return False
    return key == request_key and not known(folder.name)


def relative_paths(values: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Paths inside the meeting folder made relative (for the history file, so a moved data folder
    still rebuilds)."""
    out = dict(values)
    for key in ("source_path", "transcript_path"):
        value = out.get(key)
        if value and Path(value).is_absolute() and Path(value).is_relative_to(folder):
            out[key] = str(Path(value).relative_to(folder))
    return out


def files_under(folder: Path) -> set[Path]:
    """What a version write may add: its file and its rendered draft (nothing else is touched, so a
    failed edit cannot remove, say, an e-mail written meanwhile into outbox/)."""
    found: set[Path] = set()
    for sub in ("versions", "drafts"):
        if (folder / sub).exists():
            found.add(folder / sub)
            found.update((folder / sub).rglob("*"))
    return found


def remove_new_files(folder: Path, before: set[Path]) -> None:
    """Undo a failed write: remove what appeared under ``folder`` since ``before`` (deepest first)."""
    for path in sorted(files_under(folder) - before, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()


def sweep_temporaries(data_dir: Path) -> bool:
    """Remove temporary files that killed processes left (at most once an hour per data folder);
    True when it ran (the caller's other hourly upkeep runs then too)."""
    mark = data_dir / SWEEP_MARK
    try:
        if mark.exists() and time.time() - mark.stat().st_mtime < 3600:
            return False
        removed = remove_stale_temporaries(data_dir)
        mark.touch()
    except OSError as exc:
        log.warning("%s: could not clean up temporary files (%s)", data_dir, exc)
        return False
    for path in removed:
        log.info("removed a stale temporary file %s", path)
    return True
