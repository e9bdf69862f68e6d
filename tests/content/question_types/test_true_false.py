"""true_false: "true"/"false" form values, all or nothing, feedback when wrong."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.content.question_types.contract import (
    LOCALES,
    PROP,
    check_answer,
    check_key,
    check_parse_total,
    check_public,
    marker,
    raw_forms,
)
from tests.helpers import load_question, question, question_errors, true_false_dict
from webapp.content.question_types import REGISTRY, InputError

T = REGISTRY["true_false"]

questions = st.builds(
    lambda answer, points: load_question(
        true_false_dict(
            answer=answer,
            points=points,
            feedback=marker("feedback", 0),
            explanation=marker("explanation", 0),
        )
    ),
    st.booleans(),
    st.integers(1, 10),
)


@PROP
@given(questions, st.booleans(), st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_both_answers_keep_the_contract(q: Any, a: bool, seed: int, loc: str) -> None:
    check_answer(q, a, seed, seed + 1, loc)
    check_key(q, q.answer, seed)
    check_public(q, seed, [q.feedback, q.explanation])


@PROP
@given(questions, raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


def test_wrong_answer_gets_the_feedback() -> None:
    q = question("true_false", points=2)
    wrong = T.grade(q, True)
    assert (wrong.points, wrong.feedback) == (0.0, (q.feedback,))
    right = T.grade(q, False)
    assert (right.points, right.feedback) == (2.0, ())


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({}, "empty"),
        ({"value": "yes"}, "unknown_choice"),
        ({"value": ["true", "false"]}, "choose_one"),
    ],
)
def test_bad_input_is_an_input_error(raw: Any, code: str) -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("true_false"), raw, {}, "en")
    assert err.value.code == code


def test_answer_must_be_a_yaml_boolean() -> None:
    assert "answer" in question_errors(true_false_dict(answer="false"))
    assert "answer" in question_errors(true_false_dict(answer=...))
