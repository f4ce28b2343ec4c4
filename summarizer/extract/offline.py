"""Rule-based extraction with no network: a usable first draft when no language model is configured.

It reads the transcript sentence by sentence with the pattern tables in ``offline_patterns`` and keeps
a little conversational state, because negotiation meaning lives between turns:

* a proposal ("предлагаю", "let's") becomes an agreement only when another speaker accepts it within
  two segments; a rejection ("это не подходит", "we can't accept that") drops it;
* a revision ("давайте лучше", "actually, let's make it") removes the agreement it revises, and the
  revised proposal must be accepted again;
* an explicit decision ("договорились: ...", "we agreed: ...") is an agreement on its own, and merges
  with an agreement accepted just before it (the same decision said twice);
* recaps ("подводя итоги", "to sum up") repeat earlier agreements and add nothing;
* a decision word that is negated, asked or wished for decides nothing ("No.. It is not a good deal.",
  "Is that a good deal?", "we could make a fair deal"), and a turn that opens with "No" accepts nothing;
* an acceptance without terms ("I think that is a fair deal.") states the offer it accepts, from the
  other side's last turn, and cites both; an acceptance that asks for more is a counter-offer;
* a counter-offer or a revision on the same terms supersedes the agreement: the final form is the
  agreement, the earlier form's quotes stay in its evidence marked ``superseded``;
* "I will…" is a next step only when it is work for after the call (``commitments``), not narration
  of the call ("I will open it", "let me check"); a task asked of someone by name is theirs.

Every item's evidence is the sentence itself, quoted verbatim with its segment id; the item's text is
a third-person statement (``third_person``). Dates and owners are resolved here for the draft;
``verify.finalize_protocol`` checks and flags everything afterwards.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from summarizer.extract import offline_patterns as P
from summarizer.extract.commitments import is_due_task, is_task, requested_task
from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.header import find_platform
from summarizer.extract.issues import attach_solutions
from summarizer.extract.offers import chosen_option, question_as_terms, whole_offer
from summarizer.extract.owners import is_generic_label, stem
from summarizer.extract.participants import extract_participants
from summarizer.extract.results import closing_for, results_for
from summarizer.extract.sentences import Sentence, split_sentences
from summarizer.extract.terms import (
    PROPOSAL_REACH,
    REVISE_REACH,
    SlotIndex,
    as_history,
    counter,
    evidence_key,
    terms_offered,
)
from summarizer.extract.third_person import requested_of, third_person
from summarizer.extract.topics import issue_title
from summarizer.extract.voice import speak_as_protocol, voice_for
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

RESTATE_REACH = 2  # an explicit "договорились" this close after an acceptance restates it
CONSULT_REACH = 2  # further segments an answer may come after, when only the answering side spoke


@dataclass
class _Proposal:
    sentence: Sentence
    history: list[Evidence] = field(default_factory=list)  # the earlier forms it revises or counters


@dataclass
class _State:
    agreements: list[tuple[Agreement, int]] = field(default_factory=list)  # with segment position
    next_steps: list[tuple[NextStep, int, str | None]] = field(default_factory=list)  # + speaker label
    proposals: list[_Proposal] = field(default_factory=list)
    issues: list[tuple[Issue, int]] = field(default_factory=list)
    slots: SlotIndex = field(default_factory=SlotIndex)  # every text an agreement takes is added
    asked: tuple[Sentence, str] | None = None  # a request to nobody by name, awaiting the other's "sure"
    speakers: dict[int, str | None] = field(default_factory=dict)  # who spoke each segment so far


def extract_offline(transcript: Transcript, *, meeting_date: dt.date | None = None,
                    accepted: dict[str, Sentence] | None = None) -> Protocol:
    """The rules' protocol. ``accepted``: offers a model judged accepted, by the replying segment's id
    (``exchanges``): that reply's first sentence is read as an acceptance of that offer."""
    lang = detect_language(transcript)
    sentences = split_sentences(transcript)
    participants = extract_participants(transcript, sentences, lang)
    state = _State()
    tables = {name: P.compile_table(getattr(P, name), lang) for name in (
        "AGREE", "ACCEPT", "REJECT", "PROPOSE", "REVISE", "RECAP", "COMMIT", "CONFIRM_ONLY", "ISSUE", "OPEN",
        "OFFER", "NOT_DECIDED", "NEGATED_YES", "COUNTER", "PROPOSE_TERMS", "INTERNAL", "FACT_CHECK")}
    named_verb = P.compile_table(P.NAMED_VERB, lang)[0]
    owners = _OwnerIndex(participants)
    by_segment: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_segment.setdefault(s.segment_id, []).append(s)
    open_questions: list[str] = []
    purpose, purpose_sentence = _purpose(sentences, lang)

    # one search per table and sentence (an alternation of its patterns), not one per pattern, and
    # only for the tables the rules ask about for this sentence
    combined = {name: P.combine(patterns) for name, patterns in tables.items()}
    for i, s in enumerate(sentences):
        # a proposal this far back is answered by no later sentence (positions only grow): dropping
        # it keeps the list short (it grew with the transcript, and every lookup walked it)
        state.proposals = [x for x in state.proposals
                           if s.position - x.sentence.position <= PROPOSAL_REACH + CONSULT_REACH]
        state.speakers.setdefault(s.position, s.speaker)
        has = _Matches(combined, s.text)
        has["PROPOSE"] = has["PROPOSE"] or (has["PROPOSE_TERMS"] and bool(P.TERMS.search(s.text)))
        if has["RECAP"] or s is purpose_sentence:
            continue  # "Предлагаю сегодня договориться о сроках" says what the meeting is for, nothing more
        turn = by_segment[s.segment_id]
        said_no = _turn_says_no(turn, tables["REJECT"], tables["NEGATED_YES"])
        for name in ("AGREE", "ACCEPT"):
            if has[name] and (said_no or not _decided(s.text, tables[name], tables, name, lang)):
                has[name] = False  # "No.. It is not a good deal.", "Is that a good deal?", "if we agreed"
        if has["AGREE"] and has["INTERNAL"]:
            has["AGREE"] = False  # "we've decided internally that our sales team won't be on the stand"
        if has["FACT_CHECK"]:
            has["PROPOSE"] = False  # "правильно понимаю, что у вас около двух с половиной тысяч заказов?"
        if combined["ISSUE"].search(s.text):
            _handle_issue(s, tables["ISSUE"], state, lang)
        if has["OPEN"]:
            open_questions.append(_clean(s.text))
        if s is turn[0]:
            _answer_request(s, state, participants, meeting_date, lang)
        owner = owners.named_before_verb(s, named_verb, lang) if not has["COMMIT"] else None
        if has["COMMIT"] or owner:
            phrases = find_due_phrases(s.text, lang)
            if has["CONFIRM_ONLY"] or owner or is_task(s.text, lang, has_due=bool(phrases)):
                _handle_commitment(s, has["CONFIRM_ONLY"], owner, participants, state, meeting_date, lang)
                continue
            has["COMMIT"] = False  # narration of the call ("I will open it"); it may still propose terms
        elif (asked := _asked_of(s, owners, lang)) is not None:
            _add_request(s, asked[0], asked[1], state, meeting_date, lang)
            continue
        elif (task := requested_task(s.text, lang)) is not None and _PLEA.search(s.text):
            state.asked = (s, task)  # "Could you send me the list by Friday?": whoever says "sure" owns it
        elif not (has["AGREE"] or has["ACCEPT"] or has["PROPOSE"]) and find_due_phrases(s.text, lang) \
                and is_due_task(s.text, lang) and _content_words(s.text) >= 4:
            # "…update the demo paper submission, which is due next Friday": work with a deadline
            _handle_commitment(s, False, None, participants, state, meeting_date, lang, said_by_speaker=False)
            continue
        if has["REVISE"]:
            history = _revise(s, state)
            state.proposals = [_Proposal(s, history)]
            continue
        pending = _pending(s, state)
        if has["ACCEPT"] and (chosen := chosen_option(s, sentences, i, lang)) is not None:
            pending = _Proposal(chosen, [])  # "go ahead with the second option": that option's terms
            state.proposals.append(pending)
        offer = (accepted or {}).get(s.segment_id)
        if offer is not None and s is turn[0] and not (has["REJECT"] or has["ACCEPT"] or has["AGREE"]) \
                and not _in_agreement(offer.segment_id, state):
            # the model heard an acceptance the tables do not know ("we can live with that"); a reply
            # with the tables' words, or to a turn that already closed a deal, is the rules' to read
            known = next((x for x in state.proposals if x.sentence.segment_id == offer.segment_id), None)
            if known is None:
                known = _Proposal(offer, counter(offer, state.agreements))
                state.proposals.append(known)
            known.sentence = offer  # the whole offer the model judged, not the clause the rules kept
            pending, has["ACCEPT"] = known, True
        if has["REJECT"] and pending and not has["ACCEPT"]:
            log.debug("proposal %r rejected by %r", pending.sentence.text, s.text)
            state.proposals.remove(pending)
            continue
        accepts = has["ACCEPT"] or (has["AGREE"] and _content_words(P.AGREE_LEAD.sub("", s.text)) < 4)
        rest_of_turn = turn[turn.index(s):] if s in turn else [s]
        if accepts and pending and any(combined["COUNTER"].search(x.text) and P.TERMS.search(x.text)
                                       for x in rest_of_turn):
            # "Ok, I need at least 1 or 2 of the food": a counter-offer, which supersedes the offer
            state.proposals.remove(pending)
            state.proposals.append(_Proposal(s, counter(s, state.agreements)))
            continue
        if accepts and pending:
            responsible = _offerer(pending.sentence, by_segment, tables["OFFER"], participants)
            offerer = _speaker_participant(pending.sentence.speaker, participants) if responsible else None
            offer = whole_offer(pending.sentence, by_segment)
            _add_agreement([offer, s], offer, state, meeting_date, lang,
                           responsible=responsible, history=pending.history,
                           side=offerer.organisation if offerer else None,
                           addressee=_acceptor(s, pending.sentence, participants))
            state.proposals.remove(pending)
            continue
        terms = terms_offered(sentences, i, tables["PROPOSE"]) if has["AGREE"] else None
        if terms is not None:
            # "I think that is a fair deal.": the agreement is the offer it accepts (the other side's turn)
            _add_agreement([terms, s], terms, state, meeting_date, lang)
            continue
        if has["AGREE"] and _substance(P.AGREE_LEAD.sub("", s.text)) >= 2:
            _add_agreement([s], s, state, meeting_date, lang, restate=True)
            continue
        if has["AGREE"] and state.agreements and s.position - state.agreements[-1][1] <= RESTATE_REACH:
            state.agreements[-1][0].evidence.extend(_evidence([s]))  # a bare "Договорились." seals it
            continue
        if has["PROPOSE"] and not has["REJECT"]:  # "это предложение мы принять не можем" offers nothing
            state.proposals.append(_Proposal(s, counter(s, state.agreements)))
        elif s.text.rstrip().endswith("?") and P.TERMS.search(s.text) and not has["REJECT"] \
                and not has["FACT_CHECK"] and not _FACT_QUESTION.match(s.text):
            # "so 3 firewood, one food and 1 water for me?": terms put as a question are a proposal
            state.proposals.append(_Proposal(s, counter(s, state.agreements)))

    attach_solutions(state.issues, [a for a, _ in state.agreements], sentences, tables, open_questions, lang,
                     purpose_sentence, speak=_solution_voice(participants, lang))
    issues = [issue for issue, _ in sorted(state.issues, key=lambda ip: ip[1])]
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
    speak_as_protocol(protocol, transcript)
    protocol.results = results_for(protocol)
    protocol.closing = closing_for(protocol)
    protocol.assign_ids()
    return protocol


