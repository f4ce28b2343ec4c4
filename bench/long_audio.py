"""Peak memory and wall time per stage on a long meeting recording and on a long silent one.

    .venv/bin/python bench/long_audio.py [--hours 2] [--silent-hours 3] [--model base]
                                         [--stages old_decode,decode,transcribe,diarize,draft]

Builds, in a temporary folder (never in the repository), a real-speech recording of ``--hours``
from the bundled ``samples/*.wav`` and the ``../shared/data/asr`` clips (when present), each
followed by 1-3 s of silence, repeated in a fixed shuffled order, plus a silent one of
``--silent-hours``. Every stage runs in its own subprocess, so its peak RSS (``ru_maxrss`` of that
child) is the stage's own, with imports and model loading included:

* ``old_decode``  - faster-whisper's ``decode_audio`` of the whole file (what transcription did before),
* ``decode``      - ``summarizer.speech.audio.decode_to_pcm`` (streaming to a temporary PCM file),
* ``transcribe``  - ``transcribe_file`` (windows of ``WINDOW_S``), the cache filled for the next stages,
* ``diarize``     - ``label_speakers`` (segment by segment from the decoded file),
* ``draft``       - ``run_draft`` end to end (transcription and labels then come from the caches,
                    so this is the extraction, store and render part of the run).

The silent recording runs ``old_decode``, ``decode`` and ``transcribe`` (which refuses it: no speech).
The target (issue 9): a 2-hour meeting stays under 1 GB peak RSS in every stage.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED_ASR = ROOT.parent / "shared" / "data" / "asr"
RATE = 16_000
LIMIT_MB = 1024


def _clips() -> list[np.ndarray]:
    from faster_whisper.audio import decode_audio

    paths = sorted((ROOT / "samples").glob("*.wav"))
    if SHARED_ASR.is_dir():
        paths += sorted(p for p in SHARED_ASR.rglob("*") if p.suffix in {".wav", ".flac", ".mp3"})
    clips = [(np.clip(decode_audio(str(p)), -1, 1) * 32767).astype("<i2") for p in paths]
    print(f"speech from {len(paths)} real recordings: " + ", ".join(p.name for p in paths), flush=True)
    return clips


def build_speech(path: Path, hours: float) -> None:
    """Concatenated clips with 1-3 s pauses, written as it goes (the builder never holds 2 hours)."""
    clips = _clips()
    rng = random.Random(9)
    target = int(hours * 3600 * RATE)
    written = 0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        while written < target:
            order = list(range(len(clips)))
            rng.shuffle(order)
            for i in order:
                pause = np.zeros(int(rng.uniform(1.0, 3.0) * RATE), dtype="<i2")
                for part in (clips[i], pause):
                    part = part[: target - written]
                    out.writeframes(part.tobytes())
                    written += len(part)
                if written >= target:
                    break


def build_silent(path: Path, hours: float) -> None:
    minute = np.zeros(60 * RATE, dtype="<i2").tobytes()
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for _ in range(int(hours * 60)):
            out.writeframes(minute)


# -- stages (run in a child process) ---------------------------------------------------------------
def _stage(name: str, recording: Path, model: str) -> dict[str, object]:
    from summarizer.config import load_settings

    settings = load_settings(overrides={"whisper_model": model, "llm_backend": "offline"})
    info: dict[str, object] = {}
    if name == "old_decode":
        from faster_whisper.audio import decode_audio

        info["samples"] = len(decode_audio(str(recording), sampling_rate=RATE))
    elif name == "decode":
        from summarizer.speech.audio import decode_to_pcm

        with decode_to_pcm(recording) as pcm:
            info["samples"] = pcm.frames
    elif name == "transcribe":
        from summarizer.errors import SummarizerError
        from summarizer.speech.transcribe import transcribe_file

        try:
            transcript = transcribe_file(recording, settings)
            info["segments"] = len(transcript.segments)
            info["speed_x"] = transcript.meta.get("speed_x")
        except SummarizerError as exc:
            info["refused"] = exc.message
    elif name == "diarize":
        from summarizer.speech.diarize_cache import label_speakers
        from summarizer.speech.transcribe import load_cached

        transcript = load_cached(recording, settings)
        if transcript is None:
            raise SystemExit("run the transcribe stage first")
        labels = label_speakers(transcript, recording, settings)
        info["speakers"] = labels.message
    elif name == "draft":
        from summarizer.pipeline import run_draft

        result = run_draft(recording, settings, title="Long meeting bench")
        info["agreements"] = len(result.version.protocol.agreements)
        info["meeting"] = result.meeting.id
    else:
        raise SystemExit(f"unknown stage {name}")
    return info


def _peak_mb() -> float:
    """This process image's peak RSS: VmHWM (ru_maxrss survives exec and could be the parent's)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    info = _stage(args.child, Path(args.recording), args.model)
    info["wall_s"] = round(time.perf_counter() - started, 1)
    info["peak_mb"] = round(_peak_mb(), 1)
    print("RESULT " + json.dumps(info), flush=True)


def _run(stage: str, recording: Path, model: str, env: dict[str, str]) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", stage, "--recording", str(recording), "--model", model]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, object] = json.loads(line[7:])
            return result
    return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1], "peak_mb": None, "wall_s": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--silent-hours", type=float, default=3.0)
    parser.add_argument("--model", default="base")
    parser.add_argument("--language", help="spoken language to assume (skips detection), e.g. en")
    parser.add_argument("--stages", default="old_decode,decode,transcribe,diarize,draft")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--recording", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="summarizer-long-audio-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "SUMMARIZER_HOME": str(folder / "home")}
        if args.language:
            env["SUMMARIZER_LANGUAGE"] = args.language
        if "SUMMARIZER_MODELS_DIR" not in env:
            # reuse the models the user already unpacked rather than unpacking them again
            from summarizer.config import load_settings

            env["SUMMARIZER_MODELS_DIR"] = str(load_settings().models_dir)
        inputs = []
        if args.hours > 0:
            speech = folder / f"meeting-{args.hours:g}h.wav"
            build_speech(speech, args.hours)
            inputs.append((speech, stages))
        if args.silent_hours > 0:
            silent = folder / f"silent-{args.silent_hours:g}h.wav"
            build_silent(silent, args.silent_hours)
            inputs.append((silent, [s for s in stages if s in {"old_decode", "decode", "transcribe"}]))
        print(f"model {args.model}, language {args.language or 'detected'}; "
              f"limit {LIMIT_MB} MB peak RSS per stage\n")
        print(f"{'recording':<22} {'stage':<11} {'peak RSS MB':>11} {'wall s':>8}  notes")
        for recording, wanted in inputs:
            size = recording.stat().st_size / 1e6
            for stage in wanted:
                result = _run(stage, recording, args.model, env)
                peak, wall = result.pop("peak_mb"), result.pop("wall_s")
                over = peak is not None and stage != "old_decode" and float(str(peak)) >= LIMIT_MB
                mark = "  OVER" if over else ""
                print(f"{recording.name:<22} {stage:<11} {peak!s:>11} {wall!s:>8}  "
                      f"{json.dumps(result, ensure_ascii=False)}{mark}", flush=True)
            print(f"{'':<22} ({size:.0f} MB on disk)")


if __name__ == "__main__":
    main()
