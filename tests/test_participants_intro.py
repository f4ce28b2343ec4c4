"""A name said alone at the start of someone's first turn is their name (dev samples and lines)."""

from __future__ import annotations

from pathlib import Path

from summarizer.extract.offline import extract_offline
from summarizer.transcript import Segment, Transcript

DEV = Path(__file__).resolve().parent.parent / "samples" / "gold" / "dev"


def names(t: Transcript) -> list[str]:
    return [p.name for p in extract_offline(t).participants]


def meeting(*lines: tuple[str, str], language: str = "en") -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i:04d}", text=text, start=i * 5.0, end=i * 5.0 + 4.0, speaker=who)
        for i, (who, text) in enumerate(lines, 1)])


def test_a_bare_name_after_a_greeting_names_an_unlabelled_speaker() -> None:
    cloud = Transcript.from_json((DEV / "en_cloud_migration.json").read_text(encoding="utf-8"))
    # "Morning. Daniel Kowalski. Yeah, I'll be your technical lead." / "Hi. Sofia Marchetti, I manage IT…"
    assert names(cloud)[:3] == ["Priya Raman", "Daniel Kowalski", "Sofia Marchetti"]
    ru = meeting(("SPEAKER_00", "Здравствуйте. Виктор Зайцев, финансовый директор «Техпрома»."),
                 ("SPEAKER_01", "Добрый день."), language="ru")
    assert names(ru) == ["Виктор Зайцев", "SPEAKER_01"]


def test_what_only_looks_like_a_name_is_not_one() -> None:
    t = meeting(("SPEAKER_00", "Hi Greg, can you hear me?"),  # a greeting, not a name
                ("SPEAKER_01", "Yes. Northwind Freight, as you know, runs seven days a week."),  # not first
                ("SPEAKER_02", "Thanks. We will see."),
                ("SPEAKER_02", "Anna Petrova."))  # not in the speaker's first turn
    assert names(t) == ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"]
    # a label that is a name already is not renamed by a bare name
    assert names(meeting(("Anna", "Morning. John Miller."))) == ["Anna"]
