"""Diarisation as a pipeline stage: speaker labels for a transcribed recording, cached on disk.

Diarisation costs about as much as transcription on a CPU, so its result (the labelled transcript)
is kept under ``settings.cache_dir / "diarized"``, keyed by the audio's sha256, the transcript it
labelled and the requested speaker count. A draft that fails later (a bad LLM answer, a full disk)
is rerun without diarising again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from summarizer.config import Settings
from summarizer.errors import SummarizerError
from summarizer.store.files import sha256_file, write_atomic
from summarizer.transcript import Transcript

log = logging.getLogger(__name__)

CACHE_VERSION = 1  # bump when diarisation changes in a way the key does not show


@dataclass
class SpeakerLabels:
    transcript: Transcript
    message: str | None  # for people: "3 speakers (estimated, confidence 0.73)", or why none


def needs_diarization(transcript: Transcript) -> bool:
    """Timed segments and no speaker labels: a file with labels already says who spoke."""
    timed = any(s.start is not None and s.end is not None for s in transcript.segments)
    return timed and not any(s.speaker for s in transcript.segments)


def _audio_sha(transcript: Transcript, audio_path: Path) -> str:
    known = transcript.meta.get("audio_sha256")
    if isinstance(known, str) and known:
        return known
    return sha256_file(audio_path)


def cache_path(settings: Settings, transcript: Transcript, audio_path: Path,
               num_speakers: int | None) -> Path:
    segments = [(s.id, s.start, s.end, s.text) for s in transcript.segments]
    identity = {
        "v": CACHE_VERSION,
        "audio": _audio_sha(transcript, audio_path),
        "segments": hashlib.sha256(json.dumps(segments).encode("utf-8")).hexdigest(),
        "num_speakers": num_speakers,
    }
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()
    return settings.cache_dir / "diarized" / f"{key}.json"


def _read(entry: Path) -> Transcript | None:
    if not entry.is_file():
        return None
    try:
        return Transcript.from_json(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # a broken entry is recomputed and rewritten
        log.warning("ignoring unreadable diarisation cache entry %s: %s", entry, exc)
        return None


def label_speakers(transcript: Transcript, audio_path: Path, settings: Settings, *,
                   num_speakers: int | None = None,
                   progress: Callable[[float, float], None] | None = None) -> SpeakerLabels:
    """Speaker labels from the audio when the ``diarize`` extra is installed and the transcript has none.

    A recording the diarisation cannot read leaves the transcript unlabelled with a message: the words
    are already there, and a protocol without speakers is still a protocol.
    """
    from summarizer.speech.diarize import apply_diarization, diarization_available, diarize_transcript

    if not needs_diarization(transcript):
        # a stereo call transcribed per channel is labelled already; say how
        info = transcript.meta.get("diarization")
        message = info.get("message") if isinstance(info, dict) else None
        return SpeakerLabels(transcript, str(message) if message else None)
    if not diarization_available():
        return SpeakerLabels(transcript, "speakers not separated: the 'diarize' extra is not installed")
    try:
        entry = cache_path(settings, transcript, audio_path, num_speakers)
    except OSError as exc:
        log.warning("cannot hash %s for the diarisation cache: %s", audio_path, exc)
        entry = None
    cached = _read(entry) if entry else None
    if cached is not None:
        log.info("speaker labels of %s taken from cache %s", audio_path, entry)
        cached.source = transcript.source
        info = cached.meta.get("diarization")
        message = info.get("message") if isinstance(info, dict) else None
        return SpeakerLabels(cached, str(message) if message else None)
    try:
        result = diarize_transcript(transcript, audio_path, num_speakers=num_speakers, progress=progress)
    except SummarizerError as exc:
        log.warning("diarisation of %s failed: %s", audio_path, exc.message)
        return SpeakerLabels(transcript, f"speakers not separated: {exc.message}")
    labelled = apply_diarization(transcript, result)
    if entry is not None:
        try:
            write_atomic(entry, labelled.to_json())
        except OSError as exc:
            log.warning("could not store speaker labels in cache %s: %s", entry, exc)
    return SpeakerLabels(labelled, result.message)
