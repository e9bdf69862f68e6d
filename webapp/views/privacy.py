"""Privacy pages: "Your data" with its JSON download and deletion for this browser's
learner, and a teacher's download of one student's data in their classes.

A learner is only ever found through this browser's cookie; a teacher only reaches
members of their own classes (another teacher's student is a 404).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp import auth, classroom, privacy
from webapp.extensions import db
from webapp.learners import SESSION_KEY, current_learner
from webapp.models import Attempt, Classroom

bp = Blueprint("privacy", __name__)

Page = str | tuple[str, int] | WerkzeugResponse


def _download(data: dict[str, Any], filename: str) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Personal data: no shared or back-button cache keeps a copy.
            "Cache-Control": "no-store",
        },
    )


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


@bp.get("/privacy")
def your_data() -> Page:
    """What is stored about this browser's learner, with download and delete."""
    learner = current_learner()
    members = classroom.memberships_of(db.session, learner.id) if learner else []
    count = 0
    if learner is not None:
        count = int(
            db.session.scalar(
                select(func.count())
                .select_from(Attempt)
                .where(Attempt.learner_id == learner.id)
            )
            or 0
        )
    return render_template(
        "privacy/your_data.html", learner=learner, members=members, count=count
    )


@bp.get("/privacy/data.json")
def export() -> Response:
    """Everything stored about this browser's learner, as a JSON download."""
    learner = current_learner()
    if learner is None:
        data: dict[str, Any] = {
            "format": privacy.EXPORT_FORMAT,
            "scope": "all",
            "learner": None,
            "memberships": [],
            "attempts": [],
        }
    else:
        data = privacy.export_learner(db.session, learner.id)
    return _download(data, f"interwar-my-data-{_stamp()}.json")


@bp.route("/privacy/delete", methods=["GET", "POST"])
def delete() -> Page:
    """Ask, then delete this browser's learner and everything under it."""
    learner = current_learner()
    if learner is None:
        return redirect(url_for(".your_data"))
    members = classroom.memberships_of(db.session, learner.id)
    if request.method == "GET":
        return render_template("privacy/delete.html", members=members)
    privacy.delete_learner(learner.id)
    # A new random id from the next start on: nothing links it to the old one.
    session.pop(SESSION_KEY, None)
    flash(gettext("Your data has been deleted."), "success")
    return redirect(url_for(".your_data"))


@bp.get("/teacher/classes/<int:class_id>/students/<int:member_id>/data.json")
@auth.teacher_required
def student_export(class_id: int, member_id: int) -> Response:
    """A student's data in this teacher's classes, as a JSON download."""
    teacher = auth.signed_in_teacher()
    try:
        klass = classroom.class_of(db.session, teacher.id, class_id)
        member = classroom.member_of(db.session, klass.id, member_id)
    except (classroom.ClassNotFound, classroom.NotFound):
        abort(404)
    mine = db.session.scalars(
        select(Classroom.id).where(Classroom.teacher_id == teacher.id)
    ).all()
    data = privacy.export_learner(db.session, member.learner_id, class_ids=mine)
    return _download(data, f"student-{member.id}-data-{_stamp()}.json")
