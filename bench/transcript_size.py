"""Time and peak memory of reading, extraction and rendering against transcript size.

    .venv/bin/python bench/transcript_size.py [--sizes 0.5,1,2,4.9] [--speakers 3] [--profile MB]

Builds plain-text transcripts of each size (in MB) in a temporary folder by repeating the bundled
English and Russian negotiation samples with running timestamps; ``--speakers N`` renames the
speakers of each repetition so N different people speak (the owner lookup once took 8.7 s on a
105-speaker transcript). Each size runs in its own subprocess (offline extractor, no model server),
so peak RSS is that size's own. The ``s/MB`` columns should stay about flat when growth is linear;
the last column is the ratio to the smallest size.
``--profile MB`` runs one size under cProfile and prints the top functions instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "transcripts"
_LINE = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\]\s+([^:]+):\s*(.*)$")


def _lines(name: str) -> list[tuple[int, str, str]]:
    out = []
    for raw in (SAMPLES / name).read_text(encoding="utf-8").splitlines():
        m = _LINE.match(raw)
        if m:
            out.append((int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]), m[4], m[5]))
    return out


def build(path: Path, megabytes: float, speakers: int, language: str) -> None:
    """A transcript of about ``megabytes`` MB: the sample over and over, one hour of meeting per round."""
    base = _lines("negotiation_en.txt")
    if language == "ru":
        ru = []
        t = 0
        for block in (SAMPLES / "negotiation_ru.txt").read_text(encoding="utf-8").split("\n\n"):
            name, _, text = block.strip().partition(":")
            if text:
                ru.append((t, name.split(" (")[0], text.strip()))
                t += 8
        base = ru
    target = int(megabytes * 1_000_000)
    names = sorted({name for _, name, _ in base})
    size, offset, rounds = 0, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while size < target:
            for t, name, text in base:
                who = name
                if speakers > len(names):
                    # a different cast each round, so the transcript has ``speakers`` people in all
                    who = f"{name} {rounds % max(1, speakers // len(names))}"
                stamp = offset + t
                line = f"[{stamp // 3600:02d}:{stamp // 60 % 60:02d}:{stamp % 60:02d}] {who}: {text}\n"
                out.write(line)
                size += len(line.encode("utf-8"))
            offset += base[-1][0] + 10
            rounds += 1


def _child(path: Path) -> dict[str, object]:
    from summarizer.config import load_settings
    from summarizer.extract import extract_protocol
    from summarizer.ingest.read import read_transcript
    from summarizer.render.document import render_protocol, write_docx

    # offline extractor: with the [local] extra installed, "auto" would start the local model
    settings = dataclasses.replace(load_settings(), base_url=None, api_key=None, llm_backend="offline")
    timings: dict[str, object] = {}
    t0 = time.perf_counter()
    transcript = read_transcript(path, max_bytes=1 << 31)
    t1 = time.perf_counter()
    protocol = extract_protocol(transcript, settings)
    t2 = time.perf_counter()
    render_protocol(protocol, "md", settings=settings, transcript=transcript)
    render_protocol(protocol, "html", settings=settings, transcript=transcript)
    with tempfile.TemporaryDirectory() as tmp:
        write_docx(protocol, Path(tmp) / "p.docx", settings=settings, transcript=transcript)
    t3 = time.perf_counter()
    timings.update(read=t1 - t0, extract=t2 - t1, render=t3 - t2, segments=len(transcript.segments),
                   participants=len(protocol.participants), agreements=len(protocol.agreements),
                   steps=len(protocol.next_steps))
    timings["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0.5,1,2,4.9", help="transcript sizes in MB, comma-separated "
                        "(the reader refuses more than 5 MB; the bench lifts that limit)")
    parser.add_argument("--speakers", type=int, default=3)
    parser.add_argument("--language", choices=("en", "ru"), default="en")
    parser.add_argument("--profile", type=float, help="profile one size (MB) instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(_child(Path(args.child))), flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="summarizer-size-") as tmp:
        if args.profile:
            import cProfile
            import pstats

            path = Path(tmp) / "t.txt"
            build(path, args.profile, args.speakers, args.language)
            cProfile.runctx("_child(path)", globals(), {"path": path, "_child": _child}, str(Path(tmp) / "p"))
            pstats.Stats(str(Path(tmp) / "p")).sort_stats("cumulative").print_stats(40)
            return
        sizes = [float(s) for s in args.sizes.split(",")]
        print(f"{args.language} transcripts, {args.speakers} speakers; offline extractor\n")
        print(f"{'MB':>5} {'segments':>9} {'read s':>7} {'extract s':>9} {'render s':>8} {'peak MB':>8} "
              f"{'s/MB':>6} {'ratio':>6}  found")
        first: float | None = None
        for mb in sizes:
            path = Path(tmp) / f"t{mb:g}.txt"
            build(path, mb, args.speakers, args.language)
            real = path.stat().st_size / 1_000_000
            proc = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True,
                                  text=True, check=False)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(f"{real:5.1f}  failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            r = json.loads(line[7:])
            total = r["read"] + r["extract"] + r["render"]
            per_mb = total / real
            first = first or per_mb
            print(f"{real:5.1f} {r['segments']:>9} {r['read']:7.2f} {r['extract']:9.2f} {r['render']:8.2f} "
                  f"{r['peak_mb']:8.0f} {per_mb:6.2f} {per_mb / first:6.2f}  "
                  f"{r['participants']} participants, {r['agreements']} agreements, {r['steps']} steps",
                  flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
