"""LLM-path figures (not a test): python bench/extract_llm.py

* Always: a synthetic two-hour meeting through the real LLM code path and the real openai SDK against
  the scripted server of tests/fake_openai.py, for several ``context_tokens`` budgets: chunks, requests,
  transcript tokens sent (overlap overhead), wall time of our side (HTTP + split + merge + finalize).
  This measures our code, not any model.
* With an LLM configured (settings.llm_configured): ``score_llm`` runs extract_protocol on the gold
  samples and prints per meeting: time, mode, chunks, requests, tokens, cost, evidence verified,
  flags. ``bench/extract.py`` scores the same protocols' accuracy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from summarizer.config import Settings, load_settings  # noqa: E402
from summarizer.extract import extract_protocol  # noqa: E402
from summarizer.llm.structured import estimate_tokens  # noqa: E402
from summarizer.transcript import Segment, Transcript  # noqa: E402

GOLD = ROOT / "samples" / "gold"


def score_llm(settings: Settings, gold_dir: Path = GOLD) -> list[dict[str, Any]]:
    """Run the configured LLM on every gold sample; return (and print) cost and evidence figures."""
    rows = []
    for gold_path in sorted(gold_dir.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        transcript = Transcript.from_json((gold_dir / gold["transcript"]).read_text(encoding="utf-8"))
        started = time.perf_counter()
        protocol = extract_protocol(transcript, settings,
                                    meeting_date=dt.date.fromisoformat(gold["meeting_date"]))
        evidence = [ev for item in protocol.items() for ev in item.evidence]
        meta = protocol.meta
        row = {
            "meeting": gold_path.name.removesuffix(".gold.json"),
            "seconds": round(time.perf_counter() - started, 2),
            "mode": meta.mode,
            "chunks": meta.chunks,
            "requests": meta.usage.requests,
            "prompt_tokens": meta.usage.prompt_tokens,
            "completion_tokens": meta.usage.completion_tokens,
            "cost": meta.usage.cost,
            "evidence_verified": sum(ev.status == "verified" for ev in evidence),
            "evidence_total": len(evidence),
            "flags": len(protocol.all_flags()),
        }
        rows.append(row)
        print(" ".join(f"{k}={v}" for k, v in row.items()))
    return rows


def _long_meeting(minutes: int = 120, every: float = 5.0) -> Transcript:
    segments = [
        Segment(id=f"s{i + 1:04d}", start=i * every, end=(i + 1) * every, speaker=["Anna", "Boris"][i % 2],
                text=f"Point {i}: we reviewed deliverable {i % 17} and the schedule for phase {i % 5}.")
        for i in range(int(minutes * 60 / every))
    ]
    return Transcript(segments=segments, language="en", source="synthetic-2h")


def bench_chunking() -> None:
    from fake_openai import FakeOpenAI, Reply, agreement, sample_protocol

    def reply(request: dict[str, Any]) -> dict[str, Any]:
        user = request["messages"][-1]["content"]
        line = next(ln for ln in user.splitlines() if ln.startswith("[s"))
        sid = line[1:6]
        quote = " ".join(line.split(": ", 1)[1].split()[:5])
        body = sample_protocol(agreements=[agreement(f"Item {sid}", [sid], quote)])
        return {"id": "x", "object": "chat.completion", "created": 0, "model": "fake",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": json.dumps(body)}}],
                "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 50, "total_tokens": 0}}

    transcript = _long_meeting()
    whole = sum(estimate_tokens(s.text) for s in transcript.segments)
    print(f"== synthetic 2-hour meeting: {len(transcript.segments)} segments, ~{whole} text tokens")
    with FakeOpenAI() as server, tempfile.TemporaryDirectory() as tmp:
        for budget in (4096, 8192, 16384, 32768):
            server.script(*(Reply(build=reply) for _ in range(200)))
            before = len(server.requests)
            settings = Settings(base_url=server.base_url, llm_model="fake", cache_dir=Path(tmp),
                                context_tokens=budget, llm_backoff=0.01)
            started = time.perf_counter()
            protocol = extract_protocol(transcript, settings, meeting_date=dt.date(2024, 5, 15))
            seconds = time.perf_counter() - started
            sent = server.requests[before:]
            sent_tokens = sum(estimate_tokens(r["messages"][-1]["content"]) for r in sent)
            print(f"context_tokens={budget:6d}: chunks={protocol.meta.chunks:3d} requests={len(sent):3d} "
                  f"user-prompt tokens sent ~{sent_tokens} ({sent_tokens / whole:.2f}x the text) "
                  f"agreements={len(protocol.agreements)} wall={seconds:.2f}s")
            with server._lock:  # drop what this budget did not use
                server._queue.clear()


def main() -> None:
    bench_chunking()
    settings = load_settings()
    if settings.llm_configured:
        print(f"\n== {settings.llm_model} at {settings.base_url or 'OpenAI'}: gold samples")
        score_llm(dataclasses.replace(settings))
    else:
        print("\n(LLM not configured: set base_url/api_key and llm_model to run score_llm on gold samples)")


if __name__ == "__main__":
    main()
