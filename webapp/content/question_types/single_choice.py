"""single_choice: one best answer among choices; all points or none."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from webapp.content.domain import Score, SingleChoiceQuestion
from webapp.content.fields import Boolean
from webapp.content.question_types._choices import (
    build_choices,
    check_choices,
    choice_public,
    choices_field,
    ids_of,
    picked_index,
    present_choices,
    stale,
)
from webapp.content.question_types._util import listing, one_value, permutation
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)


class SingleChoiceSchema(QuestionSchema):
    """YAML keys of a single_choice question."""

    choices = choices_field()
    shuffle = Boolean(load_default=True)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """At least two choices, unique texts and ids, exactly one right."""
        check_choices(data["choices"])
        right = [i + 1 for i, c in enumerate(data["choices"]) if c.get("correct")]
        if len(right) != 1:
            which = f" (choices {listing(right)})" if right else ""
            raise ValidationError(
                "exactly one choice must have correct: true; "
                f"{len(right) or 'none'} {'does' if len(right) == 1 else 'do'}{which}. "
                "Use type: multiple_choice if several answers are right",
                "choices",
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SingleChoiceQuestion:
        """Build the domain object."""
        return SingleChoiceQuestion(
            **self.base_kwargs(data),
            choices=build_choices(data["choices"]),
            shuffle=data["shuffle"],
        )


class SingleChoice(QuestionType[SingleChoiceQuestion, str]):
    """One best answer; the answer is the chosen choice's id."""

    name = "single_choice"
    schema = SingleChoiceSchema

    def present(
        self, q: SingleChoiceQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Shuffle the choices unless the question or quiz says not to."""
        return present_choices(q.choices, q.shuffle, rng, shuffle)

    def parse(
        self, q: SingleChoiceQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> str:
        """Read the display position under "value" as a choice id."""
        perm = permutation(presentation, "choices", len(q.choices))
        value = one_value(raw, "value")
        if value is None:
            raise InputError("empty", "Choose an answer.")
        return q.choices[picked_index(value, perm)].id

    def grade(self, q: SingleChoiceQuestion, answer: str) -> Score:
        """All points for the right choice; the picked choice's feedback if wrong."""
        picked = next((c for c in q.choices if c.id == answer), None)
        right = picked is not None and picked.correct
        feedback = (
            (picked.feedback,) if picked and not right and picked.feedback else ()
        )
        return Score(
            points=float(q.points) if right else 0.0,
            max_points=float(q.points),
            feedback=feedback,
            detail=tuple((c.id == answer) == c.correct for c in q.choices),
        )

    def public(
        self, q: SingleChoiceQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the prompt and choice texts in display order."""
        return choice_public(q, presentation)

    def dump_answer(self, answer: str) -> JSON:
        """Store the choice id."""
        return answer

    def load_answer(self, q: SingleChoiceQuestion, data: JSON) -> str:
        """Return the stored choice id if the question still has it."""
        if not isinstance(data, str) or data not in ids_of(q.choices):
            raise stale()
        return data

    def key_text(self, q: SingleChoiceQuestion) -> str:
        """Return the right choice's text."""
        return next(c.text for c in q.choices if c.correct)

    def answer_text(self, q: SingleChoiceQuestion, answer: str) -> str:
        """Return the picked choice's text."""
        return next((c.text for c in q.choices if c.id == answer), "")

    def form_values(
        self,
        q: SingleChoiceQuestion,
        answer: str,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return the display position of the picked choice."""
        perm = permutation(presentation, "choices", len(q.choices))
        canon = ids_of(q.choices).get(answer)
        return {"value": [str(perm.index(canon))] if canon is not None else []}
