"""Recording → ``Transcript`` with faster-whisper, offline, cached by audio content.

Default engine path is plain ``WhisperModel.transcribe`` (beam 5, VAD on); faster-whisper's
``BatchedInferencePipeline`` (VAD, timestamps on) stays selectable with ``batched=True`` /
``--batched``. Measured with ``bench/asr.py`` (base, int8, 2 shared cores, load ~2-5): over 156 s of
mixed clips batched 7.6x real time vs plain 6.6x; on the bundled samples both ran 3.6-3.8 s for ~60 s.
But the batched decoder silently drops words after the last timestamp of a VAD chunk: with 30 s chunks
it lost "Такая скидка нас устраивает" from the Russian sample, with 15 s chunks it lost Lisa Chen's
whole introduction from the English one (cf. faster-whisper issue #1179), while plain decoding kept
every turn of both. A protocol that silently loses an agreement is worse than a slower one, so plain is
the default. Plain can slow down on hard audio when it re-decodes at higher temperatures; the bench
shows by how much on your audio.

A result is cached under ``settings.transcript_cache_dir`` by sha256 of the audio bytes + model
identity + decoding options, so the same recording is never transcribed twice; the pipeline uses
``load_cached`` to pick it up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.errors import InputError, StoreError, SummarizerError, TranscriptionError
from summarizer.speech.models import ModelRef, load_model, pick_compute_type, pick_device, resolve_model
from summarizer.store.files import sha256_file, write_atomic
from summarizer.transcript import Segment, Transcript, make_segment_id

log = logging.getLogger(__name__)

Progress = Callable[[float, float], None]

SAMPLE_RATE = 16_000
_ERRNO = re.compile(r"^\[Errno -?\d+\] ")
CACHE_VERSION = 4  # bump whenever decoding changes in a way the options below do not show
MEDIA_SUFFIXES = frozenset({
    ".wav", ".wave", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".aiff", ".aif",
    ".amr", ".webm", ".mp4", ".m4v", ".mov", ".mkv", ".avi", ".3gp", ".mpeg", ".mpg", ".ts",
})
# Leading bytes of the containers people actually send; ``ftyp`` sits at offset 4 in MP4/M4A/MOV.
_MAGIC = (b"RIFF", b"fLaC", b"ID3", b"OggS", b"\x1a\x45\xdf\xa3", b"FORM", b"#!AMR", b"0&\xb2u")
# Decoded audio shorter than the container's own duration by more than this means a cut-off file.
_TRUNCATION_TOLERANCE_S = 0.5
_TRUNCATION_TOLERANCE_RATIO = 0.05
LANGUAGE_PROBE_S = 60  # audio the English-only check listens to
# An English-only model is refused when the multilingual detector is at least this sure it is not English.
_NON_ENGLISH_CONFIDENCE = 0.5


def is_media_file(path: Path) -> bool:
    """True for audio/video recordings (by suffix, else by the first bytes); False for transcripts."""
    suffix = path.suffix.lower()
    if suffix in MEDIA_SUFFIXES:
        return True
    if suffix in {".txt", ".srt", ".vtt", ".json", ".md"}:
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    if head.startswith(_MAGIC) or head[4:8] == b"ftyp":
        return True
    # MPEG audio frame sync without an ID3 tag
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0


# -- options and cache ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Options:
    model: ModelRef
    language: str | None
    batched: bool
    beam_size: int
    batch_size: int
    vad: bool
    device: str
    compute_type: str

    def as_meta(self) -> dict[str, Any]:
        return {
            "language": self.language, "batched": self.batched, "beam_size": self.beam_size,
            "batch_size": self.batch_size if self.batched else None, "vad": self.vad,
            "device": self.device, "compute_type": self.compute_type,
        }


def _normalise_language(language: str | None) -> str | None:
    if language is None or language.strip().lower() in {"", "auto"}:
        return None
    code = language.strip().lower()
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if code not in _LANGUAGE_CODES:
        raise TranscriptionError(
            f"unknown language code {language!r}", hint="use a Whisper code such as ru, en, de, or auto"
        )
    return code


def _options(settings: Settings, language: str | None, model: str | None) -> _Options:
    ref = resolve_model(model or settings.whisper_model, settings.models_dir)
    device = pick_device(settings.device)
    return _Options(
        model=ref,
        language=_normalise_language(language if language is not None else settings.language),
        batched=settings.batched,
        beam_size=settings.beam_size,
        batch_size=settings.batch_size,
        vad=True,
        device=device,
        compute_type=pick_compute_type(device, settings.compute_type),
    )


def _check_input(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a file")
    if not os.access(path, os.R_OK):
        raise InputError(path, "cannot be read (permission denied)")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty")


def hash_file(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from exc


def _key_for(audio_sha: str, opts: _Options) -> str:
    # device is left out: cpu and cuda give the same words for the same compute type
    identity = {
        "v": CACHE_VERSION, "audio": audio_sha, "model": opts.model.identity, "language": opts.language,
        "batched": opts.batched, "beam_size": opts.beam_size, "vad": opts.vad,
        "batch_size": opts.batch_size if opts.batched else None, "compute_type": opts.compute_type,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def cache_key(
    path: Path, settings: Settings, *, language: str | None = None, model: str | None = None
) -> str:
    """The key ``transcribe_file`` would store this recording under with these settings."""
    _check_input(path)
    return _key_for(hash_file(path), _options(settings, language, model))


def _cache_path(settings: Settings, key: str) -> Path:
    return settings.transcript_cache_dir / f"{key}.json"


def _read_cache(settings: Settings, key: str, path: Path) -> Transcript | None:
    entry = _cache_path(settings, key)
    if not entry.is_file():
        return None
    try:
        transcript = Transcript.from_json(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # unreadable entry: ignore it, it will be rewritten
        log.warning("ignoring unreadable transcript cache entry %s: %s", entry, exc)
        return None
    transcript.source = str(path)
    transcript.meta = {**transcript.meta, "cache": "hit"}
    return transcript


def load_cached(
    path: Path, settings: Settings, *, language: str | None = None, model: str | None = None
) -> Transcript | None:
    """The cached transcript for this recording and settings, or None; never runs Whisper."""
    return _read_cache(settings, cache_key(path, settings, language=language, model=model), path)


def _write_cache(settings: Settings, key: str, transcript: Transcript) -> None:
    """Temp file + rename in the same folder, so readers see a whole entry or none."""
    try:
        write_atomic(_cache_path(settings, key), transcript.to_json())
    except (OSError, StoreError) as exc:  # a full disk is a StoreError from write_atomic
        log.warning("could not store transcript in cache %s: %s", settings.transcript_cache_dir, exc)


# -- audio ---------------------------------------------------------------------------------------

def _wav_shortfall(path: Path) -> tuple[int, int] | None:
    """(bytes the WAV header promises, bytes present) when a RIFF file is cut short, else None.

    FFmpeg estimates a WAV's duration from the file size, so a cut-off WAV decodes "fine"; only the
    header knows how much audio there should be.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            size = path.stat().st_size
            while True:
                chunk = handle.read(8)
                if len(chunk) < 8:
                    return None
                length = int.from_bytes(chunk[4:], "little")
                if chunk[:4] == b"data":
                    present = size - handle.tell()
                    # 0 and 0xFFFFFFFF mean "unknown" in WAVs written while recording
                    if length in (0, 0xFFFFFFFF) or present >= length:
                        return None
                    return length, present
                handle.seek(length + (length & 1), 1)
    except OSError:
        return None


