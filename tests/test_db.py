"""The request's read connection, and writes made on it after a read."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, insert, select

from webapp.extensions import db
from webapp.models import Learner


def _learners(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Learner)) or 0)


def _half_a_write() -> None:
    with db.write() as conn:
        assert conn is db.reader  # one connection for the request
        conn.execute(insert(Learner).values(kind="anonymous", token="first"))
        raise RuntimeError("the second statement failed")


def test_a_write_after_a_read_is_one_transaction(app: Flask) -> None:
    """A failure half-way through a write leaves nothing behind, after a read too."""
    with app.test_request_context("/"):
        count = select(func.count()).select_from(Learner)
        assert db.reader.execute(count).scalar() == 0
        with pytest.raises(RuntimeError, match="second statement"):
            _half_a_write()
    assert _learners(app) == 0


def test_the_read_connection_sees_its_own_write_and_reads_again(app: Flask) -> None:
    with app.test_request_context("/"):
        count = select(func.count()).select_from(Learner)
        assert db.reader.execute(count).scalar() == 0
        with db.write() as conn:
            conn.execute(insert(Learner).values(kind="anonymous", token="one"))
        assert db.reader.execute(count).scalar() == 1
        with db.write() as conn:  # and writes again
            conn.execute(insert(Learner).values(kind="anonymous", token="two"))
        assert db.reader.execute(count).scalar() == 2
    assert _learners(app) == 2
