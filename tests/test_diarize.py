"""Diarisation on real audio: the three-voice sample (known timings) and a real two-channel call."""

from __future__ import annotations

import csv
import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("scipy")
pytest.importorskip("webrtcvad")

from summarizer.errors import InputError  # noqa: E402
from summarizer.speech import (
    diarize,  # noqa: E402
    voiceprint,  # noqa: E402
)
from summarizer.transcript import Segment, Transcript, make_segment_id  # noqa: E402

if voiceprint.weights_path() is None:
    pytest.skip("resemblyzer weights are not installed (pip install --no-deps resemblyzer)",
                allow_module_level=True)

STEREO = Path("asr/en/fw_stereo_diarization.wav")


def load_reference(samples: Path) -> tuple[Transcript, list[str]]:
    with (samples / "voices_en.reference.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    segments = [Segment(id=make_segment_id(i), text=r["text"], start=float(r["start"]), end=float(r["end"]))
                for i, r in enumerate(rows)]
    return Transcript(segments=segments, source_format="audio"), [r["speaker"] for r in rows]


def mapping_errors(truth: list[str], labels: list[str]) -> int:
    """Segments whose label disagrees with the majority label of their true speaker (or is shared)."""
    best: dict[str, str] = {}
    for who in set(truth):
        got = [lab for t, lab in zip(truth, labels, strict=True) if t == who]
        best[who] = max(set(got), key=got.count)
    errors = sum(1 for t, lab in zip(truth, labels, strict=True) if best[t] != lab)
    if len(set(best.values())) < len(best):
        errors += 1  # two people merged into one label
    return errors


def test_features_match_librosa_filterbank() -> None:
    # Row sums of librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), recorded from librosa 0.10.2.
    sums = voiceprint.mel_filterbank().sum(axis=1)
    assert sums[0] == pytest.approx(0.02480904, rel=1e-5)
    assert sums[10] == pytest.approx(0.02480904, rel=1e-5)
    assert sums[39] == pytest.approx(0.02497876, rel=1e-5)
    tone = np.sin(2 * np.pi * 1000 * np.arange(16000) / 16000).astype(np.float32)
    mel = voiceprint.mel_spectrogram(tone)
    assert mel.shape == (101, 40)
    peak_hz = voiceprint._mel_to_hz(np.linspace(0, voiceprint._hz_to_mel(np.array([8000.0]))[0], 42))
    assert 700 < peak_hz[1 + int(mel[50].argmax())] < 1300  # the 1 kHz tone lands in the 1 kHz band


def test_three_voices_with_estimated_count(samples: Path) -> None:
    transcript, truth = load_reference(samples)
    result = diarize.diarize_transcript(transcript, samples / "voices_en.wav")
    assert result.method == "embeddings"
    assert result.estimated
    assert result.num_speakers == 3
    assert "3 speakers (estimated, confidence" in result.message
    labels = [result.labels[s.id] for s in transcript.segments]
    assert mapping_errors(truth, labels) == 0
    assert labels[0] == "SPEAKER_00"  # numbered in order of first appearance
    assert all(0.0 <= c <= 1.0 for c in result.confidences.values())


def test_given_count_and_short_turns(samples: Path) -> None:
    transcript, truth = load_reference(samples)
    result = diarize.diarize_transcript(transcript, samples / "voices_en.wav", num_speakers=3)
    assert result.message == "3 speakers (given)"
    labels = [result.labels[s.id] for s in transcript.segments]
    assert mapping_errors(truth, labels) == 0
    short = [s.id for s in transcript.segments if (s.end or 0) - (s.start or 0) < 1.0]
    assert short  # "Yes." and "Okay." are sub-second and were not clustered, only attached
    longest = max(transcript.segments, key=lambda s: (s.end or 0) - (s.start or 0))
    assert all(result.confidences[i] < result.confidences[longest.id] for i in short)


def test_one_voice_is_one_speaker(samples: Path) -> None:
    transcript, truth = load_reference(samples)
    john = Transcript(segments=[s for s, t in zip(transcript.segments, truth, strict=True) if t == "John"])
    result = diarize.diarize_transcript(john, samples / "voices_en.wav")
    assert result.num_speakers == 1
    assert set(result.labels.values()) == {"SPEAKER_00"}


