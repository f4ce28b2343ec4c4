"""Subtitle transcripts: SRT and WebVTT (Microsoft Teams ``<v Name>`` and Zoom ``Name:`` styles).

Every cue becomes one segment; nothing is merged. Broken cues raise ``InputError`` with the line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from summarizer.errors import InputError
from summarizer.ingest.text import (
    TIME,
    LabelCandidate,
    RawSegment,
    accepted_labels,
    parse_time,
    split_label,
)

_SRT_TIMING = re.compile(rf"^\s*(?P<start>(?:\d{{1,3}}:)?{TIME})\s*-->\s*(?P<end>(?:\d{{1,3}}:)?{TIME})"
                         r"(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line number, lines) for each blank-line separated block."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _timing(line: str, path: Path | None, number: int, fmt: str) -> tuple[float, float]:
    match = _SRT_TIMING.match(line)
    if not match:
        example = "00:00:01,000 --> 00:00:04,000" if fmt == "srt" else "00:00:01.000 --> 00:00:04.000"
        raise InputError(path, f"cannot read the time line '{line.strip()}' (expected e.g. {example})",
                         line=number)
    start = _cue_time(match.group("start"), path, number)
    end = _cue_time(match.group("end"), path, number)
    if end < start:
        raise InputError(path, f"the cue ends ({match.group('end')}) before it starts "
                         f"({match.group('start')})", line=number)
    return start, end


def _cue_time(value: str, path: Path | None, number: int) -> float:
    # SRT/VTT allow hours above 99 in theory; fold them into the parser's hh:mm:ss form.
    parts = value.split(":")
    if len(parts) == 3 and len(parts[0]) == 3:
        return int(parts[0]) * 3600 + parse_time(":".join(parts[1:]), path, number)
    return parse_time(value, path, number)


def _assign_speakers(cues: list[tuple[RawSegment, LabelCandidate | None]]) -> list[RawSegment]:
    """Apply ``Name:`` prefixes found inside cue text, with the same trust rules as plain text."""
    candidates = [cand for _, cand in cues if cand is not None]
    accepted = accepted_labels(candidates, len(cues))
    speaker: str | None = None
    out: list[RawSegment] = []
    for seg, cand in cues:
        if seg.speaker is not None:  # an explicit <v Name> voice tag
            speaker = seg.speaker
        elif cand is not None and cand.label in accepted:
            speaker = cand.label
            seg.text = cand.rest
        if seg.speaker is None and candidates:
            seg.speaker = speaker
        if seg.text:
            out.append(seg)
    return out


def parse_srt(text: str, path: Path | None) -> list[RawSegment]:
    cues: list[tuple[RawSegment, LabelCandidate | None]] = []
    for first, lines in _blocks(text):
        idx = 0
        if "-->" not in lines[0]:
            if lines[0].strip().isdigit():
                idx = 1
            elif cues:
                # a blank line inside a cue's text: the paragraph still belongs to that cue
                seg, _ = cues[-1]
                seg.text = f"{seg.text} {' '.join(x.strip() for x in lines)}".strip()
                continue
            else:
                raise InputError(path, f"expected a cue number or a time line, found '{lines[0].strip()}'",
                                 line=first)
        if idx >= len(lines) or "-->" not in lines[idx]:
            found = lines[idx].strip() if idx < len(lines) else "nothing"
            raise InputError(path, f"cue {lines[0].strip()} has no time line (found '{found}'; "
                             "expected e.g. 00:00:01,000 --> 00:00:04,000)", line=first + idx)
        start, end = _timing(lines[idx], path, first + idx, "srt")
        body = " ".join(x.strip() for x in lines[idx + 1:])
        body = html.unescape(_TAG.sub("", body)).strip()
        seg = RawSegment(body, start, end, None, first)
        cues.append((seg, split_label(body) if body else None))
    if not cues:
        raise InputError(path, "no subtitle cues found (expected numbered cues with time lines)")
    return _assign_speakers(cues)


_TEAMS_CUE_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/\d+-\d+$", re.I)
_ZOOM_LINE = re.compile(r"^\d+\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n[^<\n:]{1,60}: ", re.M)


def vtt_flavour(text: str) -> str | None:
    """Which call platform exported this WebVTT: "teams", "zoom", or None when the file does not say.

    Teams writes ``<v Name>`` voice tags with "uuid/12-0" cue ids (or ``NOTE duration:``); Zoom writes
    numbered cues whose text starts "Name: ". Voice tags alone are plain WebVTT and prove nothing.
    """
    lines = [line.strip() for line in text.split("\n")]
    if _VOICE.search(text) and (any(_TEAMS_CUE_ID.match(line) for line in lines[:200])
                                or any(line.startswith("NOTE duration:") for line in lines[:10])):
        return "teams"
    if not _VOICE.search(text) and len(_ZOOM_LINE.findall(text)) >= 2:
        return "zoom"
    return None


def parse_vtt(text: str, path: Path | None) -> list[RawSegment]:
    stripped = text.lstrip("\n")
    if not stripped.startswith("WEBVTT"):
        raise InputError(path, "this is not a WebVTT file: the first line must be 'WEBVTT'", line=1,
                         hint="Export the transcript again, or rename the file to .txt if it is plain text.")
    cues: list[tuple[RawSegment, LabelCandidate | None]] = []
    blocks = _blocks(text)
    next(blocks)  # header block: "WEBVTT" plus optional metadata lines
    for first, lines in blocks:
        head = lines[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        idx = 0 if "-->" in lines[0] else 1  # cue identifier (Teams: "uuid/12-0", Zoom: "1")
        if idx >= len(lines) or "-->" not in lines[idx]:
            raise InputError(path, f"cue '{head}' has no time line (expected e.g. 00:00:01.000 --> "
                             "00:00:04.000)", line=first + idx if idx < len(lines) else first)
        start, end = _timing(lines[idx], path, first + idx, "vtt")
        payload = " ".join(x.strip() for x in lines[idx + 1:])
        voice = _VOICE.search(payload)
        speaker = " ".join(html.unescape(voice.group("name")).split()) if voice else None
        body = html.unescape(_TAG.sub("", payload)).strip()
        seg = RawSegment(body, start, end, speaker, first)
        cues.append((seg, None if speaker or not body else split_label(body)))
    if not cues:
        raise InputError(path, "the WebVTT file has a header but no cues")
    return _assign_speakers(cues)
