"""numeric: a number typed in the learner's locale, right within a tolerance."""

from __future__ import annotations

import decimal
import math
import random
import re
import unicodedata
from decimal import Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)
from marshmallow import ValidationError, fields, post_load

from webapp.content.domain import NumericQuestion, Score
from webapp.content.fields import Number, Text
from webapp.content.question_types._text import normalize
from webapp.content.question_types._util import common_public, one_value
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)

MAX_CHARS = 64
_PERCENT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*")
# Spaces may only group thousands: "100 000" and "1 000,5", never "1 5".
_SPACED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]*)?")
_SUFFIX = re.compile(r"(.*?[0-9])\s*([^0-9]+)")
_MINUSES = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})


class Tolerance(fields.Field[tuple[float, bool]]):
    """A non-negative number, or a percentage written in quotes such as "5%"."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Any:
        if isinstance(value, str):
            m = _PERCENT.fullmatch(value)
            if not m:
                raise ValidationError(
                    "tolerance is a number such as 0.5, or a percentage in quotes "
                    f'such as "5%"; got "{value}"'
                )
            return (float(m.group(1)), True)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                "tolerance is a number such as 0.5, or a percentage in quotes such as "
                '"5%"'
            )
        if not math.isfinite(value):
            raise ValidationError("tolerance must be a finite number")
        if value < 0:
            raise ValidationError(
                f"tolerance cannot be negative; write {-value:g}, which allows that "
                "much either side of the answer"
            )
        return (float(value), False)


class NumericSchema(QuestionSchema):
    """YAML keys of a numeric question."""

    answer = Number(required=True)
    tolerance = Tolerance(load_default=(0.0, False))
    unit = Text(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> NumericQuestion:
        """Build the domain object."""
        tol, percent = data["tolerance"]
        return NumericQuestion(
            **self.base_kwargs(data),
            answer=data["answer"],
            tolerance=tol,
            tolerance_percent=percent,
            unit=data["unit"],
            integer=float(data["answer"]).is_integer(),
        )


def _locale(name: str) -> Locale:
    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError, LookupError):
        return Locale.parse("en")


def _same_unit(typed: str, unit: str) -> bool:
    if typed.strip().casefold() == unit.strip().casefold():
        return True
    norm = normalize(typed)
    return bool(norm) and norm == normalize(unit)


def _not_a_number(text: str) -> InputError:
    return InputError(
        "not_a_number",
        f'Enter a number, like 12 or 1500; we could not read "{text}".',
        value=text,
    )


def parse_number(text: str, locale: str, unit: str | None = None) -> Decimal:
    """Read a number as typed in `locale`; InputError("empty"|"not_a_number")."""
    loc = _locale(locale)
    shown = text.strip()
    if len(shown) > MAX_CHARS:
        raise InputError(
            "too_long", f"Numbers are at most {MAX_CHARS} characters.", limit=MAX_CHARS
        )
    s = "".join(c for c in shown if unicodedata.category(c) != "Cf")
    s = unicodedata.normalize("NFKC", s).translate(_MINUSES)
    s = re.sub(r"\s+", " ", s).strip()
    m = _SUFFIX.fullmatch(s)
    if unit and m and _same_unit(m.group(2), unit):
        s = m.group(1)
    if not s:
        raise InputError("empty", "Enter a number.")
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].strip()
    if " " in s:
        if not _SPACED.fullmatch(s):
            raise _not_a_number(shown)
        s = s.replace(" ", "")
    allowed = {",", ".", "'", "\u2019", get_decimal_symbol(loc), get_group_symbol(loc)}
    if not s or not s[0].isascii() or not any(c in "0123456789" for c in s):
        raise _not_a_number(shown)
    if any(c not in "0123456789" and c not in allowed for c in s):
        raise _not_a_number(shown)
    try:
        value = parse_decimal(s, locale=loc, strict=True)
    except (NumberFormatError, ValueError, ArithmeticError):
        raise _not_a_number(shown) from None
    if not value.is_finite():
        raise _not_a_number(shown)
    return -value if sign == "-" else value


def _key(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def plain(value: Decimal) -> str:
    """Return a Decimal without exponent or trailing zeros, e.g. "100000", "1.5"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Numeric(QuestionType[NumericQuestion, Decimal]):
    """A number; the answer is the Decimal the learner typed."""

    name = "numeric"
    schema = NumericSchema

    def present(
        self, q: NumericQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Nothing to shuffle."""
        return {}

    def parse(
        self, q: NumericQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> Decimal:
        """Read the number under "value" in the learner's locale."""
        return parse_number(one_value(raw, "value") or "", locale, q.unit)

    def grade(self, q: NumericQuestion, answer: Decimal) -> Score:
        """Right when |answer - key| <= tolerance (absolute, or percent of the key)."""
        full = float(q.points)
        key, tol = _key(q.answer), _key(q.tolerance)
        with decimal.localcontext() as ctx:
            ctx.prec = 80
            try:
                if q.tolerance_percent:
                    tol = abs(key) * tol / 100
                right = answer.is_finite() and abs(answer - key) <= tol
            except ArithmeticError:
                right = False
        return Score(full if right else 0.0, full, (), (right,))

    def public(self, q: NumericQuestion, presentation: Presentation) -> dict[str, JSON]:
        """Return the prompt, the unit and whether a whole number is expected."""
        out = common_public(q)
        out["unit"] = q.unit
        out["integer"] = q.integer
        return out

    def dump_answer(self, answer: Decimal) -> JSON:
        """Store the number as exact text."""
        return str(answer)

    def load_answer(self, q: NumericQuestion, data: JSON) -> Decimal:
        """Return the stored number."""
        try:
            value = Decimal(data) if isinstance(data, str) else None
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite():
            raise InputError("stale", "This stored answer no longer fits the question.")
        return value

    def key_text(self, q: NumericQuestion) -> str:
        """Return the key with its tolerance and unit, e.g. "100000 ± 5% men"."""
        text = plain(_key(q.answer))
        if q.tolerance:
            tol = plain(_key(q.tolerance))
            text += f" ± {tol}%" if q.tolerance_percent else f" ± {tol}"
        return f"{text} {q.unit}" if q.unit else text

    def answer_text(self, q: NumericQuestion, answer: Decimal) -> str:
        """Return the number as read, e.g. "1.5"."""
        return plain(answer)

    def form_values(
        self,
        q: NumericQuestion,
        answer: Decimal,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return the number written for `locale`, without grouping."""
        text = format_decimal(
            answer,
            locale=_locale(locale),
            group_separator=False,
            decimal_quantization=False,
        )
        return {"value": [text]}
