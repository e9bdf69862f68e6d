"""Anonymous learners: a random token in the signed session cookie names a Learner."""

from __future__ import annotations

import secrets

from flask import session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import Learner

SESSION_KEY = "learner"


def current_token() -> str | None:
    """Return this browser's learner token, or None if it has none yet."""
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) and token else None


def current_learner() -> Learner | None:
    """Return this browser's Learner row, or None (nothing is created on reads)."""
    token = current_token()
    if token is None:
        return None
    return db.session.scalar(select(Learner).where(Learner.token == token))


def ensure_learner() -> Learner:
    """Return this browser's Learner, creating the row and the cookie if needed."""
    token = current_token()
    if token is None:
        token = secrets.token_urlsafe(24)
        session[SESSION_KEY] = token
        session.permanent = True
    try:
        with db.transaction() as s:
            learner = s.scalar(select(Learner).where(Learner.token == token))
            if learner is None:
                learner = Learner(kind="anonymous", token=token)
                s.add(learner)
                s.flush()
            return learner
    except IntegrityError:
        # Two tabs created it at the same moment: the other one won.
        found = db.session.scalar(select(Learner).where(Learner.token == token))
        assert found is not None
        return found
