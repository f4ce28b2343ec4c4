"""Render a protocol for people: Markdown, printable HTML, JSON, and the e-mail text around it.

Templates are Jinja2 files under ``summarizer/templates``; a company can override any of them by
putting a file of the same name in ``settings.templates_dir`` (tried first). A template is treated as
data, not code: it runs in an immutable sandbox and sees only plain values prepared by ``build_view``
(strings, lists, dicts), never the live ``Protocol`` object. DOCX lives in ``render_docx`` and uses the
same view, so labels, dates and wording are identical in every format.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from pathlib import Path
from typing import Any, Literal
from typing import Protocol as Interface

import jinja2
from jinja2.sandbox import SecurityError

from summarizer.config import Settings
from summarizer.errors import RenderError
from summarizer.render.bounds import BoundedEnvironment, render_bounded
from summarizer.render.labels import (
    LABELS,
    default_disclaimer,
    format_date,
    format_time_range,
    join_parties,
    normalize_language,
    quote_organisation,
    t,
    typeset,
)
from summarizer.schema import Evidence, Flag, Protocol
from summarizer.transcript import Transcript, format_timestamp

log = logging.getLogger(__name__)

Format = Literal["md", "html", "json"]
RenderLevel = Literal["brief", "detailed"]
EmailKind = Literal["review", "final"]

BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "templates"
# Anything else ("draft", "review", "sent", "rejected", ...) is still a draft for the reader.
FINAL_STATUSES = frozenset({"approved", "final"})

__all__ = [
    "BUILTIN_TEMPLATES",
    "LABELS",
    "RenderError",
    "build_view",
    "is_final_status",
    "protocol_labels",
    "render_email_body",
    "render_protocol",
    "t",
    "write_docx",
]


class ApprovalLike(Interface):
    """What rendering needs of a recorded approval (``summarizer.store.database.ApprovalRecord`` has it)."""

    approved_by: str
    at: str  # ISO timestamp


def protocol_labels(language: str | None) -> dict[str, str]:
    """All labels in ``language`` (ru/en; anything else falls back to English)."""
    return dict(LABELS[normalize_language(language)])


def is_final_status(status: str | None) -> bool:
    return (status or "draft").strip().lower() in FINAL_STATUSES


def output_language(protocol: Protocol, settings: Settings) -> str:
    return normalize_language(settings.output_language or protocol.language)


# --------------------------------------------------------------------------------------------------
# View: plain data the templates (and the DOCX writer) work from
# --------------------------------------------------------------------------------------------------
def _contacts(email: str | None, phone: str | None) -> str:
    return ", ".join(part for part in (email, phone) if part)


def _evidence_view(evidence: Evidence, lang: str, transcript: Transcript | None) -> dict[str, Any]:
    start = evidence.start
    speaker = evidence.speaker
    if transcript is not None and evidence.segment_ids:
        seg = transcript.segment(evidence.segment_ids[0])
        if seg is not None:
            if start is None:
                start = seg.start
            if speaker is None:
                speaker = transcript.speaker_name(seg.speaker)
    timestamp = format_timestamp(start) if start is not None else ""
    status_note = ""
    if evidence.status in ("unverified", "fuzzy"):
        status_note = t(lang, f"evidence_{evidence.status}")
    return {
        "timestamp": timestamp,
        "speaker": speaker or "",
        "quote": evidence.quote,
        "segments": ", ".join(evidence.segment_ids),
        "status": evidence.status,
        "status_note": status_note,
    }


def _due_view(due_date: dt.date | None, due_phrase: str | None, lang: str) -> dict[str, str]:
    date_text = format_date(due_date, lang) if due_date else ""
    phrase = (due_phrase or "").strip()
    if phrase and date_text.casefold().startswith(" ".join(phrase.split()).casefold()):
        phrase = ""  # "20 декабря 2026 г. («20 декабря»)" says the same thing twice
    if date_text and phrase:
        text = f"{date_text} ({t(lang, 'quote_open')}{phrase}{t(lang, 'quote_close')})"
    elif date_text:
        text = date_text
    elif phrase:
        text = f"{t(lang, 'quote_open')}{phrase}{t(lang, 'quote_close')}"
    else:
        text = t(lang, "not_set")
    return {"date": date_text, "phrase": phrase, "text": text}


def _flag_view(flag: Flag, places: dict[str, str]) -> dict[str, str]:
    item = flag.item_id or ""
    # "where" names the item as the reader sees it ("Договорённость №2"), not by its internal id
    return {"code": flag.code, "message": flag.message, "item": item, "where": places.get(item, item)}


def _item_places(protocol: Protocol, lang: str) -> dict[str, str]:
    number = t(lang, "number")
    places = {i.id: f"{t(lang, 'flag_issue')} 4.{k}" for k, i in enumerate(protocol.issues, 1) if i.id}
    places |= {a.id: f"{t(lang, 'flag_agreement')} {number}{k}"
               for k, a in enumerate(protocol.agreements, 1) if a.id}
    places |= {s.id: f"{t(lang, 'flag_next_step')} {number}{k}"
               for k, s in enumerate(protocol.next_steps, 1) if s.id}
    return places


def _participant_groups(protocol: Protocol, lang: str, company: str | None) -> list[dict[str, Any]]:
    """Group by side when any side is known; otherwise one unlabeled group keeps the table simple."""
    people = [
        {
            "name": p.name,
            "position": p.position or "",
            "organisation": p.organisation or "",
            "contacts": _contacts(p.email, p.phone),
            "side": p.side,
        }
        for p in protocol.participants
    ]
    if not any(p["side"] != "unknown" for p in people):
        return [{"label": "", "side": "unknown", "people": people}] if people else []
    groups = []
    for side in ("ours", "client", "unknown"):
        members = [p for p in people if p["side"] == side]
        if members:
            label = _party_name(side, members, lang, company)
            groups.append({"label": label, "side": side, "people": members})
    return groups


def _party_name(side: str, members: list[dict[str, Any]], lang: str, company: str | None) -> str:
    if side == "ours" and company:
        return company
    orgs = list(dict.fromkeys(m["organisation"] for m in members if m["organisation"]))
    if side != "unknown" and orgs:
        return ", ".join(orgs)
    return t(lang, f"side_{side}")


def _approval_parties(
    groups: list[dict[str, Any]], protocol: Protocol, lang: str, company: str | None
) -> list[dict[str, Any]]:
    """One signature row per party; the names present are offered as candidates, never guessed."""
    parties = [
        {"party": g["label"], "names": [p["name"] for p in g["people"]]}
        for g in groups
        if g["side"] in ("ours", "client")
    ]
    if parties:
        return parties
    # Sides unknown: the organisations named in the header, padded with generic parties to two rows.
    orgs = list(dict.fromkeys([*([company] if company else []), *protocol.header.organisations]))
    for generic in (t(lang, "side_ours"), t(lang, "side_client")):
        if len(orgs) >= 2:
            break
        if generic not in orgs and not (generic == t(lang, "side_ours") and company):
            orgs.append(generic)
    return [{"party": org, "names": []} for org in orgs]


def _parties_line(organisations: list[str], lang: str, company: str | None) -> str:
    """'между ООО «Ромашка» и «Вектор»' under the heading; nothing when fewer than two are known."""
    from summarizer.extract.header import same_organisation

    orgs: list[str] = []
    for name in [*([company] if company else []), *organisations]:
        # 'ООО «Северный Путь»' in settings and 'Северный путь' as said are one party
        if name.strip() and not any(same_organisation(name, seen) for seen in orgs):
            orgs.append(name.strip())
    if len(orgs) < 2:
        return ""
    return f"{t(lang, 'between')} {join_parties([quote_organisation(o, lang) for o in orgs], lang)}"


def build_view(
    protocol: Protocol,
    *,
    level: RenderLevel,
    settings: Settings,
    status: str = "draft",
    transcript: Transcript | None = None,
    version: int | None = None,
    language: str | None = None,
    approval: ApprovalLike | None = None,
) -> dict[str, Any]:
    """Everything a template needs, formatted once for every output format.

    ``approval`` is the client's recorded written confirmation; an approved protocol states it in its
    approval block instead of leaving blank signature lines for something that already happened.

    ``language`` (labels and dates) defaults to ``settings.output_language``, then the protocol's own.
    """
    if level not in ("brief", "detailed"):
        raise RenderError(f"unknown detail level {level!r}", hint="use 'brief' or 'detailed'")
    lang = normalize_language(language) if language else output_language(protocol, settings)
    h = protocol.header
    final = is_final_status(status)
    groups = _participant_groups(protocol, lang, settings.company)

    def evidence(items: list[Evidence]) -> list[dict[str, Any]]:
        return [_evidence_view(e, lang, transcript) for e in items if e.quote or e.segment_ids]

    places = _item_places(protocol, lang)
    flags = [_flag_view(f, places) for f in protocol.all_flags()]
    # a warning the reviewer's check answered stays on record, marked as checked (schema.CHECKABLE_FLAGS)
    cleared = {id(f): who for f, who in protocol.checked_flags()}
    for view, f in zip(flags, protocol.all_flags(), strict=True):
        if id(f) in cleared:
            view["message"] += f" — {t(lang, 'checked_by').format(name=cleared[id(f)])}"
    title = " ".join((h.title or "").split())
    return {
        "lang": lang,
        "L": LABELS[lang],
        "level": level,
        "detailed": level == "detailed",
        "status": status,
        "status_label": t(lang, "status_final") if final else t(lang, "status_draft"),
        "is_draft": not final,
        "draft_mark": "" if final else t(lang, "draft_mark"),
        "version": version,
        "company": settings.company or "",
        # One line: the title also heads e-mails, where a line break would end the subject.
        "title": title or t(lang, "default_title"),
        # The printed document is headed "ПРОТОКОЛ ПЕРЕГОВОРОВ"; a title of its own goes under it.
        "heading": t(lang, "heading"),
        "subtitle": title if title.casefold() != t(lang, "default_title").casefold() else "",
        "parties_line": _parties_line(h.organisations, lang, settings.company),
        "date": format_date(h.date, lang) if h.date else "",
        "time": format_time_range(h.start_time, h.end_time),
        "place": h.place or "",
        "platform": h.platform or "",
        "organisations": list(h.organisations),
        "participant_groups": groups,
        "participants": [p for g in groups for p in g["people"]],
        "purpose": protocol.purpose or "",
        "results": list(protocol.results),
        "issues": [
            {
                "id": i.id,
                "title": i.title,
                "summary": i.summary or "",
                "solutions": list(i.solutions),
                "status": i.status,
                "status_label": t(lang, f"issue_{i.status}"),
                "evidence": evidence(i.evidence),
            }
            for i in protocol.issues
        ],
        "agreements": [
            {
                "n": n,
                "id": a.id,
                "text": a.text,
                "responsible": a.responsible or "",
                "responsible_text": a.responsible or t(lang, "not_assigned"),
                "due": _due_view(a.due_date, a.due_phrase, lang),
                "status": a.status,
                "status_label": t(lang, f"agreement_{a.status}"),
                "evidence": evidence(a.evidence),
            }
            for n, a in enumerate(protocol.agreements, 1)
        ],
        "next_steps": [
            {
                "n": n,
                "id": s.id,
                "action": s.action,
                "owner": s.owner or "",
                "owner_text": s.owner or t(lang, "not_assigned"),
                "due": _due_view(s.due_date, s.due_phrase, lang),
                "evidence": evidence(s.evidence),
            }
            for n, s in enumerate(protocol.next_steps, 1)
        ],
        "open_questions": list(protocol.open_questions),
        "closing": protocol.closing or "",
        # Reviewer flags are working notes: they never go out on an approved protocol.
        "flags": flags if not final else [],
        "disclaimer": settings.disclaimer if settings.disclaimer is not None else default_disclaimer(lang),
        "approval_parties": _approval_parties(groups, protocol, lang, settings.company),
        "approval_record": _approval_view(approval, lang) if approval and final else None,
    }


def _approval_view(approval: ApprovalLike, lang: str) -> dict[str, str]:
    day = approval.at[:10]
    try:
        when = format_date(dt.date.fromisoformat(day), lang)
    except ValueError:
        when = day
    return {"by": approval.approved_by, "date": when,
            "text": t(lang, "approved_record").format(by=approval.approved_by, date=when)}


# --------------------------------------------------------------------------------------------------
# Template environment
# --------------------------------------------------------------------------------------------------
def _md_escape(value: object) -> str:
    """Keep transcript text literal in Markdown: no raw HTML, no accidental table cells."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")


