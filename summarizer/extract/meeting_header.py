"""Fill the protocol's header and parties from what the run knows, and say where each value came from.

Runs after extraction. The user's options win; then the recording and the transcript's export format;
then what was said (``summarizer.extract.header``). Each value filled here is recorded in
``transcript.meta["meeting_header"]`` (value, origin, quote and segment when said), and every value
that is an inference rather than the user's word gets a ``header_assumed`` flag naming its source,
like ``meeting_date_assumed`` does for the date. Nothing without support is filled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from summarizer.extract.header import (
    Found,
    assign_sides,
    canonical_platform,
    default_client,
    default_title,
    find_place,
    find_platform,
    host_organisation,
    ordered_organisations,
    platform_from_flavour,
)
from summarizer.schema import Flag, Protocol
from summarizer.transcript import Transcript, format_timestamp

FLAG_CODE = "header_assumed"
MISSING_CODE = "header_missing"  # time, or place and platform, that nothing supports

_MESSAGES = {
    "ru": {
        "platform_export": "Платформа «{value}» определена по формату файла расшифровки; укажите --platform, "
                           "чтобы задать её.",
        "platform_transcript": "Платформа «{value}» взята из слов «{quote}» ({segment}); укажите --platform, "
                               "чтобы задать её.",
        "place_transcript": "Место «{value}» взято из слов «{quote}» ({segment}); укажите --place, чтобы "
                            "задать его.",
        "start_metadata": "Время начала взято из метаданных записи ({value}); укажите --time, чтобы "
                          "задать его.",
        "end": "Время окончания рассчитано: начало + длительность {length} ({value}).",
        "sides": "Стороны определены по организации: {company} — наша сторона, остальные — клиент "
                 "(настройка company); проверьте участников: {names}.",
        "sides_client": "Стороны определены по клиенту {client} (--client): его сотрудники — клиент, "
                        "остальные — наша сторона; проверьте участников: {names}.",
        "sides_host": "Наша сторона не задана (настройка company, --client); принято, что встречу ведёт "
                      "наша сторона — {company}, клиент — {client}. Проверьте стороны участников.",
        "no_time": "Время встречи не указано: укажите --time или впишите его при проверке.",
        "no_place": "Место или платформа встречи не указаны: укажите --place или --platform, или впишите "
                    "при проверке.",
    },
    "en": {
        "platform_export": "Platform \"{value}\" inferred from the transcript file's format; pass --platform "
                           "to set it.",
        "platform_transcript": "Platform \"{value}\" taken from the words \"{quote}\" ({segment}); pass "
                               "--platform to set it.",
        "place_transcript": "Place \"{value}\" taken from the words \"{quote}\" ({segment}); pass --place to "
                            "set it.",
        "start_metadata": "Start time taken from the recording's metadata ({value}); pass --time to set it.",
        "end": "End time computed as start + length {length} ({value}).",
        "sides": "Sides inferred from organisations: {company} is our side, others are the client "
                 "(company setting); check: {names}.",
        "sides_client": "Sides inferred from the client {client} (--client): its people are the client, "
                        "the others our side; check: {names}.",
        "sides_host": "Our side is not configured (company setting, --client); assumed the side that ran "
                      "the meeting is ours — {company}, and the client is {client}. Check the sides.",
        "no_time": "The meeting time is not known: pass --time or fill it in at review.",
        "no_place": "The place or platform is not known: pass --place or --platform, or fill it in at "
                    "review.",
    },
}


@dataclass
class HeaderOptions:
    """What the user typed; each one overrides anything found."""

    title: str | None = None
    client: str | None = None
    place: str | None = None
    platform: str | None = None
    start: dt.time | None = None


@dataclass
class HeaderResult:
    client: str | None
    record: dict[str, dict[str, str]] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)


def parse_time_option(value: str | None) -> dt.time | None:
    """'14:30' / '9:05' → a time; ``ValueError`` for anything else (the caller names the option)."""
    if not value:
        return None
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(value)
    return dt.time(int(hours), int(minutes))


def _message(lang: str, key: str, **fields: object) -> Flag:
    table = _MESSAGES["ru" if lang.startswith("ru") else "en"]
    return Flag(code=FLAG_CODE, message=table[key].format(**fields))


def complete_header(
    protocol: Protocol,
    transcript: Transcript,
    options: HeaderOptions,
    *,
    company: str | None = None,
    recorded_start: dt.time | None = None,
) -> HeaderResult:
    """Fill ``protocol.header`` and participants' sides in place; return the client and what was derived."""
    lang = protocol.language or transcript.language or "ru"
    h = protocol.header
    result = HeaderResult(client=options.client)

    def note(name: str, found: Found, flag: Flag | None = None) -> None:
        result.record[name] = found.record()
        if flag is not None:
            result.flags.append(flag)

    # -- sides: the roster's word, else the configured company ------------------------------------
    derived = assign_sides(protocol.participants, company, transcript.roster, options.client)
    if derived and company:
        note("sides", Found(company, "company setting"),
             _message(lang, "sides", company=company, names=", ".join(derived)))
    elif derived and options.client:
        note("sides", Found(options.client, "client option"),
             _message(lang, "sides_client", client=options.client, names=", ".join(derived)))
    elif not company and not options.client:
        opener = transcript.segments[0].speaker if transcript.segments else None
        host = host_organisation(protocol.participants, opener)
        if host is not None and assign_sides(protocol.participants, host, transcript.roster):
            client_org = next(p.organisation for p in protocol.participants
                              if p.organisation and p.side == "client")
            note("sides", Found(host, "opened the meeting"),
                 _message(lang, "sides_host", company=host, client=client_org))

    # -- platform and place ---------------------------------------------------------------------------
    said_platform = find_platform(transcript)
    platform = (Found(canonical_platform(options.platform), "option") if options.platform else None) \
        or platform_from_flavour(transcript.meta.get("export_flavour")) or said_platform
    if platform is None and h.platform:
        platform = Found(h.platform, "extractor")
    if platform is not None:
        h.platform = platform.value
        flag = None
        if platform.origin == "export":
            flag = _message(lang, "platform_export", value=platform.value)
        elif platform.origin == "transcript":
            flag = _message(lang, "platform_transcript", value=platform.value, quote=platform.quote,
                            segment=platform.segment_id)
        note("platform", platform, flag)

    place = Found(options.place.strip(), "option") if options.place and options.place.strip() else None
    if place is None and h.place:
        place = Found(h.place, "extractor")
    if place is None:
        place = find_place(transcript, protocol.participants)
    if place is not None:
        h.place = place.value
        note("place", place, _message(lang, "place_transcript", value=place.value, quote=place.quote,
                                      segment=place.segment_id) if place.origin == "transcript" else None)

    # -- time -----------------------------------------------------------------------------------------
    _complete_time(protocol, transcript, options, recorded_start, lang, result)

    # -- title and client ---------------------------------------------------------------------------
    orgs = ordered_organisations(protocol.participants, h.organisations)
    if options.title:
        h.title = options.title
    elif not (h.title and h.title.strip()):
        title = default_title(orgs, protocol.purpose, lang)
        if title is not None:
            h.title = title.value
            note("title", title)
    if not options.client:
        client = default_client(protocol.participants)
        if client is not None:
            result.client = client.value
            note("client", client)
    if result.client and result.client not in h.organisations:
        h.organisations.append(result.client)
    # what a protocol's header needs and nobody said: the reviewer fills it in (after the other flags,
    # which say where a value came from)
    if h.start_time is None:
        protocol.flags.append(Flag(code=MISSING_CODE, message=_message(lang, "no_time").message))
    if not (h.place or h.platform):
        protocol.flags.append(Flag(code=MISSING_CODE, message=_message(lang, "no_place").message))
    return result


