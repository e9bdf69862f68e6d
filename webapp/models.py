"""SQLAlchemy 2 models: learners, their attempts and the answers in them.

Content is referenced by id and version hash, never by foreign key, so editing or
removing a YAML file never breaks stored history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so Alembic batch migrations work the same on
# SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

LEARNER_KINDS = ("anonymous", "student")
ATTEMPT_MODES = ("practice", "test")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL's timestamptz does; both come back as UTC here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert to UTC (naive on SQLite) before storing."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use webapp.models.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Attach UTC to what the database returns."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return (
            value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        )


class Base(DeclarativeBase):
    """Declarative base with the naming convention on its metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, Any: JSON}


class Learner(Base):
    """Someone taking quizzes: anonymous (a cookie) or a class member (issue 5)."""

    __tablename__ = "learner"
    __table_args__ = (CheckConstraint("kind IN ('anonymous', 'student')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="anonymous")
    # The random id kept in the signed cookie; never shown to others.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="learner", cascade="all, delete-orphan", passive_deletes=True
    )


class Attempt(Base):
    """A run through a quiz; its stored plan (order, permutations, seed) rules."""

    __tablename__ = "attempt"
    __table_args__ = (CheckConstraint("mode IN ('practice', 'test')", name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[str] = mapped_column(String(64), index=True)
    quiz_version: Mapped[str] = mapped_column(String(64), default="")
    seed: Mapped[int] = mapped_column(BigInteger)
    question_ids: Mapped[list[str]] = mapped_column(JSON)
    presentations: Mapped[dict[str, Any]] = mapped_column(JSON)
    mode: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Sent with "Start": a second click or a retried request finds this attempt
    # instead of creating another.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # "Retry the ones I got wrong" starts a new attempt that points at the old one.
    retry_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("attempt.id", ondelete="SET NULL")
    )
    # An assignment of a class (issue 5); no foreign key until that table exists.
    assignment_id: Mapped[int | None] = mapped_column(Integer, index=True)

    learner: Mapped[Learner] = relationship(back_populates="attempts")
    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def submitted(self) -> bool:
        """Return True once the attempt is closed and graded."""
        return self.submitted_at is not None


class Response(Base):
    """The learner's latest answer to one question of an attempt."""

    __tablename__ = "response"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempt.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[Any] = mapped_column(JSON)
    # Set when graded: at "Check answer" in practice, at submit in a test.
    points: Mapped[float | None] = mapped_column(Float)
    max_points: Mapped[float | None] = mapped_column(Float)
    is_correct: Mapped[bool | None] = mapped_column(Boolean)
    tries: Mapped[int] = mapped_column(Integer, default=1)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="responses")


# Classroom (issue 5): teachers, their classes, members and assignments. ----------

ASSIGNMENT_GRADING = ("highest", "last", "first", "average")


class Teacher(Base):
    """A teacher account: an email and an argon2 password hash, nothing else."""

    __tablename__ = "teacher"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so "Ann@School" and "ann@school" are one account.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # IANA name ("Europe/Berlin"): assignment times are entered and shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    classrooms: Mapped[list[Classroom]] = relationship(
        back_populates="teacher", cascade="all, delete-orphan", passive_deletes=True
    )


class TeacherSession(Base):
    """A signed-in teacher's server-side session; deleting the row signs out."""

    __tablename__ = "teacher_session"

    # SHA-256 of the random id in the cookie: a leaked table cannot be replayed.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class SetupToken(Base):
    """A one-time link that lets the first teacher choose a password."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RateCounter(Base):
    """A rate-limit counter (failed sign-ins per account) when Redis is not used."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    last_at: Mapped[datetime] = mapped_column(default=utcnow)


class Classroom(Base):
    """A teacher's class; students join it with its code."""

    __tablename__ = "classroom"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("teacher.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    # Attempts older than this many days are purged; None keeps them.
    retention_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teacher: Mapped[Teacher] = relationship(back_populates="classrooms")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", passive_deletes=True
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", passive_deletes=True
    )


class Membership(Base):
    """A learner in a class under the display name they gave (their only data)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("classroom_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learner.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(100))
    # Extra minutes on every timed assignment of the class (an accommodation).
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="memberships")
    learner: Mapped[Learner] = relationship()


class Assignment(Base):
    """A quiz given to a class, with its window, limits and grading method."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("mode IN ('practice', 'test')", name="mode"),
        CheckConstraint(
            "grading IN ('highest', 'last', 'first', 'average')", name="grading"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit: Mapped[int | None] = mapped_column(Integer)  # minutes
    max_attempts: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    grading: Mapped[str] = mapped_column(String(16), default="highest")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
