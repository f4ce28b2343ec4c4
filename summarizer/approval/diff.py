"""A redline between two protocol versions, item by item.

Items are matched by their id (``a1``, ``i2``...), participants by name, list sections (results,
open questions) by text. The result is a list of ``Change`` objects that the terminal and HTML
formatters present; the web app can use the same list.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Literal

from summarizer.render.labels import (
    REDLINE_WORDS,
    change_label,
    language_tag,
    normalize_language,
    value_label,
)
from summarizer.schema import Protocol

ChangeKind = Literal["added", "removed", "changed"]

_ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "issues": ("title", "summary", "solutions", "status"),
    "agreements": ("text", "responsible", "due_date", "due_phrase", "status"),
    "next_steps": ("action", "owner", "due_date", "due_phrase"),
}
_LABEL_FIELD = {"issues": "title", "agreements": "text", "next_steps": "action", "participants": "name"}
_HEADER_FIELDS = ("title", "date", "start_time", "end_time", "place", "platform", "organisations")
_PARTICIPANT_FIELDS = ("name", "position", "organisation", "side", "email", "phone")


@dataclass
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass
class Change:
    section: str  # header | participants | purpose | results | issues | agreements | ...
    kind: ChangeKind
    key: str | None = None  # item id, participant name, or None for whole-protocol fields
    label: str = ""  # what a person recognises the item by
    fields: list[FieldChange] = field(default_factory=list)
    language: str = "en"  # of the protocol: the labels a redline of it shows


def format_value(value: Any) -> str:
    """A field value as the redline shows it: "—" for empty, lists joined by "; ", dates/times ISO.

    Public so every presentation of a change (terminal, HTML file, web page) words values alike.
    """
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "; ".join(format_value(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


_show = format_value  # the old private name, kept for callers written against it


def _field_changes(old: Any, new: Any, names: tuple[str, ...]) -> list[FieldChange]:
    return [
        FieldChange(n, getattr(old, n), getattr(new, n))
        for n in names
        if getattr(old, n) != getattr(new, n)
    ]


def diff_protocols(old: Protocol, new: Protocol) -> list[Change]:
    """What changed from ``old`` to ``new``; empty when the content is the same."""
    changes: list[Change] = []
    header = _field_changes(old.header, new.header, _HEADER_FIELDS)
    if header:
        changes.append(Change("header", "changed", label="header", fields=header))
    for name in ("purpose", "closing"):
        if getattr(old, name) != getattr(new, name):
            changes.append(Change(name, "changed", label=name,
                                  fields=[FieldChange(name, getattr(old, name), getattr(new, name))]))
    for name in ("results", "open_questions"):
        before, after = getattr(old, name), getattr(new, name)
        changes += [Change(name, "removed", label=text) for text in before if text not in after]
        changes += [Change(name, "added", label=text) for text in after if text not in before]

    old_people = {p.name: p for p in old.participants}
    new_people = {p.name: p for p in new.participants}
    for name, person in old_people.items():
        if name not in new_people:
            changes.append(Change("participants", "removed", name, name, _all_fields(person, None)))
    for name, person in new_people.items():
        if name not in old_people:
            changes.append(Change("participants", "added", name, name, _all_fields(None, person)))
        else:
            fields = _field_changes(old_people[name], person, _PARTICIPANT_FIELDS)
            if fields:
                changes.append(Change("participants", "changed", name, name, fields))

    for section, names in _ITEM_FIELDS.items():
        before = {it.id: it for it in getattr(old, section)}
        after = {it.id: it for it in getattr(new, section)}
        label = _LABEL_FIELD[section]
        for item_id, item in before.items():
            if item_id not in after:
                changes.append(Change(section, "removed", item_id, getattr(item, label),
                                      _all_fields(item, None, names)))
        for item_id, item in after.items():
            if item_id not in before:
                changes.append(Change(section, "added", item_id, getattr(item, label),
                                      _all_fields(None, item, names)))
                continue
            fields = _field_changes(before[item_id], item, names)
            if fields:
                changes.append(Change(section, "changed", item_id, getattr(item, label), fields))
    for change in changes:
        change.language = normalize_language(new.language)
    return changes


def _all_fields(old: Any, new: Any, names: tuple[str, ...] = _PARTICIPANT_FIELDS) -> list[FieldChange]:
    obj = new if new is not None else old
    return [
        FieldChange(n, getattr(old, n) if old is not None else None,
                    getattr(new, n) if new is not None else None)
        for n in names
        if getattr(obj, n) not in (None, "", [])
    ]


_MARK = {"added": "+", "removed": "-", "changed": "~"}
_COLOURS = {"added": "\x1b[32m", "removed": "\x1b[31m", "changed": "\x1b[33m"}
_RESET = "\x1b[0m"


def format_terminal(changes: list[Change], *, colour: bool = False, title: str = "") -> str:
    """Plain-text redline; ``colour`` adds ANSI colours (red removed, green added)."""

    def paint(kind: str, text: str) -> str:
        return f"{_COLOURS[kind]}{text}{_RESET}" if colour else text

    lines = [title] if title else []
    if not changes:
        lines.append("No changes.")
    for ch in changes:
        head = f"{_MARK[ch.kind]} {ch.section}" + (f" [{ch.key}]" if ch.key and ch.key != ch.label else "")
        lines.append(paint(ch.kind, f"{head}: {ch.label}" if ch.label != ch.section else head))
        for f in ch.fields:
            if ch.kind == "changed":
                lines.append(f"    {f.name}: " + paint("removed", format_value(f.old)) + " → "
                             + paint("added", format_value(f.new)))
            else:
                value = format_value(f.new if ch.kind == "added" else f.old)
                lines.append(paint(ch.kind, f"    {f.name}: {value}"))
    return "\n".join(lines) + "\n"


_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1c1c1c;
       max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.35rem; margin-bottom: 1.5rem; }
h3 { font-size: 1.02rem; margin: 1.4rem 0 .3rem; }
h3 .kind { font-size: .78rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
           padding: .05rem .4rem; border-radius: .25rem; margin-right: .4rem; border: 1px solid; }
h3.added .kind { color: #0a6b2a; background: #e6f6ea; }
h3.removed .kind { color: #a4161a; background: #fdeaea; }
h3.changed .kind { color: #7a5a00; background: #fff5d6; }
code { font-size: .85em; color: #555; }
ul { margin: .2rem 0 0; padding-left: 1.3rem; }
li { margin: .15rem 0; }
ins { color: #0a6b2a; background: #e6f6ea; text-decoration: underline; text-decoration-thickness: 1px; }
del { color: #a4161a; background: #fdeaea; text-decoration: line-through; }
.field { font-weight: 600; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h3 { break-after: avoid; }
  li { break-inside: avoid; }
}
"""


