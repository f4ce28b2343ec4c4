"""The web app's own wording in English and Russian.

Pages are written in English and every piece of interface text goes through ``_()``; this module maps
it to Russian when the browser prefers Russian (or the person picked it). Text that comes from the
library (error messages, flags, history notes) and from the meeting itself is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.requests import Request

LANG_COOKIE = "summarizer_lang"
LANGUAGES = ("en", "ru")
Translate = Callable[..., str]

RU: dict[str, str] = {
    # layout
    "Meetings": "Встречи",
    "New meeting": "Новая встреча",
    "Language": "Язык",
    # list
    "In progress": "В работе",
    "Date": "Дата",
    "Meeting": "Встреча",
    "Client": "Клиент",
    "Status": "Статус",
    "Warnings": "Замечания",
    "No meetings yet.": "Встреч пока нет.",
    "Start with a recording or a transcript.": "Начните с записи или стенограммы.",
    # states
    "Draft": "Черновик",
    "Internal review": "Внутренняя проверка",
    "Sent to client": "Отправлен клиенту",
    "Changes requested": "Запрошены правки",
    "Approved": "Согласован",
    "Final sent": "Итоговый разослан",
    # new meeting
    "Recording or transcript": "Запись или стенограмма",
    "Upload a recording (audio/video) or a transcript file (.txt, .srt, .vtt, .json)":
        "Загрузите запись (аудио/видео) или файл стенограммы (.txt, .srt, .vtt, .json)",
    "Up to {mb} MB. What the file is gets checked from its content.":
        "До {mb} МБ. Тип файла определяется по содержимому.",
    "…or paste the transcript": "…или вставьте стенограмму",
    "One line per utterance, e.g. “Olga: Let’s ship on Friday.” Timestamps are optional.":
        "Одна реплика на строку, например «Ольга: Отгружаем в пятницу». Время указывать необязательно.",
    "Title": "Название",
    "Place or call platform": "Место или платформа звонка",
    "Start time": "Время начала",
    "An address or a room, for a meeting in person.": "Адрес или переговорная — для очной встречи.",
    "For a call: Zoom, Microsoft Teams, Google Meet…": "Для звонка: Zoom, Microsoft Teams, Google Meet…",
    "Detect": "Определить",
    "Detail level": "Подробность",
    "Detailed": "Подробный",
    "Brief": "Краткий",
    "Participants (one per line)": "Участники (по одному на строку)",
    "Create draft": "Создать черновик",
    "Uploading… {done} of {total}": "Загрузка… {done} из {total}",
    "Checking the file…": "Проверяем файл…",
    "Upload failed.": "Загрузка не удалась.",
    "The upload was interrupted (server unreachable or the file too large).":
        "Загрузка прервалась (сервер недоступен или файл слишком большой).",
    "{name}: {size} is more than the upload limit of {limit}.": "{name}: {size} — больше лимита {limit}.",
    "Upload a recording or a transcript, or paste the transcript below.":
        "Загрузите запись или стенограмму либо вставьте стенограмму ниже.",
    "Upload a file or paste a transcript, not both.":
        "Загрузите файл или вставьте стенограмму, но не то и другое.",
    "Use a date like 2026-03-31.": "Укажите дату в виде 2026-03-31.",
    "Use a time like 14:30.": "Укажите время в виде 14:30.",
    "Choose Russian, English or detection.": "Выберите русский, английский или автоопределение.",
    "Choose brief or detailed.": "Выберите краткий или подробный.",
    "Number of speakers": "Число говорящих",
    "Recordings only. Leave empty to estimate.": "Только для записей. Оставьте пустым — определим сами.",
    "Give a whole number from 1 to 20, or leave it empty.":
        "Укажите целое число от 1 до 20 или оставьте пустым.",
    # job
    "Preparing the draft": "Готовим черновик",
    "Try again": "Повторить",
    "Start again with another file, keeping the details": "Начать заново с другим файлом, сохранив данные",
    "The draft is ready:": "Черновик готов:",
    "open it for review": "открыть для проверки",
    "You can close this tab: the work continues on the server and this page picks it up again.":
        "Эту вкладку можно закрыть: работа продолжается на сервере, страница подхватит её снова.",
    "Waiting in the queue": "Ждёт в очереди",
    "About {n} min left": "Осталось около {n} мин",
    "Less than a minute left": "Осталось меньше минуты",
    "Transcribing the recording": "Расшифровываем запись",
    "Telling the speakers apart": "Различаем говорящих",
    "Reading the transcript": "Читаем стенограмму",
    "Extracting the protocol": "Составляем протокол",
    "Saving the meeting": "Сохраняем встречу",
    "Rendering the draft": "Оформляем черновик",
    "Draft v{n} is ready": "Черновик v{n} готов",
    "Found while preparing the draft": "Что выяснилось при подготовке черновика",
    # meeting head
    "no date": "без даты",
    "Review": "Проверка",
    "Approval & history": "Согласование и история",
    "Exports": "Выгрузка",
    # review
    "Recording & transcript": "Запись и стенограмма",
    "No recording for this meeting (it was made from a transcript).":
        "У этой встречи нет записи (она создана из стенограммы).",
    "Click an evidence quote to see the transcript around it.":
        "Нажмите на цитату, чтобы увидеть стенограмму вокруг неё.",
    "Version": "Версия",
    "of": "из",
    "by": "автор",
    "extracted": "создана автоматически",
    "edited": "правка",
    "client": "клиент",
    "Nothing was saved yet.": "Ничего не сохранено.",
    "Nothing is saved until you press “Save as a new version”.":
        "Ничего не сохраняется, пока вы не нажмёте «Сохранить новую версию».",
    "Fix the fields marked below and save again.": "Исправьте отмеченные поля и сохраните снова.",
    "This meeting is {status}; its protocol can no longer be edited.":
        "Встреча в статусе «{status}»: протокол больше нельзя изменить.",
    "This is v{n}, an earlier version; versions never change.":
        "Это v{n}, более ранняя версия; версии не изменяются.",
    "Open the latest version (v{n}) to edit.": "Откройте последнюю версию (v{n}), чтобы править.",
    "Header": "Шапка",
    "Start": "Начало",
    "End": "Конец",
    "Place": "Место",
    "Call platform": "Платформа звонка",
    "Organisations (comma-separated)": "Организации (через запятую)",
    "Participants": "Участники",
    "Add a participant": "Добавить участника",
    "Name": "Имя",
    "Position": "Должность",
    "Organisation": "Организация",
    "Side": "Сторона",
    "Ours": "Наша",
    "Unknown": "Неизвестно",
    "E-mail": "E-mail",
    "Phone": "Телефон",
    "Speaker labels": "Метки говорящих",
    "remove": "удалить",
    "Purpose and results": "Цель и итоги",
    "Purpose": "Цель",
    "Results (one per line)": "Итоги (по одному на строку)",
    "Issues discussed": "Обсуждённые вопросы",
    "Add an issue": "Добавить вопрос",
    "Issue": "Вопрос",
    "Summary": "Суть",
    "Possible solutions (one per line)": "Возможные решения (по одному на строку)",
    "Open": "Открыт",
    "Resolved": "Решён",
    "Agreements": "Договорённости",
    "Add an agreement": "Добавить договорённость",
    "Agreement": "Договорённость",
    "Responsible": "Ответственный",
    "Due date": "Срок",
    "Due as said": "Срок, как сказали",
    "Agreed": "Согласовано",
    "Disputed": "Спорно",
    "Cancelled": "Отменено",
    "Superseded": "Заменена",
    "Checked by the reviewer": "Проверено",
    "checked by {name}": "проверено: {name}",
    "Tick it once you have checked the item against the recording: its quote and date warnings then "
    "no longer stop a send. A change to the item removes the tick.":
        "Отметьте, когда сверили пункт с записью: замечания о цитате и сроке больше не мешают отправке. "
        "Правка пункта снимает отметку.",
    "Not a live agreement: a later decision replaced it. It stays here so the change is on record.":
        "Не действует: её заменило более позднее решение. Она оставлена, чтобы изменение было видно.",
    "Not a live agreement: it was cancelled.": "Не действует: договорённость отменена.",
    "Next steps": "Следующие шаги",
    "Add a next step": "Добавить шаг",
    "Action": "Действие",
    "Owner": "Исполнитель",
    "Open questions and closing": "Открытые вопросы и завершение",
    "Open questions (one per line)": "Открытые вопросы (по одному на строку)",
    "Closing": "Завершение",
    "Note for the history (optional)": "Комментарий для истории (необязательно)",
    "These are the client's changes": "Это правки клиента",
    "Save as a new version": "Сохранить новую версию",
    "Saved as version v{n}.": "Сохранено как версия v{n}.",
    "No transcript evidence.": "Нет подтверждения в стенограмме.",
    "Play the recording from here and show the transcript around it":
        "Воспроизвести запись с этого места и показать стенограмму вокруг",
    "Show the transcript around it": "Показать стенограмму вокруг",
    "verified": "подтверждено",
    "fuzzy": "неточно",
    "unverified": "не подтверждено",
    "unchecked": "не проверено",
    "A participant needs a name.": "У участника должно быть имя.",
    "This does not look like an e-mail address.": "Это не похоже на адрес e-mail.",
    "An issue needs a title.": "У вопроса должно быть название.",
    "An agreement needs its text.": "У договорённости должен быть текст.",
    "A next step needs an action.": "У шага должно быть действие.",
    # approval
    "Next step": "Следующий шаг",
    "Read the draft on the Review tab, fix what is wrong, then start the internal review "
    "(saving an edit starts it too).":
        "Прочитайте черновик на вкладке «Проверка», исправьте ошибки и начните внутреннюю проверку "
        "(сохранение правки тоже её начинает).",
    "Start internal review": "Начать внутреннюю проверку",
    "The client asked for changes. Record them on the Review tab (tick “These are the client's changes”), "
    "then send the new version.":
        "Клиент запросил правки. Внесите их на вкладке «Проверка» (отметьте «Это правки клиента») "
        "и отправьте новую версию.",
    "Send the latest version (v{n}) to the client for approval.":
        "Отправьте последнюю версию (v{n}) клиенту на согласование.",
    "It goes out by SMTP and a copy is kept as .eml.": "Письмо уйдёт по SMTP, копия сохранится как .eml.",
    "No SMTP server is configured: the e-mail is written as an .eml file to download and send from your "
    "mail program.":
        "SMTP-сервер не настроен: письмо сохраняется как файл .eml — скачайте его и отправьте из своей "
        "почтовой программы.",
    "To (comma-separated)": "Кому (через запятую)",
    "Send for approval": "Отправить на согласование",
    "Back to draft": "Вернуть в черновик",
    "Waiting for the client. If they ask for changes, record them on the Review tab as the client's "
    "changes. When they confirm in writing, record the approval:":
        "Ждём клиента. Если он попросит правки, внесите их на вкладке «Проверка» как правки клиента. "
        "Когда он письменно подтвердит, зафиксируйте согласование:",
    "Approved by": "Кто согласовал",
    "Their written confirmation (paste the text)": "Письменное подтверждение (вставьте текст)",
    "…or upload their e-mail (.eml)": "…или загрузите их письмо (.eml)",
    "Also send the final version to the participants now": "Сразу разослать итоговую версию участникам",
    "Record approval": "Зафиксировать согласование",
    "The client sent back an edited protocol file": "Клиент прислал отредактированный файл протокола",
    "Their file (.json export or .toml editing format)": "Их файл (выгрузка .json или формат правки .toml)",
    "Record as the client's version": "Сохранить как версию клиента",
    "Approved. Send the final version to every participant with an e-mail address.":
        "Согласовано. Разошлите итоговую версию всем участникам с адресом e-mail.",
    "(written as an .eml, no SMTP configured)": "(сохраняется как .eml, SMTP не настроен)",
    "Extra recipients (optional)": "Дополнительные получатели (необязательно)",
    "Send the final version": "Разослать итоговую версию",
    "The final version was sent. Nothing else to do.":
        "Итоговая версия разослана. Больше ничего делать не нужно.",
    "Nothing was sent yet.": "Пока ничего не отправлено.",
    "The protocol still has {n} open warnings. The client will see the protocol as it is:":
        "В протоколе остались открытые замечания ({n}). Клиент увидит протокол таким, как он есть:",
    "Fix them on the Review tab": "Исправить на вкладке «Проверка»",
    "Send for approval anyway": "Всё равно отправить на согласование",
    "Include a link where the client reads this version, comments and approves it":
        "Добавить ссылку, по которой клиент прочитает эту версию, оставит замечания и согласует её",
    "Send the final version anyway": "Всё равно разослать итоговую версию",
    "Pasted transcript": "Вставленная стенограмма",
    "Unexpected answer from the server (HTTP {status}).": "Неожиданный ответ сервера (HTTP {status}).",
    "This form was opened on v{a}, but v{b} has been saved since. Your edits are below; open the latest "
    "version to compare before saving.":
        "Форма открыта на версии v{a}, а с тех пор сохранена v{b}. Ваши правки ниже; откройте последнюю "
        "версию и сравните, прежде чем сохранять.",
    "Versions": "Версии",
    "Source": "Источник",
    "By": "Автор",
    "When": "Когда",
    "Compare": "Сравнить",
    "with": "с",
    "Show changes": "Показать изменения",
    "Restore an earlier version as a new one": "Вернуть прежнюю версию (станет новой версией)",
    "Restore": "Вернуть",
    "v{n} is restored as v{m}.": "Версия v{n} восстановлена как v{m}.",
    "History": "История",
    "Approved v{n} by {who} at {when}": "Версия v{n} согласована: {who}, {when}",
    "evidence": "подтверждение",
    "Outbox": "Исходящие",
    "Internal review started.": "Внутренняя проверка начата.",
    "Moved back to draft.": "Возвращено в черновик.",
    "The approval is recorded and the final version is rendered.":
        "Согласование зафиксировано, итоговая версия оформлена.",
    "The final version went out.": "Итоговая версия разослана.",
    "The protocol was sent.": "Протокол отправлен.",
    "The protocol was written as an .eml.": "Протокол сохранён как .eml.",
    "Say who approved, e.g. Olga Smirnova <olga@alfa.ru>.":
        "Укажите, кто согласовал, например: Ольга Смирнова <olga@alfa.ru>.",
    "Paste the client's confirmation or upload their e-mail (.eml).":
        "Вставьте подтверждение клиента или загрузите его письмо (.eml).",
    "Choose the file the client sent back (.json or .toml).":
        "Выберите файл, который прислал клиент (.json или .toml).",
    # diff
    "Changes from v{a} to v{b}": "Изменения с v{a} по v{b}",
    "No changes.": "Изменений нет.",
    "Results": "Итоги",
    "Open questions": "Открытые вопросы",
    "Organisations": "Организации",
    "Possible solutions": "Возможные решения",
    "Back to approval & history": "Назад к согласованию и истории",
    "The client's changes are saved as v{n}; here is what they changed.":
        "Правки клиента сохранены как v{n}; вот что изменилось.",
    # exports
    "Download a version": "Скачать версию",
    "approved": "согласована",
    "The .eml is an unsent e-mail with the DOCX attached, addressed to the participants who have an address.":
        "Файл .eml — неотправленное письмо с DOCX во вложении, адресованное участникам с адресами.",
    "The TOML is the editing format: send it to the client to write their changes in, or edit it "
    "yourself; load it back on the Approval page as the client's changes.":
        "TOML — формат для правок: отправьте его клиенту, чтобы он внёс изменения, или поправьте сами; "
        "затем загрузите его на странице согласования как правки клиента.",
    "Messages already built": "Уже подготовленные письма",
    # errors
    "Something needs your attention": "Нужно ваше внимание",
    "Not found": "Не найдено",
    "Request refused": "Запрос отклонён",
    "Access token needed": "Нужен токен доступа",
    "Unexpected error": "Непредвиденная ошибка",
    "There is no page at this address.": "По этому адресу страницы нет.",
    "What to do:": "Что сделать:",
    "Back to the meeting list": "К списку встреч",
    "This form has expired or did not come from this site, so nothing was changed.":
        "Форма устарела или отправлена не с этого сайта, поэтому ничего не изменено.",
    "go back, reload the page and submit again": "вернитесь, обновите страницу и отправьте снова",
    # team sign-in and accounts (web/auth.py)
    "Sign in": "Вход",
    "Login": "Логин",
    "Password": "Пароль",
    "Accounts": "Учётные записи",
    "New account": "Новая учётная запись",
    "Role": "Роль",
    "Create": "Создать",
    "Sign in first": "Сначала войдите",
    "Wrong login or password.": "Неверный логин или пароль.",
    "Too many failed sign-ins; wait before trying again.":
        "Слишком много неудачных попыток входа; подождите и попробуйте снова.",
}


def ui_language(request: Request) -> str:
    """The person's choice (cookie), else the browser's first preference between Russian and English."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def translator(language: str) -> Translate:
    table = RU if language == "ru" else {}

    def translate(text: str, **values: object) -> str:
        out = table.get(text)
        if out is None and not values:
            return translate_message(text, language)
        out = out or text
        return out.format(**values) if values else out

    return translate


