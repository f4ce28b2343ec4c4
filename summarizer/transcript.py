"""The transcript: speaker-attributed, timestamped segments with stable ids.

Pure data. Importers for text formats live in ``summarizer.ingest.read``; Whisper lives in
``summarizer.speech.transcribe``. Everything later in the pipeline cites segments by ``id``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field, PrivateAttr

TRANSCRIPT_FORMAT_VERSION = 1


class Segment(BaseModel):
    id: str
    text: str
    start: float | None = None  # seconds from the start of the recording
    end: float | None = None
    speaker: str | None = None  # label as found (SPEAKER_00, a name, a channel)


class Person(BaseModel):
    """A participant as the roster describes them; ``labels`` are the speaker labels that are this person."""

    name: str
    position: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    side: str | None = None  # ours | client
    labels: list[str] = Field(default_factory=list)


class Transcript(BaseModel):
    format_version: int = TRANSCRIPT_FORMAT_VERSION
    segments: list[Segment]
    language: str | None = None
    source: str | None = None  # file the transcript came from
    source_format: str | None = None  # audio | txt | srt | vtt | json | stdin
    duration: float | None = None
    roster: list[Person] = Field(default_factory=list)
    meta: dict[str, object] = Field(default_factory=dict)  # model, options, timings
    _segment_index: dict[str, int] | None = PrivateAttr(default=None)

    # -- lookups -----------------------------------------------------------------------------------
    def segment(self, segment_id: str) -> Segment | None:
        # Evidence checks and rendering look up every cited id; a scan per lookup made a large
        # transcript quadratic. The id -> position index is checked on every hit, so a list that was
        # changed since (segments added, replaced, renumbered) is re-indexed, never answered wrongly; a
        # miss re-indexes too (rare: an id no segment has).
        index = self._segment_index
        pos = index.get(segment_id) if index is not None else None
        if pos is not None and pos < len(self.segments) and self.segments[pos].id == segment_id:
            return self.segments[pos]
        self._segment_index = {seg.id: i for i, seg in reversed(list(enumerate(self.segments)))}
        pos = self._segment_index.get(segment_id)
        return self.segments[pos] if pos is not None else None

    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for seg in self.segments:
            if seg.speaker:
                seen.setdefault(seg.speaker, None)
        return list(seen)

    def person_for(self, label: str | None) -> Person | None:
        if not label:
            return None
        for person in self.roster:
            if label in person.labels or label == person.name:
                return person
        return None

    def speaker_name(self, label: str | None) -> str | None:
        person = self.person_for(label)
        return person.name if person else label

    @property
    def text(self) -> str:
        return "\n".join(seg.text for seg in self.segments)

    # -- serialisation -----------------------------------------------------------------------------
    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, data: str) -> Transcript:
        return cls.model_validate(json.loads(data))

    def save(self, path: Path) -> None:
        """Write atomically so an interrupted run never leaves a half-written transcript."""
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


def guess_language(text: str) -> str | None:
    """``ru`` when Cyrillic letters dominate, ``en`` when Latin ones do, None for no letters."""
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    if cyr + lat == 0:
        return None
    return "ru" if cyr >= lat else "en"


def detect_language(transcript: Transcript) -> str:
    """The meeting's language: as recorded (Whisper, an importer), else guessed from the letters."""
    if transcript.language:
        return transcript.language.split("-")[0].lower()
    return guess_language(transcript.text[:20000]) or "en"


def format_timestamp(seconds: float | None, *, millis: bool = False) -> str:
    if seconds is None:
        return ""
    total_ms = int(round(seconds * 1000))
    hours, rem = divmod(total_ms, 3_600_000)
    minutes, rem = divmod(rem, 60_000)
    secs, ms = divmod(rem, 1000)
    if millis:
        return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def make_segment_id(index: int) -> str:
    """Ids are positional and zero-padded so they sort and stay stable for a given transcript."""
    return f"s{index + 1:04d}"
