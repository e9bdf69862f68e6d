"""What quiz templates show: form fields, translated input errors, feedback panels.

The question form is built only from the type's `public()` view; the key, the
explanation and the feedback texts enter a page only through `feedback()`, which
views call once the question is answered (practice) or the attempt is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal as babel_format_decimal
from flask import url_for
from flask_babel import format_decimal
from markupsafe import Markup

from webapp.content.domain import Question, Score
from webapp.content.markdown import render_inline
from webapp.content.question_types import REGISTRY, InputError
from webapp.i18n import gettext, ngettext, pgettext

ANSWER = "answer"  # form name of a single-value answer; rows and gaps: answer-<key>


def form_name(key: str) -> str:
    """Return the form field name of a raw answer key ("value", "0", "1", ...)."""
    return ANSWER if key == "value" else f"{ANSWER}-{key}"


def field_id(n: int, key: str) -> str:
    """Return the HTML id of an answer field of question n."""
    return f"q{n}" if key == "value" else f"q{n}-{key}"


# Fields a question form may send besides its answer fields.
FORM_FIELDS = frozenset({"csrf_token", "action"})


def answer_keys(pub: Mapping[str, Any]) -> frozenset[str]:
    """Return the raw answer keys a question's form has (from its public view)."""
    for list_key in ("items", "rows", "gaps"):
        if pub.get(list_key):
            return frozenset(str(entry["name"]) for entry in pub[list_key])
    return frozenset({"value"})


def raw_answer(
    form: Mapping[str, Any], max_chars: int, keys: frozenset[str] | None = None
) -> dict[str, list[str]]:
    """Collect the answer fields of a posted form as the types' raw input.

    With `keys`, a field that the question's form does not have is an
    InputError("unexpected_field"): a hand-made form is refused, not half-read.
    Raises InputError("too_long") for any value over `max_chars`.
    """
    raw: dict[str, list[str]] = {}
    getlist = form.getlist  # type: ignore[attr-defined]
    for name in form:
        if name == ANSWER:
            key = "value"
        elif name.startswith(ANSWER + "-"):
            key = name[len(ANSWER) + 1 :]
        elif keys is None or name in FORM_FIELDS:
            continue
        else:
            raise InputError("unexpected_field", f"Unexpected field {name!r}.")
        if keys is not None and key not in keys:
            raise InputError("unexpected_field", f"Unexpected field {name!r}.")
        values = [str(v) for v in getlist(name)]
        if any(len(v) > max_chars for v in values):
            raise InputError(
                "too_long",
                f"Answers are at most {max_chars} characters.",
                limit=max_chars,
            )
        raw[key] = values
    return raw


def is_blank(raw: Mapping[str, Sequence[str]]) -> bool:
    """Return True when no answer field holds anything but spaces."""
    return not any(v.strip() for values in raw.values() for v in values)


def inline(text: str | None) -> Markup:
    """Render a teacher's inline Markdown (prompt, choice, feedback) as safe HTML."""
    return Markup(_inline_html(text or ""))


@lru_cache(maxsize=8192)
def _inline_html(text: str) -> str:
    # Pages show the same prompts and choices over and over; rendering and
    # sanitizing Markdown on every request was most of a question page's time.
    return render_inline(text)


@dataclass(frozen=True)
class FieldError:
    """One input error: the message and the id of the field it links to."""

    message: str
    anchor: str


def number_example(integer: bool, locale: str | None = None) -> str:
    """Return an example number far from any likely key, written for `locale`.

    Quiz pages pass the attempt's language, in which the answer is read (German
    "2,5"); without it, the interface locale.
    """
    value = 12 if integer else 2.5
    if locale is None:
        return str(format_decimal(value))
    return babel_format_decimal(value, locale=_babel_locale(locale))


def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