# What the library says when a step is refused (``store``, ``approval``), as the web pages show it: the
# common messages and hints in Russian; the rest stays as written.
_MESSAGES_RU: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no meeting '(.+)'$"), "встречи «{0}» нет"),
    (re.compile(r"'(.+)' is not an e-mail address$"), "«{0}» — это не адрес e-mail"),
    (re.compile(r"no recipient given$"), "не указан получатель"),
    (re.compile(r"no version '(.+)'$"), "версии «{0}» нет"),
    (re.compile(r"no job '(.+)'$"), "задания «{0}» нет"),
    (re.compile(r"meeting (\S+) has no recording$"), "у встречи {0} нет записи"),
    (re.compile(r"meeting (\S+) has no transcript$"), "у встречи {0} нет стенограммы"),
    (re.compile(r"meeting (\S+): no participant has an e-mail address$"),
     "встреча {0}: ни у одного участника нет адреса e-mail"),
    (re.compile(r"meeting (\S+) is (\w+); its approved version is final and cannot be edited$"),
     "встреча {0} в статусе {1}: согласованная версия окончательна, её нельзя изменить"),
    (re.compile(r"the approval evidence is empty$"), "подтверждение согласования пустое"),
    (re.compile(r"who approved is missing$"), "не указано, кто согласовал"),
    (re.compile(r"(.+): a confirmation must be an e-mail \(\.eml\) or a text file$"),
     "{0}: подтверждение — это письмо (.eml) или текстовый файл"),
    (re.compile(r"(.+): an edited protocol is a text file \(\.json or \.toml\)$"),
     "{0}: отредактированный протокол — текстовый файл (.json или .toml)"),
    (re.compile(r"use a@example\.com$"), "укажите адрес вида a@example.com"),
    (re.compile(r"add --to client@example\.com$"), "укажите адрес получателя"),
    (re.compile(r"`summarizer list` shows the meetings and their ids$"),
     "список встреч — на главной странице"),
    (re.compile(r"go back to the meeting list$"), "вернитесь к списку встреч"),
]


