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