def _md_cell(value: object) -> str:
    return " ".join(_md_escape(value).replace("|", "\\|").split())


@functools.lru_cache(maxsize=8)
def _environment(templates_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir:
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_TEMPLATES)))
    env = BoundedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "html.j2", "htm.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md_escape
    env.filters["md_cell"] = _md_cell
    env.filters["typeset"] = typeset
    return env


def _template_name(env: jinja2.Environment, candidates: list[str]) -> str:
    for name in candidates:
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            continue
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(
                f"template {exc.filename or name}, line {exc.lineno}: {exc.message}",
                hint="fix the template or remove it from the templates directory to use the built-in one",
            ) from exc
        return name
    raise RenderError(f"no template found (looked for {', '.join(candidates)})")


def render_template(candidates: list[str], context: dict[str, Any], settings: Settings) -> str:
    """Render the first template found; any template failure becomes a ``RenderError`` naming it."""
    templates_dir = str(settings.templates_dir) if settings.templates_dir else None
    if templates_dir and not Path(templates_dir).is_dir():
        raise RenderError(
            f"templates directory {templates_dir} does not exist",
            hint="create it or unset templates_dir in the config",
        )
    env = _environment(templates_dir)
    name = _template_name(env, candidates)
    template = env.get_template(name)
    where = template.filename or name
    try:
        return render_bounded(template, context, where)
    except RenderError as exc:
        if exc.message.startswith("template: "):  # raised by an operator, which cannot know the file
            raise RenderError(f"template {where}: {exc.message[10:]}", hint=exc.hint) from exc
        raise
    except OverflowError as exc:  # a number too large for what the template did with it
        raise RenderError(f"template {where}: a number is too large ({exc})",
                          hint="a protocol template never needs such numbers") from exc
    except SecurityError as exc:
        raise RenderError(
            f"template {where} tried something templates may not do ({exc})",
            hint="templates can only format the protocol; remove attribute tricks like __class__",
        ) from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template {where}: {exc.message}", hint="check the variable names") from exc
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {where}: {exc}") from exc
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise RenderError(f"template {where} failed: {type(exc).__name__}: {exc}") from exc


