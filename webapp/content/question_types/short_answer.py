"""short_answer: a typed word or name, normalised and compared with accepted forms."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import (
    RAISE,
    ValidationError,
    fields,
    post_load,
    validates_schema,
)

from webapp.content.domain import Score, ShortAnswerQuestion, WrongAnswer
from webapp.content.fields import LeanSchema, StrictInteger, Text
from webapp.content.question_types._text import matches, normalize
from webapp.content.question_types._util import common_public, duplicates, text_value
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)


def check_typos(n: int) -> bool:
    """Allow 0 to 3 typos."""
    if not 0 <= n <= 3:
        raise ValidationError("typos is a whole number from 0 to 3")
    return True


def check_answers(field: str, answers: list[str]) -> None:
    """Each accepted form must leave something to compare and be listed once."""
    errors: dict[int, list[str]] = {}
    for i, a in enumerate(answers):
        if not normalize(a):
            errors.setdefault(i, []).append(
                f'"{a}" is only punctuation, which is ignored when answers are '
                "compared; write the word or name"
            )
    for i, first in duplicates(answers).items():
        errors.setdefault(i, []).append(
            f'"{answers[i]}" is the same as "{answers[first]}" once case, accents '
            "and punctuation are ignored; list it once"
        )
    if errors:
        raise ValidationError({field: errors})


class WrongAnswerSchema(LeanSchema):
    """A foreseeable wrong answer and the feedback that corrects it."""

    class Meta:
        unknown = RAISE

    answer = Text(required=True)
    feedback = Text(required=True)


class ShortAnswerSchema(QuestionSchema):
    """YAML keys of a short_answer question."""

    answers = fields.List(Text(), required=True)
    typos = StrictInteger(load_default=0, validate=check_typos)
    wrong_answers = fields.List(fields.Nested(WrongAnswerSchema), load_default=list)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """At least one usable answer; no wrong answer that is also accepted."""
        if not data["answers"]:
            raise ValidationError("write at least one accepted answer", "answers")
        check_answers("answers", data["answers"])
        accepted = {normalize(a) for a in data["answers"]}
        errors: dict[int, dict[str, list[str]]] = {}
        for i, w in enumerate(data["wrong_answers"]):
            if normalize(w["answer"]) in accepted:
                errors[i] = {
                    "answer": [
                        f'"{w["answer"]}" is also an accepted answer; remove it '
                        "from one of the two lists"
                    ]
                }
        if errors:
            raise ValidationError({"wrong_answers": errors})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ShortAnswerQuestion:
        """Build the domain object."""
        return ShortAnswerQuestion(
            **self.base_kwargs(data),
            answers=tuple(data["answers"]),
            typos=data["typos"],
            wrong_answers=tuple(WrongAnswer(**w) for w in data["wrong_answers"]),
        )


class ShortAnswer(QuestionType[ShortAnswerQuestion, str]):
    """A typed answer; the answer is the text as typed (trimmed)."""

    name = "short_answer"
    schema = ShortAnswerSchema

    def present(
        self, q: ShortAnswerQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Nothing to shuffle."""
        return {}

    def parse(
        self, q: ShortAnswerQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> str:
        """Return the typed text under "value"; InputError if it is empty."""
        text = text_value(raw, "value")
        if not normalize(text):
            raise InputError("empty", "Type an answer.")
        return text

    def grade(self, q: ShortAnswerQuestion, answer: str) -> Score:
        """Right if it matches an accepted form (exactly, or within the typos)."""
        full, none = float(q.points), 0.0
        given = normalize(answer)
        if any(given == normalize(a) for a in q.answers):
            return Score(full, full, (), (True,))
        wrong = next(
            (w for w in q.wrong_answers if given and given == normalize(w.answer)),
            None,
        )
        if wrong is not None:
            return Score(none, full, (wrong.feedback,), (False,))
        right = any(matches(answer, a, q.typos) for a in q.answers)
        return Score(full if right else none, full, (), (right,))

    def public(
        self, q: ShortAnswerQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the prompt only: no answer and no length."""
        return common_public(q)

    def dump_answer(self, answer: str) -> JSON:
        """Store the typed text."""
        return answer

    def load_answer(self, q: ShortAnswerQuestion, data: JSON) -> str:
        """Return the stored text."""
        if not isinstance(data, str):
            raise InputError("stale", "This stored answer no longer fits the question.")
        return data

    def key_text(self, q: ShortAnswerQuestion) -> str:
        """Return the accepted forms."""
        return " / ".join(q.answers)

    def answer_text(self, q: ShortAnswerQuestion, answer: str) -> str:
        """Return the typed text."""
        return answer

    def form_values(
        self,
        q: ShortAnswerQuestion,
        answer: str,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return the typed text under "value"."""
        return {"value": [answer]}
