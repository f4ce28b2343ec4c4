"""Requests and the commitments that answer them, read by the offline rules (dev samples and lines).

Each case was a wrong item in ``python bench/extract.py --sets dev --misses`` before its fix: a second
step for "Sure, I'll get that to you", no step for "Could you send me the list?" answered "Sure", a
refusal or a conditional read as a task, a deadline between a name and its verb.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from summarizer.extract.offline import extract_offline
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript

DEV = Path(__file__).resolve().parent.parent / "samples" / "gold" / "dev"


def dev(name: str, date: str) -> Protocol:
    t = Transcript.from_json((DEV / f"{name}.json").read_text(encoding="utf-8"))
    return extract_offline(t, meeting_date=dt.date.fromisoformat(date))


def meeting(*lines: tuple[str, str], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i:04d}", text=text, start=i * 5.0, end=i * 5.0 + 4.0, speaker=who)
        for i, (who, text) in enumerate(lines, 1)])


def cited(step: object) -> set[str]:
    return {s for e in step.evidence for s in e.segment_ids}  # type: ignore[attr-defined]


def test_a_commitment_answering_a_request_is_that_request_not_a_second_step() -> None:
    protocol = dev("en_cloud_migration", "2026-09-16")
    by_segment = {sid: n for n in protocol.next_steps for sid in cited(n)}
    # "Ben, can you check whether the PO needs a second approver?" / "Yeah, I'll find out by Friday."
    ben = by_segment["s0028"]
    assert by_segment["s0029"] is ben and ben.owner == "Ben"
    assert "second approver" in ben.action and ben.due_date == dt.date(2026, 9, 18)  # Friday, from the reply
    # "Sofia, could you send me the inventory…?" answered "Sure, I'll get that to you." by an unnamed
    # speaker: the one addressed answers; no step "I'll get that to you"
    inventory = by_segment["s0020"]
    assert by_segment["s0021"] is inventory and "VM inventory" in inventory.action
    assert not any("get that to you" in n.action for n in protocol.next_steps)


def test_a_request_to_nobody_by_name_is_the_step_of_whoever_says_sure() -> None:
    protocol = dev("en_event_catering", "2026-02-09")
    (dietary,) = [n for n in protocol.next_steps if "dietary requirements" in n.action]
    assert dietary.owner == "Marcus" or (dietary.owner or "").startswith("Marcus")
    assert cited(dietary) == {"s0025", "s0026"} and dietary.due_date is not None
    # no "sure": no owner to give it to, so no step
    t = meeting(("Ann", "Could you send me the dietary list by Friday?"),
                ("Bob", "Hm, I need to check who has it."))
    assert extract_offline(t, meeting_date=dt.date(2026, 2, 9)).next_steps == []


def test_refusals_conditionals_and_acceptances_in_russian_are_not_tasks() -> None:
    t = meeting(("Андрей", "Каникулы не дадим. Склад полностью готов."),
                ("Наталья", "Если генеральный согласует бюджет, то, может быть, сборку тоже у вас закажем."),
                ("Максим", "Восьмого так восьмого. Так и сделаем."), language="ru")
    assert extract_offline(t, meeting_date=dt.date(2026, 6, 2)).next_steps == []


def test_a_deadline_between_a_name_and_its_verb_still_names_the_owner() -> None:
    protocol = dev("ru_courier_delivery", "2026-05-20")
    owners = {n.owner: n for n in protocol.next_steps if "s0029" in cited(n)}
    # "Денис Гаврилов до конца недели пришлёт вам документацию по API, а я в понедельник отправлю договор"
    assert "документацию по API" in owners["Денис Гаврилов"].action
    assert "договор" in owners["Ольга Белова"].action  # she introduced herself with her surname
    # "Да, пришлю." from Денис confirms his step: no second, empty one
    assert "s0030" in cited(owners["Денис Гаврилов"])
    assert not any(n.action.strip(" .") in {"Денис пришлёт", "пришлю"} for n in protocol.next_steps)
