"""axe-core finds no WCAG 2.1 A/AA violation on any page type; screenshots for review.

Each page type is visited in its own state (blank, error, feedback, review,
results, not found), once with the scripts running and once with them blocked (the
markup a browser without JavaScript gets). axe is injected in a context with
bypass_csp, as UI.md §15 says; the journeys check the CSP itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.keyboard import answer, question_on_page, tab_to
from webapp.content.catalog import load_catalog

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
_axe = Axe()


class Audit:
    """Runs axe on page states and collects the violations by state name."""

    def __init__(self, page: Page, screenshots: Path | None) -> None:
        self.page = page
        self.screenshots = screenshots
        self.reports: dict[str, str] = {}
        self.seen: list[str] = []

    def check(self, name: str, shot: str | None = None) -> None:
        """Run axe on the current page; save a full-page screenshot if asked."""
        self.seen.append(name)
        results = _axe.run(self.page, options=AXE_OPTIONS)
        if results.violations_count:
            self.reports[name] = f"{self.page.url}\n{results.generate_report()}"
        if shot and self.screenshots is not None:
            self.page.screenshot(
                path=str(self.screenshots / f"{shot}.png"), full_page=True
            )

    def assert_clean(self) -> None:
        """Fail with every report if any state had a violation."""
        assert not self.reports, "\n\n".join(
            f"== {name}\n{report}" for name, report in self.reports.items()
        )


def _enter(page: Page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture(params=["scripts", "no-scripts"])
def audit_page(
    request: pytest.FixtureRequest, browser: Any, live_server: str
) -> Iterator[tuple[Page, bool]]:
    """Yield a page in a bypass_csp context, scripts running or blocked."""
    scripts = request.param == "scripts"
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, viewport={"width": 1024, "height": 768}
    )
    if not scripts:
        context.route(re.compile(r".*/static/.*\.js$"), lambda route: route.abort())
    page = context.new_page()
    try:
        yield page, scripts
    finally:
        context.close()


def test_no_axe_violations_on_any_page_type(
    audit_page: tuple[Page, bool], browser_content: Path, screenshots: Path
) -> None:
    page, scripts = audit_page
    audit = Audit(page, screenshots if scripts else None)
    catalog = load_catalog(browser_content)
    practice = catalog.quiz("sample")
    test = catalog.quiz("sample-test")
    assert practice is not None
    assert test is not None

    page.goto("/")
    audit.check("home", "home")
    page.goto("/lessons/sample")
    audit.check("reading", "reading")
    page.goto("/timeline")
    audit.check("timeline")
    page.goto("/no/such/page")
    audit.check("404")

    # Practice: every question type blank, one error summary, feedback, results.
    page.goto("/quizzes/sample")
    audit.check("quiz start", "quiz-start")
    _enter(page, "button.button--start")
    types_seen = set()
    error_page_seen = False
    for n in range(1, practice.attempt_size + 1):
        q = question_on_page(page, practice)
        label = f"question {q.type}{' (source)' if q.stimulus else ''}"
        audit.check(label, f"question-{q.type}" if not q.stimulus else None)
        types_seen.add(q.type)
        # With scripts an ordering list always holds a full order: "nothing" is
        # an answer there, so the error page is shown on another question.
        if not error_page_seen and not (scripts and q.type == "ordering"):
            _enter(page, "button[value='check']")  # nothing chosen: the error page
            assert page.locator(".error-summary").count() == 1
            audit.check("error summary", "error-summary")
            error_page_seen = True
        answer(page, q, right=n % 2 == 0, js=scripts)
        if scripts:
            tab_to(page, "button[value='check']")
            page.keyboard.press("Enter")
            page.wait_for_selector(".result")
            audit.check(
                f"instant feedback {q.type}", "feedback-instant" if n == 1 else None
            )
            page.goto(page.url)
        else:
            _enter(page, "button[value='check']")
        audit.check(f"feedback {q.type}", "feedback" if n == 1 else None)
        if n < practice.attempt_size:
            _enter(page, ".button-group a.button:not(.button--secondary)")
        else:
            _enter(page, ".button-group button.button")
    assert len(types_seen) == 8
    assert error_page_seen
    audit.check("practice results", "results-practice")

    # Test: a timed question page, check your answers, results with review.
    page.goto("/quizzes/sample-test")
    audit.check("test start")
    _enter(page, "button.button--start")
    audit.check("test question (timer)", "question-test")
    _enter(page, "button[value='skip']")
    page.goto(page.url.rsplit("/q/", 1)[0] + "/review")
    audit.check("check your answers", "check-your-answers")
    _enter(page, "main form button.button")
    audit.check("test results and review", "review")
    # A submitted attempt's question page.
    page.goto(page.url.replace("/results", "/q/1"))
    audit.check("already submitted")
    audit.assert_clean()
