"""In a browser: the footer's "Your data" page, the JSON download and deletion for
an anonymous learner, with axe finding nothing and no request leaving the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def test_your_data_download_and_delete(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, accept_downloads=True
    )
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    axe = Axe()
    reports: dict[str, str] = {}

    def check(name: str) -> None:
        result = axe.run(page, options=AXE_OPTIONS)
        if result.violations_count:
            reports[name] = result.generate_report()

    try:
        page.goto("/")
        page.get_by_role("link", name="Your data and privacy").click()
        page.wait_for_url("**/privacy")
        assert "Nothing is stored for this browser." in page.content()
        check("your data, empty")

        page.goto("/quizzes/sample")
        page.get_by_role("button", name="Start quiz").click()
        page.wait_for_url("**/q/1")
        page.goto("/privacy")
        assert "1 quiz attempt." in page.content()
        check("your data, one attempt")

        with page.expect_download() as info:
            page.get_by_role("link", name="Download my data").click()
        saved = tmp_path / "data.json"
        info.value.save_as(saved)
        data = json.loads(saved.read_text(encoding="utf-8"))
        assert [a["quiz_id"] for a in data["attempts"]] == ["sample"]

        page.get_by_role("link", name="Delete my data").click()
        page.wait_for_url("**/privacy/delete")
        check("delete, confirm")
        page.get_by_role("button", name="Delete my data").click()
        page.wait_for_url("**/privacy")
        assert "Your data has been deleted." in page.content()
        assert "Nothing is stored for this browser." in page.content()
        check("your data, deleted")
    finally:
        context.close()
    assert not reports, "\n\n".join(f"== {k}\n{v}" for k, v in reports.items())
    assert hosts == {urlsplit(live_server).netloc}
