"""Pages rendered once with holes in them, and filled in on each request.

Thirty learners of a class who open question 3 of the same quiz in the same
language get the same page, except for a few values: their CSRF token, their
attempt's links, their language links, their timer and their answer fields
(whose choice order is their own). Rendering the whole template for each of them
was most of a question page's time. A skeleton is the page rendered once with a
marker in each hole; filling it is a join of the cached text and the escaped
values. The caller names everything else the page depends on in the cache key.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import Flask, current_app, render_template
from markupsafe import Markup, escape

_KEY = "interwar.skeletons"
MAX_SKELETONS = 2048
# A marker no content can contain: it is new in each process.
_NONCE = secrets.token_hex(12)
_MARK = re.compile(r"\ue000hole:(\w+):" + _NONCE + "\ue000")


def _marker(name: str) -> Markup:
    return Markup(f"\ue000hole:{name}:{_NONCE}\ue000")


def _returning(value: Markup) -> Callable[[], Markup]:
    return lambda: value


class Skeleton:
    """The literal parts of a rendered page and the names of the holes between them."""

    __slots__ = ("parts", "holes", "keep")

    def __init__(self, html: str, keep: tuple[Any, ...]) -> None:
        pieces = _MARK.split(html)
        self.parts: tuple[str, ...] = tuple(pieces[0::2])
        self.holes: tuple[str, ...] = tuple(pieces[1::2])
        # Objects whose identity is part of the key are kept alive, so that
        # their id() is not reused by another object while the entry exists.
        self.keep = keep

    def fill(self, values: Mapping[str, Any]) -> str:
        """Return the page with every hole replaced by its (escaped) value."""
        out = [self.parts[0]]
        for name, part in zip(self.holes, self.parts[1:], strict=True):
            out.append(str(escape(values[name])))
            out.append(part)
        return "".join(out)


def render(
    template: str,
    key: Hashable,
    keep: tuple[Any, ...],
    context: Mapping[str, Any],
    holes: Mapping[str, Any],
    calls: Mapping[str, Callable[[], Any]] | None = None,
) -> str:
    """Render `template`, from its skeleton for `key` when there is one.

    `holes` are template variables that differ per request; `calls` are template
    functions (such as csrf_token) whose result differs per request. The page
    must use them only as text to print, never test or transform them.
    """
    calls = calls or {}
    cache: dict[Hashable, Skeleton] = current_app.extensions.setdefault(_KEY, {})
    found = cache.get(key)
    if found is None or any(a is not b for a, b in zip(found.keep, keep, strict=False)):
        marked: dict[str, Any] = {name: _marker(name) for name in holes}
        for name in calls:
            marked[name] = _returning(_marker(name))
        found = Skeleton(render_template(template, **context, **marked), keep)
        if len(cache) >= MAX_SKELETONS:
            cache.clear()
        cache[key] = found
    values = dict(holes)
    for name, call in calls.items():
        values[name] = call()
    return found.fill(values)


def forget(app: Flask) -> None:
    """Drop every skeleton of `app` (its content was reloaded)."""
    app.extensions.pop(_KEY, None)
