"""Pattern tables for the offline extractor, one entry per language.

Each table is a list of short regular expressions, matched case-insensitively against one sentence.
Keep them readable: one idea per line, and add a sample sentence to tests/test_offline.py when you
add a pattern.
"""

from __future__ import annotations

import re

Table = dict[str, list[str]]

# Explicit decisions: "договорились", "we agreed".
AGREE: Table = {
    # "Принято к сведению" only says it was heard
    "ru": [r"\bдоговорились\b", r"\bсогласовали\b", r"\bрешили\b", r"\bфиксируем\b",
           r"\bпринято\b(?!\s+к\s+сведению)",
           r"\bтак и сделаем\b", r"\bокончательно\b", r"\bсогласовано\b"],
    # Not a bare "deal": "a big deal", "deal with it" and "make a deal" are no decision (CaSiNo, ELITR).
    "en": [r"\bwe agreed\b", r"\bagreed\b", r"\blet's go with\b",
           r"\bwe'll go with\b", r"\bwe decided\b", r"\bdecided\b", r"\bconfirmed\b", *(
               r"\b(?:it's|its|it is|that's|thats|that is|this is|you have|you've got|you got|we have|"
               r"we've got|we got|sounds like|looks like|then it's|then) a "
               r"(?:fair |good |great |nice )?deal\b",
               r"(?:^|[,.!;:]\s*)deal\s*(?:then\s*)?[.!]*\s*$", r"^\W*deal\b(?!\s+with)")],
}
# Someone accepts what the other side just proposed.
ACCEPT: Table = {
    "ru": [r"(?<!не )\bустраивает\b", r"(?<!не )\bподходит\b", r"\bсогласн[аы]?\b", r"\bсогласен\b",
           r"\bдоговорились\b", r"\bсогласовали\b", r"^\s*(?:да|хорошо|отлично|ок|окей|идёт|идет)\b",
           r"\bпринимаем\b", r"^\W*принимается\b", r"\bне возражаем\b",
           # the recogniser's spellings: "устроевает", "устраевает"
           r"(?<!не )\bустр[ао][еи]?ва[ею]т\b", r"(?<!не )\b(?:нас|меня) устроит\b", r"(?<!не )\bгодится\b",
           r"(?<!не )\bприемлем[оа]?\b", r"(?<!не )\b(?:это )?(?:мы )?переживём\b",
           # "Пятьдесят на пятьдесят нормально", "Шестое ноября — да, хорошо": the terms said back, then yes
           r"(?<!не )\bнормально\b", r"[—–,:]\s*(?:да,?\s+)?(?:хорошо|отлично|годится|идёт|идет)\b"],
    "en": [r"(?<!n't )\bworks for (?:us|me)\b", r"^\s*(?:[\w %$€£.,']{0,40})\bworks\b",
           r"\bfine with (?:us|me)\b",
           r"\bis fine\b", r"\bsounds good\b", r"\bagreed\b", r"^\s*(?:ok|okay|yes|sure|deal|great)\b",
           r"\bwe accept\b", r"\bthat's acceptable\b", r"\bwe can accept\b",
           r"\b(?:that's|that is|thats|it's|this is|sounds|seems) (?:fair|good|great|perfect|okay|ok|fine)\b",
           r"\bi(?:'m| am) (?:good|ok|okay|fine|happy) with (?:that|this|it)\b", r"\bno problem\b",
           r"\b(?:i|we) (?:can|could) (?:do|live with|accept|sign off on) (?:that|this|it)\b",
           r"\bthat we can (?:live with|sign off on|do)\b", r"\bfair enough\b", r"\bbut,? yes\b",
           # "Fine.", "Fine by us.", "Two p.m. Tuesday, perfect.", "Then let's do that."
           r"^\W*fine\b", r"\bfine by (?:us|me)\b",
           r",\s*(?:perfect|great|fine)\W*$", r"\blet's do (?:that|it|this)\b",
           # "Lift and shift it is": the option named, then taken
           r"^(?!\W*(?:what|that|this|it|there|here)\b)[\w\s'-]{2,40}\bit is\s*(?:[,.!]|$)"],
}
# What turns a matched acceptance or decision into no decision at all: a negation before it ("It is
# not a good deal", "we haven't agreed"), a condition or a wish ("if we agreed", "we could make a
# fair deal"), or a question ("Is that a good deal?").
NOT_DECIDED: Table = {
    "ru": [r"\bне\b", r"\bнет\b", r"\bесли\b", r"\bбы\b", r"\bли\b", r"\bпока\b"],
    "en": [r"\b(?:not|never|no|nothing)\b", r"n't\b", r"\b(?:if|whether|unless|when)\b",
           r"\b(?:could|should|would|might|may|can|hope|hopefully|want|wanted|try|trying)\b",
           r"\b(?:come up with|make|reach|find|get|work out)\b"],
}
# An acceptance that goes on to ask for something else is a counter-offer ("Ok, I need at least 2 of the
# food"), not a yes.
COUNTER: Table = {
    "ru": [r"\bно\s+(?:нам|мне|мы|я)\b", r"\bоднако\b", r"\bтолько если\b", r"\bвместо\b"],
    "en": [r"\bbut\b(?!,?\s+(?:yes|yeah|sure|okay|ok)\b)", r"\bhowever\b", r"\bat ?least\b", r"\bonly if\b",
           r"\binstead\b",
           r"\bi (?:still )?(?:need|want|would need)\b", r"\brather\b"],
}
# Words of a deal said without its terms ("That is a good deal", "I think we have a deal").
DEAL_WORDS = {"that", "this", "that's", "thats", "it's", "its", "good", "fair", "great", "nice", "deal",
              "think",
              "then", "okay", "sounds", "have", "you", "we", "our", "your", "really", "very", "one", "like",
              "looks", "seems", "agreed", "договорились", "хорошо", "отлично", "тогда", "значит",
              # function words: "We agreed that actually the." states nothing
              "the", "and", "but", "for", "with", "are", "was", "were", "actually", "just", "also", "right",
              "yes", "yeah", "well", "what", "which", "who", "these", "those", "there", "here", "them",
              "they", "their", "about", "any", "all", "как", "что", "это", "так", "все", "всё", "уже", "ещё",
              "еще", "вот", "там", "тут", "мы", "вы", "они"}
