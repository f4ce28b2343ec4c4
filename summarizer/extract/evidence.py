"""The evidence check: is every quote really said in the segments it cites?

This is the product's promise (every protocol item is provable from the transcript), so it is done
in code, never trusted to the extractor. Order of attempts for one ``Evidence``:

1. the normalised quote occurs in the cited segments plus their neighbours → ``verified``;
2. it occurs verbatim elsewhere in the transcript → ids corrected, ``verified`` (logged);
3. rapidfuzz ``partial_ratio`` ≥ ``FUZZY_THRESHOLD`` against the cited context, or else against a
   window elsewhere (ids corrected) → ``fuzzy`` with the score;
4. otherwise ``unverified`` with the best score seen. Items are never dropped here.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz

from summarizer.schema import Evidence
from summarizer.transcript import Segment, Transcript

log = logging.getLogger(__name__)

FUZZY_THRESHOLD = 90.0
# A quote this short ("да", "ok") proves nothing when found somewhere else in the transcript.
MIN_RELOCATE_CHARS = 12
WINDOW = 3  # a quote may run across up to this many consecutive segments


class _Blanks(dict[int, str]):
    """``str.translate`` table: punctuation, symbols, separators and control characters (Unicode
    categories P, S, Z, C) become a space, every other character stays; each character's category is
    looked up once, not once per occurrence (a Python loop per character was a third of the evidence
    check). At most ``LIMIT`` characters are remembered, so odd input cannot grow it without end."""

    LIMIT = 1 << 16

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = " " if unicodedata.category(ch)[0] in "PSZC" else ch
        if len(self) < self.LIMIT:
            self[code] = value
        return value


_BLANKS = _Blanks()
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Lower case, ё→е, punctuation and dashes/quotes dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    return _SPACES.sub(" ", text.translate(_BLANKS)).strip()


@dataclass
class TranscriptIndex:
    """Normalised segment texts; build once per transcript when checking many quotes."""

    segments: list[Segment]
    norm: list[str]
    position: dict[str, int]
    names: list[str | None]  # speaker as a person's name when the roster knows the label

    @classmethod
    def build(cls, transcript: Transcript) -> TranscriptIndex:
        segs = list(transcript.segments)
        return cls(
            segs,
            [normalise_text(s.text) for s in segs],
            {s.id: i for i, s in enumerate(segs)},
            [transcript.speaker_name(s.speaker) for s in segs],
        )

    def window(self, start: int, size: int) -> tuple[str, list[int]]:
        idx = list(range(max(0, start), min(len(self.segments), start + size)))
        return " ".join(self.norm[i] for i in idx), idx


def check_evidence(
    evidence: Evidence, transcript: Transcript, index: TranscriptIndex | None = None
) -> Evidence:
    """A checked copy of ``evidence`` with status, score, corrected ids, start and speaker."""
    index = index or TranscriptIndex.build(transcript)
    result = evidence.model_copy(deep=True)
    quote = normalise_text(evidence.quote)
    cited = [index.position[sid] for sid in evidence.segment_ids if sid in index.position]
    if not quote:
        result.status, result.score = "unverified", 0.0
        _fill_from(result, index, cited)
        return result

    # 1. cited segments and their neighbours, in transcript order
    context_idx = sorted({j for i in cited for j in (i - 1, i, i + 1) if 0 <= j < len(index.segments)})
    context = " ".join(index.norm[i] for i in context_idx)
    if cited and quote in context:
        result.status, result.score = "verified", 100.0
        _fill_from(result, index, _containing(index, quote, context_idx) or cited)
        return result

    # 2. verbatim elsewhere: the extractor cited the wrong segment
    if len(quote) >= MIN_RELOCATE_CHARS:
        found = _find_exact(index, quote)
        if found:
            log.info("evidence %r: segment ids %s corrected to %s", evidence.quote[:40], evidence.segment_ids,
                     [index.segments[i].id for i in found])
            result.segment_ids = [index.segments[i].id for i in found]
            result.status, result.score = "verified", 100.0
            _fill_from(result, index, found)
            return result

    # 3. fuzzy: small transcription or paraphrase differences
    best = fuzz.partial_ratio(quote, context) if context else 0.0
    if best >= FUZZY_THRESHOLD:
        result.status, result.score = "fuzzy", round(best, 1)
        _fill_from(result, index, cited)
        return result
    if len(quote) >= MIN_RELOCATE_CHARS:
        score, where = _find_fuzzy(index, quote)
        if score >= FUZZY_THRESHOLD:
            log.info("evidence %r: fuzzy match (%.0f) at %s, not at %s", evidence.quote[:40], score,
                     [index.segments[i].id for i in where], evidence.segment_ids)
            result.segment_ids = [index.segments[i].id for i in where]
            result.status, result.score = "fuzzy", round(score, 1)
            _fill_from(result, index, where)
            return result
        best = max(best, score)

    result.status, result.score = "unverified", round(best, 1)
    _fill_from(result, index, cited)
    return result


def _containing(index: TranscriptIndex, quote: str, candidates: list[int]) -> list[int]:
    """The smallest run of candidate segments whose text contains the quote."""
    for size in range(1, WINDOW + 1):
        for i in candidates:
            text, idx = index.window(i, size)
            if quote in text:
                return idx
    return []


def _find_exact(index: TranscriptIndex, quote: str) -> list[int]:
    for size in range(1, WINDOW + 1):
        for i in range(len(index.segments)):
            text, idx = index.window(i, size)
            if quote in text:
                return idx
    return []


def _find_fuzzy(index: TranscriptIndex, quote: str) -> tuple[float, list[int]]:
    best, where = 0.0, []
    for i in range(len(index.segments)):
        text, idx = index.window(i, 2)
        if len(text) < len(quote) * 0.6:
            continue
        score = fuzz.partial_ratio(quote, text)
        if score > best:
            best, where = score, idx
    if where and len(where) > 1:
        # Prefer the single segment when it alone carries the match.
        single = fuzz.partial_ratio(quote, index.norm[where[0]])
        if single >= best:
            where = where[:1]
    return best, where


def _fill_from(result: Evidence, index: TranscriptIndex, positions: list[int]) -> None:
    if not positions:
        return
    result.start = index.segments[positions[0]].start
    result.speaker = index.names[positions[0]]
