"""The whole web flow in a real browser: upload the sample recording, review, approve, download the DOCX."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "meeting_en.wav"
ROSTER = "\n".join(
    [
        "Anna=Anna Petrova, account manager, Northwind, side=ours",
        "Mark=Mark Olsen, purchasing lead, Contoso, mark@contoso.example, side=client",
        "Lisa=Lisa Chen, logistics, Northwind, side=ours",
    ]
)
NEW_OWNER = "Lisa Chen"
NEW_DUE = dt.date(2026, 3, 27)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} is missing"),
]


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    assert max(widths[0], widths[1]) <= widths[2], f"horizontal overflow at phone width: {widths}"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(0, 5).map(el => el.tagName + '.' + el.className)"""
    )
    assert not wide, f"elements wider than the phone screen: {wide}"


def test_upload_review_approve_and_download(
    browser: Any, server: str, artifacts: Path, tmp_path: Path
) -> None:
    # the browser fixture comes first so a missing Chromium skips before a server is started
    from docx import Document

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # -- new meeting: upload the recording with a visible progress bar (upload throttled via CDP)
    page.goto(server + "/new")
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": 1_000_000,
        },
    )
    page.set_input_files("#file", str(SAMPLE))
    page.fill("input[name=title]", "Contoso order")
    page.fill("input[name=client]", "Contoso")
    page.fill("input[name=meeting_date]", "2026-03-02")
    page.fill("input[name=place]", "Zoom")
    page.select_option("select[name=language]", "en")
    page.fill("textarea[name=roster]", ROSTER)
    page.fill("input[name=num_speakers]", "3")  # Anna, Mark and Lisa
    page.click("button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('.upload-progress progress').value > 0", timeout=20_000
    )
    assert "Uploading" in page.inner_text(".upload-text")
    page.wait_for_url(re.compile(r"/jobs/\w+$"), timeout=60_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )
    job_url = page.url

    # -- closing the tab loses nothing: the job continues, the list links back to it
    page.close()
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/")
    listed = page.locator(f"a[href='{job_url.removeprefix(server)}']")
    if listed.count():  # still running: reopen its page, which resumes polling
        listed.first.click()
    else:  # already finished: the meeting is in the list
        page.click("table.meetings a")
    page.wait_for_url(re.compile(r"/m/[\w-]+$"), timeout=240_000)
    meeting_url = page.url

    # -- review: evidence plays the recording and shows the transcript around it. The item to correct
    # is the first agreement (the offline extractor finds two in the sample); no agreement is a failure.
    assert page.locator("#audio").count() == 1
    agreements = page.locator(".agreement:not(.add-row)")
    assert agreements.count() >= 1, "the sample recording yielded no agreement"
    row_id, owner = str(agreements.first.get_attribute("id")), "input[name$='-responsible']"
    # what diarisation did, for the reviewer: the count from the form reached it
    assert "Speakers: 3 speakers (given)" in page.inner_text("#run-notes")
    evidence = page.locator(f"#{row_id} .evidence").first
    evidence.click()
    page.wait_for_selector("#context .seg.current", timeout=10_000)
    start = float(evidence.get_attribute("data-start") or "0")
    current = page.evaluate("() => document.getElementById('audio').currentTime")
    assert abs(current - start) < 1.5, (current, start)

    # what a person first sees (sticky panels in place), and the whole page
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "review-laptop.png"))
    page.screenshot(path=str(artifacts / "review-laptop-full.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "review-phone.png"))
    page.screenshot(path=str(artifacts / "review-phone-full.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # -- change the responsible person and the date
    row = page.locator(f"#{row_id}")
    agreement_text = row.locator("textarea[name$='-text']").input_value().strip()
    assert agreement_text
    row.locator(owner).fill(NEW_OWNER)
    row.locator("input[name$='-due_date']").fill(NEW_DUE.isoformat())
    page.fill("input[name=note]", "owner and date corrected")
    page.click("#save")
    page.wait_for_selector("text=Saved as version v2")
    row = page.locator(f"#{row_id}")
    assert row.locator(owner).input_value() == NEW_OWNER
    assert row.locator("input[name$='-due_date']").input_value() == NEW_DUE.isoformat()
    assert "v2" in page.inner_text(".version-bar")

    # -- approval: send (.eml, no SMTP here), approve with the pasted confirmation
    page.click("text=Approval & history")
    page.fill("#send-form textarea[name=to]", "Mark Olsen <mark@contoso.example>")
    page.click("#send-approval")
    page.wait_for_load_state()
    if page.locator("#confirm-send").count():  # open warnings: the page lists them and asks first
        assert page.locator("#confirm-send li").count() >= 1
        page.click("#send-anyway")
    page.wait_for_selector("text=written as an .eml")
    page.fill("#approve-form input[name=by]", "Mark Olsen <mark@contoso.example>")
    page.fill("#approve-form textarea[name=evidence_text]", "Hello Anna, the minutes are approved. Mark")
    page.click("#approve")
    page.wait_for_selector("text=Approved v2 by Mark Olsen")
    assert "Approved" in page.inner_text(".meeting-head")

    # -- the DOCX has the change
    page.goto(meeting_url + "/exports")
    with page.expect_download() as info:
        page.click("#export-docx-v2")
    target = tmp_path / "protocol.docx"
    info.value.save_as(str(target))
    doc = Document(str(target))
    # the agreements table: number, agreement, responsible, due date
    rows = [[c.text.strip() for c in r.cells] for t in doc.tables for r in t.rows]
    edited = [r for r in rows if len(r) == 4 and r[1].startswith(agreement_text)]
    assert edited, f"agreement {agreement_text!r} is not in the DOCX tables: {rows}"
    assert NEW_OWNER in edited[0][2] and "27 March 2026" in edited[0][3], edited
    assert not errors, f"JavaScript errors: {errors}"
    context.close()
