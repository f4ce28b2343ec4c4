"""From a recording or a transcript to a stored draft: the main job, shared by the CLI and the web app.

``run_draft`` reads (or transcribes) the input, applies the roster, extracts the protocol, creates the
meeting with version 1 and renders the draft files. Each stage is a parameter with the real function
as default, so callers and tests can replace one stage and keep the rest. Transcription is cached by
``summarizer.speech.transcribe`` (content hash + model + options) and speaker labels by
``summarizer.speech.diarize_cache``, so a failure in a later stage never forces the recording to be
transcribed or diarised again.

A recording without speaker labels is diarised when the ``diarize`` extra is installed, and speakers
who introduce themselves are named (the roster wins). Without ``meeting_date`` the date is assumed
from the recording's metadata or the file's modification time and flagged for the reviewer, because
due dates such as "by Friday" cannot be resolved without one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from summarizer.config import Settings
from summarizer.errors import InputError
from summarizer.schema import Flag, Protocol
from summarizer.store.database import ApprovalRecord, MeetingRecord, Store, VersionRecord
from summarizer.store.files import sha256_file, write_atomic
from summarizer.transcript import Person, Transcript

if TYPE_CHECKING:
    from summarizer.approval.mail import Delivery
    from summarizer.speech.diarize_cache import SpeakerLabels

log = logging.getLogger(__name__)

# stage name ("transcribe", "diarize", "read", "extract", "store", "render") and fraction done
# (None: unknown)
Progress = Callable[[str, float | None], None]
TranscribeFn = Callable[..., Transcript]
DiarizeFn = Callable[..., "SpeakerLabels"]
IngestFn = Callable[..., Transcript]
ExtractFn = Callable[..., Protocol]
# Sources up to this size are copied into the meeting folder; larger recordings are referenced.
COPY_SOURCE_LIMIT = 200 * 1024 * 1024
RENDER_FORMATS = ("md", "html", "docx")


@dataclass
class DraftResult:
    meeting: MeetingRecord
    version: VersionRecord
    files: dict[str, Path]  # format -> rendered draft file
    transcript: Transcript
    attention: list[Flag] = field(default_factory=list)  # what the reviewer must look at
    notes: list[str] = field(default_factory=list)  # what the run found out, for people (speakers, date)


def _stage_progress(progress: Progress, stage: str) -> Callable[[float, float], None]:
    """A stage's ``(done, total)`` callback reporting ``progress(stage, fraction)``."""
    return lambda done, total: progress(stage, min(1.0, done / total) if total else None)


def _default_transcribe(path: Path, settings: Settings, **kw: Any) -> Transcript:
    from summarizer.speech.transcribe import transcribe_file

    return transcribe_file(path, settings, **kw)


def _default_diarize(transcript: Transcript, path: Path, settings: Settings, **kw: Any) -> SpeakerLabels:
    from summarizer.speech.diarize_cache import label_speakers

    return label_speakers(transcript, path, settings, **kw)


def _default_ingest(path: Path | None, *, text: str | None = None) -> Transcript:
    from summarizer.ingest.read import read_transcript

    return read_transcript(path, text=text)


def _default_extract(transcript: Transcript, settings: Settings, **kw: Any) -> Protocol:
    from summarizer.extract import extract_protocol

    return extract_protocol(transcript, settings, **kw)


def _is_media(path: Path) -> bool:
    from summarizer.speech.transcribe import is_media_file

    return is_media_file(path)


def load_transcript(
    source: Path | None,
    settings: Settings,
    *,
    text: str | None = None,
    language: str | None = None,
    model: str | None = None,
    progress: Progress | None = None,
    transcribe: TranscribeFn = _default_transcribe,
    ingest: IngestFn = _default_ingest,
) -> Transcript:
    """A recording is transcribed (cached), a transcript file or pasted ``text`` is read."""
    if source is None and text is None:
        raise InputError(None, "nothing to summarise: give a recording, a transcript file or text")
    if source is not None and not source.exists():
        raise InputError(source, "no such file")
    if source is not None and _is_media(source):
        report = (lambda done, total: progress("transcribe", done / total if total else None)) \
            if progress else None
        return transcribe(source, settings, language=language, model=model, progress=report)
    if progress:
        progress("read", None)
    return ingest(source, text=text)


