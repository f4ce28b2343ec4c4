"""Extraction accuracy figures (not a test): python bench/extract.py [--llm]

* samples/gold: precision/recall/F1 for agreements and next steps (a predicted item matches a gold item
  when their evidence segments overlap, else when their texts are close), owner and due-date accuracy
  on matched items, evidence-verified rate, trap items wrongly reported as agreements;
* ../shared/data/casino_dev (if present): do we report an agreement in chats that end in Accept-Deal,
  and none in Walk-Away chats; is the agreement cited near the final Submit-Deal;
* ../shared/data/elitr_dev (if present): for gold "who is responsible / who will" questions, does the
  protocol item closest to the question name a person from the gold answer; for "when" questions,
  does that item carry a deadline phrase at all.
With an LLM configured (settings.llm_configured) the gold samples are also scored through
summarizer.extract.extract_protocol and its usage is printed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.extract.evidence import normalise_text  # noqa: E402
from summarizer.extract.offline import extract_offline  # noqa: E402
from summarizer.extract.verify import finalize_protocol  # noqa: E402
from summarizer.schema import Protocol  # noqa: E402
from summarizer.transcript import Segment, Transcript, make_segment_id  # noqa: E402

GOLD = ROOT / "samples" / "gold"
SHARED = ROOT.parent / "shared" / "data"


# --------------------------------------------------------------------------------------------------
def _cited(item: object) -> set[str]:
    return {sid for ev in item.evidence for sid in ev.segment_ids}  # type: ignore[attr-defined]


def _match(pred: list[dict], gold: list[dict]) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for g in gold:
        best, best_score = None, 0.0
        for i, p in enumerate(pred):
            if i in used:
                continue
            overlap = len(set(g["evidence"]) & p["cited"])
            score = (
                100.0 + overlap
                if overlap
                else fuzz.token_set_ratio(normalise_text(g["text"]), normalise_text(p["text"]))
            )
            if score > best_score:
                best, best_score = i, score
        if best is not None and best_score >= 70:
            used.add(best)
            pairs.append((pred[best], g))
    return pairs


def _same_person(a: str | None, b: str | None) -> bool:
    return normalise_text(a or "") == normalise_text(b or "")


def score_gold(extract: object, label: str) -> None:
    totals: dict[str, list[int]] = {}
    verified = all_ev = trap_hits = 0
    for gold_path in sorted(GOLD.glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        transcript = Transcript.from_json((GOLD / gold["transcript"]).read_text(encoding="utf-8"))
        meeting = dt.date.fromisoformat(gold["meeting_date"])
        protocol: Protocol = extract(transcript, meeting)  # type: ignore[operator]
        for ev in (e for it in protocol.items() for e in it.evidence):
            all_ev += 1
            verified += ev.status == "verified"
        agreements_cited = (
            set().union(*(_cited(a) for a in protocol.agreements)) if protocol.agreements else set()
        )
        trap_hits += sum(bool(set(t["evidence"]) & agreements_cited) for t in gold.get("not_agreements", []))
        for kind, who in (("agreements", "responsible"), ("next_steps", "owner")):
            items = protocol.agreements if kind == "agreements" else protocol.next_steps
            pred = [
                {
                    "text": getattr(it, "text", None) or getattr(it, "action", ""),
                    "cited": _cited(it),
                    "who": getattr(it, who),
                    "due": it.due_date,
                }
                for it in items
            ]
            gold_items = [
                {
                    "text": g.get("text") or g.get("action"),
                    "evidence": g["evidence"],
                    "who": g[who],
                    "due": g["due_date"],
                }
                for g in gold[kind]
            ]
            pairs = _match(pred, gold_items)
            t = totals.setdefault(kind, [0, 0, 0, 0, 0])  # matched, predicted, gold, owner ok, due ok
            t[0] += len(pairs)
            t[1] += len(pred)
            t[2] += len(gold_items)
            t[3] += sum(_same_person(p["who"], g["who"]) for p, g in pairs)
            t[4] += sum((p["due"].isoformat() if p["due"] else None) == g["due"] for p, g in pairs)
    print(f"\n== {label}: samples/gold ({len(list(GOLD.glob('*.gold.json')))} meetings)")
    for kind, (m, npred, ngold, own, due) in totals.items():
        prec, rec = m / npred if npred else 0.0, m / ngold if ngold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        print(
            f"{kind:11s} P={prec:.2f} R={rec:.2f} F1={f1:.2f} "
            f"(matched {m}, predicted {npred}, gold {ngold}); "
            f"owner acc {own}/{m}, due-date acc {due}/{m}"
        )
    print(f"evidence verified: {verified}/{all_ev}; trap proposals reported as agreements: {trap_hits}")


def _offline(transcript: Transcript, meeting: dt.date | None) -> Protocol:
    return finalize_protocol(
        extract_offline(transcript, meeting_date=meeting), transcript, meeting_date=meeting
    )


# --------------------------------------------------------------------------------------------------
def score_casino() -> None:
    path = SHARED / "casino_dev" / "casino_dev.json"
    if not path.exists():
        print("\n== casino_dev: absent, skipped")
        return
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    accepted = found = near = walked = quiet = 0
    for d in dialogues:
        turns = [
            t
            for t in d["chat_logs"]
            if t["text"] not in ("Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away")
        ]
        outcome = "accept" if any(t["text"] == "Accept-Deal" for t in d["chat_logs"]) else "walk"
        segs = [Segment(id=make_segment_id(i), text=t["text"], speaker=t["id"]) for i, t in enumerate(turns)]
        protocol = _offline(Transcript(segments=segs, language="en"), None)
        if outcome == "accept":
            accepted += 1
            found += bool(protocol.agreements)
            last = {s.id for s in segs[-4:]}
            near += any(
                _cited(a) & last and re.search(r"food|water|firewood|wood", a.text, re.I)
                for a in protocol.agreements
            )
        else:
            walked += 1
            quiet += not protocol.agreements
    print(f"\n== casino_dev ({len(dialogues)} dialogues; CaSiNo, CC BY 4.0)")
    print(
        f"Accept-Deal chats with >=1 agreement: {found}/{accepted}; "
        f"agreement about food/water/firewood cited in the last 4 turns: {near}/{accepted}"
    )
    print(f"Walk-Away chats with no agreement: {quiet}/{walked}")


# --------------------------------------------------------------------------------------------------
def _elitr_transcript(folder: Path) -> Transcript | None:
    files = sorted(folder.glob("transcript_MAN*.txt"))
    if not files:
        return None
    segs: list[Segment] = []
    speaker = None
    for line in files[0].read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^\((PERSON\d+)\)\s*(.*)$", line.strip())
        text = line.strip()
        if m:
            speaker, text = f"[{m[1]}]", m[2]
        if text:
            segs.append(Segment(id=make_segment_id(len(segs)), text=text, speaker=speaker))
    return Transcript(segments=segs, language="en")


def score_elitr() -> None:
    qa_path = SHARED / "elitr_dev" / "elitr-bench-qa_dev.json"
    if not qa_path.exists():
        print("\n== elitr_dev: absent, skipped")
        return
    qa = json.loads(qa_path.read_text(encoding="utf-8"))
    who_total = who_ok = when_total = when_phrase = 0
    items_total = 0
    started = time.perf_counter()
    for meeting in qa["meetings"]:
        transcript = _elitr_transcript(SHARED / "elitr_dev" / meeting["id"])
        if transcript is None:
            continue
        protocol = _offline(transcript, None)
        entries = [(a.text, a.responsible, a.due_phrase) for a in protocol.agreements] + [
            (n.action, n.owner, n.due_phrase) for n in protocol.next_steps
        ]
        items_total += len(entries)
        for q in meeting["questions"]:
            question = q["question"]
            responsibility = re.search(
                r"\b(responsible|in charge|will|should|take care|going to)\b", question, re.I
            )
            if q["question-type"] == "who" and responsibility and "participants" not in question:
                who_total += 1
                best = _closest(question, entries)
                who_ok += bool(best and best[1] and best[1] in q["groundtruth-answer"])
            elif q["question-type"] == "when":
                when_total += 1
                best = _closest(question, entries)
                when_phrase += bool(best and best[2])
    print(
        f"\n== elitr_dev ({len(qa['meetings'])} meetings; ELITR minuting corpus dev, CC BY 4.0) "
        f"in {time.perf_counter() - started:.1f}s, {items_total} agreements+next steps extracted"
    )
    print(f"who-is-responsible questions where the closest item names a gold person: {who_ok}/{who_total}")
    print(
        f"when questions where the closest item carries a deadline phrase: {when_phrase}/{when_total} "
        "(presence only; meeting dates are unknown, so dates are not compared)"
    )


def _closest(
    question: str, entries: list[tuple[str, str | None, str | None]]
) -> tuple[str, str | None, str | None] | None:
    scored = [(fuzz.token_set_ratio(normalise_text(question), normalise_text(e[0])), e) for e in entries]
    scored = [s for s in scored if s[0] >= 50]
    return max(scored, key=lambda s: s[0])[1] if scored else None


# --------------------------------------------------------------------------------------------------
def main() -> None:
    started = time.perf_counter()
    score_gold(_offline, "offline")
    print(f"(offline, gold samples: {time.perf_counter() - started:.2f}s)")
    score_casino()
    score_elitr()

    from summarizer.config import load_settings

    settings = load_settings()
    if settings.llm_configured:
        from summarizer.extract import extract_protocol

        usage: list[object] = []

        def _llm(transcript: Transcript, meeting: dt.date | None) -> Protocol:
            protocol = extract_protocol(transcript, settings, meeting_date=meeting)
            usage.append(protocol.meta.usage)
            return protocol

        score_gold(_llm, f"llm ({settings.llm_model})")
        for u in usage:
            print("usage:", u)
    else:
        print("\n(LLM not configured: set base_url/api_key and llm_model to score extract_protocol too)")


if __name__ == "__main__":
    main()
