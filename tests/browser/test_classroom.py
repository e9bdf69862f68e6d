"""A class in the browser: a teacher signs in, creates a class and assigns a quiz;
three students join in their own browsers and submit; the gradebook, the CSV and
the item analysis show their results; axe finds nothing on the teacher pages.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page
from werkzeug.serving import make_server

from tests import classroom as cr
from tests.browser.keyboard import answer, question_on_page
from webapp import create_app, library

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
STUDENTS = (("Anna K.", 8), ("Ben L.", 5), ("Cleo M.", 2))  # name, right answers


@pytest.fixture(scope="module")
def class_server(
    make_database: Any, browser_content: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Flask]]:
    """Serve the app with one teacher account; yield its URL and the app."""
    app = create_app(
        {
            "DATABASE_URL": make_database(),
            "CONTENT_ROOT": str(browser_content),
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("class-instance")),
            "SECRET_KEY": "browser-class-secret",
            "AUTO_MIGRATE": True,
            "PASSWORD_HASH_CHEAP": True,
        }
    )
    cr.add_teacher(app, tz="Europe/Berlin")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["interwar.engine"].dispose()


class _Audit:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.axe = Axe()
        self.reports: dict[str, str] = {}

    def check(self, name: str) -> None:
        results = self.axe.run(self.page, options=AXE_OPTIONS)
        if results.violations_count:
            self.reports[name] = f"{self.page.url}\n{results.generate_report()}"


def _submit_as_student(
    browser: Any, base: str, app: Flask, code: str, name: str, right: int
) -> None:
    context = browser.new_context(base_url=base)
    page = context.new_page()
    try:
        page.goto("/join")
        page.get_by_label("Class code").fill(code.lower())
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Join class").click()
        page.wait_for_url("**/classes/*")
        page.get_by_role("link", name="Sample: check your understanding").click()
        page.get_by_role("button", name="Start test").click()
        with app.app_context():
            quiz = library.get_catalog().quiz("sample")
        assert quiz is not None
        for n in range(quiz.attempt_size):
            q = question_on_page(page, quiz)
            answer(page, q, right=n < right, js=True)
            with page.expect_navigation():
                page.get_by_role("button", name="Save and continue").click()
        assert "Check your answers" in page.title()
        with page.expect_navigation():
            page.get_by_role("button", name="Submit answers").click()
        assert "Your results" in page.title()
    finally:
        context.close()


def test_a_class_from_sign_in_to_item_analysis(
    browser: Any, class_server: tuple[str, Flask], tmp_path: Path
) -> None:
    base, app = class_server
    context = browser.new_context(base_url=base, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    audit = _Audit(page)
    try:
        page.goto("/teacher/login")
        audit.check("sign in")
        page.get_by_label("Email address").fill("teacher@example.org")
        page.get_by_label("Password").fill(cr.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/teacher/")
        audit.check("classes, none yet")

        page.get_by_role("button", name="Create class").click()
        page.wait_for_load_state()
        assert "Enter a name for the class" in page.content()
        audit.check("classes, error")
        page.get_by_label("Class name").fill("9B History")
        page.get_by_role("button", name="Create class").click()
        page.wait_for_url("**/teacher/classes/*")
        audit.check("class, empty")
        code = page.locator(".code--large").inner_text().strip()
        class_url = page.url

        page.get_by_role("link", name="Assign a quiz").click()
        audit.check("assign a quiz")
        page.get_by_label("Quiz").select_option("sample")
        page.get_by_label("Attempts allowed").fill("1")
        page.get_by_role("button", name="Assign quiz").click()
        page.wait_for_url(class_url)
        assert "is assigned to the class" in page.content()
        audit.check("class, with an assignment")

        for name, right in STUDENTS:
            _submit_as_student(browser, base, app, code, name, right)

        page.goto(class_url)
        audit.check("class, with students")
        page.get_by_role(
            "link", name="Sample: check your understanding", exact=True
        ).click()
        rows = page.locator("table.table tbody tr")
        assert rows.count() == 3
        text = page.locator("table.table").inner_text()
        for name, right in STUDENTS:
            assert name in text
            assert f"{right} of 9 points" in text
        audit.check("gradebook")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download the gradebook as CSV").click()
        path = tmp_path / "gradebook.csv"
        download_info.value.save_as(path)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert {r[0]: r[3] for r in table[1:]} == {
            name: str(right) for name, right in STUDENTS
        }

        page.get_by_role("link", name="Review the attempt of Anna K.").click()
        assert "Review of Anna K." in page.title()
        audit.check("a student's review")
        page.go_back()

        page.get_by_role("link", name="Item analysis").click()
        content = page.content()
        assert "Too few attempts for reliable figures" in content
        assert page.locator("svg[role='img']").count() == 2
        assert page.locator("rect.chart__bar").count() == 10 + 9
        histogram = page.locator("table", has_text="Students in each score range")
        assert "3" in histogram.inner_text() or "1" in histogram.inner_text()
        audit.check("item analysis")

        page.goto("/teacher/settings")
        audit.check("settings")
    finally:
        context.close()
    assert not audit.reports, "\n\n".join(
        f"== {name}\n{report}" for name, report in audit.reports.items()
    )
