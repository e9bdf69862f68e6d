"""Reading pages answered from their cache before Flask's request machinery.

A reading page depends only on its URL, the interface language and the content
(views.lessons.cached_page), and it is the page a whole class opens at once.
Once Flask has served one, this WSGI layer keeps the whole response (status,
headers, body) and answers the next request for the same URL and language
itself: it verifies the session cookie and chooses the language with the
functions a request uses (webapp.signing, i18n.choose_locale), sends the stored
headers (security headers, no-store, Vary) with a new request id, and logs the
same line. Flask's request context, hooks and response object are what it saves.

Everything else goes to Flask: other methods, any query string (?lang= changes
the session), a cookie that does not verify or is due for its daily refresh,
--dev (content is reloaded on each request), a response that sets a cookie or
is not a 200, and a page whose content translation changed since it was stored.
A reloaded catalog drops every stored page (library.load).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from itsdangerous import BadSignature

from webapp import library, observability
from webapp.i18n import choose_locale
from webapp.sessions import REFRESH_AFTER_SECONDS
from webapp.signing import cookie_value

# Set by views.lessons.cached_page on a response this layer may keep:
# (language, content translation version, route).
MARK = "interwar.page_cache"
KEY = "interwar.fast_pages"
MAX_PAGES = 1024

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Page:
    """A stored response: everything but its request id."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    route: str
    version: int | None


def version_of(app: Flask, locale: str) -> int | None:
    """Return the version of the content translation a page in `locale` shows."""
    messages = library.translations_for(app).messages(locale)
    return messages.mtime_ns if messages is not None else None


class FastLane:
    """WSGI middleware: stored reading pages, else the Flask app."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer a stored page, or pass the request to Flask (keeping a new page)."""
        app = self.app
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
            or app.config["DEV"]
        ):
            return self.wsgi_app(environ, start_response)
        started = time.perf_counter()
        locale = self._locale(environ)
        if locale is None:
            return self.wsgi_app(environ, start_response)
        key = (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), locale)
        pages: dict[tuple[str, str, str], Page] | None = app.extensions.get(KEY)
        page = pages.get(key) if pages is not None else None
        if page is None or page.version != version_of(app, locale):
            return self._keep(environ, start_response, key)
        rid = observability.new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(page.status, [*page.headers, (observability.HEADER, rid)])
        observability.log_request(
            environ.get("wsgi.errors"), rid, "GET", page.route, 200, started
        )
        return [page.body]

    def _locale(self, environ: dict[str, Any]) -> str | None:
        """Return the language Flask would choose; None when Flask must decide."""
        app = self.app
        chosen = None
        header = environ.get("HTTP_COOKIE")
        value = (
            cookie_value(header, app.config["SESSION_COOKIE_NAME"]) if header else None
        )
        if value:
            verifier = app.session_interface.verifier(app)  # type: ignore[attr-defined]
            if verifier is None:
                return None
            max_age = int(app.permanent_session_lifetime.total_seconds())
            try:
                data, signed_at = verifier.loads(value, max_age=max_age)
            except BadSignature:
                return None  # Flask starts a new session
            if time.time() - signed_at > REFRESH_AFTER_SECONDS:
                return None  # Flask sends the cookie again
            lang = data.get("lang") if isinstance(data, dict) else None
            chosen = lang if isinstance(lang, str) else None
        return choose_locale(
            chosen,
            environ.get("HTTP_ACCEPT_LANGUAGE", ""),
            tuple(app.config["LANGUAGES"]),
            app.config["BABEL_DEFAULT_LOCALE"],
        )

    def _keep(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        key: tuple[str, str, str],
    ) -> Iterable[bytes]:
        """Let Flask answer; store the response if the view marked it cacheable."""
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *exc)

        result = self.wsgi_app(environ, capture)
        mark = environ.get(MARK)
        headers: list[tuple[str, str]] = seen.get("headers") or []
        if (
            mark is None
            or mark[0] != key[2]
            or not str(seen.get("status", "")).startswith("200 ")
            or any(name.lower() == "set-cookie" for name, _ in headers)
        ):
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        kept = tuple(
            (name, value)
            for name, value in headers
            if name.lower() != observability.HEADER.lower()
        )
        pages = self.app.extensions.setdefault(KEY, {})
        if len(pages) >= MAX_PAGES:
            pages.clear()
        pages[key] = Page(seen["status"], kept, body, mark[2], mark[1])
        return [body]


def init_app(app: Flask) -> None:
    """Put the fast lane in front of the app (inside any ProxyFix added later)."""
    app.wsgi_app = FastLane(app, app.wsgi_app)  # type: ignore[method-assign]


def forget(app: Flask) -> None:
    """Drop every stored page of `app` (its content was reloaded)."""
    app.extensions.pop(KEY, None)
