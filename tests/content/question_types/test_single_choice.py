"""single_choice: schema rules, parsing display positions, all-or-nothing grading."""

from __future__ import annotations

import random
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
    check_shuffled_same_score,
    marker,
    raw_forms,
    word,
)
from tests.helpers import load_question, question, question_errors, single_choice_dict
from webapp.content.question_types import REGISTRY, InputError

T = REGISTRY["single_choice"]


@st.composite
def questions(draw: Any) -> Any:
    """A single_choice question with 2-6 choices, feedback markers on each."""
    n = draw(st.integers(2, 6))
    right = draw(st.integers(0, n - 1))
    choices = [
        {
            "text": f"choice {i} {draw(word)}",
            "correct": i == right,
            "feedback": marker("feedback", i),
        }
        for i in range(n)
    ]
    return load_question(
        single_choice_dict(
            choices=choices,
            points=draw(st.integers(1, 10)),
            shuffle=draw(st.booleans()),
            explanation=marker("explanation", 0),
        )
    )


def key(q: Any) -> str:
    return next(c.id for c in q.choices if c.correct)


@PROP
@given(questions(), st.data(), st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_choice_keeps_the_contract(q: Any, data: Any, seed: int, loc: str) -> None:
    answer = data.draw(st.sampled_from([c.id for c in q.choices]))
    check_answer(q, answer, seed, seed + 7, loc)
    check_shuffled_same_score(q, answer, [seed, seed + 1, seed + 2])


@PROP
@given(questions(), st.integers(0, 10**6))
def test_the_key_gets_full_marks_and_public_hides_it(q: Any, seed: int) -> None:
    check_key(q, key(q), seed)
    check_public(q, seed, [c.feedback for c in q.choices] + [q.explanation])


@PROP
@given(questions(), raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


def test_default_ids_follow_position() -> None:
    q = question("single_choice")
    assert [c.id for c in q.choices] == ["c1", "c2", "c3"]
    assert isinstance(q.choices, tuple)


def test_wrong_choice_gives_its_feedback_and_no_points() -> None:
    q = question("single_choice", points=3)
    score = T.grade(q, "c2")
    assert (score.points, score.max_points) == (0.0, 3.0)
    assert score.feedback == ("That is the Treaty of Versailles.",)
    assert score.detail == (False, False, True)
    right = T.grade(q, "c1")
    assert (right.points, right.feedback) == (3.0, ())
    assert all(right.detail)


def test_form_values_are_display_positions() -> None:
    q = question("single_choice")
    pres = {"choices": [2, 0, 1]}
    assert T.parse(q, {"value": ["1"]}, pres, "en") == "c1"
    assert T.form_values(q, "c3", pres) == {"value": ["0"]}
    shown = T.public(q, pres)["choices"]
    assert [c["text"] for c in shown] == ["August 1939", "April 1922", "June 1919"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({}, "empty"),
        ({"value": [""]}, "empty"),
        ({"value": ["0", "1"]}, "choose_one"),
        ({"value": ["3"]}, "unknown_choice"),
        ({"value": ["c1"]}, "unknown_choice"),
        ({"value": ["-1"]}, "unknown_choice"),
        ({"value": ["१"]}, "unknown_choice"),
    ],
)
def test_bad_input_is_an_input_error(raw: Any, code: str) -> None:
    q = question("single_choice")
    with pytest.raises(InputError) as err:
        T.parse(q, raw, {"choices": [0, 1, 2]}, "en")
    assert err.value.code == code


def test_a_presentation_that_no_longer_fits_is_an_input_error() -> None:
    q = question("single_choice")
    with pytest.raises(InputError) as err:
        T.parse(q, {"value": ["0"]}, {"choices": [0, 1]}, "en")
    assert err.value.code == "stale"


def test_shuffle_false_keeps_author_order() -> None:
    q = question("single_choice", shuffle=False)
    for seed in range(20):
        assert T.present(q, random.Random(seed), True) == {"choices": [0, 1, 2]}


def test_quiz_without_shuffle_keeps_author_order() -> None:
    q = question("single_choice")
    assert T.present(q, random.Random(1), False) == {"choices": [0, 1, 2]}
    drawn = {tuple(T.present(q, random.Random(s), True)["choices"]) for s in range(30)}
    assert len(drawn) > 1


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (
            [
                {"text": "a", "correct": True},
                {"text": "b"},
                {"text": "c", "correct": True},
            ],
            "exactly one choice must have correct: true; 2 do (choices 1 and 3)",
        ),
        (
            [{"text": "a"}, {"text": "b"}],
            "exactly one choice must have correct: true; none do",
        ),
        ([{"text": "a", "correct": True}], "write at least 2 choices; there is 1"),
    ],
)
def test_choice_rules_name_what_to_write(choices: Any, message: str) -> None:
    errors = question_errors(single_choice_dict(choices=choices))
    assert any(m.startswith(message) for m in errors["choices"])


def test_repeated_choice_text_is_an_error_on_that_choice() -> None:
    errors = question_errors(
        single_choice_dict(
            choices=[{"text": "April 1922", "correct": True}, {"text": "april 1922"}]
        )
    )
    assert errors["choices"][1]["text"] == [
        "choice 2 repeats the text of choice 1; every choice needs its own text"
    ]


def test_choice_ids_must_be_unique_slugs() -> None:
    errors = question_errors(
        single_choice_dict(
            choices=[
                {"id": "c2", "text": "a", "correct": True},
                {"text": "b"},
            ]
        )
    )
    assert 'default id "c2"' in errors["choices"][1]["id"][0]
    errors = question_errors(
        single_choice_dict(choices=[{"id": "Bad Id", "text": "a", "correct": True}])
    )
    assert "is not a valid id" in errors["choices"][0]["id"][0]


def test_unknown_keys_are_errors() -> None:
    errors = question_errors(single_choice_dict(shufle=False))
    assert "shufle" in errors


def test_load_answer_refuses_a_vanished_choice() -> None:
    q = question("single_choice")
    with pytest.raises(InputError):
        T.load_answer(q, "c9")
    assert T.load_answer(q, "c2") == "c2"
    assert T.key_text(q) == "April 1922"
    assert T.answer_text(q, "c2") == "June 1919"
