"""Structured logs: one JSON object per line, each tagged with the request's id.

JSON rather than key=value because the encoder escapes every control character
(newlines, ANSI escapes) and quote by construction, so hostile text in a path can
never forge or colour a log line (ASVS 16.4.1), and log shippers parse it as is.
What is logged is chosen here and in the views: method, route, status, timing and
ids; never form data, answers, passwords, display names or query strings.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import secrets
import sys
import time
import traceback
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

HEADER = "X-Request-ID"
_ENVIRON_HEADER = "HTTP_X_REQUEST_ID"  # how the server passes it in the environ
# A proxy's id (nginx $request_id) is kept when it looks like one; anything else
# is replaced, so a client cannot smuggle text into the logs through it.
_INCOMING = re.compile(r"[A-Za-z0-9._-]{8,64}")
_MARK = "_interwar_json_handler"
# LogRecord attributes that are not extra fields of our own.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


def request_id() -> str:
    """Return the current request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    # Through the objects rather than the proxies: asked three times a request.
    store = g._get_current_object().__dict__
    rid: str | None = store.get("request_id")
    if rid is None:
        incoming = request.environ.get(_ENVIRON_HEADER, "")
        rid = store["request_id"] = new_request_id(incoming)
    return rid


def new_request_id(incoming: str) -> str:
    """Return a proxy's X-Request-ID if it looks like one, else a new random id."""
    return incoming if _INCOMING.fullmatch(incoming) else secrets.token_hex(8)


class RequestIdFilter(logging.Filter):
    """Attach the request id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set record.request_id (unless the caller did) and keep the record."""
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id()
        return True


class WsgiErrorsHandler(logging.Handler):
    """Write each record as one line to the server's wsgi.errors, else to stderr.

    The stream is looked up once per record: Flask's wsgi_errors_stream proxy
    resolves the request again on every attribute a StreamHandler touches.
    """

    def emit(self, record: logging.LogRecord) -> None:
        """Format the record and write it with its newline in one call."""
        try:
            line = self.format(record) + "\n"
            stream = getattr(record, "_stream", None) or (
                request.environ.get("wsgi.errors") if has_request_context() else None
            )
            stream = stream or sys.stderr
            stream.write(line)
            stream.flush()
        except RecursionError:  # pragma: no cover - as logging.StreamHandler does
            raise
        except Exception:
            self.handleError(record)


# ensure_ascii: C1 controls and line separators are escaped too. One encoder for
# every line: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=True, default=str)


def _head(
    created: float, level: str, logger: str, rid: str, msg: str
) -> dict[str, Any]:
    # The time is formatted by hand: datetime.isoformat costs as much as the
    # rest of the line.
    secs = int(created)
    ms = int((created - secs) * 1000)
    return {
        "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
        + f".{ms:03d}+00:00",
        "level": level,
        "logger": logger,
        "request_id": rid,
        "msg": msg,
    }


class JsonFormatter(logging.Formatter):
    """Format a record as one line of ASCII JSON."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON object on one line."""
        out = _head(
            record.created,
            record.levelname,
            record.name,
            getattr(record, "request_id", "-"),
            record.getMessage(),
        )
        fields = vars(record)
        # A set difference in C, then the few extra keys in a stable order.
        for key in sorted(fields.keys() - _STANDARD):
            if not key.startswith("_"):
                out[key] = fields[key]
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return _ENCODER.encode(out)


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


_REQUEST_LOG = logging.getLogger("webapp.request")


def _finish(response: Response) -> Response:
    rid = request_id()
    response.headers[HEADER] = rid
    req = request._get_current_object()  # type: ignore[attr-defined]
    rule = req.url_rule
    log_request(
        req.environ.get("wsgi.errors"),
        rid,
        req.method,
        # The route, not the path: ids in it are fine, but a path is chosen by
        # the client; it is kept (encoded) only when nothing matched.
        rule.rule if rule else req.path,
        response.status_code,
        g._get_current_object().__dict__.get("request_started"),
    )
    return response


def log_request(
    stream: Any, rid: str, method: str, route: str, status: int, started: float | None
) -> None:
    """Write the one line logged per request (to `stream`: the server's wsgi.errors)."""
    if not _REQUEST_LOG.isEnabledFor(logging.INFO):
        return
    ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    ours = _only_handler()
    if ours is not None:
        # Nothing but our handler would see the record: write its line directly.
        # A LogRecord and the logging machinery cost a third of a bare request.
        out = _head(time.time(), "INFO", _REQUEST_LOG.name, rid, "request")
        # The extra fields in JsonFormatter's (sorted) order.
        out.update(method=method, ms=ms, route=route, status=status)
        stream = stream or sys.stderr
        try:
            line = _ENCODER.encode(out) + "\n"
            with ours.lock or contextlib.nullcontext():  # as Handler.handle
                stream.write(line)
                stream.flush()
        except Exception:  # as logging.Handler.handleError: a log never fails a page
            if logging.raiseExceptions:
                traceback.print_exc(file=sys.stderr)
        return
    # The record is made here rather than by .info(), which walks the stack for a
    # caller's file and line that this line does not show.
    record = _REQUEST_LOG.makeRecord(
        _REQUEST_LOG.name,
        logging.INFO,
        __file__,
        0,
        "request",
        (),
        None,
        extra={
            "request_id": rid,
            "method": method,
            "route": route,
            "status": status,
            "ms": ms,
            "_stream": stream,
        },
    )
    _REQUEST_LOG.handle(record)


def _only_handler() -> logging.Handler | None:
    """Return our JSON handler if no other handler or filter would see a request line.

    Another handler (pytest's caplog, an administrator's logging config) or
    filter gets the record through the logging machinery, as before.
    """
    parent = _REQUEST_LOG.parent
    if (
        _REQUEST_LOG.handlers
        or _REQUEST_LOG.filters
        or not _REQUEST_LOG.propagate
        or parent is None
        or parent.filters
        or len(parent.handlers) != 1
    ):
        return None
    ours = parent.handlers[0]
    if (
        not getattr(ours, _MARK, False)
        or ours.level > logging.INFO
        or type(ours.formatter) is not JsonFormatter
        or not all(type(f) is RequestIdFilter for f in ours.filters)
    ):
        return None
    ancestor = parent.parent if parent.propagate else None
    while ancestor is not None:
        if ancestor.handlers:
            return None
        ancestor = ancestor.parent if ancestor.propagate else None
    return ours


def init_app(app: Flask) -> None:
    """Log JSON lines with request ids; send X-Request-ID; DEBUG only with DEV."""
    logger = logging.getLogger("webapp")  # app.logger and every webapp.* module
    logger.removeHandler(default_handler)
    if not any(getattr(h, _MARK, False) for h in logger.handlers):
        # Resolved per write: the server's wsgi.errors, else the current stderr.
        handler: logging.Handler = WsgiErrorsHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        setattr(handler, _MARK, True)
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if app.config.get("DEV") else logging.INFO)
    if not app.config.get("DEV"):
        app.debug = False  # FLASK_DEBUG in the environment must not open the debugger
    app.before_request(_start)
    app.after_request(_finish)
    app.jinja_env.globals["request_id"] = request_id