class _Matches(dict[str, bool]):
    """Whether each pattern table matches one sentence, searched when first asked."""

    def __init__(self, combined: dict[str, re.Pattern[str]], text: str) -> None:
        super().__init__()
        self._combined, self._text = combined, text

    def __missing__(self, name: str) -> bool:
        value = self[name] = bool(self._combined[name].search(self._text))
        return value


# --------------------------------------------------------------------------------------------------
# Owners
# --------------------------------------------------------------------------------------------------
LATIN_KEY = 4  # letters of a Latin name matched against a Cyrillic word: "Irin" for "Ирина", "Ирине"
_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya"})


class _OwnerIndex:
    """Participants by the stem of each name part, built once: a sentence is checked word by word
    against it (linear in the transcript), not against every participant's name (19.9k words with 105
    speakers took 8.75 s that way)."""

    def __init__(self, participants: list[Participant]) -> None:
        self.by_stem: dict[str, Participant] = {}
        # a Russian call whose platform shows names in Latin letters ("Irina") says them in Cyrillic
        # ("Ирина Ткачёва подготовит…"): those names are also found by their transliterated start
        self.by_latin: dict[str, Participant] = {}
        for p in participants:
            if is_generic_label(p.name):
                continue
            for part in p.name.split():
                if len(part) >= 3:
                    self.by_stem.setdefault(stem(part), p)
                if len(part) >= LATIN_KEY and part.isascii():
                    self.by_latin.setdefault(part[:LATIN_KEY].lower(), p)

    def find(self, word: str) -> Participant | None:
        """The participant a capitalised word names, if any."""
        found = self.by_stem.get(stem(word))
        if found is None and self.by_latin and not word.isascii():
            found = self.by_latin.get(word.lower().translate(_TO_LATIN)[:LATIN_KEY])
        return found

    def named_before_verb(self, s: Sentence, named_verb: re.Pattern[str], lang: str) -> Participant | None:
        """'Ольга подготовит', 'John will sign off': a participant name right before an action verb
        (a deadline between them is skipped: "Денис Гаврилов до конца недели пришлёт")."""
        if not self.by_stem:
            return None
        for m in re.finditer(r"[A-ZА-ЯЁ][\w-]+", s.text):
            p = self.find(m.group(0))
            if p is None:
                continue
            after = s.text[m.end():m.end() + 80]
            for phrase in find_due_phrases(after, lang):
                after = after.replace(phrase, " ", 1)
            after = re.sub(r"\s+", " ", after)[:40]
            if re.match(r"(?:\s+[A-ZА-ЯЁ][\w-]+)?\s+" + named_verb.pattern, after, re.IGNORECASE):
                return p
        return None


