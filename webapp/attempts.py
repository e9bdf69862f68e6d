"""Attempts and responses: the only code that writes them.

Every function that writes runs one transaction (`db.transaction()`, or for the
answer upsert `db.write()`: hot statements on the driver), locks the attempt row
first, and is safe to repeat: starting with the same idempotency key,
saving the same answer or submitting twice leaves one attempt and one result.
The stored plan (question order, presentations, seed) is the truth for grading.
Views and the JSON API both call these functions; none of them reads the request.
"""

from __future__ import annotations

import dataclasses
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp import grading
from webapp.content.domain import Question, Quiz, Score
from webapp.content.question_types import REGISTRY, InputError
from webapp.extensions import db
from webapp.hotsql import Driver, Statement
from webapp.models import Attempt, Learner, Response

_Row = TypeVar("_Row", Attempt, Response)

MAX_SEED = 2**52


class AttemptError(Exception):
    """An attempt operation that cannot be done; views map subclasses to 4xx."""


class AttemptNotFound(AttemptError):
    """No such attempt for this learner and quiz (another learner's looks the same)."""


class QuestionNotInAttempt(AttemptError):
    """The question is not part of this attempt."""


class AttemptClosed(AttemptError):
    """The attempt was submitted, or its time is up; `time_up` says which."""

    def __init__(self, time_up: bool = False) -> None:
        super().__init__("time is up" if time_up else "already submitted")
        self.time_up = time_up


class AttemptNotSubmitted(AttemptError):
    """The operation needs a submitted attempt (e.g. retrying the wrong answers)."""


class AssignmentNotOpen(AttemptError):
    """The assignment cannot be started now: not open yet, or `closed` already."""

    def __init__(self, closed: bool) -> None:
        super().__init__("closed" if closed else "not open yet")
        self.closed = closed


class NoAttemptsLeft(AttemptError):
    """The learner has used every attempt the assignment allows."""


@dataclass(frozen=True, slots=True)
class AssignmentLimits:
    """The rules of a class assignment that a start must obey (all times UTC)."""

    assignment_id: int
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    time_limit: int | None = None  # minutes
    extra_minutes: int = 0
    max_attempts: int | None = None


@dataclass(frozen=True, slots=True)
class Saved:
    """What saving an answer did: the answer stored, and its score if graded now."""

    question_id: str
    answer: Any
    score: Score | None
    tries: int


def plan_of(attempt: Attempt) -> grading.AttemptPlan:
    """Rebuild the stored plan of an attempt."""
    return grading.AttemptPlan(
        seed=attempt.seed,
        question_ids=tuple(attempt.question_ids),
        presentations={k: dict(v) for k, v in attempt.presentations.items()},
    )


def question_of(quiz: Quiz, attempt: Attempt, question_id: str) -> Question:
    """Return the quiz's question if it is part of the attempt."""
    if question_id not in attempt.question_ids:
        raise QuestionNotInAttempt(question_id)
    q = quiz.question(question_id)
    if q is None:  # the YAML lost this question after the attempt started
        raise QuestionNotInAttempt(question_id)
    return q


def quiz_in_language(quiz: Quiz, attempt: Attempt) -> Quiz:
    """Return the quiz in the attempt's language: what the learner sees and is graded.

    An attempt keeps the language it was started in (Attempt.locale) until it is
    submitted, even if the learner switches the interface language on the way:
    short-answer forms are the English ones plus that language's, cloze gaps are
    those of its text, and numbers are read the way that language writes them.
    Every view, the API and the grading here use this one translated quiz.
    """
    from webapp import library

    return library.localized_quiz(quiz, attempt.locale).value


def presentation_of(attempt: Attempt, question_id: str) -> Mapping[str, Sequence[int]]:
    """Return the stored presentation of one question of the attempt."""
    got = attempt.presentations.get(question_id) or {}
    return got if isinstance(got, Mapping) else {}


