"""Rule-based extraction with no network: a usable first draft when no language model is configured.

It reads the transcript sentence by sentence with the pattern tables in ``offline_patterns`` and keeps
a little conversational state, because negotiation meaning lives between turns:

* a proposal ("предлагаю", "let's") becomes an agreement only when another speaker accepts it within
  two segments; a rejection ("это не подходит", "we can't accept that") drops it;
* a revision ("давайте лучше", "actually, let's make it") removes the agreement it revises, and the
  revised proposal must be accepted again;
* an explicit decision ("договорились: ...", "we agreed: ...") is an agreement on its own, and merges
  with an agreement accepted just before it (the same decision said twice);
* recaps ("подводя итоги", "to sum up") repeat earlier agreements and add nothing.

Every item's evidence is the sentence itself, quoted verbatim with its segment id. Dates and owners
are resolved here for the draft; ``verify.finalize_protocol`` checks and flags everything afterwards.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from dataclasses import dataclass, field

from summarizer.extract import offline_patterns as P
from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.header import find_platform
from summarizer.extract.owners import name_index
from summarizer.extract.participants import extract_participants
from summarizer.extract.sentences import Sentence, split_sentences
from summarizer.schema import (
    Agreement,
    Evidence,
    ExtractionMeta,
    Issue,
    MeetingHeader,
    NextStep,
    Participant,
    Protocol,
)
from summarizer.transcript import Transcript, detect_language

log = logging.getLogger(__name__)

PROPOSAL_REACH = 2  # segments within which an answer still refers to a proposal
ISSUE_REACH = 50  # a proposal is a solution to one of the last this many issues raised before it
RESTATE_REACH = 2  # an explicit "договорились" this close after an acceptance restates it
REVISE_REACH = 6


@dataclass
class _Proposal:
    sentence: Sentence


@dataclass
class _State:
    agreements: list[tuple[Agreement, int]] = field(default_factory=list)  # with segment position
    next_steps: list[tuple[NextStep, int, str | None]] = field(default_factory=list)  # + speaker label
    proposals: list[_Proposal] = field(default_factory=list)
    issues: list[tuple[Issue, int]] = field(default_factory=list)


def extract_offline(transcript: Transcript, *, meeting_date: dt.date | None = None) -> Protocol:
    lang = detect_language(transcript)
    sentences = split_sentences(transcript)
    participants = extract_participants(transcript, sentences, lang)
    state = _State()
    tables = {name: P.compile_table(getattr(P, name), lang) for name in (
        "AGREE", "ACCEPT", "REJECT", "PROPOSE", "REVISE", "RECAP", "COMMIT", "CONFIRM_ONLY", "ISSUE", "OPEN",
        "OFFER")}
    named_verb = P.compile_table(P.NAMED_VERB, lang)[0]
    open_questions: list[str] = []
    purpose, purpose_sentence = _purpose(sentences, lang)

    for s in sentences:
        has = {name: P.any_match(patterns, s.text) for name, patterns in tables.items()}
        if has["RECAP"] or s is purpose_sentence:
            continue  # "Предлагаю сегодня договориться о сроках" says what the meeting is for, nothing more
        _handle_issue(s, tables["ISSUE"], state)
        if has["OPEN"]:
            open_questions.append(_clean(s.text))
        owner = _owner_in(s, participants, named_verb, lang) if not has["COMMIT"] else None
        if has["COMMIT"] or owner:
            _handle_commitment(s, has["CONFIRM_ONLY"], owner, participants, state, meeting_date, lang)
            continue
        if has["REVISE"]:
            _revise(s, state)
            state.proposals = [_Proposal(s)]
            continue
        pending = _pending(s, state)
        if has["REJECT"] and pending:
            log.debug("proposal %r rejected by %r", pending.sentence.text, s.text)
            _drop(state.proposals, pending)
            continue
        if has["ACCEPT"] and pending:
            responsible = _offerer(pending.sentence, sentences, tables["OFFER"], participants)
            _add_agreement([pending.sentence, s], pending.sentence, state, meeting_date, lang,
                           responsible=responsible)
            _drop(state.proposals, pending)
            continue
        if has["AGREE"] and _content_words(P.AGREE_LEAD.sub("", s.text)) >= 3:
            _add_agreement([s], s, state, meeting_date, lang, restate=True)
            continue
        if has["AGREE"] and state.agreements and s.position - state.agreements[-1][1] <= RESTATE_REACH:
            state.agreements[-1][0].evidence.extend(_evidence([s]))  # a bare "Договорились." seals it
            continue
        if has["PROPOSE"] and not has["REJECT"]:  # "это предложение мы принять не можем" offers nothing
            state.proposals.append(_Proposal(s))

    issues = [issue for issue, _ in state.issues]
    _attach_solutions(state, sentences, tables["PROPOSE"], tables["REJECT"], open_questions)
    protocol = Protocol(
        language=lang,
        header=_header(transcript, participants, meeting_date),
        participants=participants,
        purpose=purpose,
        issues=issues,
        agreements=[a for a, _ in state.agreements],
        next_steps=[n for n, _, _ in state.next_steps],
        open_questions=open_questions,
        meta=ExtractionMeta(extractor="offline", created_at=dt.datetime.now(dt.UTC)),
    )
    protocol.results = [_results_line(protocol, lang)]
    protocol.closing = _closing(protocol, lang)
    protocol.assign_ids()
    return protocol


# --------------------------------------------------------------------------------------------------
# Owners
# --------------------------------------------------------------------------------------------------
def _owner_in(s: Sentence, participants: list[Participant], named_verb: re.Pattern[str],
              lang: str) -> Participant | None:
    """'Ольга подготовит', 'John will sign off': a participant name right before an action verb."""
    follows = re.compile(r"(?:\s+[A-ZА-ЯЁ][\w-]+)?\s+" + named_verb.pattern, re.IGNORECASE)
    return name_index(participants).named_before(s.text, follows)


def _speaker_participant(label: str | None, participants: list[Participant]) -> Participant | None:
    for p in participants:
        if label and label in p.speaker_labels:
            return p
    return None


# --------------------------------------------------------------------------------------------------
# Agreements and next steps
# --------------------------------------------------------------------------------------------------
def _evidence(sentences: list[Sentence]) -> list[Evidence]:
    return [Evidence(segment_ids=[s.segment_id, *s.more_ids], quote=s.text) for s in sentences]


def _due(
    sentences: list[Sentence], meeting_date: dt.date | None, lang: str
) -> tuple[str | None, dt.date | None]:
    for s in sentences:
        phrases = find_due_phrases(s.text, lang)
        if phrases:
            phrase = phrases[0]
            return phrase, resolve_due(phrase, meeting_date, lang) if meeting_date else None
    return None, None


def _clean(text: str) -> str:
    text = P.FILLER.sub("", text.strip()).rstrip("?")
    return (text[:1].upper() + text[1:]).rstrip() if text else text


def _content_words(text: str) -> int:
    return len([w for w in re.findall(r"\w+", text) if len(w) > 2])


def _drop(proposals: list[_Proposal], proposal: _Proposal) -> None:
    """Remove ``proposal`` itself, looking from the end where it is: ``list.remove`` compared every
    earlier proposal field by field (quadratic on a long transcript)."""
    for i in range(len(proposals) - 1, -1, -1):
        if proposals[i] is proposal:
            del proposals[i]
            return


def _pending(s: Sentence, state: _State) -> _Proposal | None:
    for proposal in reversed(state.proposals):
        if s.position - proposal.sentence.position > PROPOSAL_REACH:
            break  # proposals are in transcript order: every earlier one is out of reach too
        if proposal.sentence.speaker != s.speaker:
            return proposal
        if proposal.sentence.speaker is None and proposal.sentence.position != s.position:
            # No labels (no diarisation): an answer in a later segment is taken as the other side's.
            # People seldom accept their own proposal a turn later; a mistake here is still quoted.
            return proposal
    return None


_TURNS: list[tuple[list[Sentence], dict[str, list[Sentence]]]] = []


def _turn(sentences: list[Sentence], segment_id: str) -> list[Sentence]:
    """The sentences of one segment, in order; indexed once per sentence list (a scan of every
    sentence for each accepted proposal made long transcripts quadratic)."""
    if not _TURNS or _TURNS[0][0] is not sentences:
        by_segment: dict[str, list[Sentence]] = {}
        for x in sentences:
            by_segment.setdefault(x.segment_id, []).append(x)
        _TURNS[:] = [(sentences, by_segment)]
    return list(_TURNS[0][1].get(segment_id, []))


def _offerer(proposal: Sentence, sentences: list[Sentence], offer: list[re.Pattern[str]],
             participants: list[Participant]) -> str | None:
    """Who delivers an accepted proposal: its speaker, when they offered it as their side's action.

    "Мы можем доставить товар двадцатого декабря" → the supplier who said it. The offer may open the
    turn before the proposal proper ("Мы можем начать пилот. Предлагаю старт 1 декабря").
    """
    if not proposal.speaker:
        return None
    turn = _turn(sentences, proposal.segment_id)
    said = turn[: turn.index(proposal) + 1] if proposal in turn else [proposal]
    if not any(P.any_match(offer, x.text) for x in said):
        return None
    person = _speaker_participant(proposal.speaker, participants)
    return person.name if person else proposal.speaker


def _add_agreement(sentences: list[Sentence], main: Sentence, state: _State, meeting_date: dt.date | None,
                   lang: str, *, restate: bool = False, responsible: str | None = None) -> None:
    text = _clean(P.PROPOSAL_LEAD.sub("", _clean(P.AGREE_LEAD.sub("", main.text))))
    phrase, due = _due([main, *sentences], meeting_date, lang)
    if restate and state.agreements:
        previous, pos = state.agreements[-1]
        if main.position - pos <= RESTATE_REACH:
            previous.text = text
            previous.evidence.extend(_evidence(sentences))
            if phrase and not previous.due_phrase:
                previous.due_phrase, previous.due_date = phrase, due
            return
    agreement = Agreement(text=text, responsible=responsible, due_phrase=phrase, due_date=due,
                          evidence=_evidence(sentences))
    state.agreements.append((agreement, sentences[-1].position))


def _revise(s: Sentence, state: _State) -> None:
    """Drop the latest agreement or proposal this sentence revises."""
    if state.agreements and s.position - state.agreements[-1][1] <= REVISE_REACH:
        dropped, _ = state.agreements.pop()
        log.debug("agreement %r revised by %r", dropped.text, s.text)
    state.proposals.clear()


def _handle_commitment(s: Sentence, confirm_only: bool, named: Participant | None,
                       participants: list[Participant], state: _State, meeting_date: dt.date | None,
                       lang: str) -> None:
    owner = named or _speaker_participant(s.speaker, participants)
    if confirm_only:
        # "Да, беру на себя": confirms the step just assigned to this speaker.
        for step, pos, _ in reversed(state.next_steps):
            if s.position - pos <= 2 and owner is not None and step.owner == owner.name:
                step.evidence.extend(_evidence([s]))
                return
        return
    phrase, due = _due([s], meeting_date, lang)
    step = NextStep(action=_clean(s.text), owner=owner.name if owner else (s.speaker or None),
                    due_phrase=phrase, due_date=due, evidence=_evidence([s]))
    state.next_steps.append((step, s.position, s.speaker))


# --------------------------------------------------------------------------------------------------
# Issues, purpose, header, closing
# --------------------------------------------------------------------------------------------------
def _handle_issue(s: Sentence, patterns: list[re.Pattern[str]], state: _State) -> None:
    for pattern in patterns:
        m = pattern.search(s.text)
        if m:
            title = _clean(m.group(0))
            state.issues.append((Issue(title=title, summary=s.text, evidence=_evidence([s])), s.position))
            return


# Prefixes of frequent words that say nothing about a topic (proposal leads, fillers).
_TOPIC_STOP = {"давай", "предл", "может", "можем", "сможе", "сегод", "котор", "пожал", "очень", "хорош",
               "тогда", "потом", "нужно", "важно", "чтобы", "would", "could", "think", "about", "there",
               "their", "which", "these", "those", "shoul", "right", "after", "befor", "thank", "спаси",
               "после", "перед", "через", "больш", "меньш", "также", "более", "менее", "тольк", "всего"}


def _topic(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"\w{5,}", text)} - _TOPIC_STOP


def _attach_solutions(state: _State, sentences: list[Sentence], propose: list[re.Pattern[str]],
                      reject: list[re.Pattern[str]], still_open: list[str]) -> None:
    """A proposal made after an issue was raised is a solution to it.

    Of the issues raised before it, the proposal goes to the latest that shares a topic word with it
    ("срок поставки — три дня" answers "поставка не больше трёх дней", though payment was raised in
    between), else to the latest one. An issue whose solution was agreed is resolved, unless it was
    called open ("остался открытым вопрос о штрафах" stays open though discussing it later is agreed).
    """
    agreed = {sid for a, _ in state.agreements for ev in a.evidence for sid in ev.segment_ids[:1]}
    summaries = {issue.summary for issue, _ in state.issues}
    positions = [pos for _, pos in state.issues]  # issues are raised in transcript order
    title_topics = {id(issue): _topic(issue.title) for issue, _ in state.issues}
    for s in sentences:
        if s.text in summaries or not P.any_match(propose, s.text) or P.any_match(reject, s.text):
            continue
        # the latest ISSUE_REACH issues raised before it: a proposal answers a recent issue, and looking
        # back over every issue made a long transcript quadratic
        raised = bisect.bisect_right(positions, s.position)
        before = [issue for issue, _ in state.issues[max(0, raised - ISSUE_REACH):raised]]
        if not before:
            continue
        words = _topic(s.text)
        # the title names the topic; the rest of the sentence may mention anything (a warehouse, a city)
        issue = max(reversed(before), key=lambda i: len(words & title_topics[id(i)]))
        issue.solutions.append(_clean(P.PROPOSAL_LEAD.sub("", _clean(s.text))))
        if s.segment_id in agreed and _clean(issue.summary or "") not in still_open:
            issue.status = "resolved"


def _purpose(sentences: list[Sentence], lang: str) -> tuple[str | None, Sentence | None]:
    for s in sentences[:12]:
        for raw in P.PURPOSE["ru" if lang == "ru" else "en"]:
            m = re.search(raw, s.text, re.IGNORECASE)
            if m:
                rest = m["rest"].strip().rstrip(".")
                return rest[:1].upper() + rest[1:], s
    return None, None


def _header(
    transcript: Transcript, participants: list[Participant], meeting_date: dt.date | None
) -> MeetingHeader:
    orgs: list[str] = []
    for p in participants:
        if p.organisation and p.organisation not in orgs:
            orgs.append(p.organisation)
    # Only a platform said to be this call's ("созвон в Zoom"), not any mention of one.
    said = find_platform(transcript)
    return MeetingHeader(date=meeting_date, platform=said.value if said else None, organisations=orgs)


def _results_line(protocol: Protocol, lang: str) -> str:
    if lang == "ru":
        return (f"Зафиксировано договорённостей: {len(protocol.agreements)}, "
                f"следующих шагов: {len(protocol.next_steps)}.")
    return f"Agreements recorded: {len(protocol.agreements)}; next steps: {len(protocol.next_steps)}."


def _closing(protocol: Protocol, lang: str) -> str:
    topics = [i.title for i in protocol.issues][:3]
    if lang == "ru":
        about = f" ({'; '.join(topics)})" if topics else ""
        return (f"Стороны обсудили ключевые вопросы{about}, зафиксировали договорённости и следующие шаги. "
                "Благодарим всех участников за конструктивную встречу.")
    about = f" ({'; '.join(topics)})" if topics else ""
    return (f"The parties discussed the key issues{about} and recorded the agreements and next steps. "
            "Thank you all for a constructive meeting.")