def _complete_time(protocol: Protocol, transcript: Transcript, options: HeaderOptions,
                   recorded_start: dt.time | None, lang: str, result: HeaderResult) -> None:
    """Start from --time or the recording's metadata; end = start + the recording's length (or the
    transcript's last timestamp). An extractor's own times are left alone when neither is known."""
    h = protocol.header
    if options.start is not None:
        h.start_time = options.start
        result.record["start_time"] = Found(options.start.strftime("%H:%M"), "option").record()
    elif recorded_start is not None:
        h.start_time = recorded_start.replace(second=0, microsecond=0)
        value = h.start_time.strftime("%H:%M")
        result.record["start_time"] = Found(value, "metadata").record()
        result.flags.append(_message(lang, "start_metadata", value=value))
    else:
        return
    length = transcript.duration
    if not length:
        return
    begin = dt.datetime.combine(h.date or dt.date.today(), h.start_time)
    end = begin + dt.timedelta(seconds=length)
    if end.date() != begin.date():
        return  # past midnight: an end time alone would mislead
    h.end_time = end.time().replace(second=0, microsecond=0)
    value = h.end_time.strftime("%H:%M")
    origin = "start+recording length" if transcript.source_format == "audio" else "start+last timestamp"
    result.record["end_time"] = Found(value, origin).record()
    result.flags.append(_message(lang, "end", length=format_timestamp(length), value=value))
