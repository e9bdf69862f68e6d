"""Flask-WTF's CSRF protection, with its signing and checking done once per token.

Flask-WTF signs the session's CSRF secret afresh on every page that shows a form
and verifies the signed token on every POST: an HMAC key derivation, a JSON dump
and a signature each way, plus parsing the body as a form even for a JSON call.
Here the same rules hold (the same session secret, salt, time limit, header names,
HTTPS referrer check and error messages), but:

- a signed token is reused for up to a minute (it is the same secret, re-stamped);
- a signed token that verified once is remembered (webapp.signing), and only its
  age is checked again;
- a request whose body is not a form is looked at for the header only, since it
  has no form fields to hold the token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFProtect, same_origin
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from webapp.signing import VerifiedCache

SALT = "wtf-csrf-token"  # Flask-WTF's, so tokens of either implementation verify
REUSE_SECONDS = 60
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

_verifiers: dict[Any, VerifiedCache] = {}
_signed: dict[tuple[Any, str], tuple[str, float]] = {}


def _config() -> tuple[Any, str, int | None]:
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if secret is None:
        raise RuntimeError("A secret key is required to use CSRF.")
    return secret, config["WTF_CSRF_FIELD_NAME"], config.get("WTF_CSRF_TIME_LIMIT")


def _verifier(secret: Any) -> VerifiedCache:
    found = _verifiers.get(secret)
    if found is None:
        _verifiers.clear()  # a new key: the old tokens are no good anyway
        found = _verifiers[secret] = VerifiedCache(
            URLSafeTimedSerializer(secret, salt=SALT)
        )
    return found


def generate_csrf() -> str:
    """Return this session's signed CSRF token (the same one for a whole request)."""
    secret, field, limit = _config()
    token: str | None = g.get(field)
    if token is not None:
        return token
    raw = session.get(field)
    if not isinstance(raw, str):
        raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
    # A token stamped a minute ago is as good as a new one, unless the configured
    # time limit is so short that the minute matters.
    reuse = REUSE_SECONDS if limit is None else min(REUSE_SECONDS, limit // 10)
    now = time.monotonic()
    hit = _signed.get((secret, raw))
    if hit is not None and now - hit[1] < reuse:
        token = hit[0]
    else:
        token = _verifier(secret).serializer.dumps(raw)
        if len(_signed) >= 4096:
            _signed.clear()
        _signed[(secret, raw)] = (token, now)
    setattr(g, field, token)
    return token


def check_csrf(data: str | None) -> str | None:
    """Return why `data` is not this session's CSRF token, or None if it is."""
    secret, field, limit = _config()
    if not data:
        return "The CSRF token is missing."
    raw = session.get(field)
    if raw is None:
        return "The CSRF session token is missing."
    try:
        token, _signed_at = _verifier(secret).loads(data, max_age=limit)
    except SignatureExpired:
        return "The CSRF token has expired."
    except BadData:
        return "The CSRF token is invalid."
    if not (
        isinstance(token, str)
        and isinstance(raw, str)
        and hmac.compare_digest(raw.encode(), token.encode())
    ):
        return "The CSRF tokens do not match."
    return None


class CSRF(CSRFProtect):  # type: ignore[misc]
    """CSRFProtect with cached signing and checking (see the module docstring)."""

    def init_app(self, app: Flask) -> None:
        """Install Flask-WTF's hook, then give templates the cached token."""
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = generate_csrf
        # Flask-WTF also adds csrf_token through a context processor, which
        # would shadow the global in every template rendered with a context.
        app.template_context_processors[None] = [
            p
            for p in app.template_context_processors[None]
            if getattr(p, "__module__", "") != "flask_wtf.csrf"
        ]

    @staticmethod
    def _token_of(req: Any, config: Any) -> str | None:
        """Return the token the request sends: a form field, else a header."""
        field = config["WTF_CSRF_FIELD_NAME"]
        if req.mimetype in _FORM_TYPES:
            token = req.form.get(field)
            if token:
                return str(token)
            for key in req.form:
                if key.endswith(field) and req.form[key]:
                    return str(req.form[key])
        for header in config["WTF_CSRF_HEADERS"]:
            token = req.headers.get(header)
            if token:
                return str(token)
        return None

    def protect(self, apply_exemptions: bool = False) -> None:
        """Check the current request's CSRF token; raise CSRFError if it fails."""
        # The request and config are taken once: every read through the proxies
        # resolves the context again.
        req = request._get_current_object()  # type: ignore[attr-defined]
        config = current_app.config
        if req.method not in config["WTF_CSRF_METHODS"]:
            return  # first: most requests are GETs, and the exemption test is not free
        if apply_exemptions and (not req.endpoint or self._is_exempt()):
            return
        reason = check_csrf(self._token_of(req, config))
        if reason is not None:
            self._error_response(reason)
        if req.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not req.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(req.referrer, f"https://{req.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
