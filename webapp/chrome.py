"""The parts of every page that depend only on the language: rendered once each.

The skip link, the site header and navigation, the footer and the asset links
are the same on every page of one language (the language links, the title and
the CSRF meta stay in base.html). Rendering them again on every request was a
third of a question page's template time, for the same bytes each time.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from markupsafe import Markup

from webapp.i18n import current_locale

_KEY = "interwar.chrome"
PARTS = ("head", "header", "footer_start", "footer_end")


def chrome(part: str) -> Markup:
    """Return one of the shared page parts (templates/chrome/<part>.html)."""
    if part not in PARTS:
        raise ValueError(f"unknown page part {part!r}")
    cache: dict[tuple[str, str, str], Markup] = current_app.extensions.setdefault(
        _KEY, {}
    )
    # The links in it depend on where the app is mounted (SCRIPT_NAME).
    key = (part, current_locale(), request.script_root)
    found = cache.get(key)
    if found is None:
        found = cache[key] = Markup(render_template(f"chrome/{part}.html"))
    return found


def init_app(app: Flask) -> None:
    """Give templates `chrome(part)`; start with an empty cache."""
    app.extensions[_KEY] = {}
    app.jinja_env.globals["chrome"] = chrome
