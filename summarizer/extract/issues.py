"""Issues discussed, with the options raised on each: which proposal answers which issue.

Pure helpers of the offline extractor (``offline.py``): a proposal goes under the issue it shares words
with, else under the one raised just before it, else under its usual topic (``topics.TOPICS``); an
agreement that answers no raised issue gets its topic's issue too.
"""

from __future__ import annotations

import re

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
                     purpose: Sentence | None) -> None:
    """A proposal made after an issue was raised is a solution to it (an option, taken or not).

    Of the issues raised before it, the proposal goes to the latest that shares a topic word with it
    ("срок поставки — три дня" answers "поставка не больше трёх дней", though payment was raised in
    between), else to the latest one if it was raised just before; otherwise to the usual topic it is
    about ("Давайте запуск сделаем десятого февраля" → "Сроки"), an issue made for it when nobody
    raised one. An agreement that answers no issue gets its topic's issue too. An issue whose
    solution was agreed is resolved, unless it was called open ("остался открытым вопрос о штрафах"
    stays open though discussing it later is agreed).
    """
    propose, reject, recap = tables["PROPOSE"], tables["REJECT"], tables["RECAP"]
    agreed = {sid for a in agreements for ev in a.evidence if not ev.superseded for sid in ev.segment_ids[:1]}
    summaries = {issue.summary for issue, _ in issues}
    answered: set[str] = set()  # segments placed under an issue

    def place(issue: Issue, s: Sentence, text: str) -> None:
        if text not in issue.solutions:
            issue.solutions.append(text)
        answered.add(s.segment_id)
        if s.segment_id in agreed and _clean(issue.summary or "") not in still_open:
            issue.status = "resolved"

    for s in sentences:
        if s.text in summaries or not P.any_match(propose, s.text) or P.any_match(reject, s.text):
            continue
        if s is purpose or P.any_match(recap, s.text):
            continue  # "Предлагаю сегодня договориться о сроках…" is what the meeting is for
        text = _clean(P.PROPOSAL_LEAD.sub("", _clean(s.text)))
        before = sorted(((issue, pos) for issue, pos in issues if pos <= s.position),
                        key=lambda ip: ip[1])
        if before:
            # the title names the topic; the rest of the sentence may mention anything (a warehouse, a city)
            issue, pos = max(reversed(before), key=lambda ip: _overlap(s.text, topic_words(ip[0].title)))
            if _overlap(s.text, topic_words(issue.title)):
                place(issue, s, text)
                continue
            latest = before[-1][0]
            usual = topic_of(s.text, lang)
            # "Давайте запуск сделаем десятого февраля" just after "вопрос по обучению" is about the dates
            if s.position - before[-1][1] <= SOLUTION_REACH and (
                    usual is None or topic_of(latest.title, lang) in (usual, None) and not any(
                        topic_of(i.title, lang) == usual for i, _ in before)):
                place(latest, s, text)
                continue
        topical = _topic_issue(s, issues, lang)
        if topical is not None:
            place(topical, s, text)
    for agreement in agreements:
        cited = [ev.segment_ids[0] for ev in agreement.evidence if ev.segment_ids and not ev.superseded]
        if not cited or answered & set(cited):
            continue
        main = next((x for x in sentences if x.segment_id == cited[0]), None)
        home = _topic_issue(main, issues, lang, agreement.text) if main is not None else None
        if home is not None and main is not None:
            place(home, main, agreement.text)


def _overlap(text: str, title: set[str]) -> int:
    """Title words a sentence shares, also inside longer words ("оплат" in "предоплаты")."""
    words = {w.lower() for w in re.findall(r"\w{4,}", text)}
    return sum(any(t in w for w in words) for t in title)


def _topic_issue(s: Sentence, issues: list[tuple[Issue, int]], lang: str,
                 text: str | None = None) -> Issue | None:
    """The issue of the usual topic ``s`` is about, made when nobody raised it."""
    title = topic_of(text or s.text, lang)
    if title is None:
        return None
    for issue, _ in issues:
        if issue.title == title or topic_of(issue.title, lang) == title:
            return issue
    issue = Issue(title=title, summary=None, evidence=_evidence([s]))
    issues.append((issue, s.position))
    return issue