def decode_audio(path: Path) -> Any:
    """16 kHz mono float32 samples via PyAV; any decoding problem becomes an InputError on ``path``."""
    import av
    from faster_whisper.audio import decode_audio as fw_decode

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(path, "has no audio track")
            declared = container.duration / 1_000_000 if container.duration else None
        audio = fw_decode(str(path), sampling_rate=SAMPLE_RATE)
    except SummarizerError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        # PyAV's text starts with "[Errno 1094995529]", a number that means nothing to a person
        reason = _ERRNO.sub("", str(exc))
        raise InputError(
            path, f"not a readable audio or video file ({reason})",
            hint="supported: wav, flac, mp3, m4a, ogg/opus, webm, mp4 and anything else FFmpeg decodes",
        ) from exc
    _check_decoded(path, len(audio), declared)
    return audio


def _check_decoded(path: Path, frames: int, declared: float | None) -> None:
    """Refuse a recording with no audio, or one cut short of what its header or container declares."""
    decoded = frames / SAMPLE_RATE
    if decoded == 0:
        raise InputError(path, "contains no decodable audio")
    shortfall = _wav_shortfall(path)
    if shortfall and shortfall[1] < shortfall[0] * (1 - _TRUNCATION_TOLERANCE_RATIO):
        raise InputError(
            path, f"the file looks truncated: its header promises {shortfall[0]} bytes of audio, "
            f"only {shortfall[1]} are there",
            hint="copy the recording again from its source",
        )
    if declared and declared - decoded > max(_TRUNCATION_TOLERANCE_S, _TRUNCATION_TOLERANCE_RATIO * declared):
        raise InputError(
            path, f"the file looks truncated: it declares {declared:.1f} s but only {decoded:.1f} s decode",
            hint="copy the recording again from its source",
        )