def db_now(s: Session) -> datetime:
    """Return the database server's clock as aware UTC (deadlines are kept by it).

    App servers' clocks may differ; the one database decides when time is up.
    """
    sqlite = s.get_bind().dialect.name == "sqlite"
    return _as_utc(s.scalar(_SQLITE_NOW if sqlite else _SERVER_NOW))


def is_time_up(attempt: Attempt, now: datetime | None = None, grace: int = 0) -> bool:
    """Return True when the attempt has a deadline and it passed (plus `grace` s).

    Without `now`, the database clock decides.
    """
    if attempt.deadline is None:
        return False
    if now is None:
        now = db_now(db.session)
    return _past(attempt.deadline, now, grace)


def _past(deadline: datetime | None, now: datetime, grace: int) -> bool:
    """Return True when `now` is later than the deadline plus `grace` seconds."""
    return deadline is not None and now > deadline + timedelta(seconds=grace)


# Statements of the hot paths, built once (composing a select costs about as much
# as running it on SQLite); the values come as bound parameters.
# Run on the driver's cursor (webapp.hotsql): every question page and answer.
_ATTEMPT_ROW_OF_TOKEN = Statement(
    select(*Attempt.__table__.columns)
    .join(Learner, Learner.id == Attempt.learner_id)
    .where(Attempt.id == bindparam("attempt_id"), Learner.token == bindparam("token"))
)
_RESPONSE_ROW_OF = Statement(
    select(*Response.__table__.columns).where(
        Response.attempt_id == bindparam("attempt_id"),
        Response.question_id == bindparam("question_id"),
    )
)
_RESPONSES_OF = select(Response).where(Response.attempt_id == bindparam("attempt_id"))
_RESPONSE_OF = select(Response).where(
    Response.attempt_id == bindparam("attempt_id"),
    Response.question_id == bindparam("question_id"),
)
_LOCKED = select(Attempt).where(Attempt.id == bindparam("attempt_id")).with_for_update()
# Milliseconds: SQLite's CURRENT_TIMESTAMP has whole seconds only.
_SQLITE_CLOCK = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
_SQLITE_NOW = text(f"SELECT {_SQLITE_CLOCK}")
_SERVER_NOW = select(func.now())


# Reads -----------------------------------------------------------------------


def get_attempt(
    s: Session, learner_id: int | None, attempt_id: int, quiz_id: str
) -> Attempt:
    """Return the learner's attempt at this quiz, or raise AttemptNotFound."""
    if not 0 <= attempt_id < 2**31:
        # No row has such an id, and the driver would overflow (a 500) on it.
        raise AttemptNotFound(attempt_id)
    attempt = s.get(Attempt, attempt_id) if learner_id is not None else None
    if (
        attempt is None
        or attempt.learner_id != learner_id
        or attempt.quiz_id != quiz_id
    ):
        raise AttemptNotFound(attempt_id)
    return attempt


def _detached(model: type[_Row], values: Mapping[Any, Any]) -> _Row:
    """Return a detached instance of `model` holding a row's values as loaded.

    What the ORM's loader does for a queried row, without a session: the values
    go straight into the instance's dict (the constructor's per-attribute events
    cost more than the query).
    """
    obj: _Row = sa_inspect(model).class_manager.new_instance()
    obj.__dict__.update(values)
    return obj


def get_attempt_for_token(
    conn: Connection | Driver,
    token: str | None,
    attempt_id: int,
    quiz_id: str | None = None,
) -> Attempt:
    """Return the attempt of the learner with this cookie token, in one query.

    The attempt comes back detached, as this request's view of the row: a
    write in between (which locks and reads the row itself) cannot expire it.
    It is read with plain SQL on `conn` (db.reader), not the ORM's identity
    map: every page and API call starts here, and the row is all they need.
    Raises AttemptNotFound for another learner's attempt, another quiz's
    (when `quiz_id` is given) or an unknown id.
    """
    if token is None or not 0 <= attempt_id < 2**31:
        raise AttemptNotFound(attempt_id)
    row = _ATTEMPT_ROW_OF_TOKEN.first(conn, {"attempt_id": attempt_id, "token": token})
    if row is None or (quiz_id is not None and row["quiz_id"] != quiz_id):
        raise AttemptNotFound(attempt_id)
    return _detached(Attempt, row)


