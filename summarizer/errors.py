"""One error base class; the CLI and the web app turn these into messages in one place each."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class SummarizerError(Exception):
    """Base of every error the tool reports to a person.

    ``message`` is written for the user (no traceback needed to understand it);
    ``hint`` optionally says what to do next.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(SummarizerError):
    """Settings are missing or contradict each other."""


class InputError(SummarizerError):
    """A file the user gave cannot be read as what it claims to be."""

    exit_code = 2

    def __init__(
        self,
        path: str | Path | None,
        problem: str,
        *,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.problem = problem
        self.line = line
        # Without a path the problem is about an option or a value, not a file: no "<stdin>:" prefix
        # (pasted text is named "<stdin>" by ``read_transcript`` itself).
        where = self.path
        if line is not None:
            where = f"{where}, line {line}" if where else f"line {line}"
        super().__init__(f"{where}: {problem}" if where else problem, hint=hint)


class TranscriptionError(SummarizerError):
    """Whisper could not produce a transcript (model missing, decoding failed, no speech)."""


class ModelNotFoundError(TranscriptionError):
    """The requested Whisper model is neither bundled, cached nor a local directory."""


class LLMError(SummarizerError):
    """The language model endpoint failed or never gave a valid answer.

    Carries diagnostics so a person (or a test) can see what happened.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int = 0,
        last_raw: str | None = None,
        usage: dict[str, int] | None = None,
        history: list[Any] | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts
        self.last_raw = last_raw
        self.usage = usage or {}
        self.history = history or []


class InvalidReply(LLMError):
    """The model answered every attempt, but never validly (cut off at the output limit, not the
    schema): a step that has a remedy of its own (a guided item keeps the rules' sentence) goes on
    without it, where a dead server or a refused key still ends the draft."""


class ExtractionError(SummarizerError):
    """The protocol could not be extracted from the transcript."""


class StoreError(SummarizerError):
    """The meeting database or its files are missing or inconsistent."""


class NotFoundError(StoreError):
    """A meeting or version that was asked for does not exist."""


class WorkflowError(SummarizerError):
    """An approval step is not allowed from the meeting's current state."""


class ValidationFailed(SummarizerError):
    """A protocol edited by a person does not validate; ``errors`` lists (line, message)."""

    def __init__(self, message: str, errors: list[tuple[int | None, str]], *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.errors = errors


class DeliveryError(SummarizerError):
    """An e-mail could not be sent."""


class RenderError(SummarizerError):
    """A template is broken or tried something a template may not do."""


class DiarizationUnavailable(SummarizerError):
    """The optional ``diarize`` extra (torch + resemblyzer weights) is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"Speaker diarisation needs {missing}, which is not installed.",
            hint="pip install 'summarizer[diarize]' && pip install --no-deps resemblyzer==0.1.4",
        )
