"""`interwar serve --dev` as a teacher runs it: edit, break and fix a file, no restart.

The server is the real command in a subprocess, on a copy of examples/sample and a
free port. One browser page sees a section title change after a save, then the
error page with the offending line after a tab is typed into the YAML, then the
reading again once it is fixed, while the same server process keeps running. axe
finds no WCAG 2.1 A/AA violation on the error page or the teacher preview, and
neither breaks the site's CSP.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.keyboard import csp_listener, csp_violations
from tests.conftest import SAMPLE

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _save(path: Path, text: str) -> None:
    """Save as an editor does; the mtime moves on even within one clock tick."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    stamp = max(before + 1_000_000_000, path.stat().st_mtime_ns)
    os.utime(path, ns=(stamp, stamp))


@pytest.fixture
def dev_server(
    make_database: Any, tmp_path: Path
) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """Run `interwar serve --dev` on a copy of the sample; yield URL, root, process."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    port = _free_port()
    env = {
        **os.environ,
        "INTERWAR_DATABASE_URL": make_database(),
        "INTERWAR_SECRET_KEY": "live-preview-test",
    }
    env.pop("INTERWAR_CONTENT", None)
    log = (tmp_path / "serve.log").open("wb")
    command = [
        sys.executable,
        "-c",
        "from webapp.cli import main; main(prog_name='interwar')",
        "serve",
        "--dev",
        "--content",
        str(content),
        "--instance",
        str(tmp_path / "instance"),
        "--port",
        str(port),
    ]
    try:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path
        )
    except OSError:
        log.close()
        raise
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, tmp_path / "serve.log")
        yield url, content, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"interwar serve --dev exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"interwar serve --dev did not answer:\n{log.read_text()}")


def _axe_clean(page: Page, name: str, screenshots: Path) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert results.violations_count == 0, f"{name}\n{results.generate_report()}"


def test_edit_break_and_fix_a_lesson_while_serve_dev_runs(
    browser: Any,
    dev_server: tuple[str, Path, subprocess.Popen[bytes]],
    screenshots: Path,
) -> None:
    url, content, proc = dev_server
    lesson = content / "lessons" / "sample.yaml"
    good = lesson.read_text(encoding="utf-8")
    # axe is injected, so this context bypasses the CSP; the other one checks it.
    context = browser.new_context(base_url=url, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto("/lessons/sample")
        assert page.locator("#outsiders h2").inner_text() == "Two outsiders"

        # 1. A saved change shows on reload.
        _save(lesson, good.replace("title: Two outsiders", "title: Two outcasts"))
        page.reload()
        assert page.locator("#outsiders h2").inner_text() == "Two outcasts"

        # 2. A tab in the YAML: the error page with the offending line.
        broken = good.replace("minutes: 20", "minutes: 20\n\tcolour: red")
        _save(lesson, broken)
        resp = page.reload()
        assert resp is not None
        assert resp.status == 500
        assert page.locator("h1").inner_text() == "This page’s content has errors"
        problem = page.locator(".content-problem__message").first.inner_text()
        assert problem.endswith(
            "lessons/sample.yaml:9:1: tab characters cannot indent YAML; use spaces"
        )
        marked = page.locator(".source-excerpt__line--error")
        assert marked.locator(".source-excerpt__no").inner_text() == "9"
        assert "colour: red" in marked.locator("code").inner_text()
        assert "^ column 1" in marked.inner_text()
        links = page.locator(".broken-files a")
        assert links.count() >= 1
        _axe_clean(page, "live-preview-error", screenshots)
        links.first.click()
        page.wait_for_load_state()
        assert "/dev/content-errors/lessons/sample.yaml" in page.url
        assert page.locator(".source-excerpt__line--error").count() == 1
        _axe_clean(page, "live-preview-file-errors", screenshots)

        # 3. Fixed: the reading is back, with the change of step 1 undone.
        _save(lesson, good)
        page.goto("/lessons/sample")
        assert page.locator("#outsiders h2").inner_text() == "Two outsiders"

        # The teacher preview (open to this computer in --dev).
        page.goto("/quizzes/sample")
        page.locator("a[href='/quizzes/sample/preview']").click()
        page.wait_for_load_state()
        assert page.locator(".preview-question").count() == 9
        _axe_clean(page, "teacher-preview", screenshots)
    finally:
        context.close()
    assert proc.poll() is None, "the server restarted or stopped"


def test_error_page_and_preview_keep_to_the_csp(
    browser: Any, dev_server: tuple[str, Path, subprocess.Popen[bytes]]
) -> None:
    url, content, _proc = dev_server
    quiz = content / "quizzes" / "sample.yaml"
    good = quiz.read_text(encoding="utf-8")
    context = browser.new_context(base_url=url)
    context.add_init_script(csp_listener())
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto("/quizzes/sample/preview")
        assert page.locator(".preview-question").count() == 9
        assert csp_violations(page) == []
        _save(quiz, good.replace("pass_mark: 70", "pass_mark: seventy"))
        page.reload()
        assert "pass_mark: seventy" in page.locator(".source-excerpt").inner_text()
        assert csp_violations(page) == []
        # The 500 of the error page is the only console message.
        assert all("500" in e for e in errors), errors
    finally:
        context.close()