def _detect_language(audio: Any, opts: _Options, settings: Settings) -> tuple[str, float] | None:
    """Language of the speech by a multilingual model's detector (English-only models have none)."""
    detector_ref = opts.model if opts.model.multilingual else None
    if detector_ref is None:
        try:
            detector_ref = resolve_model("base", settings.models_dir)
        except SummarizerError as exc:
            log.warning("cannot check the language for an English-only model: %s", exc)
            return None
    detector = load_model(detector_ref, opts.device, opts.compute_type)
    language, probability, _ = detector.detect_language(audio, vad_filter=True, language_detection_segments=2)
    return language, float(probability)


def _refuse_non_english(path: Path, opts: _Options, audio: Any, settings: Settings) -> None:
    if opts.model.multilingual:
        return
    hint = "use a multilingual model, e.g. --model base"
    if opts.language and opts.language != "en":
        raise TranscriptionError(
            f"{path}: model {opts.model.name!r} only knows English but the language is {opts.language!r}",
            hint=hint,
        )
    if opts.language == "en":
        return
    found = _detect_language(audio, opts, settings)
    if found and found[0] != "en" and found[1] >= _NON_ENGLISH_CONFIDENCE:
        raise TranscriptionError(
            f"{path}: the speech is {found[0]!r} (p={found[1]:.2f}) but model {opts.model.name!r} "
            "only knows English; it would produce English-sounding garbage",
            hint=hint + ", or --language en if the recording really is English",
        )


# -- transcription -------------------------------------------------------------------------------

def _run_engine(model: Any, audio: Any, opts: _Options) -> tuple[Any, Any]:
    if opts.batched:
        from faster_whisper import BatchedInferencePipeline
        from faster_whisper.vad import VadOptions

        return BatchedInferencePipeline(model).transcribe(
            audio, language=opts.language, beam_size=opts.beam_size, batch_size=opts.batch_size,
            vad_filter=opts.vad,
            # With 30 s VAD chunks and timestamps on, the words after a chunk's last complete timestamp
            # can vanish (seen on our Russian sample: a whole "we accept the discount" turn lost; cf.
            # faster-whisper issue #1179). 15 s chunks kept every turn; a lost agreement is worse than
            # a little speed.
            vad_parameters=VadOptions(max_speech_duration_s=15) if opts.vad else None,
            # with timestamps the batch decoder splits each VAD chunk into sentence-sized
            # segments; without, one segment per chunk is too coarse to cite as evidence
            without_timestamps=False,
        )
    return model.transcribe(audio, language=opts.language, beam_size=opts.beam_size, vad_filter=opts.vad)


def _engine_versions() -> dict[str, str]:
    import ctranslate2
    import faster_whisper

    return {"faster_whisper": faster_whisper.__version__, "ctranslate2": ctranslate2.__version__}