def _candidates(stem: str, ext: str, lang: str) -> list[str]:
    # A language-specific file wins, so a company can replace only the Russian wording, say.
    return [f"{stem}.{lang}.{ext}.j2", f"{stem}.{ext}.j2"]


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------
def render_protocol(
    protocol: Protocol,
    fmt: Format,
    *,
    level: RenderLevel = "detailed",
    settings: Settings,
    status: str = "draft",
    transcript: Transcript | None = None,
    version: int | None = None,
    approval: ApprovalLike | None = None,
) -> str:
    """The protocol as Markdown, standalone printable HTML, or JSON (the domain model itself)."""
    if fmt == "json":
        return protocol.model_dump_json(indent=2)
    if fmt not in ("md", "html"):
        raise RenderError(
            f"unknown output format {fmt!r}", hint="use md, html or json (write_docx writes docx)"
        )
    view = build_view(
        protocol, level=level, settings=settings, status=status, transcript=transcript, version=version,
        approval=approval,
    )
    text = render_template(_candidates("protocol", fmt, view["lang"]), view, settings)
    if fmt == "md":
        # Optional sections leave runs of blank lines; Markdown needs at most one between blocks.
        text = re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"
    return text


def write_docx(
    protocol: Protocol,
    path: Path,
    *,
    level: RenderLevel = "detailed",
    settings: Settings,
    status: str = "draft",
    version: int | None = None,
    transcript: Transcript | None = None,
    approval: ApprovalLike | None = None,
) -> None:
    """Write the protocol as a Word document (atomically: a half-written file never replaces a good one)."""
    from summarizer.render.docx_writer import write_protocol_docx

    view = build_view(
        protocol, level=level, settings=settings, status=status, transcript=transcript, version=version,
        approval=approval,
    )
    write_protocol_docx(view, Path(path))


