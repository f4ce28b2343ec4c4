"""Issue 11 item 16: a call with one speaker per channel keeps both speakers' words.

Mixing the channels down let Whisper hear only the louder voice where they overlapped; each channel
is now transcribed on its own and the segments merged by time, labelled by channel.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from summarizer.config import load_settings
from summarizer.speech.transcribe import transcribe_file

pytestmark = pytest.mark.slow
RATE = 16_000


def _speakers_of(transcript: object, words: str) -> set[str | None]:
    segs = transcript.segments  # type: ignore[attr-defined]
    return {s.speaker for s in segs if words in s.text.lower()}


def test_real_two_channel_recording_gives_both_sentences(shared_data: Path) -> None:
    path = shared_data / "asr" / "en" / "fw_stereo_diarization.wav"
    if not path.exists():
        pytest.skip(f"{path} is not present")
    transcript = transcribe_file(path, load_settings(), use_cache=False)
    text = transcript.text.lower()
    # before: one segment, "...complain against the wizard...", and the other channel lost
    assert "horizon seems extremely distant" in text, text
    assert "against the wizard" in text, text
    horizon = _speakers_of(transcript, "horizon")
    wizard = _speakers_of(transcript, "wizard")
    assert len(horizon) == 1 and len(wizard) == 1 and horizon != wizard, transcript.segments
    assert transcript.meta["diarization"]["method"] == "channels"  # type: ignore[index]


def _espeak(text: str, voice: str, path: Path) -> np.ndarray:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True,
                   capture_output=True)
    from faster_whisper.audio import decode_audio

    return np.asarray(decode_audio(str(path), sampling_rate=RATE))


def test_two_espeak_voices_one_per_channel_overlapping(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    left = _espeak("We will deliver the first batch on the tenth of March.", "en-us+m3", tmp_path / "a.wav")
    right = _espeak("The invoice must be paid within thirty days.", "en-gb+f2", tmp_path / "b.wav")
    start = int(1.0 * RATE)  # the right speaker starts a second in: both talk at once
    n = max(len(left), start + len(right)) + RATE
    stereo = np.zeros((n, 2), dtype=np.float32)
    stereo[: len(left), 0] = left
    stereo[start:start + len(right), 1] = right * 0.8
    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((stereo.clip(-1, 1) * 32767).astype("<i2").tobytes())
    transcript = transcribe_file(path, load_settings(), use_cache=False)
    text = transcript.text.lower()
    assert "deliver the first" in text and "invoice must be paid" in text, text
    first, invoice = _speakers_of(transcript, "deliver"), _speakers_of(transcript, "invoice")
    assert first == {"SPEAKER_00"} and invoice == {"SPEAKER_01"}, transcript.segments
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
