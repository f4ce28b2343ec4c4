"""Helpers for the store fault tests: the real CLI in a subprocess, and real size-limited or read-only
file systems (tmpfs mounts; they need root, and the tests skip with the reason where mounting is
not permitted)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
SAMPLE_RU = ROOT / "samples" / "transcripts" / "negotiation_ru.txt"


def cli(*args: str | Path, input: str | None = None, env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """``summarizer ARGS`` as a user runs it (the test's SUMMARIZER_HOME is in the environment)."""
    return subprocess.run([sys.executable, "-m", "summarizer", *map(str, args)], input=input,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def draft(sample: Path = SAMPLE, *extra: str) -> str:
    """Draft a meeting from a transcript sample; return its id."""
    run = cli("draft", sample, "--date", "2026-11-25", *extra)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()[1]


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True, text=True)


@contextlib.contextmanager
def tmpfs(size: str = "15m") -> Iterator[Path]:
    """A real, size-limited file system mounted on a temporary folder (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root; this test runs as a normal user")
    where = Path(tempfile.mkdtemp(prefix="summarizer-fs-"))
    try:
        _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    except (OSError, subprocess.CalledProcessError) as exc:
        where.rmdir()
        detail = getattr(exc, "stderr", "") or exc
        pytest.skip(f"cannot mount a tmpfs here ({str(detail).strip()}); a container without mount rights")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)
        with contextlib.suppress(OSError):
            where.rmdir()


def remount_read_only(where: Path) -> None:
    _mount("-o", "remount,ro", str(where))


def fill(where: Path, leave_bytes: int) -> Path:
    """Fill the file system at ``where`` until only about ``leave_bytes`` are free."""
    filler = where / "filler.bin"
    filler.unlink(missing_ok=True)
    free = os.statvfs(where).f_bavail * os.statvfs(where).f_frsize
    with filler.open("wb") as fh:
        remaining = max(0, free - leave_bytes)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            n = min(len(block), remaining)
            fh.write(block[:n])
            remaining -= n
    return filler


def temporaries(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.tmp"))
