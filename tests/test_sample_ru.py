"""The bundled Russian sample through the real multilingual base model.

``samples/meeting_ru.wav`` is Festival's festvox-ru voice (see ``samples/make_sample_ru.sh``); measured
with base: WER 0.098 batched, 0.159 on the default (plain) path, language ``ru``. The remaining
errors are the synthetic voice ("руководитель отдела" heard as "руководителя, дело") and numbers
written as digits ("20 декабря"). Over 16 re-renders with sox dither noise WER stayed <= 0.18 and no
turn was lost on either path.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.speech.transcribe import transcribe_file
from summarizer.transcript import Transcript

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "meeting_ru.wav"
SCRIPT = ROOT / "samples" / "meeting_ru.script.txt"
# measured 0.098 here and at most 0.18 on noisy re-renders; the margin absorbs decoder/version drift,
# while espeak-ng's Russian (0.51 on this script) or a wrong language would still fail
MAX_WER = 0.25

_spec = importlib.util.spec_from_file_location("bench_asr", ROOT / "bench" / "asr.py")
assert _spec and _spec.loader
asr = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(asr)

pytestmark = pytest.mark.slow


def _utterances() -> list[tuple[str, str]]:
    rows = [ln for ln in SCRIPT.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [(row.split("|", 4)[0], row.split("|", 4)[4]) for row in rows]


@functools.cache
def _transcript() -> Transcript:
    # called from inside a test, so conftest's isolated SUMMARIZER_HOME and model cache are in force;
    # cached so the two tests below pay for one transcription
    return transcribe_file(SAMPLE, load_settings())


def test_sample_is_small_16k_mono() -> None:
    import wave

    with wave.open(str(SAMPLE)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert (wav.getframerate(), wav.getnchannels()) == (16000, 1)
    assert 30 <= seconds <= 60
    assert SAMPLE.stat().st_size < 2_000_000
    speakers = {speaker for speaker, _ in _utterances()}
    assert speakers == {"Ольга", "Игорь"}


def test_russian_sample_transcribes_within_wer_bound() -> None:
    transcript = _transcript()
    reference = " ".join(text for _, text in _utterances())
    hypothesis = " ".join(seg.text for seg in transcript.segments)

    assert transcript.language == "ru"
    wer = asr.word_error_rate(reference, hypothesis)
    assert wer <= MAX_WER, f"WER {wer:.3f} > {MAX_WER}: {hypothesis}"
    # the phrases a protocol is built from must come through word for word
    text = " ".join(asr.normalise_words(hypothesis))
    for phrase in ("ольга смирнова", "игорь петров", "пришлю", "пятницы", "договорились", "декабря",
                   "спасибо за встречу"):
        assert phrase in text, f"{phrase!r} missing from: {hypothesis}"


def test_no_utterance_is_lost() -> None:
    # faster-whisper's batched decoder with timestamps can drop the words after the last timestamp of a
    # ~30 s VAD chunk; an earlier render of this script lost "Такая скидка нас устраивает." that way
    heard = set(asr.normalise_words(" ".join(seg.text for seg in _transcript().segments)))
    lost = []
    for speaker, text in _utterances():
        words = asr.normalise_words(text)
        # half the words of every turn must be heard; a synthetic voice garbles some, never a whole turn
        if sum(word in heard for word in words) < len(words) / 2:
            lost.append(f"{speaker}: {text}")
    assert not lost, f"turns missing from the transcript: {lost}"