def responses_of(s: Session, attempt_id: int) -> dict[str, Response]:
    """Return the attempt's responses by question id."""
    rows = s.scalars(_RESPONSES_OF, {"attempt_id": attempt_id})
    return {r.question_id: r for r in rows}


def response_of(
    conn: Connection | Driver, attempt_id: int, question_id: str
) -> Response | None:
    """Return the attempt's response to one question (a question page needs no more).

    A detached copy of the row, read with plain SQL like `get_attempt_for_token`.
    """
    row = _RESPONSE_ROW_OF.first(
        conn, {"attempt_id": attempt_id, "question_id": question_id}
    )
    return None if row is None else _detached(Response, row)


def load_answer(q: Question, response: Response | None) -> Any | None:
    """Return the stored answer as the type's canonical value, None if unusable."""
    if response is None:
        return None
    try:
        return REGISTRY[q.type].load_answer(q, response.answer)
    except InputError:
        return None  # the question changed since: the answer no longer fits


def answers_of(
    quiz: Quiz, attempt: Attempt, responses: Mapping[str, Response]
) -> dict[str, Any]:
    """Return the usable stored answers of the attempt, by question id."""
    out: dict[str, Any] = {}
    for qid in attempt.question_ids:
        q = quiz.question(qid)
        answer = load_answer(q, responses.get(qid)) if q is not None else None
        if answer is not None:
            out[qid] = answer
    return out


def best_attempts(s: Session, learner_id: int) -> dict[str, Attempt]:
    """Return the learner's best submitted attempt per quiz id."""
    best: dict[str, Attempt] = {}
    rows = s.scalars(
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.id)
    )
    for a in rows:
        cur = best.get(a.quiz_id)
        if cur is None or _share(a) > _share(cur):
            best[a.quiz_id] = a
    return best


def open_attempts(s: Session, learner_id: int) -> dict[str, Attempt]:
    """Return the learner's latest unsubmitted attempt per quiz id."""
    rows = s.scalars(
        select(Attempt)
        .where(Attempt.learner_id == learner_id, Attempt.submitted_at.is_(None))
        .order_by(Attempt.id)
    )
    return {a.quiz_id: a for a in rows}


def count_responses(s: Session, attempt_id: int) -> int:
    """Return how many questions of the attempt have a stored answer."""
    n = s.scalar(
        select(func.count())
        .select_from(Response)
        .where(Response.attempt_id == attempt_id)
    )
    return int(n or 0)


def _share(a: Attempt) -> float:
    return (a.score or 0.0) / a.max_score if a.max_score else 0.0


# Writes ----------------------------------------------------------------------


def _locked(s: Session, learner_id: int, attempt_id: int, quiz_id: str) -> Attempt:
    attempt = s.scalar(_LOCKED, {"attempt_id": attempt_id})
    if (
        attempt is None
        or attempt.learner_id != learner_id
        or attempt.quiz_id != quiz_id
    ):
        raise AttemptNotFound(attempt_id)
    return attempt


