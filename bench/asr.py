"""ASR benchmark: our transcribe_file beside raw faster-whisper, on the same audio, in one run.

    /work/venv/bin/python bench/asr.py [--model base] [--runs 1] [FILE ...]

For each recording (the bundled sample, plus ../shared/data/asr clips when present) and each variant

* ``ours``     - ``summarizer.speech.transcribe.transcribe_file`` with the cache off (what users run),
* ``plain``    - ``WhisperModel.transcribe(beam_size=5)``, faster-whisper's defaults (no VAD),
* ``batched``  - ``BatchedInferencePipeline.transcribe(beam_size=5, batch_size=8)``,

it prints wall time, speed (audio seconds per second), real-time factor, WER against the reference
and peak RSS. Every variant runs in its own subprocess, so peak memory is that variant's alone and
model loading is included in neither time (it is printed separately). ``ours/plain`` is the
overhead of our wrapper over the engine path it drives by default (plain decoding, with VAD on);
``ours/batched`` compares with the faster batched path that we keep selectable with ``--batched``.

The WER helpers here are also what ``tests/test_transcribe.py`` scores with.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "meeting_en.wav"
SAMPLE_SCRIPT = ROOT / "samples" / "meeting_en.script.txt"
SHARED_ASR = ROOT.parent / "shared" / "data" / "asr"
VARIANTS = ("ours", "plain", "batched")

_NUMBERS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "twenty": "20", "thirty": "30", "fifty": "50", "hundred": "100", "tenth": "10th",
}


def normalise_words(text: str) -> list[str]:
    """Lower case, no punctuation, spelled-out small numbers as digits ('ten percent' == '10%')."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = text.replace("%", " percent ")
    text = re.sub(r"(\d)[,.](\d{3})\b", r"\1\2", text)  # 60,000 -> 60000
    text = re.sub(r"[^\w\s']|_", " ", text).replace("'", "")
    return [_NUMBERS.get(word, word) for word in text.split()]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference length) after ``normalise_words``."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, rword in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, hword in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (rword != hword))
    return row[len(hyp)], len(ref)


def word_error_rate(reference: str, hypothesis: str) -> float:
    errors, total = word_errors(reference, hypothesis)
    return errors / max(total, 1)


def sample_reference() -> str:
    text = SAMPLE_SCRIPT.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return " ".join(line.split("|", 4)[4] for line in lines)


def shared_references() -> dict[Path, str]:
    """Clips usable for WER from ../shared/data/asr/references.tsv (skips 'no' rows)."""
    table = SHARED_ASR / "references.tsv"
    if not table.exists():
        return {}
    refs: dict[Path, str] = {}
    for line in table.read_text(encoding="utf-8").splitlines()[1:]:
        name, _lang, _dur, usable, reference = line.split("\t", 4)
        if usable.startswith("yes"):
            refs[SHARED_ASR / name] = reference
    return refs


# -- one variant, run inside its own subprocess -------------------------------------------------

def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_variant(variant: str, path: Path, model_name: str) -> dict[str, object]:
    import time

    from summarizer.config import load_settings
    from summarizer.speech.models import cpu_threads, load_model, resolve_model

    settings = load_settings()
    ref = resolve_model(model_name, settings.models_dir)
    started = time.perf_counter()
    model = load_model(ref, "cpu", "int8")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    if variant == "ours":
        from summarizer.speech.transcribe import transcribe_file

        transcript = transcribe_file(path, settings, model=model_name, use_cache=False)
        text, duration = transcript.text, transcript.duration or 0.0
        elapsed = time.perf_counter() - started
    else:
        from faster_whisper import BatchedInferencePipeline
        from faster_whisper.audio import decode_audio

        audio = decode_audio(str(path))
        if variant == "plain":
            segments, info = model.transcribe(audio, beam_size=5)
        else:
            segments, info = BatchedInferencePipeline(model).transcribe(audio, beam_size=5, batch_size=8)
        text = " ".join(seg.text.strip() for seg in segments)
        duration = info.duration
        elapsed = time.perf_counter() - started
    return {"variant": variant, "elapsed": elapsed, "duration": duration, "load_s": load_s,
            "text": text, "peak_rss_mb": _peak_rss_mb(), "threads": cpu_threads()}


def _measure(variant: str, path: Path, model_name: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, "--model", model_name, str(path)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{variant} on {path} failed:\n{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--model", default="base")
    parser.add_argument("--runs", type=int, default=1, help="repeat and keep the fastest run")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_variant(args.child, args.files[0], args.model)))
        return

    refs: dict[Path, str | None] = {SAMPLE: sample_reference(), **shared_references()}
    if args.files:
        refs = {f.resolve(): refs.get(f.resolve()) for f in args.files}
    elif (SHARED_ASR / "ru" / "silero_vad_ru_lecture.wav").exists():
        refs[SHARED_ASR / "ru" / "silero_vad_ru_lecture.wav"] = None  # 60 s of hard speech, speed only
    print(f"model={args.model} runs={args.runs}  speed = audio s per wall s; rtf = wall/audio; "
          "load excluded from wall")
    header = f"{'file':34} {'variant':8} {'audio_s':>7} {'wall_s':>7} {'speed':>6} {'rtf':>6} " \
             f"{'load_s':>6} {'WER':>6} {'peakMB':>7}"
    print(header)
    totals: dict[str, list[float]] = {v: [0.0, 0.0, 0.0, 0.0] for v in VARIANTS}  # wall, audio, err, words
    for path, reference in refs.items():
        for variant in VARIANTS:
            runs = [_measure(variant, path, args.model) for _ in range(max(1, args.runs))]
            best = min(runs, key=lambda r: float(r["elapsed"]))  # type: ignore[arg-type]
            wall, audio = float(best["elapsed"]), float(best["duration"])  # type: ignore[arg-type]
            wer = "-"
            if reference is not None:
                errors, words = word_errors(reference, str(best["text"]))
                wer = f"{errors / max(words, 1):.3f}"
                totals[variant][2] += errors
                totals[variant][3] += words
            totals[variant][0] += wall
            totals[variant][1] += audio
            print(f"{path.name[:34]:34} {variant:8} {audio:7.1f} {wall:7.2f} {audio / wall:6.1f} "
                  f"{wall / audio:6.3f} {float(best['load_s']):6.2f} {wer:>6} "  # type: ignore[arg-type]
                  f"{float(best['peak_rss_mb']):7.0f}")  # type: ignore[arg-type]
    print()
    for variant, (wall, audio, errors, words) in totals.items():
        wer = f"{errors / words:.3f}" if words else "-"
        print(f"TOTAL {variant:8} audio {audio:6.1f} s  wall {wall:6.2f} s  speed {audio / wall:5.1f}x  "
              f"WER {wer} ({int(errors)}/{int(words)} words)")
    ours, batched = totals["ours"][0], totals["batched"][0]
    plain = totals["plain"][0]
    print(f"overhead ours/batched wall = {ours / batched:.2f}; ours/plain wall = {ours / plain:.2f}")


if __name__ == "__main__":
    main()
