"""Error pages: 400, 403, 404, 405, 409, 413, 422, 500 in the site's layout."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import HTTPException

bp = Blueprint("errors", __name__)


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