def answer_words(q: Question, answer: Any) -> str:
    """Return the learner's answer in words (True/False in the interface language)."""
    if q.type == "true_false":
        return str(gettext("True") if answer else gettext("False"))
    return REGISTRY[q.type].answer_text(q, answer)


def key_words(q: Question) -> str:
    """Return the right answer in words (True/False in the interface language)."""
    if q.type == "true_false":
        right = bool(getattr(q, "answer", False))
        return str(gettext("True") if right else gettext("False"))
    return REGISTRY[q.type].key_text(q)


def input_error(
    err: InputError,
    q: Question,
    pub: Mapping[str, Any],
    n: int,
    number_locale: str | None = None,
) -> FieldError:
    """Translate a type's InputError into the page's message and field anchor.

    `number_locale` is the language numbers are read in (the attempt's), so the
    example in a numeric error is one the learner can type.
    """
    code, p = err.code, err.params
    first = first_field(pub, n)
    msg: str
    anchor = first
    if code == "unexpected_field":
        msg = gettext("Your answer to question %(n)s could not be read", n=n)
    elif code == "too_long":
        msg = ngettext(
            "Your answer must be %(num)s character or fewer",
            "Your answer must be %(num)s characters or fewer",
            int(p.get("limit", 100)),
        )
    elif code == "stale":
        msg = gettext("This question changed after you started – answer it again")
    elif q.type == "single_choice":
        msg = (
            gettext("Select an answer to question %(n)s", n=n)
            if code == "empty"
            else gettext("Select one of the answers shown for question %(n)s", n=n)
        )
    elif q.type == "multiple_choice":
        msg = (
            gettext("Select at least one answer to question %(n)s", n=n)
            if code == "empty"
            else gettext("Select answers from the ones shown for question %(n)s", n=n)
        )
    elif q.type == "true_false":
        msg = gettext("Select true or false")
    elif q.type == "short_answer":
        msg = gettext("Enter your answer to question %(n)s", n=n)
    elif q.type == "numeric":
        example = number_example(bool(pub.get("integer")), number_locale)
        msg = (
            gettext("Enter a number, like %(example)s", example=example)
            if code == "empty"
            else gettext(
                "Your answer must be a number, like %(example)s", example=example
            )
        )
    elif q.type == "ordering":
        msg, anchor = _ordering_error(code, p, pub, n)
    elif q.type == "matching":
        msg, anchor = _matching_error(code, p, pub, n)
    elif q.type == "cloze":
        msg = gettext("Enter a word for gap %(gap)s", gap=1)
    else:
        msg = gettext("Your answer to question %(n)s could not be read", n=n)
    return FieldError(msg, anchor)


def first_field(pub: Mapping[str, Any], n: int) -> str:
    """Return the id of the first answer field of question n (for error links)."""
    if pub.get("choices"):
        return f"q{n}-c0"
    for key in ("items", "rows", "gaps"):
        if pub.get(key):
            return field_id(n, pub[key][0]["name"])
    return field_id(n, "value")


def _row(rows: Sequence[Mapping[str, Any]], p: Mapping[str, Any]) -> int:
    missing = p.get("rows") or [1]
    try:
        return max(0, min(len(rows) - 1, int(missing[0]) - 1))
    except (TypeError, ValueError):
        return 0


def _ordering_error(
    code: str, p: Mapping[str, Any], pub: Mapping[str, Any], n: int
) -> tuple[str, str]:
    items = pub.get("items") or [{"name": "0", "text": ""}]
    if code == "duplicate_position":
        msg = gettext(
            "Give each event a different position – %(position)s is used twice",
            position=p.get("position", ""),
        )
        return msg, field_id(n, items[0]["name"])
    if code == "invalid_position":
        msg = gettext("Choose a position from 1 to %(count)s", count=len(items))
        return msg, field_id(n, items[0]["name"])
    row = items[_row(items, p)]
    return gettext("Choose a position for ‘%(item)s’", item=row["text"]), field_id(
        n, row["name"]
    )


