"""Naming speaker labels from self-introductions; the roster always wins."""

from __future__ import annotations

import pytest

from summarizer.speech.speakers import find_introduction, name_speakers
from summarizer.transcript import Person, Segment, Transcript


@pytest.mark.parametrize(("text", "expected"), [
    ("Меня зовут Ольга Смирнова, я менеджер проекта.", ("Ольга Смирнова", None, None)),
    ("Добрый день. Я — Иван из Ромашки.", ("Иван", None, "Ромашки")),
    ("Здравствуйте, с вами Пётр Иванов, директор по продажам в Альфа.",
     ("Пётр Иванов", "директор по продажам", "Альфа")),
    ("Это Мария, компания Северсталь.", ("Мария", None, "Северсталь")),
    ("Hi, this is John from Acme.", ("John", None, "Acme")),
    ("I'm Anna Petrova, account manager at Northwind.", ("Anna Petrova", "account manager", "Northwind")),
    ("Good morning. I'm Mark Olsen, purchasing lead at Contoso.",
     ("Mark Olsen", "purchasing lead", "Contoso")),
    ("My name is Peter.", ("Peter", None, None)),
])
def test_introductions(text: str, expected: tuple[str, str | None, str | None]) -> None:
    assert find_introduction(text) == expected


@pytest.mark.parametrize("text", [
    "I'm sorry, I'm not sure.",
    "I'm Sorry about that.",
    "I think this is fine.",
    "Я думаю, это хорошо.",
    "Это Москва.",
    "Hi John, thanks for joining.",
])
def test_not_introductions(text: str) -> None:
    assert find_introduction(text) is None


def meeting() -> Transcript:
    return Transcript(segments=[
        Segment(id="s0001", text="Hello everyone, this is John Baker from Acme.", speaker="SPEAKER_00"),
        Segment(id="s0002", text="Hi John. I'm Olga Smirnova, project manager at Northwind.",
                speaker="SPEAKER_01"),
        Segment(id="s0003", text="And I am Ravi Kumar, the lead engineer.", speaker="SPEAKER_02"),
        Segment(id="s0004", text="I'm Sorry, could you repeat that? I'm John.", speaker="SPEAKER_00"),
    ])


def test_names_from_introductions() -> None:
    out = name_speakers(meeting())
    assert out.speaker_name("SPEAKER_00") == "John Baker"
    assert out.speaker_name("SPEAKER_01") == "Olga Smirnova"
    assert out.speaker_name("SPEAKER_02") == "Ravi Kumar"
    olga = out.person_for("SPEAKER_01")
    assert olga is not None
    assert (olga.position, olga.organisation) == ("project manager", "Northwind")
    assert out.meta["named_speakers"] == {
        "SPEAKER_00": {"name": "John Baker", "segment": "s0001"},
        "SPEAKER_01": {"name": "Olga Smirnova", "segment": "s0002"},
        "SPEAKER_02": {"name": "Ravi Kumar", "segment": "s0003"},
    }


def test_roster_wins_and_input_is_untouched() -> None:
    transcript = meeting()
    transcript.roster = [
        Person(name="Jonathan Baker", position="CEO", labels=["SPEAKER_00"]),  # reviewer's word
        Person(name="Olga Smirnova", email="olga@northwind.example"),  # known, label not yet mapped
        Person(name="Ravi Kumar", labels=["SPEAKER_07"]),  # already mapped elsewhere: leave it
    ]
    out = name_speakers(transcript)
    assert out.speaker_name("SPEAKER_00") == "Jonathan Baker"
    olga = out.person_for("SPEAKER_01")
    assert olga is not None and olga.email == "olga@northwind.example" and olga.labels == ["SPEAKER_01"]
    assert out.person_for("SPEAKER_02") is None
    assert [p.name for p in out.roster] == ["Jonathan Baker", "Olga Smirnova", "Ravi Kumar"]
    assert transcript.roster[1].labels == []


def test_first_name_matches_roster_full_name() -> None:
    transcript = Transcript(
        segments=[Segment(id="s0001", text="Привет, я Ольга из Нортвинда.", speaker="SPEAKER_03")],
        roster=[Person(name="Ольга Смирнова", side="client")],
    )
    out = name_speakers(transcript)
    assert out.speaker_name("SPEAKER_03") == "Ольга Смирнова"
    assert len(out.roster) == 1


def test_unlabelled_segments_are_ignored() -> None:
    transcript = Transcript(segments=[Segment(id="s0001", text="I'm Anna Petrova.")])
    assert name_speakers(transcript).roster == []


@pytest.mark.parametrize(("text", "expected"), [
    # titles are often capitalised, and then "of" belongs to the title
    ("Hi, I'm Anna Petrova, a Count Manager at Norsewind.", ("Anna Petrova", "Count Manager", "Norsewind")),
    ("I'm John Smith, Head of Sales at Acme Corp.", ("John Smith", "Head of Sales", "Acme Corp")),
    ("I'm Tom, the lead engineer from Initech, and I will join.", ("Tom", "lead engineer", "Initech")),
    # a department in lower case is where the person works, not an organisation
    ("Hello, this is Lisa Chen from the logistics.", ("Lisa Chen", "logistics", None)),
    ("Я Иван из бухгалтерии.", ("Иван", "бухгалтерии", None)),
])
def test_introductions_with_titles_and_departments(
    text: str, expected: tuple[str, str | None, str | None]
) -> None:
    assert find_introduction(text) == expected


def test_a_diarised_label_introducing_two_people_is_split() -> None:
    from summarizer.speech.speakers import name_speakers
    from summarizer.transcript import Segment, Transcript

    segs = [
        Segment(id="s0001", text="Hi, I'm Anna Petrova from Northwind.", speaker="SPEAKER_00",
                start=0, end=3),
        Segment(id="s0002", text="I'm Mark Olsen from Contoso.", speaker="SPEAKER_01", start=3, end=6),
        Segment(id="s0003", text="Hello, this is Lisa Chen from logistics.", speaker="SPEAKER_00",
                start=6, end=9),
        Segment(id="s0004", text="I'm Anna again, as I said.", speaker="SPEAKER_00", start=9, end=12),
    ]
    diarised = Transcript(segments=segs, meta={"diarization": {"method": "voiceprints"}})
    named = name_speakers(diarised)
    assert named.segments[2].speaker == "SPEAKER_02"
    assert named.speaker_name("SPEAKER_02") == "Lisa Chen"
    assert named.speaker_name("SPEAKER_00") == "Anna Petrova"
    assert named.segments[3].speaker == "SPEAKER_00"  # the same person again is not split
    # labels a transcript file gave are a person's word: never split
    from_file = name_speakers(Transcript(segments=[s.model_copy() for s in segs]))
    assert from_file.segments[2].speaker == "SPEAKER_00"
