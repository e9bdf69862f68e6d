"""Strict marshmallow fields that explain YAML's surprises in a teacher's words.

Messages may quote what the teacher wrote. A field only sees the value YAML made of
it (False, 90, a date), so it wraps the value's own spelling in RAW markers; the
catalog swaps in the source text the YAML reader kept (`fill_raw`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import (
    EXCLUDE,
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    missing,
)
from marshmallow.error_store import ErrorStore
from marshmallow.utils import set_value

from webapp.content.yamlsource import SurprisingInt

RAW = "\x00"
_RAW_RE = re.compile("\x00([^\x00]*)\x00")
_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


def raw(value: object) -> str:
    """Mark a value's spelling for `fill_raw` to replace with the source text."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, SurprisingInt):
        text = value.raw
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return f"{RAW}{text}{RAW}"


def fill_raw(message: str, source_text: str | None) -> str:
    """Replace RAW-marked spellings with the text as written (or the spelling)."""
    if RAW not in message:
        return message
    if source_text is None:
        return _RAW_RE.sub(lambda m: m.group(1), message)
    return _RAW_RE.sub(lambda m: source_text, message)


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """Return ` (did you mean 'x'?)`-style advice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def describe(value: object, wanted: str = "text") -> str:
    """Say what YAML turned an unquoted value into, and what to write instead."""
    if isinstance(value, bool):
        return (
            f"YAML reads the unquoted word {raw(value)} as {str(value).lower()}; "
            f'write "{raw(value)}" in quotes'
        )
    if isinstance(value, SurprisingInt):
        return (
            f"YAML reads the unquoted {raw(value)} as the number {int(value)}; "
            f'write "{raw(value)}" in quotes'
        )
    if isinstance(value, int | float):
        return (
            f'YAML reads the unquoted {raw(value)} as a number; write "{raw(value)}" '
            "in quotes"
        )
    if isinstance(value, dt.date):
        return (
            f'YAML reads the unquoted {raw(value)} as a date; write "{raw(value)}" '
            "in quotes"
        )
    if value is None:
        return "this is empty; write a value or remove the key"
    if isinstance(value, list):
        return f"expected {wanted}, not a list"
    if isinstance(value, Mapping):
        return (
            f"expected {wanted}, not a mapping (a colon followed by a space starts "
            "one: put the text in quotes)"
        )
    return f"expected {wanted}"


class LeanField(fields.Field[Any]):
    """A field that skips validation when it has no validators.

    marshmallow 4 builds a combined validator object for every value it checks,
    validators or none; a quiz file has a few hundred values, a district's
    content tens of thousands.
    """

    def _validate(self, value: Any) -> None:
        if self.validators:
            super()._validate(value)


class LeanSchema(Schema):
    """A schema that loads a plain mapping with a shorter loop than marshmallow's.

    Loading the content is mostly marshmallow's per-field bookkeeping (a closure
    and a wrapper call for every field, present or not). For the one case these
    schemas meet, a dict without `partial` or `many`, the fields are walked
    directly, with the same results and the same errors; anything else takes
    marshmallow's own path.
    """

    _lean_plan: tuple[tuple[str, str, fields.Field[Any], bool], ...]
    _lean_keys: frozenset[str]
    _lean_hookless: bool

    def _do_load(
        self,
        data: Any,
        *,
        many: bool | None = None,
        partial: Any = None,
        unknown: Any = None,
        postprocess: bool = True,
    ) -> Any:
        # A schema without hooks (a choice, a stimulus) needs none of the hook
        # bookkeeping around the field loop.
        hookless = self.__dict__.get("_lean_hookless")
        if hookless is None:
            hookless = self._lean_hookless = not any(self._hooks.values())
        if not hookless or many or partial is not None or self.many or self.partial:
            return super()._do_load(
                data,
                many=many,
                partial=partial,
                unknown=unknown,
                postprocess=postprocess,
            )
        error_store = ErrorStore()  # type: ignore[no-untyped-call]
        result = self._deserialize(
            data,
            error_store=error_store,
            unknown=self.unknown if unknown is None else unknown,
        )
        if error_store.errors:
            exc = ValidationError(error_store.errors, data=data, valid_data=result)
            self.handle_error(exc, data, many=False, partial=partial)
            raise exc
        return result

    def _deserialize(
        self,
        data: Any,
        *,
        error_store: ErrorStore,
        many: bool = False,
        partial: Any = None,
        unknown: Any = RAISE,
        index: int | None = None,
    ) -> Any:
        if many or partial is not None or data.__class__ is not dict:
            return super()._deserialize(
                data,
                error_store=error_store,
                many=many,
                partial=partial,
                unknown=unknown,
                index=index,
            )
        index = index if self.opts.index_errors else None
        plan = self.__dict__.get("_lean_plan")
        if plan is None:
            plan = tuple(
                (
                    field.data_key if field.data_key is not None else name,
                    field.attribute or name,
                    field,
                    # Fields that keep marshmallow's own deserialize() get it
                    # inline (_deserialize_plain), a call less per key.
                    type(field).deserialize is fields.Field.deserialize,
                )
                for name, field in self.load_fields.items()
            )
            self._lean_plan = plan
            self._lean_keys = frozenset(entry[0] for entry in plan)
        out = self.dict_class()
        get = data.get
        for key, attribute, field, plain in plan:
            raw_value = get(key, missing)
            try:
                if plain:
                    value = _deserialize_plain(field, raw_value, key, data)
                else:
                    value = field.deserialize(raw_value, key, data)
            except ValidationError as error:
                error_store.store_error(error.messages, key, index=index)  # type: ignore[no-untyped-call]
                # A Nested field keeps what did load (marshmallow does the same).
                value = error.valid_data or missing
            if value is not missing:
                if "." in attribute:
                    set_value(out, attribute, value)
                else:
                    out[attribute] = value
        if unknown != EXCLUDE:
            for key in data.keys() - self._lean_keys:
                if unknown == INCLUDE:
                    out[key] = data[key]
                elif unknown == RAISE:
                    error_store.store_error(  # type: ignore[no-untyped-call]
                        [self.error_messages["unknown"]], key, index
                    )
        return out


def _deserialize_plain(
    field: fields.Field[Any], value: Any, key: str, data: Mapping[str, Any]
) -> Any:
    """Do what marshmallow's Field.deserialize does, for a field that keeps it."""
    if value is missing:
        if field.required:
            raise field.make_error("required")
        default = field.load_default
        return default() if callable(default) else default
    if value is None and not field.allow_none:
        raise field.make_error("null")
    for func in field.pre_load:
        value = func(value)
    if field.allow_none and value is None:
        return None
    output = field._deserialize(value, key, data)
    if field.validators:
        field._validate(output)
    for func in field.post_load:
        output = func(output)
    return output


