"""Human review of a protocol: an editable text form, validation with line numbers, merging.

The editing format is TOML: plain ``key = "value"`` lines, ``[[agreements]]`` blocks, ``#`` comments,
dates written as ``2026-12-01``. A project manager can edit it in any editor, and it round-trips
losslessly: each item keeps its ``id`` line, its transcript evidence is shown as comments and stays
attached on save, and items the reviewer changed are marked ``edited``. An empty string means "not set".

A save that does not validate is never thrown away: ``review_in_editor`` keeps it in
``<meeting folder>/review/recovery-*.toml`` and reopens it with the errors at the top.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.errors import ConfigError, InputError, ValidationFailed
from summarizer.extract.results import results_basis, results_for
from summarizer.schema import Agreement, Flag, Issue, NextStep, Protocol
from summarizer.transcript import format_timestamp

log = logging.getLogger(__name__)

ERROR_MARK = "# !! "
_SECTIONS: dict[str, type[BaseModel]] = {"issues": Issue, "agreements": Agreement, "next_steps": NextStep}
_EDITABLE: dict[str, tuple[str, ...]] = {
    "issues": ("title", "summary", "solutions", "status"),
    "agreements": ("text", "responsible", "due_date", "due_phrase", "status"),
    "next_steps": ("action", "owner", "due_date", "due_phrase"),
}
_CHOICES = {
    ("issues", "status"): "open | resolved",
    ("agreements", "status"): "agreed | disputed | cancelled",
}
_HEADER_FIELDS = ("title", "date", "start_time", "end_time", "place", "platform", "organisations")
_PARTICIPANT_FIELDS = ("name", "position", "organisation", "side", "email", "phone", "speaker_labels")
_TOP_TEXT = ("purpose", "closing")
_TOP_LISTS = ("results", "open_questions")
# Flags that describe a missing value; they are re-checked after an edit, the others stay.
_FILLED_BY = {"no_owner": ("responsible", "owner"), "no_due_date": ("due_date",)}


# -- writing ---------------------------------------------------------------------------------------
def _value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = "".join(f"  {_value(v)},\n" for v in value)
        return f"[\n{inner}]"
    # JSON string escapes are a subset of TOML basic-string escapes
    return json.dumps(str(value), ensure_ascii=False)


def _line(key: str, value: Any, comment: str | None = None) -> str:
    tail = f"  # {comment}" if comment else ""
    return f"{key} = {_value(value)}{tail}"


_EDITOR_NOTES = (
    "# Edit the text, then save and close the editor. Lines starting with # are ignored.",
    '# Empty "" means not set. Dates look like 2026-12-01 (no quotes), times like 10:30:00.',
    "# Keep each `id` line: it ties the item to its transcript evidence (shown as # evidence).",
    "# Delete a whole [[...]] block to remove an item; add a block without `id` for a new item.",
)
_CHANGES_NOTES = (
    "# Changes to this protocol: edit the values, then send the file back (lines starting with # are",
    "# ignored). It is read as a list of changes: a line or a block you delete stays as it was.",
    '# Empty "" means not set. Dates look like 2026-12-01 (no quotes), times like 10:30:00.',
    "# Keep each `id` line: it says which item a block changes.",
    "# To remove an item, write `remove = true` in its block; to add one, add a block without `id`.",
)


def protocol_to_text(protocol: Protocol, *, title: str = "", changes: bool = False) -> str:
    """The protocol as an editable TOML document (see the module docstring). ``changes``: the notes
    on top describe the client's changes file (``summarizer.approval.changes``) instead of the editor."""
    out = [
        f"# {title}".rstrip(),
        *(_CHANGES_NOTES if changes else _EDITOR_NOTES),
        "",
        _line("language", protocol.language),
        _line("purpose", protocol.purpose),
        _line("results", protocol.results),
        _line("open_questions", protocol.open_questions),
        _line("closing", protocol.closing),
        "",
        "[header]",
    ]
    header = protocol.header
    out += [_line(f, getattr(header, f)) for f in _HEADER_FIELDS]
    for person in protocol.participants:
        out += ["", "[[participants]]"]
        out += [
            _line(f, getattr(person, f), "ours | client | unknown" if f == "side" else None)
            for f in _PARTICIPANT_FIELDS
        ]
    for section, fields in _EDITABLE.items():
        for item in getattr(protocol, section):
            out += ["", f"[[{section}]]", _line("id", item.id)]
            for ev in item.evidence:
                when = format_timestamp(ev.start)
                where = " ".join(x for x in (",".join(ev.segment_ids), f"[{when}]" if when else "") if x)
                out.append(f"# evidence ({ev.status}): {where} {json.dumps(ev.quote, ensure_ascii=False)}")
            for flag in item.flags:
                out.append(f"# check: {flag.message}")
            out += [_line(f, getattr(item, f), _CHOICES.get((section, f))) for f in fields]
    return "\n".join(out) + "\n"