def resolve_roster(
    roster: list[Person] | str | Path | None, speakers: list[str] | None = None
) -> list[Person]:
    """People from a roster file/spec plus ``LABEL=spec`` speaker options (``--speaker``)."""
    from summarizer.ingest.roster import load_roster

    people: list[Person] = []
    if isinstance(roster, list):
        people.extend(roster)
    elif roster:
        people.extend(load_roster(roster))
    if speakers:
        people.extend(load_roster(list(speakers)))
    return people


def run_draft(
    source: Path | None,
    settings: Settings,
    *,
    text: str | None = None,
    meeting_date: dt.date | None = None,
    title: str | None = None,
    client: str | None = None,
    language: str | None = None,
    level: str | None = None,
    roster: list[Person] | str | Path | None = None,
    model: str | None = None,
    num_speakers: int | None = None,
    place: str | None = None,
    platform: str | None = None,
    start_time: dt.time | None = None,
    progress: Progress | None = None,
    actor: str | None = None,
    store: Store | None = None,
    request_key: str | None = None,
    transcribe: TranscribeFn = _default_transcribe,
    ingest: IngestFn = _default_ingest,
    diarize: DiarizeFn = _default_diarize,
    extract: ExtractFn = _default_extract,
    meeting_id: str | None = None,
    render_now: bool = True,
) -> DraftResult:
    """Make a stored, rendered draft protocol from ``source`` (recording or transcript) or ``text``.

    ``num_speakers`` fixes the speaker count for diarisation (default: estimated). ``title``,
    ``client``, ``place``, ``platform`` and ``start_time`` override what the header step finds
    (``summarizer.extract.meeting_header``); without them, what the evidence supports is filled and flagged.
    The draft documents are rendered before the meeting is committed, so a meeting never exists
    without them; ``request_key`` (a web job id) makes a repeated run reuse what a killed one reserved.
    ``meeting_id`` (team jobs) is the id reserved for this meeting; ``render_now=False`` leaves rendering
    to a later step.
    """
    from summarizer.extract.meeting_date import assume_meeting_date
    from summarizer.extract.meeting_header import HeaderOptions, complete_header
    from summarizer.ingest.roster import apply_roster
    from summarizer.speech.speakers import name_speakers

    if num_speakers is not None and num_speakers < 1:
        raise InputError(None, f"the number of speakers must be at least 1, not {num_speakers}")
    notes: list[str] = []
    transcript = load_transcript(source, settings, text=text, language=language, model=model,
                                 progress=progress, transcribe=transcribe, ingest=ingest)
    media = source is not None and _is_media(source)
    voices, speaker_message = 0, ""
    if source is not None and media:
        if progress:
            progress("diarize", None)
        # fractions per stage: the CLI prints a percentage and an estimate, the web job shows them
        diarize_kw = {"progress": _stage_progress(progress, "diarize")} if progress else {}
        labels = diarize(transcript, source, settings, num_speakers=num_speakers, **diarize_kw)
        transcript = labels.transcript
        voices, speaker_message = len(transcript.speakers()), labels.message or ""
    people = resolve_roster(roster)
    if people:
        transcript = apply_roster(transcript, people)
    transcript = name_speakers(transcript)
    if speaker_message:
        message = speaker_message
        # a second self-introduction under one voice splits it into two people: say so, or the note
        # ("2 speakers") contradicts the participants listed right after it
        named = len(transcript.speakers())
        if named > voices:
            message += f"; {named} people by their self-introductions"
        log.info("%s: %s", source, message)
        notes.append(f"Speakers: {message}")

    assumed = None
    if meeting_date is None and source is not None:
        assumed = assume_meeting_date(source, media=media)
        if assumed is not None:
            meeting_date = assumed.date
            transcript.meta["meeting_date"] = {"date": assumed.date.isoformat(), "origin": assumed.origin}
    if progress:
        progress("extract", None)
    extract_kw = {"progress": _stage_progress(progress, "extract")} if progress else {}
    protocol = extract(transcript, settings, meeting_date=meeting_date, language=language, **extract_kw)
    if assumed is not None:
        flag = assumed.flag(protocol.language or transcript.language)
        protocol.flags.insert(0, flag)
    if meeting_date and not protocol.header.date:
        protocol.header.date = meeting_date
    header = complete_header(
        protocol, transcript,
        HeaderOptions(title=title, client=client, place=place, platform=platform, start=start_time),
        company=settings.company, recorded_start=assumed.start if assumed else None,
    )
    at = 1 if assumed is not None else 0
    protocol.flags[at:at] = header.flags
    client = header.client
    if header.record:
        transcript.meta["meeting_header"] = header.record

    if notes:
        # kept with the meeting so the review page can show them long after this run
        transcript.meta["notes"] = list(notes)
    if progress:
        progress("store", None)
    own_store = store is None
    store = store or Store(settings)
    rendered: dict[str, Path] = {}

    def render(meeting: MeetingRecord, version: VersionRecord) -> None:
        if progress:
            progress("render", None)
        rendered.update(render_files(store, meeting, version, status="draft", transcript=transcript))

    try:
        files: dict[str, bytes | Path] = {"transcript.json": transcript.to_json().encode("utf-8")}
        source_path = source_sha = None
        if source is not None:
            source_sha = sha256_file(source)
            if source.stat().st_size <= COPY_SOURCE_LIMIT:
                files[f"source/{source.name}"] = source
                source_path = f"source/{source.name}"
            else:
                source_path = str(source.resolve())
        elif text is not None:
            files["source/pasted.txt"] = text.encode("utf-8")
            source_path = "source/pasted.txt"
        meeting = store.create_meeting(
            title=protocol.header.title or title,
            client=client,
            meeting_date=meeting_date or protocol.header.date or dt.date.today(),
            language=protocol.language or transcript.language,
            level=level or settings.detail,
            source_path=source_path,
            source_sha256=source_sha,
            transcript_path="transcript.json",
            files=files,
            protocol=protocol,
            actor=actor,
            render=render if render_now else None,
            request_key=request_key,
            meeting_id=meeting_id,
        )
        version = store.get_version(meeting.id, 1)
    finally:
        if own_store:
            store.close()
    return DraftResult(meeting=meeting, version=version, files=rendered, transcript=transcript,
                       attention=attention_flags(version.protocol), notes=notes)