def test_two_voices_without_the_woman(samples: Path) -> None:
    # The two male espeak voices are the closest pair: the finer split must still be found.
    transcript, truth = load_reference(samples)
    kept = [(s, t) for s, t in zip(transcript.segments, truth, strict=True) if t != "Olga"]
    result = diarize.diarize_transcript(Transcript(segments=[s for s, _ in kept]), samples / "voices_en.wav")
    assert result.num_speakers == 2
    assert mapping_errors([t for _, t in kept], [result.labels[s.id] for s, _ in kept]) == 0


def test_estimate_needs_enough_segments() -> None:
    k, conf, _ = diarize.estimate_speaker_count(np.eye(3, 256, dtype=np.float32))
    assert k == 1 and conf <= 0.3


def write_stereo(path: Path, left: np.ndarray, right: np.ndarray) -> None:
    pcm = (np.clip(np.stack([left, right], axis=1), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm.tobytes())


def test_stereo_call_split_by_channel(samples: Path, tmp_path: Path) -> None:
    from faster_whisper.audio import decode_audio

    transcript, truth = load_reference(samples)
    mono = decode_audio(str(samples / "voices_en.wav"))
    left, right = np.zeros_like(mono), np.zeros_like(mono)
    for seg, who in zip(transcript.segments, truth, strict=True):
        a, b = int((seg.start or 0) * 16000), int((seg.end or 0) * 16000)
        target = left if who == "John" else right  # our side on the left, the client on the right
        target[a:b] = mono[a:b]
    call = tmp_path / "call.wav"
    write_stereo(call, left + 0.002 * right, right + 0.002 * left)  # a little crosstalk
    result = diarize.diarize_transcript(transcript, call)
    assert result.method == "channels"
    assert result.message == "2 speakers (one per stereo channel)"
    for seg, who in zip(transcript.segments, truth, strict=True):
        assert result.labels[seg.id] == ("SPEAKER_00" if who == "John" else "SPEAKER_01")


def test_mono_is_not_a_channel_split(samples: Path) -> None:
    left, right = diarize.load_channels(samples / "voices_en.wav")
    assert not diarize.is_channel_split(left, right)


def test_real_two_channel_recording(shared_data: Path) -> None:
    path = shared_data / STEREO
    if not path.exists():
        pytest.skip(f"{path} is not present")
    # Measured from the file: both channels speak until ~2.4 s (the right one louder), then only
    # the left one until 4.9 s.
    transcript = Transcript(segments=[
        Segment(id="s0001", text="The horizon seems extremely distant.", start=1.6, end=2.1),
        Segment(id="s0002", text="who had vanished behind the curtain on the left.", start=2.6, end=4.8),
    ])
    left, right = diarize.load_channels(path)
    assert diarize.is_channel_split(left, right)
    assert not diarize.is_channel_split(left, left)
    result = diarize.diarize_transcript(transcript, path)
    assert result.method == "channels" and result.num_speakers == 2
    assert result.labels == {"s0001": "SPEAKER_01", "s0002": "SPEAKER_00"}
    assert result.confidences["s0002"] == 1.0


def test_apply_keeps_labels_from_the_file(samples: Path) -> None:
    transcript, _ = load_reference(samples)
    transcript.segments[1].speaker = "Olga"  # as a transcript file said
    result = diarize.diarize_transcript(transcript, samples / "voices_en.wav", num_speakers=3)
    out = diarize.apply_diarization(transcript, result)
    assert out.segments[1].speaker == "Olga"
    assert out.segments[0].speaker == "SPEAKER_00"
    assert transcript.segments[0].speaker is None  # the input is not modified
    meta = out.meta["diarization"]
    assert isinstance(meta, dict) and meta["num_speakers"] == 3 and meta["method"] == "embeddings"


def test_segments_without_times_are_left_alone(samples: Path) -> None:
    transcript, _ = load_reference(samples)
    transcript.segments.append(Segment(id="s9999", text="pasted line"))
    result = diarize.diarize_transcript(transcript, samples / "voices_en.wav", num_speakers=3)
    assert "s9999" not in result.labels
    assert diarize.apply_diarization(transcript, result).segments[-1].speaker is None


def test_corrupt_audio_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage")
    transcript = Transcript(segments=[Segment(id="s0001", text="x", start=0.0, end=1.0)])
    with pytest.raises(InputError, match="broken.wav"):
        diarize.diarize_transcript(transcript, bad)


def test_available() -> None:
    assert diarize.diarization_available()