def _asked_of(s: Sentence, owners: _OwnerIndex, lang: str) -> tuple[Participant, str] | None:
    """A task asked of a participant by name ("[PERSON15], could you please prepare an internal poll?")."""
    task = requested_task(s.text, lang)
    if task is None:
        return None
    head = s.text[: max(0, s.text.find(task.split()[0]))] if task else s.text
    for m in re.finditer(r"[A-ZА-ЯЁ][\w-]+", head):
        person = owners.find(m.group(0))
        if person is not None and person.speaker_labels != [s.speaker]:
            return person, task
    # someone addressed by name who has not spoken ("So so [PERSON15], could you…"): kept as said, and
    # the owner check flags a name that is not among the participants
    vocative = re.search(r"(\[?[A-ZА-ЯЁ][\w-]+\]?)\s*,\s*(?:(?:could|can|would|will) you\b|please\b|"
                         r"[а-яё]+(?:те)\b)[^,]*$", head + task.split()[0], re.IGNORECASE)
    name = vocative.group(1) if vocative else ""
    if name and (name[0] == "[" or name[0].isupper()) and name.lower() not in _NOT_NAMES:
        return Participant(name=name), task
    return None


_NOT_NAMES = {"so", "okay", "ok", "well", "yes", "and", "then", "now", "also", "guys", "everyone",
              "everybody", "хорошо", "так", "итак", "тогда", "коллеги", "да", "ну"}


