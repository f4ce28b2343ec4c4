"""The protocol's header and parties from what the evidence supports: platform, place, sides, title.

Pure: data in, data out. Every value found here comes with its origin (and the quote and segment when
it was said), so the pipeline can record it and flag it for the reviewer; a value that has no support
stays empty. Order of trust: what the user typed, then the transcript's export format (a Teams
WebVTT *is* a Teams call), then what was said in the meeting.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from summarizer.schema import Participant
from summarizer.transcript import Person, Transcript

# canonical name -> spellings as said or typed (Latin and the common Russian ones, any case ending)
PLATFORMS: dict[str, str] = {
    "Microsoft Teams": r"(?:MS\s+|Microsoft\s+)?Teams|Тимс\w*",
    "Zoom": r"Zoom|Зум(?:е|а)?\b",
    "Google Meet": r"Google\s+Meet|Гугл\s*Мит\w*",
    "Skype": r"Skype|Скайп\w*",
    "Яндекс Телемост": r"(?:Яндекс[\s.]+)?Телемост\w*",
    "Контур.Толк": r"Контур[\s.]*Толк\w*",
    "Webex": r"Webex",
}
FLAVOUR_PLATFORMS = {"teams": "Microsoft Teams", "zoom": "Zoom"}

_P_NAMES = "|".join(f"(?:{p})" for p in PLATFORMS.values())
# "созвон в Zoom", "встречаемся по Teams", "we're on Teams", "this Zoom call"
_PLATFORM_SAID = [
    re.compile(rf"\b(?:созвон\w*|звон\w*|встреч\w*|конференци\w*|подключ\w*|сидим|общаемся|"
               rf"разговариваем|мы|сегодня)\s+(?:сейчас\s+|сегодня\s+)?(?:в|во|по|через|к)\s+"
               rf"(?P<name>{_P_NAMES})", re.IGNORECASE),
    re.compile(rf"\b(?:we'?re|we\s+are|i'?m|i\s+am|call|meeting|chat|talking|joined|joining|everyone)"
               rf"\s+(?:here\s+|today\s+)?(?:on|in|via|over|through|using)\s+(?:the\s+)?"
               rf"(?P<name>{_P_NAMES})", re.IGNORECASE),
    re.compile(rf"\b(?:this|today's)\s+(?P<name>{_P_NAMES})\s+(?:call|meeting|session)", re.IGNORECASE),
]
_KIND_RU = r"(?P<kind>офисе|переговорной|конференц-зале)"
_WHERE = r"(?P<prep>на|в|у|in|on|at)\s+(?P<where>[A-ZА-ЯЁ][\w-]*(?:\s+[A-ZА-ЯЁ0-9][\w.-]*){0,3})"
# "встречаемся в офисе на Тверской", "мы у вас в офисе в Химках", "in our office in Berlin"
_PLACE_SAID = [
    re.compile(rf"\b(?:встреча\w*|встречаемся|находимся|собрались|мы|сегодня|здесь|добро\s+пожаловать)"
               rf"\s+(?:у\s+(?P<at>нас|вас)\s+)?в\s+(?P<own>нашем|вашем)?\s*{_KIND_RU}\s+{_WHERE}",
               re.IGNORECASE),
    re.compile(rf"\b(?:we'?re|we\s+are|meet|meeting|here|today|welcome)\b[^.?!]{{0,30}}?\b(?:at|in|to)\s+"
               rf"(?P<own>our|your|the)\s+(?P<kind>office|offices|meeting\s+room|headquarters)\s+{_WHERE}",
               re.IGNORECASE),
]
# a platform or place said about another meeting is not this meeting's
_OTHER_MEETING = re.compile(r"следующ|в\s+прошл|прошлый\s+раз|вместо|в\s+другой\s+раз|\bне\b|"
                            r"\bnext\b|\blast\s+time\b|\bprevious\b|\binstead\b|\bnot\b", re.IGNORECASE)
_KIND_NOMINATIVE = {"офисе": "офис", "переговорной": "переговорная", "конференц-зале": "конференц-зал"}


@dataclass(frozen=True)
class Found:
    """A header value with where it came from: ``origin`` is option | export | transcript | ..."""

    value: str
    origin: str
    quote: str | None = None
    segment_id: str | None = None

    def record(self) -> dict[str, str]:
        out = {"value": self.value, "origin": self.origin}
        if self.quote:
            out["quote"] = self.quote
        if self.segment_id:
            out["segment_id"] = self.segment_id
        return out


def platform_from_flavour(flavour: object) -> Found | None:
    """The call platform a transcript export was made by (``transcript.meta["export_flavour"]``)."""
    name = FLAVOUR_PLATFORMS.get(str(flavour or ""))
    return Found(name, "export") if name else None


def canonical_platform(text: str) -> str:
    """'teams' / 'зум' → 'Microsoft Teams' / 'Zoom'; anything unknown is kept as typed."""
    for name, pattern in PLATFORMS.items():
        if re.fullmatch(pattern, text.strip(), re.IGNORECASE):
            return name
    return text.strip()


def _about_this_meeting(text: str, start: int) -> bool:
    return not _OTHER_MEETING.search(text[max(0, start - 40):start])


def find_platform(transcript: Transcript) -> Found | None:
    """The first place someone says which platform this call is on ("созвон в Zoom", "we're on Teams")."""
    for seg in transcript.segments:
        for pattern in _PLATFORM_SAID:
            for m in pattern.finditer(seg.text):
                if _about_this_meeting(seg.text, m.start()):
                    return Found(canonical_platform(m["name"]), "transcript", m.group(0), seg.id)
    return None


def find_place(transcript: Transcript, participants: list[Participant] | None = None) -> Found | None:
    """Where people sit, when someone says it ("встречаемся в офисе на Тверской", "in our office in Berlin").

    "Our office" names the speaker's organisation when that is known; otherwise the words stay as said.
    """
    for seg in transcript.segments:
        for pattern in _PLACE_SAID:
            for m in pattern.finditer(seg.text):
                if not _about_this_meeting(seg.text, m.start()):
                    continue
                value = _place_text(m, seg.speaker, participants or [])
                return Found(value, "transcript", m.group(0), seg.id)
    return None


def _place_text(m: re.Match[str], speaker: str | None, participants: list[Participant]) -> str:
    groups = m.groupdict()
    kind = " ".join(m["kind"].lower().split())
    own = (groups.get("own") or groups.get("at") or "").lower()
    where = f"{m['prep'].lower()} {m['where']}"
    org = _speaker_organisation(speaker, participants) if own in ("our", "нашем", "нас") else None
    if kind in _KIND_NOMINATIVE:  # Russian
        noun = _KIND_NOMINATIVE[kind]
        text = f"{noun} «{org.strip('«»')}» {where}" if org else f"{noun} {where}"
    else:
        text = f"{org} {kind} {where}" if org else f"{kind} {where}"
    return text[:1].upper() + text[1:]


def _speaker_organisation(speaker: str | None, participants: list[Participant]) -> str | None:
    for p in participants:
        if speaker and (p.name == speaker or speaker in p.speaker_labels) and p.organisation:
            return p.organisation
    return None


# -- sides ------------------------------------------------------------------------------------------
_LEGAL_FORMS = re.compile(r"\b(?:ооо|оао|зао|пао|ао|ип|нко|гк|llc|ltd|inc|gmbh|ag|corp|co|plc|sa|bv)\b\.?",
                          re.IGNORECASE)


def normalise_organisation(name: str) -> str:
    """'ООО «Северный Путь»' → 'северный путь' (quotes, legal forms, case, ё and punctuation dropped)."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("ё", "е")
    text = _LEGAL_FORMS.sub(" ", text)
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def same_organisation(a: str, b: str) -> bool:
    """Names of one organisation as people write them: 'Northwind' ~ 'Northwind Traders Ltd'."""
    x, y = normalise_organisation(a), normalise_organisation(b)
    if not x or not y:
        return False
    if x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} ":
        return True
    from rapidfuzz import fuzz

    return fuzz.ratio(x, y) >= 88


