"""`summarizer transcribe`: a recording → transcript JSON (and txt/srt/vtt on request)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from
from summarizer.errors import InputError

_WRITE_FORMATS = ("json", "txt", "srt", "vtt")


def _parse_formats(spec: str | None) -> list[str]:
    formats = ["json"]
    for raw in (spec or "").split(","):
        fmt = raw.strip().lower().lstrip(".")
        if not fmt:
            continue
        if fmt not in _WRITE_FORMATS:
            raise InputError(None, f"unknown transcript format {raw.strip()!r}",
                             hint="use a comma-separated list of: " + ", ".join(_WRITE_FORMATS))
        if fmt not in formats:
            formats.append(fmt)
    return formats


def _targets(recording: Path, output: Path | None, formats: list[str], force: bool) -> dict[str, Path]:
    json_path = output or Path.cwd() / f"{recording.stem}.transcript.json"
    targets = {"json": json_path}
    for fmt in formats[1:]:
        targets[fmt] = json_path.with_suffix(f".{fmt}")
    # checked before transcribing so a long run never ends in "file exists"
    for path in targets.values():
        if path.resolve() == recording.resolve():
            raise InputError(path, "the output would replace the recording itself")
        if path.exists() and not force:
            raise InputError(path, "the file already exists and was not overwritten",
                             hint="pass --force to replace it, or choose another name with -o")
        if not path.parent.is_dir():
            raise InputError(path, "the folder for this file does not exist")
    return targets


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[float, float], None] | None]:
    """A rich progress bar in audio seconds on a terminal; nothing when output is piped or logged."""
    if not (sys.stderr.isatty() and sys.stdout.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"), BarColumn(),
        TextColumn("{task.fields[audio]} of audio"),
        TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None, audio="")

        def update(done: float, total: float) -> None:
            bar.update(task, completed=done, total=total, audio=f"{_clock(done)}/{_clock(total)}")

        yield update


@app.command()
def transcribe(
    recording: Annotated[Path, typer.Argument(
        help="Audio or video file (wav, mp3, m4a, ogg, webm, mp4...).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Transcript JSON to write (default: ./<recording>.transcript.json).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Also write these formats next to the JSON, e.g. txt,srt,vtt.")] = None,
    model: Annotated[str | None, typer.Option(
        help="Whisper model: base (bundled, default), tiny.en (bundled), a cached name or a directory.")
    ] = None,
    language: Annotated[str | None, typer.Option(
        help="Spoken language code (ru, en...); default: detected.")] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu or cuda.")] = None,
    batched: Annotated[bool | None, typer.Option(
        "--batched/--no-batched", help="Batched decoding with VAD (default, faster).")] = None,
    speakers: Annotated[list[str] | None, typer.Option(
        "--speakers",
        help="Roster: 'LABEL=Name, position, organisation, email' or a roster file; repeatable.")
    ] = None,
    num_speakers: Annotated[int | None, typer.Option(
        "--num-speakers", help="How many people speak (default: estimated when diarisation is installed).")
    ] = None,
    diarize: Annotated[bool, typer.Option(
        "--diarize/--no-diarize", help="Label who spoke when (needs the 'diarize' extra).")] = True,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Transcribe a recording offline with Whisper; repeated runs on the same file come from the cache."""
    from summarizer.ingest.read import write_transcript
    from summarizer.speech.transcribe import transcribe_file

    settings = settings_from(config, whisper_model=model, device=device, batched=batched, language=language)
    formats = _parse_formats(fmt)
    targets = _targets(recording, output, formats, force)
    roster = None
    if speakers:
        from summarizer.ingest.roster import load_roster

        roster = load_roster(speakers[0] if len(speakers) == 1 else speakers)

    with _progress_bar(f"Transcribing {recording.name}") as progress:
        transcript = transcribe_file(recording, settings, progress=progress)
    # how the words were obtained; the speaker stage returns its own (possibly cached) copy
    meta = dict(transcript.meta)
    if diarize:
        from summarizer.speech.diarize_cache import label_speakers

        labels = label_speakers(transcript, recording, settings, num_speakers=num_speakers)
        transcript = labels.transcript
        if labels.message:
            echo(f"Speakers: {labels.message}", err=True)
    if roster:
        from summarizer.ingest.roster import apply_roster

        transcript = apply_roster(transcript, roster)
    from summarizer.speech.speakers import name_speakers

    transcript = name_speakers(transcript)

    for kind, path in targets.items():
        write_transcript(transcript, path, kind, overwrite=force)
        echo(str(path))
    how = "from cache" if meta.get("cache") == "hit" else (
        f"in {meta.get('elapsed_s')} s ({meta.get('speed_x')}x real time)")
    echo(
        f"{len(transcript.segments)} segments, {_clock(transcript.duration or 0)} of "
        f"{transcript.language or '?'} audio, model {meta.get('model')}, {how}",
        err=True,
    )
