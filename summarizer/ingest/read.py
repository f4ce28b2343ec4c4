"""Read transcripts people already have: plain text, SRT, WebVTT (Teams, Zoom), diarised text, JSON.

``read_transcript`` is the one entry point. It guesses the encoding (UTF-8, UTF-8/16 with BOM,
Windows-1251) and the format (suffix first, then content), keeps every line or cue as its own segment,
and raises ``InputError`` naming the file and line for anything it cannot read.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from summarizer.errors import InputError
from summarizer.ingest.cues import parse_srt, parse_vtt, vtt_flavour
from summarizer.ingest.text import RawSegment, fill_end_times, parse_plain
from summarizer.ingest.write import TRANSCRIPT_WRITE_FORMATS, write_transcript
from summarizer.transcript import (
    TRANSCRIPT_FORMAT_VERSION,
    Segment,
    Transcript,
    guess_language,
    make_segment_id,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "TRANSCRIPT_FORMATS",
    "TRANSCRIPT_SUFFIXES",
    "TRANSCRIPT_WRITE_FORMATS",
    "decode_transcript_bytes",
    "detect_format",
    "guess_language",
    "read_transcript",
    "write_transcript",
]

log = logging.getLogger(__name__)

TRANSCRIPT_SUFFIXES = {".txt", ".srt", ".vtt", ".json", ".md"}
TRANSCRIPT_FORMATS = ("txt", "srt", "vtt", "json")
# A 10-hour Russian meeting is about 1.5 MB of UTF-8 (an English one half that), so 5 MB is
# beyond any real meeting; bench/transcript_size.py shows extraction and rendering linear in size,
# a few tens of seconds per MB on a loaded 2-core machine. The old 50 MiB let through files that
# ran for many minutes (a wrong file, not a meeting).
DEFAULT_MAX_BYTES = 5_000_000
_FORMAT_ALIASES = {"text": "txt", "plain": "txt", "md": "txt", "markdown": "txt", "webvtt": "vtt",
                   "subrip": "srt"}

# Signatures of files people pick by mistake, so the message can say what the file actually is.
_MEDIA_HINT = "This looks like a recording; transcribe it with `summarizer transcribe` first."
_MAGIC: list[tuple[bytes, int, str, str | None]] = [
    (b"%PDF", 0, "a PDF document, not a text transcript", "Export or copy the transcript as plain text."),
    (b"PK\x03\x04", 0, "a ZIP container (a Word .docx or similar), not a text transcript",
     "Save the transcript as .txt, .srt or .vtt."),
    (b"\xd0\xcf\x11\xe0", 0, "an old Office document, not a text transcript",
     "Save the transcript as .txt, .srt or .vtt."),
    (b"ID3", 0, "an audio file, not a text transcript", _MEDIA_HINT),
    (b"RIFF", 0, "an audio/video file, not a text transcript", _MEDIA_HINT),
    (b"OggS", 0, "an audio file, not a text transcript", _MEDIA_HINT),
    (b"fLaC", 0, "an audio file, not a text transcript", _MEDIA_HINT),
    (b"ftyp", 4, "an audio/video file, not a text transcript", _MEDIA_HINT),
    (b"\x1a\x45\xdf\xa3", 0, "a video file, not a text transcript", _MEDIA_HINT),
]
STDIN_NAME = "<stdin>"  # how messages name pasted text
MIXED_ENCODING = "utf-8+cp1251"  # meta["encoding"] of a file decoded line by line
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_SRT_START = re.compile(r"^\s*\d+\s*\n\s*[\d:,.]+\s*-->")


def read_transcript(
    path: Path | None,
    *,
    text: str | bytes | None = None,
    fmt: str | None = None,
    max_bytes: int | None = None,
) -> Transcript:
    """Read a transcript file, or pasted text when ``path`` is None.

    ``fmt`` (txt|srt|vtt|json) overrides detection. ``text`` may be bytes (raw stdin) and is then
    decoded like a file. ``max_bytes`` defaults to ``DEFAULT_MAX_BYTES``.
    """
    try:
        return _read_source(path, text, fmt, max_bytes)
    except InputError as exc:
        if path is not None or exc.path is not None:
            raise
        # pasted text has no file name; a terminal user knows it as stdin
        raise InputError(STDIN_NAME, exc.problem, line=exc.line, hint=exc.hint) from None


def _read_source(
    path: Path | None, text: str | bytes | None, fmt: str | None, max_bytes: int | None
) -> Transcript:
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if path is not None:
        path = Path(path)
        data = _read_bytes(path, limit)
        content, encoding = _decode(data, path)
    elif text is None:
        raise InputError(None, "no transcript given (neither a file nor pasted text)")
    elif isinstance(text, bytes):
        _check_size(len(text), limit, None)
        content, encoding = _decode(text, None)
    else:
        _check_size(len(text.encode("utf-8", "surrogatepass")), limit, None)
        content, encoding = _normalise_newlines(text.lstrip("\ufeff")), "unicode"
        if not content.strip():
            raise InputError(None, "the pasted text is empty")
    encoding, _, mixed = encoding.partition(":")
    kind = _normalise_format(fmt, path) if fmt else detect_format(content, path)
    if kind == "json":
        transcript = _parse_json(content, path, encoding)
        if path is None:
            transcript.source_format = "stdin"
        return transcript

    notes: dict[str, str] = {}
    if kind == "srt":
        raws = parse_srt(content, path)
    elif kind == "vtt":
        raws = parse_vtt(content, path)
    else:
        is_markdown = bool(path and path.suffix.lower() == ".md") or fmt in {"md", "markdown"}
        raws, notes = parse_plain(content, path, is_markdown=is_markdown)
    if not raws:
        raise InputError(path, "no transcript text found in the file" if path else "no transcript text found")
    meta: dict[str, object] = {"encoding": encoding, "format": kind}
    flavour = vtt_flavour(content) if kind == "vtt" else None
    if flavour:
        meta["export_flavour"] = flavour  # the call platform that wrote the file (header: platform)
    if mixed:
        # the reviewer should know the file was pieced together; the line numbers say where
        meta["cp1251_lines"] = [int(n) for n in mixed.split(",")]
    if notes:
        # "Ольга Смирнова (Альфа-Логистик):" - the note is kept for the roster step, not guessed into fields
        meta["speaker_notes"] = notes
    transcript = _build(raws, path, "stdin" if path is None else kind, meta)
    log.debug("read %s: %d segments, format %s, encoding %s", path or STDIN_NAME, len(raws), kind, encoding)
    return transcript


def _build(
    raws: list[RawSegment], path: Path | None, source_format: str, meta: dict[str, object]
) -> Transcript:
    segments = [
        Segment(id=make_segment_id(i), text=raw.text, start=raw.start, end=raw.end, speaker=raw.speaker)
        for i, raw in enumerate(raws)
    ]
    times = [t for seg in segments for t in (seg.start, seg.end) if t is not None]
    return Transcript(
        segments=segments,
        language=guess_language(" ".join(seg.text for seg in segments)),
        source=str(path) if path is not None else None,
        source_format=source_format,
        duration=max(times) if times else None,
        meta=meta,
    )


# -- bytes -> text ------------------------------------------------------------------------------------
def _check_size(size: int, limit: int, path: Path | None) -> None:
    if size > limit:
        # exact bytes: "50.0 MB; the limit is 50.0 MB" for a file one byte over tells nobody anything
        raise InputError(path, f"the transcript is too large: {_bytes(size)}; the limit is {_bytes(limit)}",
                         hint="Is this really a text transcript?")


def _bytes(size: int) -> str:
    return f"{size:,} bytes" + (f" ({size / 1_000_000:.1f} MB)" if size >= 1_000_000 else "")


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        if path.is_dir():
            raise InputError(path, "this is a folder, not a transcript file")
        _check_size(path.stat().st_size, limit, path)
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except PermissionError:
        raise InputError(path, "the file cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(path, f"the file cannot be read ({exc.strerror or exc})") from None
    _check_size(len(data), limit, path)  # the file may have grown since stat()
    return data


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_transcript_bytes(data: bytes, path: Path | None) -> tuple[str, str]:
    """Return (text, encoding name).

    BOM first, then strict UTF-8, then Windows-1251 only if the result reads as Russian; a file of
    UTF-8 and Windows-1251 lines is decoded line by line (encoding ``utf-8+cp1251``).
    """
    text, encoding = _decode(data, path)
    return text, encoding.split(":")[0]


def _decode(data: bytes, path: Path | None) -> tuple[str, str]:
    """As ``decode_transcript_bytes``; a mixed file's encoding is ``utf-8+cp1251:<cp1251 line numbers>``."""
    if not data.strip():
        raise InputError(path, "the file is empty" if path else "the pasted text is empty")
    for magic, offset, what, hint in _MAGIC:
        if data[offset:offset + len(magic)] == magic:
            raise InputError(path, f"this is {what}", hint=hint)
    declared = _bom_encoding(data) or _bomless_utf16(data)
    if declared:
        encoding = declared
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(path, f"the file starts like {encoding} but is damaged ({exc.reason})") from None
    else:
        _reject_binary_bytes(data, path)
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            bad_line = data[: exc.start].count(b"\n") + 1
            text, encoding = _decode_not_utf8(data, path, bad_line)
    text = _normalise_newlines(text.lstrip("\ufeff"))
    if not text.strip():
        raise InputError(path, "the file is empty" if path else "the pasted text is empty")
    _reject_binary(text, path)
    return text, encoding


