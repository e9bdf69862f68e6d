"""Builders of YAML-shaped dicts for tests, and loaders through the real schemas."""

from __future__ import annotations

import copy
from typing import Any

from webapp.content.domain import Question
from webapp.content.question_types import REGISTRY


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is ...:
            out.pop(key, None)  # pass key=... to drop a key
        else:
            out[key] = value
    return out


def single_choice_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid single_choice question dict; keyword arguments replace keys."""
    return _merge(
        {
            "id": "signed-when",
            "type": "single_choice",
            "prompt": "When did Germany and Soviet Russia sign the Treaty of Rapallo?",
            "choices": [
                {"text": "April 1922", "correct": True},
                {"text": "June 1919", "feedback": "That is the Treaty of Versailles."},
                {"text": "August 1939", "feedback": "That is the pact."},
            ],
            "explanation": "Signed on 16 April 1922, during the Genoa Conference.",
        },
        overrides,
    )


def multiple_choice_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid multiple_choice question dict (2 right of 4)."""
    return _merge(
        {
            "id": "rapallo-terms",
            "type": "multiple_choice",
            "prompt": "What did the Treaty of Rapallo do? Choose all that apply.",
            "choices": [
                {"text": "It restored diplomatic relations.", "correct": True},
                {"text": "Each side gave up claims for war costs.", "correct": True},
                {"text": "It set up a flying school.", "feedback": "That was 1925."},
                {"text": "It divided Poland.", "feedback": "That was 1939."},
            ],
        },
        overrides,
    )


def true_false_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid true_false question dict (the answer is false)."""
    return _merge(
        {
            "id": "tomka-where",
            "type": "true_false",
            "prompt": "Tomka, the joint poison-gas test ground, lay near Samara.",
            "answer": False,
            "feedback": "Tomka was near Volsk; the site near Samara was Bersol.",
        },
        overrides,
    )


def short_answer_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid short_answer question dict."""
    return _merge(
        {
            "id": "airbase",
            "type": "short_answer",
            "prompt": "Which Soviet city hosted the German flying school?",
            "answers": ["Lipetsk", "Lipezk"],
            "typos": 1,
            "wrong_answers": [
                {"answer": "Samara", "feedback": "That was Bersol's location."}
            ],
        },
        overrides,
    )


def numeric_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid numeric question dict."""
    return _merge(
        {
            "id": "army-cap",
            "type": "numeric",
            "prompt": "How many men did Versailles allow the Reichswehr?",
            "answer": 100000,
            "tolerance": 0,
            "unit": "men",
        },
        overrides,
    )


def ordering_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid ordering question dict (items in the right order)."""
    return _merge(
        {
            "id": "sequence",
            "type": "ordering",
            "prompt": "Earliest first.",
            "items": ["Versailles", "Rapallo", "Lipetsk lease", "Hitler chancellor"],
        },
        overrides,
    )


def matching_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid matching question dict."""
    return _merge(
        {
            "id": "sites",
            "type": "matching",
            "prompt": "Match each site to what was done there.",
            "pairs": {
                "Lipetsk": "aircraft",
                "Kama": "tanks",
                "Tomka": "chemical weapons",
            },
            "extra": ["submarines"],
        },
        overrides,
    )


def cloze_dict(**overrides: Any) -> dict[str, Any]:
    """Return a valid cloze question dict."""
    return _merge(
        {
            "id": "pact",
            "type": "cloze",
            "prompt": "Complete the sentence.",
            "text": "Signed in {{Moscow}} by {{Molotov}} and "
            "{{Ribbentrop|von Ribbentrop}}.",
        },
        overrides,
    )


QUESTION_DICTS = {
    "single_choice": single_choice_dict,
    "multiple_choice": multiple_choice_dict,
    "true_false": true_false_dict,
    "short_answer": short_answer_dict,
    "numeric": numeric_dict,
    "ordering": ordering_dict,
    "matching": matching_dict,
    "cloze": cloze_dict,
}


def load_question(data: dict[str, Any]) -> Any:
    """Load a question dict through its type's schema (ValidationError if invalid)."""
    q = REGISTRY[data["type"]].schema().load(data)
    assert isinstance(q, Question)
    return q


def question(kind: str, **overrides: Any) -> Any:
    """Return the loaded sample question of type `kind`, with keys replaced."""
    return load_question(QUESTION_DICTS[kind](**overrides))


def question_errors(data: dict[str, Any]) -> dict[str, Any]:
    """Return marshmallow's error messages for an invalid question dict."""
    from marshmallow import ValidationError

    try:
        load_question(data)
    except ValidationError as exc:
        messages = exc.messages
    else:
        raise AssertionError("the question loaded without errors")
    assert isinstance(messages, dict)
    return messages
