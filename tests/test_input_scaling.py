"""Issue 9 item 11: the lookups that made large transcripts quadratic give the same answers as before."""

from __future__ import annotations

import random
import re

from summarizer.extract import offline_patterns as P
from summarizer.extract.owners import is_generic_label, name_index, stem
from summarizer.schema import Participant
from summarizer.transcript import Segment, Transcript

FIRST = ["Ольга", "Андрей", "Anna", "Mark", "Lisa", "Иван", "Tom", "Sarah", "Дмитрий", "Priya"]
LAST = ["Смирнова", "Козлов", "Petrova", "Olsen", "Chen", "Орлов", "Becker", "Collins", "Nair", "Белов"]


def _brute_force(text: str, participants: list[Participant],
                 named_verb: re.Pattern[str]) -> Participant | None:
    """The owner lookup as it was: every participant × name part × capitalised word."""
    for p in participants:
        if is_generic_label(p.name):
            continue
        for part in p.name.split():
            for m in re.finditer(r"[A-ZА-ЯЁ][\w-]+", text):
                if stem(m.group(0)) == stem(part) and len(part) >= 3:
                    after = text[m.end():m.end() + 40]
                    if re.match(r"(?:\s+[A-ZА-ЯЁ][\w-]+)?\s+" + named_verb.pattern, after, re.IGNORECASE):
                        return p
    return None


def test_name_index_finds_the_same_owner_as_the_full_scan() -> None:
    rng = random.Random(11)
    people = [Participant(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}") for _ in range(105)]
    people += [Participant(name="SPEAKER_07"), Participant(name="Al Bo")]
    for lang in ("ru", "en"):
        verb = P.compile_table(P.NAMED_VERB, lang)[0]
        follows = re.compile(r"(?:\s+[A-ZА-ЯЁ][\w-]+)?\s+" + verb.pattern, re.IGNORECASE)
        verbs = ["подготовит", "пришлёт", "will send", "will prepare", "сказал", "said"]
        for _ in range(400):
            words = [rng.choice([*FIRST, *LAST, "Ольге", "Смирновой", "Козлову", "Al", "и", "мы", "we"])
                     for _ in range(rng.randint(1, 4))]
            text = " ".join(words) + " " + rng.choice(verbs) + " договор. " + rng.choice(FIRST)
            assert name_index(people).named_before(text, follows) is _brute_force(text, people, verb), text


def test_name_index_follows_changes_to_the_list() -> None:
    people = [Participant(name="Ольга Смирнова")]
    verb = P.compile_table(P.NAMED_VERB, "ru")[0]
    follows = re.compile(r"(?:\s+[A-ZА-ЯЁ][\w-]+)?\s+" + verb.pattern, re.IGNORECASE)
    assert name_index(people).named_before("Иван подготовит договор", follows) is None
    people.append(Participant(name="Иван Белов"))
    assert name_index(people).named_before("Иван подготовит договор", follows) is people[1]


def test_segment_lookup_stays_right_when_the_list_changes() -> None:
    transcript = Transcript(segments=[Segment(id=f"s{i:04d}", text=str(i)) for i in range(1, 6)])
    assert transcript.segment("s0003").text == "3"  # type: ignore[union-attr]
    transcript.segments.insert(0, Segment(id="s0000", text="new"))
    assert transcript.segment("s0003").text == "3"  # type: ignore[union-attr]
    assert transcript.segment("s0000").text == "new"  # type: ignore[union-attr]
    transcript.segments[3].id = "renamed"
    assert transcript.segment("s0003") is None
    assert transcript.segment("renamed").text == "3"  # type: ignore[union-attr]
    copy = transcript.model_copy(deep=True)
    copy.segments[0].text = "changed"
    assert copy.segment("s0000").text == "changed"  # type: ignore[union-attr]
    assert transcript.segment("s0000").text == "new"  # type: ignore[union-attr]
    assert transcript.segment("nope") is None


def test_a_decision_revised_again_and_again_keeps_only_its_latest_earlier_quotes() -> None:
    """A slot settled again and again in a long session carried every earlier quote into each new form,
    so each revision copied all the ones before it (quadratic on a 10 MB transcript)."""
    from summarizer.extract.terms import HISTORY_KEPT, as_history
    from summarizer.schema import Evidence

    said = [Evidence(segment_ids=[f"s{i:04d}"], quote=f"launch on the {i}th") for i in range(40)]
    history = as_history(said)
    assert len(history) == HISTORY_KEPT and all(e.superseded for e in history)
    assert [e.segment_ids[0] for e in history] == [f"s{i:04d}" for i in range(40 - HISTORY_KEPT, 40)]
    assert as_history(history)[0] is history[0]  # already marked: not copied again