def _add_request(s: Sentence, person: Participant, task: str, state: _State, meeting_date: dt.date | None,
                 lang: str) -> None:
    phrase, due = _due([s], meeting_date, lang)
    step = NextStep(action=requested_of(task, lang, person.name), owner=person.name, due_phrase=phrase,
                    due_date=due, evidence=_evidence([s]))
    state.next_steps.append((step, s.position, s.speaker))


def _solution_voice(participants: list[Participant], lang: str) -> Callable[[Sentence, str], str]:
    """A proposal under an issue with the call's pronouns resolved ("…, нас устраивает" cut, "for you"
    → the other side) and a question put as its terms. The verbs stay as said: an option is quoted, not
    rewritten (the third-person rewrite of a free sentence went wrong too often: "я дают")."""
    def speak(s: Sentence, text: str) -> str:
        if lang != "ru":
            text = question_as_terms(text)
        return voice_for(text, lang, _speaker_participant(s.speaker, participants), participants)

    return speak


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
            if len(phrases) > 1 and _restates(s.text, phrase, phrases[1]):
                phrase = phrases[1]  # "due next Friday, Feb 21": the calendar date says which Friday
            return phrase, resolve_due(phrase, meeting_date, lang) if meeting_date else None
    return None, None


def _restates(text: str, first: str, second: str) -> bool:
    """A relative deadline followed at once by a calendar date that names it ("next Friday, Feb 21")."""
    between = text[text.find(first) + len(first): text.find(second)]
    return between.strip() in ("", ",", "(", "—", "–", "-") and bool(re.search(r"\d", second))


