"""Third-person protocol statements from first-person speech (issue 11, item 10), with real Russian
morphology (pymorphy3 and its dictionaries)."""

from __future__ import annotations

import pytest

from summarizer.extract.third_person import third_person

RU = [
    ("Я пришлю доступы к тестовой среде.", "Игорь Петров", None, False,
     "Игорь Петров пришлёт доступы к тестовой среде"),
    ("Протокол встречи я пришлю сегодня до конца дня.", "Дмитрий Ковалёв", "СеверСофт", False,
     "Дмитрий Ковалёв пришлёт протокол встречи сегодня до конца дня"),
    ("Хорошо, а доступы к тестовой базе 1С мы выдадим в понедельник.", "Игорь Белов", "Альфа-Логистик", False,
     "Альфа-Логистик выдаст доступы к тестовой базе 1С в понедельник"),
    ("А я до пятнадцатого декабря подготовлю график разгрузки и отправлю Андрею.", "Дмитрий Орлов",
     None, False,
     "Дмитрий Орлов до пятнадцатого декабря подготовит график разгрузки и отправит Андрею"),
    ("Я подготовила проект договора.", "Ольга Смирнова", None, False,
     "Ольга Смирнова подготовила проект договора"),
    ("Фиксируем десятое февраля.", None, None, True, "Стороны фиксируют десятое февраля"),
    ("Встречаемся во вторник и смотрим договор.", "Анна", None, True,
     "Стороны встречаются во вторник и смотрят договор"),
    ("Обучение пользователей мы проведём через две недели.", "Дмитрий Ковалёв", "СеверСофт", True,
     "СеверСофт проведёт обучение пользователей через две недели"),
    ("Я пришлю договор завтра, моя почта olga@alfa.ru.", "Ольга Смирнова", None, False,
     "Ольга Смирнова пришлёт договор завтра"),
]
EN = [
    ("I will send the signed contract by Friday.", "Mark Olsen", "Contoso", "Mark Olsen will send the signed "
     "contract by Friday"),
    ("Perfect. I'll send the updated proposal by Friday.", "Anna Petrova", None,
     "Anna Petrova will send the updated proposal by Friday"),
    ("We'll update the demo paper.", "John", "ACME", "ACME will update the demo paper"),
    ("I'm going to prepare the draft.", "Anna", None, "Anna is going to prepare the draft"),
    ("Let me send you the slides tomorrow.", "Anna", None, "Anna will send you the slides tomorrow"),
    ("And my email is sale at norsewind.com.", "Anna", None, "Anna's email is sale at norsewind.com"),
    ("I'll get our IT team to open the access by Monday.", "John Miller", "Northwind",
     "John Miller will get Northwind's IT team to open the access by Monday"),
    # the bundled sample: the address dictated after the task is a contact, not part of the action
    ("And I will send the revised quote tomorrow, my email is salenetnorthwind.com.", "Anna Petrovna", None,
     "Anna Petrovna will send the revised quote tomorrow"),
    ("I will send you our phone numbers tomorrow.", "Anna", None,
     "Anna will send you our phone numbers tomorrow"),
]


@pytest.mark.parametrize(("said", "person", "side", "joint", "expected"), RU)
def test_russian(said: str, person: str | None, side: str | None, joint: bool, expected: str) -> None:
    assert third_person(said, "ru", person, side, joint=joint) == expected


@pytest.mark.parametrize(("said", "person", "side", "expected"), EN)
def test_english(said: str, person: str, side: str | None, expected: str) -> None:
    assert third_person(said, "en", person, side) == expected


def test_without_a_subject_the_words_stay() -> None:
    # nobody to name: the statement is left as said (minus the filler), never guessed
    assert third_person("Хорошо, я пришлю договор.", "ru", None) == "Я пришлю договор"
    assert third_person("Okay, I will send it.", "en", None) == "I will send it"


def test_joint_meeting_steps_are_the_parties() -> None:
    assert third_person("We meet again next Tuesday to review the contract.", "en", "Mark", "Contoso",
                        joint=True) == "The parties meet again next Tuesday to review the contract"
    assert third_person("Мы встретимся во вторник.", "ru", "Игорь", "Север", joint=True) == \
        "Стороны встретятся во вторник"
    # what one side does stays theirs
    assert third_person("We will deliver the first batch.", "en", "Lisa", "Contoso", joint=True) == \
        "Contoso will deliver the first batch"


def test_an_accepted_offer_names_the_side_that_delivers() -> None:
    from summarizer.extract.offline import extract_offline
    from summarizer.transcript import Segment, Transcript

    transcript = Transcript(language="ru", segments=[
        Segment(id="s0001", speaker="SPEAKER_00",
                text="Меня зовут Игорь Петров, я руководитель отдела продаж в компании Север."),
        Segment(id="s0002", speaker="SPEAKER_01", text="Когда вы сможете доставить товар?"),
        Segment(id="s0003", speaker="SPEAKER_00", text="Мы можем доставить товар двадцатого декабря."),
        Segment(id="s0004", speaker="SPEAKER_01", text="Договорились."),
    ])
    (agreement,) = extract_offline(transcript).agreements
    assert agreement.text == "Север может доставить товар двадцатого декабря"
    assert agreement.responsible == "Игорь Петров"


def test_the_you_of_an_accepted_offer_is_the_side_that_accepted_it() -> None:
    """The bundled sample's agreement read "Norsewind can offer 5% if you sign a 12 month contract"."""
    assert third_person("We can offer 5% if you sign a 12 month contract.", "en", "Anna Petrova", "Northwind",
                        joint=True, addressee="Marco Olsen") == \
        "Northwind can offer 5% if Marco Olsen signs a 12 month contract"
    assert third_person("We can deliver to your warehouse if you can unload on weekends.", "en", "Anna",
                        "Northwind", joint=True, addressee="Contoso") == \
        "Northwind can deliver to Contoso's warehouse if Contoso can unload on weekends"
    # nobody known to address: the words stay
    assert third_person("We can offer 5% if you sign.", "en", "Anna", "Northwind", joint=True) == \
        "Northwind can offer 5% if you sign"


def test_an_accepted_offer_names_who_accepted_it() -> None:
    import datetime as dt

    from summarizer.extract.offline import extract_offline
    from summarizer.transcript import Segment, Transcript, make_segment_id

    lines = [("Anna", "Hi, I'm Anna Petrova, account manager at Northwind."),
             ("Mark", "Good morning. I'm Mark Olsen, Purchasing Lead at Contoso."),
             ("Anna", "We can offer 5% if you sign a 12 month contract."),
             ("Mark", "5% works.")]
    transcript = Transcript(segments=[Segment(id=make_segment_id(i), text=t, speaker=s, start=i * 5.0)
                                      for i, (s, t) in enumerate(lines)], language="en")
    protocol = extract_offline(transcript, meeting_date=dt.date(2026, 11, 25))
    # "Purchasing Lead at Contoso" is read now, and the "you" of an accepted offer is the company
    assert [a.text for a in protocol.agreements] == [
        "Northwind can offer 5% if Contoso signs a 12 month contract"]
