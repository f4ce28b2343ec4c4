"""Transcript import and export: every format, encoding and broken file people actually send."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.errors import InputError, SummarizerError
from summarizer.ingest.read import (
    TRANSCRIPT_SUFFIXES,
    read_transcript,
    write_transcript,
)
from summarizer.transcript import Segment, Transcript

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
RU_SPEAKERS = ["Андрей Козлов", "Ольга Смирнова", "Дмитрий Орлов"]
EN_SPEAKERS = ["Sarah Collins", "Tom Becker", "Priya Nair"]


def sample(samples: Path, name: str) -> Path:
    return samples / "transcripts" / name


# -- the project's own samples, one per format ---------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "fmt", "count", "speakers", "language", "timed"),
    [
        ("negotiation_ru.txt", "txt", 22, RU_SPEAKERS, "ru", False),
        ("negotiation_ru_cp1251.txt", "txt", 22, RU_SPEAKERS, "ru", False),
        ("negotiation_ru.srt", "srt", 22, RU_SPEAKERS, "ru", True),
        ("negotiation_ru_teams.vtt", "vtt", 26, RU_SPEAKERS, "ru", True),
        ("negotiation_en.txt", "txt", 20, EN_SPEAKERS, "en", True),
        ("negotiation_en_zoom.vtt", "vtt", 20, EN_SPEAKERS, "en", True),
        ("negotiation_en_diarised.txt", "txt", 20, ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"], "en", True),
    ],
)
def test_samples_read_in_every_format(samples: Path, name: str, fmt: str, count: int,
                                      speakers: list[str], language: str, timed: bool) -> None:
    t = read_transcript(sample(samples, name))
    assert t.source_format == fmt
    assert t.source == str(sample(samples, name))
    assert len(t.segments) == count
    assert t.speakers() == speakers
    assert t.language == language
    assert [s.id for s in t.segments[:3]] == ["s0001", "s0002", "s0003"]
    assert all(s.text and not s.text.startswith(tuple(speakers)) for s in t.segments)
    if timed:
        starts = [s.start for s in t.segments]
        assert all(x is not None for x in starts) and starts == sorted(starts)  # type: ignore[type-var]
        assert all(s.end is not None and s.end >= s.start for s in t.segments[:-1])  # type: ignore[operator]
        assert t.duration and t.duration > 100
    else:
        assert all(s.start is None for s in t.segments) and t.duration is None


def test_same_meeting_reads_the_same_across_formats(samples: Path) -> None:
    txt = read_transcript(sample(samples, "negotiation_ru.txt"))
    srt = read_transcript(sample(samples, "negotiation_ru.srt"))
    cp = read_transcript(sample(samples, "negotiation_ru_cp1251.txt"))
    assert [(s.speaker, s.text) for s in txt.segments] == [(s.speaker, s.text) for s in srt.segments]
    assert [(s.speaker, s.text) for s in txt.segments] == [(s.speaker, s.text) for s in cp.segments]
    assert txt.meta["encoding"] == "utf-8" and cp.meta["encoding"] == "cp1251"
    # the e-mail spoken aloud survives intact
    assert any("olga.smirnova@alfa-logistic.ru" in s.text for s in cp.segments)
    # "Name (Organisation):" keeps the note for the roster step instead of guessing a field
    assert txt.meta["speaker_notes"] == {"Андрей Козлов": "Северный путь", "Ольга Смирнова": "Альфа-Логистик"}


def test_teams_vtt_keeps_each_cue_and_skips_notes(samples: Path) -> None:
    t = read_transcript(sample(samples, "negotiation_ru_teams.vtt"))
    first, second = t.segments[0], t.segments[1]
    assert first.speaker == second.speaker == "Андрей Козлов"
    assert first.text == "Добрый день, коллеги! Меня зовут Андрей Козлов,"  # one cue, not merged
    assert first.end == second.start
    assert not any("NOTE" in s.text or "<v" in s.text or "</v>" in s.text for s in t.segments)


def test_zoom_vtt_and_diarised_text(samples: Path) -> None:
    zoom = read_transcript(sample(samples, "negotiation_en_zoom.vtt"))
    diar = read_transcript(sample(samples, "negotiation_en_diarised.txt"))
    assert zoom.segments[4].speaker == "Sarah Collins"
    assert zoom.segments[4].text.startswith("Great. Our main concern is lead time.")
    assert zoom.segments[0].start == pytest.approx(2.6)
    # diarised range timestamps give exact ends; labels stay as the diariser wrote them
    assert diar.segments[0].start == pytest.approx(2.6) and diar.segments[0].end == pytest.approx(9.329)
    assert [s.text for s in diar.segments] == [s.text for s in zoom.segments]


def test_timestamp_forms_in_plain_text() -> None:
    t = read_transcript(None, text=(
        "[00:12:31] Ольга Смирнова: Первая реплика.\n"
        "00:12:40 Иван Петров: Вторая.\n"
        "продолжение без метки\n"
        "[12:50] Ольга Смирнова: Третья.\n"
        "(00:13:05.5) [SPEAKER_01] Четвёртая.\n"
    ))
    assert t.source_format == "stdin" and t.source is None
    assert [(s.start, s.end, s.speaker) for s in t.segments] == [
        (751.0, 760.0, "Ольга Смирнова"),
        (760.0, 770.0, "Иван Петров"),
        (760.0, 770.0, "Иван Петров"),  # continuation line: same speaker, its own segment
        (770.0, 785.5, "Ольга Смирнова"),
        (785.5, None, "SPEAKER_01"),
    ]
    assert t.segments[2].text == "продолжение без метки"


def test_plain_text_speaker_rules() -> None:
    t = read_transcript(None, text=(
        "Ольга Смирнова (руководитель отдела закупок): Добрый день.\n\n"
        "Иван Петров:\n"
        "Здравствуйте.\n"
        "Итак: начнём с графика.\n"
        "Ольга Смирнова: Давайте. Время встречи 10:30 подходит.\n"
    ))
    assert [(s.speaker, s.text) for s in t.segments] == [
        ("Ольга Смирнова", "Добрый день."),
        ("Иван Петров", "Здравствуйте."),
        ("Иван Петров", "Итак: начнём с графика."),  # a word with a colon is not a new person
        ("Ольга Смирнова", "Давайте. Время встречи 10:30 подходит."),
    ]
    assert t.language == "ru"


def test_first_names_only_file_and_markdown(tmp_path: Path) -> None:
    t = read_transcript(None, text="Anna: Hi.\nBob: Hello.\nAnna: Shall we?\nCarl: Yes.\n")
    assert [s.speaker for s in t.segments] == ["Anna", "Bob", "Anna", "Carl"]
    md = tmp_path / "call.md"
    md.write_text("# Call notes\n\n- **Anna Lee:** Hi all.\n- **Bob Stone**: Hello.\n", encoding="utf-8")
    t = read_transcript(md)
    assert [(s.speaker, s.text) for s in t.segments] == [("Anna Lee", "Hi all."), ("Bob Stone", "Hello.")]


def test_teams_copy_paste_headers() -> None:
    t = read_transcript(None, text="Anna Lee   0:03\nHello everyone.\nWelcome.\nBob Stone   1:15\nThanks.\n")
    assert [(s.speaker, s.start, s.text) for s in t.segments] == [
        ("Anna Lee", 3.0, "Hello everyone."), ("Anna Lee", 3.0, "Welcome."), ("Bob Stone", 75.0, "Thanks."),
    ]


def test_srt_without_speakers_and_with_multiline_cues() -> None:
    t = read_transcript(None, text=(
        "1\n00:00:01,000 --> 00:00:04,000\nHello and welcome\nto the call.\n\n"
        "2\n00:00:04,500 --> 00:00:06,000\n<i>Thanks</i> &amp; hi.\n"
    ))
    assert t.meta["format"] == "srt"
    assert [(s.text, s.start, s.end, s.speaker) for s in t.segments] == [
        ("Hello and welcome to the call.", 1.0, 4.0, None), ("Thanks & hi.", 4.5, 6.0, None),
    ]


def test_stdin_text_and_bytes() -> None:
    text = "SPEAKER_00: Добрый день.\n[SPEAKER_01] Здравствуйте.\n"
    from_str = read_transcript(None, text=text)
    from_bytes = read_transcript(None, text=text.encode("cp1251"))
    assert from_str.source_format == from_bytes.source_format == "stdin"
    assert [s.speaker for s in from_str.segments] == ["SPEAKER_00", "SPEAKER_01"]
    assert [s.text for s in from_bytes.segments] == [s.text for s in from_str.segments]
    assert from_bytes.meta["encoding"] == "cp1251"
    vtt = read_transcript(None, text="WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna>Hi</v>\n")
    assert vtt.meta["format"] == "vtt" and vtt.segments[0].speaker == "Anna" and vtt.segments[0].start == 1.0


def test_non_russian_8bit_text_is_refused_not_misread() -> None:
    # cp1251 decodes any byte; without Cyrillic words the guess must not be taken
    with pytest.raises(InputError, match=r"^<stdin>, line 2: the text is neither UTF-8 nor Windows-1251"):
        read_transcript(None, text=b"Anna Lee: hello\nBob Stone: total 100\xb0 and \xa7 5\n")


def test_language_guess_english_with_russian_names() -> None:
    t = read_transcript(None, text="Ольга: Let's agree the delivery terms today.\nИван: Sure, fine by me.\n")
    assert t.language == "en"


# -- encodings ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "encoding", "first"),
    [
        ("utf8_bom.vtt", "utf-8-sig", ("Ольга Смирнова", "Добрый день, коллеги.")),
        ("utf16le_bom.txt", "utf-16", ("Ольга Смирнова", "Добрый день, коллеги.")),
        ("utf16be_bom.srt", "utf-16", ("SPEAKER_00", "Добрый день.")),
        ("utf16le_nobom.txt", "utf-16-le", ("Anna Lee", "Hello there.")),
        ("cp1251_times.txt", "cp1251", ("Ольга Смирнова", "Стопроцентная предоплата нам не подходит.")),
    ],
)
def test_encodings_are_detected(name: str, encoding: str, first: tuple[str, str]) -> None:
    t = read_transcript(FIXTURES / name)
    assert t.meta["encoding"] == encoding
    assert (t.segments[0].speaker, t.segments[0].text) == first
    assert len(t.segments) == 2
    assert not any("\r" in s.text or "\ufeff" in s.text for s in t.segments)


# -- broken input: the message names the file and the line -----------------------------------------------
@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad_timestamp.srt", 6, "cannot read the time line '00:00:05,000 --> 00:00:0X,000'"),
        ("end_before_start.srt", 10, "ends (00:00:07,500) before it starts (00:00:09,000)"),
        ("missing_time_line.srt", 6, "cue 2 has no time line"),
        ("missing_header.vtt", 1, "first line must be 'WEBVTT'"),
        ("cue_without_time.vtt", 8, "cue '2' has no time line"),
        ("bad.json", 4, "not valid JSON"),
        ("time_backwards.txt", 3, "goes back before the previous line"),
        ("bad_minutes.txt", 2, "'00:75:10' is not a valid time"),
        ("latin1.txt", 1, "neither UTF-8 nor Windows-1251"),
    ],
)
def test_broken_files_name_file_and_line(name: str, line: int, words: str) -> None:
    path = FIXTURES / name
    with pytest.raises(InputError) as err:
        read_transcript(path)
    message = str(err.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert words in message
    assert err.value.line == line and err.value.path == str(path)
    assert isinstance(err.value, SummarizerError) and err.value.exit_code != 0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.txt", "the file is empty"),
        ("blank.srt", "the file is empty"),
        ("binary.txt", "binary file"),
        ("fake_audio.txt", "an audio file"),
        ("does_not_exist.txt", "file not found"),
    ],
)
def test_unreadable_files(name: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        read_transcript(FIXTURES / name)
    assert str(err.value).startswith(str(FIXTURES / name)) and words in str(err.value)


def test_folder_size_limit_and_stdin_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        read_transcript(tmp_path)
    big = tmp_path / "big.txt"
    big.write_text("Anna Lee: " + "word " * 400 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"too large: 2,011 bytes; the limit is 1,000 bytes"):
        read_transcript(big, max_bytes=1000)
    assert read_transcript(big).segments[0].speaker == "Anna Lee"
    with pytest.raises(InputError, match=r"^<stdin>: the pasted text is empty"):
        read_transcript(None, text="  \n\n")
    with pytest.raises(InputError, match="unknown transcript format 'docx'"):
        read_transcript(None, text="hi", fmt="docx")
    with pytest.raises(InputError, match=r"^<stdin>, line 2: cue 1 has no time line"):
        read_transcript(None, text="1\n00:00:01 -> 00:00:02\nhi\n", fmt="srt")


# -- JSON -------------------------------------------------------------------------------------------------
def test_project_json_round_trip_is_lossless(samples: Path, tmp_path: Path) -> None:
    original = read_transcript(sample(samples, "negotiation_ru_teams.vtt"))
    original.meta["model"] = "base"
    path = tmp_path / "t.json"
    path.write_text(original.to_json(), encoding="utf-8")
    again = read_transcript(path)
    assert again == original
    assert read_transcript(None, text=original.to_json()).segments == original.segments


def test_whisper_style_json_and_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "whisper.json"
    path.write_text(json.dumps({"language": "en", "segments": [
        {"start": 0.0, "end": 2.5, "text": " Hello there."},
        {"start": 2.5, "end": 4.0, "text": " Hi.", "speaker": "SPEAKER_01"},
    ]}), encoding="utf-8")
    t = read_transcript(path)
    assert [(s.id, s.text, s.start, s.end, s.speaker) for s in t.segments] == [
        ("s0001", "Hello there.", 0.0, 2.5, None), ("s0002", "Hi.", 2.5, 4.0, "SPEAKER_01"),
    ]
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format_version": 99, "segments": []}), encoding="utf-8")
    with pytest.raises(InputError, match="newer summarizer"):
        read_transcript(future)
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"format_version": 1, "segments": [{"text": "no id"}]}), encoding="utf-8")
    with pytest.raises(InputError, match=r"invalid\.json: this is not a valid summarizer transcript"):
        read_transcript(invalid)


# -- writers ----------------------------------------------------------------------------------------------
def _timed_transcript() -> Transcript:
    return Transcript(segments=[
        Segment(id="s0001", text="Добрый день, коллеги <всем> & гостям.", start=1.0, end=4.25,
                speaker="Ольга Смирнова"),
        Segment(id="s0002", text="Здравствуйте.", start=4.5, end=6.0, speaker="SPEAKER_01"),
        Segment(id="s0003", text="Пришлю до пятницы.", start=7.0, end=9.5, speaker="1"),
        Segment(id="s0004", text="Хорошо, договорились.", start=10.0, end=None, speaker="Ольга Смирнова"),
    ], language="ru")


@pytest.mark.parametrize("fmt", ["txt", "srt", "vtt", "json"])
def test_writers_round_trip_through_readers(tmp_path: Path, fmt: str) -> None:
    original = _timed_transcript()
    path = write_transcript(original, tmp_path / f"out.{fmt}", fmt)
    again = read_transcript(path)
    assert [(s.id, s.speaker, s.text) for s in again.segments] == [
        (s.id, s.speaker, s.text) for s in original.segments
    ]
    # txt keeps whole seconds ([hh:mm:ss]); the subtitle formats and json keep milliseconds
    precise = fmt != "txt"
    assert [s.start for s in again.segments] == [
        s.start if precise else float(int(s.start or 0)) for s in original.segments
    ]
    if fmt in {"srt", "vtt", "json"}:
        assert [s.end for s in again.segments[:3]] == [s.end for s in original.segments[:3]]
    assert again.language == "ru"
    assert list(tmp_path.iterdir()) == [path]  # no temp files left behind


def test_vtt_writer_uses_voice_tags_and_txt_writer_timestamps(tmp_path: Path) -> None:
    vtt = write_transcript(_timed_transcript(), tmp_path / "a.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n")
    assert ("00:00:01.000 --> 00:00:04.250\n"
            "<v Ольга Смирнова>Добрый день, коллеги &lt;всем&gt; &amp; гостям.</v>") in vtt
    txt = write_transcript(_timed_transcript(), tmp_path / "a.txt").read_text(encoding="utf-8")
    assert txt.splitlines()[1] == "[00:00:04] SPEAKER_01: Здравствуйте."
    assert txt.splitlines()[2] == "[00:00:07] [1]: Пришлю до пятницы."


def test_untimed_transcript_writes_txt_but_not_subtitles(samples: Path, tmp_path: Path) -> None:
    original = read_transcript(sample(samples, "negotiation_ru.txt"))
    path = write_transcript(original, tmp_path / "copy.txt")
    again = read_transcript(path)
    assert [(s.speaker, s.text) for s in again.segments] == [(s.speaker, s.text) for s in original.segments]
    with pytest.raises(InputError, match="no timestamps, so it cannot be written as SRT"):
        write_transcript(original, tmp_path / "copy.srt")
    assert not (tmp_path / "copy.srt").exists()


def test_writer_never_overwrites_without_permission(tmp_path: Path) -> None:
    target = tmp_path / "edited.txt"
    target.write_text("a person's edits", encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_transcript(_timed_transcript(), target, "txt")
    assert str(err.value).startswith(f"{target}: the file already exists")
    assert target.read_text(encoding="utf-8") == "a person's edits"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.txt"]
    write_transcript(_timed_transcript(), target, "txt", overwrite=True)
    assert target.read_text(encoding="utf-8").startswith("[00:00:01] Ольга Смирнова:")
    with pytest.raises(InputError, match="cannot write a transcript as '.docx'"):
        write_transcript(_timed_transcript(), tmp_path / "x.docx")
    with pytest.raises(InputError, match="folder for this file does not exist"):
        write_transcript(_timed_transcript(), tmp_path / "missing" / "x.txt")


def test_suffixes() -> None:
    assert {".txt", ".srt", ".vtt", ".json", ".md"} == TRANSCRIPT_SUFFIXES


# -- real third-party transcripts --------------------------------------------------------------------------
def test_elitr_transcripts_read_with_person_tags(shared_data: Path) -> None:
    files = sorted((shared_data / "elitr_dev").glob("meeting_*/transcript_MAN*.txt"))
    if not files:
        pytest.skip("no ELITR transcripts in shared data")
    for path in files[:3]:
        t = read_transcript(path)
        assert t.language == "en"
        assert len(t.segments) > 50
        speakers = t.speakers()
        assert speakers and all(s.startswith("PERSON") for s in speakers), speakers[:5]
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert len(t.segments) == len(lines)  # one segment per line, nothing merged


def test_errors_without_a_file_are_not_blamed_on_stdin() -> None:
    # a bad option value or address is not "<stdin>: ..."; pasted text still is
    assert InputError(None, "'vx' is not a version").message == "'vx' is not a version"
    assert InputError(None, "bad cue", line=3).message == "line 3: bad cue"
    with pytest.raises(InputError) as pasted:
        read_transcript(None, text="   ")
    assert pasted.value.path == "<stdin>" and pasted.value.message == "<stdin>: the pasted text is empty"
