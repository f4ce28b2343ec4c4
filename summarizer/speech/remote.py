"""Speech recognition on a server: any OpenAI-compatible ``/v1/audio/transcriptions`` endpoint.

Selected by ``asr_base_url`` (e.g. a faster-whisper-server, vLLM, or a provider), with ``asr_model``
and ``asr_api_key`` (default: ``api_key``). The request asks for ``response_format=verbose_json`` with
segment timestamps, because every protocol item must point at a moment of the recording; a server that
answers without segments is refused with a message naming it. Results are cached like local
transcripts, keyed by the audio's content hash, the server and the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import InputError, TranscriptionError
from summarizer.store.files import sha256_file, write_atomic
from summarizer.transcript import Segment, Transcript, make_segment_id

log = logging.getLogger(__name__)

CACHE_VERSION = 1


def _cache_path(settings: Settings, key: str) -> Path:
    return settings.transcript_cache_dir / "remote" / f"{key}.json"


def cache_key(audio_sha: str, settings: Settings, language: str | None) -> str:
    identity = {"v": CACHE_VERSION, "audio": audio_sha, "server": settings.asr_base_url,
                "model": settings.asr_model, "language": language}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def transcribe_remote(path: Path, settings: Settings, *, language: str | None = None,
                      progress: Any = None, use_cache: bool = True) -> Transcript:
    """Transcribe ``path`` on the configured server; raises naming the file or the endpoint."""
    import openai

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    language = language or settings.language
    audio_sha = sha256_file(path)
    key = cache_key(audio_sha, settings, language)
    entry = _cache_path(settings, key)
    if use_cache and entry.is_file():
        try:
            cached = Transcript.from_json(entry.read_text(encoding="utf-8"))
            cached.source = str(path)
            return cached
        except (OSError, ValueError):
            log.warning("ignoring unreadable cache entry %s", entry)
    endpoint = f"{str(settings.asr_base_url).rstrip('/')}/audio/transcriptions"
    api_key = settings.asr_api_key or settings.api_key or "not-needed"  # local servers take any key
    client = openai.OpenAI(base_url=settings.asr_base_url, api_key=api_key, timeout=settings.asr_timeout,
                           max_retries=settings.llm_max_retries)
    started = time.perf_counter()
    try:
        with path.open("rb") as audio:
            kwargs: dict[str, Any] = {"model": settings.asr_model, "file": audio,
                                      "response_format": "verbose_json",
                                      "timestamp_granularities": ["segment"]}
            if language:
                kwargs["language"] = language
            reply = client.audio.transcriptions.create(**kwargs)
    except openai.APIStatusError as exc:
        raise TranscriptionError(f"{path}: the speech server {endpoint} answered HTTP {exc.status_code} "
                                 f"({_short(exc.message)})",
                                 hint="check asr_base_url, asr_model and asr_api_key") from exc
    except openai.APIError as exc:
        raise TranscriptionError(f"{path}: the speech server {endpoint} failed ({_short(str(exc))})",
                                 hint="check the server is running and reachable (asr_base_url)") from exc
    raw_segments = _field(reply, "segments")
    if not raw_segments:
        raise TranscriptionError(f"{path}: the speech server {endpoint} returned no segments with "
                                 "timestamps", hint="use a server that supports response_format=verbose_json")
    segments: list[Segment] = []
    try:
        for raw in raw_segments:
            text = str(_field(raw, "text") or "").strip()
            if not text:
                continue
            start, end = float(_field(raw, "start")), float(_field(raw, "end"))
            if end < start or start < 0:
                raise ValueError(f"segment {start}–{end} s runs backwards")
            segments.append(Segment(id=make_segment_id(len(segments)), text=text, start=round(start, 3),
                                    end=round(end, 3)))
    except (TypeError, ValueError) as exc:
        raise TranscriptionError(
            f"{path}: the speech server {endpoint} sent unusable segments ({exc})") from exc
    if not segments:
        raise TranscriptionError(f"{path}: the speech server {endpoint} found no speech")
    duration = _field(reply, "duration")
    transcript = Transcript(
        segments=segments, language=_language(_field(reply, "language")) or language, source=str(path),
        source_format="audio", duration=float(duration) if duration else segments[-1].end,
        meta={"engine": "remote", "server": settings.asr_base_url, "model": settings.asr_model,
              "audio_sha256": audio_sha, "cache_key": key,
              "elapsed_s": round(time.perf_counter() - started, 3)},
    )
    if progress and transcript.duration:
        progress(transcript.duration, transcript.duration)
    if use_cache:
        write_atomic(entry, transcript.to_json())
    return transcript


_LANGUAGE_NAMES = {"english": "en", "russian": "ru"}


def _language(value: Any) -> str | None:
    """OpenAI's endpoint says "english"; Whisper servers say "en"."""
    if not value:
        return None
    text = str(value).strip().lower()
    return _LANGUAGE_NAMES.get(text, text[:2] if len(text) > 2 else text)


def _short(text: str) -> str:
    return text if len(text) <= 200 else text[:200] + "…"
