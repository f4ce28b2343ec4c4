"""Speaker roster: spec strings, roster files, and mapping labels to people."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.ingest.read import read_transcript
from summarizer.ingest.roster import apply_roster, load_roster, parse_roster_spec
from summarizer.transcript import Person

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"


def test_spec_with_position_organisation_and_email() -> None:
    person = parse_roster_spec(
        "SPEAKER_00=Ольга Смирнова, руководитель отдела закупок, Альфа-Логистик, olga@alfa.ru"
    )
    assert person == Person(name="Ольга Смирнова", position="руководитель отдела закупок",
                            organisation="Альфа-Логистик", email="olga@alfa.ru", labels=["SPEAKER_00"])


def test_contacts_and_side_in_any_order() -> None:
    person = parse_roster_spec(
        "SPEAKER_01|Андрей=Андрей Козлов, +7 (495) 123-45-67, side=ours, менеджер, a.kozlov@sp.ru, "
        "Северный путь"
    )
    assert person.labels == ["SPEAKER_01", "Андрей"]
    assert (person.position, person.organisation) == ("менеджер", "Северный путь")
    assert (person.email, person.phone, person.side) == ("a.kozlov@sp.ru", "+7 (495) 123-45-67", "ours")
    assert parse_roster_spec("Anna Lee, side=клиент").side == "client"
    keyed = parse_roster_spec("Bob Stone, org=Acme Ltd, position=CTO")
    assert (keyed.name, keyed.position, keyed.organisation) == ("Bob Stone", "CTO", "Acme Ltd")
    assert keyed.labels == []


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("SPEAKER_00=", "no person name"),
        ("=Anna Lee", "empty speaker label"),
        ("Anna Lee, CTO, Acme, board member", "too many fields ('board member'"),
        ("Anna Lee, side=enemy", "side must be 'client' or 'ours', not 'enemy'"),
        ("Anna Lee, a@x.com, b@y.com", "two values for email"),
        ("Anna Lee, fax=123", "unknown field 'fax'"),
    ],
)
def test_bad_specs_explain_themselves(spec: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_roster_spec(spec)
    assert words in str(err.value) and spec.strip() in str(err.value)


def test_load_roster_from_specs_toml_and_txt(samples: Path) -> None:
    people = load_roster("SPEAKER_00=Anna Lee, CTO; SPEAKER_01=Bob Stone, bob@acme.com")
    assert [(p.name, p.labels) for p in people] == [
        ("Anna Lee", ["SPEAKER_00"]), ("Bob Stone", ["SPEAKER_01"]),
    ]
    assert load_roster(["SPEAKER_02=Carl Diaz"])[0].name == "Carl Diaz"

    toml = load_roster(samples / "transcripts" / "roster_ru.toml")
    assert [p.name for p in toml] == ["Ольга Смирнова", "Дмитрий Орлов", "Андрей Козлов"]
    assert toml[0].email == "olga.smirnova@alfa-logistic.ru" and toml[0].side == "client"
    assert toml[2].phone == "+7 495 123-45-67" and toml[2].labels == ["SPEAKER_01"]
    assert load_roster(str(samples / "transcripts" / "roster_ru.toml")) == toml

    txt = load_roster(samples / "transcripts" / "roster_en.txt")
    assert [(p.name, p.side) for p in txt] == [("Sarah Collins", "client"), ("Tom Becker", "ours"),
                                               ("Priya Nair", "ours")]
    assert txt[1].phone == "+44 20 7946 0958"


def test_toml_values_keep_commas(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('[[person]]\nname = "Anna Lee"\norganisation = "Smith, Jones & Co"\nlabels = "S1"\n',
                    encoding="utf-8")
    assert load_roster(path)[0].organisation == "Smith, Jones & Co"
    assert load_roster(path)[0].labels == ["S1"]


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad_roster.txt", 4, "side must be 'client' or 'ours', not 'enemy'"),
        ("bad_roster.toml", 5, "unknown key 'fax'"),
        ("broken_roster.toml", 2, "not a valid TOML roster"),
    ],
)
def test_roster_file_errors_name_file_and_line(name: str, line: int, words: str) -> None:
    path = FIXTURES / name
    with pytest.raises(InputError) as err:
        load_roster(path)
    assert str(err.value).startswith(f"{path}, line {line}: "), str(err.value)
    assert words in str(err.value)


def test_missing_roster_and_conflicting_labels(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.toml: roster file not found"):
        load_roster("nope.toml")
    with pytest.raises(InputError, match="'SPEAKER_00' is given to both Anna Lee and Bob Stone"):
        load_roster("SPEAKER_00=Anna Lee; SPEAKER_00=Bob Stone")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nobody yet\n", encoding="utf-8")
    with pytest.raises(InputError, match="lists nobody"):
        load_roster(empty)


def test_cp1251_roster_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.txt"
    path.write_bytes("SPEAKER_00=Ольга Смирнова, руководитель отдела закупок\r\n".encode("cp1251"))
    assert load_roster(path)[0].position == "руководитель отдела закупок"


def test_apply_roster_keeps_labels(samples: Path) -> None:
    transcript = read_transcript(samples / "transcripts" / "negotiation_en_diarised.txt")
    people = load_roster(samples / "transcripts" / "roster_en.txt")
    named = apply_roster(transcript, people)
    assert named.segments == transcript.segments  # labels untouched
    assert transcript.roster == []  # the input is not modified
    assert [named.speaker_name(s) for s in named.speakers()] == ["Sarah Collins", "Tom Becker", "Priya Nair"]
    person = named.person_for("SPEAKER_01")
    assert person is not None and person.organisation == "Nordpack Supplies"


def test_apply_roster_maps_names_used_as_labels(samples: Path) -> None:
    transcript = read_transcript(samples / "transcripts" / "negotiation_ru_teams.vtt")
    people = load_roster(samples / "transcripts" / "roster_ru.toml")
    named = apply_roster(transcript, people)
    person = named.person_for("Андрей Козлов")
    assert person is not None and person.position == "менеджер по работе с ключевыми клиентами"
    # case, spacing and ё/е differences between the export and the roster still match
    loose = read_transcript(None, text="ОЛЬГА  СМИРНОВА: Добрый день.\nПётр Зуев: Здравствуйте.\n")
    named = apply_roster(loose, [Person(name="Ольга Смирнова", position="руководитель"),
                                 Person(name="Петр Зуев")])
    assert named.speaker_name("ОЛЬГА СМИРНОВА") == "Ольга Смирнова"
    assert named.speaker_name("Пётр Зуев") == "Петр Зуев"
    assert named.speaker_name("Неизвестный") == "Неизвестный"
