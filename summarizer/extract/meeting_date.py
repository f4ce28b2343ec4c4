"""The meeting date when the user did not give one: from the recording's metadata or the file's time.

Due dates like "by Friday" / "до пятницы" only resolve against a meeting date. Recorders and phones
write a ``creation_time`` tag into the container; failing that, a file's modification time is
usually the day it was recorded or exported. Either is a guess, so the protocol carries a
``meeting_date_assumed`` flag that names where the date came from.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from summarizer.schema import Flag

log = logging.getLogger(__name__)

DateOrigin = Literal["metadata", "mtime"]
FLAG_CODE = "meeting_date_assumed"

_MESSAGES = {
    "metadata": {
        "en": "Meeting date taken from the recording's metadata ({date}); pass --date to set it.",
        "ru": "Дата встречи взята из метаданных записи ({date}); укажите --date, чтобы задать её.",
    },
    "mtime": {
        "en": "Meeting date taken from the file's modification time ({date}); pass --date to set it.",
        "ru": "Дата встречи взята из времени изменения файла ({date}); укажите --date, чтобы задать её.",
    },
}


@dataclass(frozen=True)
class AssumedDate:
    date: dt.date
    origin: DateOrigin
    start: dt.time | None = None  # local time the recording began, when its metadata says so

    def flag(self, language: str | None) -> Flag:
        lang = "ru" if (language or "").startswith("ru") else "en"
        message = _MESSAGES[self.origin][lang].format(date=self.date.isoformat())
        return Flag(code=FLAG_CODE, message=message)


def parse_creation_time(value: str) -> dt.date | None:
    """'2026-11-25T09:30:00.000000Z', '2026-11-25 09:30:00', '2026-11-25' → a date; else None."""
    stamp = parse_creation_stamp(value)
    return stamp[0].date() if stamp else None


def parse_creation_stamp(value: str) -> tuple[dt.datetime, bool] | None:
    """A ``creation_time`` tag as a local naive datetime, and whether it carried a time of day."""
    text = value.strip().replace("Z", "+00:00")
    for candidate, timed in ((text, True), (text.replace(" ", "T", 1), True), (text[:10], False)):
        try:
            stamp = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone().replace(tzinfo=None)  # the local day and hour, as the user lived it
        return stamp, timed and len(candidate) > 10
    return None


def container_creation_date(path: Path) -> dt.date | None:
    """``creation_time`` from the container or its first stream (MP4, MOV, M4A, MKV, …), if readable."""
    stamp = container_creation_stamp(path)
    return stamp[0].date() if stamp else None


def container_creation_stamp(path: Path) -> tuple[dt.datetime, bool] | None:
    """The container's ``creation_time`` (local) and whether it has a time of day, if readable."""
    try:
        import av

        with av.open(str(path)) as container:
            tags = [container.metadata, *(s.metadata for s in container.streams)]
    except Exception as exc:  # PyAV raises many types for files it cannot open; the mtime remains
        log.debug("no container metadata from %s: %s", path, exc)
        return None
    for meta in tags:
        value = meta.get("creation_time") or meta.get("date")
        if value:
            stamp = parse_creation_stamp(str(value))
            # Some encoders write the epoch or 1904-01-01 when they know nothing.
            if stamp is not None and stamp[0].year >= 1990:
                return stamp
    return None


def assume_meeting_date(path: Path, *, media: bool) -> AssumedDate | None:
    """The recording's creation date (media only), else the file's modification date."""
    if media:
        stamp = container_creation_stamp(path)
        if stamp is not None:
            moment, timed = stamp
            start = moment.time().replace(microsecond=0) if timed else None
            return AssumedDate(moment.date(), "metadata", start)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return AssumedDate(dt.datetime.fromtimestamp(mtime).date(), "mtime")
