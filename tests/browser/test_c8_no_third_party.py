"""C.8 case 13 in a real browser: student pages make no cross-origin request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def test_case_13_student_pages_make_zero_cross_origin_requests(
    browser: Any, live_server: str
) -> None:
    """C.8 case 13: home, unit, join, quiz start, questions and results: own origin."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    for path in ("/", "/lessons/sample", "/join", "/quizzes/sample"):
        assert page.goto(path).status == 200, path  # type: ignore[union-attr]
    page.locator("button.button--start").first.click()
    page.wait_for_url("**/q/1")
    base = page.url.rsplit("/q/", 1)[0]
    for n in range(2, 30):  # every question page of the attempt, then the end
        resp = page.goto(f"{base}/q/{n}")
        if resp is None or resp.status == 404:
            break
    page.goto(f"{base}/results")
    context.close()
    origin = urlsplit(live_server)
    foreign = [
        url
        for url in requested
        if not url.startswith(("data:", "blob:")) and urlsplit(url)[:2] != origin[:2]
    ]
    assert len(requested) > 8
    assert foreign == []
