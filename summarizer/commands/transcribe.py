"""`summarizer transcribe`: a recording → transcript JSON (and txt/srt/vtt on request)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from
from summarizer.errors import InputError
from summarizer.progress import estimate_remaining

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


STAGE_NAMES = {
    "transcribe": "Transcribing", "diarize": "Separating speakers", "read": "Reading the transcript",
    "extract": "Extracting the protocol", "store": "Storing", "render": "Rendering",
}


class StageProgress:
    """Each long stage's percentage and estimated time left, on stderr.

    Called as ``report(stage, fraction)`` (the pipeline's progress callback; ``fraction`` None for a
    stage that cannot say). On a terminal one line is rewritten in place; in a log or a pipe a line is
    printed at every 10 % or every 15 s, so a long run in CI or under nohup still shows it is moving.
    """

    _EVERY_S = 15.0

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.stage: str | None = None
        self.started = 0.0
        self.last_line = 0.0
        self.last_step = -1
        self.dirty = False

    def __call__(self, stage: str, fraction: float | None) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self._end_line()
            self.stage, self.started, self.last_line, self.last_step = stage, now, 0.0, -1
            if fraction is None or fraction < 1.0:
                self._write(f"{STAGE_NAMES.get(stage, stage)}...", final=fraction is None)
        if fraction is None:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        step = int(fraction * 10)
        if not self.live and step == self.last_step and now - self.last_line < self._EVERY_S \
                and fraction < 1.0:
            return
        self.last_step, self.last_line = step, now
        self._write(self.describe(stage, fraction, now - self.started), final=fraction >= 1.0)

    @staticmethod
    def describe(stage: str, fraction: float, elapsed: float) -> str:
        line = f"{STAGE_NAMES.get(stage, stage)}: {fraction * 100:3.0f}%"
        remaining = estimate_remaining(fraction, elapsed)
        if fraction >= 1.0:
            return line + f" in {_clock(elapsed)}"
        if remaining is not None:
            line += f", about {_clock(remaining)} left"
        return line

    def _write(self, text: str, *, final: bool) -> None:
        if self.live:
            self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
            self.dirty = not final
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def _end_line(self) -> None:
        if self.live and self.dirty:
            self.stream.write("\n")
            self.dirty = False

    def close(self) -> None:
        self._end_line()


@contextmanager
def stage_progress() -> Iterator[StageProgress]:
    report = StageProgress()
    try:
        yield report
    finally:
        report.close()


@app.command()
def transcribe(
    recording: Annotated[Path, typer.Argument(
        help="Audio or video file (wav, mp3, m4a, ogg, webm, mp4... anything FFmpeg decodes).")],
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Transcript JSON to write (default: ./<recording>.transcript.json).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="Also write these formats next to the JSON, comma-separated: "
        + ", ".join(_WRITE_FORMATS[1:]) + " (e.g. txt,srt).")] = None,
    model: Annotated[str | None, typer.Option(
        help="Whisper model: base (bundled, default, multilingual), tiny.en (bundled, English only), "
        "a cached model name or a model directory.")] = None,
    language: Annotated[str | None, typer.Option(
        help="Spoken language as a Whisper code (ru, en, de...), or auto (default: detected).")] = None,
    device: Annotated[str | None, typer.Option(help="auto (default), cpu or cuda.")] = None,
    batched: Annotated[bool | None, typer.Option(
        "--batched/--no-batched", help="Batched decoding: faster, but can drop words at the end of a "
        "speech chunk. Default: plain decoding (--no-batched), which keeps every turn.")] = None,
    roster_spec: Annotated[str | None, typer.Option(
        "--roster", help="Roster file (TOML or one spec a line) or spec string naming the speakers.")] = None,
    speaker: Annotated[list[str] | None, typer.Option(
        "--speaker", help="LABEL=Name, position, organisation, e-mail, e.g. "
        "'SPEAKER_00=Anna Petrova, account manager, Northwind' (repeatable).")] = None,
    num_speakers: Annotated[int | None, typer.Option(
        "--num-speakers", min=1,
        help="How many people speak (default: estimated when diarisation is installed).")] = None,
    old_speakers: Annotated[list[str] | None, typer.Option(
        "--speakers", hidden=True, help="Deprecated: use --speaker (or --roster).")] = None,
    diarize: Annotated[bool, typer.Option(
        "--diarize/--no-diarize", help="Label who spoke when (default: on; needs the 'diarize' extra).")
    ] = True,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Transcribe a recording offline with Whisper; repeated runs on the same file come from the cache."""
    from summarizer.ingest.read import write_transcript
    from summarizer.speech.transcribe import transcribe_file

    settings = settings_from(config, whisper_model=model, device=device, batched=batched, language=language)
    formats = _parse_formats(fmt)
    targets = _targets(recording, output, formats, force)
    if old_speakers:
        # --speakers was a roster here but a count in `draft`: one name per meaning now
        echo("warning: --speakers is deprecated here; use --speaker LABEL=... (or --roster FILE); "
             "--num-speakers gives a count", err=True)
    roster = None
    specs = list(speaker or [])
    if old_speakers and len(old_speakers) == 1 and not roster_spec:
        roster_spec = old_speakers[0]  # it took a roster file or one spec, as --roster does
    elif old_speakers:
        specs.extend(old_speakers)
    if roster_spec or specs:
        from summarizer.pipeline import resolve_roster

        roster = resolve_roster(roster_spec, specs) or None

    with stage_progress() as report:
        transcript = transcribe_file(recording, settings, progress=lambda done, total: report(
            "transcribe", done / total if total else None))
    # how the words were obtained; the speaker stage returns its own (possibly cached) copy
    meta = dict(transcript.meta)
    if diarize:
        from summarizer.speech.diarize_cache import label_speakers

        with stage_progress() as report:
            labels = label_speakers(
                transcript, recording, settings, num_speakers=num_speakers,
                progress=lambda done, total: report("diarize", done / total if total else None))
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
