"""multiple_choice: choose all that apply; partial credit or all or nothing."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from webapp.content.domain import MultipleChoiceQuestion, Score
from webapp.content.fields import Boolean, Text
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
from webapp.content.question_types._util import permutation, values
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)

SCORINGS = ("partial", "all_or_nothing")


def _check_scoring(value: str) -> bool:
    if value not in SCORINGS:
        raise ValidationError(
            f'scoring is "partial" or "all_or_nothing"; got "{value}"'
        )
    return True


class MultipleChoiceSchema(QuestionSchema):
    """YAML keys of a multiple_choice question."""

    choices = choices_field()
    shuffle = Boolean(load_default=True)
    scoring = Text(load_default="partial", validate=_check_scoring)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """At least two choices, unique texts and ids, at least one right."""
        check_choices(data["choices"])
        if not any(c.get("correct") for c in data["choices"]):
            raise ValidationError(
                "at least one choice must have correct: true; none does", "choices"
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> MultipleChoiceQuestion:
        """Build the domain object."""
        return MultipleChoiceQuestion(
            **self.base_kwargs(data),
            choices=build_choices(data["choices"]),
            shuffle=data["shuffle"],
            scoring=data["scoring"],
        )


Answer = tuple[str, ...]


class MultipleChoice(QuestionType[MultipleChoiceQuestion, Answer]):
    """Choose all that apply; the answer is the picked ids in canonical order."""

    name = "multiple_choice"
    schema = MultipleChoiceSchema

    def present(
        self, q: MultipleChoiceQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Shuffle the choices unless the question or quiz says not to."""
        return present_choices(q.choices, q.shuffle, rng, shuffle)

    def parse(
        self,
        q: MultipleChoiceQuestion,
        raw: Raw,
        presentation: Presentation,
        locale: str,
    ) -> Answer:
        """Read every display position under "value" as a set of choice ids."""
        perm = permutation(presentation, "choices", len(q.choices))
        picked: list[int] = []
        for value in values(raw, "value"):
            i = picked_index(value, perm)
            if i in picked:
                raise InputError("duplicate_choice", "Each answer can be chosen once.")
            picked.append(i)
        if not picked:
            raise InputError("empty", "Choose at least one answer.")
        return tuple(q.choices[i].id for i in sorted(picked))

    def grade(self, q: MultipleChoiceQuestion, answer: Answer) -> Score:
        """(right picks - wrong picks) / right choices, floored at 0; or all or none."""
        picked = set(answer)
        n_right = sum(1 for c in q.choices if c.correct)
        hits = sum(1 for c in q.choices if c.correct and c.id in picked)
        misses = sum(1 for c in q.choices if not c.correct and c.id in picked)
        detail = tuple((c.id in picked) == c.correct for c in q.choices)
        if q.scoring == "all_or_nothing":
            share = 1.0 if all(detail) else 0.0
        else:
            share = max(0.0, (hits - misses) / n_right) if n_right else 0.0
        points = min(float(q.points), max(0.0, share * q.points))
        feedback = tuple(
            c.feedback
            for c in q.choices
            if c.id in picked and not c.correct and c.feedback
        )
        return Score(points, float(q.points), feedback, detail)

    def public(
        self, q: MultipleChoiceQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the prompt and choice texts in display order."""
        return choice_public(q, presentation)

    def dump_answer(self, answer: Answer) -> JSON:
        """Store the list of picked ids."""
        return list(answer)

    def load_answer(self, q: MultipleChoiceQuestion, data: JSON) -> Answer:
        """Return the stored ids if the question still has them."""
        ids = ids_of(q.choices)
        if (
            not isinstance(data, list)
            or not data
            or not all(isinstance(d, str) and d in ids for d in data)
            or len(set(data)) != len(data)
        ):
            raise stale()
        return tuple(sorted(data, key=ids.__getitem__))

    def key_text(self, q: MultipleChoiceQuestion) -> str:
        """Return the right choices' texts."""
        return "; ".join(c.text for c in q.choices if c.correct)

    def answer_text(self, q: MultipleChoiceQuestion, answer: Answer) -> str:
        """Return the picked choices' texts."""
        return "; ".join(c.text for c in q.choices if c.id in answer)

    def form_values(
        self,
        q: MultipleChoiceQuestion,
        answer: Answer,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return the display positions of the picked choices, top to bottom."""
        perm = permutation(presentation, "choices", len(q.choices))
        ids = ids_of(q.choices)
        shown = sorted(perm.index(ids[a]) for a in answer if a in ids)
        return {"value": [str(d) for d in shown]}