def translate_message(text: str, language: str) -> str:
    if language != "ru":
        return text
    for pattern, template in _MESSAGES_RU:
        m = pattern.match(text)
        if m:
            return template.format(*m.groups())
    return text


def tr(request: Request, text: str, **values: object) -> str:
    return translator(ui_language(request))(text, **values)


# The pipeline's notes for the reviewer (``DraftResult.notes``) are English sentences from the library;
# the ones it writes today are recognised here so a Russian page does not switch language mid-page.
_NOTES_RU: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Speakers: (\d+) speakers? \(estimated, confidence ([\d.]+)\)$"),
     "Говорящих: {0} (определено автоматически, уверенность {1})"),
    (re.compile(r"Speakers: (\d+) speakers? \(given\)$"), "Говорящих: {0} (как указано в форме)"),
    (re.compile(r"Speakers: (\d+) speakers? \(one per stereo channel\)$"),
     "Говорящих: {0} (по одному на канал стереозаписи)"),
    (re.compile(r"Speakers: speakers not separated: (.+)$"), "Говорящие не разделены: {0}"),
]


# What the library writes into a meeting's history (``approval.workflow``, ``approval.confirm``,
# ``store``) is a record and stays as written; pages show it in the reader's language. A note the person
# typed matches none of these and is shown as typed.
_HISTORY_RU: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"created$"), "создана"),
    (re.compile(r"extracted$"), "создана автоматически"),
    (re.compile(r"v(\d+) edited$"), "v{0}: правка"),
    (re.compile(r"v(\d+) client's changes$"), "v{0}: правки клиента"),
    (re.compile(r"client's changes from (.+)$"), "правки клиента из файла {0}"),
    (re.compile(r"v(\d+) sent to (.+) \((.+)\)$"), "v{0} отправлена: {1} ({2})"),
    (re.compile(r"v(\d+) written to (.+) \((.+)\)$"), "v{0} сохранена как письмо для: {1} ({2})"),
    (re.compile(r"final v(\d+) sent to (.+) \((.+)\)$"), "итоговая v{0} разослана: {1} ({2})"),
    (re.compile(r"final v(\d+) written to (.+) \((.+)\)$"),
     "итоговая v{0} сохранена как письмо для: {1} ({2})"),
    (re.compile(r"approved by (.+) \((.+)\)$"), "согласовал(а): {0} ({1})"),
    (re.compile(r"restored v(\d+) as v(\d+)$"), "v{0} восстановлена как v{1}"),
    (re.compile(r"Draft v(\d+) is ready$"), "Черновик v{0} готов"),
]