# -- reading ---------------------------------------------------------------------------------------
def strip_error_block(text: str) -> tuple[str, int]:
    """Remove the error lines a previous attempt put on top; return the text and their count."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith(ERROR_MARK):
        n += 1
    return "".join(lines[n:]), n


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the key a pydantic error location points to, best effort."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    key: str | None = None
    parts = list(loc)
    if parts and parts[0] in (*_SECTIONS, "participants") and len(parts) > 1 and isinstance(parts[1], int):
        header = f"[[{parts[0]}]]"
        seen = -1
        for i, line in enumerate(lines):
            if line.strip() == header:
                seen += 1
                if seen == parts[1]:
                    start = i
                    break
        else:
            return None
        end = next((j for j in range(start + 1, len(lines)) if lines[j].lstrip().startswith("[")), end)
        key = str(parts[2]) if len(parts) > 2 else None
        if key is None:
            return start + 1
    elif parts and parts[0] == "header":
        start = next((i for i, ln in enumerate(lines) if ln.strip() == "[header]"), 0)
        key = str(parts[1]) if len(parts) > 1 else None
    elif parts:
        key = str(parts[0])
        end = next((j for j, ln in enumerate(lines) if ln.lstrip().startswith("[")), end)
    if key is None:
        return start + 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, end):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _take(table: dict[str, Any], allowed: tuple[str, ...], where: str, errors: list[Any]) -> dict[str, Any]:
    out = {}
    for key, value in table.items():
        if key not in allowed:
            errors.append(((*where.split("."), key), f"unknown field {key!r}; known: {', '.join(allowed)}"))
            continue
        out[key] = _blank_to_none(value)
    return out


def text_to_protocol(text: str, base: Protocol) -> Protocol:
    """Parse an edited document back into a protocol merged onto ``base``.

    Raises ``ValidationFailed`` with (line, message) pairs counted in ``text`` as given.
    """
    body, offset = strip_error_block(text)
    try:
        data = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) + offset if m else None
        raise ValidationFailed("the edited protocol is not valid", [(line, str(exc))]) from exc

    problems: list[tuple[tuple[Any, ...], str]] = []
    top_allowed = ("language", *_TOP_TEXT, *_TOP_LISTS, "header", "participants", *_SECTIONS)
    raw = _take(data, top_allowed, "", problems)
    problems = [((loc[-1],), msg) for loc, msg in problems]
    candidate: dict[str, Any] = base.model_dump()
    for key in ("language", *_TOP_TEXT):
        if key in data:
            candidate[key] = raw.get(key)
    for key in _TOP_LISTS:
        if key in data:
            candidate[key] = [v for v in (raw.get(key) or []) if not (isinstance(v, str) and not v.strip())]
    header = data.get("header", {})
    candidate["header"] = _take(header, _HEADER_FIELDS, "header", problems) if isinstance(header, dict) \
        else header
    if candidate["header"] and isinstance(candidate["header"], dict):
        candidate["header"]["organisations"] = candidate["header"].get("organisations") or []
    people = data.get("participants", [])
    candidate["participants"] = [
        {**_take(p, _PARTICIPANT_FIELDS, f"participants.{i}", problems)} for i, p in enumerate(people)
    ]
    for person in candidate["participants"]:
        person["side"] = person.get("side") or "unknown"
        person["speaker_labels"] = person.get("speaker_labels") or []
    for section in _SECTIONS:
        candidate[section] = []
        for i, item in enumerate(data.get(section, [])):
            fields = _take(item, ("id", *_EDITABLE[section]), f"{section}.{i}", problems)
            if "solutions" in fields:
                fields["solutions"] = fields["solutions"] or []
            candidate[section].append(fields)
    problems = [(tuple(int(p) if p.isdigit() else p for p in map(str, loc) if p != ""), msg)
                for loc, msg in problems]

    errors: list[tuple[int | None, str]] = [
        (_find_line(body, loc), msg) for loc, msg in problems
    ]
    edited: Protocol | None = None
    try:
        edited = Protocol.model_validate(candidate)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = "must not be empty" if err.get("input") is None else err["msg"]
            where = ".".join(str(p + 1) if isinstance(p, int) else p for p in loc)
            errors.append((_find_line(body, loc), f"{where}: {msg}"))
    errors.extend(_check_ids(candidate, base, body))
    if errors or edited is None:
        errors = [(line + offset if line is not None else None, msg) for line, msg in errors]
        raise ValidationFailed("the edited protocol is not valid", sorted(errors, key=lambda e: e[0] or 0))
    return merge_edit(base, edited)


def _check_ids(candidate: dict[str, Any], base: Protocol, body: str) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    for section in _SECTIONS:
        known = {it.id for it in getattr(base, section)}
        seen: set[str] = set()
        for i, item in enumerate(candidate[section]):
            item_id = item.get("id")
            if not item_id:
                continue
            if item_id in seen:
                errors.append((_find_line(body, (section, i, "id")), f"id {item_id!r} is used twice"))
            elif item_id not in known and not item.get("evidence"):
                errors.append((_find_line(body, (section, i, "id")),
                               f"id {item_id!r} is not an item of this protocol; remove the id line "
                               "to add a new item"))
            seen.add(item_id)
    return errors


def missing_value_flag(language: str, code: str, item_id: str) -> Flag:
    from summarizer.extract.verify import _MESSAGES

    table = _MESSAGES["ru" if language.startswith("ru") else "en"]
    return Flag(code=code, message=table[code], item_id=item_id)


def _speaker_named(flag: Flag, edited: Protocol) -> bool:
    """True when the reviewer gave the label an "unknown speaker" flag names to a participant."""
    from summarizer.extract.owners import is_generic_label

    named = {label for p in edited.participants for label in p.speaker_labels
             if p.name.strip() and not is_generic_label(p.name)}
    return any(re.search(rf"(?<![\w]){re.escape(label)}(?![\w])", flag.message) for label in named)


def merge_edit(base: Protocol, edited: Protocol) -> Protocol:
    """Carry evidence, flags and extraction data from ``base`` onto ``edited`` by item id.

    An item whose editable fields changed is marked ``edited``; a new item (no id) gets an id, is
    marked ``edited`` and flagged as having no transcript evidence. Evidence supplied with an item
    (a JSON import) is kept as given.
    """
    merged = edited.model_copy(deep=True)
    merged.meta = base.meta.model_copy(deep=True)
    # a header the reviewer corrected is no longer an assumption: its "assumed" flags go
    gone: set[str] = set()
    if edited.header.date != base.header.date:
        gone.add("meeting_date_assumed")
    if edited.header.model_dump(exclude={"date"}) != base.header.model_dump(exclude={"date"}):
        gone |= {"header_assumed", "header_missing"}
    merged.flags = [f.model_copy() for f in base.flags if f.code not in gone
                    and not (f.code == "unknown_speaker" and _speaker_named(f, edited))]
    for section, fields in _EDITABLE.items():
        originals = {it.id: it for it in getattr(base, section) if it.id}
        for item in getattr(merged, section):
            old = originals.get(item.id) if item.id else None
            if old is None:
                # an item brought back from an earlier export keeps its id (ids are never reused)
                if not (item.evidence and item.id):
                    item.id = ""
                item.edited = True
                if not item.evidence:
                    item.flags = [Flag(code="manual_item", message="added by a reviewer; no transcript "
                                       "evidence")]
                continue
            changed = any(getattr(item, f) != getattr(old, f) for f in fields)
            item.edited = old.edited or changed
            if not item.evidence:
                item.evidence = [e.model_copy() for e in old.evidence]
            # flags about a missing value go once the reviewer fills it, whatever the import says
            item.flags = [
                f.model_copy() for f in (item.flags or old.flags)
                if not any(getattr(item, name, None) for name in _FILLED_BY.get(f.code, ()))
            ]
            # ... and come back when an edit empties the value again (they stop a send: see confirm)
            for code, names in _FILLED_BY.items():
                fields_here = [n for n in names if hasattr(item, n)]
                if (fields_here and not any(getattr(item, n) for n in fields_here)
                        and any(getattr(old, n) for n in fields_here)
                        and not any(f.code == code for f in item.flags)):
                    item.flags.append(missing_value_flag(edited.language, code, item.id))
    merged.assign_ids(reserved=base)
    for item in merged.items():
        for flag in item.flags:
            flag.item_id = item.id
    # results are regenerated from what this version holds, unless a person wrote them
    merged.results_by_reviewer = base.results_by_reviewer or edited.results != base.results
    if not merged.results_by_reviewer and results_basis(merged) != results_basis(base):
        merged.results = results_for(merged)
    return merged


def read_protocol_file(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of an edited protocol file (JSON, or the TOML editing format) and its data; a wrapped
    export ``{"protocol": {...}}`` is unwrapped. Raises ``InputError`` / ``ValidationFailed``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "this is a folder, not a protocol file") from None
    except OSError as exc:
        raise InputError(path, f"the file cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path}: cannot read ({exc})", [(None, str(exc))]) from exc
    if path.suffix.lower() == ".toml":
        body, offset = strip_error_block(text)
        try:
            return text, tomllib.loads(body)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            line = int(m.group(1)) + offset if m else None
            raise ValidationFailed(f"{path}: not valid TOML", [(line, str(exc))]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}: not valid JSON", [(exc.lineno, exc.msg)]) from exc
    if isinstance(data, dict) and isinstance(data.get("protocol"), dict):
        data = data["protocol"]  # accept a wrapped export
    if not isinstance(data, dict):
        raise ValidationFailed(f"{path}: not a protocol", [(1, "expected a JSON object {...}")])
    return text, data


def import_protocol_file(path: Path, base: Protocol, *, allow_removals: bool = False) -> Protocol:
    """Read a whole edited protocol from a JSON export (or the TOML editing format) and merge it onto
    ``base``: what the file leaves out is removed. A file that would remove most of the protocol is
    refused unless ``allow_removals`` (see ``summarizer.approval.changes`` for partial files)."""
    text, data = read_protocol_file(path)
    if path.suffix.lower() == ".toml":
        merged = text_to_protocol(text, base)
    else:
        try:
            edited = Protocol.model_validate(data)
        except ValidationError as exc:
            errors: list[tuple[int | None, str]] = [
                (_json_line(text, err["loc"]), f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
                for err in exc.errors()
            ]
            raise ValidationFailed(f"{path}: the protocol does not validate", errors) from exc
        problems = _check_ids(edited.model_dump(), base, "")
        if problems:
            raise ValidationFailed(f"{path}: the protocol does not validate", problems)
        merged = merge_edit(base, edited)
    if not allow_removals:
        check_removals(base, merged, path)
    return merged


def check_removals(base: Protocol, result: Protocol, path: Path | str) -> None:
    """Refuse a file that would remove most of the protocol (an easy accident: a partial file taken
    for the whole protocol wiped the header, the participants and every other item): more than half
    of its items, or of its participants, or its whole header."""
    ids = {it.id for it in result.items()}
    items = [it.id for it in base.items() if it.id not in ids]
    names = {_person_key(p.name) for p in result.participants}
    people = [p.name for p in base.participants if _person_key(p.name) not in names]
    header = (["the header"] if any(v for v in base.header.model_dump().values())
              and not any(v for v in result.header.model_dump().values()) else [])

    def most(gone: list[str], of: int) -> bool:
        return of >= 3 and 2 * len(gone) > of

    if header or most(items, len(base.items())) or most(people, len(base.participants)):
        gone = [*header, *items, *people]
        raise ValidationFailed(
            f"{path}: this file would remove most of the protocol; nothing was saved",
            [(None, "it would remove: " + ", ".join(gone))],
            hint="send only the items that change (see `summarizer export MEETING --format toml`); "
                 "if the file really replaces the whole protocol, add --replace",
        )


def _person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _json_line(text: str, loc: tuple[Any, ...]) -> int | None:
    key = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if key is None:
        return None
    m = re.search(rf'"{re.escape(key)}"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else None


# -- the editor ------------------------------------------------------------------------------------
def editor_command() -> list[str]:
    """``$VISUAL``, then ``$EDITOR``, then nano, then vi."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    for name in ("nano", "vi"):
        found = shutil.which(name)
        if found:
            return [found]
    raise ConfigError("no text editor found", hint="set the EDITOR environment variable, e.g. EDITOR=nano")


