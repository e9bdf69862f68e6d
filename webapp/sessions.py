"""Flask's signed-cookie session, signed again once a day instead of every request.

Flask re-signs a permanent session's cookie on every response so that its expiry
slides forward. For a year-long cookie, a day's precision is plenty, and signing
is a tenth of a small page's time; so an unchanged session is sent again only
when its signature is more than a day old. A changed session is always sent.
A cookie that verified once is not verified again (webapp.signing).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from webapp.signing import VerifiedCache, cookie_value

REFRESH_AFTER_SECONDS = 24 * 3600


class SignedSession(SecureCookieSession):
    """A cookie session that knows when its cookie was signed (None: new)."""

    signed_at: float | None = None


class DailyRefreshSessionInterface(SecureCookieSessionInterface):
    """Signed cookies as Flask makes them, refreshed at most once a day."""

    session_class = SignedSession

    def __init__(self) -> None:
        self._verifiers: dict[Any, VerifiedCache] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Return the serializer for the app's current keys (built once per key set)."""
        found = self.verifier(app)
        return None if found is None else found.serializer

    def verifier(self, app: Flask) -> VerifiedCache | None:
        """Return the cookie verifier for the app's current keys (None: no key)."""
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._verifiers.get(key)
        if found is None:
            built = super().get_signing_serializer(app)
            if built is None:
                return None
            found = VerifiedCache(built)
            self._verifiers = {key: found}  # a key change drops the old one
        return found

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        """Read the cookie and remember when it was signed."""
        verifier = self.verifier(app)
        if verifier is None:
            return None
        header = request.environ.get("HTTP_COOKIE")
        val = cookie_value(header, self.get_cookie_name(app)) if header else None
        if not val:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = verifier.loads(val, max_age=max_age)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = float(signed_at)
        return session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Send the cookie when due (should_set_cookie), as Flask does.

        Most responses send none: then all Flask would do is add "Vary: Cookie"
        for a session that was read, without working out the cookie's options.
        """
        if not session.modified and not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        """Send the cookie when the session changed or its signature is a day old."""
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at > REFRESH_AFTER_SECONDS


def init_app(app: Flask) -> None:
    """Use the daily-refresh cookie session."""
    app.session_interface = DailyRefreshSessionInterface()