def assign_sides(participants: list[Participant], company: str | None, roster: list[Person],
                 client: str | None = None) -> list[str]:
    """Set ``side`` in place; return the names whose side came from ``company`` or ``client``.

    The roster's explicit side always wins. Otherwise, with a company configured, people of that
    organisation are ``ours`` and people of any other named organisation are ``client``; with the
    client given (``--client``), people of the client's organisation are ``client`` and, when the
    meeting names just one other organisation, its people are ``ours``. People without an
    organisation stay as they are.
    """
    derived: list[str] = []
    others = {normalise_organisation(p.organisation) for p in participants if p.organisation
              and not (client and same_organisation(p.organisation, client))}
    for p in participants:
        told = next((r.side for r in roster if r.side in ("ours", "client") and _same_person(r, p)), None)
        if told:
            p.side = told  # type: ignore[assignment]
        elif p.side != "unknown" or not p.organisation:
            continue
        elif company and same_organisation(p.organisation, company):
            p.side = "ours"
            derived.append(p.name)
        elif client and same_organisation(p.organisation, client) or company:
            p.side = "client"
            derived.append(p.name)
        elif client and len(others) == 1:
            p.side = "ours"  # two organisations at the table, one of them the client
            derived.append(p.name)
    return derived


def host_organisation(participants: list[Participant], opener_label: str | None) -> str | None:
    """The organisation of whoever opened the meeting, when two organisations take part: the side
    that invites and runs a client meeting is, as a rule, ours (the reviewer is told it is assumed)."""
    orgs: list[str] = []
    for p in participants:
        if p.organisation and not any(same_organisation(p.organisation, o) for o in orgs):
            orgs.append(p.organisation)
    if len(orgs) != 2 or not opener_label:
        return None
    opener = next((p for p in participants if opener_label in p.speaker_labels), None)
    return opener.organisation if opener is not None else None


