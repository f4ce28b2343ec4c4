"""Plain-text transcripts: ``Name: text`` lines, optional timestamps, diarisation labels.

Also holds the speaker-label heuristics shared with the subtitle readers (``ingest_cues``), because
Zoom VTT and many SRT files put ``Name:`` inside the cue text exactly like a plain transcript does.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError

log = logging.getLogger(__name__)

# 00:12:31, 12:31, 0:03, 00:12:31.500, 00:12:31,500
TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIME_PARTS = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$")

# A leading time: "[00:12:31]", "(12:31)", "00:12:31 -", "[00:00:01.000 --> 00:00:04.000]".
_LEADING_TIME = re.compile(
    rf"^\s*(?P<open>[\[(])?\s*(?P<start>{TIME})(?:\s*-->\s*(?P<end>{TIME}))?\s*(?P<close>[\])])?"
    r"(?:\s*[-–—|]\s*|\s+|$)"
)

# Labels diarisation tools and transcribers produce: SPEAKER_00, Speaker 1, Спикер 2, PERSON6, spk_0.
DIARISATION_LABEL = re.compile(
    r"^(?:SPEAKER[_ ]?\d+|Speaker\s*\d+|Спикер\s*\d+|Говорящий\s*\d+|Участник\s*\d+"
    r"|PERSON_?\d+|spk_?\d+|Guest\s*\d+|Гость\s*\d+)$",
    re.IGNORECASE,
)
_NAME = r"[^\W\d_][\w.'’\-]*(?:[ \t]+[\w.'’\-]+){0,3}"
# "Ольга Смирнова (Альфа-Логистик): text"  (text may be empty: the name heads the next lines)
_NAME_PREFIX = re.compile(
    rf"^(?P<label>{_NAME})\s*(?:\((?P<note>[^()]{{1,80}})\))?\s*:(?:\s+|$)(?P<rest>.*)$"
)
# "[SPEAKER_01] text", "(PERSON6) text", "[Ольга]: text"
_BRACKET_PREFIX = re.compile(r"^[\[(](?P<label>[^\[\]()]{1,60})[\])](?P<colon>\s*:)?(?:\s+|$)(?P<rest>.*)$")
# Teams/Otter copy-paste: a header line "Ольга Смирнова   0:03" above the words.
_NAME_TIME_HEADER = re.compile(rf"^(?P<label>{_NAME})\s+(?P<start>{TIME})\s*$")
_MARKDOWN_NOISE = re.compile(r"^\s*(?:[-*>]\s+)?")
# "**Anna Lee:** text" and "**Anna Lee**: text"
_MARKDOWN_BOLD_LABEL = re.compile(
    r"^(\*\*|__)(?P<label>[^*_]{1,80}?):?\1\s*:\s*|^(\*\*|__)(?P<label2>[^*_]{1,80}?):\3\s*"
)


@dataclass
class RawSegment:
    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None
    line: int = 0


@dataclass
class LabelCandidate:
    label: str
    note: str | None
    rest: str
    strong: bool  # diarisation label or an explicit "[Name]:"; accepted without further evidence
    style: str = "name"  # name | [ | (


def parse_time(value: str, path: Path | None, line: int) -> float:
    match = _TIME_PARTS.match(value.strip())
    if not match:
        raise InputError(path, f"'{value}' is not a time like 00:12:31", line=line)
    hours, minutes, seconds, frac = match.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise InputError(path, f"'{value}' is not a valid time (minutes and seconds must be below 60)",
                         line=line)
    millis = int((frac or "0").ljust(3, "0"))
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + millis / 1000


def split_label(text: str) -> LabelCandidate | None:
    """Find a speaker label at the start of ``text``; whether to trust it is decided per file."""
    match = _BRACKET_PREFIX.match(text)
    if match:
        label = match.group("label").strip()
        if DIARISATION_LABEL.match(label) or match.group("colon"):
            return LabelCandidate(label, None, match.group("rest").strip(), strong=True, style=text[0])
    match = _NAME_PREFIX.match(text)
    if match:
        label = " ".join(match.group("label").split())
        strong = bool(DIARISATION_LABEL.match(label))
        return LabelCandidate(label, match.group("note"), match.group("rest").strip(), strong)
    return None


def _looks_like_full_name(label: str) -> bool:
    words = label.split()
    return 2 <= len(words) <= 4 and all(w[0].isupper() for w in words)


def accepted_labels(candidates: list[LabelCandidate], lines_with_text: int) -> set[str]:
    """Decide which ``Word:`` prefixes are speakers and which are ordinary words ("Итак: ...").

    A prefix counts if it is a diarisation label, a capitalised full name, repeats in the file,
    or if most lines of the file carry a prefix (then the file is clearly speaker-attributed).
    """
    styles = Counter(c.style for c in candidates if c.style != "name")
    if len(styles) > 1:
        # ELITR-style files tag speakers "(PERSON6)" and anonymised names "[PERSON4]": the rarer
        # bracket style is content, not a speaker tag.
        major = styles.most_common(1)[0][0]
        candidates = [c for c in candidates if c.style in {"name", major}]
    counts = Counter(c.label for c in candidates)
    accepted = {
        c.label for c in candidates if c.strong or counts[c.label] >= 2 or _looks_like_full_name(c.label)
    }
    structured = lines_with_text > 0 and len(candidates) / lines_with_text >= 0.5
    # In a file of full names or SPEAKER_xx labels a one-off "Итак:" is a word, not a person;
    # in a file of first names ("Ольга:", "Иван:") a one-off first name is a speaker.
    formal = any(_looks_like_full_name(label) or DIARISATION_LABEL.match(label) for label in accepted)
    if structured and not formal:
        accepted.update(c.label for c in candidates)
    return accepted


def _strip_markdown(line: str, is_markdown: bool) -> str:
    if not is_markdown:
        return line
    line = _MARKDOWN_NOISE.sub("", line, count=1)
    return _MARKDOWN_BOLD_LABEL.sub(lambda m: (m.group("label") or m.group("label2")) + ": ", line, count=1)


@dataclass
class _Line:
    number: int
    text: str
    start: float | None
    end: float | None
    cand: LabelCandidate | None
    header: bool = False  # "Name 0:03" line: sets speaker/time, carries no words


def parse_plain(text: str, path: Path | None, *, is_markdown: bool = False) -> tuple[
    list[RawSegment], dict[str, str]
]:
    """Parse line-oriented transcripts. Every non-empty line becomes one segment."""
    lines: list[_Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or (is_markdown and stripped.startswith("#")):
            continue
        stripped = _strip_markdown(stripped, is_markdown)
        header = _NAME_TIME_HEADER.match(stripped)
        if header and not _LEADING_TIME.match(stripped):
            label = " ".join(header.group("label").split())
            strong = _looks_like_full_name(label) or bool(DIARISATION_LABEL.match(label))
            cand = LabelCandidate(label, None, "", strong=strong)
            lines.append(_Line(number, "", parse_time(header.group("start"), path, number), None, cand,
                               header=True))
            continue
        start: float | None = None
        end: float | None = None
        time_match = _LEADING_TIME.match(stripped)
        if time_match and bool(time_match.group("open")) == bool(time_match.group("close")):
            start = parse_time(time_match.group("start"), path, number)
            if time_match.group("end"):
                end = parse_time(time_match.group("end"), path, number)
                if end < start:
                    raise InputError(path, f"the end time {time_match.group('end')} is before the start "
                                     f"time {time_match.group('start')}", line=number)
            stripped = stripped[time_match.end():].strip()
        lines.append(_Line(number, stripped, start, end, split_label(stripped)))

    candidates = [ln.cand for ln in lines if ln.cand is not None]
    accepted = accepted_labels(candidates, len(lines))
    notes: dict[str, str] = {}
    segments: list[RawSegment] = []
    speaker: str | None = None
    current_time: float | None = None
    for ln in lines:
        words = ln.text
        if ln.cand is not None and ln.cand.label in accepted:
            speaker = ln.cand.label
            words = ln.cand.rest
            if ln.cand.note:
                notes.setdefault(speaker, ln.cand.note.strip())
        if ln.start is not None:
            if current_time is not None and ln.start < current_time:
                raise InputError(path, "this line's time goes back before the previous line's time "
                                 "(two transcripts pasted together?)", line=ln.number)
            current_time = ln.start
        if ln.header or not words:
            continue  # a bare "Name:" or "Name 0:03" heads the lines below it
        segments.append(RawSegment(words, current_time, ln.end, speaker, ln.number))
    fill_end_times(segments)
    return segments, notes


def fill_end_times(segments: list[RawSegment]) -> None:
    """A line's end is the next later start; the last timed lines keep ``end=None``."""
    timed = [seg for seg in segments if seg.start is not None]
    j = 0
    for i, seg in enumerate(timed):
        j = max(j, i + 1)
        while j < len(timed) and (timed[j].start or 0.0) <= (seg.start or 0.0):
            j += 1
        if seg.end is None and j < len(timed):
            seg.end = timed[j].start