def _decode_not_utf8(data: bytes, path: Path | None, bad_line: int) -> tuple[str, str]:
    """Whole-file Windows-1251, or line by line when UTF-8 and Windows-1251 lines are mixed.

    A file pieced together from two sources (one pasted from a UTF-8 chat, one exported by an old
    Windows tool) has lines of both. Decoding the whole file as cp1251 turns its UTF-8 lines into
    mojibake ("РћР»СЊРіР°") and loses their speakers, so each line is decoded by itself: valid UTF-8
    stays UTF-8, the rest must read as Windows-1251 Russian or the file is refused at that line.
    """
    lines = data.split(b"\n")
    utf8_lines: list[int] = []
    other: list[int] = []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
        else:
            utf8_lines.append(number)
    if not utf8_lines:
        russian = _try_cp1251(data)
        if russian is None:
            raise InputError(
                path, "the text is neither UTF-8 nor Windows-1251 Russian text", line=bad_line,
                hint="Save the file as UTF-8 and try again.",
            )
        return russian, "cp1251"
    # Mixed: the non-UTF-8 lines must read as Russian in cp1251, judged on those lines only.
    if _try_cp1251(b"\n".join(lines[n - 1] for n in other)) is None:
        raise InputError(
            path, f"line {other[0]} is neither UTF-8 nor Windows-1251 Russian text "
            f"(other lines are UTF-8)", line=other[0], hint="Save the file as UTF-8 and try again.",
        )
    bad = set(other)
    text = "\n".join(
        line.decode("cp1251") if n in bad else line.decode("utf-8")
        for n, line in enumerate(lines, start=1)
    )
    log.warning("%s mixes encodings: lines %s are Windows-1251, the rest UTF-8; decoded line by line",
                path or STDIN_NAME, ", ".join(map(str, other[:10])) + ("…" if len(other) > 10 else ""))
    return text, f"{MIXED_ENCODING}:" + ",".join(map(str, other))


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _bomless_utf16(data: bytes) -> str | None:
    """Some Windows tools write UTF-16 without a BOM; ASCII-heavy text then has a zero in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_zero = sample[0::2].count(0) / len(sample[0::2])
    odd_zero = sample[1::2].count(0) / len(sample[1::2])
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _try_cp1251(data: bytes) -> str | None:
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    # Any byte soup decodes as cp1251, so accept it only when it reads as Cyrillic words,
    # not Latin words with stray letters (a Western-European file would give "cafй").
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    if cyr < 3 or cyr < lat:
        return None
    words = [w for w in re.findall(r"\w+", text) if _CYRILLIC.search(w)]
    mixed = sum(1 for w in words if _LATIN.search(w))
    return text if mixed <= 0.1 * len(words) else None


def _reject_binary_bytes(data: bytes, path: Path | None) -> None:
    # Text in UTF-8 or cp1251 has no control bytes besides tab and line ends; checking bytes first
    # gives "binary" instead of a misleading "wrong encoding" message.
    sample = data[:65536]
    control = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\f\v")
    if 0 in sample or control > max(2, len(sample) // 100):
        raise InputError(path, "this is a binary file, not a text transcript",
                         hint="Give a .txt, .srt, .vtt or .json transcript, "
                         "or an audio/video file to transcribe.")


def _reject_binary(text: str, path: Path | None) -> None:
    sample = text[:65536]
    control = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\t\f\v")
    if "\x00" in sample or control > max(2, len(sample) // 100):
        raise InputError(path, "this is a binary file, not a text transcript",
                         hint="Give a .txt, .srt, .vtt or .json transcript, "
                         "or an audio/video file to transcribe.")


# -- format detection ---------------------------------------------------------------------------------
def _normalise_format(fmt: str, path: Path | None) -> str:
    kind = fmt.lower().lstrip(".")
    kind = _FORMAT_ALIASES.get(kind, kind)
    if kind not in TRANSCRIPT_FORMATS:
        known = ", ".join(TRANSCRIPT_FORMATS)
        raise InputError(path, f"unknown transcript format '{fmt}' (use one of: {known})")
    return kind


def detect_format(text: str, path: Path | None) -> str:
    """Suffix first for .vtt/.srt/.json; content wins for renamed files (a WEBVTT header in a .txt)."""
    head = text.lstrip()[:2000]
    suffix = path.suffix.lower() if path is not None else ""
    if head.startswith("WEBVTT") or suffix == ".vtt":
        return "vtt"
    if suffix == ".json" or head.startswith("{") or re.match(r"\[\s*\{", head):
        return "json"
    if suffix == ".srt" or _SRT_START.match(head):
        return "srt"
    return "txt"


# -- JSON -----------------------------------------------------------------------------------------------
def _parse_json(text: str, path: Path | None, encoding: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"this is not valid JSON ({exc.msg})", line=exc.lineno) from None
    if isinstance(data, dict) and "format_version" in data:
        version = data.get("format_version")
        if isinstance(version, int) and version > TRANSCRIPT_FORMAT_VERSION:
            raise InputError(path, f"the transcript was written by a newer summarizer (format {version})",
                             hint="Upgrade summarizer to read it.")
        try:
            return Transcript.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            problem = f"this is not a valid summarizer transcript ({where}: {first['msg']})"
            raise InputError(path, problem) from None
    # Whisper / faster-whisper style: {"segments": [{"start", "end", "text", "speaker"?}], "language"?}
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(path, "this JSON file is not a transcript (it has no 'segments' list)")
    raws: list[RawSegment] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InputError(path, f"segment {n} in the JSON has no 'text'")
        start, end = item.get("start"), item.get("end")
        if not all(t is None or isinstance(t, int | float) for t in (start, end)):
            raise InputError(path, f"segment {n} in the JSON has a start/end that is not a number")
        if start is not None and end is not None and end < start:
            raise InputError(path, f"segment {n} in the JSON ends before it starts")
        speaker = item.get("speaker")
        if item["text"].strip():
            raws.append(RawSegment(item["text"].strip(), start, end, str(speaker) if speaker else None, n))
    if not raws:
        raise InputError(path, "the JSON transcript has no segments with text")
    fill_end_times(raws)
    transcript = _build(raws, path, "json", {"encoding": encoding, "format": "json"})
    if isinstance(data, dict) and isinstance(data.get("language"), str):
        transcript.language = data["language"]
    return transcript
