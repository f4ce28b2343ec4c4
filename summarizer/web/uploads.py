"""Receive a multipart upload straight to disk, with a size limit, and decide by content what it is.

Starlette's own form parser spools files to a temporary file of unlimited size; a 2 GB recording must
instead go to its final folder chunk by chunk and stop at ``settings.upload_limit_mb``. What a file *is*
(recording or transcript) is decided from its bytes — magic numbers, a PyAV probe, a text decode — never
from its name, which the browser lets the user pick freely.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from starlette.requests import ClientDisconnect, Request

from summarizer.errors import InputError
from summarizer.web.security import CsrfFailed, check_csrf

log = logging.getLogger(__name__)

PROCESS_START = time.time()
MAX_FIELD_BYTES = 1024 * 1024  # a pasted transcript of a long meeting fits well within this
MAX_FIELDS = 50
UploadKind = Literal["media", "transcript"]


class UploadTooLarge(InputError):
    status_code = 413


@dataclass
class ReceivedFile:
    path: Path
    filename: str  # as the browser sent it; for display only
    size: int


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, ReceivedFile] = field(default_factory=dict)
    # fields whose bytes were not UTF-8 (browsers always send UTF-8; other clients may not), kept raw
    # so a pasted transcript can be decoded like a file instead of turning into "�" soup
    raw: dict[str, bytes] = field(default_factory=dict)


def _safe_suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


async def receive_multipart(request: Request, dest_dir: Path, *, limit_bytes: int) -> ReceivedForm:
    """Parse a ``multipart/form-data`` body, writing file parts into ``dest_dir`` as they arrive.

    The CSRF token must arrive (header, or a field placed before the file in the form) before any file
    byte is written, so a forged request cannot even fill the disk.
    """
    from python_multipart.multipart import MultipartParser, parse_options_header

    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise InputError(None, "expected a form upload (multipart/form-data)")
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit_bytes + MAX_FIELD_BYTES:
        raise UploadTooLarge(
            None, f"upload is {declared / 2**20:.0f} MB, more than the limit of {limit_bytes / 2**20:.0f} MB",
            hint="raise upload_limit_mb in the config, or upload a compressed recording",
        )

    form = ReceivedForm()
    dest_dir.mkdir(parents=True, exist_ok=True)
    state: dict[str, object] = {}
    headers: dict[str, str] = {}
    header_field = bytearray()
    header_value = bytearray()
    errors: list[Exception] = []
    csrf_checked: list[bool] = []

    def on_part_begin() -> None:
        headers.clear()
        state.update(name=None, filename=None, buf=bytearray(), fh=None, size=0)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        headers[header_field.decode("latin-1").lower()] = header_value.decode("latin-1")
        header_field.clear()
        header_value.clear()

    def on_headers_finished() -> None:
        _, options = parse_options_header(headers.get("content-disposition", ""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        state["name"] = name
        if b"filename" in options:
            filename = options[b"filename"].decode("utf-8", "replace")
            if not filename:
                return  # an empty file input
            if not csrf_checked and not errors:
                try:
                    check_csrf(request, form.fields)
                except CsrfFailed as exc:
                    errors.append(exc)
                    return
                csrf_checked.append(True)
            path = dest_dir / f"upload-{len(form.files) + 1}{_safe_suffix(filename)}.part"
            state["filename"] = filename
            state["path"] = path
            fh = path.open("wb")
            _lock(fh.fileno())  # "being written": a restarted server leaves a locked part alone
            state["fh"] = fh
        elif len(form.fields) >= MAX_FIELDS:
            errors.append(InputError(None, "too many form fields"))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if errors:
            return
        fh = state.get("fh")
        if fh is not None:
            size = int(state["size"]) + (end - start)  # type: ignore[call-overload]
            state["size"] = size
            if size > limit_bytes:
                errors.append(UploadTooLarge(
                    str(state["filename"]),
                    f"file is larger than the upload limit of {limit_bytes / 2**20:.0f} MB",
                    hint="raise upload_limit_mb in the config, or upload a compressed recording",
                ))
                return
            fh.write(data[start:end])  # type: ignore[attr-defined]
        elif state.get("filename") is None:
            buf = state["buf"]
            assert isinstance(buf, bytearray)
            buf.extend(data[start:end])
            if len(buf) > MAX_FIELD_BYTES:
                errors.append(InputError(None, f"form field {state['name']!r} is too long"))

    def on_part_end() -> None:
        fh = state.get("fh")
        name = str(state.get("name") or "")
        if fh is not None:
            fh.close()  # type: ignore[attr-defined]
            state["fh"] = None
            part = state["path"]
            assert isinstance(part, Path)
            if errors:
                part.unlink(missing_ok=True)
                return
            final = part.with_name(part.name.removesuffix(".part"))
            part.replace(final)
            form.files[name] = ReceivedFile(final, str(state["filename"]), int(state["size"]))  # type: ignore[call-overload]
        elif state.get("filename") is None and not errors:
            buf = state["buf"]
            assert isinstance(buf, bytearray)
            try:
                form.fields[name] = buf.decode("utf-8")
            except UnicodeDecodeError:
                form.fields[name] = buf.decode("utf-8", "replace")
                form.raw[name] = bytes(buf)

    parser = MultipartParser(params[b"boundary"], {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if errors:
                break
        else:
            parser.finalize()
    except ValueError as exc:  # python_multipart's parse errors; a broken client, not a server bug
        errors.append(InputError(None, f"the upload is not a valid form ({exc})"))
    except ClientDisconnect:
        errors.append(InputError(None, "the upload was interrupted: the browser closed the connection"))
    except BaseException:  # the server is stopping, ...
        for received in form.files.values():
            received.path.unlink(missing_ok=True)
        raise
    finally:
        fh = state.get("fh")
        if fh is not None:
            fh.close()  # type: ignore[attr-defined]
            Path(str(state["path"])).unlink(missing_ok=True)
    if errors:
        for received in form.files.values():
            received.path.unlink(missing_ok=True)
        raise errors[0]
    if not csrf_checked:
        check_csrf(request, form.fields)
    return form


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not POSIX: stale parts are then told apart by age alone
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _being_written(path: Path) -> bool:
    """Whether some live request (of this or another server process) still writes ``path``."""
    try:
        import fcntl
    except ImportError:
        return path.stat().st_mtime >= PROCESS_START
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # locked by its writer
    finally:
        os.close(fd)  # also drops our lock
    return False


def remove_stale_uploads(root: Path) -> list[Path]:
    """Delete ``upload-*.part`` files no live request is writing (left by a killed server or a broken
    connection), and the empty temporary folders around them. Returns what was removed."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    emptied: set[Path] = set()
    for part in sorted(root.rglob("upload-*.part")):
        if part.is_file() and not _being_written(part):
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
                emptied.add(part.parent)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        # an empty folder made before this process started belongs to no request any more
        with contextlib.suppress(OSError):
            if not any(folder.iterdir()) and (folder in emptied or folder.stat().st_mtime < PROCESS_START):
                folder.rmdir()
    if removed:
        log.info("removed %d unfinished upload(s) under %s", len(removed), root)
    return removed


