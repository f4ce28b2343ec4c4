"""The offline rules on real third-party meetings in ../shared/data (issue 12): CaSiNo negotiations
(dialogue ids) and ELITR project meetings (meeting ids). Skipped where the data is absent; the same
phenomena are covered without it in tests/test_offline_rules.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarizer.extract.offline import extract_offline
from summarizer.extract.verify import finalize_protocol
from summarizer.schema import Protocol
from summarizer.transcript import Segment, Transcript, make_segment_id

_MARKERS = ("Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away")


def _casino(shared_data: Path, dialogue_id: int) -> tuple[Transcript, Protocol]:
    path = shared_data / "casino_dev" / "casino_dev.json"
    if not path.exists():
        pytest.skip("casino_dev is not present")
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    dialogue = next(d for d in dialogues if d["dialogue_id"] == dialogue_id)
    turns = [t for t in dialogue["chat_logs"] if t["text"] not in _MARKERS]
    segs = [Segment(id=make_segment_id(i), text=t["text"], speaker=t["id"]) for i, t in enumerate(turns)]
    transcript = Transcript(segments=segs, language="en")
    return transcript, finalize_protocol(extract_offline(transcript), transcript)


def _elitr(shared_data: Path, meeting: str) -> tuple[Transcript, Protocol]:
    folder = shared_data / "elitr_dev" / meeting
    files = sorted(folder.glob("transcript_MAN*.txt"))
    if not files:
        pytest.skip(f"elitr_dev/{meeting} is not present")
    segs: list[Segment] = []
    speaker = None
    for line in files[0].read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^\((PERSON\d+)\)\s*(.*)$", line.strip())
        text = line.strip()
        if m:
            speaker, text = f"[{m[1]}]", m[2]
        if text:
            segs.append(Segment(id=make_segment_id(len(segs)), text=text, speaker=speaker))
    transcript = Transcript(segments=segs, language="en")
    return transcript, finalize_protocol(extract_offline(transcript), transcript)


def _cited(item: object) -> set[str]:
    return {sid for ev in item.evidence if not ev.superseded for sid in ev.segment_ids}  # type: ignore[attr-defined]


def _said(transcript: Transcript, words: str) -> set[str]:
    return {s.id for s in transcript.segments if words.lower() in s.text.lower()}


def _counts(text: str) -> dict[str, int]:
    words = {"one": 1, "two": 2, "three": 3, "all": 3}
    out = {}
    amount = r"\b(\d|one|two|three|all)\s+(?:the\s+)?(food|water|firewood|fire wood|wood)"
    for m in re.finditer(amount, text, re.I):
        item = {"fire wood": "firewood", "wood": "firewood"}.get(m[2].lower(), m[2].lower())
        out[item] = int(m[1]) if m[1].isdigit() else words[m[1].lower()]
    return out


def test_casino_301_no_and_self_praise_are_no_agreement(shared_data: Path) -> None:
    """'No. That is not okay with me. …' and 'I am not unfair. That is a good deal.' (CaSiNo 301)."""
    transcript, protocol = _casino(shared_data, 301)
    refused = _said(transcript, "That is not okay with me") | _said(transcript, "That is a good deal")
    assert refused and not any(_cited(a) & refused for a in protocol.agreements)


def test_casino_550_acceptance_states_the_offer_it_accepts(shared_data: Path) -> None:
    """'Okay, you have a deal.' accepts '…so again, 1 food, 1 water 3 wood for you' (CaSiNo 550)."""
    transcript, protocol = _casino(shared_data, 550)
    (accept,) = _said(transcript, "you have a deal")
    (offer,) = _said(transcript, "so again, 1 food, 1 water 3 wood")
    deal = next(a for a in protocol.agreements if accept in _cited(a))
    assert offer in _cited(deal)  # both turns cited
    assert {"food": 1, "water": 1, "firewood": 3}.items() <= _counts(deal.text).items()


def test_casino_716_countered_offer_is_superseded(shared_data: Path) -> None:
    """'you can have all the water…' — 'Ok, I need atleast 1 or 2 of the food' is a counter; only the
    final '3 firewood, one food and 1 water for me' is the agreement (CaSiNo 716)."""
    transcript, protocol = _casino(shared_data, 716)
    (agreement,) = protocol.agreements
    assert _counts(agreement.text) == {"firewood": 3, "food": 1, "water": 1}


@pytest.mark.parametrize(("dialogue_id", "words"), [
    (433, "can you repeat the deal with me"), (652, "make an important deal with me")])
def test_casino_deal_with_is_no_agreement(shared_data: Path, dialogue_id: int, words: str) -> None:
    transcript, protocol = _casino(shared_data, dialogue_id)
    said = _said(transcript, words)
    assert said and not any(_cited(a) & said for a in protocol.agreements)


@pytest.mark.parametrize(("meeting", "words"), [
    ("meeting_en_dev_003", "deal with [PERSON7] and [PERSON10]"),
    ("meeting_en_dev_010", "stuff to deal with is the large"),
])
def test_elitr_deal_with_is_no_agreement(shared_data: Path, meeting: str, words: str) -> None:
    transcript, protocol = _elitr(shared_data, meeting)
    said = _said(transcript, words)
    assert said and not any(_cited(a) & said for a in protocol.items())


@pytest.mark.parametrize(("meeting", "words"), [
    ("meeting_en_dev_002", "Let me check it."),
    ("meeting_en_dev_002", "clicking the end meeting button now"),
    ("meeting_en_dev_002", "I'll just leave the meeting"),
    ("meeting_en_dev_002", "I will not be available"),
    ("meeting_en_dev_001", "I'll find it."),
    ("meeting_en_dev_001", "Just a moment I'll share find something"),
])
def test_elitr_narration_of_the_call_is_no_next_step(shared_data: Path, meeting: str, words: str) -> None:
    transcript, protocol = _elitr(shared_data, meeting)
    said = _said(transcript, words)
    assert said and not any(_cited(n) & said for n in protocol.next_steps)


def test_elitr_008_due_next_friday_inside_a_long_sentence(shared_data: Path) -> None:
    """'…and the ELG paper is due next Friday, Feb 21.' is a step with its deadline, the calendar date
    that names the Friday (ELITR dev 008)."""
    transcript, protocol = _elitr(shared_data, "meeting_en_dev_008")
    said = _said(transcript, "the ELG paper is due next Friday")
    step = next(n for n in protocol.next_steps if _cited(n) & said)
    assert step.due_phrase == "Feb 21"


def test_elitr_001_task_for_after_the_call_is_kept(shared_data: Path) -> None:
    """'I will continue annotate my our our data with my annotators.' — the minutes' action for
    [PERSON3] (ELITR dev 001) — stays a next step of its speaker."""
    transcript, protocol = _elitr(shared_data, "meeting_en_dev_001")
    said = _said(transcript, "continue annotate")
    step = next(n for n in protocol.next_steps if _cited(n) & said)
    assert step.owner == "[PERSON3]" and step.action.startswith("[PERSON3] will continue")


def test_elitr_010_task_asked_by_name(shared_data: Path) -> None:
    """'So so [PERSON15], could you again please prepare a an internal pole?' — in the minutes:
    '[PERSON15] will prepare the internal pole' (ELITR dev 010)."""
    transcript, protocol = _elitr(shared_data, "meeting_en_dev_010")
    said = _said(transcript, "could you again please prepare")
    step = next(n for n in protocol.next_steps if _cited(n) & said)
    assert step.owner == "[PERSON15]" and "prepare" in step.action
