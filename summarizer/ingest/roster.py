"""Who is who: map speaker labels (SPEAKER_00, a Teams name) to people with position and contacts.

Spec string (CLI option, one line of a .txt roster)::

    SPEAKER_00=Ольга Смирнова, руководитель отдела закупок, Альфа-Логистик, olga@alfa.ru, side=client

Labels go before ``=`` (several joined with ``|``); after the name come position and organisation in
that order, while anything that looks like an e-mail or a phone goes to contacts wherever it stands.
``key=value`` fields (position, organisation/org, email, phone, side) may be used in any order.
A TOML roster holds ``[[person]]`` tables with the same keys plus ``labels = [...]``.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

from summarizer.errors import InputError
from summarizer.transcript import Person, Transcript

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_SIDES = {
    "client": "client", "клиент": "client", "customer": "client", "заказчик": "client",
    "ours": "ours", "our": "ours", "us": "ours", "we": "ours", "мы": "ours", "наши": "ours",
    "свои": "ours", "исполнитель": "ours",
}
_KEYS = {
    "position": "position", "title": "position", "role": "position", "должность": "position",
    "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "company": "organisation", "организация": "organisation", "компания": "organisation",
    "email": "email", "e-mail": "email", "mail": "email", "почта": "email",
    "phone": "phone", "tel": "phone", "телефон": "phone",
    "side": "side", "сторона": "side",
    "name": "name", "имя": "name",
    "labels": "labels", "label": "labels", "метки": "labels",
}
ROSTER_SUFFIXES = {".toml", ".txt"}


def parse_roster_spec(spec: str, *, path: str | Path | None = None, line: int | None = None) -> Person:
    """Parse one ``LABEL=Name, position, organisation, contacts`` spec; errors name the file and line."""
    where: str | Path | None = path if path is not None else "speaker option"

    def fail(problem: str) -> InputError:
        return InputError(where, f"{problem} in '{spec.strip()}'", line=line,
                          hint="Expected e.g. SPEAKER_00=Ольга Смирнова, руководитель отдела закупок, "
                               "Альфа-Логистик, olga@alfa.ru, side=client")

    labels: list[str] = []
    body = spec.strip()
    head, sep, rest = body.partition("=")
    # "side=client" alone must not be read as a label; a label part has no comma in it
    if sep and "," not in head and _KEYS.get(head.strip().lower()) is None:
        labels = [x.strip() for x in head.split("|") if x.strip()]
        if not labels:
            raise fail("empty speaker label before '='")
        body = rest.strip()
    fields: dict[str, str] = {}
    free: list[str] = []
    for raw in body.split(","):
        token = raw.strip()
        if not token:
            continue
        key, eq, value = token.partition("=")
        canonical = _KEYS.get(key.strip().lower()) if eq else None
        if eq and canonical is None:
            raise fail(f"unknown field '{key.strip()}'")
        if canonical == "labels":
            labels.extend(x.strip() for x in value.split("|") if x.strip())
        elif canonical is not None:
            _put(fields, canonical, value.strip(), fail)
        elif _EMAIL.match(token):
            _put(fields, "email", token, fail)
        elif _PHONE.match(token) and sum(ch.isdigit() for ch in token) >= 7:
            _put(fields, "phone", token, fail)
        else:
            free.append(token)
    order = [name for name in ("name", "position", "organisation") if name not in fields]
    if len(free) > len(order):
        raise fail(f"too many fields ('{free[len(order)]}' is neither a position, an organisation "
                   "nor a contact)")
    fields.update(zip(order, free, strict=False))
    return _make_person(fields, labels, fail)


def _make_person(fields: dict[str, str], labels: list[str], fail: Callable[[str], InputError]) -> Person:
    if not fields.get("name", "").strip():
        raise fail("no person name")
    side = fields.get("side")
    if side is not None:
        if side.strip().lower() not in _SIDES:
            raise fail(f"side must be 'client' or 'ours', not '{side}'")
        side = _SIDES[side.strip().lower()]
    return Person(
        name=" ".join(fields["name"].split()),
        position=fields.get("position") or None,
        organisation=fields.get("organisation") or None,
        email=fields.get("email") or None,
        phone=fields.get("phone") or None,
        side=side,
        labels=labels,
    )


def _put(fields: dict[str, str], key: str, value: str, fail: Callable[[str], InputError]) -> None:
    if key in fields:
        raise fail(f"two values for {key} ('{fields[key]}' and '{value}')")
    fields[key] = value


def load_roster(spec_or_path: str | Path | Iterable[str]) -> list[Person]:
    """A roster file (.toml or .txt), one spec string (several separated by ';'), or a list of specs."""
    if isinstance(spec_or_path, Path):
        return _load_file(spec_or_path)
    if isinstance(spec_or_path, str):
        candidate = Path(spec_or_path).expanduser()
        if "=" not in spec_or_path and "," not in spec_or_path and (
            candidate.suffix.lower() in ROSTER_SUFFIXES or candidate.exists()
        ):
            return _load_file(candidate)
        specs: Iterable[str] = spec_or_path.split(";")
    else:
        specs = spec_or_path
    people = [parse_roster_spec(spec) for spec in specs if spec.strip()]
    _check_unique(people, None)
    return people


def _load_file(path: Path) -> list[Person]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "roster file not found") from None
    except IsADirectoryError:
        raise InputError(path, "this is a folder, not a roster file") from None
    except OSError as exc:
        raise InputError(path, f"the roster file cannot be read ({exc.strerror or exc})") from None
    # Rosters are typed by hand on Windows too, so accept the same encodings as transcripts.
    from summarizer.ingest.read import decode_transcript_bytes

    text, _ = decode_transcript_bytes(raw, path)
    people = _parse_toml(text, path) if path.suffix.lower() == ".toml" else _parse_lines(text, path)
    if not people:
        raise InputError(path, "the roster file lists nobody")
    _check_unique(people, path)
    return people


def _parse_lines(text: str, path: Path) -> list[Person]:
    people = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            people.append(parse_roster_spec(stripped, path=path, line=number))
    return people


def _parse_toml(text: str, path: Path) -> list[Person]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(path, f"not a valid TOML roster ({exc})",
                         line=int(match.group(1)) if match else None) from None
    unknown = set(data) - {"person", "people"}
    if unknown:
        raise InputError(path, f"unknown section '{sorted(unknown)[0]}' (expected [[person]] tables)")
    entries = data.get("person", data.get("people", []))
    if not isinstance(entries, list):
        raise InputError(path, "'person' must be a list of [[person]] tables")
    # tomllib keeps no positions; the n-th [[person]] header is where the n-th entry starts
    header = re.compile(r"\s*\[\[\s*(person|people)\s*\]\]")
    starts = [n for n, ln in enumerate(text.split("\n"), 1) if header.match(ln)]
    people = []
    for i, entry in enumerate(entries):
        line = starts[i] if i < len(starts) else None
        if not isinstance(entry, dict):
            raise InputError(path, "each person must be a [[person]] table", line=line)
        fields: dict[str, str] = {}
        labels: list[str] = []

        def fail(problem: str, line: int | None = line) -> InputError:
            return InputError(path, problem, line=line)

        for key, value in entry.items():
            canonical = _KEYS.get(str(key).lower())
            if canonical is None:
                raise fail(f"unknown key '{key}' (known: name, position, organisation, email, phone, side, "
                           "labels)")
            if canonical == "labels":
                values = value if isinstance(value, list) else [value]
                if not all(isinstance(v, str) for v in values):
                    raise fail('labels must be text, e.g. labels = ["SPEAKER_00"]')
                labels.extend(v.strip() for v in values if v.strip())
            elif not isinstance(value, str):
                raise fail(f"'{key}' must be text in quotes")
            else:
                _put(fields, canonical, value.strip(), fail)
        person = _make_person(fields, labels, fail)
        people.append(person)
    return people


def _check_unique(people: list[Person], path: Path | None) -> None:
    owner: dict[str, str] = {}
    for person in people:
        for label in person.labels:
            if label in owner and owner[label] != person.name:
                raise InputError(path or "speaker options",
                                 f"speaker label '{label}' is given to both {owner[label]} and {person.name}")
            owner[label] = person.name


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace("ё", "е").split())


def apply_roster(transcript: Transcript, people: list[Person]) -> Transcript:
    """Return a copy whose roster names the speakers; segment labels stay exactly as they were.

    A label equal to a person's name maps to that person, also when case, spacing or ё/е differ
    (Teams writes "Ольга  Смирнова", the roster says "ольга смирнова").
    """
    merged = {p.name: p.model_copy(deep=True) for p in transcript.roster}
    for person in people:
        merged[person.name] = person.model_copy(deep=True)
    roster = list(merged.values())
    labels = transcript.speakers()
    for label in labels:
        for person in roster:
            if label not in person.labels and label != person.name and _fold(label) == _fold(person.name):
                person.labels.append(label)
    result = transcript.model_copy(deep=True)
    result.roster = roster
    known = {label for p in roster for label in p.labels} | {p.name for p in roster}
    unmatched = [label for label in labels if label not in known]
    if unmatched:
        log.info("speakers without a roster entry: %s", ", ".join(unmatched))
    unused = [label for p in people for label in p.labels if label not in labels]
    if unused:
        log.warning("roster labels that never speak in %s: %s", transcript.source or "the transcript",
                    ", ".join(unused))
    return result