# "По документам: Ирина подготовит…", "As for the paperwork: …": the topic a speaker announces before
# the statement, not part of it
_TOPIC_LEAD = re.compile(r"^(?:по|насч[её]т|касательно|что касается)\s+[^:,.!?]{1,40}:\s*|"
                         r"^(?:as for|regarding|as to)\s+[^:,.!?]{1,40}:\s*", re.IGNORECASE)


def _clean(text: str) -> str:
    text = _TOPIC_LEAD.sub("", P.FILLER.sub("", text.strip())).rstrip("?")
    return (text[:1].upper() + text[1:]).rstrip() if text else text


def _substance(text: str) -> int:
    """Content words beyond the words of a deal itself: "That is a good deal" has none."""
    return len([w for w in re.findall(r"[\w']+", text.lower()) if len(w) > 2 and w not in P.DEAL_WORDS])


def _content_words(text: str) -> int:
    return len([w for w in re.findall(r"\w+", text) if len(w) > 2])


def _in_agreement(segment_id: str, state: _State) -> bool:
    return any(segment_id in ev.segment_ids for agreement, _ in state.agreements[-3:]
               for ev in agreement.evidence)


def _pending(s: Sentence, state: _State) -> _Proposal | None:
    for proposal in reversed(state.proposals):
        if s.position - proposal.sentence.position > PROPOSAL_REACH and not _consulted(proposal, s, state):
            continue
        if proposal.sentence.speaker != s.speaker:
            return proposal
        if proposal.sentence.speaker is None and proposal.sentence.position != s.position:
            # No labels (no diarisation): an answer in a later segment is taken as the other side's.
            # People seldom accept their own proposal a turn later; a mistake here is still quoted.
            return proposal
    return None


def _consulted(proposal: _Proposal, s: Sentence, state: _State) -> bool:
    """The other side talked it over before answering ("Owen, does five seventy-five fit the numbers you
    ran?" "It does, just about." "Then let's do that."): only they spoke since the offer, so their answer
    still answers it, a little further on."""
    start, end = proposal.sentence.position, s.position
    if end - start > PROPOSAL_REACH + CONSULT_REACH or proposal.sentence.speaker is None:
        return False
    between = [state.speakers.get(p) for p in range(start + 1, end)]
    return all(who is not None and who != proposal.sentence.speaker for who in between)


def _turn_says_no(turn: list[Sentence], reject: list[re.Pattern[str]], yes: list[re.Pattern[str]]) -> bool:
    """A turn that opens with "No" / "Нет" accepts nothing in it ("No.. It is not a good deal.")."""
    first = turn[0].text
    return bool(re.match(r"^\W*(?:no|nope|nah|нет|не-а)\b", first, re.IGNORECASE)) \
        and not any(P.any_match(yes, x.text) for x in turn)


def _decided(text: str, patterns: list[re.Pattern[str]], tables: dict[str, list[re.Pattern[str]]],
             name: str, lang: str) -> bool:
    """The decision word is said as one: not asked, not negated, not wished for before it.

    Russian acceptances carry their own negation ("не подходит" is no match), and a condition before
    one is still a yes ("Если больше двадцати паллет, то пять дней, это мы переживём")."""
    if text.rstrip().endswith("?"):
        return False
    if name == "ACCEPT" and lang == "ru":
        return True
    if P.any_match(tables["NEGATED_YES"], text):
        return True
    starts = [m.start() for p in patterns if (m := p.search(text))]
    if not starts:
        return False
    before = text[: min(starts)]
    return not P.any_match(tables["NOT_DECIDED"], before)


