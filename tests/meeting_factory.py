"""Protocols and meetings built from the schema classes, for the meeting-record tests."""

from __future__ import annotations

import datetime as dt

from summarizer.config import load_settings
from summarizer.schema import Agreement, Evidence, Flag, Issue, MeetingHeader, NextStep, Participant, Protocol
from summarizer.store.database import MeetingRecord, Store


def make_protocol(language: str = "en") -> Protocol:
    protocol = Protocol(
        language=language,
        header=MeetingHeader(title="Delivery schedule", date=dt.date(2026, 11, 25), platform="Zoom",
                             start_time=dt.time(10, 0), organisations=["Alfa Logistik", "Our Studio"]),
        participants=[
            Participant(name="Anna Petrova", position="Project manager", organisation="Our Studio",
                        side="ours", email="anna@studio.test", speaker_labels=["SPEAKER_00"]),
            Participant(name="Boris Klein", position="COO", organisation="Alfa Logistik", side="client",
                        email="boris@alfa.test", speaker_labels=["SPEAKER_01"]),
            Participant(name="Carl Unknown", side="unknown"),
        ],
        purpose="Agree the delivery schedule for the warehouse app",
        results=["Pilot starts in December"],
        results_by_reviewer=True,  # written by a person: kept whatever the items become
        issues=[
            Issue(title="Warehouse delays", summary="Scanners arrive late", solutions=["Rent scanners"],
                  evidence=[Evidence(segment_ids=["s0003"], quote="the scanners are late", status="verified",
                                     start=12.0, speaker="SPEAKER_01")]),
        ],
        agreements=[
            Agreement(text="Send the pilot plan", responsible="Anna Petrova", due_date=dt.date(2026, 11, 27),
                      due_phrase="by Friday",
                      evidence=[Evidence(segment_ids=["s0005"], quote="I'll send the plan by Friday",
                                         status="verified", start=30.0, speaker="SPEAKER_00")]),
            Agreement(text="Check the budget", responsible=None,
                      evidence=[Evidence(segment_ids=["s0007"], quote="someone should check the budget",
                                         status="fuzzy", score=91.0)],
                      flags=[Flag(code="no_owner", message="no responsible person", item_id="a2")]),
        ],
        next_steps=[NextStep(action="Book the next call", owner="Boris Klein",
                             evidence=[Evidence(segment_ids=["s0009"], quote="let's meet again")])],
        open_questions=["Who pays for the scanners?"],
        closing="Thanks everyone.",
        flags=[Flag(code="unknown_speaker", message="SPEAKER_02 is not in the roster")],
    )
    protocol.assign_ids()
    for agreement in protocol.agreements:
        for flag in agreement.flags:
            flag.item_id = agreement.id
    return protocol


def make_store() -> Store:
    return Store(load_settings())


def make_meeting(store: Store, *, client: str = "Alfa Logistik", language: str = "en") -> MeetingRecord:
    meeting = store.create_meeting(title="Delivery schedule", client=client,
                                   meeting_date=dt.date(2026, 11, 25), language=language)
    store.add_version(meeting.id, make_protocol(language), source="extracted", author="pipeline")
    return store.get_meeting(meeting.id)


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it receives."""

    def __init__(self, **controller_options: object) -> None:
        import socket

        from aiosmtpd.controller import Controller

        self.messages: list[dict[str, object]] = []
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     **controller_options)  # type: ignore[arg-type]

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append({
            "from": envelope.mail_from,  # type: ignore[attr-defined]
            "to": list(envelope.rcpt_tos),  # type: ignore[attr-defined]
            "data": envelope.original_content or envelope.content,  # type: ignore[attr-defined]
        })
        return "250 OK"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
