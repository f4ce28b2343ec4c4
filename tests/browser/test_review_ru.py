"""The Russian sample recording through the browser, as a Russian-speaking manager sees the review page.

Uploads ``samples/meeting_ru.wav`` with the interface in Russian and the multilingual base model, then
checks the review page at laptop and phone width and saves screenshots to ``artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "meeting_ru.wav"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not SAMPLE.exists(), reason=f"{SAMPLE} is missing"),
]


def _overflowing(page: Any) -> list[str]:
    return list(page.evaluate(
        """() => [...document.querySelectorAll('main *')]
             .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
             .slice(0, 5).map(el => el.tagName + '.' + el.className)"""
    ))


@pytest.mark.parametrize("server", ["base"], indirect=True)
def test_russian_recording_review_page(browser: Any, server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server + "/new")
    assert "Новая встреча" in page.inner_text("h1")
    page.set_input_files("#file", str(SAMPLE))
    page.fill("input[name=title]", "Поставка упаковки")
    page.fill("input[name=client]", "Альфа-Пак")
    page.fill("input[name=meeting_date]", "2026-03-02")
    page.select_option("select[name=language]", "ru")
    page.fill("input[name=num_speakers]", "2")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/m/[\w-]+$"), timeout=240_000)

    # the Russian interface, the Russian protocol and its evidence
    assert "Договорённости" in page.inner_text("main")
    assert "Сохранить новую версию" in page.inner_text("#save")
    # the count given on the form, in the page's language
    assert "Говорящих: 2 (как указано в форме)" in page.inner_text("#run-notes")
    agreements = page.locator(".agreement:not(.add-row)")
    assert agreements.count() >= 1, "the Russian sample yielded no agreement"
    evidence = agreements.first.locator(".evidence").first
    assert re.search(r"[а-яё]{4,}", evidence.inner_text())
    evidence.click()
    page.wait_for_selector("#context .seg.current", timeout=10_000)

    # what a person first sees, and the whole page (the sticky save bar shows where the first screen ends)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "review-ru-laptop.png"))
    page.screenshot(path=str(artifacts / "review-ru-laptop-full.png"), full_page=True)
    assert not _overflowing(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert not _overflowing(page), "elements wider than the phone screen"
    # long agreement text is shown whole, not cut off inside a two-line box
    text = agreements.first.locator("textarea[name$='-text']")
    assert text.evaluate("el => el.scrollHeight <= el.clientHeight + 2")
    page.screenshot(path=str(artifacts / "review-ru-phone.png"))
    page.screenshot(path=str(artifacts / "review-ru-phone-full.png"), full_page=True)
    assert not errors, f"JavaScript errors: {errors}"
    context.close()