@contextlib.contextmanager
def upload_folder(folder: Path) -> Iterator[Path]:
    """A request's temporary upload folder, removed with everything in it if the request fails."""
    try:
        yield folder
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


# --------------------------------------------------------------------------------------------------
# What is this file?
# --------------------------------------------------------------------------------------------------
_MEDIA_MAGIC: list[tuple[int, bytes]] = [
    (0, b"RIFF"), (0, b"ID3"), (0, b"OggS"), (0, b"fLaC"), (4, b"ftyp"), (0, b"\x1a\x45\xdf\xa3"),
    (0, b"#!AMR"), (0, b"FORM"), (0, b"\x30\x26\xb2\x75"), (0, b"\xff\xfb"), (0, b"\xff\xf3"),
    (0, b"\xff\xf2"), (0, b"\xff\xf1"), (0, b"\xff\xf9"), (0, b".snd"), (0, b"\x00\x00\x01\xba"),
]
_OTHER_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"\x7fELF", "a program"), (b"MZ", "a Windows program"), (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"), (b"\xd0\xcf\x11\xe0", "an old Office document"),
]


# The type a recording is served as, from its container's own signature (never from the name the
# browser sent): (offset, magic, extra check at 8..12, media type, suffix the stored copy gets).
_AUDIO_CONTAINERS: list[tuple[int, bytes, bytes | None, str, str]] = [
    (0, b"RIFF", b"WAVE", "audio/wav", ".wav"),
    (0, b"ID3", None, "audio/mpeg", ".mp3"),
    (0, b"\xff\xfb", None, "audio/mpeg", ".mp3"),
    (0, b"\xff\xf3", None, "audio/mpeg", ".mp3"),
    (0, b"\xff\xf2", None, "audio/mpeg", ".mp3"),
    (0, b"\xff\xf1", None, "audio/aac", ".aac"),
    (0, b"\xff\xf9", None, "audio/aac", ".aac"),
    (0, b"OggS", None, "audio/ogg", ".ogg"),
    (0, b"fLaC", None, "audio/flac", ".flac"),
    (4, b"ftyp", None, "audio/mp4", ".m4a"),
    (0, b"\x1a\x45\xdf\xa3", None, "audio/webm", ".webm"),
    (0, b"#!AMR", None, "audio/amr", ".amr"),
    (0, b"FORM", b"AIFF", "audio/aiff", ".aiff"),
    (0, b"FORM", b"AIFC", "audio/aiff", ".aifc"),
    (0, b"\x30\x26\xb2\x75", None, "audio/x-ms-wma", ".wma"),
    (0, b".snd", None, "audio/basic", ".au"),
]


