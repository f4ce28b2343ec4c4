"""Rendering cost for a large protocol: prints seconds per format and the DOCX size.

Run: /work/venv/bin/python bench/render_speed.py [agreements]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from summarizer.config import Settings
from summarizer.render.document import render_protocol, write_docx
from summarizer.schema import Agreement, Evidence, Issue, MeetingHeader, NextStep, Participant, Protocol


def build_protocol(n: int) -> Protocol:
    return Protocol(
        language="ru",
        header=MeetingHeader(title="Нагрузочный протокол", date=dt.date(2026, 11, 25)),
        participants=[
            Participant(name=f"Участник {i}", position="Менеджер", organisation=f"Орг {i % 3}",
                        side="ours" if i % 2 else "client", email=f"u{i}@example.test")
            for i in range(20)
        ],
        issues=[
            Issue(title=f"Вопрос {i}", summary="Обсуждение " * 20, solutions=["Решение А", "Решение Б"],
                  evidence=[Evidence(segment_ids=[f"s{i:04d}"], quote="цитата " * 10, start=i * 7.0)])
            for i in range(n // 4)
        ],
        agreements=[
            Agreement(text=f"Договорённость {i} " + "текст " * 15, responsible=f"Участник {i % 20}",
                      due_date=dt.date(2026, 12, 1 + i % 28), due_phrase="до пятницы",
                      evidence=[Evidence(segment_ids=[f"s{i:04d}"], quote="цитата " * 10, start=i * 11.0)])
            for i in range(n)
        ],
        next_steps=[NextStep(action=f"Шаг {i}", owner=f"Участник {i % 20}") for i in range(n // 2)],
        closing="Спасибо всем.",
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    protocol = build_protocol(n)
    settings = Settings()
    print(f"protocol: {n} agreements, {len(protocol.issues)} issues, {len(protocol.next_steps)} next steps")
    for fmt in ("md", "html", "json"):
        for level in ("brief", "detailed"):
            start = time.perf_counter()
            text = render_protocol(protocol, fmt, level=level, settings=settings)  # type: ignore[arg-type]
            print(f"{fmt:5} {level:8} {time.perf_counter() - start:7.3f} s  {len(text.encode()):>9} bytes")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.docx"
        for level in ("brief", "detailed"):
            start = time.perf_counter()
            write_docx(protocol, path, level=level, settings=settings)  # type: ignore[arg-type]
            print(f"docx  {level:8} {time.perf_counter() - start:7.3f} s  {path.stat().st_size:>9} bytes")


if __name__ == "__main__":
    main()