# Negations that accept: "no problem", "why not", "не возражаем".
NEGATED_YES: Table = {
    "ru": [r"\bне возража\w*", r"\bнет проблем\b", r"\bпочему бы и нет\b", r"\bне против\b"],
    "en": [r"\bno problem\b", r"\bwhy not\b", r"\bnot a problem\b", r"\bdon't mind\b", r"\bno worries\b"],
}
# Terms of a deal: counts, amounts, percentages, dates: what an acceptance accepts.
TERMS = re.compile(
    r"\b\d|%|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|fifty|hundred|all|"
    r"half|none|both|один|одну|два|две|три|четыре|пять|десять|пятьдесят|сто|половин\w*|"
    r"процент\w*|percent)\b",
    re.IGNORECASE,
)
# Someone turns a proposal down.
REJECT: Table = {
    "ru": [r"\bне подходит\b", r"\bне устраивает\b",
           # "Давайте тогда два месяца, меньше не можем" states a floor, it turns nothing down
           r"(?<!меньше )(?<!больше )(?<!дешевле )(?<!раньше )(?<!позже )(?<!ниже )\bне можем\b",
           r"\bне готовы\b", r"\bне пойдёт\b",
           r"\bне пойдет\b", r"\bслишком\b", r"^\s*нет\b", r"\bне согласн", r"\bне вариант\b",
           r"\b(?:для нас|нам)\s+(?:это\s+)?(?:много|дорого|долго|поздно|мало)\b"],
    "en": [r"\bcan't accept\b", r"\bcannot accept\b", r"\bdoesn't work\b", r"\bdoes not work\b",
           r"\bwon't work\b", r"\btoo (?:high|risky|expensive|late|long|much)\b", r"\bnot acceptable\b",
           r"^\s*no\b", r"\bwe can't\b", r"\bwe cannot\b", r"\bdon't agree\b"],
}
# A proposal that needs the other side's yes before it is an agreement.
PROPOSE: Table = {
    "ru": [r"\bпредлагаю\b", r"\bпредлагаем\b", r"\bдавайте\b", r"\bмы можем\b", r"\bможем\b",
           r"\bсделаем,?\s+но только\b", r"[—–]\s*это\s+(?:наш\s+)?(?:минимум|максимум|предел)\b",
           r"\bкак насч[её]т\b", r"\bа если\b", r"\bмы да[её]м\b", r"\bмогу (?:предложить|дать|сделать)\b",
           # "Тогда старт — с понедельника", "Тогда считаем от восемнадцатого марта: …": terms restated
           r"^\s*тогда\b(?!.*\?\s*$).*(?:\s[—–:]\s|:\s|\bсчитаем\b|\bсдвигаем)",
           r"\bготовы (?:дать|предложить|предоставить)\b", r"\bмы хотели бы\b", r"\bхотим предложить\b",
           # terms stated as a proposal: "И срок поставки — три рабочих дня", "Цена — 100 рублей"
           r"^\s*(?:и\s+|а\s+)?(?:срок|цена|стоимость|оплата|скидка|условия|объ[её]м|график|поставка|"
           r"старт|передача|доставка)\w*(?:\s+[а-яё]+)?\s*(?:[—–]|,(?=\s+[а-яё]+\s+процент))\s"],
    # not "let's see if it happens", "let's leave that", "let's talk about…": nothing is put to the other side
    "en": [r"\blet's\b(?!\s+(?:see|wait|hope|leave|park|think|talk|discuss|come back|revisit|move on|move to|"
           r"turn to|go to|start with|begin|look at|"
           r"go through|get started|keep (?:it|that|this) open)\b)", r"\bwe could\b", r"\bwe can offer\b",
           r"\bwhat about\b", r"\bhow about\b",
           r"\bwe propose\b", r"\bi suggest\b", r"\bi propose\b", r"\bwe suggest\b", r"\bwhat if\b",
           r"\b(?:i|we)(?:'d| would) suggest\b", r"\bwhat (?:i|we) (?:can|could) do is\b",
           r"\bthat's (?:the|my|our) (?:minimum|floor|best (?:i|we) can do|final (?:offer|price))\b",
           # "Can we move the cutover to the weekend of the seventeenth?": terms put as a question
           r"\b(?:can|could) we (?:do|move|make|bring|say|push|shift|keep|start|go with)\b",
           r"\bwe (?:can|could) go live\b"],
}
# Offers of terms as negotiators say them (CaSiNo): "You can have 2 food", "I'd take the water". A
# proposal only with terms in it: "I would like to ask everybody…" in a project meeting offers nothing.
PROPOSE_TERMS: Table = {
    "ru": [r"\bвам (?:подойд[её]т|подходит)\b"],
    "en": [r"\bi(?:'d| would) (?:like|take|need|want|prefer|be willing|give)\b",
           r"\byou (?:can|could) (?:have|take|get|keep)\b",
           # "I can give you two options" announces a choice, it offers no terms yet
           r"\bi (?:can|could|will|'ll) give you\b(?!\s+(?:\w+\s+)?(?:options|choices|alternatives)\b)",
           r"\bmy (?:offer|proposal)\b", r"\bwould you (?:be|accept|take|like|agree|consider)\b",
           r"\b(?:is|does) (?:that|this) (?:ok|okay|fair|good|alright|work)\b", r"\bi (?:get|take|keep)\b",
           r"\byou (?:get|take|keep)\b", r"\b(?:i|we) (?:can|could) do\b", r"\bwe(?:'d| would) need\b"],
}
# An offer by the proposer's own side ("мы можем доставить", "we can offer"): when accepted, the proposer
# is responsible for it.
OFFER: Table = {
    "ru": [r"\bмы (?:можем|сможем|готовы|да[её]м|предоставим|сделаем|поставим|доставим)\b",
           r"\bмы (?:начнём|начнем|запустим)\b"],
    "en": [r"\bwe (?:can|could|will|'ll) (?:offer|give|provide|deliver|ship|start|launch|roll out)\b",
           r"\bwe(?:'re| are) ready to (?:offer|give|provide|deliver|start)\b"],
}
# A later change of an earlier decision: only the final version counts.
REVISE: Table = {
    "ru": [r"\bдавайте лучше\b", r"\bхотя нет\b", r"^\s*нет,? давайте\b", r"\bпоправка\b", r"\bпередумал",
           r"\bвместо этого\b", r"\bлучше давайте\b"],
    "en": [r"^\s*actually\b", r"\binstead\b", r"\bon second thought\b", r"\blet's make it\b",
           r"\bchange that\b", r"\bscratch that\b"],
}
# A decision one side took on its own ("we've decided internally…", "мы для себя решили…"): news for the
# other side, not an agreement between them.
INTERNAL: Table = {
    "ru": [r"\b(?:для себя|у себя|внутри(?: команды| компании)?)\s+(?:уже\s+)?(?:решили|договорились)\b",
           r"\b(?:решили|договорились)\s+(?:для себя|у себя|внутри)\b",
           # "мы с Игорем ещё до звонка решили: дашборд не берём"
           r"\bдо (?:звонка|встречи|созвона)\s+(?:уже\s+)?(?:решили|договорились)\b"],
    "en": [r"\binternally\b", r"\bamong ourselves\b", r"\bbefore (?:the|this) (?:call|meeting),? we\b",
           r"\bon our (?:own )?side,? we(?:'ve| have)? decided\b"],
}
# Checking a fact ("Максим, правильно понимаю, что у вас около двух с половиной тысяч заказов?"): a yes to
# it confirms the fact, it does not accept terms.
FACT_CHECK: Table = {
    "ru": [r"\b(?:правильно|верно)\s+(?:ли\s+)?(?:я\s+)?(?:понимаю|понял|поняла)\b",
           r"\bесли я правильно\b", r"\bя правильно (?:понимаю|понял|поняла)\b"],
    "en": [r"\b(?:do|did) i understand (?:it |that )?(?:right|correctly)\b",
           r"\bif i understand (?:it )?correctly\b", r"\bam i right (?:that|in)\b", r"\bcorrect me if\b",
           r"\bjust to (?:check|confirm|make sure)\b"],
}
# Restatements at the end of a meeting: they repeat agreements, they are not new ones.
RECAP: Table = {
    "ru": [r"\bподводя итоги\b", r"\bподвед[её]м итоги\b", r"\bрезюмирую\b", r"\bитого\b",
           r"^\W*(?:(?:тогда|итак|значит|в общем),?\s+)?(?:наш\s+)?итог\b", r"\bитог\s*:"],
    "en": [r"\bto sum up\b", r"\bto summari[sz]e\b", r"\bin summary\b", r"\bto recap\b"],
}
# First-person commitments; the verb list is long on purpose (Russian has no "will").
_RU_1SG = ("пришлю вышлю отправлю подготовлю сделаю проверю свяжусь организую выдам передам согласую "
           "направлю напишу позвоню уточню обновлю возьму проведу подпишу предоставлю оформлю добавлю "
           "посчитаю созвонюсь запущу настрою дам выставлю оплачу сообщу подтвержу запрошу составлю "
           "назначу приглашу подключу отгружу закажу покажу соберу исправлю доработаю перешлю разошлю "
           "скину продублирую зарезервирую отвечу внесу актуализирую договорюсь верну изучу рассмотрю "
           "пересчитаю")
