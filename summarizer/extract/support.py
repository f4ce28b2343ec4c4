"""Does the evidence support the item? A quote that exists is not enough (issue 9 item 18).

An invented agreement ("30% discount and free delivery for two years") citing a real sentence about
something else passed the quote check, because the quote *was* said. Here the item's own words are
looked up in the segments it cites:

* **facts** must all be there: numbers (digits or number words, RU and EN: "пятьдесят" = 50,
  "fifteen percent" = 15, "twelve-month" = 12, "триста пятьдесят" = 350, "1,2 млн" = 1 200 000,
  "19,200" = 19 200), and names that are not a participant's;
* **content words** (by a crude prefix stem, so "пришлёт" meets "пришлю", "phased" meets "phase")
  must mostly be there.

What a protocol writer legitimately changes is not counted against the item: the owner's or speaker's
name ("Игорь Петров пришлёт доступы" citing "Я пришлю доступы"), pronouns and the writer's own
vocabulary ("стороны договорились", "the parties agreed"), and a deadline written as the date the
said phrase means ("до 27 ноября" for "до пятницы" said on 25 November).

Pure functions; ``verify.finalize_protocol`` turns a negative answer into ``evidence_unsupported``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from summarizer.extract.dates import find_due_phrases, resolve_due
from summarizer.extract.evidence import normalise_text
from summarizer.extract.numbers import MONTH_STEMS, is_number_word, month_numbers, number_values

# Below this share of the item's content words found in the cited segments, the item is unsupported
# An item of one or two content words needs them all ("пришлёт договор" is not "пришлю предложение").
MIN_COVERAGE = 0.5
_STEM = 5  # prefix length that stands for a word's stem (works for Russian inflection and English)


def _words(text: str) -> set[str]:
    return set(text.split())


_STOP = _words("""
a an the and or but of to in on at by for with from as is are was were be been being it its this
that these those there here we our us you your they them their he she him her his i me my mine will
would shall should can could may might must do does did done have has had not no yes so then than
also just very well ok okay let lets let's all any some each both which who whom whose what when
where how why about into over under after before until up out off again further once more most
other such only own same too s t ll re ve d m o y per via и в во на с со к ко по о об от до за из у
для при без над под про через а но или либо же ли бы не ни то это этот эта эти тот та те так как
что чтобы кто где когда там тут тоже также уже ещё еще вот да нет я мы ты вы он она оно они меня
мне нас нам нами вас вам его ее её их им ими ему ей мой моя мое моё мои наш наша наше наши ваш ваша
ваше ваши свой своя свое своё свои себя себе сам сама сами будет будут быть был была были есть всё
все весь вся всех всем очень можно нужно надо давайте хорошо ладно
""")
# The protocol writer's own words: they frame an item, they are not a claim to prove.
_FRAME = _words("""
agree agreed agrees agreement parties party side sides confirm confirmed confirms decided decide
decision responsible deadline item items team participants client company стороны сторона
договорились договорённость договоренность согласовали согласовано согласовать подтвердил
подтвердила подтвердили решили решено ответственный срок компания клиент участники
""")

_WORD = re.compile(r"[a-zа-я]+(?:-[a-zа-я]+)*|\d+(?:[.,]\d+)?")
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZА-ЯЁ][a-zа-яё]+)")


@dataclass
class Support:
    supported: bool
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    coverage: float = 1.0  # share of the item's content words found in the cited segments
    content_words: int = 0
    words_ok: bool = True

    def describe(self) -> str:
        parts = []
        if self.missing_numbers:
            parts.append("numbers " + ", ".join(self.missing_numbers))
        if self.missing_names:
            parts.append("names " + ", ".join(self.missing_names))
        if not self.words_ok:
            parts.append(f"{round(self.coverage * 100)}% of its words")
        return "; ".join(parts)


# Russian verb stems that alternate consonants between forms ("прислать" / "пришлю").
_ALTERNATIONS = (("пришл", "присл"), ("вышл", "высл"), ("отошл", "отосл"), ("пошл", "посл"),
                 ("перешл", "пересл"))


def _key(word: str) -> str:
    for said, written in _ALTERNATIONS:
        if word.startswith(said):
            word = written + word[len(said):]
    return word[:_STEM]


def _initials(tokens: list[str]) -> set[str]:
    """Abbreviations the context may stand for: "коммерческое предложение" → "кп"."""
    out = set()
    letters = [t[0] for t in tokens if t and t[0].isalpha() and t not in _STOP]
    for size in (2, 3, 4):
        for i in range(len(letters) - size + 1):
            out.add("".join(letters[i:i + size]))
    return out


def _tokens(text: str) -> list[str]:
    return _WORD.findall(normalise_text(text).replace("ё", "е"))


def _found(word: str, keys: set[str], words: set[str]) -> bool:
    if word in words or _key(word) in keys:
        return True
    if len(word) < _STEM:
        return any(w.startswith(word) for w in words)
    return False


@functools.lru_cache(maxsize=16)
def _name_keys(names: tuple[str, ...]) -> frozenset[str]:
    # the same participants for every item of a protocol: worked out once, not once per item
    return frozenset(_key(w) for name in names for w in _tokens(name) if len(w) >= 3)


def check_support(
    item_text: str,
    cited_texts: list[str],
    *,
    names: list[str] | tuple[str, ...] = (),
    meeting_date: dt.date | None = None,
    language: str = "ru",
) -> Support:
    """Whether ``item_text`` is stated by ``cited_texts`` (the full texts of the cited segments).

    ``names`` are people the writer may name without the transcript saying so in those segments
    (participants, speakers); their name parts are not counted."""
    context = " ".join(cited_texts)
    ctx_tokens = _tokens(context)
    ctx_words = set(ctx_tokens)
    ctx_keys = {_key(w) for w in ctx_words}
    ctx_numbers = number_values(context, parts=True) | month_numbers(context)
    if meeting_date is not None:
        # a deadline written as the date its phrase means ("до 27 ноября" for "до пятницы")
        for phrase in find_due_phrases(context, language):
            resolved = resolve_due(phrase, meeting_date, language)
            if resolved is not None:
                ctx_numbers |= {str(resolved.day), str(resolved.month), str(resolved.year)}
        ctx_numbers.add(str(meeting_date.year))
    abbreviations = _initials(ctx_tokens)
    name_keys = _name_keys(tuple(names))

    missing_numbers = sorted(n for n in number_values(item_text) if n not in ctx_numbers)
    # A month written as a word in the item must be said too, as a word or a number.
    missing_numbers += sorted(f"month {m}" for m in month_numbers(item_text) if m not in ctx_numbers)

    missing_names = []
    for match in _CAPITAL.finditer(item_text):
        word = normalise_text(match.group(1)).replace("ё", "е")
        if _key(word) in name_keys or word in _STOP or word in _FRAME:
            continue
        if not _found(word, ctx_keys, ctx_words):
            missing_names.append(match.group(1))

    content = []
    item_abbreviations = set()
    for raw in re.findall(r"\b[A-ZА-ЯЁ]{2,5}\b", item_text):
        # an abbreviation ("КП", "SLA") must be said, spelled out or as it is
        word = raw.lower().replace("ё", "е")
        item_abbreviations.add(word)
        if word not in ctx_words and word not in abbreviations and _key(word) not in name_keys:
            content.append(word)
        elif _key(word) not in name_keys:
            content.append("")  # found: counts as a found word
    for word in (part for token in _tokens(item_text) for part in token.split("-")):
        if not word or (word[0].isdigit() or len(word) < 3 or word in _STOP or word in _FRAME
                or word in item_abbreviations):
            continue
        if _key(word) in name_keys or is_number_word(word):
            continue
        if any(word.startswith(ru) and len(ru) > 2 for ru, _ in MONTH_STEMS):
            continue
        content.append(word)
    found = sum(not w or _found(w, ctx_keys, ctx_words) for w in content)
    coverage = found / len(content) if content else 1.0
    words_ok = not content or coverage >= (1.0 if len(content) <= 2 else MIN_COVERAGE)
    supported = not missing_numbers and not missing_names and words_ok
    return Support(supported, missing_numbers, missing_names, round(coverage, 2), len(content), words_ok)
