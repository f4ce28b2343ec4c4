"""How people say who they are at the start of a call, read one sentence at a time.

Calls open with introductions in many shapes, and a protocol's participants table is built from them:

    "Алексей Громов, компания «Офис-Комфорт», менеджер по ключевым клиентам."
    "Виктор Зайцев, финансовый директор «Техпрома»."      (the organisation in the genitive)
    "Денис, руководитель операционного отдела."             (a first name and a title)
    "Это Андрей Миронов, коммерческий директор «Логопарк Восток»."
    "I'm Priya Raman, I'm the account manager at Cirrolane Cloud."
    "Sofia Marchetti, I manage IT infrastructure at Greenfield Mutual."
    "Marco Bellini here, I'm the project manager at Brightframe Exhibits."

So the sentence is read as a name (after an optional "I'm" / "это" / "меня зовут") followed by
comma-separated parts, each of which may hold a position, an organisation or both, in any order.
A lone first name counts only when a part after it is a job title or a department: "Greg." or
"Сергей, слышите нас?" address someone, they introduce nobody. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UP = "A-ZА-ЯЁ"
_LOW = "a-zа-яё"
_NAME_WORD = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"

# Fillers and greetings that open an introduction: "So, for the record, I'm …", "Здравствуйте. …".
_LEAD_FILLER = re.compile(
    r"^(?:(?:and|so|um+|uh+|er+|okay|ok|well|right|yeah|yes|hi|hello|hey|morning|hi everyone|hello both|"
    r"hi both|good (?:morning|afternoon|evening)|for the record|everyone|all|both|folks|guys|и|а|ну|так|"
    r"вот|да|алло|привет|здравствуйте|добрый (?:день|вечер)|доброе утро|всем привет|всем|коллеги)\b"
    r"[\s,.!—–-]*)+",
    re.IGNORECASE,
)
_SELF = {
    "en": re.compile(r"^(?:I'm|I am|[Mm]y name is|[Tt]his is|[Ii]t's)\s+"),
    "ru": re.compile(r"^(?:[Мм]еня зовут|[Яя](?:\s+—)?|[Ээ]то|[Сс] вами)\s+"),
}
_NAME = re.compile(rf"^(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})(?P<here>\s+here)?"
                   r"(?=\s*(?:[,.!?;]|$))")
# Capitalised words that start a sentence and are not a name.
_NOT_NAME = {
    "sorry", "not", "here", "fine", "good", "glad", "happy", "great", "perfect", "lovely", "sure", "thanks",
    "thank", "okay", "right", "yes", "yeah", "yep", "no", "well", "also", "just", "the", "this", "that",
    "that's", "it", "it's", "we", "our", "your", "my", "hi", "hello", "morning", "both", "everyone", "all",
    "спасибо", "отлично", "хорошо", "ладно", "понял", "поняла", "да", "нет", "так", "вот", "ну", "коллеги",
    "всё", "все", "это", "тогда", "давайте", "итак", "здравствуйте", "добрый", "привет", "записал",
    "записала", "секунду", "минуту", "алло", "слышно", "видно",
}

# Words a job title is built around (any case form: the recogniser writes "руководителя").
_ROLE = {
    "ru": re.compile(
        r"(?:менеджер|руководител|директор|глав|начальник|специалист|юрист|бухгалтер|аналитик|инженер|"
        r"логист|заместител|координатор|консультант|представител|владел|основател|партн[её]р|экономист|"
        r"закупщик|технолог|архитектор|разработчик|дизайнер|маркетолог|техлид|тимлид|продюсер|"
        r"администратор|секретар|ассистент|помощник|эксперт|редактор|продакт|управляющ|куратор)\w*",
        re.IGNORECASE),
    "en": re.compile(
        r"\b(?:manager|director|head|lead|leader|engineer|officer|analyst|consultant|specialist|"
        r"coordinator|executive|founder|co-founder|partner|buyer|planner|architect|designer|developer|"
        r"owner|administrator|assistant|counsel|lawyer|accountant|controller|producer|editor|strategist|"
        r"president|vp|ceo|cfo|cto|coo|cmo|cio)\b",
        re.IGNORECASE),
}
# A department said instead of a title: "Ирина, юридический отдел", "Игорь, закупки", "from finance".
_DEPARTMENT = {
    "ru": re.compile(r"(?:отдел|закупк|финанс|бухгалтер|юридическ|маркетинг|продаж|логистик|\bИТ\b|\bIT\b|"
                     r"\bHR\b|безопасност|снабжени|производств)", re.IGNORECASE),
    "en": re.compile(r"\b(?:finance|procurement|purchasing|legal|marketing|sales|operations|it|hr|"
                     r"logistics|payroll|accounts|engineering|security|implementation|support)\b",
                     re.IGNORECASE),
}
# What kind of organisation it is, said before its name: "агентства «Вектор Аналитикс»".
_ORG_KIND_RU = re.compile(
    r"(?:\s+(?:(?:в|из|от)\s+)?(?:[а-яё]+(?:ый|ий|ой|ая|ое|ого|ей|ом)\s+)?"
    r"(?:компани|агентств|студи|комбинат|завод|фабрик|банк|групп|холдинг|фирм|сет[ьи]|центр|бюро|"
    r"клиник|магазин|организаци|предприяти|издательств|типографи|школ|университет)\w*)+$",
    re.IGNORECASE)
_QUOTED = re.compile(r"(?:(?P<form>ООО|ОАО|ЗАО|ПАО|АО|ИП|ГК)\s+)?«(?P<name>[^«»]{1,60})»")
_ORG_WORD = r"[A-Z0-9][\w&'.-]*"
_EN_ORG = re.compile(rf"\s+(?:at|from|with|of)\s+"
                     rf"(?P<org>{_ORG_WORD}(?:\s+(?:{_ORG_WORD}|and|&|of|the)){{0,5}})")
_RU_ORG_BARE = re.compile(rf"(?:^|\s)(?:(?:в|из|от)\s+)?компани[яиею]\s+"
                          rf"(?P<org>[{_UP}][\w-]*(?:\s+[{_UP}][\w-]*){{0,2}})")
# Unquoted after a title: "руководитель отдела закупок в Альфа-Логистик", "ИТ-директор Альфа-Логистик";
# an acronym alone ("руководитель ИТ") is a department, not a company.
_RU_ORG_AFTER_ROLE = re.compile(
    rf"\s+(?:(?:в|из|от)\s+)?(?P<org>(?![{_UP}]{{2,4}}\b)[{_UP}][\w-]*(?:\s+[{_UP}][\w-]*){{0,2}})$")
# "I lead implementation" → implementation lead; "I manage IT infrastructure" → IT infrastructure manager.
_EN_VERB_ROLE = re.compile(r"^I\s+(?P<verb>lead|manage|head|run)\s+(?P<what>[\w][\w\s&-]{1,50}?)"
                           r"(?=\s+(?:at|for|in)\s+|$)")
_EN_SELF_ROLE = re.compile(r"^(?:I'm|I am|I'll be|I will be)\s+(?:(?:the|an?|your|our)\s+)?", re.IGNORECASE)
# "on your stand", "на вашем проекте": who the job is for, not the job.
_FOR_YOU = re.compile(r"\s+(?:on|for|in|of)\s+(?:your|this|the)\b.*$"
                      r"|\s+(?:на|по)\s+(?:вашем|вашему|этом)\b.*$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Introduction:
    name: str
    position: str | None = None
    organisation: str | None = None
    bare: bool = False  # a name alone: it counts only where a turn opens (see is_opening_chatter)


def parse_introduction(text: str, lang: str) -> Introduction | None:
    """The person a sentence introduces, with whatever position and organisation it gives."""
    key = "ru" if lang == "ru" else "en"
    body = _LEAD_FILLER.sub("", text.strip().replace("’", "'"))
    said_self = _SELF[key].match(body) or _SELF["en" if key == "ru" else "ru"].match(body)
    if said_self:
        body = body[said_self.end():]
    m = _NAME.match(body)
    if not m:
        return None
    words = m["name"].split()
    if any(w.lower() in _NOT_NAME for w in words):
        return None
    rest = body[m.end():].lstrip(" ,")
    rest = re.split(r"(?<=[.!?])\s", rest, maxsplit=1)[0] if not rest.startswith(".") else ""
    position, organisation = _read_parts(_parts(rest.rstrip(".!?;")), key)
    if said_self or m["here"] or position or organisation:
        return Introduction(m["name"], position, organisation)
    # Bare capitalised words with nothing about a job: a name only when they are the whole sentence
    # ("Daniel Kowalski."), first and last name both; "Northwind Freight, as you know, runs…" is not.
    if len(words) >= 2 and not rest.strip(" .!?;"):
        return Introduction(m["name"], bare=True)
    return None


_SOUND_CHECK = re.compile(
    r"^(?:(?:can|do) you (?:all )?(?:hear|see) (?:me|us|it|my screen)|(?:меня|нас) (?:слышно|видно)|"
    r"(?:вы )?(?:слышите|видите) (?:меня|нас)|слышно(?: хорошо)?|видно|(?:loud and )?clear|"
    r"(?:I )?think we're all here|вроде все подключились|все подключились)\W*$", re.IGNORECASE)


def is_opening_chatter(text: str) -> bool:
    """A greeting or a sound check: what may come before a bare name in someone's first turn."""
    body = _LEAD_FILLER.sub("", text.strip())
    return not body.strip(" .,!?") or bool(_SOUND_CHECK.match(body))


