"""Participants scored against a gold sample: found, full name, position, organisation, contacts.

A gold participant is found by a predicted one with the same first name (either script: "Irina" is
"Ирина") or one of their speaker labels. Position and organisation count when one contains the other
after case, quotes and ё are set aside ("руководитель проектов" for "руководитель проектов агентства"
is a miss only if neither contains the other); contacts count when equal after the same.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from summarizer.extract.participant_patterns import transliterate


def _norm(text: str | None) -> str:
    text = (text or "").casefold().replace("ё", "е")
    for ch in "«»\"'":
        text = text.replace(ch, "")
    return " ".join(text.split())


def _latin(word: str) -> str:
    return transliterate(_norm(word))


@dataclasses.dataclass
class PeopleTally:
    people: int = 0
    found: int = 0
    full_name: int = 0
    position: int = 0
    position_total: int = 0
    organisation: int = 0
    organisation_total: int = 0
    contacts: int = 0
    contacts_total: int = 0
    extra: int = 0

    def add(self, other: PeopleTally) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def _same_first(pred: Any, gold: dict[str, Any]) -> bool:
    a, b = _norm(pred.name).split()[:1], _norm(gold["name"]).split()[:1]
    if a and b and (a == b or _latin(a[0]) == _latin(b[0])):
        return True
    labels = {_norm(x) for x in gold.get("speaker_labels") or []}
    return bool(labels & {_norm(x) for x in pred.speaker_labels})


def _close(pred: str | None, gold: str) -> bool:
    p, g = _norm(pred), _norm(gold)
    return bool(p) and (p == g or (len(p) >= 3 and (p in g or g in p)))


def score_people(predicted: list[Any], gold: list[dict[str, Any]]) -> PeopleTally:
    tally = PeopleTally(people=len(gold))
    used: set[int] = set()
    for g in gold:
        match = next((i for i, p in enumerate(predicted) if i not in used and _same_first(p, g)), None)
        tally.position_total += bool(g.get("position"))
        tally.organisation_total += bool(g.get("organisation"))
        tally.contacts_total += bool(g.get("email")) + bool(g.get("phone"))
        if match is None:
            continue
        used.add(match)
        p = predicted[match]
        tally.found += 1
        tally.full_name += _norm(p.name) == _norm(g["name"])
        tally.position += bool(g.get("position")) and _close(p.position, g["position"])
        tally.organisation += bool(g.get("organisation")) and _close(p.organisation, g["organisation"])
        for kind in ("email", "phone"):
            if g.get(kind):
                said = "".join(ch for ch in _norm(getattr(p, kind)) if ch.isalnum() or ch in "@.")
                want = "".join(ch for ch in _norm(g[kind]) if ch.isalnum() or ch in "@.")
                tally.contacts += bool(said) and said == want
    tally.extra = len(predicted) - len(used)
    return tally