class Text(LeanField, fields.String):
    """A string that refuses YAML's booleans, numbers and dates with a clear hint."""

    def __init__(self, *, allow_empty: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_empty = allow_empty

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        if not isinstance(value, str):
            raise ValidationError(describe(value))
        text = value.strip()
        if not text and not self.allow_empty:
            raise ValidationError(
                "must not be empty; write some text or remove the key"
            )
        return value if "\n" in value.rstrip("\n") else text


class Keyword(Text):
    """One of a fixed set of words, e.g. `mode: practice`; a typo gets a suggestion."""

    def __init__(self, choices: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        if isinstance(value, bool | int | float | dt.date):
            raise ValidationError(
                f"{raw(value)} is not allowed here; use one of: "
                + ", ".join(self.choices)
            )
        text = super()._deserialize(value, attr, data, **kwargs)
        if text not in self.choices:
            raise ValidationError(
                f'"{text}" is not allowed here; use one of: {", ".join(self.choices)}'
                + did_you_mean(text, self.choices)
            )
        return text


class Id(Text):
    """A stable lowercase slug: letters, digits, '-' and '_'."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        if (
            isinstance(value, int)
            and not isinstance(value, bool | SurprisingInt)
            and value >= 0
        ):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _ID_RE.fullmatch(text):
            raise ValidationError(
                f"\"{text}\" is not a valid id: use lowercase letters, digits, '-' and "
                f"'_' (at most 80, starting with a letter or digit), e.g. "
                f'"{_suggest_id(text)}"'
            )
        return text


def _suggest_id(text: str) -> str:
    """Turn text into something that is a valid id."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")[:80]
    return slug or "my-id"


def _not_whole(value: Any) -> str:
    """Explain why a value is not a whole number."""
    if isinstance(value, bool):
        return (
            f"expected a whole number; YAML reads the unquoted word {raw(value)} as "
            f"{str(value).lower()}"
        )
    if isinstance(value, SurprisingInt):
        if ":" in value.raw:
            return (
                f"YAML reads the unquoted {raw(value)} as the number {int(value)} "
                "(it counts in sixties, like a clock); write the whole number you "
                f"mean, e.g. {int(value)}"
            )
        return (
            f"YAML reads {raw(value)} as the number {int(value)} (a leading 0 makes "
            "it octal); write the number without the leading 0"
        )
    if isinstance(value, float):
        if not math.isfinite(value):
            return "expected a whole number, not NaN or infinity"
        return (
            f"expected a whole number, got {raw(value)}; write it without a decimal "
            f"point, e.g. {math.floor(value)} or {math.ceil(value)}"
        )
    if isinstance(value, str):
        if value.strip().lstrip("+-").isdigit():
            return f'expected a whole number, got the text "{value}"; remove the quotes'
        return f'expected a whole number, got the text "{value}"'
    if value is None:
        return "this is empty; write a whole number or remove the key"
    if isinstance(value, dt.date):
        return f"expected a whole number; YAML reads {raw(value)} as a date"
    return "expected a whole number"


class StrictInteger(LeanField, fields.Integer):
    """A whole number: 1.5, true, 1:30 and "3" are errors, not silently converted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> int:
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or isinstance(value, SurprisingInt)
        ):
            raise ValidationError(_not_whole(value))
        return int(value)


class Number(LeanField, fields.Field[float]):
    """A finite number (int or float); text, booleans, NaN and infinity are errors."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> float:
        if isinstance(value, SurprisingInt):
            raise ValidationError(_not_whole(value).replace("whole number", "number"))
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                raise ValidationError(
                    f'expected a number, got the text "{value}"; write digits with a '
                    "decimal point and no thousands separators or quotes, e.g. 100000 "
                    "or 1.5"
                )
            if value is None:
                raise ValidationError("this is empty; write a number or remove the key")
            raise ValidationError("expected a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("expected a finite number, not NaN or infinity")
        return float(value)


class Boolean(LeanField, fields.Field[bool]):
    """true or false; text such as "yes" in quotes is an error."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            raise ValidationError(
                f'expected true or false, got the text "{value}"; write true or false '
                "without quotes"
            )
        if value is None:
            raise ValidationError(
                "this is empty; write true or false, or remove the key"
            )
        raise ValidationError(f"expected true or false, got {raw(value)}")


class EventDate(LeanField, fields.Field[tuple[int, int | None, int | None]]):
    """A date as YYYY-MM-DD, "YYYY-MM" (quoted) or YYYY → (year, month, day)."""

    _TEXT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> tuple[int, int | None, int | None]:
        hint = 'write YYYY-MM-DD (1922-04-16), "YYYY-MM" in quotes ("1922-04") or YYYY'
        if isinstance(value, dt.datetime):
            raise ValidationError(f"a date has no time of day; {hint}")
        if isinstance(value, dt.date):
            return value.year, value.month, value.day
        if isinstance(value, SurprisingInt) or isinstance(value, bool):
            raise ValidationError(f"{raw(value)} is not a date; {hint}")
        if isinstance(value, int):
            if 1 <= value <= 9999:
                return value, None, None
            raise ValidationError(f"{value} is not a year; {hint}")
        if isinstance(value, str):
            match = self._TEXT.fullmatch(value.strip())
            if match:
                year = int(match.group(1))
                month = int(match.group(2)) if match.group(2) else None
                day = int(match.group(3)) if match.group(3) else None
                try:
                    dt.date(year, month or 1, day or 1)
                except ValueError:
                    raise ValidationError(
                        f'"{value}" is not a real date; {hint}'
                    ) from None
                return year, month, day
            raise ValidationError(f'"{value}" is not a date; {hint}')
        if value is None:
            raise ValidationError(f"this is empty; {hint}")
        raise ValidationError(f"expected a date; {hint}")
