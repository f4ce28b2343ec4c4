"""The step protocol: small requests a small model does reliably, merged in code.

Per chunk of the transcript (one chunk for most meetings):

1. **moments** — which segments hold agreements, actions, rejected or revised proposals (ids + kind);
2. **items** — each moment written as a protocol sentence in the third person, in the meeting's
   language, with the responsible person (an enum of the known participants, or null) and the
   deadline phrase verbatim (the code resolves it; see ``verify``);
3. **overview** — purpose, issues with the options raised and their outcome, results;
4. **closing** — one sentence that sums up and thanks.

Step 1 has two forms. **guided** (the default for small models): the offline rules choose the
moments (their agreements and next steps, with the segments they cite) and the model only writes
them; a 1.5B asked to choose labelled nearly every segment an agreement, one segment at a time as
well as all at once, while its sentences were good. **split**: the model labels every segment. A
large model (``llm_steps="merged"``, or ``auto`` with a big ``context_tokens``) does 1+2 and 3+4
in one request each. Every request carries its own ``max_tokens``. Every reply is checked for the
ways small models degenerate — every segment listed, ids counted upwards, the same item twice, an
item repeated as an agreement, a next step and a result, first-person copies of the quote — and is
re-asked with the problem named, or cut; degenerate output is never stored.

The code, not the model, quotes: an item's evidence is the sentence of each cited segment that
shares most words with the item, so a quote is verbatim by construction and the support check
(``support.check_support``) decides whether the segments say what the item says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from rapidfuzz import fuzz

from summarizer.errors import InvalidReply
from summarizer.extract.assemble import (
    FIRST_PERSON,
    NEAR_DUPLICATE,
    Moment,
    WrittenItem,
    draft_of,
    enum_value,
    same_text,
    similar,
)
from summarizer.extract.evidence import normalise_text
from summarizer.extract.wire import (
    MAX_MOMENT_SEGMENTS,
    MAX_MOMENTS,
    Closing,
    items_model,
    labels_model,
    merged_items_model,
    moments_model,
    overview_model,
)
from summarizer.llm.session import LLMSession

log = logging.getLogger(__name__)

# Output budgets (tokens) per step; generous for the schema, tight enough that a looping model stops.
MOMENT_TOKENS = 26
ITEM_TOKENS = 110
OVERVIEW_TOKENS = 1000  # a Russian overview of five issues took more than 700
LABEL_TOKENS = 14  # '"s0012": "none",' is 8-11 tokens with the whitespace a model adds
CLOSING_TOKENS = 200
COUNTING_RUN = 5  # this many moments citing consecutive single segments is counting, not reading
RESTATED = 75  # token_set_ratio from which a result only restates an item (measured: 79-89 restated, <50 not)

# A small model starts its sentence with the kind it was shown ("agreement: phase one…"): not protocol text.
_KIND_PREFIX = re.compile(
    r"^\s*(?:agreement|action|both|rejected|revised|договор[её]нность|действие)\s*[:—–-]\s*", re.IGNORECASE)


@dataclass
class StepRunner:
    """Asks one chunk's steps. ``prefix`` is the system message and the user message up to and
    including the transcript; every step appends its task to it, so a server's prompt cache reuses
    the whole transcript across steps."""

    session: LLMSession
    prefix: list[dict[str, str]]
    tasks: dict[str, str]  # step name -> task template
    segment_ids: list[str]
    segment_text: dict[str, str]
    speaker_of: dict[str, str]  # segment id -> name or label, for the moments listed in step 2
    names: list[str]
    reasks: int = 1
    notes: dict[str, str] = field(default_factory=dict)  # the re-ask notes, by problem
    log_steps: list[dict[str, Any]] = field(default_factory=list)
    current: str = ""  # the step being asked (named in errors)

    # -- plumbing ----------------------------------------------------------------------------------
    def _messages(self, task: str) -> list[dict[str, str]]:
        out = [dict(m) for m in self.prefix]
        out[-1]["content"] = out[-1]["content"].rstrip() + "\n\n" + task.strip()
        return out

    def ask(
        self, step: str, task: str, model: type[BaseModel], max_tokens: int,
        clean: Callable[[Any], tuple[Any, str | None]], *, reasks: int | None = None,
    ) -> Any:
        """Ask, clean, and re-ask (with the problem named) while the reply is degenerate; after the
        last re-ask the cleaned (cut) value is used."""
        self.current = step
        messages = self._messages(task)
        value: Any = None
        limit = self.reasks if reasks is None else reasks
        for attempt in range(1 + max(0, limit)):
            reply = self.session.complete_json(messages, model, schema_name=step, max_tokens=max_tokens)
            value, problem = clean(reply.value)
            self.log_steps.append({"step": step, "attempt": attempt + 1, "problem": problem})
            if problem is None:
                return value
            # with no second try the caller has its own remedy (guided items fall back to the rules'
            # text): nothing for the person at the terminal to act on
            log.log(logging.WARNING if limit else logging.INFO, "step %s: %s; %s", step, problem,
                    "asking again" if attempt < limit else "cut and kept the rest")
            messages = [*self._messages(task),
                        {"role": "assistant", "content": reply.raw[:8000]},
                        {"role": "user",
                         "content": self.notes.get("reask", "{problem}").format(problem=problem)}]
        return value

    # -- step 1 ------------------------------------------------------------------------------------
    def labelled_moments(self) -> list[Moment]:
        """Step 1 as one label per segment (small models); adjacent segments with the same label are
        one moment (a proposal and its acceptance)."""
        model = labels_model(self.segment_ids)
        budget = 20 + LABEL_TOKENS * len(self.segment_ids)

        def clean(value: Any) -> tuple[list[Moment], str | None]:
            labels = [(sid, str(getattr(value, sid))) for sid in self.segment_ids]
            return clean_labels(labels, self.notes)

        return list(self.ask("labels", self.tasks["labels"], model, budget, clean))

    def moments(self) -> list[Moment]:
        model = moments_model(self.segment_ids)
        budget = 40 + MOMENT_TOKENS * MAX_MOMENTS
        return list(self.ask("moments", self.tasks["moments"], model, budget, self.clean_moments))

    def clean_moments(self, value: Any) -> tuple[list[Moment], str | None]:
        return clean_moments([(m.kind, [enum_value(s) for s in m.segments]) for m in value.moments],
                             self.segment_ids, self.notes)

    # -- step 2 ------------------------------------------------------------------------------------
    def items(self, moments: list[Moment], meeting_context: dict[str, str]) -> list[WrittenItem]:
        """Step 2, at most ``MAX_MOMENTS`` moments per request (a request's reply stays short).
        Guided moments go one per request: asked for seven at once the 1.5B wrote the same sentence
        for several; the transcript prefix is shared, so the server's prompt cache makes each request
        cost only its task and a sentence."""
        size = 1 if moments and all(m.rules is not None for m in moments) else MAX_MOMENTS
        out: list[WrittenItem] = []
        for start in range(0, len(moments), size):
            out += self._items(moments[start:start + size], meeting_context)
        return out

    def _items(self, moments: list[Moment], meeting_context: dict[str, str]) -> list[WrittenItem]:
        if not moments:
            return []
        listing = "\n".join(
            f"{n}. {m.kind} — " + "; ".join(
                f"[{sid}] {self.speaker_of.get(sid, '')}: {self.segment_text.get(sid, '')}"
                .replace("]: ", "] ")
                for sid in m.segments) + draft_of(m)
            for n, m in enumerate(moments, start=1))
        task = _fill(self.tasks["items"], {**meeting_context, "moments": listing, "count": str(len(moments))})
        model = items_model(len(moments), self.names)

        def clean(value: Any) -> tuple[list[WrittenItem], str | None]:
            written = [WrittenItem(m, _text(i.text), enum_value(i.responsible), _blank(i.due_phrase),
                                   _blank(i.due_date)) for m, i in zip(moments, value.items, strict=False)]
            return clean_items(written, self.segment_text, self.notes)

        # guided moments need no second try: where a sentence is lost, copied or repeated, the rules'
        # own text stands (``fill_guided``, ``guided_item``), and a re-ask costs a whole reply
        guided = all(m.rules is not None for m in moments)
        try:
            return list(self.ask("items", task, model, 30 + ITEM_TOKENS * len(moments), clean,
                                 reasks=0 if guided else None))
        except InvalidReply as exc:
            if not guided:
                raise
            # the 1.5B ran one Russian item past its output limit three times and the whole draft
            # was lost; the rules' sentence stands for it (and the draft says the model wrote less)
            log.warning("step items: %s; the rules' own text stands for %s", exc.message,
                        ", ".join(m.segments[0] for m in moments if m.segments))
            self.log_steps.append({"step": "items", "attempt": exc.attempts, "problem": exc.message})
            return []

    def moments_and_items(self, meeting_context: dict[str, str]) -> list[WrittenItem]:
        """Steps 1 and 2 in one request, for large models."""
        model = merged_items_model(self.segment_ids, self.names)
        task = _fill(self.tasks["moments"] + "\n\n" + self.tasks["merged_items"], meeting_context)

        def clean(value: Any) -> tuple[list[WrittenItem], str | None]:
            raw = [(m.kind, [enum_value(s) for s in m.segments]) for m in value.moments]
            kept, problem = clean_moments(raw, self.segment_ids, self.notes)
            keep_keys = {(m.kind, tuple(m.segments)) for m in kept}
            written = []
            for m in value.moments:
                cited = (enum_value(x) for x in m.segments)
                moment = Moment(m.kind, [s for s in cited if s in self.segment_text])
                if (moment.kind, tuple(moment.segments)) in keep_keys:
                    keep_keys.discard((moment.kind, tuple(moment.segments)))
                    written.append(WrittenItem(moment, _text(m.text), enum_value(m.responsible),
                                               _blank(m.due_phrase), _blank(m.due_date)))
            items, item_problem = clean_items(written, self.segment_text, self.notes)
            return items, problem or item_problem

        budget = 40 + (MOMENT_TOKENS + ITEM_TOKENS) * MAX_MOMENTS
        return list(self.ask("moments_items", task, model, budget, clean))

    # -- steps 3 and 4 -----------------------------------------------------------------------------
    def overview(
        self, items: list[WrittenItem], meeting_context: dict[str, str], *, with_closing: bool
    ) -> Any:
        changed = [i.text for i in items if i.moment.kind in ("rejected", "revised")]
        task = _fill(self.tasks["overview"], {**meeting_context,
                                              "changed": "; ".join(changed) or self.notes.get("none", "-")})
        if with_closing:
            task += "\n" + self.tasks["closing_in_overview"]
        model = overview_model(self.segment_ids, with_closing=with_closing)
        said = [i.text for i in items if i.moment.kind in ("agreement", "action")]

        def clean(value: Any) -> tuple[Any, str | None]:
            return clean_overview(value, said, self.segment_text), None

        budget = OVERVIEW_TOKENS + (CLOSING_TOKENS if with_closing else 0)
        return self.ask("overview", task, model, budget, clean)

    def closing(self, items: list[WrittenItem], meeting_context: dict[str, str]) -> str | None:
        agreed = "; ".join(i.text for i in items if i.moment.kind == "agreement")
        task = _fill(self.tasks["closing"], {**meeting_context, "agreements": agreed or "-"})

        def clean(value: Any) -> tuple[str | None, str | None]:
            return (_sentences(value.closing, 2) or None), None

        try:
            result: str | None = self.ask("closing", task, Closing, CLOSING_TOKENS, clean)
        except InvalidReply as exc:
            # the 1.5B ran the closing past its limit three times on a held-out English call and the
            # whole draft was lost; the code writes the closing from what the protocol holds instead
            log.warning("step closing: %s; the closing is written from the protocol", exc.message)
            self.log_steps.append({"step": "closing", "attempt": exc.attempts, "problem": exc.message})
            return None
        return result


# --------------------------------------------------------------------------------------------------
# Cleaning: what is degenerate, and what is cut
# --------------------------------------------------------------------------------------------------
def clean_moments(
    raw: list[tuple[str, list[str]]], segment_ids: list[str], notes: dict[str, str]
) -> tuple[list[Moment], str | None]:
    """Unknown ids dropped, repeats merged, counting runs cut; degenerate when it lists (nearly)
    every segment or counts ids upwards."""
    position = {sid: i for i, sid in enumerate(segment_ids)}
    moments: list[Moment] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for kind, ids in raw:
        kept = sorted(dict.fromkeys(s for s in ids if s in position), key=position.__getitem__)
        # a moment's segments are close together; a far one is a slip
        if kept:
            last = position[kept[-1]]
            kept = [s for s in kept if last - position[s] <= 4]
        key = (kind, tuple(kept))
        if not kept or key in seen:
            continue
        seen.add(key)
        moments.append(Moment(kind, kept))
    problem = None
    # counting: s0001, s0002, s0003, ... one moment each
    run_start, cut = 0, set[int]()
    for i in range(1, len(moments) + 1):
        consecutive = (i < len(moments) and len(moments[i].segments) == 1
                       and len(moments[i - 1].segments) == 1
                       and position[moments[i].segments[0]] == position[moments[i - 1].segments[0]] + 1)
        if not consecutive:
            if i - run_start >= COUNTING_RUN:
                cut.update(range(run_start, i))
            run_start = i
    if cut:
        problem = notes.get("counting", "the reply counts segment ids one after another instead of choosing")
        moments = [m for i, m in enumerate(moments) if i not in cut]
    cited = {s for m in moments for s in m.segments}
    if len(segment_ids) >= 8 and len(cited) >= 0.6 * len(segment_ids):
        problem = notes.get("every_id", "the reply lists nearly every segment")
        moments = []  # nothing in it can be told from noise
    return moments, problem


def clean_labels(labels: list[tuple[str, str]], notes: dict[str, str]) -> tuple[list[Moment], str | None]:
    """Runs of one label (except actions) become moments of at most ``MAX_MOMENT_SEGMENTS`` segments;
    "both" is an agreement and an action. Degenerate when
    (nearly) every segment is labelled, which a model does when it cannot tell."""
    moments: list[Moment] = []
    previous: str | None = None
    marked = 0
    for sid, label in labels:
        kinds = ["agreement", "action"] if label == "both" else [label]
        if label in ("agreement", "action", "both", "rejected", "revised"):
            marked += 1
        for kind in kinds:
            if kind not in ("agreement", "action", "rejected", "revised"):
                continue
            last = next((m for m in reversed(moments) if m.kind == kind), None)
            # a proposal and its acceptance are one moment; two actions in a row are two people's
            if (last is not None and kind != "action" and len(last.segments) < MAX_MOMENT_SEGMENTS
                    and last.segments[-1] == previous and moments[-1] is last):
                last.segments.append(sid)
            else:
                moments.append(Moment(kind, [sid]))
        previous = sid
    if len(labels) >= 8 and marked >= 0.6 * len(labels):
        return [], notes.get("every_id", "the reply marks nearly every segment")
    return moments[:MAX_MOMENTS], None


def clean_items(
    written: list[WrittenItem], segment_text: dict[str, str], notes: dict[str, str]
) -> tuple[list[WrittenItem], str | None]:
    """Empty and repeated items cut; an agreement that only repeats an action is the action.
    Re-asked when most items are copies of the quote in the first person, or repeats."""
    out: list[WrittenItem] = []
    repeated = copied = 0
    for item in written:
        if not item.text:
            continue
        twin = next((o for o in out if same_text(o.text, item.text)), None)
        if twin is not None:
            repeated += 1
            if twin.moment.kind == "agreement" and item.moment.kind == "action":
                out[out.index(twin)] = item  # someone will do it: that is the next step
            continue
        said = " ".join(segment_text.get(s, "") for s in item.moment.segments)
        if FIRST_PERSON.search(item.text) or (
                said and fuzz.ratio(normalise_text(item.text), normalise_text(said)) >= NEAR_DUPLICATE):
            copied += 1
        out.append(item)
    problem = None
    if repeated and repeated * 3 >= len(written):
        problem = notes.get("repeated", "the same item is written more than once")
    elif copied and copied * 2 > len(out):
        problem = notes.get("first_person", "items copy the speakers' words instead of protocol sentences")
    return out, problem


def restates(result: str, item: str) -> bool:
    """A result that says an item again in other words: "The logistics will deliver the first match on
    March 10th" for "Lisa Chen will deliver the first match on March 10th" (no number of its own, and
    most of its words the item's)."""
    if same_text(result, item) or similar(result, item):
        return True
    if not set(re.findall(r"\d+", result)) <= set(re.findall(r"\d+", item)):
        return False
    return fuzz.token_set_ratio(normalise_text(result), normalise_text(item)) >= RESTATED


def clean_overview(value: Any, said: list[str], segment_text: dict[str, str]) -> Any:
    """Results that only repeat an agreement or a next step are cut, as are repeated issues/options."""
    value.results = [r for r in dict.fromkeys(_sentences(x, 2) for x in value.results)
                     if r and not any(restates(r, s) for s in said)]
    issues: list[Any] = []
    titles: list[str] = []
    for issue in value.issues:
        title = " ".join(issue.title.split())
        if not title or any(same_text(title, t) for t in titles):
            continue
        titles.append(title)
        options: list[str] = []
        for option in issue.options:
            option = " ".join(option.split())
            if option and not any(same_text(option, o) for o in options):
                options.append(option)
        issue.title, issue.options = title, options
        cited = dict.fromkeys(enum_value(x) for x in issue.segments)
        issue.segments = [s for s in cited if s in segment_text]
        issues.append(issue)
    value.issues = issues
    return value


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template


def _text(value: str) -> str:
    text = _KIND_PREFIX.sub("", " ".join(value.split()))
    return text[:1].upper() + text[1:]


def _sentences(text: str, limit: int) -> str:
    """At most ``limit`` sentences: a small model asked for one writes a paragraph."""
    parts = re.split(r"(?<=[.!?…])\s+", " ".join(text.split()))
    return " ".join(parts[:limit])


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value else None