def attention_flags(protocol: Protocol) -> list[Flag]:
    """Every flag a reviewer should look at, protocol-wide first, then per item."""
    return protocol.all_flags()


def load_meeting_transcript(meeting: MeetingRecord) -> Transcript | None:
    if meeting.transcript_path and Path(meeting.transcript_path).exists():
        return Transcript.from_json(Path(meeting.transcript_path).read_text(encoding="utf-8"))
    return None


def rendered_dir(meeting: MeetingRecord, version: int, status: str) -> Path:
    return meeting.folder / "final" if status == "final" else meeting.folder / "drafts" / f"v{version:03d}"


def render_files(
    store: Store,
    meeting: MeetingRecord,
    version: VersionRecord,
    *,
    status: str = "draft",
    transcript: Transcript | None = None,
    formats: tuple[str, ...] = RENDER_FORMATS,
) -> dict[str, Path]:
    """Render ``version`` as md/html/docx into the meeting folder (``drafts/vNNN/`` or ``final/``)."""
    from summarizer.render.document import render_protocol, write_docx

    settings = store.settings
    transcript = transcript or load_meeting_transcript(meeting)
    level: Literal["brief", "detailed"] = "brief" if meeting.level == "brief" else "detailed"
    approval = approval_of(store, meeting.id, version.number) if status == "final" else None
    folder = rendered_dir(meeting, version.number, status)
    stem = f"{meeting.id}-final" if status == "final" else f"{meeting.id}-v{version.number}"
    out: dict[str, Path] = {}
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "docx":
            path.parent.mkdir(parents=True, exist_ok=True)
            write_docx(version.protocol, path, level=level, settings=settings, status=status,
                       version=version.number, transcript=transcript, approval=approval)
        else:
            text = render_protocol(version.protocol, fmt, level=level,  # type: ignore[arg-type]
                                   settings=settings, status=status, transcript=transcript,
                                   version=version.number, approval=approval)
            write_atomic(path, text)
        out[fmt] = path
    return out


def approval_of(store: Store, meeting_id: str, number: int) -> ApprovalRecord | None:
    """The latest recorded written confirmation of version ``number``, if it was approved."""
    found = [a for a in store.approvals(meeting_id) if a.version == number]
    return found[-1] if found else None


