"""Teacher accounts: argon2 passwords, per-account sign-in throttling, server-side
sessions and the one-time set-up link for the first teacher.

The browser's cookie holds only a random session id; the row keyed by its SHA-256
is the session, so signing out (deleting the row) makes a copied cookie worthless.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app, g, redirect, request, session, url_for
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from webapp import ratelimit
from webapp.extensions import db
from webapp.models import SetupToken, Teacher, TeacherSession

SESSION_KEY = "teacher_sid"
MIN_PASSWORD = 8  # ASVS 6.2.1; any characters, up to MAX_PASSWORD
MAX_PASSWORD = 256
MAX_EMAIL = 254

# Sign-in throttling per account: FREE_FAILURES tries, then a doubling wait.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=1)

P = ParamSpec("P")
R = TypeVar("R")


class AuthError(Exception):
    """A sign-in or set-up that cannot be done; `code` says why."""

    def __init__(self, code: str, wait: timedelta | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.wait = wait


# Passwords ---------------------------------------------------------------------


def hasher() -> PasswordHasher:
    """Return the app's argon2id hasher (the cheapest profile only under TESTING)."""
    if current_app.config.get("PASSWORD_HASH_CHEAP"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return hasher().hash(password)


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """Return a problem code for a new password, or None if it can be used."""
    if not password:
        return "password_empty"
    if len(password) < MIN_PASSWORD:
        return "password_short"
    if len(password) > MAX_PASSWORD:
        return "password_long"
    if confirm is not None and confirm != password:
        return "password_mismatch"
    return None


def normalize_email(email: str) -> str:
    """Return the email as stored: trimmed and lower-cased."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Return a problem code for an email address, or None."""
    if not email:
        return "email_empty"
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > MAX_EMAIL:
        return "email_format"
    if any(c.isspace() for c in email):
        return "email_format"
    return None


def timezone_problem(name: str) -> str | None:
    """Return "timezone" if `name` is not an IANA time zone, else None."""
    if name not in available_timezones() and name != "UTC":
        return "timezone"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "timezone"
    return None


def add_teacher(email: str, password: str, timezone: str = "UTC") -> Teacher:
    """Create a teacher account; raises AuthError("email_taken") on a duplicate."""
    teacher = Teacher(
        email=normalize_email(email),
        password_hash=hash_password(password),
        timezone=timezone,
    )
    try:
        with db.transaction() as s:
            s.add(teacher)
    except IntegrityError:
        raise AuthError("email_taken") from None
    return teacher


def set_password(teacher_id: int, password: str) -> None:
    """Replace a teacher's password and end all their sessions."""
    with db.transaction() as s:
        teacher = s.get(Teacher, teacher_id)
        if teacher is None:
            raise AuthError("no_teacher")
        teacher.password_hash = hash_password(password)
        s.execute(delete(TeacherSession).where(TeacherSession.teacher_id == teacher_id))


def teacher_count() -> int:
    """Return how many teacher accounts exist."""
    return int(db.session.scalar(select(func.count()).select_from(Teacher)) or 0)


# Throttling --------------------------------------------------------------------


def _throttle_key(email: str) -> str:
    # Hashed: counters in Redis or a table need not hold the address itself.
    return "login:" + hashlib.sha256(normalize_email(email).encode()).hexdigest()


def wait_after(failures: int) -> timedelta:
    """Return how long an account waits after this many failed sign-ins."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    wait: timedelta = FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 20)
    return min(MAX_WAIT, wait)


def login_wait(email: str) -> timedelta:
    """Return how long this account must wait before the next try (0: none)."""
    hits = ratelimit.counters().peek(_throttle_key(email), FAILURE_WINDOW)
    if hits is None:
        return timedelta(0)
    left = hits.last_at + wait_after(hits.count) - datetime.now(UTC)
    return max(left, timedelta(0))


# Hash of a random password: unknown emails cost the same time as known ones.
_DUMMY: dict[str, str] = {}


def authenticate(email: str, password: str) -> Teacher:
    """Return the teacher whose password this is; raise AuthError otherwise.

    Raises AuthError("throttled", wait) while the account must wait, without
    checking the password, and AuthError("bad_credentials") for a wrong email or
    password (the same answer for both).
    """
    key = _throttle_key(email)
    wait = login_wait(email)
    if wait > timedelta(0):
        raise AuthError("throttled", wait)
    teacher = db.session.scalar(
        select(Teacher).where(Teacher.email == normalize_email(email))
    )
    # Give the connection back before the slow hash: held through it, a burst of
    # sign-ins took every pooled connection and then waited for a second one.
    db.session.commit()
    ph = hasher()
    try:
        if teacher is None:
            dummy = _DUMMY.setdefault(repr(ph), ph.hash(secrets.token_hex(16)))
            ph.verify(dummy, password)
            raise VerificationError
        ph.verify(teacher.password_hash, password)
    except (VerificationError, InvalidHashError):
        hits = ratelimit.counters().hit(key, FAILURE_WINDOW)
        wait = wait_after(hits.count)
        if wait > timedelta(0):
            raise AuthError("throttled", wait) from None
        raise AuthError("bad_credentials") from None
    ratelimit.counters().reset(key)
    if ph.check_needs_rehash(teacher.password_hash):
        with db.transaction() as s:
            row = s.get(Teacher, teacher.id)
            if row is not None:
                row.password_hash = ph.hash(password)
    return teacher


# Sessions ----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(teacher: Teacher) -> None:
    """Start a new server-side session for `teacher` and put its id in the cookie."""
    sign_out()
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    absolute = current_app.config["TEACHER_SESSION_ABSOLUTE"]
    with db.transaction() as s:
        s.add(
            TeacherSession(
                id=_digest(token),
                teacher_id=teacher.id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + absolute,
            )
        )
    session[SESSION_KEY] = token
    # A new CSRF secret too: a token seen before signing in is no use after it.
    session.pop("csrf_token", None)
    g.pop("teacher", None)


def sign_out() -> None:
    """Delete this browser's teacher session on the server and in the cookie."""
    token = session.pop(SESSION_KEY, None)
    g.pop("teacher", None)
    if isinstance(token, str) and token:
        with db.transaction() as s:
            s.execute(delete(TeacherSession).where(TeacherSession.id == _digest(token)))


@dataclass(frozen=True, slots=True)
class _Found:
    teacher: Teacher | None


def current_teacher() -> Teacher | None:
    """Return the signed-in teacher of this request, or None."""
    found: _Found | None = g.get("teacher")
    if found is None:
        found = _Found(_load_teacher())
        g.teacher = found
    return found.teacher


def _load_teacher() -> Teacher | None:
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    row = db.session.get(TeacherSession, _digest(token))
    if row is None:
        session.pop(SESSION_KEY, None)
        return None
    now = datetime.now(UTC)
    idle: timedelta = current_app.config["TEACHER_SESSION_IDLE"]
    if now >= row.expires_at or now >= row.last_seen_at + idle:
        sign_out()
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        # At most one write a minute per teacher keeps the idle clock honest.
        with db.transaction() as s:
            live = s.get(TeacherSession, row.id)
            if live is not None:
                live.last_seen_at = now
    return db.session.get(Teacher, row.teacher_id)


def purge_sessions() -> int:
    """Delete expired teacher sessions; return how many."""
    now = datetime.now(UTC)
    idle: timedelta = current_app.config["TEACHER_SESSION_IDLE"]
    with db.transaction() as s:
        result = s.execute(
            delete(TeacherSession).where(
                (TeacherSession.expires_at <= now)
                | (TeacherSession.last_seen_at <= now - idle)
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def init_app(app: Flask) -> None:
    """Set the account defaults, pick the counter store, expose the teacher."""
    app.config.setdefault("TEACHER_SESSION_IDLE", timedelta(hours=2))
    app.config.setdefault("TEACHER_SESSION_ABSOLUTE", timedelta(hours=12))
    # Tests hash with the cheapest argon2 profile; nothing else should.
    app.config.setdefault("PASSWORD_HASH_CHEAP", bool(app.config.get("TESTING")))
    app.config.setdefault("SETUP_TOKEN_HOURS", 24)
    ratelimit.init_app(app)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"current_teacher": current_teacher}


def safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    return target


def teacher_required(view: Callable[P, R]) -> Callable[P, R | Any]:
    """Send a visitor who is not signed in as a teacher to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | Any:
        if current_teacher() is None:
            back = request.full_path.rstrip("?")
            return redirect(url_for("teacher.login", next=back))
        return view(*args, **kwargs)

    return wrapped


def signed_in_teacher() -> Teacher:
    """Return the signed-in teacher (views under teacher_required only)."""
    teacher = current_teacher()
    assert teacher is not None
    return teacher


# Set-up link -------------------------------------------------------------------


def create_setup_token(ttl: timedelta = timedelta(hours=24)) -> str:
    """Store a new one-time set-up token (hashed) and return it."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with db.transaction() as s:
        s.add(
            SetupToken(token_hash=_digest(token), created_at=now, expires_at=now + ttl)
        )
    return token


def setup_token_valid(token: str) -> bool:
    """Return True if the token is unused, unexpired, and no teacher exists yet."""
    row = db.session.scalar(
        select(SetupToken).where(SetupToken.token_hash == _digest(token))
    )
    return (
        row is not None
        and row.used_at is None
        and row.expires_at > datetime.now(UTC)
        and teacher_count() == 0
    )


def use_setup_token(token: str, email: str, password: str, timezone: str) -> Teacher:
    """Create the first teacher with a valid set-up token, which is then spent.

    Raises AuthError("setup_invalid") when the token is unknown, used, expired, or
    a teacher exists already.
    """
    now = datetime.now(UTC)
    with db.transaction() as s:
        row = s.scalar(
            select(SetupToken)
            .where(SetupToken.token_hash == _digest(token))
            .with_for_update()
        )
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise AuthError("setup_invalid")
        if s.scalar(select(func.count()).select_from(Teacher)):
            raise AuthError("setup_invalid")
        row.used_at = now
        teacher = Teacher(
            email=normalize_email(email),
            password_hash=hash_password(password),
            timezone=timezone,
        )
        s.add(teacher)
    return teacher
