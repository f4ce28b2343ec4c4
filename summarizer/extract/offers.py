"""What an offer says, read around the sentence the rules matched it in.

The sentence splitter cuts an offer's condition and price into clauses of their own; an offer put as a
question is accepted as terms; an offer of options is accepted by naming one. Pure: no I/O.
"""

from __future__ import annotations

import re

from summarizer.extract import offline_patterns as P
from summarizer.extract.sentences import Sentence
from summarizer.extract.terms import PROPOSAL_REACH

_PARTICIPLE = {"bring": "brought", "push": "pushed", "shift": "shifted"}

_ORDINALS = {"one": 1, "first": 1, "1": 1, "1st": 1, "a": 1, "two": 2, "second": 2, "2": 2, "2nd": 2, "b": 2,
             "three": 3, "third": 3, "3": 3, "3rd": 3, "c": 3, "один": 1, "перв": 1, "два": 2, "втор": 2,
             "три": 3, "трет": 3}
_OPTION_MARK = {
    "en": re.compile(r"^\W*(?:and\s+)?option\s+(one|two|three|[123abc])\b", re.IGNORECASE),
    "ru": re.compile(r"^\W*(?:и\s+|а\s+)?(?:вариант\s+(один|два|три|[123]|перв|втор|трет)|"
                     r"(перв|втор|трет)\w*\s+вариант)", re.IGNORECASE),
}
_OPTION_CHOICE = {
    "en": re.compile(r"\b(?:the\s+)?(first|second|third|1st|2nd|3rd)\s+(?:option|one)\b|"
                     r"\boption\s+(one|two|three|[123abc])\b", re.IGNORECASE),
    "ru": re.compile(r"\b(перв|втор|трет)\w*\s+вариант|\bвариант\s+(один|два|три|[123]|перв|втор|трет)",
                     re.IGNORECASE),
}


def _ordinal(m: re.Match[str]) -> int | None:
    word = next((g for g in m.groups() if g), "").lower()
    return _ORDINALS.get(word) or _ORDINALS.get(word[:4])


def chosen_option(s: Sentence, sentences: list[Sentence], i: int, lang: str) -> Sentence | None:
    """'Option one: …, option two: …' then 'Yes, go ahead with the second option': the second one."""
    key = "ru" if lang == "ru" else "en"
    choice = _OPTION_CHOICE[key].search(s.text)
    if choice is None or (wanted := _ordinal(choice)) is None:
        return None
    for j in range(i - 1, -1, -1):
        earlier = sentences[j]
        if s.position - earlier.position > PROPOSAL_REACH:
            break
        mark = _OPTION_MARK[key].match(earlier.text)
        if earlier.speaker == s.speaker or mark is None or _ordinal(mark) != wanted:
            continue
        if len(earlier.text.split()) <= 3 and j + 1 < i and sentences[j + 1].segment_id == earlier.segment_id:
            return sentences[j + 1]  # "Option two" | "we keep the custom walls and drop the banner, …"
        return earlier
    return None


_CONDITION = re.compile(r"^\W*(?:but\s+|and\s+|но\s+|а\s+)?(?:if|если)\b", re.IGNORECASE)
_PRICE_CLAUSE = re.compile(r"^\W*(?:but then|and then|then|so that's|that's|that is|which is|it'd be|"
                           r"it would be|"
                           r"то есть|это будет|и это)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"\d|thousand|hundred|million|percent|per cent|dollar|euro|pound|тысяч|миллион|процент|"
                     r"рубл|"
                     r"евро|доллар", re.IGNORECASE)


def whole_offer(offer: Sentence, by_segment: dict[str, list[Sentence]]) -> Sentence:
    """The offer with the clauses the sentence splitter cut off it: its condition before ("But if you
    commit to two years, | I can do five seventy-five") and its price after ("We could do two years, |
    but then it'd be nineteen thousand two hundred a month")."""
    turn = by_segment.get(offer.segment_id, [offer])
    if offer not in turn:
        return offer
    k = turn.index(offer)
    parts = [offer]
    if k > 0 and _CONDITION.match(turn[k - 1].text):
        parts.insert(0, turn[k - 1])
    if k + 1 < len(turn) and not offer.text.rstrip().endswith("?") and _PRICE_CLAUSE.match(turn[k + 1].text) \
            and _AMOUNT.search(turn[k + 1].text):
        parts.append(turn[k + 1])
    if len(parts) == 1:
        return offer
    text = ", ".join(p.text.rstrip(" .!") for p in parts)
    text = re.sub(r"^\W*(?:but|and|но|а)\s+", "", text, flags=re.IGNORECASE)
    return Sentence(text=text[:1].upper() + text[1:] + ".", segment_id=offer.segment_id,
                    position=offer.position, speaker=offer.speaker, more_ids=list(offer.more_ids))


def question_as_terms(text: str) -> str:
    """"Can we move the cutover to the weekend of the seventeenth?" → "The cutover moves to …"."""
    for pattern, statement in P.QUESTION_TERMS:
        m = pattern.match(text)
        if m:
            said = {k: v for k, v in m.groupdict().items() if v is not None}
            if "v" in said:
                said["v"] = _PARTICIPLE[said["v"].lower()]
            out = statement.format(**said)
            return out[:1].upper() + out[1:]
    return text
