"""Protocol extraction with a language model: prompts, transcript rendering, chunks, steps, merge.

The transcript is sent as ``[s0012] Name: text`` lines (names from the code's own reading of who is
who, so the model need not work it out) and the work is done in the short steps of
``llm_steps``; long transcripts in chunks, merged in code (``chunking.merge_protocols``). The
evidence check in ``verify.finalize_protocol`` then proves (or flags) every citation and whether it
supports its item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import summarizer
from summarizer.config import Settings
from summarizer.errors import ConfigError, ExtractionError, InvalidReply, LLMError
from summarizer.extract.assemble import build_part, fill_guided, rules_moments, settle_texts
from summarizer.extract.chunking import Chunk, merge_protocols, split_lines
from summarizer.extract.contacts import TranscriptFacts, checked_value
from summarizer.extract.exchanges import NO, YES, accepted, asks, exchanges, judge
from summarizer.extract.llm_steps import StepRunner
from summarizer.extract.offline import extract_offline
from summarizer.extract.owners import is_generic_label, match_participant, participant_for_label
from summarizer.extract.participants import extract_participants
from summarizer.extract.results import closing_for
from summarizer.extract.sentences import Sentence, split_sentences
from summarizer.extract.topics import speaks_as_one_side
from summarizer.extract.voice import speak_as_protocol
from summarizer.extract.wire import People
from summarizer.llm.session import LLMSession
from summarizer.schema import ExtractionMeta, Flag, Participant, Protocol
from summarizer.transcript import Transcript, detect_language

log = logging.getLogger(__name__)

_VERSION_RE = re.compile(r"<!--\s*prompt-version:\s*(\S+)\s*-->\s*\n?")
_SECTION_RE = re.compile(r"^<!--\s*(step|note):\s*(\w+)\s*-->\s*$", re.M)
STEP_NAMES = ("labels", "moments", "items", "merged_items", "overview", "closing_in_overview", "closing",
              "people")
MERGED_FROM_TOKENS = 32000
_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
}
_LANGUAGE_NAMES = {
    "en": {"en": "English", "ru": "Russian"},
    "ru": {"en": "английском", "ru": "русском"},
}
_TEXT = {
    "en": {"unknown_date": "unknown", "no_weekday": "weekday unknown", "none": "none given",
           "step_failed": "step {step}",
           "chunk": "This is part {n} of {total} of a long meeting (segments {first}–{last}); earlier and "
                    "later parts are sent separately. Extract only what this part says."},
    "ru": {"unknown_date": "неизвестна", "no_weekday": "день недели неизвестен", "none": "не указаны",
           "step_failed": "шаг {step}",
           "chunk": "Это часть {n} из {total} длинной встречи (реплики {first}–{last}); остальные части "
                    "присылаются отдельно. Извлекай только то, что сказано в этой части."},
}


@dataclass
class Prompts:
    system: str
    user: str
    version: str
    language: str  # the prompts' own language: ru | en
    steps: dict[str, str] = field(default_factory=dict)  # step name -> task text
    notes: dict[str, str] = field(default_factory=dict)  # re-ask notes by problem


def default_prompts_dir() -> Path:
    """``prompts/`` beside the package in a checkout; ``share/summarizer/prompts`` in an installed wheel."""
    checkout = Path(summarizer.__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "summarizer" / "prompts"


def _read_prompt(path: Path) -> tuple[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the prompt ({exc})",
            hint="set prompts_dir to a folder with system.<lang>.md, extract.<lang>.md and steps.<lang>.md",
        ) from exc
    match = _VERSION_RE.search(text)
    if match:
        return text[: match.start()] + text[match.end():], match.group(1)
    # a user's own prompt without a marker still gets a version that changes when the text does
    return text, f"{path.stem}@{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def _sections(text: str, path: Path) -> tuple[dict[str, str], dict[str, str]]:
    steps: dict[str, str] = {}
    notes: dict[str, str] = {}
    marks = list(_SECTION_RE.finditer(text))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end(): following.start() if following else len(text)].strip()
        (steps if mark.group(1) == "step" else notes)[mark.group(2)] = body
    missing = [name for name in STEP_NAMES if name not in steps]
    if missing:
        raise ConfigError(f"{path}: no section for step(s) {', '.join(missing)}",
                          hint="each step's task starts with a line <!-- step: name -->")
    return steps, notes


def _prompt_path(settings: Settings, name: str) -> Path:
    """A prompt file from ``prompts_dir`` when it has one, else the bundled one."""
    own = (settings.prompts_dir or default_prompts_dir()) / name
    return own if own.exists() else default_prompts_dir() / name


def load_prompts(settings: Settings, language: str) -> Prompts:
    """The prompts in ``prompts_dir`` (or the bundled ones). A folder of one's own may hold only some
    of the files; the rest come from the bundled prompts."""
    lang = "ru" if language.startswith("ru") else "en"

    system, system_version = _read_prompt(_prompt_path(settings, f"system.{lang}.md"))
    user, user_version = _read_prompt(_prompt_path(settings, f"extract.{lang}.md"))
    if "{{transcript}}" not in user:
        where = _prompt_path(settings, f"extract.{lang}.md")
        raise ConfigError(f"{where}: the prompt has no {{{{transcript}}}} placeholder")
    steps_path = _prompt_path(settings, f"steps.{lang}.md")
    steps_text, steps_version = _read_prompt(steps_path)
    steps, notes = _sections(steps_text, steps_path)
    return Prompts(system=system.strip(), user=user.strip(),
                   version=f"{system_version}+{user_version}+{steps_version}", language=lang,
                   steps=steps, notes=notes)


def load_exchange_prompt(settings: Settings, language: str) -> tuple[str, str, str]:
    """The yes/no question about one exchange (``exchanges``): system text, line template, version."""
    lang = "ru" if language.startswith("ru") else "en"
    path = _prompt_path(settings, f"exchange.{lang}.md")
    text, version = _read_prompt(path)
    system, marker, template = text.partition("<!-- exchange -->")
    if not marker or "{{offer}}" not in template or "{{reply}}" not in template:
        raise ConfigError(f"{path}: no '<!-- exchange -->' line followed by {{{{offer}}}} and {{{{reply}}}}")
    return system.strip(), template.strip(), version


def judged_offers(session: LLMSession, transcript: Transcript, language: str,
                  prompt: tuple[str, str, str]) -> dict[str, Sentence]:
    """Guided mode's one choice the model makes: which replies accept the offer before them (one
    yes/no question each, ``prompt`` from ``load_exchange_prompt``); the rules then write those
    agreements."""
    system, template, _ = prompt
    found = exchanges(split_sentences(transcript), language)

    def ask(offer: str, reply: str) -> float:
        user = _fill(template, {"offer": offer, "reply": reply})
        return session.yes_probability([{"role": "system", "content": system},
                                        {"role": "user", "content": user}], YES, NO)

    scores = judge(found, ask)
    chosen = accepted(found, scores, language)
    log.info("exchanges: %d asked, %d judged accepted", len(found), len(chosen))
    return chosen


def code_participants(transcript: Transcript, language: str) -> list[Participant]:
    """Who is who, read by the code (roster, self-introductions, contacts said): the model is told,
    not asked."""
    return extract_participants(transcript, split_sentences(transcript), "ru" if language == "ru" else "en")


def render_transcript_lines(
    transcript: Transcript, participants: list[Participant] | None = None
) -> list[tuple[str, str]]:
    lines = []
    for seg in transcript.segments:
        speaker = _speaker(seg.speaker, transcript, participants or [])
        who = f" {speaker}:" if speaker else ""
        text = " ".join(seg.text.split())
        lines.append((seg.id, f"[{seg.id}]{who} {text}"))
    return lines


def _speaker(label: str | None, transcript: Transcript, participants: list[Participant]) -> str | None:
    if not label:
        return None
    person = participant_for_label(label, transcript, participants)
    if person is not None and not is_generic_label(person.name):
        return person.name
    return transcript.speaker_name(label)


def _participants_text(participants: list[Participant], lang: str) -> str:
    people = []
    for person in participants:
        details = ", ".join(x for x in (person.position, person.organisation) if x)
        people.append(person.name + (f" ({details})" if details else ""))
    return "; ".join(people) if people else _TEXT[lang]["none"]


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template


def _context(prompts: Prompts, meeting_date: dt.date | None, output_language: str) -> dict[str, str]:
    lang = prompts.language
    text = _TEXT[lang]
    return {
        "meeting_date": meeting_date.isoformat() if meeting_date else text["unknown_date"],
        "weekday": _WEEKDAYS[lang][meeting_date.weekday()] if meeting_date else text["no_weekday"],
        "output_language": _LANGUAGE_NAMES[lang].get(output_language[:2], output_language),
    }


def build_messages(
    prompts: Prompts,
    transcript: Transcript,
    chunk: Chunk,
    *,
    meeting_date: dt.date | None,
    output_language: str,
    participants: list[Participant] | None = None,
) -> list[dict[str, str]]:
    """The shared prefix of every step's request: rules, meeting context and the transcript."""
    lang = prompts.language
    chunk_note = ""
    if chunk.total > 1:
        chunk_note = _TEXT[lang]["chunk"].format(n=chunk.index + 1, total=chunk.total,
                                                 first=chunk.first_id, last=chunk.last_id) + "\n"
    values = {
        **_context(prompts, meeting_date, output_language),
        "participants": _participants_text(participants or [], lang),
        "chunk_note": chunk_note,
        "transcript": chunk.text,
    }
    return [
        {"role": "system", "content": _fill(prompts.system, values)},
        {"role": "user", "content": _fill(prompts.user, values)},
    ]


