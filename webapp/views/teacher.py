"""Teacher pages: sign in and out, first set-up, classes, students, assignments,
gradebook with CSV, item analysis and each student's review.

Every class is looked up with the signed-in teacher's id; another teacher's class,
student or attempt is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from math import ceil
from typing import Any
from zoneinfo import available_timezones

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp import (
    attempts,
    auth,
    charts,
    classroom,
    grading,
    library,
    localized,
    presenters,
)
from webapp import classroom_text as text
from webapp.classroom import FormError
from webapp.content.domain import Quiz
from webapp.extensions import db
from webapp.models import ASSIGNMENT_GRADING, Assignment, Attempt, Classroom, Teacher

bp = Blueprint("teacher", __name__, url_prefix="/teacher")

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]] | WerkzeugResponse


@bp.app_template_global()
def errors_for(errors: list[FormError]) -> list[presenters.FieldError]:
    """Return form errors as the error summary's messages and anchors."""
    return [
        presenters.FieldError(text.message(e.code, **e.params), e.anchor)
        for e in errors
    ]


def _error_map(errors: list[FormError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        out.setdefault(e.anchor, text.message(e.code, **e.params))
    return out


def _zone_names() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z) + ["UTC"]


def _teacher() -> Teacher:
    return auth.signed_in_teacher()


def _class_or_404(class_id: int) -> Classroom:
    try:
        return classroom.class_of(db.session, _teacher().id, class_id)
    except classroom.ClassNotFound:
        abort(404)


def _assignment_or_404(klass: Classroom, assignment_id: int) -> Assignment:
    try:
        return classroom.assignment_of(db.session, klass.id, assignment_id)
    except classroom.NotFound:
        abort(404)


def _quizzes() -> dict[str, Quiz]:
    return dict(library.get_catalog().quizzes)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "when": text.when,
        "when_iso": text.when_iso,
        "duration": text.duration,
        "grading_name": text.grading_name,
        "mode_name": text.mode_name,
        "task_status": text.task_status,
        "shown_quiz": localized.shown_quiz,
        "quiz_text": localized.quiz_text,
    }


# Signing in ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """Sign in with email and password; failures slow down per account."""
    next_url = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.current_teacher() is not None:
            return redirect(next_url or url_for(".dashboard"))
        return render_template(
            "teacher/login.html", email="", errors=[], error_map={}, next=next_url
        )
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    errors: list[FormError] = []
    if not email:
        errors.append(FormError("email_empty", "email"))
    if not password:
        errors.append(FormError("password_empty", "password"))
    status = 422
    throttled = None
    headers: dict[str, str] = {}
    if not errors:
        try:
            teacher = auth.authenticate(email, password)
        except auth.AuthError as err:
            if err.code == "throttled" and err.wait is not None:
                throttled = text.wait_message(err.wait)
                status = 429
                headers["Retry-After"] = str(ceil(err.wait.total_seconds()) or 1)
            else:
                errors.append(FormError("bad_credentials", "email"))
            # ASVS 16.3.1, without the address: the log names no one.
            current_app.logger.warning(
                "teacher sign-in failed", extra={"reason": err.code}
            )
        else:
            auth.sign_in(teacher)
            current_app.logger.info("teacher %s signed in", teacher.id)
            return redirect(next_url or url_for(".dashboard"))
    return (
        render_template(
            "teacher/login.html",
            email=email,
            errors=errors,
            error_map=_error_map(errors),
            throttled=throttled,
            next=next_url,
        ),
        status,
        headers,
    )


