"""Extraction: transcript -> protocol (LLM or offline), finished by verify.finalize_protocol.

Both extractors end the same way, so every protocol gets the same evidence check, due-date
resolution, owner mapping and flags whichever produced it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.schema import ExtractionMeta, Protocol
    from summarizer.transcript import Transcript

log = logging.getLogger(__name__)


def extract_protocol(
    transcript: Transcript,
    settings: Settings,
    *,
    meeting_date: dt.date | None = None,
    language: str | None = None,
    progress: Callable[[float, float], None] | None = None,
) -> Protocol:
    """LLM when ``settings.llm_configured``, else the offline extractor; then ``finalize_protocol``.

    ``progress(done, total)``: the model's chunks answered (the offline rules take seconds and report
    only their end)."""
    # Imported here so that importing the package (e.g. for --help) pulls in neither openai nor rapidfuzz.
    from summarizer.extract.verify import finalize_protocol
    from summarizer.llm.backend import resolve

    # no endpoint configured: the local model server when the [local] extra is installed (started here,
    # reused by later drafts of this process), else the offline rules
    settings = resolve(settings)

    if settings.llm_configured:
        from summarizer.extract.llm_extractor import extract_llm

        log.info("extractor: LLM %s at %s", settings.llm_model, settings.base_url or "OpenAI")
        protocol = extract_llm(transcript, settings, meeting_date=meeting_date, language=language,
                               progress=progress)
    else:
        from summarizer.extract.offline import extract_offline

        log.info("extractor: offline draft (no LLM endpoint configured)")
        protocol = extract_offline(transcript, meeting_date=meeting_date)
        if language:
            protocol.language = language
        protocol.meta.extractor = "offline"
        if progress:
            progress(1, 1)
    protocol = finalize_protocol(protocol, transcript, meeting_date=meeting_date)
    protocol.meta.created_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return protocol



def describe_usage(meta: ExtractionMeta) -> str:
    """What a model-made draft cost: mode, chunks, requests, tokens (and money when prices are set)."""
    usage = meta.usage
    line = (f"mode {meta.mode}, {meta.chunks} chunk(s), {usage.requests} request(s), "
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens")
    if usage.cost is not None:
        line += f", cost {usage.cost:.4f}"
    return line


def describe_extraction(meta: ExtractionMeta, *, chosen_offline: bool = False) -> str:
    """One line for people: which extractor made the draft and, for a model, what it cost.

    ``chosen_offline``: the person set llm_backend = offline themselves, and telling them to install
    what they have chosen not to use is noise."""
    if meta.extractor != "llm":
        if chosen_offline:
            return "extractor: offline rules (llm_backend = offline)"
        return ("extractor: offline rules, no LLM endpoint configured (set OPENAI_BASE_URL or "
                "OPENAI_API_KEY and SUMMARIZER_LLM_MODEL to use a model, or pip install "
                "'summarizer[local]' for the local one)")
    return f"extractor: LLM {meta.model} at {meta.endpoint or 'OpenAI'}; {describe_usage(meta)}"
