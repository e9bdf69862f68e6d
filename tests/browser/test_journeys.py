"""A learner reads a unit and takes a quiz of every type with the keyboard only.

Four journeys: practice and test mode, each with JavaScript on and off. The score
on the results page is checked, and with JavaScript on no CSP violation and no
console error may happen on any page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.keyboard import (
    activate,
    answer,
    csp_listener,
    csp_violations,
    focused_matches,
    question_on_page,
    tab_to,
    wait_focused,
)
from webapp.content.catalog import load_catalog
from webapp.content.domain import Quiz

TYPES = {
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "numeric",
    "ordering",
    "matching",
    "cloze",
}
WRONG_TYPE = "true_false"  # answered wrong on purpose: the score must be 8 of 9


def _quiz(root: Path, quiz_id: str) -> Quiz:
    quiz = load_catalog(root).quiz(quiz_id)
    assert quiz is not None
    return quiz


def _press(page: Page, selector: str, *, navigates: bool = True) -> None:
    """Focus `selector` by keyboard and press Enter, waiting for the next page."""
    if navigates:
        tab_to(page, selector)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    else:
        activate(page, selector)


def _check_clean(page: Page, js: bool, problems: list[str]) -> None:
    if js:
        assert csp_violations(page) == [], page.url
    assert problems == [], problems


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("quiz_id", ["sample", "sample-test"])
def test_keyboard_only_reading_and_quiz_of_every_type(
    browser: Any, live_server: str, browser_content: Path, quiz_id: str, js: bool
) -> None:
    quiz = _quiz(browser_content, quiz_id)
    context = browser.new_context(java_script_enabled=js, base_url=live_server)
    if js:
        context.add_init_script(csp_listener())
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto("/")
        page.keyboard.press("Tab")
        assert focused_matches(page, "a.skip-link")  # the first stop on every page
        _press(page, "a[href='/lessons/sample']")
        assert page.locator("h1").inner_text().startswith("Sample")
        _check_clean(page, js, problems)
        # The skip link jumps over the header to the reading.
        page.keyboard.press("Tab")
        assert focused_matches(page, "a.skip-link")
        page.keyboard.press("Enter")
        _press(page, f"a.button[href='/quizzes/{quiz_id}']")
        _press(page, "button.button--start")
        assert re.search(r"/q/1$", page.url)

        total = quiz.attempt_size
        seen = set()
        for n in range(1, total + 1):
            q = question_on_page(page, quiz)
            if q.stimulus is None:
                seen.add(q.type)
            right = q.type != WRONG_TYPE or q.stimulus is not None
            answer(page, q, right=right, js=js)
            _check_clean(page, js, problems)
            if quiz.mode == "test":
                _press(page, "button[value='save']")
                expected = f"/q/{n + 1}" if n < total else "/review"
                assert page.url.endswith(expected), page.url
                continue
            url = page.url
            if js:
                _press(page, "button[value='check']", navigates=False)
                page.wait_for_selector(".result")
                assert page.url == url  # shown in place, no page load
                assert focused_matches(page, ".result__title")
                page.wait_for_function(
                    "() => document.getElementById('instant-status')"
                    ".textContent.length > 0"
                )
            else:
                _press(page, "button[value='check']")
                assert wait_focused(page, ".result")  # autofocus on the panel
            heading = page.locator(".result__title").inner_text().strip()
            assert heading == ("Correct" if right else "Incorrect"), (q.id, heading)
            if js:
                status = page.locator("#instant-status").inner_text().strip()
                assert status == heading
            if n < total:
                _press(page, ".button-group a.button:not(.button--secondary)")
                assert page.url.endswith(f"/q/{n + 1}")
            else:
                _press(page, ".button-group button.button")
        if quiz.mode == "test":
            assert "Check your answers" in page.locator("h1").inner_text()
            assert page.locator(".summary-list__row").count() == total
            _press(page, "main form button.button")
        assert page.url.endswith("/results"), page.url
        assert seen == TYPES
        panel = page.locator(".panel").inner_text()
        assert "You scored 8 of 9 points (89%)" in panel, panel
        assert "You reached the pass mark" in panel
        assert wait_focused(page, ".panel")
        assert page.locator(".results__item").count() == total
        assert page.locator(".result--incorrect").count() == 1
        _check_clean(page, js, problems)
    finally:
        context.close()


def _norm(html: str) -> str:
    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    html = re.sub(
        r'<h2 class="result__title" tabindex="-1"', '<h2 class="result__title"', html
    )
    return re.sub(r"\s+", "", html)


def test_instant_feedback_has_the_server_pages_structure(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    try:
        page.goto("/quizzes/sample")
        _press(page, "button.button--start")
        # With JavaScript an ordering list is always complete (the script keeps
        # every position set), so "nothing" is an answer there: use the first
        # question of another type in this attempt's shuffled order.
        first = page.url
        n = 1
        while page.locator("ul.order").count():
            n += 1
            page.goto(first.rsplit("/q/", 1)[0] + f"/q/{n}")
        # Submit nothing: the API says 422, the script posts the form, and the
        # server's error summary comes back with focus on it.
        _press(page, "button[value='check']")
        assert page.title().startswith("Error: ")
        assert wait_focused(page, ".error-summary")
        # Then a real answer: instant feedback, the error summary gone.
        assert page.locator("form").get_attribute("data-api")
        if page.locator("input.choice__input").count():
            tab_to(page, "input.choice__input")
            page.keyboard.press("Space")
        elif page.locator("p.cloze input, input.input").count():
            for field in page.locator("p.cloze input, input.input").evaluate_all(
                "(els) => els.map((e) => e.id)"
            ):
                tab_to(page, f"#{field}")
                page.keyboard.type("1922")
        else:
            selects = page.locator("main select").evaluate_all(
                "(els) => els.map((e) => e.id)"
            )
            for i, select in enumerate(selects):
                if page.locator(f"#{select}").is_visible():
                    tab_to(page, f"#{select}")
                    for _ in range(i + 1):  # a different option in each row
                        page.keyboard.press("ArrowDown")
        activate(page, "button[value='check']")
        page.wait_for_selector(".result")
        assert page.locator(".error-summary").count() == 0
        instant = _norm(page.locator("main .column").inner_html())
        page.goto(page.url)  # a GET: the page itself came from the fallback POST
        served = _norm(page.locator("main .column").inner_html())
        assert instant == served
    finally:
        context.close()
