"""Student pages of a class: join with a code and a name, the task list, starting
an assignment. The quiz itself runs on the ordinary quiz pages.

A student is the browser's learner (the signed cookie of webapp.learners); a class
the learner is not a member of is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp import attempts, classroom, library
from webapp.classroom import FormError
from webapp.classroom_text import message
from webapp.extensions import db
from webapp.i18n import current_locale
from webapp.learners import current_learner, ensure_learner
from webapp.models import Assignment, Membership, Teacher

bp = Blueprint("classes", __name__)

Page = str | tuple[str, int] | WerkzeugResponse
_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _member_or_404(class_id: int) -> Membership:
    learner = current_learner()
    try:
        return classroom.membership_in(
            db.session, learner.id if learner else None, class_id
        )
    except classroom.NotFound:
        abort(404)


def _assignment_or_404(member: Membership, assignment_id: int) -> Assignment:
    try:
        return classroom.assignment_of(db.session, member.classroom_id, assignment_id)
    except classroom.NotFound:
        abort(404)


def _zone(member: Membership) -> str:
    teacher = db.session.get(Teacher, member.classroom.teacher_id)
    return teacher.timezone if teacher else "UTC"


@bp.route("/join", methods=["GET", "POST"])
def join() -> Page:
    """Join a class with its code and a display name (nothing else is asked)."""
    values = {"code": request.args.get("code", ""), "name": ""}
    errors: list[FormError] = []
    if request.method == "POST":
        values = {
            "code": request.form.get("code", "").strip(),
            "name": classroom.clean_name(request.form.get("name", "")),
        }
        klass = None
        if not classroom.normalize_code(values["code"]):
            errors.append(FormError("code_empty", "code"))
        else:
            klass = classroom.class_by_code(db.session, values["code"])
            if klass is None:
                errors.append(FormError("code_unknown", "code"))
        learner = current_learner()
        already = None
        if klass is not None and learner is not None:
            try:
                already = classroom.membership_in(db.session, learner.id, klass.id)
            except classroom.NotFound:
                already = None
        if already is None and (
            problem := classroom.display_name_problem(values["name"])
        ):
            errors.append(FormError(problem, "name"))
        if not errors and klass is not None:
            member = already or classroom.join(
                ensure_learner().id, klass.id, values["name"]
            )
            return redirect(url_for(".tasks", class_id=member.classroom_id))
    error_map: dict[str, str] = {}
    for e in errors:
        error_map.setdefault(e.anchor, message(e.code))
    return render_template(
        "classes/join.html", values=values, errors=errors, error_map=error_map
    ), (422 if errors else 200)


@bp.get("/classes")
def mine() -> Page:
    """List this browser's classes (or point to the join page)."""
    learner = current_learner()
    members = classroom.memberships_of(db.session, learner.id) if learner else []
    if len(members) == 1:
        return redirect(url_for(".tasks", class_id=members[0].classroom_id))
    return render_template("classes/mine.html", members=members)


@bp.get("/classes/<int:class_id>")
def tasks(class_id: int) -> Page:
    """The class's assignments with this student's status for each (UI.md §10)."""
    member = _member_or_404(class_id)
    quizzes = dict(library.get_catalog().quizzes)
    return render_template(
        "classes/tasks.html",
        member=member,
        klass=member.classroom,
        tasks=classroom.tasks_for(db.session, member, quizzes),
        zone=_zone(member),
    )


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>")
def assignment(class_id: int, assignment_id: int) -> Page:
    """What the assignment asks, and a Start or Continue button when it is open."""
    member = _member_or_404(class_id)
    task = _assignment_or_404(member, assignment_id)
    quiz = library.get_catalog().quiz(task.quiz_id)
    if quiz is None:
        abort(404)
    mine = classroom.attempts_at(db.session, task.id, member.learner_id)
    now = attempts.db_now(db.session)
    unfinished = next(
        (a for a in mine if not a.submitted and not attempts.is_time_up(a, now)), None
    )
    done = [a for a in mine if a.submitted]
    left = None if task.max_attempts is None else max(0, task.max_attempts - len(mine))
    return render_template(
        "classes/assignment.html",
        member=member,
        klass=member.classroom,
        task=task,
        quiz=quiz,
        state=classroom.window_state(task, now),
        unfinished=unfinished,
        done=done,
        counted=classroom.counted_attempt(done, task.grading),
        left=left,
        zone=_zone(member),
        key=secrets.token_urlsafe(24),
    )


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/start")
def start(class_id: int, assignment_id: int) -> Page:
    """Start the assignment, or continue the unfinished attempt (never two)."""
    member = _member_or_404(class_id)
    task = _assignment_or_404(member, assignment_id)
    quiz = library.get_catalog().quiz(task.quiz_id)
    if quiz is None:
        abort(404)
    key = request.form.get("key", "")
    try:
        attempt = classroom.start_assignment(
            member,
            task,
            quiz,
            locale=current_locale(),
            idempotency_key=key if _KEY.fullmatch(key) else None,
        )
    except attempts.AssignmentNotOpen as err:
        return render_template(
            "classes/cannot_start.html",
            klass=member.classroom,
            task=task,
            quiz=quiz,
            reason="closed" if err.closed else "upcoming",
            zone=_zone(member),
        ), 409
    except attempts.NoAttemptsLeft:
        return render_template(
            "classes/cannot_start.html",
            klass=member.classroom,
            task=task,
            quiz=quiz,
            reason="no_attempts",
            zone=_zone(member),
        ), 409
    except attempts.AttemptNotFound:
        abort(400)
    return redirect(
        url_for("quizzes.question", quiz_id=quiz.id, attempt_id=attempt.id, n=1)
    )
