"""Rate-limit counters: in the database by default, in Redis when REDIS_URL is set.

Several app servers must share the counters (a limit per process is no limit), so
they never live in process memory. Keys name what is limited, e.g. the account of a
sign-in, never the address: a class shares one address behind its school's NAT.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import RateCounter

_EXT_KEY = "interwar.counters"
REDIS_PREFIX = "interwar:rate:"


@dataclass(frozen=True, slots=True)
class Hits:
    """How often a key was hit within its window, and when last."""

    count: int
    last_at: datetime


class Counters(Protocol):
    """A store of counters that expire `window` after their last hit."""

    def hit(self, key: str, window: timedelta) -> Hits:
        """Count one more hit of `key` and return the new total."""

    def peek(self, key: str, window: timedelta) -> Hits | None:
        """Return the hits of `key` in its window, or None."""

    def reset(self, key: str) -> None:
        """Forget `key`."""


class DatabaseCounters:
    """Counters in the rate_counter table (one row per key)."""

    def hit(self, key: str, window: timedelta) -> Hits:
        """Count one more hit of `key` and return the new total."""
        for _ in range(3):
            try:
                with db.transaction() as s:
                    now = datetime.now(UTC)
                    row = s.scalar(
                        select(RateCounter)
                        .where(RateCounter.key == key)
                        .with_for_update()
                    )
                    if row is None:
                        row = RateCounter(key=key, count=0, window_start=now)
                        s.add(row)
                    elif row.last_at < now - window:
                        row.count, row.window_start = 0, now
                    row.count += 1
                    row.last_at = now
                    return Hits(row.count, now)
            except IntegrityError:
                continue  # another request inserted the row first: count again
        raise RuntimeError(f"could not count {key!r}")

    def peek(self, key: str, window: timedelta) -> Hits | None:
        """Return the hits of `key` in its window, or None."""
        with db.transaction() as s:
            row = s.get(RateCounter, key)
            if row is None or row.last_at < datetime.now(UTC) - window:
                return None
            return Hits(row.count, row.last_at)

    def reset(self, key: str) -> None:
        """Forget `key`."""
        with db.transaction() as s:
            s.execute(delete(RateCounter).where(RateCounter.key == key))


class RedisCounters:
    """Counters as Redis hashes that expire `window` after the last hit."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(url, socket_timeout=2)

    def hit(self, key: str, window: timedelta) -> Hits:
        """Count one more hit of `key` and return the new total."""
        now = time.time()
        name = REDIS_PREFIX + key
        pipe = self._redis.pipeline(transaction=True)
        pipe.hincrby(name, "count", 1)
        pipe.hset(name, "last", repr(now))
        pipe.expire(name, max(1, int(window.total_seconds())))
        count, _, _ = pipe.execute()
        return Hits(int(count), datetime.fromtimestamp(now, UTC))

    def peek(self, key: str, window: timedelta) -> Hits | None:
        """Return the hits of `key` in its window, or None."""
        got = self._redis.hgetall(REDIS_PREFIX + key)
        if not got or b"count" not in got or b"last" not in got:
            return None
        return Hits(
            int(got[b"count"]), datetime.fromtimestamp(float(got[b"last"]), UTC)
        )

    def reset(self, key: str) -> None:
        """Forget `key`."""
        self._redis.delete(REDIS_PREFIX + key)

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()


def init_app(app: Flask) -> None:
    """Pick the counter store: Redis when REDIS_URL is set, else the database."""
    url = app.config.get("REDIS_URL")
    store: Counters = RedisCounters(str(url)) if url else DatabaseCounters()
    app.extensions[_EXT_KEY] = store


def counters() -> Counters:
    """Return the current app's counter store."""
    store: Counters = current_app.extensions[_EXT_KEY]
    return store