def render_email_body(
    protocol: Protocol,
    *,
    language: str | None = None,
    kind: EmailKind,
    settings: Settings,
    version: int | None = None,
) -> tuple[str, str]:
    """Subject and plain-text body of the e-mail that carries the protocol to the client.

    The template's first line is the subject (an optional ``Subject:`` prefix is dropped); the rest,
    after the first blank line, is the body.
    """
    if kind not in ("review", "final"):
        raise RenderError(f"unknown e-mail kind {kind!r}", hint="use 'review' or 'final'")
    lang = normalize_language(language or settings.output_language or protocol.language)
    view = build_view(
        protocol,
        level="brief",
        settings=settings,
        status="final" if kind == "final" else "draft",
        version=version,
        language=lang,
    )
    view["kind"] = kind
    # without a title of its own the subject would read 'Meeting protocol "Meeting protocol"'
    view["has_title"] = bool((protocol.header.title or "").strip())
    text = render_template(_candidates(f"email_{kind}", "txt", lang), view, settings)
    head, _, body = text.lstrip("\n").partition("\n")
    subject = " ".join(head.split())
    if subject.lower().startswith("subject:"):
        subject = subject[len("subject:"):].strip()
    if not subject:
        raise RenderError(f"e-mail template email_{kind} for {lang!r} gave an empty subject line")
    return subject, body.strip("\n") + "\n"
