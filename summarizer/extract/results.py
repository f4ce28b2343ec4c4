"""The protocol's "Results" and closing statement, written from what it holds.

``results_for`` is pure: a protocol in, sentences out, so it can run again on every version a reviewer
or the client makes ("results" that still say 3 agreements when the final holds 2 is what a stale
count looks like). A reviewer who writes the results themselves sets ``Protocol.results_by_reviewer``
and their words are kept (``summarizer.approval.review`` decides which).
"""

from __future__ import annotations

from summarizer.extract.topics import is_personal
from summarizer.schema import Agreement, NextStep, Protocol

_MAX_LISTED = 5

_WORDS = {
    "ru": {
        "agreed": "Стороны договорились: {items}.",
        "none": "Договорённости не зафиксированы.",
        "steps": "Следующие шаги ({count}): {items}.",
        "open": "Открытыми остались: {items}.",
        "more": "и ещё {count}",
        "closing": "Стороны обсудили {topics}{agreed}. Благодарим всех участников за конструктивную встречу.",
        "closing_topics": "вопросы: {items}",
        "closing_agreed": " и договорились: {items}",
        "closing_none": "ход работ",
        "due": "до {date}",
    },
    "en": {
        "agreed": "The parties agreed: {items}.",
        "none": "No agreements were recorded.",
        "steps": "Next steps ({count}): {items}.",
        "open": "Still open: {items}.",
        "more": "and {count} more",
        "closing": "The parties discussed {topics}{agreed}. Thank you all for a constructive meeting.",
        "closing_topics": "these issues: {items}",
        "closing_agreed": " and agreed: {items}",
        "closing_none": "the work in progress",
        "due": "by {date}",
    },
}


def _words(language: str) -> dict[str, str]:
    return _WORDS["ru" if (language or "ru").startswith("ru") else "en"]


def _plain(text: str) -> str:
    # case kept: an item may open with a name ("Дмитрий Ковалёв пришлёт…", "Anna Petrova will send…")
    return " ".join(text.split()).rstrip(".;?!")


def _listed(items: list[str], w: dict[str, str]) -> str:
    shown = items[:_MAX_LISTED]
    rest = len(items) - len(shown)
    return "; ".join(shown) + (f"; {w['more'].format(count=rest)}" if rest else "")


def _agreement(a: Agreement, w: dict[str, str]) -> str:
    text = _plain(a.text)
    if a.due_date and a.due_date.isoformat() not in text:
        text += f" ({w['due'].format(date=a.due_date.strftime('%d.%m.%Y'))})"
    return text


def _step(n: NextStep) -> str:
    return _plain(n.action)


def results_for(protocol: Protocol) -> list[str]:
    """Sentences about what was agreed, what comes next and what stays open, in the protocol's language."""
    w = _words(protocol.language)
    agreed = [a for a in protocol.agreements if a.status != "cancelled"]
    out = [w["agreed"].format(items=_listed([_agreement(a, w) for a in agreed], w)) if agreed else w["none"]]
    if protocol.next_steps:
        out.append(w["steps"].format(count=len(protocol.next_steps),
                                     items=_listed([_step(n) for n in protocol.next_steps], w)))
    still_open = [i.title for i in protocol.issues if i.status == "open"] + list(protocol.open_questions)
    if still_open:
        out.append(w["open"].format(items=_listed([_plain(t) for t in dict.fromkeys(still_open)], w)))
    return out


def results_basis(protocol: Protocol) -> tuple[object, ...]:
    """What the results are written from: when it is unchanged, so are they."""
    return (
        tuple((a.text, a.due_date, a.status) for a in protocol.agreements),
        tuple((n.action, n.owner, n.due_date) for n in protocol.next_steps),
        tuple((i.title, i.status) for i in protocol.issues),
        tuple(protocol.open_questions),
    )


def closing_for(protocol: Protocol) -> str:
    """A closing statement built from the issues discussed and what was agreed on them."""
    w = _words(protocol.language)
    # a title that is still a speaker's words ("Пять дней для нас много") stays in section 4, where its
    # evidence is beside it, but a closing that sums up does not quote it; repeated titles are said once
    titles = list(dict.fromkeys(_plain(i.title) for i in protocol.issues
                                if not is_personal(i.title, protocol.language or "en")))
    topics = w["closing_topics"].format(items=_listed(titles, w)) if titles else w["closing_none"]
    agreed = [a for a in protocol.agreements if a.status != "cancelled"]
    said = [_plain(a.text) for a in agreed[:3]]
    items = w["closing_agreed"].format(items=_listed(said, w)) if said else ""
    return w["closing"].format(topics=topics, agreed=items)

