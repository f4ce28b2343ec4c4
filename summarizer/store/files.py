"""Files at rest: atomic writes and content hashes.

Everything the tool writes goes through ``write_atomic``/``copy_atomic``: a temporary file in the same
folder, fsync, then a rename, so a process killed midway leaves either the old file or the new one,
never half of one. Hashes identify recordings (the transcript cache) and prove what was approved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from summarizer.errors import InputError, StoreError, SummarizerError

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


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# A temporary file this old was left by a process that died: no live write takes an hour.
STALE_TMP_SECONDS = 3600


def disk_full_error(folder: Path, exc: OSError) -> StoreError:
    """The message for ENOSPC/EDQUOT: which folder is full, and that nothing was half-saved."""
    what = "the disk quota is used up" if exc.errno == errno.EDQUOT else "the disk is full"
    return StoreError(f"{folder}: {what}; nothing was saved",
                      hint="free some space on that disk (or move SUMMARIZER_HOME / data_dir) and try again")


@contextlib.contextmanager
def disk_full_as_store_error(folder: Path) -> Iterator[None]:
    """Turn "[Errno 28] No space left on device" raised inside the block into a ``StoreError``."""
    try:
        yield
    except OSError as exc:
        if exc.errno in DISK_FULL:
            raise disk_full_error(folder, exc) from exc
        raise
    except SummarizerError as exc:  # e.g. the DOCX writer's own "cannot write the document"
        cause = exc.__cause__
        if isinstance(cause, OSError) and cause.errno in DISK_FULL and not isinstance(exc, StoreError):
            raise disk_full_error(folder, cause) from exc
        raise


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write ``path`` via a temporary file in the same folder and an atomic rename.

    The temporary name is unique to this call (the web app writes from several threads of one
    process, so a pid-based name was shared) and is removed if anything fails.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with disk_full_as_store_error(path.parent), _temporary_beside(path) as tmp:
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
    with disk_full_as_store_error(dest.parent), _temporary_beside(dest) as tmp:
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


def write_new(folder: Path, stem: str, suffix: str, data: bytes | str) -> Path:
    """Write ``data`` to a file that did not exist before, named ``stem``+``suffix`` (or
    ``stem-2``+``suffix``, ...), and return its path. Never overwrites anything.

    The content goes to a temporary file first and is published with ``os.link``, which fails if
    the name exists (an exclusive create that other processes cannot race), so the file appears
    complete or not at all. Used for what a person typed and the tool could not save.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with disk_full_as_store_error(folder):
        folder.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(folder / f"{stem}{suffix}") as tmp:
            with tmp.open("wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            for n in range(1, 10_000):
                name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
                target = folder / name
                try:
                    os.link(tmp, target)
                except FileExistsError:
                    continue
                except OSError as exc:  # a file system without hard links: O_EXCL instead
                    if exc.errno in DISK_FULL:
                        raise
                    return _write_exclusive(folder, stem, suffix, payload)
                return target
    raise StoreError(f"{folder}: too many files named {stem}*{suffix}")


def _write_exclusive(folder: Path, stem: str, suffix: str, payload: bytes) -> Path:
    target = folder / f"{stem}-{secrets.token_hex(4)}{suffix}"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


_TEMP_SUFFIXES = (".tmp", ".part")  # ours, and the DOCX writer's


def is_our_temporary(path: Path) -> bool:
    """True for a name ``_temporary_beside`` (or the DOCX writer) makes: ``.<file name>.<random>.tmp``."""
    return path.name.startswith(".") and path.name.endswith(_TEMP_SUFFIXES) and path.name.count(".") >= 3


def remove_stale_temporaries(root: Path, *, older_than: float = STALE_TMP_SECONDS) -> list[Path]:
    """Delete temporary files of ours under ``root`` that no live writer can still own (older than
    ``older_than`` seconds: a write renames its temporary file within moments). Returns them."""
    removed: list[Path] = []
    cutoff = time.time() - older_than
    for path in (p for suffix in _TEMP_SUFFIXES for p in root.rglob(f".*{suffix}")):
        try:
            if is_our_temporary(path) and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue
    return removed
