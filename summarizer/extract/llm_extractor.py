"""Protocol extraction with a language model: prompts, transcript rendering, chunks, merge.

The transcript is sent as ``[s0012 00:03:41] Name: text`` lines so the model can cite segment ids;
the evidence check in ``verify.finalize_protocol`` then proves (or flags) every citation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import summarizer
from summarizer.config import Settings
from summarizer.errors import ConfigError, ExtractionError, LLMError
from summarizer.extract.chunking import Chunk, merge_protocols, split_lines
from summarizer.llm.session import LLMSession
from summarizer.schema import ExtractionMeta, Protocol, WireProtocol, wire_to_protocol
from summarizer.transcript import Transcript, detect_language, format_timestamp

log = logging.getLogger(__name__)

_VERSION_RE = re.compile(r"<!--\s*prompt-version:\s*(\S+)\s*-->\s*\n?")
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
           "chunk": "This is part {n} of {total} of a long meeting (segments {first}–{last}); earlier and "
                    "later parts are sent separately. Extract only what this part says."},
    "ru": {"unknown_date": "неизвестна", "no_weekday": "день недели неизвестен", "none": "не указаны",
           "chunk": "Это часть {n} из {total} длинной встречи (реплики {first}–{last}); остальные части "
                    "присылаются отдельно. Извлекай только то, что сказано в этой части."},
}


@dataclass
class Prompts:
    system: str
    user: str
    version: str
    language: str  # the prompts' own language: ru | en


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
            hint="set prompts_dir to a folder with system.<lang>.md and extract.<lang>.md",
        ) from exc
    match = _VERSION_RE.search(text)
    if match:
        return text[: match.start()] + text[match.end():], match.group(1)
    # a user's own prompt without a marker still gets a version that changes when the text does
    return text, f"{path.stem}@{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def load_prompts(settings: Settings, language: str) -> Prompts:
    lang = "ru" if language.startswith("ru") else "en"
    folder = settings.prompts_dir or default_prompts_dir()
    system, system_version = _read_prompt(folder / f"system.{lang}.md")
    user, user_version = _read_prompt(folder / f"extract.{lang}.md")
    if "{{transcript}}" not in user:
        where = folder / f"extract.{lang}.md"
        raise ConfigError(f"{where}: the prompt has no {{{{transcript}}}} placeholder")
    return Prompts(system=system.strip(), user=user.strip(), version=f"{system_version}+{user_version}",
                   language=lang)


def render_transcript_lines(transcript: Transcript) -> list[tuple[str, str]]:
    lines = []
    for seg in transcript.segments:
        stamp = f" {format_timestamp(seg.start)}" if seg.start is not None else ""
        speaker = transcript.speaker_name(seg.speaker)
        who = f" {speaker}:" if speaker else ""
        text = " ".join(seg.text.split())
        lines.append((seg.id, f"[{seg.id}{stamp}]{who} {text}"))
    return lines


def _participants_text(transcript: Transcript, lang: str) -> str:
    if transcript.roster:
        people = []
        for person in transcript.roster:
            details = ", ".join(x for x in (person.position, person.organisation) if x)
            labels = "/".join(person.labels) or person.name
            people.append(f"{labels} → {person.name}" + (f" ({details})" if details else ""))
        return "; ".join(people)
    speakers = transcript.speakers()
    return ", ".join(speakers) if speakers else _TEXT[lang]["none"]


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template


def build_messages(
    prompts: Prompts,
    transcript: Transcript,
    chunk: Chunk,
    *,
    meeting_date: dt.date | None,
    output_language: str,
) -> list[dict[str, str]]:
    lang = prompts.language
    text = _TEXT[lang]
    names = _LANGUAGE_NAMES[lang]
    out_name = names.get(output_language[:2], output_language)
    chunk_note = ""
    if chunk.total > 1:
        chunk_note = text["chunk"].format(n=chunk.index + 1, total=chunk.total,
                                          first=chunk.first_id, last=chunk.last_id) + "\n"
    values = {
        "meeting_date": meeting_date.isoformat() if meeting_date else text["unknown_date"],
        "weekday": _WEEKDAYS[lang][meeting_date.weekday()] if meeting_date else text["no_weekday"],
        "participants": _participants_text(transcript, lang),
        "chunk_note": chunk_note,
        "output_language": out_name,
        "transcript": chunk.text,
    }
    return [
        {"role": "system", "content": _fill(prompts.system, values)},
        {"role": "user", "content": _fill(prompts.user, values)},
    ]


def extract_llm(
    transcript: Transcript,
    settings: Settings,
    *,
    meeting_date: dt.date | None = None,
    language: str | None = None,
    session: LLMSession | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Protocol:
    """Extract with the configured model; long transcripts in chunks, merged in code.

    ``progress(done, total)`` counts chunks answered. Returns the merged protocol (not yet finalized)
    with ``meta`` filled."""
    if not transcript.segments:
        raise ExtractionError(f"{transcript.source or 'the transcript'}: no segments to extract from")
    language = language or detect_language(transcript)
    output_language = settings.output_language or language
    prompts = load_prompts(settings, output_language)
    session = session or LLMSession(settings)
    chunks = split_lines(render_transcript_lines(transcript), settings.context_tokens)
    log.info("LLM extraction: %s at %s, %d segment(s) in %d chunk(s), prompts %s",
             session.model, session.endpoint, len(transcript.segments), len(chunks), prompts.version)
    parts: list[Protocol] = []
    if progress:
        progress(0, len(chunks))
    for chunk in chunks:
        messages = build_messages(prompts, transcript, chunk, meeting_date=meeting_date,
                                  output_language=output_language)
        try:
            reply = session.complete_json(messages, WireProtocol)
        except LLMError as exc:
            if chunk.total > 1:
                exc.message = (f"chunk {chunk.index + 1} of {chunk.total} "
                               f"(segments {chunk.first_id}–{chunk.last_id}): {exc.message}")
                exc.args = (exc.message,)
            exc.usage = session.usage.as_dict()
            raise
        parts.append(wire_to_protocol(reply.value, language=output_language))
        if progress:
            progress(len(parts), len(chunks))
    protocol = merge_protocols(parts)
    protocol.meta = ExtractionMeta(
        extractor="llm",
        model=session.model,
        endpoint=session.endpoint,
        prompt_version=prompts.version,
        mode=session.mode,
        chunks=len(chunks),
        usage=session.usage.to_usage(settings),
    )
    return protocol
