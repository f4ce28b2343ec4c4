"""The protocol header and parties: platform, place, time, sides, title and client from the evidence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.extract.header import (
    assign_sides,
    canonical_platform,
    default_client,
    default_title,
    find_place,
    find_platform,
    normalise_organisation,
    ordered_organisations,
    same_organisation,
)
from summarizer.extract.meeting_header import HeaderOptions, complete_header, parse_time_option
from summarizer.ingest.cues import vtt_flavour
from summarizer.ingest.read import read_transcript
from summarizer.pipeline import run_draft
from summarizer.schema import MeetingHeader, Participant, Protocol
from summarizer.store.database import Store
from summarizer.transcript import Person, Segment, Transcript


def _transcript(*lines: str | tuple[str, str], language: str = "ru", **kw: object) -> Transcript:
    segs = []
    for i, line in enumerate(lines):
        speaker, text = line if isinstance(line, tuple) else (None, line)
        segs.append(Segment(id=f"s{i + 1:04d}", text=text, start=i * 10.0, end=i * 10.0 + 9, speaker=speaker))
    return Transcript(segments=segs, language=language, **kw)  # type: ignore[arg-type]


def _people(*specs: tuple[str, str | None]) -> list[Participant]:
    return [Participant(name=name, organisation=org) for name, org in specs]


# -- platform --------------------------------------------------------------------------------------
def test_vtt_flavour_of_sample_exports(samples: Path) -> None:
    teams = read_transcript(samples / "transcripts" / "negotiation_ru_teams.vtt")
    zoom = read_transcript(samples / "transcripts" / "negotiation_en_zoom.vtt")
    srt = read_transcript(samples / "transcripts" / "negotiation_ru.srt")
    assert (teams.meta["export_flavour"], zoom.meta["export_flavour"]) == ("teams", "zoom")
    assert "export_flavour" not in srt.meta
    # voice tags alone are plain WebVTT: no platform claimed
    plain = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Anna>Hello</v>\n\n" \
            "00:00:02.000 --> 00:00:03.000\n<v Mark>Hi</v>\n"
    assert vtt_flavour(plain) is None


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("Коллеги, у нас сегодня созвон в Zoom, всех слышно?", "ru", "Zoom"),
    ("Мы сейчас в Тимсе, я включу запись.", "ru", "Microsoft Teams"),
    ("Встречаемся по Телемосту, как обычно.", "ru", "Яндекс Телемост"),
    ("Hi all, we're on Teams today so I'll share my screen.", "en", "Microsoft Teams"),
    ("Thanks for joining this Zoom call.", "en", "Zoom"),
    ("Let's do the call via Google Meet.", "en", "Google Meet"),
])
def test_platform_said_in_the_meeting(text: str, language: str, expected: str) -> None:
    found = find_platform(_transcript("Добрый день.", text, language=language))
    assert found is not None
    assert (found.value, found.origin, found.segment_id) == (expected, "transcript", "s0002")
    assert found.quote and found.quote in text


@pytest.mark.parametrize("text", [
    "Следующий созвон в Zoom в пятницу.",  # another meeting
    "В прошлый раз в Zoom было плохо слышно.",
    "Zoom у нас заблокирован службой безопасности.",  # a mention, not where we are
    "Let's have the next call on Teams.",
    "We are not on Zoom any more.",
])
def test_platform_mentions_that_are_not_this_call_are_ignored(text: str) -> None:
    assert find_platform(_transcript(text)) is None


def test_canonical_platform() -> None:
    assert canonical_platform("teams") == "Microsoft Teams"
    assert canonical_platform(" zoom ") == "Zoom"
    assert canonical_platform("Jitsi") == "Jitsi"  # unknown names are kept as typed


# -- place -----------------------------------------------------------------------------------------
def test_place_said_ru_and_en() -> None:
    said = "Сегодня встречаемся в офисе на Тверской, спасибо, что приехали."
    ru = find_place(_transcript("Добрый день!", said))
    assert ru is not None and (ru.value, ru.segment_id) == ("Офис на Тверской", "s0002")
    assert ru.quote == "встречаемся в офисе на Тверской"
    people = [Participant(name="Anna Petrova", organisation="Northwind", speaker_labels=["SPEAKER_00"])]
    said = "Welcome, everyone, to our meeting here in our office in Berlin."
    en = find_place(_transcript(("SPEAKER_00", said), language="en"), people)
    assert en is not None and en.value == "Northwind office in Berlin"
    # without knowing whose office "our" is, the words stay as said
    en = find_place(_transcript("Welcome to our office in Berlin.", language="en"))
    assert en is not None and en.value == "Office in Berlin"


def test_place_not_guessed_from_other_mentions() -> None:
    assert find_place(_transcript("В следующий раз встречаемся в офисе на Тверской.")) is None
    assert find_place(_transcript("Документы лежат в офисе.")) is None
    assert find_place(_transcript("We will ship from our warehouse in Leeds.", language="en")) is None


# -- sides -----------------------------------------------------------------------------------------
def test_organisation_names_compare_normalised() -> None:
    assert normalise_organisation("ООО «Северный Путь»") == "северный путь"
    assert same_organisation("ООО «Северный путь»", "Северный Путь")
    assert same_organisation("Northwind", "Northwind Traders Ltd")
    assert same_organisation("Альфа-Логистик", "Альфа Логистик")
    assert not same_organisation("Northwind", "Contoso")
    assert not same_organisation("Альфа-Логистик", "Альфа-Банк")


def test_sides_from_company_and_roster() -> None:
    people = _people(("Anna Petrova", "Northwind Ltd"), ("Mark Olsen", "Contoso"), ("Guest", None))
    roster = [Person(name="Mark Olsen", side="ours")]  # e.g. a contractor on our side
    derived = assign_sides(people, "Northwind", roster)
    assert [p.side for p in people] == ["ours", "ours", "unknown"]
    assert derived == ["Anna Petrova"]


def test_no_company_no_sides() -> None:
    people = _people(("Anna Petrova", "Northwind"), ("Mark Olsen", "Contoso"))
    assert assign_sides(people, None, []) == []
    assert [p.side for p in people] == ["unknown", "unknown"]
    # the roster still speaks
    assign_sides(people, None, [Person(name="anna petrova", side="client")])
    assert people[0].side == "client"


# -- title and client ------------------------------------------------------------------------------
def test_title_from_organisations_ours_first_else_purpose() -> None:
    people = _people(("Ольга", "Альфа-Логистик"), ("Андрей", "Северный путь"))
    people[0].side, people[1].side = "client", "ours"
    orgs = ordered_organisations(people, ["ООО «Альфа-Логистик»"])
    assert orgs == ["Северный путь", "Альфа-Логистик"]
    title = default_title(orgs, None, "ru")
    assert title is not None and (title.value, title.origin) == ("Переговоры: Северный путь — Альфа-Логистик",
                                                                 "organisations")
    title = default_title([], "agree the delivery terms for the spring packaging order and the penalties "
                              "for late deliveries in the Midlands region", "en")
    assert title is not None and title.origin == "purpose" and title.value.endswith("…")
    assert len(title.value) <= 71 and title.value.startswith("agree the delivery terms")
    assert default_title(["Northwind", "Contoso"], None, "en").value == "Meeting: Northwind — Contoso"  # type: ignore[union-attr]
    assert default_title([], None, "en") is None


def test_client_only_when_the_client_side_names_one_organisation() -> None:
    people = _people(("A", "Northwind"), ("B", "Contoso"), ("C", "Contoso Ltd"))
    people[0].side, people[1].side, people[2].side = "ours", "client", "client"
    found = default_client(people)
    assert found is not None and found.value == "Contoso"
    people[2].organisation = "Fabrikam"
    assert default_client(people) is None  # two client organisations: not ours to choose
    assert default_client(_people(("A", "Contoso"))) is None  # side unknown


# -- the header step -------------------------------------------------------------------------------
def _protocol(language: str = "ru") -> Protocol:
    return Protocol(language=language, header=MeetingHeader(date=dt.date(2026, 11, 25),
                                                            organisations=["Northwind", "Contoso"]),
                    participants=_people(("Anna Petrova", "Northwind"), ("Mark Olsen", "Contoso")),
                    purpose="Agree delivery terms")


def test_complete_header_derives_and_flags_each_value() -> None:
    transcript = _transcript("Hi, we're on Teams today.", "Bye.", language="en", duration=3600.0 + 300,
                             meta={"export_flavour": "zoom"})
    protocol = _protocol("en")
    result = complete_header(protocol, transcript, HeaderOptions(), company="Northwind",
                             recorded_start=dt.time(9, 30, 12))
    h = protocol.header
    # the export format outranks words; the words would have said Teams
    assert (h.platform, h.start_time, h.end_time) == ("Zoom", dt.time(9, 30), dt.time(10, 35))
    assert h.title == "Meeting: Northwind — Contoso" and result.client == "Contoso"
    assert [p.side for p in protocol.participants] == ["ours", "client"]
    assert {k: v["origin"] for k, v in result.record.items()} == {
        "sides": "company setting", "platform": "export", "start_time": "metadata",
        "end_time": "start+last timestamp", "title": "organisations", "client": "participants"}
    messages = " ".join(f.message for f in result.flags)
    assert {f.code for f in result.flags} == {"header_assumed"}
    assert "Platform \"Zoom\"" in messages and "metadata (09:30)" in messages and "01:05:00" in messages
    assert "Northwind is our side" in messages


def test_complete_header_options_override_and_are_not_flagged() -> None:
    transcript = _transcript("Созвон в Zoom.", "Встречаемся в офисе на Тверской.", duration=1800.0,
                             meta={"export_flavour": "teams"})
    protocol = _protocol()
    options = HeaderOptions(title="Поставки 2027", client="Fabrikam", place="Переговорная 3",
                            platform="skype", start=dt.time(14, 0))
    result = complete_header(protocol, transcript, options, company=None, recorded_start=dt.time(9, 0))
    h = protocol.header
    assert (h.title, h.place, h.platform, h.start_time, h.end_time) == (
        "Поставки 2027", "Переговорная 3", "Skype", dt.time(14, 0), dt.time(14, 30))
    assert result.client == "Fabrikam" and "Fabrikam" in h.organisations
    assert [p.side for p in protocol.participants] == ["unknown", "unknown"]
    # only the computed end time is an inference
    assert [f.message.split(":")[0] for f in result.flags] == ["Время окончания рассчитано"]
    assert result.record["start_time"] == {"value": "14:00", "origin": "option"}


def test_complete_header_without_evidence_fills_nothing() -> None:
    protocol = Protocol(language="en", participants=_people(("Anna", None)))
    transcript = _transcript("Hello.", "Zoom is blocked here.", language="en")
    result = complete_header(protocol, transcript, HeaderOptions(), company="Northwind")
    h = protocol.header
    assert (h.title, h.place, h.platform, h.start_time, h.end_time) == (None, None, None, None, None)
    assert (result.client, result.record, result.flags) == (None, {}, [])


@pytest.mark.parametrize(("value", "expected"), [("14:30", dt.time(14, 30)), ("9:05", dt.time(9, 5)),
                                                 (None, None)])
def test_parse_time_option(value: str | None, expected: dt.time | None) -> None:
    assert parse_time_option(value) == expected


@pytest.mark.parametrize("value", ["25:00", "14", "2pm", "14:3", "14:30:00"])
def test_parse_time_option_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_time_option(value)


# -- the whole draft -------------------------------------------------------------------------------
def test_teams_vtt_draft_has_platform_sides_time_and_a_readable_id(samples: Path) -> None:
    settings = load_settings(overrides={"company": "ООО «Северный Путь»"})
    result = run_draft(samples / "transcripts" / "negotiation_ru_teams.vtt", settings,
                       meeting_date=dt.date(2026, 11, 25), start_time=dt.time(10, 0))
    protocol = result.version.protocol
    h = protocol.header
    assert result.meeting.id == "2026-11-25-alfa-logistik"
    assert result.meeting.client == "Альфа-Логистик"
    assert (h.platform, h.start_time, h.end_time) == ("Microsoft Teams", dt.time(10, 0), dt.time(10, 2))
    assert h.title == "Переговоры: Северный путь — Альфа-Логистик"
    sides = {p.name: p.side for p in protocol.participants}
    assert sides == {"Андрей Козлов": "ours", "Ольга Смирнова": "client", "Дмитрий Орлов": "client"}
    assert result.transcript.meta["meeting_header"]["platform"] == {  # type: ignore[index]
        "value": "Microsoft Teams", "origin": "export"}
    assert any(f.code == "header_assumed" and "Microsoft Teams" in f.message for f in result.attention)
    md = result.files["md"].read_text(encoding="utf-8")
    assert "**Платформа:** Microsoft Teams" in md and "**Время:** 10:00–10:02" in md
    # the configured company and the name said in the call are one party, named once
    assert "между ООО «Северный Путь» и «Альфа-Логистик»" in md
    with Store(settings) as store:
        assert store.get_meeting("2026-11-25-alfa").id == result.meeting.id


def test_draft_without_company_assumes_the_host_is_our_side(samples: Path) -> None:
    result = run_draft(samples / "transcripts" / "negotiation_en_zoom.vtt", load_settings(),
                       meeting_date=dt.date(2026, 11, 25), platform="Google Meet", place="Room 4")
    h = result.version.protocol.header
    assert (h.platform, h.place) == ("Google Meet", "Room 4")
    # two organisations and no company setting: the side that opened the call is ours, the other the
    # client, and the reviewer is told it is an assumption
    assert result.meeting.client == "Nordpack Supplies"
    assert result.meeting.id.startswith("2026-11-25-nordpack-supplies")
    sides = {p.organisation: p.side for p in result.version.protocol.participants if p.organisation}
    assert sides == {"Brightline Retail": "ours", "Nordpack Supplies": "client"}
    assert any(f.code == "header_assumed" and "Brightline Retail" in f.message
               for f in result.version.protocol.flags)


def test_client_option_gives_both_sides() -> None:
    people = [Participant(name="Ольга", organisation="Альфа-Логистик"),
              Participant(name="Андрей", organisation="Север"), Participant(name="Гость")]
    derived = assign_sides(people, None, [], client="Альфа-Логистик")
    assert [p.side for p in people] == ["client", "ours", "unknown"]
    assert derived == ["Ольга", "Андрей"]


def test_missing_time_and_place_are_flagged_for_the_reviewer() -> None:
    transcript = _transcript("Добрый день.", "До свидания.")
    protocol = _protocol()
    complete_header(protocol, transcript, HeaderOptions(), company=None)
    missing = [f.message for f in protocol.flags if f.code == "header_missing"]
    assert len(missing) == 2 and "--time" in missing[0] and "--platform" in missing[1]
    protocol = _protocol()
    complete_header(protocol, transcript, HeaderOptions(place="Офис", start=dt.time(10, 0)), company=None)
    assert not [f for f in protocol.flags if f.code == "header_missing"]
