"""Classes, members, assignments, gradebook, item analysis and retention.

The rules of the classroom live here; views parse the request, call these functions
and render. Every teacher-side function takes the teacher's id and finds nothing in
another teacher's class (ClassNotFound), so one teacher never reaches another's data.
A student is a Learner (the anonymous cookie mechanism) with a Membership that holds
the only thing they tell us: a display name.
"""

from __future__ import annotations

import csv
import io
import secrets
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import attempts, grading, privacy
from webapp.content.domain import (
    MultipleChoiceQuestion,
    Quiz,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from webapp.extensions import db
from webapp.models import (
    ASSIGNMENT_GRADING,
    ATTEMPT_MODES,
    Assignment,
    Attempt,
    Classroom,
    Learner,
    Membership,
)

# No look-alikes: 0/O, 1/I/L, 5/S, 2/Z, 8/B are left out (25 symbols).
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
MAX_CLASS_NAME = 100
MAX_DISPLAY_NAME = 40
MAX_EXTRA_MINUTES = 600
MAX_TIME_LIMIT = 600
MAX_ATTEMPTS = 100
MAX_RETENTION_DAYS = 3650


class ClassroomError(Exception):
    """A classroom operation that cannot be done."""


class ClassNotFound(ClassroomError):
    """No such class for this teacher (another teacher's class looks the same)."""


class NotFound(ClassroomError):
    """No such student or assignment in this class."""


@dataclass(frozen=True, slots=True)
class FormError:
    """A problem with one form field: a message code and the field's id."""

    code: str
    anchor: str
    params: Mapping[str, Any] = field(default_factory=dict)


# Join codes ----------------------------------------------------------------------


def new_join_code(length: int = CODE_LENGTH) -> str:
    """Return a random join code from the look-alike-free alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# Cyrillic capitals that look like Latin ones, as a learner on a Russian keyboard
# types them (lower case is upper-cased first): А→A, В→B, ... Х→X.
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
# Spaces of every kind and hyphens and dashes people type or paste inside a code.
_CODE_SEPARATORS = frozenset(
    " \t\u00a0\u202f\u2009-\u2010\u2011\u2012\u2013\u2014\u2212"
)


def normalize_code(text: str) -> str:
    """Return a typed code as stored: upper case, without spaces or hyphens.

    Cyrillic look-alike letters (a Russian keyboard's «КР4НТW») become the Latin
    letters they look like.
    """
    upper = text.upper().translate(_CYRILLIC_LOOKALIKES)
    return "".join(c for c in upper if c not in _CODE_SEPARATORS and not c.isspace())


# Teacher side: classes -----------------------------------------------------------


def classes_of(s: Session, teacher_id: int) -> list[Classroom]:
    """Return the teacher's classes, by name."""
    return list(
        s.scalars(
            select(Classroom)
            .where(Classroom.teacher_id == teacher_id)
            .order_by(func.lower(Classroom.name), Classroom.id)
        )
    )


def class_of(s: Session, teacher_id: int, class_id: int) -> Classroom:
    """Return the teacher's class, or raise ClassNotFound."""
    found = s.get(Classroom, class_id)
    if found is None or found.teacher_id != teacher_id:
        raise ClassNotFound(class_id)
    return found


def class_name_problem(name: str) -> str | None:
    """Return a problem code for a class name, or None."""
    if not name:
        return "class_name_empty"
    if len(name) > MAX_CLASS_NAME:
        return "class_name_long"
    return None


def create_class(teacher_id: int, name: str) -> Classroom:
    """Create a class with a fresh, unique join code."""
    for _ in range(10):
        classroom = Classroom(
            teacher_id=teacher_id, name=name, join_code=new_join_code()
        )
        try:
            with db.transaction() as s:
                s.add(classroom)
        except IntegrityError:
            continue  # the code is taken (about 1 in 244 million per class): redraw
        return classroom
    raise ClassroomError("no free join code")


def rename_class(teacher_id: int, class_id: int, name: str) -> None:
    """Rename a class."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id).name = name


def set_retention(teacher_id: int, class_id: int, days: int | None) -> None:
    """Set how many days attempts are kept (None: until the class is deleted)."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id).retention_days = days


def regenerate_code(teacher_id: int, class_id: int) -> str:
    """Give the class a new join code; the old one stops working."""
    for _ in range(10):
        code = new_join_code()
        try:
            with db.transaction() as s:
                class_of(s, teacher_id, class_id).join_code = code
        except IntegrityError:
            continue
        return code
    raise ClassroomError("no free join code")


def _assignment_ids(class_id: int) -> Any:
    return select(Assignment.id).where(Assignment.classroom_id == class_id)


def delete_class(teacher_id: int, class_id: int) -> None:
    """Delete a class with its memberships, assignments, attempts and responses."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id)
        # attempt.assignment_id has no foreign key (see migration 0002): by hand.
        s.execute(
            delete(Attempt).where(Attempt.assignment_id.in_(_assignment_ids(class_id)))
        )
        s.execute(delete(Classroom).where(Classroom.id == class_id))


def retention_problem(text: str) -> tuple[int | None, str | None]:
    """Parse a retention in days ("" keeps attempts): (days, problem code)."""
    text = text.strip()
    if not text:
        return None, None
    if not text.isdigit():
        return None, "retention_number"
    days = int(text)
    if not 1 <= days <= MAX_RETENTION_DAYS:
        return None, "retention_range"
    return days, None


# Teacher side: students ----------------------------------------------------------


def members_of(s: Session, class_id: int) -> list[Membership]:
    """Return the class's members by display name."""
    return list(
        s.scalars(
            select(Membership)
            .where(Membership.classroom_id == class_id)
            .order_by(func.lower(Membership.display_name), Membership.id)
        )
    )


def member_of(s: Session, class_id: int, membership_id: int) -> Membership:
    """Return a membership of this class, or raise NotFound."""
    found = s.get(Membership, membership_id)
    if found is None or found.classroom_id != class_id:
        raise NotFound(membership_id)
    return found


def display_name_problem(name: str) -> str | None:
    """Return a problem code for a student's display name, or None."""
    if not name:
        return "name_empty"
    if len(name) > MAX_DISPLAY_NAME:
        return "name_long"
    if any(not c.isprintable() for c in name):
        return "name_characters"
    return None


def clean_name(text: str) -> str:
    """Return a typed name with spaces trimmed and runs of spaces made one."""
    return " ".join(text.split())


def update_student(
    teacher_id: int,
    class_id: int,
    membership_id: int,
    *,
    display_name: str | None = None,
    extra_minutes: int | None = None,
) -> None:
    """Rename a student in a class and/or set their extra time."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id)
        member = member_of(s, class_id, membership_id)
        if display_name is not None:
            member.display_name = display_name
        if extra_minutes is not None:
            member.extra_minutes = extra_minutes


def extra_minutes_problem(text: str) -> tuple[int, str | None]:
    """Parse extra minutes ("" is 0): (minutes, problem code)."""
    text = text.strip()
    if not text:
        return 0, None
    if not text.isdigit():
        return 0, "extra_number"
    minutes = int(text)
    if minutes > MAX_EXTRA_MINUTES:
        return 0, "extra_range"
    return minutes, None


def remove_student(teacher_id: int, class_id: int, membership_id: int) -> None:
    """Remove a student from a class with their attempts and responses in it; a
    student left in no class is deleted altogether (webapp.privacy)."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id)
        learner_id = member_of(s, class_id, membership_id).learner_id
    privacy.remove_from_class(learner_id, class_id)


# Student side --------------------------------------------------------------------


def class_by_code(s: Session, code: str) -> Classroom | None:
    """Return the class with this join code, or None."""
    code = normalize_code(code)
    if not code:
        return None
    return s.scalar(select(Classroom).where(Classroom.join_code == code))


def join(learner_id: int, class_id: int, display_name: str) -> Membership:
    """Make the learner a member of the class; joining again returns the same one."""
    for _ in range(2):
        try:
            with db.transaction() as s:
                found = s.scalar(
                    select(Membership).where(
                        Membership.classroom_id == class_id,
                        Membership.learner_id == learner_id,
                    )
                )
                if found is not None:
                    return found
                learner = s.get(Learner, learner_id)
                assert learner is not None
                learner.kind = "student"
                member = Membership(
                    classroom_id=class_id,
                    learner_id=learner_id,
                    display_name=display_name,
                )
                s.add(member)
                return member
        except IntegrityError:
            continue  # two tabs joined at once: the other one won, read it
    raise ClassroomError("could not join")


def memberships_of(s: Session, learner_id: int) -> list[Membership]:
    """Return the learner's memberships, oldest first."""
    return list(
        s.scalars(
            select(Membership)
            .where(Membership.learner_id == learner_id)
            .order_by(Membership.id)
        )
    )


def membership_in(s: Session, learner_id: int | None, class_id: int) -> Membership:
    """Return the learner's membership of the class, or raise NotFound."""
    found = None
    if learner_id is not None:
        found = s.scalar(
            select(Membership).where(
                Membership.classroom_id == class_id,
                Membership.learner_id == learner_id,
            )
        )
    if found is None:
        raise NotFound(class_id)
    return found


# Assignments ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentInput:
    """A checked assignment form, times in UTC."""

    quiz_id: str
    mode: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit: int | None
    max_attempts: int | None
    grading: str


def to_utc(day: date, at: time, tz: str) -> datetime:
    """Return the UTC instant of a wall-clock date and time in the zone `tz`."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _when(
    form: Mapping[str, str], name: str, tz: str, errors: list[FormError]
) -> datetime | None:
    day_text = form.get(f"{name}_date", "").strip()
    time_text = form.get(f"{name}_time", "").strip()
    if not day_text and not time_text:
        return None
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        errors.append(FormError(f"{name}_date", f"{name}_date"))
        return None
    try:
        at = time.fromisoformat(time_text) if time_text else time(0, 0)
    except ValueError:
        errors.append(FormError(f"{name}_time", f"{name}_time"))
        return None
    return to_utc(day, at.replace(second=0, microsecond=0), tz)


def _whole(
    form: Mapping[str, str], name: str, high: int, errors: list[FormError]
) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= high:
        errors.append(FormError(name, name, {"high": high}))
        return None
    return int(text)


def parse_assignment(
    form: Mapping[str, str], quizzes: Mapping[str, Quiz], tz: str
) -> tuple[AssignmentInput | None, list[FormError]]:
    """Check an assignment form; return the input or the errors, in field order."""
    errors: list[FormError] = []
    quiz_id = form.get("quiz", "")
    if quiz_id not in quizzes:
        errors.append(FormError("quiz", "quiz"))
    mode = form.get("mode", "")
    if mode not in ATTEMPT_MODES:
        errors.append(FormError("mode", "mode-practice"))
    opens_at = _when(form, "opens", tz, errors)
    closes_at = _when(form, "closes", tz, errors)
    if opens_at and closes_at and closes_at <= opens_at:
        errors.append(FormError("closes_before_opens", "closes_date"))
    time_limit = _whole(form, "time_limit", MAX_TIME_LIMIT, errors)
    max_attempts = _whole(form, "max_attempts", MAX_ATTEMPTS, errors)
    method = form.get("grading", "")
    if method not in ASSIGNMENT_GRADING:
        errors.append(FormError("grading", "grading-highest"))
    if errors:
        return None, errors
    return (
        AssignmentInput(
            quiz_id, mode, opens_at, closes_at, time_limit, max_attempts, method
        ),
        [],
    )


def create_assignment(teacher_id: int, class_id: int, data: AssignmentInput) -> int:
    """Give a quiz to a class; return the assignment's id."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id)
        assignment = Assignment(
            classroom_id=class_id,
            quiz_id=data.quiz_id,
            mode=data.mode,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            time_limit=data.time_limit,
            max_attempts=data.max_attempts,
            grading=data.grading,
        )
        s.add(assignment)
        s.flush()
        return assignment.id


def assignments_of(s: Session, class_id: int) -> list[Assignment]:
    """Return the class's assignments, newest first."""
    return list(
        s.scalars(
            select(Assignment)
            .where(Assignment.classroom_id == class_id)
            .order_by(Assignment.id.desc())
        )
    )


def assignment_of(s: Session, class_id: int, assignment_id: int) -> Assignment:
    """Return an assignment of this class, or raise NotFound."""
    found = s.get(Assignment, assignment_id)
    if found is None or found.classroom_id != class_id:
        raise NotFound(assignment_id)
    return found


def delete_assignment(teacher_id: int, class_id: int, assignment_id: int) -> None:
    """Delete an assignment with its attempts."""
    with db.transaction() as s:
        class_of(s, teacher_id, class_id)
        assignment_of(s, class_id, assignment_id)
        s.execute(delete(Attempt).where(Attempt.assignment_id == assignment_id))
        s.execute(delete(Assignment).where(Assignment.id == assignment_id))


def limits_for(assignment: Assignment, member: Membership) -> attempts.AssignmentLimits:
    """Return the start rules of an assignment for one member."""
    return attempts.AssignmentLimits(
        assignment_id=assignment.id,
        opens_at=assignment.opens_at,
        closes_at=assignment.closes_at,
        time_limit=assignment.time_limit,
        extra_minutes=member.extra_minutes,
        max_attempts=assignment.max_attempts,
    )


def start_assignment(
    member: Membership,
    assignment: Assignment,
    quiz: Quiz,
    *,
    locale: str,
    idempotency_key: str | None,
) -> Attempt:
    """Start (or continue) the member's attempt at an assignment.

    Raises attempts.AssignmentNotOpen or attempts.NoAttemptsLeft.
    """
    return attempts.start_attempt(
        member.learner_id,
        quiz,
        locale=locale,
        mode=assignment.mode,
        idempotency_key=idempotency_key,
        limits=limits_for(assignment, member),
    )


def attempts_at(
    s: Session, assignment_id: int, learner_id: int | None = None
) -> list[Attempt]:
    """Return an assignment's attempts (of one learner), oldest first."""
    query = select(Attempt).where(Attempt.assignment_id == assignment_id)
    if learner_id is not None:
        query = query.where(Attempt.learner_id == learner_id)
    return list(s.scalars(query.order_by(Attempt.id)))


def window_state(assignment: Assignment, now: datetime) -> str:
    """Return "upcoming", "open" or "closed" at `now`."""
    if assignment.opens_at is not None and now < assignment.opens_at:
        return "upcoming"
    if assignment.closes_at is not None and now >= assignment.closes_at:
        return "closed"
    return "open"


@dataclass(frozen=True, slots=True)
class Task:
    """One row of a student's task list."""

    assignment: Assignment
    quiz: Quiz | None
    status: str  # not_started | in_progress | completed | upcoming | closed
    best: Attempt | None
    attempts_used: int


def tasks_for(
    s: Session, member: Membership, quizzes: Mapping[str, Quiz]
) -> list[Task]:
    """Return the task list of a member's class, with their status for each."""
    now = attempts.db_now(s)
    out = []
    for assignment in assignments_of(s, member.classroom_id):
        mine = attempts_at(s, assignment.id, member.learner_id)
        state = window_state(assignment, now)
        open_ = [a for a in mine if not a.submitted and not attempts.is_time_up(a, now)]
        done = [a for a in mine if a.submitted]
        if open_ and state != "upcoming":
            status = "in_progress"
        elif done:
            status = "completed"
        elif state == "open":
            status = "not_started"
        else:
            status = state
        out.append(
            Task(
                assignment=assignment,
                quiz=quizzes.get(assignment.quiz_id),
                status=status,
                best=counted_attempt(done, assignment.grading),
                attempts_used=len(mine),
            )
        )
    return out


# Gradebook -----------------------------------------------------------------------


def _share(a: Attempt) -> float:
    return (a.score or 0.0) / a.max_score if a.max_score else 0.0


def _seconds(a: Attempt) -> float | None:
    if a.submitted_at is None:
        return None
    return max(0.0, (a.submitted_at - a.started_at).total_seconds())


def counted_attempt(submitted: Sequence[Attempt], method: str) -> Attempt | None:
    """Return the attempt the grading method shows (average: the last one)."""
    if not submitted:
        return None
    if method == "highest":
        return max(submitted, key=lambda a: (_share(a), -a.id))
    if method == "first":
        return submitted[0]
    return submitted[-1]


@dataclass(frozen=True, slots=True)
class GradeRow:
    """A student's line in the gradebook of one assignment."""

    member: Membership
    status: str  # not_started | in_progress | submitted
    attempts_used: int
    submitted: int
    counted: Attempt | None  # the attempt whose review the teacher opens
    share: float | None  # 0..1 by the grading method
    points: float | None
    max_points: float | None
    seconds: float | None
    passed: bool | None


def grade_row(
    member: Membership, mine: Sequence[Attempt], method: str, pass_mark: float
) -> GradeRow:
    """Grade one member's attempts at an assignment by the grading method."""
    done = [a for a in mine if a.submitted]
    counted = counted_attempt(done, method)
    share = points = max_points = seconds = None
    if method == "average" and done:
        share = statistics.fmean(_share(a) for a in done)
        points = statistics.fmean(a.score or 0.0 for a in done)
        max_points = statistics.fmean(a.max_score or 0.0 for a in done)
        times = [t for a in done if (t := _seconds(a)) is not None]
        seconds = statistics.fmean(times) if times else None
    elif counted is not None:
        share, points, max_points = _share(counted), counted.score, counted.max_score
        seconds = _seconds(counted)
    if len(done) < len(mine):
        status = "in_progress"
    elif done:
        status = "submitted"
    else:
        status = "not_started"
    passed = None if share is None else share * 100 + 1e-9 >= pass_mark
    return GradeRow(
        member=member,
        status=status,
        attempts_used=len(mine),
        submitted=len(done),
        counted=counted,
        share=share,
        points=points,
        max_points=max_points,
        seconds=seconds,
        passed=passed,
    )


SORT_KEYS = ("name", "score", "time", "attempts")


def gradebook(
    s: Session,
    assignment: Assignment,
    quiz: Quiz | None,
    *,
    sort: str = "name",
    descending: bool = False,
) -> list[GradeRow]:
    """Return every member's row for an assignment, sorted (blanks always last)."""
    by_learner: dict[int, list[Attempt]] = {}
    for a in attempts_at(s, assignment.id):
        by_learner.setdefault(a.learner_id, []).append(a)
    pass_mark = float(quiz.pass_mark) if quiz else 100.0
    rows = [
        grade_row(m, by_learner.get(m.learner_id, []), assignment.grading, pass_mark)
        for m in members_of(s, assignment.classroom_id)
    ]

    def value(row: GradeRow) -> Any:
        if sort == "score":
            return row.share
        if sort == "time":
            return row.seconds
        if sort == "attempts":
            return row.attempts_used
        return row.member.display_name.casefold()

    present = [r for r in rows if value(r) is not None]
    blank = [r for r in rows if value(r) is None]
    present.sort(key=lambda r: (value(r), r.member.display_name.casefold()))
    if descending:
        present.reverse()
    return present + blank


def close_overdue(assignment: Assignment, quiz: Quiz | None, grace: int) -> int:
    """Submit the assignment's attempts whose time ran out (saved answers count)."""
    if quiz is None:
        return 0
    return attempts.close_overdue(quiz, assignment.id, grace)


# CSV -----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """Return a cell as text; one that a spreadsheet would run as a formula is
    prefixed with an apostrophe (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return UTF-8 CSV with a byte-order mark, so Excel reads the names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


# Item analysis -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """How many picked one choice of a question."""

    choice_id: str
    text: str
    count: int
    correct: bool


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One question's figures in the item analysis."""

    n: int  # position in the quiz
    question_id: str
    prompt: str
    type: str
    count: int  # attempts that included the question
    facility: float | None
    discrimination: float | None
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Item analysis of an assignment over the attempts that count."""

    attempts: int
    reliable: bool
    items: tuple[ItemRow, ...]
    histogram: tuple[int, ...]  # students per tenth of the score range
    mean: float | None


HISTOGRAM_BINS = 10


def histogram_bounds() -> list[tuple[int, int]]:
    """Return each histogram bin's lowest and highest whole percentage."""
    tenth = 100 // HISTOGRAM_BINS
    last = HISTOGRAM_BINS - 1
    return [
        (i * tenth, 100 if i == last else (i + 1) * tenth - 1)
        for i in range(HISTOGRAM_BINS)
    ]


def _options(q: Any, picks: Mapping[str, int]) -> tuple[Option, ...]:
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        return tuple(
            Option(c.id, c.text, picks.get(c.id, 0), c.correct) for c in q.choices
        )
    if isinstance(q, TrueFalseQuestion):
        return (
            Option("true", "true", picks.get("true", 0), q.answer is True),
            Option("false", "false", picks.get("false", 0), q.answer is False),
        )
    return ()


def item_analysis(s: Session, assignment: Assignment, quiz: Quiz) -> Analysis:
    """Return facility, discrimination and choice counts per question, and the
    spread of scores, over each student's attempt that counts."""
    rows = gradebook(s, assignment, quiz)
    counted = [r.counted for r in rows if r.counted is not None]
    per_attempt: list[dict[str, grading.ItemResponse]] = []
    for attempt in counted:
        # Graded as the learner saw it: a Russian attempt's forms and numbers.
        shown = attempts.quiz_in_language(quiz, attempt)
        responses = attempts.responses_of(s, attempt.id)
        one: dict[str, grading.ItemResponse] = {}
        for qid in attempt.question_ids:
            q = shown.question(qid)
            if q is None:
                continue
            answer = attempts.load_answer(q, responses.get(qid))
            one[qid] = grading.item_response(q, answer, grading.grade_answer(q, answer))
        per_attempt.append(one)
    stats = grading.item_statistics(per_attempt)
    items = []
    for n, q in enumerate(quiz.questions, 1):
        stat = stats.items.get(q.id)
        if stat is None:
            continue
        items.append(
            ItemRow(
                n=n,
                question_id=q.id,
                prompt=q.prompt,
                type=q.type,
                count=stat.n,
                facility=stat.facility,
                discrimination=stat.discrimination,
                options=_options(q, stat.distractors),
            )
        )
    shares = [r.share for r in rows if r.share is not None]
    bins = [0] * HISTOGRAM_BINS
    for share in shares:
        bins[min(HISTOGRAM_BINS - 1, int(share * HISTOGRAM_BINS + 1e-9))] += 1
    return Analysis(
        attempts=stats.n,
        reliable=stats.reliable,
        items=tuple(items),
        histogram=tuple(bins),
        mean=statistics.fmean(shares) if shares else None,
    )


# Retention -----------------------------------------------------------------------


def purge_expired() -> int:
    """Delete attempts older than their class's retention; return how many."""
    removed = 0
    with db.transaction() as s:
        now = attempts.db_now(s)
        kept = s.execute(
            select(Classroom.id, Classroom.retention_days).where(
                Classroom.retention_days.is_not(None)
            )
        ).all()
        for class_id, days in kept:
            cutoff = now - timedelta(days=days or 0)
            result = s.execute(
                delete(Attempt).where(
                    Attempt.assignment_id.in_(_assignment_ids(class_id)),
                    Attempt.started_at < cutoff,
                )
            )
            removed += int(getattr(result, "rowcount", 0) or 0)
    return removed
