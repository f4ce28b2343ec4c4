"""Write transcripts as txt, srt, vtt or json so that ``read_transcript`` reads them back unchanged.

Files are written atomically (temp file in the same folder, then a rename) and an existing file is
never replaced unless ``overwrite=True``: a person's edited transcript must not vanish.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
from pathlib import Path

from summarizer.errors import InputError
from summarizer.ingest.text import split_label
from summarizer.transcript import Segment, Transcript, format_timestamp

log = logging.getLogger(__name__)

TRANSCRIPT_WRITE_FORMATS = ("txt", "srt", "vtt", "json")
_SUFFIX_FORMATS = {".txt": "txt", ".md": "txt", ".srt": "srt", ".vtt": "vtt", ".json": "json"}


def write_transcript(
    transcript: Transcript,
    path: Path,
    fmt: str | None = None,
    *,
    overwrite: bool = False,
    names: bool = False,
) -> Path:
    """Write ``transcript`` to ``path``; ``fmt`` defaults to the suffix.

    ``names=True`` writes roster names instead of raw speaker labels (for people to read; the labels
    are then gone from that file).
    """
    path = Path(path)
    kind = (fmt or _SUFFIX_FORMATS.get(path.suffix.lower(), "")).lower().lstrip(".")
    if kind not in TRANSCRIPT_WRITE_FORMATS:
        raise InputError(path, f"cannot write a transcript as '{fmt or path.suffix}' "
                         f"(use one of: {', '.join(TRANSCRIPT_WRITE_FORMATS)})")
    content = render_transcript(transcript, kind, names=names, path=path)
    _write_atomic(path, content, overwrite=overwrite)
    log.info("wrote %s (%s, %d segments)", path, kind, len(transcript.segments))
    return path


def render_transcript(
    transcript: Transcript, fmt: str, *, names: bool = False, path: Path | None = None
) -> str:
    if fmt == "json":
        return transcript.to_json() + "\n"
    if fmt == "txt":
        return "".join(_txt_line(seg, _label(transcript, seg, names)) for seg in transcript.segments)
    times = _cue_times(transcript, path, fmt)
    if fmt == "srt":
        return "\n".join(
            f"{i}\n{_ts(start, ',')} --> {_ts(end, ',')}\n"
            f"{_prefixed(_label(transcript, seg, names), seg.text)}\n"
            for i, (seg, (start, end)) in enumerate(zip(transcript.segments, times, strict=True), start=1)
        )
    if fmt == "vtt":
        cues = ["WEBVTT\n"]
        for i, (seg, (start, end)) in enumerate(zip(transcript.segments, times, strict=True), start=1):
            label = _label(transcript, seg, names)
            body = _vtt_escape(_one_line(seg.text))
            if label:
                voice = html.escape(label, quote=False)
                body = f"<v {voice}>{body}</v>"
            cues.append(f"{i}\n{_ts(start, '.')} --> {_ts(end, '.')}\n{body}\n")
        return "\n".join(cues)
    raise InputError(path, f"cannot write a transcript as '{fmt}'")


def _label(transcript: Transcript, seg: Segment, names: bool) -> str | None:
    return transcript.speaker_name(seg.speaker) if names else seg.speaker


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _prefixed(label: str | None, text: str) -> str:
    text = _one_line(text)
    if not label:
        return text
    cand = split_label(f"{label}: x")
    # Labels the reader would not take for a name ("1", "A/B") go in brackets, which it always accepts.
    return f"{label}: {text}" if cand and cand.label == label else f"[{label}]: {text}"


def _txt_line(seg: Segment, label: str | None) -> str:
    stamp = f"[{format_timestamp(seg.start)}] " if seg.start is not None else ""
    return f"{stamp}{_prefixed(label, seg.text)}\n"


def _ts(seconds: float, sep: str) -> str:
    return format_timestamp(seconds, millis=True).replace(".", sep)


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cue_times(transcript: Transcript, path: Path | None, fmt: str) -> list[tuple[float, float]]:
    segs = transcript.segments
    if any(seg.start is None for seg in segs):
        raise InputError(path, f"this transcript has no timestamps, so it cannot be written as {fmt.upper()}",
                         hint="Write it as txt or json instead.")
    times: list[tuple[float, float]] = []
    for i, seg in enumerate(segs):
        start = seg.start or 0.0
        end = seg.end
        if end is None:
            later = [s.start for s in segs[i + 1:] if s.start is not None and s.start > start]
            # no later start: give the last cue a reading-speed length (~15 characters a second)
            end = later[0] if later else start + min(10.0, max(1.0, len(seg.text) / 15))
        times.append((start, max(start, end)))
    return times


def _write_atomic(path: Path, content: str, *, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise InputError(path, "the file already exists and was not overwritten",
                         hint="Choose another file name, or allow overwriting explicitly.")
    if not path.parent.is_dir():
        raise InputError(path, "the folder for this file does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(0o644)
        if overwrite:
            os.replace(tmp, path)
            return
        try:
            # link() refuses an existing target, so a file created meanwhile is not clobbered either
            os.link(tmp, path)
        except FileExistsError:
            raise InputError(path, "the file already exists and was not overwritten") from None
        except OSError:
            if path.exists():
                raise InputError(path, "the file already exists and was not overwritten") from None
            os.replace(tmp, path)
    except OSError as exc:
        raise InputError(path, f"cannot write the file ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
