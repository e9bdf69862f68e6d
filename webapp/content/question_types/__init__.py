"""The registry of question types: one module each, one entry here."""

from __future__ import annotations

from typing import Any

from webapp.content.question_types.base import (
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)
from webapp.content.question_types.cloze import Cloze
from webapp.content.question_types.matching import Matching
from webapp.content.question_types.multiple_choice import MultipleChoice
from webapp.content.question_types.numeric import Numeric
from webapp.content.question_types.ordering import Ordering
from webapp.content.question_types.short_answer import ShortAnswer
from webapp.content.question_types.single_choice import SingleChoice
from webapp.content.question_types.true_false import TrueFalse

# The single list of types the whole app uses.
REGISTRY: dict[str, QuestionType[Any, Any]] = {
    t.name: t
    for t in (
        SingleChoice(),
        MultipleChoice(),
        TrueFalse(),
        ShortAnswer(),
        Numeric(),
        Ordering(),
        Matching(),
        Cloze(),
    )
}

__all__ = [
    "REGISTRY",
    "InputError",
    "Presentation",
    "QuestionSchema",
    "QuestionType",
    "Raw",
    "get_type",
]


def get_type(name: str) -> QuestionType[Any, Any]:
    """Return the registered question type called `name` (KeyError if none)."""
    return REGISTRY[name]
