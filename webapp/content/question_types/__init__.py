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

# Filled in by the type modules; the single list of types the whole app uses.
REGISTRY: dict[str, QuestionType[Any, Any]] = {}

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
