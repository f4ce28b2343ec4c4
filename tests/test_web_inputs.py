"""The web app in-process: bad inputs give a clear message naming the file and the problem, and what the
person typed (date, roster, speakers, title) is never lost; the speaker-count field; superseded
agreements on the review page; the notes a draft run leaves for the reviewer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from web_support import csrf, make_draft, review_fields, wait_job, web_client

from summarizer.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "meeting_en.wav"
RU_TEXT = (
    "Ольга Смирнова: Мы отгружаем в пятницу.\n"
    "Игорь Петров: Договорились, я пришлю договор до пятницы.\n"
)
DETAILS = {
    "title": "Поставка упаковки",
    "meeting_date": "2026-03-02",
    "roster": "Ольга Смирнова=Ольга Смирнова, руководитель отдела закупок, Альфа, side=client",
    "num_speakers": "2",
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from web_client()


def _details_kept(page: str) -> None:
    """The form came back with everything the person had typed."""
    text = html.unescape(page)
    assert f'value="{DETAILS["title"]}"' in text
    assert f'value="{DETAILS["meeting_date"]}"' in text
    assert f'value="{DETAILS["num_speakers"]}"' in text
    assert DETAILS["roster"] + "</textarea>" in text


def _no_uploads_left() -> None:
    uploads = load_settings().data_dir / "web" / "uploads"
    assert not any(p.is_file() for p in uploads.rglob("*")), "a rejected upload must not stay on disk"


def _wav_bytes() -> bytes:
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    return SAMPLE.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("Call with Contoso.wav", lambda: b"", "the file is empty"),
        ("Call with Contoso.wav", lambda: b"Shopping list\nmilk\nbread\n", "named like a recording (.wav)"),
        ("Call with Contoso.wav", lambda: b"RIFF\x10\x00\x00\x00WAVEfmt junk" * 20, "no readable audio"),
        ("Call with Contoso.mp3", lambda: _wav_bytes()[:44] + b"\x00" * 3000, "truncated"),
    ],
    ids=["empty", "text-renamed-wav", "corrupt-audio", "truncated-audio"],
)
def test_bad_uploads_name_the_file_and_keep_the_details(
    client: TestClient, name: str, content: Any, problem: str
) -> None:
    data = {"csrf_token": csrf(client), **DETAILS}
    r = client.post("/new", data=data, files={"file": (name, content())}, follow_redirects=False)
    if "truncated" in problem:  # only decoding finds it: the job fails, naming the file
        assert r.status_code == 303, r.text
        state = wait_job(client, r.headers["location"], timeout=120)
        assert state["status"] == "failed", state
        assert str(state["error"]).startswith(f"{name}: ") and problem in str(state["error"])
        assert "/web/uploads/" not in str(state["error"])
        job_page = client.get(r.headers["location"]).text
        restart = re.search(r'id="job-restart" href="([^"]+)"', job_page)
        assert restart, "a failed job offers to start again without retyping"
        _details_kept(client.get(html.unescape(restart.group(1))).text)
        return
    assert r.status_code == 422, r.text
    page = html.unescape(r.text)
    assert f"{name}: " in page and problem in page
    assert 'id="err-file"' in r.text
    _details_kept(r.text)
    _no_uploads_left()
    assert client.get("/").text.count("/jobs/") == 0  # nothing was started


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("встреча.wav", b"", "встреча.wav: файл пустой"),
        ("встреча.wav", b"Shopping list\nmilk\n", "встреча.wav: имя как у записи (.wav), но это текст"),
        ("встреча.m4a", b"RIFF\x10\x00\x00\x00WAVEfmt junk" * 20, "звук не читается"),
    ],
)
def test_upload_problems_in_russian(client: TestClient, name: str, content: bytes, problem: str) -> None:
    ru = {"accept-language": "ru-RU,ru;q=0.9"}
    r = client.post("/new", data={"csrf_token": csrf(client), **DETAILS}, files={"file": (name, content)},
                    headers=ru)
    assert r.status_code == 422
    assert problem in html.unescape(r.text)
    _details_kept(r.text)
    garbled = RU_TEXT.encode("cp1251").decode("utf-8", "replace")
    r = client.post("/new", data={"csrf_token": csrf(client), "transcript": garbled},
                    files={"file": ("", b"")}, headers={**ru, "x-requested-with": "XMLHttpRequest"})
    assert r.json()["error"].startswith("Вставленная стенограмма: ")
    assert "неверной кодировке" in r.json()["error"] and "сам файл стенограммы" in r.json()["error"]


def test_a_transcript_with_structure_named_like_audio_is_still_accepted(client: TestClient) -> None:
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client), "meeting_date": "2026-03-02"},
        files={"file": ("call.wav", RU_TEXT.encode("utf-8"))},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert wait_job(client, r.headers["location"])["status"] == "done"


def test_pasted_cp1251_bytes_are_decoded_like_a_file(client: TestClient) -> None:
    """A client that posts the form in Windows-1251 (not a browser: they always send UTF-8)."""
    r = client.post(
        "/new",
        data={"csrf_token": csrf(client), "meeting_date": "2026-03-02",
              "transcript": RU_TEXT.encode("cp1251")},
        files={"file": ("", b"")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    state = wait_job(client, r.headers["location"])
    assert state["status"] == "done", state
    review = client.get(f"/m/{state['meeting_id']}").text
    assert "договор" in review and "\ufffd" not in review


@pytest.mark.parametrize(
    ("garbled", "problem"),
    [
        (RU_TEXT.encode("cp1251").decode("utf-8", "replace"), "characters could not be read"),
        (RU_TEXT.encode("utf-8").decode("cp1251", "replace"), "UTF-8 Russian displayed as cp1251"),
    ],
    ids=["replacement-characters", "utf8-shown-as-cp1251"],
)
def test_garbled_pasted_text_is_refused_and_kept(client: TestClient, garbled: str, problem: str) -> None:
    data = {"csrf_token": csrf(client), **DETAILS, "transcript": garbled}
    r = client.post("/new", data=data, files={"file": ("", b"")})
    assert r.status_code == 422
    page = html.unescape(r.text)
    assert "the pasted transcript: " in page and problem in page and 'id="err-transcript"' in r.text
    assert garbled.strip() + "</textarea>" in page  # the pasted text stays, to fix or to copy
    _details_kept(r.text)
    ajax = client.post(
        "/new", data=data, files={"file": ("", b"")}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert ajax.status_code == 422 and problem in ajax.json()["error"]


@pytest.mark.parametrize("value", ["0", "21", "two", "-1", "2.5"])
def test_number_of_speakers_is_checked(client: TestClient, value: str) -> None:
    data = {"csrf_token": csrf(client), "transcript": RU_TEXT, "num_speakers": value}
    r = client.post("/new", data=data, files={"file": ("", b"")})
    assert r.status_code == 422
    assert 'id="err-num_speakers"' in r.text and "from 1 to 20" in r.text
    assert f'value="{value}"' in r.text


def test_number_of_speakers_reaches_the_pipeline(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import summarizer.pipeline as pipeline

    seen: list[int | None] = []
    real = pipeline.run_draft

    def recording_run_draft(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("num_speakers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "run_draft", recording_run_draft)
    make_draft(client, RU_TEXT, num_speakers="3", roster="")
    make_draft(client, RU_TEXT, num_speakers="", roster="")
    assert seen == [3, None]


def test_superseded_agreement_is_marked_not_live(client: TestClient) -> None:
    from summarizer.schema import Agreement, Flag
    from summarizer.store.database import Store

    meeting_id = make_draft(client)
    with Store(load_settings()) as store:
        protocol = store.get_version(meeting_id).protocol.model_copy(deep=True)
        # what the extractor's merge leaves when a later decision replaces an earlier one
        old = Agreement(id="a1", text="Ship on Friday", status="cancelled", flags=[
            Flag(code="superseded", message="superseded by a later agreement: Ship on Monday", item_id="a1")])
        live = Agreement(id="a2", text="Ship on Monday")
        protocol.agreements = [old, live]
        store.add_version(meeting_id, protocol, source="edited", author="test")
    page = client.get(f"/m/{meeting_id}").text
    classes = {item: cls for cls, item in re.findall(r'<div class="([^"]*)" id="item-(a\d+)"', page)}
    assert "cancelled" in classes["a1"].split() and "cancelled" not in classes["a2"].split()
    row = page[page.index('id="item-a1"') : page.index('id="item-a2"')]
    assert "Superseded" in row and "Not a live agreement" in row
    assert 'data-code="superseded"' in row and "later agreement: Ship on Monday" in row
    ru = client.get(f"/m/{meeting_id}", headers={"accept-language": "ru"}).text
    assert "Заменена" in ru and "Не действует" in ru
    # the redline names sections, fields and statuses in words, not as stored codes
    diff = client.get(f"/m/{meeting_id}/diff", params={"a": 1, "b": 2}).text
    assert "Agreements: Ship on Friday" in diff and "<ins>Cancelled</ins>" in diff
    assert "cancelled</ins>" not in diff and "next_steps" not in diff
    ru_diff = client.get(f"/m/{meeting_id}/diff", params={"a": 1, "b": 2}, headers={"accept-language": "ru"})
    assert "Договорённости: Ship on Friday" in ru_diff.text and "<ins>Отменено</ins>" in ru_diff.text


def test_review_page_shows_what_the_draft_run_found_out(client: TestClient) -> None:
    """The pipeline keeps its notes (speaker count, ...) with the meeting's transcript."""
    from summarizer.store.database import Store
    from summarizer.transcript import Transcript

    meeting_id = make_draft(client)
    with Store(load_settings()) as store:
        meeting = store.get_meeting(meeting_id)
    path = Path(str(meeting.transcript_path))
    transcript = Transcript.from_json(path.read_text(encoding="utf-8"))
    assert "notes" not in transcript.meta  # a pasted transcript: nothing to report
    assert 'id="run-notes"' not in client.get(f"/m/{meeting_id}").text
    transcript.meta["notes"] = ["Speakers: 3 speakers (estimated, confidence 0.73)"]
    path.write_text(transcript.to_json(), encoding="utf-8")
    page = client.get(f"/m/{meeting_id}").text
    assert 'id="run-notes"' in page and "3 speakers (estimated, confidence 0.73)" in page
    assert "Что выяснилось" in client.get(f"/m/{meeting_id}", headers={"accept-language": "ru"}).text
    assert review_fields(page)  # the form is intact around the notes


def test_a_malformed_multipart_body_is_refused_not_a_server_error(client: TestClient) -> None:
    # python_multipart raises MultipartParseError (a ValueError): it was an "Unexpected error" page (500)
    r = client.post("/new", content=b"garbage that is no multipart body\r\n",
                    headers={"content-type": "multipart/form-data; boundary=xyz",
                             "x-csrf-token": csrf(client)},
                    follow_redirects=False)
    assert 400 <= r.status_code < 500, r.text
    assert "not a valid form" in html.unescape(r.text)
    _no_uploads_left()
