"""Sentences of a transcript, the unit the offline rules read: split at sentence ends and clause
boundaries, and joined again where a subtitle cue cut one sentence in two."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.transcript import Transcript


@dataclass
class Sentence:
    text: str
    segment_id: str
    position: int  # index of the segment in the transcript
    speaker: str | None
    more_ids: list[str] = field(default_factory=list)  # segments a sentence runs on into


# Whisper punctuates the same speech as "Agreed. I will send…" or "Agreed, I will send…" depending
# on the decoding path, so a comma before a new clause with its own subject also ends a sentence.
# "…, but only weekdays" / "…, но только с десяти до десяти" limits the clause before it: not split
_CLAUSE = re.compile(r",\s+(?=(?:but(?!\s+only)|I|I'll|we|we'll|но(?!\s+только)|я|мы|а\s+я|а\s+мы)\s)",
                     re.IGNORECASE)
# "Good, next step, we meet again…": the announcement belongs to the clause it announces.
_ANNOUNCE = re.compile(r"\b(?:next steps?|следующий шаг)\W*$", re.IGNORECASE)


def _clauses(sentence: str) -> list[str]:
    parts: list[str] = []
    for part in _CLAUSE.split(sentence):
        announce = _ANNOUNCE.search(parts[-1]) if parts else None
        if announce:
            head = parts[-1][: announce.start()].rstrip(" ,")
            tail = parts[-1][announce.start():].rstrip(" ,")
            parts[-1:] = [head, f"{tail}, {part}"] if head else [f"{tail}, {part}"]
        else:
            parts.append(part)
    return parts


def split_sentences(transcript: Transcript) -> list[Sentence]:
    out: list[Sentence] = []
    for pos, seg in enumerate(transcript.segments):
        sentences = re.split(r"(?<=[.!?…])\s+(?=[A-ZА-ЯЁ0-9«\"])", seg.text.strip())
        pieces = [part.strip() for sentence in sentences for part in _clauses(sentence) if part.strip()]
        if pieces and out and _runs_on(out[-1], seg.speaker, pos):
            # Teams and subtitle files cut a sentence into cues: "Со мной Дмитрий Орлов," | "наш логист."
            last = out[-1]
            last.text = f"{last.text} {pieces.pop(0)}"
            last.more_ids.append(seg.id)
        out.extend(Sentence(piece, seg.id, pos, seg.speaker) for piece in pieces)
    return out


def _runs_on(previous: Sentence, speaker: str | None, position: int) -> bool:
    if speaker is None or previous.speaker != speaker or re.search(r"[.!?…]\W*$", previous.text):
        return False
    return previous.position == position - 1 or bool(previous.more_ids)


