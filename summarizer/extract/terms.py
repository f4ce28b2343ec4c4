"""The terms of a deal: which offer an acceptance accepts, and when a later offer supersedes an earlier
agreement. Pure helpers of the offline extractor (``offline.py``).

"Terms" are amounts, counts, percentages and dates ("2 food", "пятьдесят процентов", "десятого
февраля"). Two items settle the same thing when they share the things their amounts are about ("2 food
and 1 water" / "3 food"), or a subject and a kind of value ("запуск 1 февраля" / "запуск десятого
февраля", but not "пилот 1 декабря" / "поставка 20 декабря").
"""

from __future__ import annotations

import logging
import re

from summarizer.extract import offline_patterns as P
from summarizer.extract.dates import find_due_phrases
from summarizer.extract.issues import topic_words
from summarizer.extract.sentences import Sentence
from summarizer.schema import Agreement, Evidence

log = logging.getLogger(__name__)

PROPOSAL_REACH = 2  # segments within which an answer still refers to an offer
REVISE_REACH = 6  # segments within which a new offer on the same terms counters an agreement


def _content_words(text: str) -> int:
    return len([w for w in re.findall(r"\w+", text) if len(w) > 2])


def terms_offered(sentences: list[Sentence], i: int, propose: list[re.Pattern[str]]) -> Sentence | None:
    """The offer a deal without terms accepts ("I think that is a fair deal."): in the other side's
    latest turn, the sentence with the most terms in it (a proposal, terms put as a question, or a
    sentence that states two terms or more)."""
    s = sentences[i]
    if P.TERMS.search(P.AGREE_LEAD.sub("", s.text)) and _content_words(s.text) >= 4:
        return None  # the acceptance states its own terms ("1 декабря нам подходит")
    turn: list[Sentence] = []
    for j in range(i - 1, -1, -1):
        x = sentences[j]
        if s.position - x.position > PROPOSAL_REACH or (turn and x.segment_id != turn[0].segment_id):
            break
        if x.speaker != s.speaker or (x.speaker is None and x.position != s.position):
            turn.append(x)
    best, best_terms = None, 0
    for x in turn:
        terms = len(P.TERMS.findall(x.text))
        offered = P.any_match(propose, x.text) or x.text.rstrip().endswith("?") or terms >= 2
        if offered and terms > best_terms and _content_words(x.text) >= 2:
            best, best_terms = x, terms
    return best


def counter(s: Sentence, agreements: list[tuple[Agreement, int]]) -> list[Evidence]:
    """A new offer on the same terms supersedes an agreement just made: it leaves the agreements, and
    its quotes go with the new offer as its history (a counter-offer accepted later states the final
    terms once, the earlier form in its evidence)."""
    for k in range(len(agreements) - 1, -1, -1):
        agreement, pos = agreements[k]
        if s.position - pos > REVISE_REACH:
            break
        if same_slot(s.text, agreement.text):
            del agreements[k]
            log.debug("agreement %r countered by %r", agreement.text, s.text)
            return as_history(agreement.evidence)
    return []


HISTORY_KEPT = 12  # earlier quotes a decision keeps: the latest forms, not every revision since the start


def as_history(evidence: list[Evidence]) -> list[Evidence]:
    """Quotes of an earlier form of a decision, kept with its final form and marked as superseded.

    At most ``HISTORY_KEPT`` of them, the latest: a slot settled again and again in a long session
    carried every earlier quote into each new form, so each revision copied all the ones before it
    (quadratic: 26 s of a 10 MB transcript's extraction). Quotes already marked are not copied again."""
    return [e if e.superseded else e.model_copy(update={"superseded": True})
            for e in evidence[-HISTORY_KEPT:]]


def evidence_key(e: Evidence) -> tuple[tuple[str, ...], str]:
    return tuple(e.segment_ids), e.quote


