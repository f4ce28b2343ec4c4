"""Meeting commands: draft, review, restore, status, send, diff, approve, list, export.

Only argument handling and printing live here; the work is done by ``summarizer.pipeline``,
the modules of ``summarizer.approval`` (workflow, confirm, review, diff).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from summarizer.commands.base import ConfigOpt, app, echo, settings_from, show_llm_progress
from summarizer.errors import InputError, StoreError, ValidationFailed, WorkflowError
from summarizer.schema import Flag, Protocol
from summarizer.store.database import Store, VersionSource
from summarizer.store.files import write_atomic, write_new

if TYPE_CHECKING:
    from summarizer.approval.mail import Delivery

MeetingArg = Annotated[str, typer.Argument(help="Meeting id (or a unique beginning of it).")]
ByOpt = Annotated[str | None, typer.Option("--by", help="Who acts (default: your user name).")]


def _store(config: Path | None) -> Store:
    return Store(settings_from(config))


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(None, f"--date {value!r} is not a date", hint="use YYYY-MM-DD") from exc


def _parse_time(value: str | None) -> dt.time | None:
    from summarizer.extract.meeting_header import parse_time_option

    try:
        return parse_time_option(value)
    except ValueError as exc:
        raise InputError(None, f"--time {value!r} is not a time of day",
                         hint="use HH:MM, e.g. 14:30") from exc


def _print_attention(flags: list[Flag]) -> None:
    if not flags:
        echo("Nothing flagged for review.")
        return
    echo(f"Needs your attention ({len(flags)}):")
    for flag in flags:
        where = f"[{flag.item_id}] " if flag.item_id else ""
        echo(f"  - {where}{flag.message} ({flag.code})")


def _copy_out(files: dict[str, Path], out_dir: Path, force: bool) -> list[Path]:
    targets = [out_dir / p.name for p in files.values()]
    clash = [t for t in targets if t.exists()]
    if clash and not force:
        raise InputError(clash[0], "the file already exists and was not overwritten", hint="pass --force")
    out_dir.mkdir(parents=True, exist_ok=True)
    for src, dest in zip(files.values(), targets, strict=True):
        shutil.copyfile(src, dest)
    return targets


@app.command()
def draft(
    source: Annotated[Path | None, typer.Argument(help="Recording or transcript file; '-' reads stdin.")],
    date: Annotated[str | None, typer.Option("--date", help="Meeting date YYYY-MM-DD.")] = None,
    title: Annotated[str | None, typer.Option(
        "--title", help="Meeting title (default: from the transcript, else a generic one).")] = None,
    client: Annotated[str | None, typer.Option(
        "--client", help="Client organisation (default: the client side's organisation, if known).")] = None,
    time: Annotated[str | None, typer.Option("--time", help="Start time HH:MM (default: the recording's "
                                             "metadata, if it has one).")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where the meeting took place.")] = None,
    platform: Annotated[str | None, typer.Option(
        "--platform", help="Call platform, e.g. Zoom, Teams (default: from the transcript).")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", help="Meeting language: ru or en (default: detected).")] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="Level of detail: brief or detailed (default: the config's, else detailed).")] = None,
    roster: Annotated[str | None, typer.Option(
        "--roster", help="Roster file (TOML or one spec a line) or spec string naming the speakers.")] = None,
    speaker: Annotated[list[str] | None, typer.Option(
        "--speaker", help="LABEL=Name, position, organisation, e-mail (repeatable).")] = None,
    model: Annotated[str | None, typer.Option("--model", help=(
        "Whisper model for recordings: base (bundled, default), tiny.en (bundled, English only), "
        "a cached model name or a model directory."))] = None,
    num_speakers: Annotated[int | None, typer.Option(
        "--num-speakers", min=1, help="How many people speak (recordings; default: estimated).")] = None,
    old_speakers: Annotated[int | None, typer.Option(
        "--speakers", min=1, hidden=True, help="Deprecated: use --num-speakers.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Also copy the draft here.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files in -o DIR.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Make a draft protocol from a recording or a transcript, and store it as a new meeting."""
    from summarizer.extract import describe_extraction
    from summarizer.pipeline import resolve_roster, run_draft

    if level and level not in ("brief", "detailed"):
        raise InputError(None, f"--level {level!r}", hint="use brief or detailed")
    if output is not None and output.exists() and not output.is_dir():
        raise InputError(output, "-o must name a folder, and this is not a folder")
    settings = settings_from(config)
    text = None
    if source is not None and str(source) == "-":
        source, text = None, sys.stdin.read()
    people = resolve_roster(roster, speaker)
    if old_speakers is not None:
        echo("warning: --speakers is deprecated; use --num-speakers", err=True)
        num_speakers = num_speakers or old_speakers
    from summarizer.commands.transcribe import stage_progress
    show_llm_progress()

    with stage_progress() as progress:
        result = run_draft(source, settings, text=text, meeting_date=_parse_date(date), title=title,
                           client=client, language=language, level=level, roster=people or None,
                           model=model, num_speakers=num_speakers, place=place, platform=platform,
                           start_time=_parse_time(time), progress=progress)
    for note in result.notes:
        echo(note, err=True)
    meeting = result.meeting
    echo(f"Meeting {meeting.id} — draft v{result.version.number} ({meeting.status})")
    from summarizer.llm.backend import CHOSEN_OFFLINE, choose

    chosen_offline = choose(settings).reason == CHOSEN_OFFLINE
    echo(f"  {describe_extraction(result.version.protocol.meta, chosen_offline=chosen_offline)}")
    for fmt, path in result.files.items():
        echo(f"  {fmt:5} {path}")
    if output:
        for path in _copy_out(result.files, output, force):
            echo(f"  copy  {path}")
    _print_attention(result.attention)
    echo(f"Next: summarizer review {meeting.id}")