def transcribe_file(
    path: Path,
    settings: Settings,
    *,
    language: str | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    use_cache: bool = True,
) -> Transcript:
    """Transcribe a recording (cached); raises InputError/TranscriptionError naming the file.

    ``use_cache=False`` neither reads nor writes the cache (benchmarks).
    """
    path = Path(path)
    if settings.asr_base_url:  # a speech server instead of local Whisper: speech/remote.py
        from summarizer.speech.remote import transcribe_remote

        return transcribe_remote(path, settings, language=language, use_cache=use_cache,
                                 progress=progress)
    _check_input(path)
    opts = _options(settings, language, model)
    audio_sha = hash_file(path)
    key = _key_for(audio_sha, opts)
    cached = _read_cache(settings, key, path) if use_cache else None
    if cached is not None:
        log.info("transcript of %s taken from cache %s", path, key[:12])
        if progress and cached.duration:
            progress(cached.duration, cached.duration)
        return cached

    from summarizer.speech.audio import decode_to_pcm
    from summarizer.speech.windows import channel_split, own_channel

    with decode_to_pcm(path) as pcm:
        _check_decoded(path, pcm.frames, pcm.declared)
        duration = pcm.duration
        started = time.perf_counter()
        whisper = load_model(opts.model, opts.device, opts.compute_type)
        loaded = time.perf_counter()
        _refuse_non_english(path, opts, pcm.mono(0, LANGUAGE_PROBE_S * SAMPLE_RATE), settings)
        split = channel_split(pcm)
        passes: list[int | None] = [0, 1] if split else [None]
        total = duration * len(passes)
        done = reached = 0.0

        def report(position: float) -> None:
            # monotone: a window's last segment may end a little after the window's cut
            nonlocal reached
            if progress and done + position > reached:
                reached = min(done + position, total)
                progress(reached, total)

        segments: list[Segment] = []
        heard: tuple[str, float] | None = None  # language and its probability, from the first speech
        for channel in passes:
            found, heard = _transcribe_windows(path, whisper, pcm, opts, channel, heard, report)
            if channel is not None:
                found = own_channel(pcm, found, channel)
            segments.extend(found)
            done += duration
    elapsed = time.perf_counter() - started
    if not segments:
        raise TranscriptionError(
            f"{path}: no speech found in {duration:.1f} s of audio",
            hint="check that the recording has voices and is not muted",
        )
    segments.sort(key=lambda seg: (seg.start or 0.0, seg.end or 0.0))
    for index, seg in enumerate(segments):
        seg.id = make_segment_id(index)
    if progress:
        progress(total, total)
    detected, probability = heard or (opts.language or "", 1.0 if opts.language else 0.0)

    transcript = Transcript(
        segments=segments,
        language=detected or None,
        source=str(path),
        source_format="audio",
        duration=round(duration, 3),
        meta={
            "model": opts.model.name,
            "model_identity": opts.model.identity,
            "options": opts.as_meta(),
            "language_probability": round(float(probability), 3),
            "channels": "one transcript per stereo channel" if split else "mono",
            "engine": _engine_versions(),
            "elapsed_s": round(elapsed, 3),
            "model_load_s": round(loaded - started, 3),
            "rtf": round(elapsed / duration, 4) if duration else None,
            "speed_x": round(duration / elapsed, 2) if elapsed else None,
            "audio_sha256": audio_sha,
            "cache_key": key,
        },
    )
    if split:
        # the channels already say who spoke; the speaker stage keeps these labels
        transcript.meta["diarization"] = {
            "method": "channels", "num_speakers": len({s.speaker for s in segments}), "confidence": 1.0,
            "estimated": False, "message": f"{len({s.speaker for s in segments})} speakers "
            "(one per stereo channel, each transcribed on its own)",
            "labelled_segments": len(segments), "segment_confidence": {},
        }
    if use_cache:
        _write_cache(settings, key, transcript)
    return transcript


def _transcribe_windows(
    path: Path, whisper: Any, pcm: Any, opts: _Options, channel: int | None,
    language: tuple[str, float] | None, report: Callable[[float], None],
) -> tuple[list[Segment], tuple[str, float] | None]:
    """Segments of one channel (None: the mono mix), window by window, with recording-wide times.

    The language found in the first window with speech is kept for the rest, so a two-hour meeting
    does not switch language in its tenth window because of one English phrase.
    """
    from summarizer.speech.windows import is_silent, windows

    segments: list[Segment] = []
    speaker = None if channel is None else f"SPEAKER_{channel:02d}"
    for first, last in windows(pcm, channel):
        audio = pcm.mono(first, last) if channel is None else pcm.channel(channel, first, last)
        offset = first / SAMPLE_RATE
        if is_silent(audio):
            # digital silence (a muted stretch, a recorder left running): nothing for VAD and Whisper
            report(last / SAMPLE_RATE)
            continue
        window_opts = opts
        if opts.language is None and language is not None:
            window_opts = _Options(**{**opts.__dict__, "language": language[0]})
        try:
            raw_segments, info = _run_engine(whisper, audio, window_opts)
            found = 0
            for raw in raw_segments:
                report(offset + float(raw.end))
                text = raw.text.strip()
                if not text:
                    continue
                found += 1
                segments.append(Segment(
                    id=make_segment_id(len(segments)), text=text, speaker=speaker,
                    start=round(offset + float(raw.start), 3), end=round(offset + float(raw.end), 3),
                ))
        except (RuntimeError, ValueError) as exc:
            raise TranscriptionError(f"{path}: Whisper failed while decoding ({exc})") from exc
        del audio
        if language is None and found:
            language = (info.language, float(info.language_probability))
        report(last / SAMPLE_RATE)
    return segments, language