def audio_container(path: Path) -> tuple[str, str] | None:
    """``(media type, suffix)`` of a recording, read from its first bytes; None when it is no audio
    container the server knows (it is then not served to the browser at all)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    for offset, magic, sub, media_type, suffix in _AUDIO_CONTAINERS:
        if head[offset:offset + len(magic)] == magic and (sub is None or head[8:12] == sub):
            return media_type, suffix
    return None


def _probe_audio(path: Path) -> bool:
    import av  # lazy: PyAV pulls in FFmpeg libraries

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return any(s.type == "audio" for s in container.streams)
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        return False


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1251"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            # a multi-byte character cut by the sample boundary is still text
            if encoding == "utf-8" and exc.start >= len(head) - 4:
                text = head[: exc.start].decode(encoding)
            else:
                continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
        return controls <= max(1, len(text) // 200)
    return False


def media_suffixes() -> frozenset[str]:
    from summarizer.speech.transcribe import MEDIA_SUFFIXES

    return MEDIA_SUFFIXES


def inspect_upload(path: Path, *, display_name: str | None = None) -> UploadKind:
    """Say whether ``path`` is a recording or a transcript, or raise ``InputError`` naming the problem."""
    name = display_name or path.name
    size = path.stat().st_size
    if size == 0:
        raise InputError(name, "the file is empty")
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    for magic, what in _OTHER_MAGIC:
        if head.startswith(magic):
            raise InputError(
                name, f"this is {what}, not a recording or a transcript",
                hint="upload an audio/video recording, or a .txt/.srt/.vtt/.json transcript",
            )
    if any(head[offset:offset + len(magic)] == magic for offset, magic in _MEDIA_MAGIC):
        if _probe_audio(path):
            return "media"
        raise InputError(name, "looks like a recording but has no readable audio (damaged or truncated?)")
    if _looks_like_text(head):
        if Path(name).suffix.lower() in media_suffixes() and not looks_like_transcript_text(path):
            raise InputError(
                name, f"named like a recording ({Path(name).suffix.lower()}), but it is a text file "
                "that does not read as a transcript (no “Name: words” lines, timestamps or subtitles)",
                hint="upload the recording itself, or a transcript with one speaker turn per line",
            )
        return "transcript"
    if _probe_audio(path):
        return "media"
    raise InputError(
        name, "neither a recording with an audio track nor a text transcript",
        hint="upload an audio/video recording, or a .txt/.srt/.vtt/.json transcript",
    )


def pasted_text(form: ReceivedForm, name: str) -> str:
    """A pasted transcript as text: raw bytes in another encoding are decoded like a transcript file
    (strict UTF-8, else Windows-1251 Russian), and text that was already garbled before it was pasted
    is refused with the reason, because extracting from it would only produce nonsense."""
    from summarizer.ingest.read import decode_transcript_bytes

    if name in form.raw:
        try:
            text, _ = decode_transcript_bytes(form.raw[name], None)
        except InputError as exc:
            raise InputError(PASTED, exc.problem, hint=exc.hint) from None
    else:
        text = form.fields.get(name, "")
    problem = garbled_text_problem(text)
    if problem:
        raise InputError(PASTED, problem,
                         hint="upload the transcript file itself instead: its encoding is detected")
    return text.strip()


PASTED = "the pasted transcript"  # how messages name text that came without a file
_MOJIBAKE = (("cp1251", "Р"), ("cp1252", "Ð"), ("latin-1", "Ð"))


def garbled_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a readable transcript, or None: characters lost to a wrong encoding
    ("\ufffd"), or UTF-8 Russian shown as Windows-1251/-1252 ("РџСЂРёРІРµС‚", "ÐŸÑ€Ð¸Ð²ÐµÑ‚")."""
    lost = text.count("\ufffd")
    if lost and lost >= max(3, len(text) // 200):
        return (f"{lost} characters could not be read (shown as “\ufffd”): the text was opened "
                "in the wrong encoding, probably Windows-1251, before it was copied")
    for encoding, marker in _MOJIBAKE:
        if text.count(marker) < 5:
            continue
        # bytes the wrong code page could not show are gone, so repair leniently and then ask whether
        # the result is mostly Cyrillic words (real Russian text "repaired" this way becomes "\ufffd")
        repaired = text.encode(encoding, "ignore").decode("utf-8", "replace")
        cyrillic = sum(1 for ch in repaired if "\u0400" <= ch <= "\u04ff")
        if cyrillic >= 5 and repaired.count("\ufffd") * 5 <= cyrillic:
            return (f"the text is garbled: UTF-8 Russian displayed as {encoding} "
                    f"(it begins “{text.strip()[:24]}…”, which should read “{repaired.strip()[:12]}…”)")
    return None


def looks_like_transcript_text(path: Path) -> bool:
    """Whether a text file reads as a transcript with structure: cues, JSON, or speaker/timestamp lines.

    Used only for a text file uploaded under a recording's name, where plain prose is more likely a
    wrong file than a transcript.
    """
    from summarizer.ingest.read import read_transcript

    try:
        transcript = read_transcript(path)
    except InputError:
        return True  # let the job report the transcript's own problem, with its line number
    if transcript.source_format in {"srt", "vtt", "json"}:
        return True
    return any(seg.speaker or seg.start is not None for seg in transcript.segments)
