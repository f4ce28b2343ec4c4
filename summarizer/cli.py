"""Command-line interface.

This is the one place that turns ``SummarizerError`` into a message for a terminal. Heavy modules
(faster_whisper, openai, docx, the web app) are imported inside commands so ``--help`` stays fast.
Set ``SUMMARIZER_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer import __version__
from summarizer.config import Settings, load_settings
from summarizer.errors import SummarizerError

app = typer.Typer(
    name="summarizer",
    help="Turn a client meeting into a provable draft protocol and carry it through approval.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Config file (default: ~/.config/summarizer/config.toml).")
]


def echo(message: str = "", *, err: bool = False) -> None:
    typer.echo(message, err=err)


def settings_from(config: Path | None = None, **overrides: Any) -> Settings:
    return load_settings(config, overrides)


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def version() -> None:
    """Print the version."""
    echo(__version__)


# Each stage registers its commands on ``app`` from its own module in ``summarizer.commands``,
# which keeps this file to the one job of reporting errors.
from summarizer.commands import extract as _extract  # noqa: E402,F401
from summarizer.commands import meeting as _meeting  # noqa: E402,F401
from summarizer.commands import serve as _serve  # noqa: E402,F401
from summarizer.commands import transcribe as _transcribe  # noqa: E402,F401


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
