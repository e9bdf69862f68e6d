"""Signed values a browser sends again and again, verified once per process.

A browser sends the same session cookie and the same CSRF token with every
request of a visit. Checking their signatures is two HMACs, a base64 decode, a
decompression and a JSON parse each time: a sixth of a cached reading page's
time. The same bytes always verify the same way under the same keys, so what
verified once is remembered (by the exact signed text, per serializer, bounded);
only the age check, which depends on the clock, is done again on every use.
"""

from __future__ import annotations

import functools
import time
from typing import Any

from itsdangerous import SignatureExpired, URLSafeTimedSerializer
from werkzeug.sansio.http import parse_cookie

MAX_ENTRIES = 8192
_SCALARS = (str, int, float, bool, type(None))


def _immutable(value: Any) -> bool:
    """True for a scalar, or a dict of scalars (what our sessions hold)."""
    if isinstance(value, dict):
        return all(
            isinstance(k, str) and isinstance(v, _SCALARS) for k, v in value.items()
        )
    return isinstance(value, _SCALARS)


class VerifiedCache:
    """`serializer.loads(..., return_timestamp=True)`, remembering what verified."""

    def __init__(
        self, serializer: URLSafeTimedSerializer, max_entries: int = MAX_ENTRIES
    ) -> None:
        self.serializer = serializer
        self._max = max_entries
        self._seen: dict[str, tuple[Any, int]] = {}

    def loads(self, signed: str, max_age: int | None = None) -> tuple[Any, int]:
        """Return (value, signed at as a Unix time); raise BadSignature like loads.

        A dict comes back as a new dict each time, so the caller may change it.
        """
        hit = self._seen.get(signed)
        if hit is None:
            value, when = self.serializer.loads(
                signed, max_age=max_age, return_timestamp=True
            )
            hit = (value, int(when.timestamp()))
            if _immutable(value):
                if len(self._seen) >= self._max:
                    self._seen.clear()  # bounded; the next requests verify again
                self._seen[signed] = hit
        elif max_age is not None:
            # The same test itsdangerous makes, on the clock of this request.
            age = int(time.time()) - hit[1]
            if age > max_age or age < 0:
                raise SignatureExpired(f"Signature age {age} > {max_age} seconds")
        value = hit[0]
        return (dict(value) if isinstance(value, dict) else value), hit[1]


@functools.lru_cache(maxsize=1024)
def cookie_value(header: str, name: str) -> str | None:
    """Return the value of cookie `name` in a Cookie header, as request.cookies has it.

    A browser sends the same Cookie header on every request of a visit, so it
    is parsed once.
    """
    value: str | None = parse_cookie(header).get(name)  # what request.cookies uses
    return value