def format_html(changes: list[Change], *, title: str = "", language: str | None = None) -> str:
    """A standalone HTML page in the protocol's language (``language``, by default the one the changes
    were made from): sections and fields by the names people know, removals in ``<del>`` (red, struck
    through), additions in ``<ins>`` (green, underlined), readable in print; every value is escaped."""
    e = html.escape
    lang = normalize_language(language or (changes[0].language if changes else None))
    words = REDLINE_WORDS[lang]
    title = title or words["changes"]

    def shown(name: str, value: Any) -> str:
        return value_label(lang, name, value) or format_value(value)

    rows = []
    for ch in changes:
        key = f" <code>{e(ch.key)}</code>" if ch.key and ch.key != ch.label else ""
        section = change_label(lang, ch.section)
        what = f": {e(ch.label)}" if ch.label and ch.label != ch.section else ""
        head = (f"<h3 class='{ch.kind}'><span class='kind'>{e(words[ch.kind])}</span>"
                f"{e(section)}{key}{what}</h3>")
        items = []
        for f in ch.fields:
            old = f"<del>{e(shown(f.name, f.old))}</del>" if ch.kind != "added" else ""
            new = f"<ins>{e(shown(f.name, f.new))}</ins>" if ch.kind != "removed" else ""
            items.append(f"<li><span class='field'>{e(change_label(lang, f.name))}</span>: "
                         f"{old}{' → ' if old and new else ''}{new}</li>")
        rows.append(head + (f"<ul>{''.join(items)}</ul>" if items else ""))
    body = "\n".join(rows) if rows else f"<p>{e(words['no_changes'])}</p>"
    return (
        f"<!DOCTYPE html>\n<html lang='{language_tag(lang)}'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{e(title)}</h1>\n{body}\n</body></html>\n"
    )
