"""Blueprints, one per module; each module defines `bp`."""

from flask import request


def query_arg(name: str) -> str | None:
    """Return the query parameter `name` (its first value), or None.

    request.args.get() raises and catches a KeyError inside MultiDict for a
    missing key, and the hot pages ask for several that are usually missing.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not req.environ.get("QUERY_STRING"):
        return None  # and request.args, a parse, is not made for nothing
    args = req.args
    if name not in args:
        return None
    value: str = args[name]
    return value
