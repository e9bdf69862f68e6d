"""A learner's data: export as JSON, complete deletion and the retention purge.

A learner is pseudonymous: a random token in the browser's cookie, and for a class
member the display name they typed. Everything else about them is their attempts
and the responses in them; these functions find all of it by the learner's id.
The export leaves out the cookie token and the idempotency keys: they are secrets
that would let whoever reads the file act as the learner, not facts about them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from webapp import attempts
from webapp.extensions import db
from webapp.models import Assignment, Attempt, Classroom, Learner, Membership, Response

EXPORT_FORMAT = "interwar-learner-data/1"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _response_data(r: Response) -> dict[str, Any]:
    return {
        "question_id": r.question_id,
        "answer": r.answer,
        "points": r.points,
        "max_points": r.max_points,
        "is_correct": r.is_correct,
        "tries": r.tries,
        "answered_at": _iso(r.answered_at),
    }


def _attempt_data(
    s: Session, a: Attempt, classes: dict[int, tuple[int, str]]
) -> dict[str, Any]:
    responses = s.scalars(
        select(Response).where(Response.attempt_id == a.id).order_by(Response.id)
    )
    where = classes.get(a.assignment_id) if a.assignment_id is not None else None
    return {
        "id": a.id,
        "quiz_id": a.quiz_id,
        "quiz_version": a.quiz_version,
        "mode": a.mode,
        "language": a.locale,
        "assignment_id": a.assignment_id,
        "class_id": where[0] if where else None,
        "class_name": where[1] if where else None,
        "started_at": _iso(a.started_at),
        "deadline": _iso(a.deadline),
        "submitted_at": _iso(a.submitted_at),
        "score": a.score,
        "max_score": a.max_score,
        "passed": a.passed,
        "retry_of": a.retry_of_id,
        "question_ids": list(a.question_ids),
        "seed": a.seed,
        "presentations": a.presentations,
        "responses": [_response_data(r) for r in responses],
    }


def export_learner(
    s: Session, learner_id: int, class_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """Return everything stored about a learner as JSON-ready data.

    With `class_ids` (a teacher's export) only memberships of those classes and
    attempts at their assignments are included; without it, everything.
    """
    learner = s.get(Learner, learner_id)
    if learner is None:
        raise LookupError(learner_id)
    members = select(Membership).where(Membership.learner_id == learner_id)
    if class_ids is not None:
        members = members.where(Membership.classroom_id.in_(list(class_ids)))
    memberships = list(s.scalars(members.order_by(Membership.id)))
    classes = {
        assignment_id: (class_id, name)
        for assignment_id, class_id, name in s.execute(
            select(Assignment.id, Classroom.id, Classroom.name)
            .join(Classroom, Assignment.classroom_id == Classroom.id)
            .join(Membership, Membership.classroom_id == Classroom.id)
            .where(Membership.learner_id == learner_id)
        )
    }
    query = select(Attempt).where(Attempt.learner_id == learner_id)
    if class_ids is not None:
        query = query.where(
            Attempt.assignment_id.in_(
                select(Assignment.id).where(
                    Assignment.classroom_id.in_(list(class_ids))
                )
            )
        )
    rows = list(s.scalars(query.order_by(Attempt.id)))
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(attempts.db_now(s)),
        "scope": "all" if class_ids is None else "classes",
        "learner": {
            "id": learner.id,
            "kind": learner.kind,
            "display_name": learner.display_name,
            "created_at": _iso(learner.created_at),
        },
        "memberships": [
            {
                "class_id": m.classroom_id,
                "class_name": m.classroom.name,
                "display_name": m.display_name,
                "extra_minutes": m.extra_minutes,
                "joined_at": _iso(m.joined_at),
            }
            for m in memberships
        ],
        "attempts": [_attempt_data(s, a, classes) for a in rows],
    }


def _delete_attempts(s: Session, where: Any) -> int:
    ids = select(Attempt.id).where(where)
    # Not left to ON DELETE CASCADE: deletion must be complete even on a database
    # whose foreign keys were switched off.
    s.execute(
        delete(Response).where(Response.attempt_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    result = s.execute(
        delete(Attempt).where(where), execution_options={"synchronize_session": False}
    )
    return int(getattr(result, "rowcount", 0) or 0)


def delete_learner(learner_id: int) -> bool:
    """Delete a learner with every membership, attempt and response; True if found."""
    with db.transaction() as s:
        if s.get(Learner, learner_id) is None:
            return False
        _delete_attempts(s, Attempt.learner_id == learner_id)
        s.execute(delete(Membership).where(Membership.learner_id == learner_id))
        s.execute(delete(Learner).where(Learner.id == learner_id))
    return True


def remove_from_class(learner_id: int, class_id: int) -> bool:
    """Remove a learner from a class with their attempts at its assignments.

    A learner left in no class is deleted altogether (True), so a student a school
    removes leaves no rows behind that no teacher could see or delete.
    """
    with db.transaction() as s:
        assignment_ids = select(Assignment.id).where(
            Assignment.classroom_id == class_id
        )
        _delete_attempts(
            s,
            (Attempt.learner_id == learner_id)
            & Attempt.assignment_id.in_(assignment_ids),
        )
        s.execute(
            delete(Membership).where(
                Membership.learner_id == learner_id,
                Membership.classroom_id == class_id,
            )
        )
        still_member = s.scalar(
            select(exists().where(Membership.learner_id == learner_id))
        )
        if still_member:
            return False
        _delete_attempts(s, Attempt.learner_id == learner_id)
        s.execute(delete(Learner).where(Learner.id == learner_id))
    return True


def purge_self_study(days: int) -> int:
    """Delete attempts outside any class that started more than `days` days ago,
    and learners left with nothing; return how many attempts. 0 days keeps all."""
    if days <= 0:
        return 0
    with db.transaction() as s:
        cutoff = attempts.db_now(s) - timedelta(days=days)
        removed = _delete_attempts(
            s, Attempt.assignment_id.is_(None) & (Attempt.started_at < cutoff)
        )
        s.execute(
            delete(Learner).where(
                Learner.created_at < cutoff,
                ~exists().where(Attempt.learner_id == Learner.id),
                ~exists().where(Membership.learner_id == Learner.id),
            ),
            execution_options={"synchronize_session": False},
        )
    return removed