def _parts(rest: str) -> list[str]:
    """Split at commas outside «…»."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in rest:
        depth += ch == "«"
        depth -= ch == "»" and depth > 0
        if ch == "," and not depth:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _read_parts(parts: list[str], key: str) -> tuple[str | None, str | None]:
    position: str | None = None
    organisation: str | None = None
    for raw in parts:
        part = re.sub(r"^(?:and|и|а)\s+", "", raw, flags=re.IGNORECASE)
        pos, org = (_read_ru(part) if key == "ru" else _read_en(part))
        if pos is None and org is None and key == "en" and re.search("[а-яё]", part, re.IGNORECASE):
            pos, org = _read_ru(part)
        position = position or pos
        organisation = organisation or org
        if position is None and organisation is None and len(part.split()) > 6:
            break  # a long clause with neither is the conversation starting, not the introduction
    return position, organisation


def _read_ru(part: str) -> tuple[str | None, str | None]:
    part = re.sub(r"^я\s+(?:—\s+)?", "", part, flags=re.IGNORECASE)
    org: str | None = None
    before = part
    quoted = _QUOTED.search(part)
    if quoted:
        org = f"{quoted['form']} «{quoted['name'].strip()}»" if quoted["form"] else quoted["name"].strip()
        before = part[: quoted.start()].strip()
    else:
        bare = _RU_ORG_BARE.search(part)
        after_role = _RU_ORG_AFTER_ROLE.search(part)
        if bare:
            org = bare["org"]
            before = part[: bare.start()].strip()
        elif after_role and _ROLE["ru"].search(part[: after_role.start()]):
            org = after_role["org"]
            before = part[: after_role.start()].strip()
    before = _ORG_KIND_RU.sub("", " " + before).strip()
    before = re.sub(r"^(?:компани[яиею]|из|в|от)\b\s*", "", before, flags=re.IGNORECASE).strip()
    position: str | None = None
    titled = _ROLE["ru"].search(before) or _DEPARTMENT["ru"].search(before)
    # "я буду отвечать за разработку" says what they will do, not what they are
    doing = re.search(r"\b(?:буду|будет|отвечаю|отвечает|занимаюсь|здесь)\b", before, re.IGNORECASE)
    if before and len(before.split()) <= 8 and titled and not doing:
        position = _FOR_YOU.sub("", before).strip(" ,.—-") or None
    return position, org


def _read_en(part: str) -> tuple[str | None, str | None]:
    org: str | None = None
    m = _EN_ORG.search(" " + part)
    head = part
    if m:
        org = _trim_org(m["org"])
        head = (" " + part)[: m.start()].strip()
    verb = _EN_VERB_ROLE.match(head)
    if verb:
        what = verb["what"].strip()
        role = {"lead": f"{what} lead", "manage": f"{what} manager", "head": f"head of {what}",
                "run": f"head of {what}"}[verb["verb"]]
        return role, org
    head = _EN_SELF_ROLE.sub("", head).strip()
    head = re.sub(r"^(?:the|an?|your|our)\s+", "", head, flags=re.IGNORECASE)
    dept = re.match(r"^from\s+(?:the\s+|our\s+)?(?P<d>[a-z][a-z\s&-]{1,40}?)"
                    r"(?:\s+(?:team|department|side))?$", head)
    if dept and _DEPARTMENT["en"].search(dept["d"]):
        return dept["d"], org
    position: str | None = None
    if head and len(head.split()) <= 6 and _ROLE["en"].search(head) and not re.search(
            r"\b(?:I|I'll|we|you|will|who|which|that)\b", head):
        position = _FOR_YOU.sub("", head).strip(" ,.") or None
    return position, org


def _trim_org(org: str) -> str | None:
    words = org.split()
    while words and (words[-1][0].islower() or words[-1] in {"&"}):
        words.pop()  # "Harbor and Pine Furniture" keeps its "and"; a trailing "and" or "the" goes
    return " ".join(words).strip(" .") or None


def nominative_organisation(said: str, known: list[str]) -> str:
    """«Техпрома» said after a title is «Техпром» when the meeting also says «Техпром»: the genitive
    of a Russian name is only undone when its plain form was heard; otherwise it stays as said."""
    for other in known:
        if other != said and len(other) >= 3 and said.startswith(other) and len(said) - len(other) <= 2:
            return other
        if other != said and len(other) == len(said) and other[:-1] == said[:-1] and other[-1] == "а" \
                and said[-1] in "иы":
            return other
    return said
