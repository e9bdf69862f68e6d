"""Blueprints, one per module; each module defines `bp`."""

from flask import request


def query_arg(name: str) -> str | None:
    """Return the query parameter `name` (its first value), or None.

    request.args.get() raises and catches a KeyError inside MultiDict for a
    missing key, and the hot pages ask for several that are usually missing.
    """
    args = request.args
    if name not in args:
        return None
    value: str = args[name]
    return value
