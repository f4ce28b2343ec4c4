"""``summarizer extract``: a transcript file in, a protocol JSON out (LLM or offline draft)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from, show_llm_progress
from summarizer.errors import InputError


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD",
                                 param_hint="--date") from None


_OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Protocol JSON (default: <transcript>.protocol.json).")
]
_DateOpt = Annotated[str | None, typer.Option("--date", help="Meeting date YYYY-MM-DD.")]
_BaseUrlOpt = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1.")
]
_OfflineOpt = Annotated[bool, typer.Option("--offline", help="Offline extractor even if an LLM is set.")]


@app.command()
def extract(
    transcript: Annotated[Path, typer.Argument(help="Transcript (txt, srt, vtt, md, or transcript JSON).")],
    output: _OutputOpt = None,
    date: _DateOpt = None,
    language: Annotated[str | None, typer.Option("--language", help="Meeting language: ru or en.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="LLM model name.")] = None,
    base_url: _BaseUrlOpt = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="API key (local servers: none).")] = None,
    offline: _OfflineOpt = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Extract a draft protocol from a transcript; every item cites the transcript."""
    from summarizer.extract import describe_usage, extract_protocol
    from summarizer.ingest.read import read_transcript
    from summarizer.store.files import write_atomic

    meeting_date = _parse_date(date)
    out = output or transcript.with_name(transcript.stem + ".protocol.json")
    if out.resolve() == transcript.resolve():  # --force must not turn the transcript into JSON
        raise InputError(out, "the output would replace the transcript itself", hint="choose another -o")
    if out.exists() and not force:
        raise InputError(out, "already exists; not overwriting it", hint="pass --force, or choose another -o")
    settings = settings_from(config, llm_model=model, base_url=base_url, api_key=api_key, language=language)
    if offline:
        settings = dataclasses.replace(settings, llm_model=None, llm_backend="offline")
    if not transcript.exists():
        raise InputError(transcript, "no such file")
    source = read_transcript(transcript)

    from summarizer.llm.backend import resolve

    settings = resolve(settings)  # starts the local model server when that is what will draft
    show_llm_progress()
    if settings.llm_configured:
        echo(f"extractor: LLM {settings.llm_model} at {settings.base_url or 'OpenAI'}")
    elif offline:
        echo("offline draft: --offline given")
    else:
        echo("offline draft: no LLM endpoint configured")
    protocol = extract_protocol(source, settings, meeting_date=meeting_date,
                                language=language or settings.language)

    write_atomic(out, protocol.model_dump_json(indent=2))

    meta = protocol.meta
    if meta.extractor == "llm":
        echo(describe_usage(meta))
    flagged = sum(1 for item in protocol.items() if item.flags) + (1 if protocol.flags else 0)
    echo(f"{len(protocol.issues)} issue(s), {len(protocol.agreements)} agreement(s), "
         f"{len(protocol.next_steps)} next step(s); {flagged} flagged for review "
         f"({len(protocol.all_flags())} flag(s))")
    echo(f"wrote {out}")
