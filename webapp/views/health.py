"""/healthz for monitors: database reachable and content loaded."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import library
from webapp.extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Report status, database reachability and content counts as JSON."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        db_ok = True
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db_ok = False
    catalog = library.get_catalog()
    body = {
        "status": "ok" if db_ok else "error",
        "database": "ok" if db_ok else "unreachable",
        "content": {
            "lessons": len(catalog.lessons),
            "quizzes": len(catalog.quizzes),
            "errors": len(catalog.errors),
        },
    }
    return jsonify(body), 200 if db_ok else 503