STEP_MODES = ("auto", "guided", "split", "merged")


def steps_mode(settings: Settings) -> str:
    """guided (the rules choose the moments, the model writes them: small models), split (the model
    labels every segment), merged (two requests per chunk: large models). auto: merged from
    ``MERGED_FROM_TOKENS`` of context, guided below."""
    mode = (settings.llm_steps or "auto").strip().lower()
    if mode not in STEP_MODES:
        raise ConfigError(f"llm_steps must be one of {', '.join(STEP_MODES)}, not {settings.llm_steps!r}")
    if mode == "auto":
        return "merged" if settings.context_tokens >= MERGED_FROM_TOKENS else "guided"
    return mode


def extract_llm(
    transcript: Transcript,
    settings: Settings,
    *,
    meeting_date: dt.date | None = None,
    language: str | None = None,
    session: LLMSession | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Protocol:
    """Extract with the configured model in steps; long transcripts in chunks, merged in code.

    ``progress(done, total)`` counts chunks answered. Returns the merged protocol (not yet finalized)
    with ``meta`` filled."""
    if not transcript.segments:
        raise ExtractionError(f"{transcript.source or 'the transcript'}: no segments to extract from")
    language = language or detect_language(transcript)
    output_language = settings.output_language or language
    prompts = load_prompts(settings, output_language)
    mode = steps_mode(settings)
    merged = mode == "merged"
    session = session or LLMSession(settings)
    participants = code_participants(transcript, language)
    lines = render_transcript_lines(transcript, participants)
    speaker_of = {sid: line.split("] ", 1)[1].split(":", 1)[0] if ":" in line else "" for sid, line in lines}
    chunks = split_lines(lines, settings.context_tokens)
    log.info("LLM extraction: %s at %s, %d segment(s) in %d chunk(s), %s steps, prompts %s",
             session.model, session.endpoint, len(transcript.segments), len(chunks),
             mode, prompts.version)
    names = [p.name for p in participants if not is_generic_label(p.name)]
    context = _context(prompts, meeting_date, output_language)
    parts: list[Protocol] = []
    flags: list[Flag] = []
    # guided: the offline rules choose what is an agreement or a next step; the model writes it
    rules = None
    asked = mode == "guided" and asks(language)
    exchange_prompt = load_exchange_prompt(settings, language) if asked else None
    if mode == "guided":
        try:
            offers = judged_offers(session, transcript, language, exchange_prompt) if exchange_prompt else {}
        except LLMError as exc:
            exc.message = f"step exchanges: {exc.message}"
            exc.args = (exc.message,)
            exc.usage = session.usage.as_dict()
            raise
        rules = extract_offline(transcript, meeting_date=meeting_date, accepted=offers)
    if progress:
        progress(0, len(chunks))
    for chunk in chunks:
        texts = {sid: seg.text for sid in chunk.segment_ids if (seg := transcript.segment(sid)) is not None}
        runner = StepRunner(
            session=session,
            prefix=build_messages(prompts, transcript, chunk, meeting_date=meeting_date,
                                  output_language=output_language, participants=participants),
            tasks=prompts.steps, segment_ids=list(chunk.segment_ids), segment_text=texts,
            speaker_of=speaker_of, names=names, reasks=min(1, settings.llm_max_reasks),
            notes=prompts.notes,
        )
        try:
            if chunk.index == 0 and _has_gaps(participants):
                flags += _ask_people(runner, prompts, participants, transcript, output_language)
            if merged:
                items = runner.moments_and_items(context)
                overview = runner.overview(items, context, with_closing=True)
                closing = getattr(overview, "closing", None)
            elif rules is not None:
                moments = rules_moments(rules, list(chunk.segment_ids))
                items = settle_texts(fill_guided(moments, runner.items(moments, context)), texts,
                                     participants, meeting_date, output_language)
                overview = _guided_overview(runner, items, context, rules)
                closing = runner.closing(items, context) if chunk.index == chunk.total - 1 else None
            else:
                items = runner.items(runner.labelled_moments(), context)
                overview = runner.overview(items, context, with_closing=False)
                closing = runner.closing(items, context) if chunk.index == chunk.total - 1 else None
        except LLMError as exc:
            where = f"step {runner.current}"
            if chunk.total > 1:
                where = (f"chunk {chunk.index + 1} of {chunk.total} "
                         f"(segments {chunk.first_id}–{chunk.last_id}), {where}")
            exc.message = f"{where}: {exc.message}"
            exc.args = (exc.message,)
            exc.usage = session.usage.as_dict()
            raise
        parts.append(build_part(items, overview, closing, texts, output_language, participants,
                                meeting_date=meeting_date, guided=rules is not None))
        if progress:
            progress(len(parts), len(chunks))
    protocol = merge_protocols(parts)
    protocol.participants = participants
    if rules is not None and not protocol.issues:
        protocol.issues = rules.issues  # the overview step gave none (or never validated): the rules' stand
    speak_as_protocol(protocol, transcript)  # a model's "send you" too; the rules' sentences were already
    if not protocol.closing or speaks_as_one_side(protocol.closing, protocol.language or output_language):
        # "Thank you both, we have agreed…" is one side speaking; a protocol's closing is the parties'
        # in the third person: the code writes it from what the protocol holds
        protocol.closing = closing_for(protocol)
    protocol.flags.extend(flags)
    protocol.meta = ExtractionMeta(
        extractor="llm",
        model=session.model,
        endpoint=session.endpoint,
        prompt_version=prompts.version + (f"+{exchange_prompt[2]}" if exchange_prompt else ""),
        mode=session.mode,
        chunks=len(chunks),
        usage=session.usage.to_usage(settings),
    )
    return protocol


def _guided_overview(runner: StepRunner, items: list[Any], context: dict[str, str], rules: Protocol) -> Any:
    """The model's purpose, issues and results; where its reply never validated, the rules' own."""
    try:
        return runner.overview(items, context, with_closing=False)
    except InvalidReply as exc:
        log.warning("step overview: %s; the rules' purpose, issues and results stand", exc.message)
        runner.log_steps.append({"step": "overview", "attempt": exc.attempts, "problem": exc.message})
        return SimpleNamespace(purpose=rules.purpose, results=list(rules.results), issues=[])


def _has_gaps(participants: list[Participant]) -> bool:
    """Ask the model who is who only when the code's reading left someone unnamed or undescribed."""
    return not participants or any(
        is_generic_label(p.name) or not (p.position or p.organisation) for p in participants)


def _ask_people(
    runner: StepRunner, prompts: Prompts, participants: list[Participant], transcript: Transcript,
    language: str,
) -> list[Flag]:
    """Fill the code's gaps from the model, keeping only what the transcript says (contacts too)."""
    reply = runner.ask("people", prompts.steps["people"], People, 40 + 60 * len(participants or [1]) + 200,
                       lambda value: (value, None))
    facts = TranscriptFacts(transcript)
    flags: list[Flag] = []
    for person in reply.people:
        name = " ".join(person.name.split())
        if not name:
            continue
        found, _ = match_participant(name, participants)
        if found is None:
            if not facts.has_words(name):
                continue  # a name nobody said is not a participant
            unnamed = [p for p in participants if is_generic_label(p.name)]
            if len(unnamed) == 1:
                found = unnamed[0]  # one unnamed speaker and one new name: nothing to choose between
                found.name = name
            else:
                found = Participant(name=name)
                participants.append(found)
        for field_name in ("position", "organisation", "email", "phone"):
            if getattr(found, field_name):
                continue  # what the code read (or the roster said) stays
            value, flag = checked_value(field_name, getattr(person, field_name), name, facts, language)
            if flag is not None:
                flags.append(flag)
            setattr(found, field_name, value)
    return flags