_RU_1PL = ("пришл[её]м вышлем отправим подготовим сделаем проверим свяжемся организуем выдадим передадим "
           "согласуем направим напишем позвоним уточним обновим возьм[её]м провед[её]м подпишем "
           "предоставим оформим добавим посчитаем запустим настроим дадим выставим оплатим сообщим "
           "подтвердим запросим составим назначим пригласим подключим отгрузим закажем покажем соберём "
           "соберем исправим доработаем перешлём перешлем разошлём разошлем скинем зарезервируем "
           "ответим внесём внесем актуализируем верн[её]м изучим рассмотрим пересчитаем")
COMMIT: Table = {
    "ru": [rf"\b(?:{'|'.join(_RU_1SG.split())})\b", rf"\b(?:{'|'.join(_RU_1PL.split())})\b",
           r"\bбер[уё]м? на себя\b", r"\bза мной\b", r"\bза нами\b",
           r"^\s*(?:следующий шаг|следующие шаги|дальнейшие шаги)\s*[,:—–-]"],
    "en": [r"\b(?:i'll|i will|i'm going to|i am going to|we'll|we will|we're going to|we are going to)\s+"
           r"(?!need\b|be\b|have\b|see\b|try\b|probably\b|also need\b)\w+",
           r"\blet me\s+(?:send|prepare|check|draft|share)\b", r"\bi'll take care\b", r"\bi can send\b",
           # "Next step, we meet again next Tuesday": announced as a step, whatever the verb form
           r"^\s*(?:the\s+|our\s+)?next steps?\b\s*(?:is|are)?\s*[,:—–-]"],
}
# A named person takes an action: "Ольга подготовит", "John will sign off". {name} is filled in.
NAMED_VERB: Table = {
    "ru": [r"(?:подготовит|пришл[её]т|вышлет|отправит|сделает|проверит|свяжется|организует|выдаст|"
           r"передаст|согласует|направит|провед[её]т|подпишет|напишет|позвонит|возьм[её]т|обновит|"
           r"уточнит|предоставит|оформит|запустит|настроит|даст|займ[её]тся|отвечает|выставит|оплатит|"
           r"сообщит|подтвердит|запросит|составит|назначит|пригласит|подключит|отгрузит|закажет|покажет|"
           r"собер[её]т|исправит|доработает|перешл[её]т|разошл[её]т|скинет|ответит|посмотрит|изучит|верн[её]т|"
           r"рассмотрит|пересчитает)"],
    "en": [r"(?:will|is going to|'ll|is to|should|can)\s+\w+"],
}
# Short commitments that only confirm what was just assigned ("Да, беру на себя", "I'll take care of that").
CONFIRM_ONLY: Table = {
    "ru": [r"^\s*(?:да,?\s*)?(?:беру на себя|за мной|сделаю|хорошо,? сделаю)[.!]?\s*$"],
    "en": [r"^\s*(?:yes,?\s*|sure,?\s*)?i'll "
           r"(?:take care of (?:that|it)|do (?:that|it)|handle (?:that|it))[.!]?\s*$"],
}
# Topics raised: "вопрос по срокам", "regarding support".
ISSUE: Table = {
    "ru": [r"\b(?:ещ[её] )?вопрос по\s+[^.,:;!?]+", r"\bпо поводу\s+[^.,:;!?]+", r"\bкасательно\s+[^.,:;!?]+",
           r"\bпроблема (?:в том|с)\s+[^.,:;!?]+", r"\b(?:теперь|тогда) по\s+[^.,:;!?]+",
           r"\bвопрос (?:о|об)\s+[^.,:;!?]+",
           # a requirement or an objection to terms: "нам важно, чтобы …", "пять дней для нас много"
           r"\bнам (?:важно|нужно|необходимо),?\s+чтобы\s+[^.:;!?]+",
           r"^[^.,:;!?]{3,40}\b(?:для нас|нам)\s+(?:это\s+)?(?:слишком\s+)?"
           r"(?:много|дорого|долго|поздно|мало)\b"],
    "en": [r"\bregarding\s+[^.,:;!?]+", r"\bthe (?:main |key |big )?issue is\s+[^.,:;!?]+",
           r"\b(?:our|my) (?:main |key |biggest |big )?(?:concern|issue|problem) is\s+[^.,:;!?]+",
           r"\b(?:one|an|the) open (?:point|issue|question) is\s+[^.,:;!?]+",
           r"\bthe (?:main )?question is\s+[^.,:;!?]+", r"\bconcern(?:ed)? about\s+[^.,:;!?]+",
           r"\bwhen it comes to\s+[^.,:;!?]+", r"\bas for\s+[^.,:;!?]+",
           # an objection to terms: "your first quote was too high for us"
           r"\b(?:the|your|our|this|that)\s+(?:\w+\s+){0,2}(?:quote|price|offer|proposal|terms|deadline|"
           r"budget|estimate|timeline)\s+(?:is|was|are|were|seems?)\s+too\s+\w+"],
}
OPEN: Table = {
    "ru": [r"\bоставим открытым\b", r"\bоткрытый вопрос\b", r"\bвернёмся к\b", r"\bвернемся к\b",
           r"\bпока не решили\b", r"\bостал\w* открыт\w*", r"\bоткрыт\w* (?:остался|остаётся|остается)\b"],
    "en": [r"\bopen (?:question|point|issue)\b", r"\bpark (?:this|that|it)\b", r"\bcome back to\b",
           r"\brevisit\b", r"\bstill open\b", r"\b(?:leave|keep) (?:that|this|it)(?: one)? open\b"],
}
PURPOSE: Table = {
    "ru": [r"\bцель (?:сегодняшней |нашей )?(?:встречи|звонка)\s*(?:—|-|:|–)?\s*(?:это\s+)?(?P<rest>.+)",
           r"\bмы собрались,? чтобы\s+(?P<rest>.+)",
           r"\bсегодня (?:мы )?(?:хотим |планируем |нам нужно |нам надо |нужно |надо |мы должны )?"
           r"(?P<rest>(?:обсудить|согласовать|решить|обговорить|договориться|обсуждаем|согласуем)\b.+)",
           r"\b(?:предлагаю|давайте) (?:сегодня )?(?P<rest>(?:обсудить|согласовать|договориться|обсудим|"
           r"согласуем|договоримся|обговорим)\b.+)"],
    "en": [r"\b(?:we're|we are) here (?:today )?to\s+(?P<rest>.+)",
           r"\bthe (?:purpose|goal) of (?:this|today's|the) (?:meeting|call) is (?:to\s+)?(?P<rest>.+)",
           r"\btoday,? we(?: want| need| plan|'d like| would like) to\s+(?P<rest>.+)",
           r"\btoday,? we(?:'ll| will| are going to)?\s+(?P<rest>(?:agree|discuss|review|decide|settle|"
           r"finali[sz]e|go over|talk about)\b.+)"],
}
# Leading words that carry no content in an item's text.
FILLER = re.compile(
    r"^(?:(?:да|хорошо|отлично|ок|окей|ладно|итак|значит|тогда|так|а|и|ну|хотя нет|согласен|согласна|"
    r"perfect|great|okay|ok|yes|sure|so|and|then|well|actually|right|next steps?|следующий шаг)"
    r"\b[,.!:—-]?\s*)+",
    re.IGNORECASE,
)
PROPOSAL_LEAD = re.compile(
    # "Тогда сдвигаемся: старт поля пятого октября…": the announcing verb goes, the terms stay
    r"^(?:тогда\s+)?[а-яё]+(?:ем|ём|им)(?:ся)?\s*:\s*|"
    r"^(?:(?:тогда\s+)?(?:я\s+)?предлагаю|предлагаем|(?:тогда\s+)?давайте(?:\s+(?:лучше|тогда|так))?:?|"
    r"мы можем|можно|let's(?:\s+make it)?|"
    r"what about|how about|what if|what (?:i|we) (?:can|could) do is|(?:we|i) (?:could|can) do|we could|"
    r"we can offer|we propose|i suggest)\s*",
    re.IGNORECASE,
)
# Terms put as a question and accepted, said as the protocol's statement: "Can we move the cutover to the
# weekend of the seventeenth?" → "The cutover moves to the weekend of the seventeenth" (``{v}`` is the
# verb's participle).
QUESTION_TERMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:[A-Z][a-z]+,\s+)?(?:can|could) we (?:do|say|go with|have|agree on|make it)\s+(?P<x>.+?)"
                r"(?:\s+instead)?\W*$", re.IGNORECASE), "{x}"),
    (re.compile(r"^(?:[A-Z][a-z]+,\s+)?(?:can|could) we move\s+(?P<x>.+?)\s+to\s+(?P<y>.+?)"
                r"(?:\s+instead)?\W*$",
                re.IGNORECASE), "{x} moves to {y}"),
    (re.compile(r"^(?:[A-Z][a-z]+,\s+)?(?:can|could) we (?P<v>bring|push|shift)\s+(?P<x>.+?)\s+"
                r"(?P<d>forward|back)\s+to\s+(?P<y>.+?)\W*$", re.IGNORECASE),
     "{x} is {v} {d} to {y}"),
]
# "Давайте тогда два месяца, меньше не можем": the floor was the speaker's; the terms are the agreement.
FLOOR = re.compile(r",\s*(?:меньше|больше|дешевле|дороже|раньше|позже|ниже|выше)\s+(?:уже\s+)?не\s+"
                   r"(?:можем|могу|получится|сможем)\b.*$"
                   r"|,\s*(?:that's|it's) (?:the|my|our) (?:floor|minimum)\b.*$",
                   re.IGNORECASE)
AGREE_LEAD = re.compile(
    r"^[^:]{0,40}?(?:договорились|согласовали|решили|фиксируем|we agreed|agreed|decided)\s*[:,—-]\s*",
    re.IGNORECASE,
)


def compile_table(table: Table, language: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in table["ru" if language.startswith("ru") else "en"]]


def combine(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    """The table as one alternation: "does any pattern match" in a single search."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or r"(?!)", re.IGNORECASE)


def any_match(patterns: list[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)