def _matching_error(
    code: str, p: Mapping[str, Any], pub: Mapping[str, Any], n: int
) -> tuple[str, str]:
    rows = pub.get("rows") or [{"name": "0", "text": ""}]
    if code in ("missing_match", "empty"):
        row = rows[_row(rows, p)]
        return gettext("Choose a match for %(item)s", item=row["text"]), field_id(
            n, row["name"]
        )
    return (
        gettext("Choose a match from the list for question %(n)s", n=n),
        field_id(n, rows[0]["name"]),
    )


@dataclass(frozen=True)
class Feedback:
    """The result panel of one answered question: words first, never colour alone."""

    heading: str
    state: str  # correct | partial | incorrect | unanswered (a CSS modifier)
    your_answer: str | None
    right_answer: str
    messages: tuple[Markup, ...]
    explanation: Markup
    see_url: str | None
    see_title: str | None
    points: float
    max_points: float
    rows: tuple[str, ...] = field(default=())
    # The teacher's texts of `messages`, to tell which fell back to English.
    message_texts: tuple[str, ...] = field(default=())


def feedback(
    q: Question, answer: Any | None, score: Score, see_title: str | None = None
) -> Feedback:
    """Build the result panel of a question once it is answered or submitted."""
    if answer is None:
        heading, state = gettext("Not answered"), "unanswered"
    elif score.correct:
        heading, state = gettext("Correct"), "correct"
    elif score.points > 0:
        heading, state = partly_correct_text(score.points, score.max_points), "partial"
    else:
        heading, state = gettext("Incorrect"), "incorrect"
    see_url = None
    if q.see and q.see_lesson:
        see_url = url_for("lessons.lesson", lesson_id=q.see_lesson, _anchor=q.see)
    return Feedback(
        heading=heading,
        state=state,
        your_answer=answer_words(q, answer) if answer is not None else None,
        right_answer=key_words(q),
        messages=tuple(inline(m) for m in score.feedback),
        message_texts=tuple(score.feedback),
        explanation=inline(q.explanation),
        see_url=see_url,
        see_title=see_title,
        points=score.points,
        max_points=score.max_points,
    )


def _whole(total: float) -> int | None:
    """Return a total as an int when it is whole; None for 2.5 and the like."""
    return int(total) if float(total).is_integer() else None


# A total with decimals ("of 2.5 points") is in CLDR's plural category for
# decimals, which gettext's integer plural forms cannot express (Russian says
# «из 2,5 балла», not the form of 2 or 5): such totals get a message of their own,
# under the context "fractional total".


def points_text(points: float, max_points: float) -> str:
    """Return "3 of 4 points" in the interface locale."""
    params = {
        "points": format_decimal(round(points, 2)),
        "total": format_decimal(max_points),
    }
    whole = _whole(max_points)
    if whole is None:
        return str(
            # i18n: the total has decimals: "1.5 of 2.5 points", ru «1,5 из 2,5 балла»
            pgettext("fractional total", "%(points)s of %(total)s points", **params)
        )
    return str(
        ngettext(
            "%(points)s of %(total)s point",
            "%(points)s of %(total)s points",
            whole,
            **params,
        )
    )


def partly_correct_text(points: float, max_points: float) -> str:
    """Return the heading "Partly correct: 2 of 3 points" in the interface locale."""
    params = {
        "points": format_decimal(round(points, 2)),
        "total": format_decimal(max_points),
    }
    whole = _whole(max_points)
    if whole is None:
        return str(
            # i18n: the total has decimals: "1.5 of 2.5 points", ru «1,5 из 2,5 балла»
            pgettext(
                "fractional total",
                "Partly correct: %(points)s of %(total)s points",
                **params,
            )
        )
    return str(
        ngettext(
            "Partly correct: %(points)s of %(total)s point",
            "Partly correct: %(points)s of %(total)s points",
            whole,
            **params,
        )
    )