def start_attempt(
    learner_id: int,
    quiz: Quiz,
    *,
    locale: str,
    mode: str | None = None,
    idempotency_key: str | None = None,
    seed: int | None = None,
    question_ids: Sequence[str] | None = None,
    retry_of_id: int | None = None,
    limits: AssignmentLimits | None = None,
) -> Attempt:
    """Create an attempt with its plan; the same idempotency key returns the same one.

    `question_ids` restricts the attempt to those questions (retrying wrong ones);
    otherwise the quiz's draw and shuffle decide. With `limits` (a class
    assignment) an unfinished attempt is returned instead of a new one, and the
    window, the attempt count and the time limit are checked against the database
    clock; raises AssignmentNotOpen or NoAttemptsLeft.
    """
    if idempotency_key:
        existing = _by_key(learner_id, idempotency_key)
        if existing is not None:
            return existing
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    if question_ids is None:
        plan = grading.build_attempt(quiz, seed)
    else:
        plan = _subset_plan(quiz, seed, question_ids)
    mode = mode or quiz.mode
    attempt = Attempt(
        learner_id=learner_id,
        quiz_id=quiz.id,
        quiz_version=quiz.version,
        seed=plan.seed,
        question_ids=list(plan.question_ids),
        presentations={
            k: {n: list(v) for n, v in p.items()} for k, p in plan.presentations.items()
        },
        mode=mode,
        locale=locale,
        idempotency_key=idempotency_key or None,
        retry_of_id=retry_of_id,
        assignment_id=limits.assignment_id if limits else None,
    )
    try:
        with db.transaction() as s:
            now = db_now(s)
            attempt.started_at = now
            if limits is not None:
                current = _check_limits(s, learner_id, quiz, limits, now)
                if current is not None:
                    return current
                attempt.deadline = _assigned_deadline(limits, now)
            elif mode == "test" and quiz.time_limit:
                attempt.deadline = now + timedelta(minutes=quiz.time_limit)
            s.add(attempt)
    except IntegrityError:
        # The same key arrived twice at once (double click): the first one won.
        existing = _by_key(learner_id, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing
    return attempt


def _check_limits(
    s: Session, learner_id: int, quiz: Quiz, limits: AssignmentLimits, now: datetime
) -> Attempt | None:
    """Return the unfinished attempt to continue, or None when a new one may start."""
    # Lock the learner: two tabs starting at once must not both pass the count.
    s.execute(select(Learner.id).where(Learner.id == learner_id).with_for_update())
    rows = s.scalars(
        select(Attempt)
        .where(
            Attempt.learner_id == learner_id,
            Attempt.assignment_id == limits.assignment_id,
        )
        .order_by(Attempt.id)
    ).all()
    for a in rows:
        if not a.submitted:
            if not is_time_up(a, now):
                return a
            _grade_and_close(s, a, quiz, now)
    if limits.opens_at is not None and now < limits.opens_at:
        raise AssignmentNotOpen(closed=False)
    if limits.closes_at is not None and now >= limits.closes_at:
        raise AssignmentNotOpen(closed=True)
    if limits.max_attempts is not None and len(rows) >= limits.max_attempts:
        raise NoAttemptsLeft(limits.assignment_id)
    return None


def _assigned_deadline(limits: AssignmentLimits, now: datetime) -> datetime | None:
    """The earlier of start + time limit and the close, both plus the extra time."""
    extra = timedelta(minutes=max(0, limits.extra_minutes))
    ends = []
    if limits.time_limit:
        ends.append(now + timedelta(minutes=limits.time_limit) + extra)
    if limits.closes_at is not None:
        ends.append(limits.closes_at + extra)
    return min(ends) if ends else None


def _by_key(learner_id: int, key: str) -> Attempt | None:
    with db.transaction() as s:
        found = s.scalar(select(Attempt).where(Attempt.idempotency_key == key))
    if found is not None and found.learner_id != learner_id:
        raise AttemptNotFound(key)
    return found


def _subset_plan(
    quiz: Quiz, seed: int, question_ids: Sequence[str]
) -> grading.AttemptPlan:
    import random

    rng = random.Random(seed)
    ids = [qid for qid in question_ids if quiz.question(qid) is not None]
    if quiz.shuffle:
        rng.shuffle(ids)
    presentations: dict[str, dict[str, list[int]]] = {}
    for qid in ids:
        q = quiz.question(qid)
        assert q is not None
        presentations[qid] = REGISTRY[q.type].present(q, rng, quiz.shuffle)
    return grading.AttemptPlan(
        seed=seed, question_ids=tuple(ids), presentations=presentations
    )


def save_answer(
    learner_id: int,
    attempt_id: int,
    quiz: Quiz,
    question_id: str,
    raw: Mapping[str, Sequence[str]],
    locale: str | None = None,
    *,
    grace: int = 0,
    attempt: Attempt | None = None,
) -> Saved:
    """Parse and store one answer; in practice mode grade it at once.

    The answer is read and graded in the attempt's language (`quiz_in_language`);
    `locale` overrides the language numbers are read in, for tests. `attempt` is
    the caller's copy of the attempt, if it has one (its plan, mode and language
    never change after the start, so a copy read before the write will do).
    Raises InputError (nothing is written) when the input cannot be read,
    AttemptClosed when submitted or out of time.
    """
    if attempt is None:
        attempt = get_attempt(db.session, learner_id, attempt_id, quiz.id)
    elif attempt.id != attempt_id or attempt.learner_id != learner_id:
        raise AttemptNotFound(attempt_id)
    # Parsed and graded before the write starts: the writers' queue is held only
    # for the check that the attempt is still open and the one upsert.
    q = question_of(quiz_in_language(quiz, attempt), attempt, question_id)
    qtype = REGISTRY[q.type]
    answer = grading.parse_answer(
        q, raw, presentation_of(attempt, question_id), locale or attempt.locale
    )
    score = grading.grade_answer(q, answer) if attempt.mode == "practice" else None
    values = {
        "attempt_id": attempt_id,
        "question_id": question_id,
        "answer": qtype.dump_answer(answer),
        "tries": 1,
        "points": score.points if score else None,
        "max_points": score.max_points if score else None,
        "is_correct": score.correct if score else None,
    }
    with db.write() as conn:
        sql = _statements(conn.dialect.name)
        state = sql.state.first(conn, {"attempt_id": attempt_id})
        if (
            state is None
            or state["learner_id"] != learner_id
            or state["quiz_id"] != quiz.id
        ):
            raise AttemptNotFound(attempt_id)
        if state["submitted_at"] is not None:
            raise AttemptClosed()
        now = _as_utc(state["now"])
        if _past(state["deadline"], now, grace):
            raise AttemptClosed(time_up=True)
        values["answered_at"] = now
        stored = sql.upsert.first(conn, values)
        if stored is None:  # pragma: no cover - SQLite older than 3.35
            stored = _RESPONSE_ROW_OF.first(
                conn, {"attempt_id": attempt_id, "question_id": question_id}
            )
        assert stored is not None
    return Saved(question_id, answer, score, int(stored["tries"]))


_UPSERT_KEYS = (
    "attempt_id",
    "question_id",
    "answer",
    "tries",
    "points",
    "max_points",
    "is_correct",
    "answered_at",
)


@dataclass(frozen=True)
class _SaveSql:
    """The statements of the answer upsert, for one database dialect."""

    state: Statement
    upsert: Statement


_SAVE_SQL: dict[str, _SaveSql] = {}


def _statements(dialect: str) -> _SaveSql:
    """Build (once per dialect) the statements of `save_answer`."""
    found = _SAVE_SQL.get(dialect)
    if found is not None:
        return found
    if dialect == "sqlite":
        now: Any = literal_column(_SQLITE_CLOCK)
        insert: Any = sqlite.insert
    else:
        now = func.now()
        insert = postgresql.insert
    state = (
        select(
            Attempt.learner_id,
            Attempt.quiz_id,
            Attempt.submitted_at,
            Attempt.deadline,
            now.label("now"),
        )
        .where(Attempt.id == bindparam("attempt_id"))
        .with_for_update(of=Attempt)  # PostgreSQL: a submit waits for this save
    )
    ins = insert(Response)
    upsert = ins.on_conflict_do_update(
        index_elements=[Response.attempt_id, Response.question_id],
        set_={
            "answer": ins.excluded.answer,
            "tries": Response.tries + 1,
            "answered_at": ins.excluded.answered_at,
            "points": ins.excluded.points,
            "max_points": ins.excluded.max_points,
            "is_correct": ins.excluded.is_correct,
        },
    )
    # RETURNING came with SQLite 3.35; older builds read the count back.
    returns = dialect != "sqlite" or sqlite3.sqlite_version_info >= (3, 35)
    if returns:
        upsert = upsert.returning(Response.tries)
    built = _SaveSql(Statement(state), Statement(upsert, column_keys=_UPSERT_KEYS))
    _SAVE_SQL[dialect] = built
    return built


def _as_utc(value: Any) -> datetime:
    """Return a database clock reading (text on SQLite) as aware UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def clear_answer(
    learner_id: int, attempt_id: int, quiz: Quiz, question_id: str
) -> None:
    """Remove the stored answer to one question (an emptied field in a test)."""
    with db.transaction() as s:
        attempt = _locked(s, learner_id, attempt_id, quiz.id)
        if attempt.submitted:
            raise AttemptClosed()
        question_of(quiz, attempt, question_id)
        resp = s.scalar(
            _RESPONSE_OF, {"attempt_id": attempt.id, "question_id": question_id}
        )
        if resp is not None:
            s.delete(resp)


def submit_attempt(learner_id: int, attempt_id: int, quiz: Quiz) -> Attempt:
    """Grade every stored answer from the stored plan and close the attempt.

    Submitting again returns the attempt as first graded.
    """
    with db.transaction() as s:
        attempt = _locked(s, learner_id, attempt_id, quiz.id)
        if attempt.submitted:
            return attempt
        _grade_and_close(s, attempt, quiz, db_now(s))
        return attempt


def _grade_and_close(s: Session, attempt: Attempt, quiz: Quiz, now: datetime) -> None:
    """Grade the stored answers of a locked attempt and mark it submitted."""
    quiz = quiz_in_language(quiz, attempt)
    responses = responses_of(s, attempt.id)
    answers = answers_of(quiz, attempt, responses)
    plan = plan_of(attempt)
    # Questions removed from the YAML since the start are left out, not fatal.
    kept = tuple(qid for qid in plan.question_ids if quiz.question(qid) is not None)
    plan = dataclasses.replace(plan, question_ids=kept)
    result = grading.grade_attempt(quiz, plan, answers)
    for qid, score in result.scores.items():
        resp = responses.get(qid)
        if resp is not None:
            resp.points = score.points
            resp.max_points = score.max_points
            resp.is_correct = score.correct
    # Late by the network grace at most: record the deadline, as Moodle does.
    attempt.submitted_at = min(now, attempt.deadline) if attempt.deadline else now
    attempt.score = result.points
    attempt.max_score = result.max_points
    attempt.passed = result.passed


def close_overdue(quiz: Quiz, assignment_id: int, grace: int = 0) -> int:
    """Submit the assignment's attempts whose time ran out; return how many."""
    with db.transaction() as s:
        now = db_now(s)
        overdue = s.scalars(
            select(Attempt)
            .where(
                Attempt.assignment_id == assignment_id,
                Attempt.submitted_at.is_(None),
                Attempt.deadline < now - timedelta(seconds=grace),
            )
            .with_for_update()
        ).all()
        for attempt in overdue:
            _grade_and_close(s, attempt, quiz, now)
        return len(overdue)


def wrong_question_ids(
    quiz: Quiz, attempt: Attempt, responses: Mapping[str, Response]
) -> list[str]:
    """Return the attempt's questions not answered fully right, in attempt order."""
    out = []
    for qid in attempt.question_ids:
        resp = responses.get(qid)
        if quiz.question(qid) is not None and not (resp and resp.is_correct):
            out.append(qid)
    return out


def retry_wrong(
    learner_id: int,
    attempt_id: int,
    quiz: Quiz,
    *,
    locale: str,
    idempotency_key: str | None = None,
) -> Attempt | None:
    """Start a new attempt with the questions the learner got wrong (None if none)."""
    s = db.session
    attempt = get_attempt(s, learner_id, attempt_id, quiz.id)
    if not attempt.submitted:
        raise AttemptNotSubmitted(attempt_id)
    wrong = wrong_question_ids(quiz, attempt, responses_of(s, attempt.id))
    if not wrong:
        return None
    return start_attempt(
        learner_id,
        quiz,
        locale=locale,
        mode=attempt.mode,
        idempotency_key=idempotency_key,
        question_ids=wrong,
        retry_of_id=attempt.id,
        # Practice on the side: it must not use up or change an assignment's grade.
    )
