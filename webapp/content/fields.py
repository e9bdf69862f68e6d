"""Strict marshmallow fields that explain YAML's surprises in words a teacher understands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields


def _describe(value: object) -> str:
    """Say what YAML turned an unquoted value into, for an error message."""
    if isinstance(value, bool):
        return (
            f"YAML reads this unquoted word as the yes/no value {str(value).lower()} "
            "(no, off, yes and on all do this); put the text in quotes, e.g. \"no\""
        )
    if isinstance(value, int):
        return (
            f"YAML reads this as the number {value} (an unquoted 1:30 is read as 90); "
            "put the text in quotes"
        )
    if isinstance(value, float):
        return f"YAML reads this as the number {value}; put the text in quotes"
    if isinstance(value, dt.date):
        return (
            f"YAML reads this as the date {value.isoformat()}; "
            "put the text in quotes"
        )
    if value is None:
        return "this is empty; write a value or remove the key"
    if isinstance(value, list):
        return "expected text, not a list"
    if isinstance(value, Mapping):
        return "expected text, not a mapping (a colon followed by a space starts one; "\
            "put the text in quotes)"
    return "expected text"


class Text(fields.String):
    """A string that refuses YAML's booleans, numbers and dates with a clear hint."""

    def __init__(self, *, allow_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_empty = allow_empty

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if not isinstance(value, str):
            raise ValidationError(_describe(value))
        text = value.strip()
        if not text and not self.allow_empty:
            raise ValidationError("must not be empty")
        return value if "\n" in value else text


class Id(Text):
    """A stable lowercase slug: letters, digits and hyphens."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        import re

        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", text):
            raise ValidationError(
                f"ids use lowercase letters, digits, '-' and '_' (at most 80), "
                f"e.g. \"{_suggest_id(text)}\"; got \"{text}\""
            )
        return text


def _suggest_id(text: str) -> str:
    import re

    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return slug or "my-id"


class StrictInteger(fields.Integer):
    """A whole number: 1.5, true and "3" are errors, not silently converted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> int:
        if isinstance(value, bool):
            raise ValidationError(
                "expected a whole number; YAML read a yes/no word here"
            )
        if isinstance(value, float):
            raise ValidationError(
                f"expected a whole number, got {value}; write e.g. {int(value)} "
                f"(no decimal point)"
            )
        if isinstance(value, str):
            raise ValidationError(
                f"expected a whole number, got the text \"{value}\"; remove the quotes"
                if value.strip().lstrip("-").isdigit()
                else f"expected a whole number, got the text \"{value}\""
            )
        if not isinstance(value, int):
            raise ValidationError("expected a whole number")
        return value


class Number(fields.Field[float]):
    """A finite number (int or float); text, booleans, NaN and infinity are errors."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> float:
        import math

        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                raise ValidationError(
                    f"expected a number, got the text \"{value}\"; write digits with a "
                    "decimal point and no thousands separators, e.g. 100000 or 1.5"
                )
            raise ValidationError("expected a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("expected a finite number, not NaN or infinity")
        return float(value)


class Boolean(fields.Field[bool]):
    """true or false; text such as "yes" in quotes is an error."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("expected true or false")
        return value
