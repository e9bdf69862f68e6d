"""The contract every question type fulfils, and the fields all questions share.

A question type is one module in this package defining a subclass of `QuestionType`
and one entry in `REGISTRY` (see `__init__.py`). It owns:

- `schema`: the marshmallow schema of its YAML keys (a subclass of `QuestionSchema`),
  whose `post_load` returns its frozen domain dataclass;
- `present(q, rng, shuffle)`: the presentation of one attempt (choice/item
  permutations), stored on the server with the attempt;
- `parse(q, raw, presentation, locale)`: learner input to a canonical answer,
  or `InputError`;
- `grade(q, answer)`: a `Score` in [0, q.points];
- `public(q, presentation)`: what the learner may see before answering (never the key);
- `dump_answer` / `load_answer`: the answer as JSON for the database;
- `key_text(q)` and `answer_text(q, answer)`: the key and the learner's answer in words.

Form input (`raw`) is keyed by sub-field: "value" for single-value types
(single/multiple choice, true/false, short answer, numeric), "0".."n-1" for the
*displayed* rows of ordering and matching, and for the gaps of cloze. Choice and
option values are *display positions* ("0", "1", ...), mapped to canonical indexes
through the stored presentation, so nothing in the page reveals which is right.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from marshmallow import RAISE, fields

from webapp.content.domain import SKILLS, Question, Quote, Score
from webapp.content.fields import Boolean, Id, LeanSchema, StrictInteger, Text

Q = TypeVar("Q", bound=Question)
A = TypeVar("A")

# JSON-able: {"choices": [2, 0, 1]}, {"items": [...]}, {"rows": [...], "options": [...]}
Presentation = Mapping[str, Sequence[int]]
Raw = Mapping[str, Sequence[str]]
JSON = Any


class InputError(ValueError):
    """The learner's input cannot be read as an answer; `code` selects the message.

    `message` is English; the web layer translates by `code` with `params`.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


class StimulusSchema(LeanSchema):
    """A short quoted source excerpt shown above a prompt."""

    class Meta:
        unknown = RAISE

    text = Text(required=True)
    by = Text(required=True)
    source = Id(load_default=None)


class QuestionSchema(LeanSchema):
    """The keys every question type accepts; type modules subclass it."""

    class Meta:
        unknown = RAISE

    id = Id(required=True)
    type = Text(required=True)
    prompt = Text(required=True)
    explanation = Text(load_default="")
    see = Id(load_default=None)
    skill = Text(
        load_default=None,
        validate=lambda s: _check_skill(s),
    )
    contested = Boolean(load_default=False)
    stimulus = fields.Nested(StimulusSchema, load_default=None)
    points = StrictInteger(load_default=1, validate=lambda n: _check_points(n))
    hint = Text(load_default=None)

    def base_kwargs(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return the shared keyword arguments of the domain dataclass."""
        stim = data.get("stimulus")
        return {
            "id": data["id"],
            "type": data["type"],
            "prompt": data["prompt"],
            "explanation": data.get("explanation", ""),
            "see": data.get("see"),
            "skill": data.get("skill"),
            "contested": data.get("contested", False),
            "stimulus": Quote(**stim) if stim else None,
            "points": data.get("points", 1),
            "hint": data.get("hint"),
        }


def _check_skill(skill: str) -> bool:
    from marshmallow import ValidationError

    if skill not in SKILLS:
        raise ValidationError(
            f'unknown skill "{skill}"; use one of: {", ".join(sorted(SKILLS))}'
        )
    return True


def _check_points(n: int) -> bool:
    from marshmallow import ValidationError

    if not 1 <= n <= 100:
        raise ValidationError("points must be a whole number from 1 to 100")
    return True


class QuestionType(ABC, Generic[Q, A]):
    """One question type: schema, presentation, parsing, grading, public view."""

    name: ClassVar[str]
    schema: ClassVar[type[QuestionSchema]]

    @abstractmethod
    def present(self, q: Q, rng: random.Random, shuffle: bool) -> dict[str, list[int]]:
        """Return this attempt's permutations (empty when nothing is shuffled)."""

    @abstractmethod
    def parse(self, q: Q, raw: Raw, presentation: Presentation, locale: str) -> A:
        """Turn form values into a canonical answer or raise InputError."""

    @abstractmethod
    def grade(self, q: Q, answer: A) -> Score:
        """Score a canonical answer; 0 <= points <= q.points."""

    @abstractmethod
    def public(self, q: Q, presentation: Presentation) -> dict[str, JSON]:
        """Return the learner's view of the question: no keys, no feedback."""

    @abstractmethod
    def dump_answer(self, answer: A) -> JSON:
        """Return the answer as JSON for storage."""

    @abstractmethod
    def load_answer(self, q: Q, data: JSON) -> A:
        """Rebuild a stored answer; raise InputError if it no longer fits q."""

    @abstractmethod
    def key_text(self, q: Q) -> str:
        """Return the right answer in words, for the review page."""

    @abstractmethod
    def answer_text(self, q: Q, answer: A) -> str:
        """Return the learner's answer in words, for the review page."""

    @abstractmethod
    def form_values(
        self, q: Q, answer: A, presentation: Presentation, locale: str = "en"
    ) -> dict[str, list[str]]:
        """Return raw form values that parse back to `answer` (to refill a form).

        `locale` matters for numbers only: 1.5 is written "1,5" for a German learner.
        """
