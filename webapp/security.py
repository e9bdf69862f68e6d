"""Response security headers, and the app-wide answer to a failed CSRF check."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Views that can show the learner's own input again after a CSRF failure register
# here: endpoint -> function returning the re-rendered page.
CSRF_RERENDER: dict[str, Callable[[], Response | tuple[str, int]]] = {}


def add_headers(response: Response) -> Response:
    """Add the security headers to every response."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static" and "Cache-Control" not in response.headers:
        # Pages hold a learner's answers: a shared laptop must not keep them.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the header hook and the CSRF error handler."""
    app.after_request(add_headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
        rerender = CSRF_RERENDER.get(request.endpoint or "")
        if rerender is not None:
            return rerender()
        from webapp.views.errors import render_error

        return render_error(400, csrf=True)