def ensure_rendered(
    store: Store, meeting: MeetingRecord, version: VersionRecord, status: str
) -> dict[str, Path]:
    """The rendered files of ``version``, rendering them if they are missing (e.g. after an edit)."""
    folder = rendered_dir(meeting, version.number, status)
    stem = f"{meeting.id}-final" if status == "final" else f"{meeting.id}-v{version.number}"
    paths = {fmt: folder / f"{stem}.{fmt}" for fmt in RENDER_FORMATS}
    if status != "final" and all(p.exists() for p in paths.values()):
        return paths
    return render_files(store, meeting, version, status=status)


def send_version(
    store: Store,
    meeting: MeetingRecord,
    version: VersionRecord,
    to: list[str],
    *,
    kind: str,
    review_url: str | None = None,
) -> Delivery:
    """Build the e-mail for ``version`` (DOCX attached, HTML alternative) and deliver it."""
    from summarizer.approval.mail import build_message, deliver

    status = "final" if kind == "final" else "draft"
    files = ensure_rendered(store, meeting, version, status)
    msg = build_message(
        version.protocol, kind="final" if kind == "final" else "review", to=to, settings=store.settings,
        version=version.number, attachment=files["docx"],
        html_body=files["html"].read_text(encoding="utf-8"), meeting_id=meeting.id, review_url=review_url,
    )
    return deliver(msg, store.settings, meeting.folder / "outbox", stem=f"{kind}-v{version.number:03d}")


EXPORT_FORMATS = ("docx", "html", "md", "json", "eml", "toml")


def export_version(
    store: Store,
    meeting_ref: str,
    fmt: str,
    *,
    output: Path | None = None,
    version: int | None = None,
    force: bool = False,
    level: str | None = None,
) -> Path:
    """Write one version as docx/html/md/json, as an unsent .eml, or in the editing format (toml, the
    client's changes file) to ``output``.

    The approved version exports without the draft mark. ``level`` (brief/detailed) overrides the
    meeting's agreed level of detail for this file only. Refuses to replace an existing file unless
    ``force``.
    """
    from summarizer.render.document import render_protocol, write_docx

    fmt = fmt.lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise InputError(None, f"unknown export format {fmt!r}", hint="use " + ", ".join(EXPORT_FORMATS))
    meeting = store.get_meeting(meeting_ref)
    record = store.get_version(meeting.id, version)
    approval = approval_of(store, meeting.id, record.number)
    status = "final" if approval else "draft"
    stem = f"{meeting.id}-final" if status == "final" else f"{meeting.id}-v{record.number}"
    output = output or Path.cwd() / f"{stem}.{fmt}"
    if output.exists() and not force:
        raise InputError(output, "the file already exists and was not overwritten",
                         hint="pass --force to replace it, or choose another name with -o")
    if not output.parent.is_dir():
        raise InputError(output, "the folder for this file does not exist")
    if level not in (None, "brief", "detailed"):
        raise InputError(None, f"unknown level of detail {level!r}", hint="use brief or detailed")
    wanted = level or meeting.level
    level_: Literal["brief", "detailed"] = "brief" if wanted == "brief" else "detailed"
    if fmt == "docx":
        write_docx(record.protocol, output, level=level_, settings=store.settings, status=status,
                   version=record.number, transcript=load_meeting_transcript(meeting), approval=approval)
    elif fmt == "eml":
        from summarizer.approval.mail import build_message, participant_recipients

        files = ensure_rendered(store, meeting, record, status)
        to = participant_recipients(record.protocol)[0]
        msg = build_message(record.protocol, kind="final" if status == "final" else "review", to=to,
                            settings=store.settings, version=record.number, attachment=files["docx"],
                            html_body=files["html"].read_text(encoding="utf-8"), meeting_id=meeting.id)
        write_atomic(output, msg.as_bytes())
    elif fmt == "toml":  # the editing format, as the client's changes file (``approval.changes``)
        from summarizer.approval.review import protocol_to_text

        title = f"{meeting.title or meeting.id} — {meeting.id} v{record.number}"
        write_atomic(output, protocol_to_text(record.protocol, title=title, changes=True))
    else:
        write_atomic(output, render_protocol(record.protocol, fmt, level=level_,  # type: ignore[arg-type]
                                             settings=store.settings, status=status,
                                             transcript=load_meeting_transcript(meeting),
                                             version=record.number, approval=approval))
    return output
