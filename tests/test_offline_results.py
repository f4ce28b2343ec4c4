"""Results regenerated on each version unless the reviewer wrote them (issue 11, item 8); participants,
sides and missing header values (item 11)."""

from __future__ import annotations

from pathlib import Path

from summarizer.approval.review import merge_edit
from summarizer.extract.meeting_header import HeaderOptions, complete_header
from summarizer.extract.offline import extract_offline
from summarizer.extract.results import results_for
from summarizer.transcript import Segment, Transcript

ROOT = Path(__file__).resolve().parent.parent


def _meeting(lines: list[tuple[str, str]], language: str) -> Transcript:
    return Transcript(language=language, segments=[
        Segment(id=f"s{i + 1:04d}", text=text, speaker=speaker) for i, (speaker, text) in enumerate(lines)])


RU = [
    ("SPEAKER_00", "Меня зовут Андрей Козлов, я менеджер в компании Север."),
    ("SPEAKER_01", "Здравствуйте. Меня зовут Ольга Смирнова, я руководитель отдела закупок в компании Альфа. "
                   "Со мной Игорь Петров, наш ИТ-директор."),
    ("SPEAKER_00", "Предлагаю запуск первого февраля."),
    ("SPEAKER_01", "Нас устраивает."),
    ("SPEAKER_00", "Предлагаю оплату пятьдесят на пятьдесят."),
    ("SPEAKER_01", "Пятьдесят на пятьдесят подходит."),
    ("SPEAKER_00", "Я пришлю договор до пятницы."),
]


def test_results_follow_each_version_until_a_reviewer_writes_them() -> None:
    base = extract_offline(_meeting(RU, "ru"))
    assert len(base.agreements) == 2 and base.results == results_for(base)
    assert "2" not in base.results[0]  # sentences, not a count
    # the reviewer drops an agreement: the next version's results say so
    edited = base.model_copy(deep=True)
    dropped = edited.agreements.pop(0)
    version2 = merge_edit(base, edited)
    assert not version2.results_by_reviewer
    assert dropped.text not in " ".join(version2.results)
    assert version2.results == results_for(version2)
    # the reviewer writes the results: kept, and kept on later versions too
    edited = version2.model_copy(deep=True)
    edited.results = ["Стороны согласовали оплату 50/50."]
    version3 = merge_edit(version2, edited)
    assert version3.results_by_reviewer and version3.results == ["Стороны согласовали оплату 50/50."]
    edited = version3.model_copy(deep=True)
    edited.next_steps.clear()
    version4 = merge_edit(version3, edited)
    assert version4.results == ["Стороны согласовали оплату 50/50."]


def test_colleague_introduced_with_an_acronym_title_gets_position_and_company() -> None:
    protocol = extract_offline(_meeting(RU, "ru"))
    people = {p.name: (p.position, p.organisation) for p in protocol.participants}
    assert people["Игорь Петров"] == ("ИТ-директор", "Альфа")


def test_client_option_sets_both_sides_and_missing_header_is_flagged() -> None:
    transcript = _meeting(RU, "ru")
    protocol = extract_offline(transcript)
    result = complete_header(protocol, transcript, HeaderOptions(client="Альфа"), company=None)
    sides = {p.name: p.side for p in protocol.participants}
    assert sides == {"Андрей Козлов": "ours", "Ольга Смирнова": "client", "Игорь Петров": "client"}
    assert result.client == "Альфа"
    codes = [f.code for f in protocol.flags]
    assert codes.count("header_missing") == 2  # no time, no place or platform


def test_english_sample_names_the_client_company() -> None:
    """samples/meeting_en.script.txt: Anna (Northwind) runs the call with Mark (Contoso)."""
    lines = []
    for row in (ROOT / "samples" / "meeting_en.script.txt").read_text(encoding="utf-8").splitlines():
        if row.startswith("#") or not row.strip():
            continue
        speaker, *_, text = row.split("|")
        lines.append((speaker, text))
    transcript = _meeting(lines, "en")
    protocol = extract_offline(transcript)
    result = complete_header(protocol, transcript, HeaderOptions(), company=None)
    assert result.client == "Contoso"
    sides = {p.organisation: p.side for p in protocol.participants if p.organisation}
    assert sides == {"Northwind": "ours", "Contoso": "client"}
    assert protocol.header.organisations.count("Northwind") == 1
