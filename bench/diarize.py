"""Diarisation accuracy and speed: segment-level error rate (by duration) and seconds per audio minute.

    /work/venv/bin/python bench/diarize.py

Error rate = share of segment time whose label disagrees with the truth under the best one-to-one
mapping of labels to speakers (a segment-level DER without overlap or missed-speech terms, since
segments come from the transcript).
"""

from __future__ import annotations

import csv
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.speech import diarize  # noqa: E402
from summarizer.transcript import Segment, Transcript, make_segment_id  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def error_rate(segments: list[Segment], truth: list[str], labels: dict[str, str]) -> float:
    speakers = sorted(set(truth))
    found = sorted(set(labels.values()))
    total = sum((s.end or 0) - (s.start or 0) for s in segments)
    best = total
    pad = found + [None] * max(0, len(speakers) - len(found))
    for perm in itertools.permutations(pad, len(speakers)):
        mapping = dict(zip(speakers, perm, strict=True))
        wrong = sum((s.end or 0) - (s.start or 0) for s, t in zip(segments, truth, strict=True)
                    if labels.get(s.id) != mapping[t])
        best = min(best, wrong)
    return best / total if total else 0.0


def voices_sample() -> tuple[Transcript, list[str], Path]:
    with (ROOT / "samples" / "voices_en.reference.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    segs = [Segment(id=make_segment_id(i), text=r["text"], start=float(r["start"]), end=float(r["end"]))
            for i, r in enumerate(rows)]
    return Transcript(segments=segs), [r["speaker"] for r in rows], ROOT / "samples" / "voices_en.wav"


def meeting_sample() -> tuple[Transcript, list[str], Path] | None:
    """samples/meeting_en.wav: turns are separated by silence, in the order of its script."""
    wav_path = ROOT / "samples" / "meeting_en.wav"
    script = ROOT / "samples" / "meeting_en.script.txt"
    if not wav_path.exists() or not script.exists():
        return None
    lines = [ln.split("|") for ln in script.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    left, _ = diarize.load_channels(wav_path)
    frame = 160
    energy = (left[: len(left) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1)
    voiced = energy > 1e-5
    turns: list[tuple[float, float]] = []
    start, silent = None, 0
    for i, v in enumerate(voiced):
        if v:
            if start is None:
                start = i
            silent = 0
        elif start is not None:
            silent += 1
            if silent >= 40:  # turns are padded with 0.4 s of silence; pauses inside are shorter
                turns.append((start / 100, (i - silent + 1) / 100))
                start, silent = None, 0
    if start is not None:
        turns.append((start / 100, len(voiced) / 100))
    if len(turns) != len(lines):
        print(f"meeting_en: found {len(turns)} turns for {len(lines)} script lines; skipped")
        return None
    segs = [Segment(id=make_segment_id(i), text=ln[4], start=a, end=b)
            for i, ((a, b), ln) in enumerate(zip(turns, lines, strict=True))]
    return Transcript(segments=segs), [ln[0] for ln in lines], wav_path


def run(name: str, transcript: Transcript, truth: list[str], path: Path, n: int | None) -> None:
    minutes = float(diarize.load_channels(path)[0].shape[0]) / 16000 / 60
    started = time.perf_counter()
    result = diarize.diarize_transcript(transcript, path, num_speakers=n)
    elapsed = time.perf_counter() - started
    err = error_rate(transcript.segments, truth, result.labels)
    conf = np.mean(list(result.confidences.values())) if result.confidences else 0.0
    print(f"{name:34s} true={len(set(truth))} found={result.message:42s} error={err:6.1%} "
          f"seg.conf={conf:.2f} {elapsed / minutes:6.2f} s/audio-min ({elapsed:.2f} s)")


def main() -> None:
    from summarizer.speech.voiceprint import load_encoder

    t0 = time.perf_counter()
    load_encoder()
    print(f"encoder load: {time.perf_counter() - t0:.2f} s")
    transcript, truth, path = voices_sample()
    run("voices_en (estimated)", transcript, truth, path, None)
    run("voices_en (given 3)", transcript, truth, path, 3)
    sample = meeting_sample()
    if sample:
        run("meeting_en (estimated)", *sample, None)
    stereo = SHARED / "asr" / "en" / "fw_stereo_diarization.wav"
    if stereo.exists():
        segs = [Segment(id="s0001", text="", start=1.6, end=2.1),
                Segment(id="s0002", text="", start=2.6, end=4.8)]
        run("fw_stereo_diarization (channels)", Transcript(segments=segs), ["right", "left"], stereo, None)
    else:
        print(f"{stereo} absent; skipped")


if __name__ == "__main__":
    main()
