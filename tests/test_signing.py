"""Signed values verified once: remembered ones still expire and can't be forged."""

from __future__ import annotations

import time

import pytest
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tests import web
from webapp.signing import VerifiedCache


def _cache() -> VerifiedCache:
    return VerifiedCache(URLSafeTimedSerializer("k", salt="s"))


def test_a_remembered_value_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _cache()
    signed = cache.serializer.dumps({"learner": "abc"})
    assert cache.loads(signed, max_age=60)[0] == {"learner": "abc"}
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)
    with pytest.raises(SignatureExpired):
        cache.loads(signed, max_age=60)
    monkeypatch.setattr(time, "time", lambda: real() - 3600)  # signed in the future
    with pytest.raises(SignatureExpired):
        cache.loads(signed, max_age=60)


def test_a_changed_or_foreign_value_is_refused() -> None:
    cache = _cache()
    signed = cache.serializer.dumps({"learner": "abc"})
    cache.loads(signed)
    with pytest.raises(BadSignature):
        cache.loads(web.tampered(signed))
    other = URLSafeTimedSerializer("another key", salt="s").dumps({"learner": "abc"})
    with pytest.raises(BadSignature):
        cache.loads(other)


def test_each_caller_gets_its_own_dict() -> None:
    cache = _cache()
    signed = cache.serializer.dumps({"learner": "abc"})
    first, _ = cache.loads(signed)
    first["lang"] = "de"
    again, when = cache.loads(signed)
    assert again == {"learner": "abc"}
    assert abs(when - time.time()) < 5


def test_nested_values_are_verified_every_time() -> None:
    cache = _cache()
    signed = cache.serializer.dumps({"list": [1, 2]})
    value, _ = cache.loads(signed)
    value["list"].append(3)
    assert cache.loads(signed)[0] == {"list": [1, 2]}
