"""Is a first-person "I will…" a task for after the meeting, or narration of the call itself?

Real meetings are full of "I will open it.", "Let me share it with you again.", "let me check…": the
speaker describes what they do on the call, right now. A protocol's next steps are the tasks that
outlive the call: "I will send the plan by Friday", "we'll update the demo paper submission, which is
due next Friday". The rules, in order:

* a negated or conditional statement is no commitment ("I will not be available", "if I will…",
  "I hope I will send…");
* a deadline makes it a task ("I'll check it by Monday" is one; "let me check" is not);
* narration of the call (open, share, show, look, check, click… now, here, a moment) is not;
* otherwise the verb must be one of work done after a meeting (send, prepare, update…) and it needs an
  object with content ("I will send you." says nothing).

English only needs these rules: Russian first-person verbs (``offline_patterns.COMMIT``) are already
a list of such work, so for Russian only negation, narration and "давайте" proposals are checked.
"""

from __future__ import annotations

import re

# Work that outlives the call. Kept as verbs (their -s/-ed forms are not needed after "will").
_TASK_VERBS_EN = (
    "send|resend|prepare|update|deliver|provide|write|draft|finish|complete|submit|fix|create|organi[sz]e|"
    "schedule|review|test|deploy|upload|book|arrange|sign|contact|e-?mail|call|invite|set up|publish|"
    "implement|compile|collect|circulate|forward|follow up|summari[sz]e|coordinate|ask|talk to|"
    "speak to|download|annotate|process|translate|add|train|run|evaluate|measure|clean|merge|install|"
    "configure|migrate|order|pay|invoice|confirm|clarify|approve|plan|design|document|"
    "get|make sure|take care|handle|reach out|notify|inform|extend|revise|correct|finali[sz]e|"
    "analy[sz]e|investigate|look into|check with|distribute|share the (?:results|report|minutes|draft|"
    "document|slides|plan|proposal|list|data)|open (?:the )?(?:database |system |account )?access|"
    "give (?:you|them|him|her) access|grant|reserve|transfer|ship|launch|roll out|start the|"
    "hire|buy|purchase|negotiate|discuss (?:it|this|that) with|work on|continue|develop|build|"
    "integrate|connect|deliver|present (?:it|the \\w+) (?:to|at)|check|share|look (?:at|into)|find out|"
    "do (?:a|an|the) (?!favou?r|bit|lot|same|rest|thing)|"
    "register|write|read through|proofread|go through|put together|put (?:it|them|this|that) (?:in|into|on)"
)
_FIRST_PERSON_EN = re.compile(
    r"\b(?P<subj>i|we)\s*(?:'ll|\s+will|'m going to|\s+am going to|'re going to|\s+are going to|\s+can)\s+"
    r"(?:(?:also|just|then|now|definitely|certainly|surely|quickly|first|still|again|probably|"
    r"simply|personally)\s+)*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TASK_EN = re.compile(rf"^(?:{_TASK_VERBS_EN})\b", re.IGNORECASE)
_NOW_EN = re.compile(r"\b(?:right now|now|here|a moment|a second|a sec|quickly|real quick|on (?:the|my) "
                     r"screen|in the chat|for you now)\b", re.IGNORECASE)
_NEGATED_EN = re.compile(r"\b(?:not|never|won't|can't|cannot|nobody|nothing)\b|n't\b", re.IGNORECASE)
# "if I will…", "that we will…", "I hope I will…", "which we will deploy": not a promise of the speaker
_CONDITIONAL_EN = re.compile(
    r"(?:\b(?:if|whether|unless|when|hope|maybe|perhaps|possibly|probably|guess|wonder|whatever|because|"
    r"so that)\b"
    r"|^\W*(?:that|which|what|where|how)\b)[^.]*?\b(?:i|we)\s*"
    r"(?:'ll|will|'m going|am going|'re going|are going)",
    re.IGNORECASE,
)
_LET_ME_EN = re.compile(r"\blet (?:me|us)\b", re.IGNORECASE)
_EMPTY_OBJECT_EN = re.compile(
    r"^(?:\w+(?:\s+(?:up|out|over|back|on|off))?)(?:\s+(?:it|this|that|them|you|him|her|us|everybody|"
    r"everyone|something|one|again|too|also|later|then|soon|there|so))*\s*[.!?]*$",
    re.IGNORECASE,
)

_NEGATED_RU = re.compile(r"\bне\s+(?:\w+\s+)?(?:смогу|сможем|буду|будем|успею|успеем|пришлю|пришлём|"
                         r"пришлем|сделаю|сделаем|подготовлю|подготовим)\b", re.IGNORECASE)
_NARRATION_RU = re.compile(
    r"\b(?:сейчас|секунду|минутку|одну минуту|прямо сейчас)\b|"
    r"\b(?:покажу|открою|расшарю|пошарю|поделюсь экраном|посмотрю|гляну|найду|повторю|прочитаю|включу|"
    r"выключу|подожду|скажу|объясню|расскажу|покажем|откроем|посмотрим|глянем)\b",
    re.IGNORECASE,
)
# "Каникулы не дадим" refuses; "Если генеральный согласует, то, может быть, закажем" is not settled;
# "Так и сделаем" accepts what was just said: none of them is a task
# "Двухчасовые сделаем, но только с десяти до десяти" offers terms with a limit: the other side's
# "Принимается" makes it an agreement, not a task
_NOT_A_TASK_RU = re.compile(r"\bне\s+[а-яё]+(?:им|ем|ём|ю|у)\b|\bесли\b|\bможет быть\b|\bтак и сделаем\b|"
                            r"\bно только\b", re.IGNORECASE)
# "Давайте запуск сделаем десятого февраля": a proposal to the others, not one side's task
_PROPOSAL_RU = re.compile(r"^\W*(?:(?:хорошо|ладно|тогда|итак|и|а|ну),?\s+)*(?:давайте|предлагаю|может)\b"
                          r"(?!\s+я\b)", re.IGNORECASE)
_PROPOSAL_EN = re.compile(r"\b(?:let's|let us|shall we|how about|what about|why don't we)\b", re.IGNORECASE)


def is_task(text: str, language: str, *, has_due: bool) -> bool:
    """Whether a first-person statement commits its speaker to work after the meeting."""
    if language.startswith("ru"):
        return _is_task_ru(text, has_due=has_due)
    return _is_task_en(text, has_due=has_due)


def _is_task_ru(text: str, *, has_due: bool) -> bool:
    if _NEGATED_RU.search(text) or _PROPOSAL_RU.search(text) or _NOT_A_TASK_RU.search(text):
        return False
    if text.rstrip().endswith("?"):
        return False
    return has_due or not _NARRATION_RU.search(text)


def _is_task_en(text: str, *, has_due: bool) -> bool:
    if _NEGATED_EN.search(text) or _CONDITIONAL_EN.search(text) or text.rstrip().endswith("?"):
        return False
    if _PROPOSAL_EN.search(text) and not re.search(r"\b(?:i|we)(?:'ll| will)\b", text, re.IGNORECASE):
        return False
    if _LET_ME_EN.search(text) and not has_due:
        return False  # "Let me share it with you again", "let me check…": the call itself
    m = _FIRST_PERSON_EN.search(text)
    rest = m["rest"] if m else text
    if has_due:
        return True
    if _NOW_EN.search(text) or _EMPTY_OBJECT_EN.match(rest):
        return False
    # the task list is specific ("share the report", "open the database access"); narration verbs
    # ("share it", "open it") are whatever else is said
    return bool(_TASK_EN.match(rest))


DUE_OBLIGATION_EN = re.compile(
    r"\b(?:need to|needs to|have to|has to|should|must|would like to|want to|plan to|going to|will|'ll|"
    r"is due|are due|due)\b", re.IGNORECASE)
DUE_OBLIGATION_RU = re.compile(
    r"\b(?:нужно|надо|необходимо|должен|должна|должны|требуется|срок|дедлайн)\b", re.IGNORECASE)


def is_due_task(text: str, language: str) -> bool:
    """'update the demo paper submission, which is due next Friday': work with a deadline, said without
    "I will" (an obligation or a due date); the caller has found the deadline phrase."""
    if language.startswith("ru"):
        return bool(DUE_OBLIGATION_RU.search(text)) and not _NEGATED_RU.search(text) \
            and not text.rstrip().endswith("?")
    if text.rstrip().endswith("?") or _NEGATED_EN.search(text) or _CONDITIONAL_EN.search(text):
        return False
    if re.match(r"^\W*(?:because|since|as|so that|if|when|while|although|though)\b", text, re.IGNORECASE):
        return False
    return bool(DUE_OBLIGATION_EN.search(text))


# "[PERSON15], could you again please prepare an internal poll?", "Ольга, пришлите, пожалуйста, договор":
# a task asked of someone by name is theirs.
_REQUEST_EN = re.compile(
    rf"(?:\b(?:could|can|would|will) you\s+(?:(?:again|also|then|maybe|perhaps|kindly|please)\s+)*|"
    rf"\bplease,?\s+)(?P<rest>(?:{_TASK_VERBS_EN})\b.*)$",
    re.IGNORECASE,
)
_REQUEST_RU = re.compile(
    r"\b(?P<verb>пришлите|вышлите|отправьте|подготовьте|сделайте|проверьте|согласуйте|направьте|напишите|"
    r"позвоните|уточните|обновите|предоставьте|оформьте|добавьте|посчитайте|запустите|настройте|"
    r"выставьте|оплатите|сообщите|подтвердите|запросите|составьте|назначьте|пригласите|подключите|"
    r"организуйте|передайте|выдайте|перешлите|разошлите|скиньте|внесите)\b(?:,?\s*пожалуйста,?)?"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)


def requested_task(text: str, language: str) -> str | None:
    """The task in a request ("could you please prepare X" → "prepare X"), or ``None``."""
    if language.startswith("ru"):
        m = _REQUEST_RU.search(text)
        return f"{m['verb']}{m['rest']}".strip(" ?.!") if m else None
    if _NEGATED_EN.search(text):
        return None
    m = _REQUEST_EN.search(text)
    return m["rest"].strip(" ?.!") if m else None
