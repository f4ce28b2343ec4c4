"""Protocols built directly from the schema for the rendering tests (no extractor involved)."""

from __future__ import annotations

import datetime as dt

from summarizer.schema import (
    Agreement,
    Evidence,
    Flag,
    Issue,
    MeetingHeader,
    NextStep,
    Participant,
    Protocol,
)
from summarizer.transcript import Segment, Transcript

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def russian_protocol() -> Protocol:
    return Protocol(
        language="ru",
        header=MeetingHeader(
            title="Переговоры о внедрении CRM",
            date=dt.date(2026, 11, 25),
            start_time=dt.time(10, 0),
            end_time=dt.time(11, 30),
            place="Москва, ул. Тверская, 1",
            platform="Zoom",
            organisations=["ООО «Ромашка»", "АО «Вектор»"],
        ),
        participants=[
            Participant(name="Иван Петров", position="Менеджер проекта", organisation="ООО «Ромашка»",
                        side="ours", email="petrov@romashka.ru", phone="+7 900 000-00-01"),
            Participant(name="Мария Сидорова", position="Финансовый директор", organisation="АО «Вектор»",
                        side="client", email="sidorova@vector.ru"),
        ],
        purpose="Согласовать сроки пилотного внедрения",
        results=["Пилот стартует в декабре", "Бюджет согласован в пределах 2 млн руб."],
        issues=[
            Issue(
                id="i1",
                title="Сроки интеграции с 1С",
                summary="Клиент опасается задержек из-за обновления 1С.",
                solutions=["Начать с выгрузки справочников", "Перенести интеграцию на второй этап"],
                evidence=[Evidence(segment_ids=["s0003"], quote="обновление 1С у нас в декабре",
                                   status="verified", start=221.0, speaker="Мария Сидорова")],
            )
        ],
        agreements=[
            Agreement(
                id="a1",
                text="Подготовить коммерческое предложение на пилот",
                responsible="Иван Петров",
                due_date=dt.date(2026, 11, 27),
                due_phrase="до пятницы",
                evidence=[Evidence(segment_ids=["s0005"], quote="пришлю КП до пятницы", status="verified",
                                   start=305.5, speaker="Иван Петров")],
            ),
            Agreement(id="a2", text="Согласовать доступ к тестовой базе 1С",
                      flags=[Flag(code="no_owner", message="Не назван ответственный", item_id="a2")]),
        ],
        next_steps=[
            NextStep(id="n1", action="Созвониться по итогам КП", owner="Мария Сидорова",
                     due_date=dt.date(2026, 12, 2), due_phrase="в следующую среду",
                     evidence=[Evidence(segment_ids=["s0007"], quote="созвонимся в следующую среду")]),
        ],
        open_questions=["Кто со стороны клиента подписывает акт?"],
        closing="Стороны подвели итоги и поблагодарили друг друга за встречу.",
        flags=[Flag(code="unknown_speaker", message="Спикер SPEAKER_02 не опознан")],
    )


def russian_transcript() -> Transcript:
    return Transcript(
        language="ru",
        segments=[
            Segment(id="s0003", text="Да, обновление 1С у нас в декабре.", start=221.0, end=225.0,
                    speaker="SPEAKER_01"),
            Segment(id="s0005", text="Хорошо, пришлю КП до пятницы.", start=305.5, end=309.0,
                    speaker="SPEAKER_00"),
            Segment(id="s0007", text="Тогда созвонимся в следующую среду.", start=1501.0, end=1504.0,
                    speaker="SPEAKER_01"),
        ],
        roster=[],
    )


def english_protocol() -> Protocol:
    return Protocol(
        language="en",
        header=MeetingHeader(
            title="Website redesign kick-off",
            date=dt.date(2026, 11, 25),
            start_time=dt.time(15, 0),
            end_time=dt.time(16, 0),
            platform="Google Meet",
            organisations=["Acme Ltd", "Globex"],
        ),
        participants=[
            Participant(name="John Smith", position="Account manager", organisation="Acme Ltd", side="ours",
                        email="john@acme.test"),
            Participant(name="Alice Brown", position="CMO", organisation="Globex", side="client",
                        phone="+44 20 0000 0000"),
        ],
        purpose="Agree the scope of the redesign",
        results=["Scope agreed for phase one"],
        issues=[
            Issue(id="i1", title="Content migration", summary="Globex has 400 legacy pages.",
                  solutions=["Migrate only the top 50 pages"], status="resolved",
                  evidence=[Evidence(segment_ids=["s0002"], quote="we have about four hundred pages",
                                     status="verified", start=95.0, speaker="Alice Brown")]),
        ],
        agreements=[
            Agreement(id="a1", text="Send the sitemap proposal", responsible="John Smith",
                      due_date=dt.date(2026, 11, 30), due_phrase="by end of month",
                      evidence=[Evidence(segment_ids=["s0004"], quote="I'll send the sitemap by end of month",
                                         status="verified", start=3701.0, speaker="John Smith")]),
        ],
        next_steps=[NextStep(id="n1", action="Book the design workshop", owner="Alice Brown")],
        closing="John thanked everyone for the productive session.",
    )