def _offerer(proposal: Sentence, by_segment: dict[str, list[Sentence]], offer: list[re.Pattern[str]],
             participants: list[Participant]) -> str | None:
    """Who delivers an accepted proposal: its speaker, when they offered it as their side's action.

    "Мы можем доставить товар двадцатого декабря" → the supplier who said it. The offer may open the
    turn before the proposal proper ("Мы можем начать пилот. Предлагаю старт 1 декабря").
    """
    if not proposal.speaker:
        return None
    turn = by_segment.get(proposal.segment_id, [proposal])
    said = turn[: turn.index(proposal) + 1] if proposal in turn else [proposal]
    if not any(P.any_match(offer, x.text) for x in said):
        return None
    person = _speaker_participant(proposal.speaker, participants)
    return person.name if person else proposal.speaker


def _acceptor(accepting: Sentence, proposal: Sentence, participants: list[Participant]) -> str | None:
    """Who the "you" of an accepted offer is: the other side's named speaker (their company if known)."""
    if not accepting.speaker or accepting.speaker == proposal.speaker:
        return None
    person = _speaker_participant(accepting.speaker, participants)
    if person is None or is_generic_label(person.name):
        return None
    return person.organisation or person.name


def _add_agreement(sentences: list[Sentence], main: Sentence, state: _State, meeting_date: dt.date | None,
                   lang: str, *, restate: bool = False, responsible: str | None = None,
                   history: list[Evidence] | None = None, side: str | None = None,
                   addressee: str | None = None) -> None:
    stated = _clean(P.AGREE_LEAD.sub("", main.text))
    said = _clean(P.FLOOR.sub("", P.PROPOSAL_LEAD.sub("", stated)))
    if lang != "ru":
        said = question_as_terms(said)
    if _content_words(said) < 2:
        return  # "You", "That": nothing a protocol could state
    if responsible and _OFFER_LEAD.match(stated):
        # "Мы можем доставить товар двадцатого декабря" → "Север может доставить товар…": who delivers
        text = third_person(stated, lang, responsible, side, joint=True, addressee=addressee)
    else:
        text = third_person(said, lang, None, joint=True, addressee=addressee)
    phrase, due = _due([main, *sentences], meeting_date, lang)
    if restate and state.agreements:
        previous, pos = state.agreements[-1]
        if main.position - pos <= RESTATE_REACH:
            decisive = bool(P.AGREE_LEAD.match(main.text))  # "Фиксируем: …", "договорились: …" states it
            if decisive and (P.TERMS.search(said) or not P.TERMS.search(previous.text)) or \
                    not decisive and _content_words(said) > _content_words(previous.text):
                previous.text = text
                state.slots.add(text)
            # else "Its a deal then" after "so 3 firewood, one food and 1 water for me?": keep the terms
            previous.evidence.extend(_evidence(sentences))
            if phrase and not previous.due_phrase:
                previous.due_phrase, previous.due_date = phrase, due
            return
    evidence = [*(history or []), *_evidence(sentences)]
    # The same decision taken again with other values ("запуск 1 февраля" → "запуск десятого февраля")
    # is one agreement in its final form; the earlier one's quotes stay in its evidence.
    k = state.slots.superseded(said, text, state.agreements)
    if k is not None:
        earlier, _ = state.agreements.pop(k)
        known = {evidence_key(e) for e in earlier.evidence}
        evidence = [*as_history(earlier.evidence), *[e for e in evidence if evidence_key(e) not in known]]
        responsible = responsible or earlier.responsible
    agreement = Agreement(text=text, responsible=responsible, due_phrase=phrase, due_date=due,
                          evidence=evidence)
    state.slots.add(text)
    state.agreements.append((agreement, sentences[-1].position))


_OFFER_LEAD = re.compile(r"^(?:мы\s+(?:можем|сможем|готовы|да[её]м)|we\s+(?:can|could)(?:\s+offer)?)\b",
                         re.IGNORECASE)


def _revise(s: Sentence, state: _State) -> list[Evidence]:
    """Drop the latest agreement or proposal this sentence revises; return its quotes (its history)."""
    history: list[Evidence] = []
    if state.agreements and s.position - state.agreements[-1][1] <= REVISE_REACH:
        dropped, _ = state.agreements.pop()
        history = as_history(dropped.evidence)
        log.debug("agreement %r revised by %r", dropped.text, s.text)
    state.proposals.clear()
    return history