def run_editor(path: Path) -> None:
    cmd = editor_command()
    try:
        result = subprocess.run([*cmd, str(path)], check=False)
    except OSError as exc:
        raise ConfigError(f"cannot start the editor {cmd[0]!r}: {exc}") from exc
    if result.returncode != 0:
        raise ConfigError(f"the editor {cmd[0]!r} exited with status {result.returncode}; nothing saved",
                          hint=f"your text is still in {path}")


def with_errors(text: str, errors: list[tuple[int | None, str]]) -> str:
    """Put the errors on top of ``text`` as marked comments (replacing an older block).

    ``errors`` count lines in ``text`` as given; the numbers shown refer to the new file.
    """
    body, old = strip_error_block(text)
    shift = len(errors) + 1 - old
    shown = [
        f"{ERROR_MARK}line {line + shift}: {msg}" if line else f"{ERROR_MARK}{msg}" for line, msg in errors
    ]
    head = [*shown, f"{ERROR_MARK}Fix the lines named above, save and close; the !! lines are removed."]
    return "\n".join(head) + "\n" + body


def review_in_editor(
    base: Protocol,
    workdir: Path,
    *,
    title: str = "",
    ask_retry: Callable[[ValidationFailed, Path], bool] = lambda err, path: False,
    edit: Callable[[Path], None] = run_editor,
) -> Protocol | None:
    """Let a person edit ``base`` in their editor; return the merged protocol, or None if unchanged.

    On a save that does not validate the text is kept in ``workdir/recovery-*.toml``; ``ask_retry``
    decides whether to reopen it (with the errors on top). If it declines, ``ValidationFailed`` is
    raised with a hint naming the recovery file, which ``--file`` can import once fixed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = workdir / f"recovery-{stamp}.toml"
    n = 1
    while path.exists():  # an earlier session's unsaved text must never be overwritten
        n += 1
        path = workdir / f"recovery-{stamp}-{n}.toml"
    original = protocol_to_text(base, title=title)
    path.write_text(original, encoding="utf-8")
    while True:
        edit(path)
        text = path.read_text(encoding="utf-8")
        if strip_error_block(text)[0] == original:
            path.unlink()
            return None
        try:
            protocol = text_to_protocol(text, base)
        except ValidationFailed as exc:
            path.write_text(with_errors(text, exc.errors), encoding="utf-8")
            # report lines as they are in the file now on disk, below the new error block
            shift = len(exc.errors) + 1 - strip_error_block(text)[1]
            exc.errors = [(ln + shift if ln else None, msg) for ln, msg in exc.errors]
            exc.hint = f"your text is kept in {path}; fix it and import it with `--file {path}`"
            if ask_retry(exc, path):
                continue
            raise
        path.unlink()
        return protocol
