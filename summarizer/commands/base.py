"""The Typer app and what every command module shares (options, output, settings).

Command modules register on ``app`` here; ``summarizer.cli`` imports them and turns errors into
messages, so no command module imports the CLI entry point (no import circle).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from summarizer import __version__
from summarizer.config import Settings, load_settings

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


def show_llm_progress() -> None:
    """Show a streamed model reply's progress on a terminal's stderr (tokens, speed, time left at most)."""
    import sys

    if not sys.stderr.isatty():
        return
    from summarizer.llm.session import set_progress_handler

    def show(info: Any) -> None:
        if info.eta_seconds == 0.0:
            line = f"  {info.model}: {info.tokens} tokens in {info.elapsed:.0f} s"
        else:
            rate = f", {info.tokens_per_second:.1f} tokens/s" if info.tokens_per_second else ""
            eta = f", at most {info.eta_seconds / 60:.1f} min left" if info.eta_seconds else ""
            line = f"  {info.model}: {info.tokens}/{info.max_tokens} tokens, {info.elapsed:.0f} s{rate}{eta}"
        end = "\n" if info.eta_seconds == 0.0 else "\r"
        sys.stderr.write(line.ljust(78) + end)
        sys.stderr.flush()

    set_progress_handler(show)


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