def _handle_commitment(s: Sentence, confirm_only: bool, named: Participant | None,
                       participants: list[Participant], state: _State, meeting_date: dt.date | None,
                       lang: str, *, said_by_speaker: bool = True) -> None:
    if not said_by_speaker:
        # a task with a deadline said without "I will": its speaker owns it only when they say "we"/"I"
        said_by_speaker = bool(re.search(r"\b(?:i|we|я|мы)\b", s.text, re.IGNORECASE))
    owner = named or (_speaker_participant(s.speaker, participants) if said_by_speaker else None)
    if confirm_only:
        # "Да, беру на себя": confirms the step just assigned to this speaker.
        for step, pos, _ in reversed(state.next_steps):
            if s.position - pos <= 2 and owner is not None and step.owner == owner.name:
                step.evidence.extend(_evidence([s]))
                return
        return
    phrase, due = _due([s], meeting_date, lang)
    asked = _asked_step(s, owner, participants, state)
    if asked is not None:
        # "Sure, I'll get that to you" after "Sofia, could you send me the inventory?": the same task
        asked.evidence.extend(_evidence([s]))
        if asked.due_date is None and due is not None:
            asked.due_phrase, asked.due_date = phrase, due
        return
    who = owner.name if owner and not is_generic_label(owner.name) else None
    action = third_person(_clean(s.text), lang, who, owner.organisation if owner else None, joint=True,
                          task=True)
    step = NextStep(action=action, owner=owner.name if owner else (s.speaker if said_by_speaker else None),
                    due_phrase=phrase, due_date=due, evidence=_evidence([s]))
    state.next_steps.append((step, s.position, s.speaker))


# "Owen, does five seventy-five fit the numbers you ran?": a question about a fact asks, it offers nothing
_FACT_QUESTION = re.compile(r"^\W*(?:[A-ZА-ЯЁ][\w-]+,\s+)?(?:does|do|did|is|are|was|were|has|have|had)\b",
                            re.IGNORECASE)
_PLEA = re.compile(r"\?\s*$|\b(?:please|пожалуйста)\b", re.IGNORECASE)
_YES_OPENING = re.compile(r"^\W*(?:sure|yes|yeah|yep|of course|certainly|will do|no problem|absolutely|"
                          r"да|конечно|хорошо|без проблем|сделаем|ок|окей)\b", re.IGNORECASE)
_ANOTHER_TASK = re.compile(r"\b(?:also|as well|too|ещё|еще|также|тоже)\b", re.IGNORECASE)


def _answer_request(s: Sentence, state: _State, participants: list[Participant], meeting_date: dt.date | None,
                    lang: str) -> None:
    """The reply to a request made to nobody by name: "Sure." from the other side makes it their step."""
    if state.asked is None:
        return
    request, task = state.asked
    state.asked = None
    if not (s.speaker and request.speaker and s.speaker != request.speaker
            and s.position - request.position == 1 and _YES_OPENING.match(s.text)):
        return
    person = _speaker_participant(s.speaker, participants)
    if person is None:
        return
    _add_request(request, person, task, state, meeting_date, lang)
    state.next_steps[-1][0].evidence.extend(_evidence([s]))


def _asked_step(s: Sentence, owner: Participant | None, participants: list[Participant],
                state: _State) -> NextStep | None:
    """The step just asked of this speaker by someone else, which their commitment now confirms."""
    if owner is None or _ANOTHER_TASK.search(s.text):
        return None
    for step, pos, said_by in reversed(state.next_steps[-3:]):
        if s.position - pos > 1 or said_by == s.speaker:
            continue
        # "Sofia, could you…" answered by an unnamed speaker: the one addressed is the one who answers
        if step.owner == owner.name or is_generic_label(owner.name) and step.owner and step.owner not in {
                p.name for p in participants}:
            return step
    return None


# --------------------------------------------------------------------------------------------------
# Issues, purpose, header, closing
# --------------------------------------------------------------------------------------------------
def _handle_issue(s: Sentence, patterns: list[re.Pattern[str]], state: _State, lang: str) -> None:
    for pattern in patterns:
        m = pattern.search(s.text)
        if m:
            title = issue_title(_clean(m.group(0)), lang)
            state.issues.append((Issue(title=title, summary=s.text, evidence=_evidence([s])), s.position))
            return


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
