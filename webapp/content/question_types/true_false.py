"""true_false: a statement that is true or false; all points or none."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import post_load

from webapp.content.domain import Score, TrueFalseQuestion
from webapp.content.fields import Boolean, Text
from webapp.content.question_types._util import common_public, one_value
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)

_WORDS = {"true": True, "false": False}


class TrueFalseSchema(QuestionSchema):
    """YAML keys of a true_false question."""

    answer = Boolean(required=True)
    feedback = Text(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> TrueFalseQuestion:
        """Build the domain object."""
        return TrueFalseQuestion(
            **self.base_kwargs(data), answer=data["answer"], feedback=data["feedback"]
        )


class TrueFalse(QuestionType[TrueFalseQuestion, bool]):
    """True or false; form values are "true" and "false"."""

    name = "true_false"
    schema = TrueFalseSchema

    def present(
        self, q: TrueFalseQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """True always comes first: nothing to shuffle."""
        return {}

    def parse(
        self, q: TrueFalseQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> bool:
        """Read "true" or "false" under "value"."""
        value = one_value(raw, "value")
        if value is None:
            raise InputError("empty", "Choose true or false.")
        if value not in _WORDS:
            raise InputError("unknown_choice", "Choose true or false.")
        return _WORDS[value]

    def grade(self, q: TrueFalseQuestion, answer: bool) -> Score:
        """All points when right; the question's feedback when wrong."""
        right = answer is q.answer
        return Score(
            points=float(q.points) if right else 0.0,
            max_points=float(q.points),
            feedback=(q.feedback,) if not right and q.feedback else (),
            detail=(right,),
        )

    def public(
        self, q: TrueFalseQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the statement and the two options."""
        out = common_public(q)
        out["choices"] = [
            {"value": "true", "text": "True"},
            {"value": "false", "text": "False"},
        ]
        return out

    def dump_answer(self, answer: bool) -> JSON:
        """Store true or false."""
        return answer

    def load_answer(self, q: TrueFalseQuestion, data: JSON) -> bool:
        """Return the stored boolean."""
        if not isinstance(data, bool):
            raise InputError("stale", "This stored answer no longer fits the question.")
        return data

    def key_text(self, q: TrueFalseQuestion) -> str:
        """Return "True" or "False"."""
        return "True" if q.answer else "False"

    def answer_text(self, q: TrueFalseQuestion, answer: bool) -> str:
        """Return "True" or "False"."""
        return "True" if answer else "False"

    def form_values(
        self,
        q: TrueFalseQuestion,
        answer: bool,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return "true" or "false" under "value"."""
        return {"value": ["true" if answer else "false"]}
