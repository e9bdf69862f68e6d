"""Error pages: 400, 403, 404, 405, 409, 413, 422, 500, 503 in the site's layout."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

bp = Blueprint("errors", __name__)
log = logging.getLogger(__name__)


def render_error(code: int, *, csrf: bool = False) -> tuple[str, int]:
    """Render the error page for an HTTP status code."""
    return render_template("errors/error.html", code=code, csrf=csrf), code


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> tuple[str, int] | HTTPException | Response:
    """Render client and server errors as pages; leave redirects alone."""
    code = exc.code or 500
    if code < 400:
        return exc
    if request.path.startswith("/api/"):
        # Routing errors (unknown path, wrong method) never reach the API blueprint.
        from webapp.views.api import http_error as api_error

        return api_error(exc)
    return render_error(code)


@bp.app_errorhandler(500)
def server_error(_exc: Exception) -> tuple[str, int]:
    """Render the 500 page (the error itself is logged by Flask)."""
    return render_error(500)


@bp.app_errorhandler(OperationalError)
def database_unavailable(exc: OperationalError) -> tuple[str, int] | Response:
    """Say plainly that nothing was saved when the database refuses a write.

    A read-only file (copied from a USB stick), a full disk or a database that
    stays locked must never end in a page that looks like success.
    """
    # The statement and its parameters stay out: they may hold answers or names.
    log.error("database unavailable: %s", type(exc.orig).__name__)
    if request.path.startswith("/api/"):
        from webapp.views.api import error_response

        resp = error_response(
            503,
            [
                {
                    "code": "not_saved",
                    "message": "The database could not store this: nothing was "
                    "saved. Keep your answers and send them again in a minute.",
                }
            ],
        )
        resp.headers["Retry-After"] = "60"
        return resp
    return render_error(503)
