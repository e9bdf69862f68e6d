"""WCAG 1.4.10 reflow: the repository's readings never scroll sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import make_live_app, serve

REPO = Path(__file__).resolve().parents[2]
UNITS = ("rapallo", "lipetsk-kama", "pact-1939", "lend-lease")

# Elements whose right edge passes the viewport (a long URL did, at 1,024 px).
OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > w + 1)
    .map(el => el.tagName + ' ' + (el.textContent || '').slice(0, 60));
}"""


def test_readings_reflow_at_320_and_1024_pixels_in_every_language(
    browser: Any, make_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No reading page is wider than a phone or a school laptop screen."""
    app = make_live_app(make_database(), REPO, tmp_path_factory)
    with serve(app) as url:
        for width in (320, 1024):
            context = browser.new_context(viewport={"width": width, "height": 800})
            page = context.new_page()
            for unit in UNITS:
                for lang in ("en", "de", "ru"):
                    page.goto(f"{url}/lessons/{unit}?lang={lang}")
                    assert page.evaluate(OVERFLOW) == [], (width, unit, lang)
            context.close()
