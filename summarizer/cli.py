"""Command-line interface.

This is the one place that turns ``SummarizerError`` into a message for a terminal. Heavy modules
(faster_whisper, openai, docx, the web app) are imported inside commands so ``--help`` stays fast.
Set ``SUMMARIZER_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import os
import sys

import typer

# Each stage registers its commands on ``app`` from its own module in ``summarizer.commands``,
# which keeps this file to the one job of reporting errors.
from summarizer.commands import extract as _extract  # noqa: F401
from summarizer.commands import meeting as _meeting  # noqa: F401
from summarizer.commands import models as _models  # noqa: F401
from summarizer.commands import serve as _serve  # noqa: F401
from summarizer.commands import team as _team  # noqa: F401
from summarizer.commands import transcribe as _transcribe  # noqa: F401
from summarizer.commands.base import app, echo
from summarizer.errors import SummarizerError


def main() -> None:
    debug = os.environ.get("SUMMARIZER_DEBUG", "").lower() in {"1", "true", "yes"}
    try:
        rv = app(standalone_mode=False)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
    except SummarizerError as exc:
        if debug:
            raise
        echo(f"Error: {exc.message}", err=True)
        if exc.hint:
            echo(f"Hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        echo("Aborted.", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:  # usage errors from the CLI framework, and the unexpected
        # Typer may vendor its own click, so recognise its exceptions by shape, not by class.
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if debug:
            raise
        echo(f"Error: unexpected {type(exc).__name__}: {exc}", err=True)
        echo("Hint: run again with SUMMARIZER_DEBUG=1 for a traceback and report it.", err=True)
        sys.exit(1)
