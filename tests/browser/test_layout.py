"""Issue 11 item 14: the layout at 1280 px and 390 px in Chromium (screenshots in artifacts/).

At 390 px the versions table overflowed its card; the empty-form error showed at the top of the page,
out of view; the new-meeting form had no time field and one field for both place and platform; there was
no favicon."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser]

TRANSCRIPT = (
    "[00:00:01] Anna Petrova: Good morning, Mark. Let's agree the delivery.\n"
    "[00:00:06] Mark Olsen: We agree that Northwind ships the first batch on March 20.\n"
    "[00:00:12] Anna Petrova: I will send the revised quote by Friday.\n"
)
WIDTHS = {"laptop": (1280, 900), "phone": (390, 844)}


def _inside_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }""", selector))


def _overflow(page: Any) -> list[str]:
    """Elements sticking out of the page or out of their card (a scrolling box may hold wider content)."""
    return list(page.evaluate(
        """() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push('page scrolls sideways');
          for (const el of document.querySelectorAll('main *')) {
            if (el.closest('.table-scroll') && !el.classList.contains('table-scroll')) continue;
            const card = el.parentElement && el.parentElement.closest('.card');
            const r = el.getBoundingClientRect();
            const name = el.tagName + '.' + el.className;
            if (r.right > window.innerWidth + 1) out.push(name + ' past the screen');
            else if (card && r.right > card.getBoundingClientRect().right + 1)
              out.push(name + ' past its card');
          }
          return out.slice(0, 5);
        }"""))


@pytest.mark.parametrize("size", list(WIDTHS))
def test_new_meeting_and_approval_pages_fit_and_show_errors_in_view(
    browser: Any, server: str, artifacts: Path, size: str
) -> None:
    width, height = WIDTHS[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # -- the new-meeting form: time, place and platform are fields of their own
    page.goto(server + "/new")
    for name, kind in (("meeting_time", "time"), ("place", "text"), ("platform", "text")):
        assert page.locator(f"input[name={name}]").get_attribute("type") == kind, name
    assert page.locator("datalist#platforms option[value='Zoom']").count() == 1
    # an empty form: the error appears beside the button that was pressed, in view
    page.click("button[type=submit]")
    page.wait_for_selector("#form-error:not([hidden])")
    assert "Upload a recording or a transcript" in page.inner_text("#form-error")
    assert _inside_viewport(page, "#form-error"), "the error is out of view"
    assert not _overflow(page), _overflow(page)
    page.screenshot(path=str(artifacts / f"new-meeting-error-{size}.png"))

    # -- a meeting with the header fields filled from the form
    page.fill("textarea[name=transcript]", TRANSCRIPT)
    page.fill("input[name=title]", "Delivery talk with a rather long title for a narrow phone screen")
    page.fill("input[name=meeting_date]", "2026-03-02")
    page.fill("input[name=meeting_time]", "14:30")
    page.fill("input[name=place]", "Northwind office, room 4.12")
    page.fill("input[name=platform]", "teams")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/m/[\w-]+$"), timeout=120_000)
    meeting_url = page.url
    assert page.input_value("input[name='header.start_time']") == "14:30"
    assert page.input_value("input[name='header.place']") == "Northwind office, room 4.12"
    assert page.input_value("input[name='header.platform']") == "Microsoft Teams"
    for n in (2, 3, 4):  # a few versions, so the table has rows
        page.fill("input[name='header.title']", f"Delivery talk, version {n}")
        page.fill("input[name=note]", f"change number {n}")
        page.click("#save")
        page.wait_for_selector(f"text=Saved as version v{n}")

    page.goto(meeting_url + "/approval")
    assert page.locator("table.versions tbody tr").count() == 4
    assert not _overflow(page), _overflow(page)
    table = page.evaluate(
        """() => { const t = document.querySelector('table.versions');
                   const card = t.closest('.card');
                   return [t.getBoundingClientRect().right, card.getBoundingClientRect().right]; }""")
    assert table[0] <= table[1] + 1, f"the versions table overflows its card: {table}"
    page.screenshot(path=str(artifacts / f"approval-{size}.png"), full_page=True)

    # -- the favicon: linked, and served as an image with the file headers
    href = page.get_attribute("link[rel=icon]", "href")
    assert href
    for path in (href, "/favicon.ico"):
        with urllib.request.urlopen(server + path, timeout=10) as r:
            assert r.headers["content-type"] == "image/svg+xml", path
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.read().startswith(b"<svg")
    assert not errors, errors
