"""The request log line: written directly when only our handler would see it."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from typing import Any

import pytest

from webapp import observability


def _log(stream: io.StringIO) -> dict[str, Any]:
    observability.log_request(
        stream, "rid-12345678", "POST", "/a/<int:b>", 422, time.perf_counter()
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    parsed: dict[str, Any] = json.loads(lines[0])
    return parsed


def _refuse(*_args: Any, **_kwargs: Any) -> logging.LogRecord:
    raise AssertionError("the logging machinery was used")


@pytest.mark.usefixtures("app")
def test_the_direct_line_is_the_line_logging_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same keys in the same order, same values: log shippers see no change."""
    request_log = logging.getLogger("webapp.request")
    # pytest's own capture handler sits on the root logger; as in production,
    # nothing but our handler is left.
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    with monkeypatch.context() as m:
        m.setattr(request_log, "makeRecord", _refuse)
        direct = _log(io.StringIO())
    # A filter on the logger sends the record through logging, as before.
    monkeypatch.setattr(request_log, "filters", [lambda _record: True])
    logged = _log(io.StringIO())
    assert list(direct) == list(logged)
    assert list(direct) == [
        "ts", "level", "logger", "request_id", "msg", "method", "ms", "route", "status"
    ]  # fmt: skip
    for key in ("level", "logger", "request_id", "msg", "method", "route", "status"):
        assert direct[key] == logged[key]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", direct["ts"])
    assert isinstance(direct["ms"], float)


@pytest.mark.usefixtures("app")
def test_another_handler_still_gets_every_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An administrator's handler (here pytest's) sees the record, and ours writes."""
    caplog.set_level(logging.INFO, logger="webapp")
    stream = io.StringIO()
    line = _log(stream)
    assert line["status"] == 422
    records = [r for r in caplog.records if r.name == "webapp.request"]
    assert [getattr(r, "status", None) for r in records] == [422]


@pytest.mark.usefixtures("app")
def test_a_broken_log_stream_does_not_fail_the_request(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Broken(io.StringIO):
        def write(self, _text: str) -> int:
            raise OSError("disk full")

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    observability.log_request(Broken(), "rid-1", "GET", "/", 200, None)
    assert "disk full" in capsys.readouterr().err
