"""Response security headers, HTTPS-only cookies, the proxy hops we trust, and the
app-wide answer to a failed CSRF check.

SECURE_COOKIES (INTERWAR_SECURE_COOKIES=true) is off by default because a classroom
laptop serves plain HTTP on the school LAN, where a Secure cookie would never be
sent back. Behind HTTPS turn it on: the session cookie becomes Secure with the
__Host- prefix, and responses carry HSTS. PROXY_HOPS (INTERWAR_PROXY_HOPS=1 behind
one reverse proxy) is the only way X-Forwarded-* headers are believed; with the
default 0 a client's X-Forwarded-For changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

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
HSTS = "max-age=31536000"
log = logging.getLogger(__name__)


_LOWER = tuple((name.lower(), name, value) for name, value in HEADERS.items())


def add_headers(response: Response) -> Response:
    """Add the security headers to every response (a view's own value wins)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for low, name, value in _LOWER if low not in present])
    if request.endpoint != "static" and "cache-control" not in present:
        # Pages hold a learner's answers: a shared laptop must not keep them.
        headers["Cache-Control"] = "no-store"
    return response


def add_hsts(response: Response) -> Response:
    """Tell browsers to use HTTPS only (SECURE_COOKIES deployments)."""
    response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Set cookie and proxy options; register the header hook and CSRF handler."""
    app.config.setdefault("SECURE_COOKIES", False)
    app.config.setdefault("PROXY_HOPS", 0)
    if app.config["SECURE_COOKIES"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        # __Host-: only over HTTPS, for this host and path / (ASVS 3.3.1).
        name = app.config["SESSION_COOKIE_NAME"]
        if not name.startswith("__Host-"):
            app.config["SESSION_COOKIE_NAME"] = "__Host-" + name
        app.config["SESSION_COOKIE_DOMAIN"] = None
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.after_request(add_hsts)
    hops = int(app.config["PROXY_HOPS"] or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(add_headers)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response | tuple[str, int]:
        log.warning("csrf check failed", extra={"reason": exc.description})
        rerender = CSRF_RERENDER.get(request.endpoint or "")
        if rerender is not None:
            return rerender()
        from webapp.views.errors import render_error

        return render_error(400, csrf=True)
