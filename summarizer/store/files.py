"""Files at rest: atomic writes and content hashes.

Everything the tool writes goes through ``write_atomic``/``copy_atomic``: a temporary file in the same
folder, fsync, then a rename, so a process killed midway leaves either the old file or the new one,
never half of one. Hashes identify recordings (the transcript cache) and prove what was approved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from summarizer.errors import InputError

# Lets tests kill a writer between "temp file written" and "renamed into place".
_PAUSE_ENV = "SUMMARIZER_TEST_PAUSE_AFTER_TEMP"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``path`` via a temporary file in the same folder and an atomic rename.

    The temporary name is unique to this call (the web app writes from several threads of one
    process, so a pid-based name was shared) and is removed if anything fails.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _temporary_beside(path) as tmp:
        with tmp.open("wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        pause = os.environ.get(_PAUSE_ENV)
        if pause:
            time.sleep(float(pause))
        tmp.replace(path)
    return path


def copy_atomic(src: Path, dest: Path) -> Path:
    """Copy a (possibly large) file via a temporary name and an atomic rename."""
    with _temporary_beside(dest) as tmp:
        shutil.copyfile(src, tmp)
        tmp.replace(dest)
    return dest


@contextlib.contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    if path.is_dir():  # e.g. `export -o SOMEFOLDER --force`: the rename would fail with IsADirectoryError
        raise InputError(path, "this is a folder; give the name of a file to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.chmod(0o644)  # mkstemp makes 0600; these are ordinary documents
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
