"""Issue 11 item 12: Enter in a one-line field of the review form saved a permanent version (and moved
the meeting to internal review). Saving is the Save button only."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

TRANSCRIPT = (
    "[00:00:01] Anna Petrova: Good morning, Mark. Let's agree the delivery.\n"
    "[00:00:06] Mark Olsen: We agree that Northwind ships the first batch on March 20.\n"
    "[00:00:12] Anna Petrova: I will send the revised quote by Friday.\n"
)


def _versions(page: Any, meeting_url: str) -> int:
    page.goto(meeting_url + "/approval")
    return int(page.locator("section:has(h2:text('Versions')) tbody tr").count())


def test_enter_in_a_field_does_not_save_a_version(browser: Any, server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(server + "/new")
    page.fill("textarea[name=transcript]", TRANSCRIPT)
    page.fill("input[name=title]", "Delivery talk")
    page.fill("input[name=meeting_date]", "2026-03-02")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/m/[\w-]+$"), timeout=120_000)
    meeting_url = page.url
    posts.clear()

    for selector in ("input[name='header.title']", "input[name='header.place']", "input[name='p-0-name']",
                     "input[name$='-due_phrase']", "input[name=note]"):
        field = page.locator(selector).first
        field.click()
        field.press("End")
        field.type(" edited")
        field.press("Enter")
        page.wait_for_timeout(400)
        assert page.url == meeting_url, f"Enter in {selector} navigated to {page.url}"
    assert not [u for u in posts if u.startswith(meeting_url)], f"Enter submitted the form: {posts}"
    assert "Saved as version" not in page.content()
    page.on("dialog", lambda d: d.accept())  # leaving with unsaved edits asks first
    assert _versions(page, meeting_url) == 1
    assert "Internal review" not in page.inner_text(".meeting-head")

    # the Save button still saves
    page.goto(meeting_url)
    page.fill("input[name='header.title']", "Delivery talk, agreed")
    page.click("#save")
    page.wait_for_selector("text=Saved as version v2")
    assert _versions(page, meeting_url) == 2
    assert not errors, errors
