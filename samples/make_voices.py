"""Regenerate samples/voices_en.wav (three espeak-ng voices) and its reference timings.

Only needed to change the sample: the wav and the reference are committed, so tests need neither tool.
Needs: apt-get install -y espeak-ng sox

The reference (voices_en.reference.tsv) gives start, end, speaker, text per line, measured from the
generated audio itself, so tests can build transcript segments without running Whisper.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
GAP = 0.3  # seconds of silence between turns
VOICES = {  # speaker: (espeak-ng voice, words per minute, pitch)
    "Olga": ("en-us+f3", 170, 60),
    "John": ("en-gb+m3", 175, 30),
    "Ravi": ("en-gb-scotland+m7", 160, 45),
}
LINES = [
    ("John", "Hello everyone, this is John Baker from Acme."),
    ("Olga", "Hi John. I'm Olga Smirnova, project manager at Northwind."),
    ("Ravi", "And I am Ravi Kumar, the lead engineer on the integration."),
    ("John", "Great. Let's start with the delivery schedule."),
    ("Olga", "Yes."),
    ("Ravi", "The export is ready, but the import fails on large files."),
    ("John", "How long do you need to fix it?"),
    ("Ravi", "Two weeks, if we get your test files by Monday."),
    ("Olga", "I will send the test files on Monday morning."),
    ("John", "Okay."),
    ("Olga", "Then we move the launch to the end of the month."),
    ("John", "Agreed. Let's meet again next Thursday to check progress."),
]


def synthesize(speaker: str, text: str, out: Path, work: Path) -> float:
    voice, speed, pitch = VOICES[speaker]
    raw = work / "raw.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(raw), text],
                   check=True)
    # Trim espeak's own leading/trailing silence so the reference timings are the speech itself.
    trim = ["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"]
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "vol", "0.9", *trim],
                   check=True)
    with wave.open(str(out)) as w:
        return w.getnframes() / w.getframerate()


def main() -> None:
    rows = ["start\tend\tspeaker\ttext"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts: list[str] = []
        t = 0.0
        for i, (speaker, text) in enumerate(LINES):
            utt = work / f"utt_{i:02d}.wav"
            length = synthesize(speaker, text, utt, work)
            rows.append(f"{t:.2f}\t{t + length:.2f}\t{speaker}\t{text}")
            padded = work / f"pad_{i:02d}.wav"
            subprocess.run(["sox", str(utt), str(padded), "pad", "0", str(GAP)], check=True)
            parts.append(str(padded))
            t += length + GAP
        subprocess.run(["sox", *parts, str(HERE / "voices_en.wav")], check=True)
    (HERE / "voices_en.reference.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"voices_en.wav: {t:.1f} s, {len(LINES)} turns")


if __name__ == "__main__":
    main()
