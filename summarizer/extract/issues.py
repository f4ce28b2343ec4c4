"""Issues discussed, with the options raised on each: which proposal answers which issue.

Pure helpers of the offline extractor (``offline.py``): a proposal goes under the issue it shares words
with, else under the one raised just before it, else under its usual topic (``topics.TOPICS``); an
agreement that answers no raised issue gets its topic's issue too.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable

from summarizer.extract import offline_patterns as P
from summarizer.extract.sentences import Sentence
from summarizer.extract.topics import topic_of
from summarizer.schema import Agreement, Evidence, Issue


def _clean(text: str) -> str:
    text = P.FILLER.sub("", text.strip()).rstrip("?")
    return (text[:1].upper() + text[1:]).rstrip() if text else text


def _evidence(sentences: list[Sentence]) -> list[Evidence]:
    return [Evidence(segment_ids=[s.segment_id, *s.more_ids], quote=s.text) for s in sentences]


# Prefixes of frequent words that say nothing about a topic (proposal leads, fillers).
_TOPIC_STOP = {"давай", "предл", "может", "можем", "сможе", "сегод", "котор", "пожал", "очень", "хорош",
               "тогда", "потом", "нужно", "важно", "чтобы", "would", "could", "think", "about", "there",
               "their", "which", "these", "those", "shoul", "right", "after", "befor", "thank", "спаси",
               "после", "перед", "через", "больш", "меньш", "также", "более", "менее", "тольк", "всего"}


def topic_words(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"\w{5,}", text)} - _TOPIC_STOP


SOLUTION_REACH = 4  # segments after an issue within which a proposal on no shared word still answers it


def attach_solutions(issues: list[tuple[Issue, int]], agreements: list[Agreement], sentences: list[Sentence],
                     tables: dict[str, list[re.Pattern[str]]], still_open: list[str], lang: str,
                     purpose: Sentence | None, speak: Callable[[Sentence, str], str] | None = None) -> None:
    """A proposal made after an issue was raised is a solution to it (an option, taken or not).

    Of the issues raised before it, the proposal goes to the latest that shares a topic word with it
    ("срок поставки — три дня" answers "поставка не больше трёх дней", though payment was raised in
    between), else to the latest one if it was raised just before; otherwise to the usual topic it is
    about ("Давайте запуск сделаем десятого февраля" → "Сроки"), an issue made for it when nobody
    raised one. An agreement that answers no issue gets its topic's issue too. An issue whose
    solution was agreed is resolved, unless it was called open ("остался открытым вопрос о штрафах"
    stays open though discussing it later is agreed). ``speak`` writes a proposal as the protocol says
    it (the third person, the call's pronouns resolved); without it the words stay as said.
    """
    # each table as one alternation: "does any of its patterns match" in one search per sentence
    propose, reject, recap = (P.combine(tables[name]) for name in ("PROPOSE", "REJECT", "RECAP"))
    agreed = {sid for a in agreements for ev in a.evidence if not ev.superseded for sid in ev.segment_ids[:1]}
    summaries = {issue.summary for issue, _ in issues}
    called_open = set(still_open)
    answered: set[str] = set()  # segments placed under an issue
    placed: dict[int, set[str]] = {}  # id(issue) -> its solutions, for the membership test
    topical = _TopicIssues(issues, lang)

    def place(issue: Issue, s: Sentence, text: str) -> None:
        known = placed.setdefault(id(issue), set(issue.solutions))
        if text not in known:
            issue.solutions.append(text)
            known.add(text)
        answered.add(s.segment_id)
        if s.segment_id in agreed and _clean(issue.summary or "") not in called_open:
            issue.status = "resolved"

    # The issues raised up to the sentence read, kept as they come instead of filtered and sorted again
    # for every proposal (quadratic in a long meeting): ``waiting`` yields them by (position, list
    # order), the order a stable sort by position gives; an issue only ever loses to a later one of its
    # own title, so one per title (the latest, in the order of their latest) stands for all of them.
    waiting = [(pos, k, issue) for k, (issue, pos) in enumerate(issues)]
    heapq.heapify(waiting)
    queued = len(issues)
    latest_by_title: dict[str, Issue] = {}
    latest: Issue | None = None
    latest_pos = 0
    title_words: dict[str, set[str]] = {}
    for s in sentences:
        while queued < len(issues):  # made for a topic nobody raised (``_topic_issue``)
            issue, pos = issues[queued]
            heapq.heappush(waiting, (pos, queued, issue))
            queued += 1
        while waiting and waiting[0][0] <= s.position:
            latest_pos, _, latest = heapq.heappop(waiting)
            latest_by_title.pop(latest.title, None)
            latest_by_title[latest.title] = latest
        if s.text in summaries or not propose.search(s.text) or reject.search(s.text):
            continue
        if s is purpose or recap.search(s.text):
            continue  # "Предлагаю сегодня договориться о сроках…" is what the meeting is for
        text = _clean(P.PROPOSAL_LEAD.sub("", _clean(s.text)))
        if speak is not None:
            text = speak(s, text)
        if latest is not None:
            # the title names the topic; the rest of the sentence may mention anything (a warehouse, a city)
            words = _words(s.text)
            shared = {title: _shared(words, title_words.setdefault(title, topic_words(title)))
                      for title in latest_by_title}
            best = max(reversed(latest_by_title), key=shared.__getitem__)
            if shared[best]:
                place(latest_by_title[best], s, text)
                continue
            usual = topic_of(s.text, lang)
            # "Давайте запуск сделаем десятого февраля" just after "вопрос по обучению" is about the dates
            if s.position - latest_pos <= SOLUTION_REACH and (
                    usual is None or topical.topic(latest.title) in (usual, None) and not any(
                        topical.topic(title) == usual for title in latest_by_title)):
                place(latest, s, text)
                continue
        home = _topic_issue(s, topical)
        if home is not None:
            place(home, s, text)
    first_of_segment: dict[str, Sentence] = {}
    for x in sentences:
        first_of_segment.setdefault(x.segment_id, x)
    for agreement in agreements:
        cited = [ev.segment_ids[0] for ev in agreement.evidence if ev.segment_ids and not ev.superseded]
        if not cited or answered & set(cited):
            continue
        main = first_of_segment.get(cited[0])
        home = _topic_issue(main, topical, agreement.text) if main is not None else None
        if home is not None and main is not None:
            place(home, main, agreement.text)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w{4,}", text)}


def _shared(words: set[str], title: set[str]) -> int:
    """Title words a sentence shares, also inside longer words ("оплат" in "предоплаты")."""
    return sum(any(t in w for w in words) for t in title)


class _TopicIssues:
    """The issues by title and by the usual topic of their title (the first issue in the list for
    each), kept up to date as issues are added, with each title's topic worked out once."""

    def __init__(self, issues: list[tuple[Issue, int]], lang: str) -> None:
        self.issues, self.lang = issues, lang
        self._topics: dict[str, str | None] = {}
        self._first: dict[str | None, Issue] = {}
        self._indexed = 0

    def topic(self, title: str) -> str | None:
        if title not in self._topics:
            self._topics[title] = topic_of(title, self.lang)
        return self._topics[title]

    def first(self, title: str) -> Issue | None:
        """The first issue whose title is ``title`` or whose title is about that usual topic."""
        for issue, _ in self.issues[self._indexed:]:
            self._first.setdefault(issue.title, issue)
            self._first.setdefault(self.topic(issue.title), issue)
        self._indexed = len(self.issues)
        return self._first.get(title)


def _topic_issue(s: Sentence, topical: _TopicIssues, text: str | None = None) -> Issue | None:
    """The issue of the usual topic ``s`` is about, made when nobody raised it."""
    title = topic_of(text or s.text, topical.lang)
    if title is None:
        return None
    found = topical.first(title)
    if found is not None:
        return found
    issue = Issue(title=title, summary=None, evidence=_evidence([s]))
    topical.issues.append((issue, s.position))
    return issue