def _same_person(person: Person, participant: Participant) -> bool:
    return person.name.casefold() == participant.name.casefold() or any(
        label in participant.speaker_labels for label in person.labels)


# -- title and client -------------------------------------------------------------------------------
_TITLE_WORD = {"ru": "Переговоры", "en": "Meeting"}
TITLE_MAX = 70


def ordered_organisations(participants: list[Participant], organisations: list[str]) -> list[str]:
    """Our organisation first, then the client's, then others; each once (by normalised name)."""
    rank = {"ours": 0, "client": 1, "unknown": 2}
    named = [(rank[p.side], p.organisation) for p in participants if p.organisation]
    named += [(2, o) for o in organisations]
    out: list[str] = []
    for _, org in sorted(named, key=lambda pair: pair[0]):
        if org.strip() and not any(same_organisation(org, seen) for seen in out):
            out.append(org.strip())
    return out


def default_title(organisations: list[str], purpose: str | None, language: str) -> Found | None:
    """'Переговоры: Северный путь — Альфа-Логистик', else the purpose shortened, else nothing."""
    lang = "ru" if language.startswith("ru") else "en"
    if organisations:
        text = f"{_TITLE_WORD[lang]}: {' — '.join(organisations[:3])}"
        return Found(_shorten(text), "organisations")
    if purpose and purpose.strip():
        return Found(_shorten(purpose.strip().rstrip(".")), "purpose")
    return None


def _shorten(text: str, limit: int = TITLE_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—-– ")
    return f"{cut}…"


def default_client(participants: list[Participant]) -> Found | None:
    """The client side's organisation, when the client side names exactly one."""
    orgs: list[str] = []
    for p in participants:
        org = p.organisation
        if p.side == "client" and org and not any(same_organisation(org, o) for o in orgs):
            orgs.append(org)
    return Found(orgs[0], "participants") if len(orgs) == 1 else None