_AMOUNT_NOUN = re.compile(r"(?:\b\d+\s*%?|\b(?:" + P.TERMS.pattern.split(r"\b(?:", 1)[1].split(r")\b", 1)[0]
                          + r"))\W+(?:(?:of|the|of the|extra|more|packages? of)\s+)?([^\W\d]{3,})",
                          re.IGNORECASE)


def _term_nouns(text: str) -> set[str]:
    """What terms are about: the word after each amount ("2 food", "пятьдесят процентов"), and the
    month of a date ("десятого февраля")."""
    out = {m.group(1).lower()[:5] for m in _AMOUNT_NOUN.finditer(text)}
    out |= {m.group(0).lower()[:5] for m in re.finditer(r"\b(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|"
                                                        r"сентябр|октябр|ноябр|декабр|january|february|march|"
                                                        r"april|june|july|august|september|october|november|"
                                                        r"december)\w*", text, re.IGNORECASE)}
    return out


def same_slot(a: str, b: str) -> bool:
    """Two items that settle the same thing with their own values: the same terms ("2 food" / "3 food
    and 1 water"), or a shared subject with the same kind of value ("запуск 1 февраля" / "запуск
    десятого февраля"; not "пилот 1 декабря" / "поставка 20 декабря")."""
    return _same_slot(_term_nouns(a), _term_nouns(b), topic_words(a), topic_words(b))


def _same_slot(nouns_a: set[str], nouns_b: set[str], topics_a: set[str], topics_b: set[str]) -> bool:
    nouns = nouns_a & nouns_b
    if len(nouns) >= 2:
        return True
    return bool(nouns) and bool((topics_a & topics_b) - nouns - {n[:5] for n in nouns})


class SlotIndex:
    """The texts of one extraction's agreements by the nouns of their terms, with what ``same_slot``
    and ``values`` read from each text worked out once.

    Finding the agreement a new one supersedes used to run ``same_slot`` and ``values`` (a dozen
    regexes each) against every agreement so far: quadratic, 45 s of a 1 MB transcript's 60. Only a
    text that shares a term noun with the new item can settle the same slot, so only those are
    checked, and the list is scanned only when one of them does. Every text an agreement takes must
    be ``add``-ed; texts of agreements since removed may stay (the scan finds no agreement with them).
    """

    def __init__(self) -> None:
        self._by_noun: dict[str, set[str]] = {}
        self._read: dict[str, tuple[set[str], set[str]]] = {}  # text -> (term nouns, topic words)
        self._values: dict[str, set[str]] = {}

    def _features(self, text: str) -> tuple[set[str], set[str]]:
        got = self._read.get(text)
        if got is None:
            got = self._read[text] = (_term_nouns(text), topic_words(text))
        return got

    def _values_of(self, text: str) -> set[str]:
        got = self._values.get(text)
        if got is None:
            got = self._values[text] = values(text)
        return got

    def add(self, text: str) -> None:
        for noun in self._features(text)[0]:
            self._by_noun.setdefault(noun, set()).add(text)

    def superseded(self, said: str, text: str, agreements: list[tuple[Agreement, int]]) -> int | None:
        """The index of the first agreement that settles the same slot as ``said`` with values other
        than ``text``'s: the same as the first ``k`` with ``same_slot(said, agreements[k].text) and
        values(agreements[k].text) != values(text)``."""
        nouns, topics = self._features(said)
        candidates = set().union(*(self._by_noun.get(n, ()) for n in nouns)) if nouns else set()
        if not candidates:
            return None
        mine = self._values_of(text)
        hits = set()
        for other in candidates:
            other_nouns, other_topics = self._features(other)
            if _same_slot(nouns, other_nouns, topics, other_topics) and self._values_of(other) != mine:
                hits.add(other)
        if not hits:
            return None
        return next((k for k, (earlier, _) in enumerate(agreements) if earlier.text in hits), None)


def values(text: str) -> set[str]:
    """Numbers and dates said in an item: what a revision changes."""
    return {w.lower()[:5] for w in re.findall(r"\d+|\w+", text) if P.TERMS.fullmatch(w) or w.isdigit()
            or find_due_phrases(w)}
