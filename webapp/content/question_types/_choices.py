"""What single and multiple choice share: the choice schema, its checks, the view."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import RAISE, ValidationError, fields

from webapp.content.domain import Choice
from webapp.content.fields import Boolean, Id, LeanSchema, Text
from webapp.content.question_types._util import (
    common_public,
    duplicates,
    index,
    permutation,
    shuffled,
)
from webapp.content.question_types.base import JSON, InputError, Presentation

__all__ = ["ChoiceSchema", "check_choices", "choice_public", "present_choices"]


class ChoiceSchema(LeanSchema):
    """One choice: its text, whether it is right, and feedback when picked."""

    class Meta:
        unknown = RAISE

    id = Id(load_default=None)
    text = Text(required=True)
    correct = Boolean(load_default=False)
    feedback = Text(load_default=None)


def choices_field() -> fields.List[Any]:
    """Return the `choices` list field."""
    return fields.List(fields.Nested(ChoiceSchema), required=True)


def check_choices(raw: Sequence[Mapping[str, Any]]) -> None:
    """Check what single and multiple choice share: unique texts and ids, 2+ choices."""
    if len(raw) < 2:
        raise ValidationError(
            f"write at least 2 choices; there {'is' if len(raw) == 1 else 'are'} "
            f"{len(raw)}",
            "choices",
        )
    errors: dict[int, dict[str, list[str]]] = {}
    for i, first in duplicates([c["text"] for c in raw]).items():
        errors.setdefault(i, {}).setdefault("text", []).append(
            f"choice {i + 1} repeats the text of choice {first + 1}; "
            "every choice needs its own text"
        )
    ids = [c.get("id") or f"c{n}" for n, c in enumerate(raw, 1)]
    seen: dict[str, int] = {}
    for i, cid in enumerate(ids):
        if cid in seen:
            explicit = raw[i].get("id") is not None
            msg = (
                f'choice id "{cid}" is already used by choice {seen[cid] + 1}; '
                "give each choice its own id"
                if explicit
                else f'choice {i + 1} would get the default id "{cid}", which choice '
                f"{seen[cid] + 1} already uses; give choice {seen[cid] + 1} another id"
            )
            errors.setdefault(i, {}).setdefault("id", []).append(msg)
        else:
            seen[cid] = i
    if errors:
        raise ValidationError({"choices": errors})


def build_choices(raw: Sequence[Mapping[str, Any]]) -> tuple[Choice, ...]:
    """Return Choice objects, default ids c1, c2, ... by position."""
    return tuple(
        Choice(
            id=c.get("id") or f"c{n}",
            text=c["text"],
            correct=bool(c.get("correct", False)),
            feedback=c.get("feedback"),
        )
        for n, c in enumerate(raw, 1)
    )


def present_choices(
    choices: Sequence[Choice], own_shuffle: bool, rng: random.Random, shuffle: bool
) -> dict[str, list[int]]:
    """Return {"choices": permutation}; author order when either shuffle is off."""
    n = len(choices)
    return {"choices": shuffled(rng, n) if shuffle and own_shuffle else list(range(n))}


def choice_public(q: Any, presentation: Presentation) -> dict[str, JSON]:
    """Return the learner's view of a choice question: texts in display order."""
    perm = permutation(presentation, "choices", len(q.choices))
    out = common_public(q)
    out["choices"] = [
        {"value": str(d), "text": q.choices[c].text} for d, c in enumerate(perm)
    ]
    return out


def picked_index(value: str, perm: Sequence[int]) -> int:
    """Map a display position to a canonical choice index; InputError otherwise."""
    d = index(value, len(perm), "unknown_choice", "Choose one of the answers shown.")
    return perm[d]


def ids_of(choices: Sequence[Choice]) -> dict[str, int]:
    """Map choice id to canonical index."""
    return {c.id: i for i, c in enumerate(choices)}


def stale() -> InputError:
    """Return the error for a stored answer that no longer fits the question."""
    return InputError("stale", "This stored answer no longer fits the question.")
