"""The client's changes: a file that says what changes, merged onto the latest version by item id.

A changes file is the editing format (TOML, ``summarizer export --format toml``) or JSON (an export,
``--format json``), holding only what changes:

* ``purpose``, ``closing``, ``results``, ``open_questions``, ``[header]`` keys: replaced where given;
* ``[[agreements]]`` (``[[issues]]``, ``[[next_steps]]``) with an ``id``: the fields given change, the
  others stay; without an ``id``: a new item; with ``remove = true``: that item is removed;
* ``[[participants]]``: matched by ``name`` (or else by ``email``), the same way;
* ``remove = ["a2", "n3"]`` at the top: remove these items.

Whatever the file does not mention stays as it is: a partial file never wipes the protocol. A file
that still removes most of it is refused (``review.check_removals``) unless the caller allows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from summarizer.approval.review import (
    _EDITABLE,
    _HEADER_FIELDS,
    _PARTICIPANT_FIELDS,
    _SECTIONS,
    _TOP_LISTS,
    _TOP_TEXT,
    _blank_to_none,
    _find_line,
    _json_line,
    _person_key,
    check_removals,
    import_protocol_file,
    merge_edit,
    read_protocol_file,
    strip_error_block,
)
from summarizer.errors import ValidationFailed
from summarizer.schema import Participant, Protocol

Loc = tuple[Any, ...]
# keys of a JSON export that are the tool's own record, not something a client changes
_RECORD_KEYS = ("evidence", "flags", "edited")


class _Patch:
    def __init__(self, base: Protocol, *, strict: bool) -> None:
        self.data: dict[str, Any] = base.model_dump()
        self.strict = strict  # TOML: unknown keys are errors; JSON exports carry the tool's own keys
        self.problems: list[tuple[Loc, str]] = []

    def take(self, table: Any, allowed: tuple[str, ...], loc: Loc) -> dict[str, Any]:
        if not isinstance(table, dict):
            self.problems.append((loc, "must be a table of key = value lines"))
            return {}
        out: dict[str, Any] = {}
        for key, value in table.items():
            if key in allowed:
                out[key] = _blank_to_none(value)
            elif self.strict or key not in (*_RECORD_KEYS, "meta"):
                self.problems.append(((*loc, key), f"unknown field {key!r}; known: {', '.join(allowed)}"))
        return out

    def validate(self, model: type[BaseModel], value: dict[str, Any], loc: Loc) -> bool:
        try:
            model.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors():
                msg = ("required for a new item" if err["type"] == "missing"
                       else "must not be empty" if err.get("input") is None else err["msg"])
                self.problems.append(((*loc, *err["loc"]), msg))
            return False
        return True

    def remove_flag(self, fields: dict[str, Any], loc: Loc) -> bool:
        remove = fields.pop("remove", None)
        if remove not in (None, True, False):
            self.problems.append(((*loc, "remove"), "write remove = true to remove the item"))
        return remove is True

    # -- the parts of a protocol ----------------------------------------------------------------------
    def top(self, changes: dict[str, Any]) -> None:
        for key in ("language", *_TOP_TEXT):
            if key in changes:
                self.data[key] = _blank_to_none(changes[key])
        for key in _TOP_LISTS:
            if key in changes:
                value = changes[key]
                if not isinstance(value, list):
                    self.problems.append(((key,), f"{key} is a list: {key} = [\"...\"]"))
                    continue
                self.data[key] = [v for v in value if not (isinstance(v, str) and not v.strip())]
        if "header" in changes:
            fields = self.take(changes["header"], _HEADER_FIELDS, ("header",))
            if "organisations" in fields:
                fields["organisations"] = fields["organisations"] or []
            self.data["header"].update(fields)

    def participants(self, blocks: Any) -> None:
        people: list[dict[str, Any]] = self.data["participants"]
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            loc: Loc = ("participants", i)
            fields = self.take(block, (*_PARTICIPANT_FIELDS, "remove"), loc)
            remove = self.remove_flag(fields, loc)
            name, mail = fields.get("name"), (fields.get("email") or "").strip().lower()
            if not name and not mail:
                self.problems.append(((*loc, "name"), "a participant needs a name (or an email) to be found"))
                continue
            match = next((p for p in people if name and _person_key(p["name"]) == _person_key(name)), None)
            if match is None and mail:
                match = next((p for p in people if (p.get("email") or "").strip().lower() == mail), None)
            if remove:
                if match is None:
                    self.problems.append(((*loc, "name"), f"no participant {name or mail!r} to remove"))
                else:
                    people.remove(match)
                continue
            if "side" in fields and not fields["side"]:
                fields["side"] = "unknown"
            if "speaker_labels" in fields:
                fields["speaker_labels"] = fields["speaker_labels"] or []
            target = match if match is not None else {"side": "unknown", "speaker_labels": []}
            if self.validate(Participant, {**target, **fields}, loc):
                target.update(fields)
                if match is None:
                    people.append(target)

    def section(self, section: str, blocks: Any) -> set[str]:
        model = _SECTIONS[section]
        items: list[dict[str, Any]] = self.data[section]
        by_id = {it["id"]: it for it in items if it.get("id")}
        removed: set[str] = set()
        seen: set[str] = set()
        allowed = ("id", "remove", *_EDITABLE[section], *(() if self.strict else ("evidence",)))
        anchor: dict[str, Any] | None = None  # the item of the block before: a new one goes after it
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            loc: Loc = (section, i)
            fields = self.take(block, allowed, loc)
            remove = self.remove_flag(fields, loc)
            item_id = fields.pop("id", None)
            if "solutions" in fields:
                fields["solutions"] = fields["solutions"] or []
            evidence = fields.pop("evidence", None) or []
            if item_id in seen:
                self.problems.append(((*loc, "id"), f"id {item_id!r} is used twice"))
                continue
            if item_id:
                seen.add(item_id)
            if item_id in by_id:
                anchor = by_id[item_id]
                if remove:
                    removed.add(item_id)
                elif self.validate(model, {**by_id[item_id], **fields}, loc):
                    by_id[item_id].update(fields)  # its evidence stays with it: the file cannot change it
            elif item_id and not evidence:
                what = "to remove" if remove else "in this protocol"
                self.problems.append(((*loc, "id"), f"id {item_id!r}: there is no such item {what}; "
                                      "remove the id line to add a new item"))
            elif remove:
                self.problems.append(((*loc, "remove"), "remove = true needs the id of the item to remove"))
            else:
                # a new item; or one brought back from an earlier export, with its own evidence
                new = {**fields, "id": item_id or "", "evidence": evidence}
                if self.validate(model, new, loc):
                    if anchor is not None:
                        items.insert(next(n for n, it in enumerate(items) if it is anchor) + 1, new)
                    else:  # an item brought back goes where it was, first; a new one goes last
                        items.insert(0 if evidence else len(items), new)
                    anchor = new
        return removed

    def remove_list(self, ids: Any, removed: set[str]) -> None:
        if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
            self.problems.append((("remove",), 'remove = ["a2", "n3"] lists the ids of items to remove'))
            return
        known = {it["id"] for section in _SECTIONS for it in self.data[section]}
        for item_id in ids:
            if item_id not in known:
                self.problems.append((("remove",), f"remove: there is no item {item_id!r}"))
            removed.add(item_id)


def apply_changes(base: Protocol, changes: dict[str, Any], *, text: str = "", toml: bool = True) -> Protocol:
    """Merge ``changes`` (parsed from a changes file whose text is ``text``) onto ``base``.

    Raises ``ValidationFailed`` with (line, message) pairs counted in ``text``.
    """
    patch = _Patch(base, strict=toml)
    allowed = ("language", *_TOP_TEXT, *_TOP_LISTS, "header", "participants", *_SECTIONS, "remove")
    patch.take(changes, allowed, ())
    patch.top(changes)
    patch.participants(changes.get("participants", []))
    removed: set[str] = set()
    for section in _SECTIONS:
        removed |= patch.section(section, changes.get(section, []))
    if "remove" in changes:
        patch.remove_list(changes["remove"], removed)
    for section in _SECTIONS:
        patch.data[section] = [it for it in patch.data[section] if it.get("id") not in removed]
    edited: Protocol | None = None
    if not patch.problems:
        try:
            edited = Protocol.model_validate(patch.data)
        except ValidationError as exc:  # a combination no single block showed
            patch.problems += [(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
    if patch.problems or edited is None:
        body, offset = strip_error_block(text)

        def line(loc: Loc) -> int | None:
            if not toml:
                return _json_line(text, loc)
            found = _find_line(body, loc)
            return found + offset if found is not None else None

        errors = [(line(loc), _where(loc, msg)) for loc, msg in patch.problems]
        raise ValidationFailed("the changes do not apply", sorted(errors, key=lambda e: e[0] or 0))
    return merge_edit(base, edited)


def _where(loc: Loc, msg: str) -> str:
    where = ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in loc)
    return f"{where}: {msg}" if where else msg


def import_changes(path: Path, base: Protocol, *, replace: bool = False) -> Protocol:
    """The client's changes file merged onto ``base`` (see the module docstring). ``replace``: the file
    is the whole protocol (``review.import_protocol_file``) and may remove what it leaves out."""
    if replace:
        return import_protocol_file(path, base, allow_removals=True)
    text, data = read_protocol_file(path)
    try:
        merged = apply_changes(base, data, text=text, toml=path.suffix.lower() == ".toml")
    except ValidationFailed as exc:
        exc.message = f"{path}: {exc.message}"
        raise
    check_removals(base, merged, path)
    return merged
