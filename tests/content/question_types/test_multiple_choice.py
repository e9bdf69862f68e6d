"""multiple_choice: partial credit floored at 0, all_or_nothing, picks as positions."""

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
    check_shuffled_same_score,
    marker,
    raw_forms,
    word,
)
from tests.helpers import load_question, multiple_choice_dict, question, question_errors
from webapp.content.question_types import REGISTRY, InputError

T = REGISTRY["multiple_choice"]


@st.composite
def questions(draw: Any) -> Any:
    """A multiple_choice question with 2-7 choices, at least one right."""
    n = draw(st.integers(2, 7))
    flags = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    flags[draw(st.integers(0, n - 1))] = True
    choices = [
        {"text": f"option {i} {draw(word)}", "correct": f, "feedback": marker("fb", i)}
        for i, f in enumerate(flags)
    ]
    return load_question(
        multiple_choice_dict(
            choices=choices,
            points=draw(st.integers(1, 10)),
            scoring=draw(st.sampled_from(["partial", "all_or_nothing"])),
            explanation=marker("explanation", 0),
        )
    )


def key(q: Any) -> tuple[str, ...]:
    return tuple(c.id for c in q.choices if c.correct)


@PROP
@given(questions(), st.data(), st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_selection_keeps_the_contract(
    q: Any, data: Any, seed: int, loc: str
) -> None:
    ids = [c.id for c in q.choices]
    picked = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    answer = tuple(i for i in ids if i in picked)
    check_answer(q, answer, seed, seed + 3, loc)
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


@pytest.mark.parametrize(
    ("picked", "points"),
    [
        (("c1", "c2"), 4.0),  # both right
        (("c1",), 2.0),  # one of two right
        (("c1", "c3"), 0.0),  # one right, one wrong: (1 - 1) / 2
        (("c1", "c2", "c3"), 2.0),  # (2 - 1) / 2
        (("c3", "c4"), 0.0),  # (0 - 2) / 2 floors at 0
        (("c1", "c2", "c3", "c4"), 0.0),  # ticking everything earns nothing
    ],
)
def test_partial_credit_is_right_minus_wrong_floored_at_zero(
    picked: tuple[str, ...], points: float
) -> None:
    q = question("multiple_choice", points=4)
    assert T.grade(q, picked).points == points


def test_all_or_nothing_needs_exactly_the_right_set() -> None:
    q = question("multiple_choice", scoring="all_or_nothing", points=2)
    assert T.grade(q, ("c1", "c2")).points == 2.0
    assert T.grade(q, ("c1",)).points == 0.0
    assert T.grade(q, ("c1", "c2", "c3")).points == 0.0


def test_feedback_comes_from_each_wrong_pick() -> None:
    q = question("multiple_choice")
    score = T.grade(q, ("c1", "c3", "c4"))
    assert score.feedback == ("That was 1925.", "That was 1939.")
    assert score.detail == (True, False, False, False)


def test_positions_map_through_the_presentation() -> None:
    q = question("multiple_choice")
    pres = {"choices": [3, 2, 1, 0]}
    assert T.parse(q, {"value": ["3", "1"]}, pres, "en") == ("c1", "c3")
    assert T.form_values(q, ("c1", "c3"), pres) == {"value": ["1", "3"]}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"value": []}, "empty"),
        ({}, "empty"),
        ({"value": ["0", "0"]}, "duplicate_choice"),
        ({"value": ["0", "4"]}, "unknown_choice"),
        ({"value": ["zero"]}, "unknown_choice"),
    ],
)
def test_bad_input_is_an_input_error(raw: Any, code: str) -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("multiple_choice"), raw, {}, "en")
    assert err.value.code == code


def test_needs_a_right_choice_and_a_known_scoring() -> None:
    errors = question_errors(
        multiple_choice_dict(choices=[{"text": "a"}, {"text": "b"}])
    )
    assert errors["choices"] == [
        "at least one choice must have correct: true; none does"
    ]
    errors = question_errors(multiple_choice_dict(scoring="strict"))
    assert errors["scoring"] == [
        'scoring is "partial" or "all_or_nothing"; got "strict"'
    ]


def test_stored_answers_round_trip_and_stale_ones_are_refused() -> None:
    q = question("multiple_choice")
    assert T.load_answer(q, ["c2", "c1"]) == ("c1", "c2")
    for bad in (["c9"], [], "c1", ["c1", "c1"], [1]):
        with pytest.raises(InputError):
            T.load_answer(q, bad)


def test_a_request_multidict_gives_every_ticked_box() -> None:
    from werkzeug.datastructures import MultiDict

    form = MultiDict([("value", "0"), ("value", "1")])
    assert T.parse(question("multiple_choice"), form, {}, "en") == ("c1", "c2")
