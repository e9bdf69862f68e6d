"""Helpers the question types share: form values, permutations, schema checks."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import ValidationError

from webapp.content.question_types.base import JSON, InputError, Presentation, Raw

_INDEX = re.compile(r"[0-9]{1,4}")
MAX_TEXT = 500


def values(raw: Raw, key: str) -> list[str]:
    """Return the non-empty, stripped form values under `key`.

    A bare string counts as one value, so a plain dict of strings works too, and
    a MultiDict (request.form) is read with getlist.
    """
    getlist = getattr(raw, "getlist", None)
    # A werkzeug MultiDict's get() returns only the first of several checkboxes.
    got: Any = getlist(key) if callable(getlist) else raw.get(key, ())
    if isinstance(got, str):
        got = [got]
    out: list[str] = []
    try:
        for v in got:
            if not isinstance(v, str):
                raise InputError("invalid", "This answer could not be read.")
            v = v.strip()
            if v:
                out.append(v)
    except TypeError:
        raise InputError("invalid", "This answer could not be read.") from None
    return out


def one_value(raw: Raw, key: str) -> str | None:
    """Return the single value under `key`, None if empty; InputError if several."""
    got = values(raw, key)
    if not got:
        return None
    if len(set(got)) > 1:
        raise InputError("choose_one", "Choose only one answer.")
    return got[0]


def text_value(raw: Raw, key: str) -> str:
    """Return one typed text (may be empty); InputError if several or too long."""
    got = one_value(raw, key)
    text = got or ""
    if len(text) > MAX_TEXT:
        raise InputError(
            "too_long", f"Answers are at most {MAX_TEXT} characters.", limit=MAX_TEXT
        )
    return text


def index(value: str, n: int, code: str, message: str) -> int:
    """Read a display position "0".."n-1"; InputError(code) otherwise."""
    if not _INDEX.fullmatch(value):
        raise InputError(code, message)
    i = int(value)
    if not 0 <= i < n:
        raise InputError(code, message)
    return i


def permutation(presentation: Presentation, key: str, n: int) -> list[int]:
    """Return the stored display permutation under `key` (identity if absent).

    A stored permutation that no longer fits the question (the content changed
    since the attempt started) is an InputError, never a crash.
    """
    got: Any = presentation.get(key) if isinstance(presentation, Mapping) else None
    if got is None:
        return list(range(n))
    try:
        perm = [int(i) for i in got]
    except (TypeError, ValueError):
        perm = []
    if sorted(perm) != list(range(n)) or any(isinstance(i, bool) for i in got):
        raise InputError(
            "stale", "This question has changed since the attempt started."
        )
    return perm


def shuffled(rng: random.Random, n: int) -> list[int]:
    """Return a random permutation of range(n)."""
    perm = list(range(n))
    rng.shuffle(perm)
    return perm


def deranged_order(rng: random.Random, n: int) -> list[int]:
    """Return a random permutation of range(n) that is not the identity when n >= 2."""
    perm = shuffled(rng, n)
    while n >= 2 and perm == sorted(perm):
        perm = shuffled(rng, n)
    return perm


def common_public(q: Any) -> dict[str, JSON]:
    """Return the fields of the learner's view that every type shares."""
    stim = q.stimulus
    return {
        "id": q.id,
        "type": q.type,
        "prompt": q.prompt,
        "hint": q.hint,
        "stimulus": {"text": stim.text, "by": stim.by} if stim else None,
        "points": q.points,
    }


def int_list(data: JSON, n: int, limit: int) -> tuple[int, ...]:
    """Read a stored list of n ints in [0, limit); InputError if it does not fit."""
    if (
        not isinstance(data, list)
        or len(data) != n
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in data)
        or not all(0 <= i < limit for i in data)
    ):
        raise InputError("stale", "This stored answer no longer fits the question.")
    return tuple(data)


def fold_key(text: str) -> str:
    """Return a case- and accent-insensitive key for duplicate checks and sorting."""
    from webapp.content.question_types._text import normalize

    return normalize(text) or text.casefold()


def duplicates(texts: Sequence[str]) -> dict[int, int]:
    """Map the index of each repeated text to the index of its first occurrence."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for i, t in enumerate(texts):
        k = fold_key(t)
        if k in first:
            out[i] = first[k]
        else:
            first[k] = i
    return out


def check_count(field: str, n: int, lo: int, hi: int | None, what: str) -> None:
    """Raise a ValidationError on `field` unless lo <= n (<= hi)."""
    if n < lo or (hi is not None and n > hi):
        span = f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise ValidationError(f"write {span} {what}; there are {n}", field)


def listing(numbers: Sequence[int]) -> str:
    """Return "1", "1 and 3" or "1, 2 and 4" for 1-based positions in messages."""
    items = [str(n) for n in numbers]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(n: int, one: str, many: str) -> str:
    """Return `one` or `many` by n."""
    return one if n == 1 else many