def translate_history(text: str, language: str) -> str:
    """A history note or job message the library wrote in English, in the page's language."""
    if language != "ru":
        return text
    for pattern, template in _HISTORY_RU:
        m = pattern.match(text)
        if m:
            return template.format(*m.groups())
    return text


_SPLIT_BY_INTRODUCTIONS = re.compile(r"; (\d+) people by their self-introductions$")


def translate_note(text: str, language: str) -> str:
    if language != "ru":
        return text
    # the pipeline adds this when a self-introduction split one voice into two people
    split = _SPLIT_BY_INTRODUCTIONS.search(text)
    core = text[: split.start()] if split else text
    suffix = f"; по представлениям участников: {split.group(1)}" if split else ""
    for pattern, template in _NOTES_RU:
        m = pattern.match(core)
        if m:
            return template.format(*m.groups()) + suffix
    return text


# What the upload check says about a file (``summarizer.web.uploads``): the file's name stays as the
# person knows it, the problem and the hint are translated. Unknown messages are shown as they are.
_PROBLEMS_RU: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the file is empty$"), "файл пустой"),
    (re.compile(r"this is (.+), not a recording or a transcript$"), "это не запись и не стенограмма ({0})"),
    (re.compile(r"looks like a recording but has no readable audio \(damaged or truncated\?\)$"),
     "похоже на запись, но звук не читается (файл повреждён или обрезан?)"),
    (re.compile(r"neither a recording with an audio track nor a text transcript$"),
     "это не запись со звуком и не текстовая стенограмма"),
    (re.compile(r"named like a recording \((\.\w+)\), but it is a text file that does not read as a "
                r"transcript .*$"),
     "имя как у записи ({0}), но это текстовый файл, и он не похож на стенограмму "
     "(нет строк «Имя: реплика», отметок времени или субтитров)"),
    (re.compile(r"(\d+) characters could not be read .*$"),
     "{0} символов не прочитать (видны как «\ufffd»): текст открыли в неверной кодировке, скорее всего "
     "Windows-1251, и уже потом скопировали"),
    (re.compile(r"the text is garbled: UTF-8 Russian displayed as (\S+) \(it begins (“.*…”), which should "
                r"read (“.*…”)\)$"),
     "текст испорчен: русский текст в UTF-8 показан как {0} (начинается {1}, а должно быть {2})"),
    (re.compile(r"the text is neither UTF-8 nor Windows-1251 Russian text$"),
     "текст не в UTF-8 и не в Windows-1251"),
    (re.compile(r"file is larger than the upload limit of (\d+) MB$"), "файл больше лимита загрузки {0} МБ"),
]
_HINTS_RU = {
    "upload an audio/video recording, or a .txt/.srt/.vtt/.json transcript":
        "загрузите аудио- или видеозапись либо стенограмму .txt/.srt/.vtt/.json",
    "upload the recording itself, or a transcript with one speaker turn per line":
        "загрузите саму запись или стенограмму, где одна реплика на строку",
    "upload the transcript file itself instead: its encoding is detected":
        "загрузите вместо этого сам файл стенограммы: его кодировка определяется автоматически",
    "Save the file as UTF-8 and try again.": "Сохраните файл в UTF-8 и попробуйте снова.",
    "raise upload_limit_mb in the config, or upload a compressed recording":
        "увеличьте upload_limit_mb в настройках или загрузите сжатую запись",
}
_NAMES_RU = {"the pasted transcript": "Вставленная стенограмма"}


def translate_input_error(where: str | None, problem: str, hint: str | None, language: str, *,
                          line: int | None = None) -> str:
    """``where[, line N]: problem (hint)`` in the page's language, as the new-meeting form shows it."""
    if language == "ru":
        for pattern, template in _PROBLEMS_RU:
            m = pattern.match(problem)
            if m:
                problem = template.format(*m.groups())
                break
        hint = _HINTS_RU.get(hint, hint) if hint else hint
        where = _NAMES_RU.get(where, where) if where else where
    if where and line is not None:
        where += f", {'строка' if language == 'ru' else 'line'} {line}"
    text = f"{where}: {problem}" if where else problem
    return text + (f" ({hint})" if hint else "")