@bp.post("/logout")
def logout() -> Page:
    """Sign out: the server forgets the session, so a copied cookie is worthless."""
    auth.sign_out()
    flash(gettext("You have signed out."), "success")
    return redirect(url_for(".login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> Page:
    """Let the first teacher choose an email and password with the one-time link."""
    if not auth.setup_token_valid(token):
        return render_template("teacher/setup_invalid.html"), 404
    values = {"email": "", "timezone": "UTC"}
    errors: list[FormError] = []
    if request.method == "POST":
        values = {
            "email": request.form.get("email", "").strip(),
            "timezone": request.form.get("timezone", "UTC"),
        }
        errors = _account_errors(
            values["email"],
            request.form.get("password", ""),
            request.form.get("confirm", ""),
            values["timezone"],
        )
        if not errors:
            try:
                teacher = auth.use_setup_token(
                    token,
                    values["email"],
                    request.form.get("password", ""),
                    values["timezone"],
                )
            except auth.AuthError:
                return render_template("teacher/setup_invalid.html"), 404
            auth.sign_in(teacher)
            flash(gettext("Your account is ready."), "success")
            return redirect(url_for(".dashboard"))
    return render_template(
        "teacher/setup.html",
        token=token,
        values=values,
        errors=errors,
        error_map=_error_map(errors),
        zones=_zone_names(),
    ), (422 if errors else 200)


def _account_errors(
    email: str, password: str, confirm: str, timezone: str
) -> list[FormError]:
    errors = []
    if problem := auth.email_problem(auth.normalize_email(email)):
        errors.append(FormError(problem, "email"))
    if problem := auth.password_problem(password):
        errors.append(FormError(problem, "password"))
    elif problem := auth.password_problem(password, confirm):
        errors.append(FormError(problem, "confirm"))
    if auth.timezone_problem(timezone):
        errors.append(FormError("timezone", "timezone"))
    return errors


@bp.route("/settings", methods=["GET", "POST"])
@auth.teacher_required
def settings() -> Page:
    """Choose the time zone in which assignment times are entered and shown."""
    teacher = _teacher()
    errors: list[FormError] = []
    if request.method == "POST":
        zone = request.form.get("timezone", "")
        if auth.timezone_problem(zone):
            errors.append(FormError("timezone", "timezone"))
        else:
            with db.transaction() as s:
                row = s.get(Teacher, teacher.id)
                assert row is not None
                row.timezone = zone
            flash(gettext("Your time zone is saved."), "success")
            return redirect(url_for(".settings"))
    return render_template(
        "teacher/settings.html",
        teacher=teacher,
        zones=_zone_names(),
        errors=errors,
        error_map=_error_map(errors),
    ), (422 if errors else 200)


# Classes -------------------------------------------------------------------------


@bp.get("/")
@auth.teacher_required
def dashboard() -> Page:
    """List the teacher's classes with a form to create one."""
    return _render_dashboard()


def _render_dashboard(
    errors: list[FormError] | None = None, name: str = "", status: int = 200
) -> tuple[str, int]:
    teacher = _teacher()
    classes = classroom.classes_of(db.session, teacher.id)
    counts = {c.id: len(c.memberships) for c in classes}
    return render_template(
        "teacher/dashboard.html",
        classes=classes,
        counts=counts,
        errors=errors or [],
        error_map=_error_map(errors or []),
        name=name,
    ), status


@bp.post("/classes")
@auth.teacher_required
def create_class() -> Page:
    """Create a class; its join code is made up at once."""
    name = classroom.clean_name(request.form.get("name", ""))
    if problem := classroom.class_name_problem(name):
        return _render_dashboard([FormError(problem, "name")], name, 422)
    klass = classroom.create_class(_teacher().id, name)
    flash(gettext("Class ‘%(name)s’ created.", name=klass.name), "success")
    return redirect(url_for(".class_page", class_id=klass.id))


@bp.get("/classes/<int:class_id>")
@auth.teacher_required
def class_page(class_id: int) -> Page:
    """Show a class: its code, students, assignments and settings."""
    return _render_class(_class_or_404(class_id))


def _render_class(
    klass: Classroom,
    errors: list[FormError] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    quizzes = _quizzes()
    return render_template(
        "teacher/class.html",
        klass=klass,
        members=classroom.members_of(db.session, klass.id),
        assignments=classroom.assignments_of(db.session, klass.id),
        quizzes=quizzes,
        teacher=_teacher(),
        errors=errors or [],
        error_map=_error_map(errors or []),
        values=values or {},
    ), status


@bp.post("/classes/<int:class_id>/name")
@auth.teacher_required
def rename_class(class_id: int) -> Page:
    """Rename a class."""
    klass = _class_or_404(class_id)
    name = classroom.clean_name(request.form.get("name", ""))
    if problem := classroom.class_name_problem(name):
        return _render_class(klass, [FormError(problem, "name")], {"name": name}, 422)
    classroom.rename_class(_teacher().id, klass.id, name)
    flash(gettext("The class is now called ‘%(name)s’.", name=name), "success")
    return redirect(url_for(".class_page", class_id=klass.id))


@bp.post("/classes/<int:class_id>/code")
@auth.teacher_required
def new_code(class_id: int) -> Page:
    """Give the class a new join code (the old one stops working)."""
    klass = _class_or_404(class_id)
    code = classroom.regenerate_code(_teacher().id, klass.id)
    flash(gettext("The new class code is %(code)s.", code=code), "success")
    return redirect(url_for(".class_page", class_id=klass.id))


@bp.post("/classes/<int:class_id>/retention")
@auth.teacher_required
def retention(class_id: int) -> Page:
    """Set after how many days the class's attempts are deleted."""
    klass = _class_or_404(class_id)
    raw = request.form.get("retention", "")
    days, problem = classroom.retention_problem(raw)
    if problem:
        return _render_class(
            klass, [FormError(problem, "retention")], {"retention": raw}, 422
        )
    classroom.set_retention(_teacher().id, klass.id, days)
    if days is None:
        flash(gettext("Attempts are kept until you delete the class."), "success")
    else:
        flash(
            ngettext(
                "Attempts are deleted %(num)s day after they start.",
                "Attempts are deleted %(num)s days after they start.",
                days,
            ),
            "success",
        )
    return redirect(url_for(".class_page", class_id=klass.id))


@bp.route("/classes/<int:class_id>/delete", methods=["GET", "POST"])
@auth.teacher_required
def delete_class(class_id: int) -> Page:
    """Ask, then delete a class with every student's attempts in it."""
    klass = _class_or_404(class_id)
    if request.method == "GET":
        return render_template("teacher/delete_class.html", klass=klass)
    name = klass.name
    classroom.delete_class(_teacher().id, klass.id)
    flash(gettext("Class ‘%(name)s’ and all its data deleted.", name=name), "success")
    return redirect(url_for(".dashboard"))


# Students ------------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/students/<int:member_id>", methods=["GET", "POST"])
@auth.teacher_required
def student(class_id: int, member_id: int) -> Page:
    """Rename a student or give them extra time."""
    klass = _class_or_404(class_id)
    try:
        member = classroom.member_of(db.session, klass.id, member_id)
    except classroom.NotFound:
        abort(404)
    values = {"name": member.display_name, "extra": str(member.extra_minutes or "")}
    errors: list[FormError] = []
    if request.method == "POST":
        values = {
            "name": classroom.clean_name(request.form.get("name", "")),
            "extra": request.form.get("extra", ""),
        }
        if problem := classroom.display_name_problem(values["name"]):
            errors.append(FormError(problem, "name"))
        extra, problem = classroom.extra_minutes_problem(values["extra"])
        if problem:
            errors.append(FormError(problem, "extra"))
        if not errors:
            classroom.update_student(
                _teacher().id,
                klass.id,
                member.id,
                display_name=values["name"],
                extra_minutes=extra,
            )
            flash(
                gettext("Saved the changes to %(name)s.", name=values["name"]),
                "success",
            )
            return redirect(url_for(".class_page", class_id=klass.id))
    return render_template(
        "teacher/student.html",
        klass=klass,
        member=member,
        values=values,
        errors=errors,
        error_map=_error_map(errors),
    ), (422 if errors else 200)


@bp.route(
    "/classes/<int:class_id>/students/<int:member_id>/remove", methods=["GET", "POST"]
)
@auth.teacher_required
def remove_student(class_id: int, member_id: int) -> Page:
    """Ask, then remove a student and their attempts from the class."""
    klass = _class_or_404(class_id)
    try:
        member = classroom.member_of(db.session, klass.id, member_id)
    except classroom.NotFound:
        abort(404)
    if request.method == "GET":
        return render_template(
            "teacher/remove_student.html", klass=klass, member=member
        )
    name = member.display_name
    classroom.remove_student(_teacher().id, klass.id, member.id)
    flash(gettext("%(name)s was removed from the class.", name=name), "success")
    return redirect(url_for(".class_page", class_id=klass.id))


# Assignments ---------------------------------------------------------------------


@bp.route("/classes/<int:class_id>/assignments/new", methods=["GET", "POST"])
@auth.teacher_required
def new_assignment(class_id: int) -> Page:
    """Give a quiz to the class: window, mode, time limit, attempts, grading."""
    klass = _class_or_404(class_id)
    quizzes = _quizzes()
    teacher = _teacher()
    values: dict[str, str] = {"grading": "highest", "max_attempts": "1"}
    errors: list[FormError] = []
    if request.method == "POST":
        values = {k: str(v) for k, v in request.form.items() if k != "csrf_token"}
        data, errors = classroom.parse_assignment(values, quizzes, teacher.timezone)
        if data is not None:
            classroom.create_assignment(teacher.id, klass.id, data)
            title = localized.shown_quiz(quizzes[data.quiz_id]).quiz.title
            flash(
                gettext("‘%(title)s’ is assigned to the class.", title=title), "success"
            )
            return redirect(url_for(".class_page", class_id=klass.id))
    return render_template(
        "teacher/new_assignment.html",
        klass=klass,
        quizzes=sorted(
            (localized.shown_quiz(q) for q in quizzes.values()),
            key=lambda shown: shown.quiz.title.casefold(),
        ),
        values=values,
        errors=errors,
        error_map=_error_map(errors),
        methods=ASSIGNMENT_GRADING,
        teacher=teacher,
    ), (422 if errors else 200)


@bp.route(
    "/classes/<int:class_id>/assignments/<int:assignment_id>/delete",
    methods=["GET", "POST"],
)
@auth.teacher_required
def delete_assignment(class_id: int, assignment_id: int) -> Page:
    """Ask, then delete an assignment with its attempts."""
    klass = _class_or_404(class_id)
    assignment = _assignment_or_404(klass, assignment_id)
    quiz = _quizzes().get(assignment.quiz_id)
    if request.method == "GET":
        return render_template(
            "teacher/delete_assignment.html",
            klass=klass,
            assignment=assignment,
            quiz=quiz,
        )
    classroom.delete_assignment(_teacher().id, klass.id, assignment.id)
    flash(gettext("The assignment and its attempts were deleted."), "success")
    return redirect(url_for(".class_page", class_id=klass.id))


def _gradebook_rows(
    assignment: Assignment, quiz: Quiz | None, sort: str, descending: bool
) -> list[classroom.GradeRow]:
    grace = int(current_app.config["DEADLINE_GRACE_SECONDS"])
    classroom.close_overdue(assignment, quiz, grace)
    return classroom.gradebook(
        db.session, assignment, quiz, sort=sort, descending=descending
    )


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>")
@auth.teacher_required
def gradebook(class_id: int, assignment_id: int) -> Page:
    """Each student's score by the grading method, time taken and attempts."""
    klass = _class_or_404(class_id)
    assignment = _assignment_or_404(klass, assignment_id)
    quiz = _quizzes().get(assignment.quiz_id)
    sort = request.args.get("sort", "name")
    if sort not in classroom.SORT_KEYS:
        sort = "name"
    descending = request.args.get("dir") == "desc"
    rows = _gradebook_rows(assignment, quiz, sort, descending)
    return render_template(
        "teacher/gradebook.html",
        klass=klass,
        assignment=assignment,
        quiz=quiz,
        rows=rows,
        sort=sort,
        descending=descending,
        teacher=_teacher(),
    )


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/gradebook.csv")
@auth.teacher_required
def gradebook_csv(class_id: int, assignment_id: int) -> Response:
    """The gradebook as CSV (UTF-8 with a byte-order mark, formulas defused)."""
    klass = _class_or_404(class_id)
    assignment = _assignment_or_404(klass, assignment_id)
    quiz = _quizzes().get(assignment.quiz_id)
    teacher = _teacher()
    rows = _gradebook_rows(assignment, quiz, "name", False)
    header = [
        gettext("Student"),
        gettext("Status"),
        gettext("Score (%)"),
        gettext("Points"),
        gettext("Out of"),
        gettext("Attempts"),
        gettext("Time taken (minutes)"),
        gettext("Submitted"),
    ]
    body = [
        [
            r.member.display_name,
            text.task_status(r.status),
            "" if r.share is None else f"{r.share * 100:.1f}",
            "" if r.points is None else f"{r.points:g}",
            "" if r.max_points is None else f"{r.max_points:g}",
            r.attempts_used,
            "" if r.seconds is None else f"{r.seconds / 60:.1f}",
            text.when_iso(
                r.counted.submitted_at if r.counted else None, teacher.timezone
            ),
        ]
        for r in rows
    ]
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    filename = f"gradebook-{klass.id}-{assignment.id}-{stamp}.csv"
    return Response(
        classroom.to_csv(header, body),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.get("/classes/<int:class_id>/assignments/<int:assignment_id>/analysis")
@auth.teacher_required
def analysis(class_id: int, assignment_id: int) -> Page:
    """Facility, discrimination and choice counts per question, with charts."""
    klass = _class_or_404(class_id)
    assignment = _assignment_or_404(klass, assignment_id)
    quiz = _quizzes().get(assignment.quiz_id)
    if quiz is None:
        abort(404)
    grace = int(current_app.config["DEADLINE_GRACE_SECONDS"])
    classroom.close_overdue(assignment, quiz, grace)
    result = classroom.item_analysis(db.session, assignment, quiz)
    bins = [f"{low}–{high}%" for low, high in classroom.histogram_bounds()]
    histogram = charts.columns(
        [float(c) for c in result.histogram], bins, [str(c) for c in result.histogram]
    )
    facility = [it.facility or 0.0 for it in result.items]
    difficulty = charts.rows(
        facility,
        [gettext("Q%(n)s", n=it.n) for it in result.items],
        [
            "–" if it.facility is None else f"{round(it.facility * 100)}%"
            for it in result.items
        ],
    )
    hardest = min(
        (it for it in result.items if it.facility is not None),
        key=lambda it: it.facility or 0.0,
        default=None,
    )
    return render_template(
        "teacher/analysis.html",
        klass=klass,
        assignment=assignment,
        quiz=quiz,
        result=result,
        histogram=histogram,
        bins=bins,
        difficulty=difficulty,
        hardest=hardest,
        reliable_n=grading.RELIABLE_N,
    )


@bp.get(
    "/classes/<int:class_id>/assignments/<int:assignment_id>/attempts/<int:attempt_id>"
)
@auth.teacher_required
def review(class_id: int, assignment_id: int, attempt_id: int) -> Page:
    """A student's submitted attempt as the student's results page shows it."""
    klass = _class_or_404(class_id)
    assignment = _assignment_or_404(klass, assignment_id)
    quiz = _quizzes().get(assignment.quiz_id)
    attempt = db.session.get(Attempt, attempt_id)
    if quiz is None or attempt is None or attempt.assignment_id != assignment.id:
        abort(404)
    member = next(
        (
            m
            for m in classroom.members_of(db.session, klass.id)
            if m.learner_id == attempt.learner_id
        ),
        None,
    )
    if member is None or not attempt.submitted:
        abort(404)
    responses = attempts.responses_of(db.session, attempt.id)
    # Graded and shown in the attempt's language, as the learner saw it; strings
    # in another language than the teacher's get their lang attribute.
    loc = library.localized_quiz(quiz, attempt.locale)
    shown = attempts.quiz_in_language(quiz, attempt)
    tr = localized.for_quiz(loc)
    items = []
    for n, qid in enumerate(attempt.question_ids, 1):
        q = shown.question(qid)
        if q is None:
            continue
        answer = attempts.load_answer(q, responses.get(qid))
        score = grading.grade_answer(q, answer)
        items.append(
            {
                "n": n,
                "prompt": q.prompt,
                "tr": tr.at(f"questions.{qid}"),
                "fb": presenters.feedback(q, answer, score),
            }
        )
    return render_template(
        "teacher/review.html",
        klass=klass,
        assignment=assignment,
        quiz=quiz,
        attempt=attempt,
        member=member,
        items=items,
        teacher=_teacher(),
    )