@app.command()
def review(
    meeting: MeetingArg,
    file: Annotated[Path | None, typer.Option("--file", help="Import an edited protocol (JSON/TOML).")] = (
        None
    ),
    from_client: Annotated[Path | None, typer.Option(
        "--from-client", help="The client's edited protocol (JSON/TOML); records source=client.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="The file is the whole protocol: what it leaves out is removed, even most "
        "of the protocol.")] = False,
    note: Annotated[str | None, typer.Option("--note")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Edit the latest version in $EDITOR (or import one); each saved edit becomes a new version.

    --from-client takes the client's changes: only what the file names changes (items by id, a block
    without id adds one, remove = true removes one); everything else stays. --file takes a whole
    edited protocol (e.g. a kept recovery file). Either refuses a file that would remove most of the
    protocol unless --replace."""
    from summarizer.approval.changes import import_changes
    from summarizer.approval.editor import review_in_editor
    from summarizer.approval.review import import_protocol_file
    from summarizer.approval.workflow import check_editable, record_edit
    from summarizer.pipeline import render_files

    with _store(config) as store:
        record = store.get_meeting(meeting)
        check_editable(record.id, record.status)
        base = store.get_version(record.id)
        if file and from_client:
            raise InputError(None, "give either --file or --from-client, not both")
        protocol: Protocol | None
        try:
            if from_client:
                protocol = import_changes(from_client, base.protocol, replace=replace)
            elif file:
                protocol = import_protocol_file(file, base.protocol, allow_removals=replace)
            else:
                def ask(err: ValidationFailed, path: Path) -> bool:
                    _print_errors(err)
                    return typer.confirm(f"Reopen the editor to fix it? (your text is in {path})",
                                         default=True, err=True)

                protocol = review_in_editor(base.protocol, record.folder / "review",
                                            title=f"Meeting {record.id} — version {base.number}",
                                            ask_retry=ask)
        except ValidationFailed as err:
            _print_errors(err)
            raise
        if protocol is None or protocol == base.protocol:
            echo("No changes; no new version.")
            return
        source: VersionSource = "client" if from_client else "edited"
        files: dict[str, Path] = {}
        try:
            version, event = record_edit(
                store, record.id, protocol, source=source, actor=by, note=note, based_on=base.number,
                render=lambda v: files.update(render_files(store, store.get_meeting(record.id), v)),
            )
        except (WorkflowError, StoreError) as err:
            # never lose what the person just typed: keep it where `review --file` can take it back,
            # in a file of its own (concurrent refusals in the same second must not share one)
            try:
                kept = write_new(record.folder / "review", f"unsaved-on-v{base.number}-"
                                 f"{dt.datetime.now():%Y%m%d-%H%M%S}", ".json",
                                 protocol.model_dump_json(indent=2))
            except (StoreError, OSError):
                raise err from None  # a full or read-only disk: the editor's own file is what is left
            err.hint = (f"your edit is kept in {kept}; import it with `summarizer review {record.id} "
                        f"--file {kept}`" + (f" ({err.hint})" if err.hint else ""))
            raise
        echo(f"Saved v{version.number} ({source}) of {record.id}.")
        if event:
            echo(f"Status: {event.from_state} → {event.to_state}")
        echo(f"Draft: {files['docx']}")
        _print_attention(version.protocol.open_flags())  # what the reviewer checked is not asked again


def _print_errors(err: ValidationFailed) -> None:
    for line, msg in err.errors:
        echo(f"  line {line}: {msg}" if line else f"  {msg}", err=True)


@app.command()
def restore(
    meeting: MeetingArg,
    version: Annotated[str, typer.Argument(help="The version to bring back, e.g. v1.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Make a new version whose content is an earlier one (nothing is deleted; it is in the history)."""
    from summarizer.approval.workflow import restore_version
    from summarizer.pipeline import render_files

    with _store(config) as store:
        record = store.get_meeting(meeting)
        new, event = restore_version(store, record.id, _version_number(version), actor=by, note=note)
        files = render_files(store, store.get_meeting(record.id), new)
        echo(f"Saved v{new.number} of {record.id}: the content of v{_version_number(version)} (restored).")
        if event.from_state != event.to_state:
            echo(f"Status: {event.from_state} → {event.to_state}")
        echo(f"Draft: {files['docx']}")
        _print_attention(new.protocol.all_flags())


@app.command()
def status(
    meeting: MeetingArg,
    set_state: Annotated[str | None, typer.Option("--set", help="Move to this state.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    by: ByOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Show a meeting's state, versions and history (or change the state with --set)."""
    from summarizer.approval.workflow import allowed_next, check_manual_transition, transition

    with _store(config) as store:
        record = store.get_meeting(meeting)
        if set_state:
            check_manual_transition(record.id, set_state)
            event = transition(store, record.id, set_state, actor=by, note=note)
            echo(f"{record.id}: {event.from_state} → {event.to_state}")
            return
        echo(f"{record.id}  {record.title or ''}")
        echo(f"  client: {record.client or '—'}   date: {record.meeting_date or '—'}   "
             f"language: {record.language or '—'}")
        echo(f"  status: {record.status}   next: {', '.join(allowed_next(record.status)) or '—'}")
        echo("Versions:")
        for v in store.list_versions(record.id):
            echo(f"  v{v.number}  {v.created_at}  {v.source:9}  {v.author or ''}  {v.note or ''}".rstrip())
        echo("History:")
        for e in store.events(record.id):
            step = f"{e.from_state} → {e.to_state}" if e.from_state else e.to_state
            ver = f" v{e.version}" if e.version else ""
            echo(f"  {e.at}  {step}{ver}  {e.actor or ''}  {e.note or ''}".rstrip())
        for a in store.approvals(record.id):
            echo(f"Approved v{a.version} by {a.approved_by} at {a.at}; evidence {a.evidence_path} "
                 f"sha256 {a.evidence_sha256[:12]}…; version sha256 {a.version_sha256[:12]}…")


@app.command()
def send(
    meeting: MeetingArg,
    to: Annotated[list[str] | None, typer.Option(
        "--to", help='Recipient, a@b.c or "Name <a@b.c>" (repeatable).')] = None,
    final: Annotated[bool, typer.Option(
        "--final", help="Send the approved version to every participant with an address, everyone it "
        "was sent to for review and the approver.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Send although the protocol has open warnings (no owner, no date, ...).")] = False,
    by: ByOpt = None,
    config: ConfigOpt = None,
    link: Annotated[bool, typer.Option("--link", help="Include a signed link to the client's review page "
                                       "(public_url) where they comment and confirm.")] = False,
) -> None:
    """E-mail the protocol for approval (or --final after approval); SMTP if configured, else .eml.

    Refuses while the protocol has open warnings, listing them, unless --force."""
    from summarizer.approval.confirm import send_final, send_for_approval

    with _store(config) as store:
        record = store.get_meeting(meeting)
        if final:
            delivery = send_final(store, record.id, extra=to, actor=by, force=force)
        else:
            delivery = send_for_approval(store, record.id, to or [], actor=by, force=force, review_link=link)
        _print_delivery(delivery)
        echo(f"Status: {store.get_meeting(record.id).status}")


def _print_delivery(delivery: Delivery) -> None:
    how = "Sent" if delivery.sent else "Written (no SMTP configured)"
    echo(f"{how}: {delivery.subject}")
    echo(f"  to {len(delivery.recipients)} recipient(s):")
    for recipient in delivery.recipients:
        echo(f"    {recipient}")
    echo(f"  {delivery.path}")
    for note in delivery.notes:
        echo(f"Warning: {note}", err=True)


@app.command()
def diff(
    meeting: MeetingArg,
    old: Annotated[str, typer.Argument(help="Older version, e.g. v1.")],
    new: Annotated[str | None, typer.Argument(help="Newer version (default: latest).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML redline here.")] = None,
    force: Annotated[bool, typer.Option("--force")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show what changed between two versions, item by item."""
    from summarizer.approval.diff import diff_protocols, format_html, format_terminal

    with _store(config) as store:
        record = store.get_meeting(meeting)
        a = store.get_version(record.id, _version_number(old))
        b = store.get_version(record.id, _version_number(new) if new else None)
        changes = diff_protocols(a.protocol, b.protocol)
        title = f"{record.id}: v{a.number} → v{b.number}"
        if html:
            if html.exists() and not force:
                raise InputError(html, "the file already exists and was not overwritten", hint="pass --force")
            write_atomic(html, format_html(changes, title=title))
            echo(f"Wrote {html}")
        else:
            typer.echo(format_terminal(changes, colour=sys.stdout.isatty(), title=title), nl=False)


def _version_number(value: str) -> int:
    try:
        return int(value.lower().lstrip("v"))
    except ValueError as exc:
        raise InputError(None, f"{value!r} is not a version", hint="use v2 or 2") from exc


@app.command()
def approve(
    meeting: MeetingArg,
    by: Annotated[str, typer.Option("--by", help='Who approved: "Name <mail>".')],
    evidence: Annotated[str, typer.Option("--evidence", help="Their reply (.eml/.txt file) or its text.")],
    no_send: Annotated[bool, typer.Option("--no-send", help="Do not e-mail the final version.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Send the final version although it has open warnings.")] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Who records it (default: you).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Record the client's written approval, render the final version and send it to participants."""
    from summarizer.approval.confirm import approve as approve_meeting

    with _store(config) as store:
        record = store.get_meeting(meeting)
        result = approve_meeting(store, record.id, by=by, evidence=evidence, actor=actor, send=not no_send,
                                 force=force)
        a = result.approval
        echo(f"Approved v{a.version} of {record.id} by {a.approved_by}.")
        echo(f"  evidence {a.evidence_path} (sha256 {a.evidence_sha256})")
        echo(f"  version sha256 {a.version_sha256}")
        for fmt, path in result.final_files.items():
            echo(f"  final {fmt:5} {path}")
        if result.delivery:
            echo("Final version:")
            _print_delivery(result.delivery)
        for n in result.notes:
            if not result.delivery or n not in result.delivery.notes:
                echo(f"Note: {n}")
        echo(f"Status: {store.get_meeting(record.id).status}")


@app.command("list")
def list_meetings(config: ConfigOpt = None) -> None:
    """List meetings with status, date, client and open warnings."""
    with _store(config) as store:
        meetings = store.list_meetings()
        if not meetings:
            echo("No meetings yet. Start with: summarizer draft RECORDING")
            return
        for m in meetings:
            versions = store.list_versions(m.id)
            flags = len(versions[-1].protocol.all_flags()) if versions else 0
            echo(f"{m.id:40} {m.status:18} {str(m.meeting_date or ''):10}  v{len(versions)}  "
                 f"{m.client or '—'}  warnings: {flags}")


@app.command()
def export(
    meeting: MeetingArg,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="docx, html, md, json, eml, or toml (the editing format: a client's "
        "changes file).")] = "docx",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write.")] = None,
    version: Annotated[str | None, typer.Option("--version", help="Version (default: latest).")] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="brief or detailed (default: the level agreed for this meeting).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Write a version of the protocol to a file (never overwrites without --force)."""
    from summarizer.pipeline import export_version

    with _store(config) as store:
        path = export_version(store, meeting, fmt, output=output,
                              version=_version_number(version) if version else None, force=force,
                              level=level)
        echo(f"Wrote {path}")


@app.command("rebuild-index")
def rebuild_index(
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild even if the database looks healthy.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Rebuild the meeting database from the meeting folders (the old file is kept aside).

    For a database that is damaged, emptied or lost: the folders hold every version and, in
    history.jsonl, every state change and approval."""
    from summarizer.store.rebuild import rebuild_index as rebuild

    settings = settings_from(config)
    report = rebuild(settings, force=force)
    for moved in report.moved_aside:
        echo(f"Moved aside: {moved}")
    echo(f"Rebuilt {report.database} from {len(report.meetings)} meeting folder(s):")
    for m in report.meetings:
        how = "" if m.from_history else "  (files only)"
        echo(f"  {m.id:40} {m.status:18} v{m.versions}  events: {m.events}  approvals: {m.approvals}{how}")
        for problem in m.problems:
            echo(f"    ! {problem}")
    for folder, why in report.skipped:
        echo(f"Skipped {folder}: {why}")
    with Store(settings) as store:  # opens, sets WAL and checks the new file like any later command
        store.check_writable()
    echo("Check with: summarizer list")
