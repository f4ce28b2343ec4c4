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


def people(t: Transcript) -> list[tuple[str, str | None, str | None]]:
    return [(p.name, p.position, p.organisation) for p in extract_offline(t).participants]


def test_introductions_give_name_position_and_organisation_in_any_order() -> None:
    furniture = Transcript.from_json((DEV / "ru_office_furniture.json").read_text(encoding="utf-8"))
    assert people(furniture) == [
        ("Алексей Громов", "менеджер по ключевым клиентам", "Офис-Комфорт"),
        ("Наталья Орлова", "руководитель административно-хозяйственного отдела", "Техпром"),
        # "финансовый директор «Техпрома»": the genitive is undone because the call also says «Техпром»
        ("Виктор Зайцев", "финансовый директор", "Техпром"),
    ]
    en = meeting(("SPEAKER_00", "Um, I'm Priya Raman, I'm the account manager at Cirrolane Cloud."),
                 ("SPEAKER_01", "Hi. Sofia Marchetti, I manage IT infrastructure at Greenfield Mutual."),
                 ("SPEAKER_02", "Marco Bellini here, I'm the project manager at Brightframe Exhibits."),
                 ("SPEAKER_03", "Hi everyone, Megan Doyle, marketing director at Harbor and Pine Furniture."),
                 ("Raj", "Yeah, Raj, I lead implementation, so I'm the one who'll get you set up."))
    assert people(en) == [("Priya Raman", "account manager", "Cirrolane Cloud"),
                          ("Sofia Marchetti", "IT infrastructure manager", "Greenfield Mutual"),
                          ("Marco Bellini", "project manager", "Brightframe Exhibits"),
                          ("Megan Doyle", "marketing director", "Harbor and Pine Furniture"),
                          ("Raj", "implementation lead", None)]


def test_a_russian_introduction_in_the_shapes_calls_use() -> None:
    t = meeting(("SPEAKER_00", "Добрый день! Виктория Лебедева, руководитель проектов агентства "
                               "«Вектор Аналитикс»."),
                ("SPEAKER_01", "Здравствуйте. Игорь, закупки. Я по договору и по деньгам."),
                ("SPEAKER_02", "Это Андрей Миронов, коммерческий директор «Логопарк Восток»."),
                ("SPEAKER_03", "Добрый день. Я Игорь Белов, ИТ-директор Альфа-Логистик."),
                ("Irina", "Добрый день. Ирина, юридический отдел."),
                ("SPEAKER_04", "Марина, директор по маркетингу «Атлетики»."), language="ru")
    assert people(t) == [("Виктория Лебедева", "руководитель проектов", "Вектор Аналитикс"),
                         ("Игорь", "закупки", None),
                         ("Андрей Миронов", "коммерческий директор", "Логопарк Восток"),
                         ("Игорь Белов", "ИТ-директор", "Альфа-Логистик"),
                         # the name as said, in the meeting's script; a department is not "отдела"
                         ("Ирина", "юридический отдел", None),
                         # never heard as «Атлетика»: the organisation stays as said
                         ("Марина", "директор по маркетингу", "Атлетики")]


def test_addressing_someone_is_not_an_introduction() -> None:
    t = meeting(("Андрей", "Алло, добрый день! Сергей, слышите нас?"),
                ("SPEAKER_01", "Наталья, пришлите, пожалуйста, реквизиты."),
                ("SPEAKER_02", "Morning, Greg."),
                ("SPEAKER_03", "Сергей, правильно понимаю, что у вас около двух тысяч заказов?"),
                language="ru")
    assert [p.name for p in extract_offline(t).participants] == ["Андрей", "SPEAKER_01", "SPEAKER_02",
                                                                 "SPEAKER_03"]


def test_a_colleague_named_in_passing_shares_the_introducers_organisation() -> None:
    t = meeting(("Hannah", "I'm Hannah Okafor, senior account executive at Ledgerly, and I've got Raj from "
                           "our implementation team with me."),
                ("Raj", "Hi. Yeah, Raj, I lead implementation."),
                ("Claire", "Hello both. Claire Dubois, HR director at Northbeam Logistics. Owen's on the "
                           "call from our side as well."),
                ("Owen", "Hi, Owen Fletcher, I'm the payroll manager."),
                ("Laura", "With me is Tom, he's our design lead."),
                ("Tom", "Hi."))
    got = {p.name: (p.position, p.organisation) for p in extract_offline(t).participants}
    assert got["Raj"] == ("implementation lead", "Ledgerly")
    assert got["Owen Fletcher"] == ("payroll manager", "Northbeam Logistics")
    assert got["Tom"] == ("design lead", None)  # Laura gave no organisation
    assert len(got) == 6  # a colleague named in passing adds nobody


def test_a_first_name_gets_the_surname_the_call_gives_it() -> None:
    t = meeting(("Ольга", "Ольга Белова, «ГородКурьер». Со мной Денис."),
                ("Денис", "Здравствуйте. Денис, руководитель операционного отдела."),
                ("Ольга", "Денис Гаврилов до конца недели пришлёт вам документацию."), language="ru")
    assert [p.name for p in extract_offline(t).participants] == ["Ольга Белова", "Денис Гаврилов"]
    # two different surnames for one first name: none is chosen
    en = meeting(("Marcus", "And I'm Marcus, event coordinator at Keller Biotech."),
                 ("Olivia", "Marcus Lindqvist from Keller, or Marcus Berg from the venue?"))
    assert extract_offline(en).participants[0].name == "Marcus"


def test_a_speaker_named_from_the_audio_still_gets_the_rest_of_the_introduction() -> None:
    from summarizer.speech.speakers import name_speakers

    furniture = Transcript.from_json((DEV / "ru_office_furniture.json").read_text(encoding="utf-8"))
    named = name_speakers(furniture)  # what `summarizer draft` does before extraction
    assert named.person_for("Наталья") is not None  # named, without her position
    got = {p.name: (p.position, p.organisation) for p in extract_offline(named).participants}
    assert got["Наталья Орлова"] == ("руководитель административно-хозяйственного отдела", "Техпром")
    # a roster a person gave is kept as given
    from summarizer.transcript import Person

    given = furniture.model_copy(deep=True)
    given.roster = [Person(name="Наталья Орлова", position="завхоз", labels=["Наталья"])]
    got = {p.name: (p.position, p.organisation) for p in extract_offline(given).participants}
    assert got["Наталья Орлова"] == ("завхоз", None)
