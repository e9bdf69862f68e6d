"""ordering: position selects per displayed item, LIS scoring, never shown in order."""

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
from tests.helpers import load_question, ordering_dict, question, question_errors
from webapp.content.question_types import REGISTRY, InputError
from webapp.content.question_types.ordering import longest_increasing

T = REGISTRY["ordering"]


@st.composite
def questions(draw: Any) -> Any:
    n = draw(st.integers(2, 8))
    return load_question(
        ordering_dict(
            items=[f"event {i} {draw(word)}" for i in range(n)],
            points=draw(st.integers(1, 10)),
            explanation=marker("explanation", 0),
        )
    )


@PROP
@given(
    questions(),
    st.randoms(use_true_random=False),
    st.integers(0, 10**6),
    st.sampled_from(LOCALES),
)
def test_any_order_keeps_the_contract(q: Any, r: Any, seed: int, loc: str) -> None:
    order = list(range(len(q.items)))
    r.shuffle(order)
    check_answer(q, tuple(order), seed, seed + 1, loc)
    check_shuffled_same_score(q, tuple(order), [seed, seed + 1, seed + 2])


@PROP
@given(questions(), st.integers(0, 10**6))
def test_the_right_order_gets_full_marks(q: Any, seed: int) -> None:
    check_key(q, tuple(range(len(q.items))), seed)
    check_public(q, seed, [q.explanation])


@PROP
@given(questions(), st.integers(0, 10**6))
def test_the_page_never_shows_the_right_order(q: Any, seed: int) -> None:
    shown = T.present(q, random.Random(seed), False)["items"]
    assert shown != list(range(len(q.items)))
    assert sorted(shown) == list(range(len(q.items)))


@PROP
@given(questions(), raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


@PROP
@given(st.lists(st.integers(0, 20), max_size=12))
def test_longest_increasing_is_increasing_and_longest(seq: list[int]) -> None:
    run = longest_increasing(seq)
    values = [seq[p] for p in run]
    assert run == sorted(run)
    assert all(a < b for a, b in zip(values, values[1:], strict=False))
    best = [1] * len(seq)  # quadratic reference
    for i in range(len(seq)):
        for j in range(i):
            if seq[j] < seq[i]:
                best[i] = max(best[i], best[j] + 1)
    assert len(run) == max(best, default=0)


@pytest.mark.parametrize(
    ("order", "points"),
    [
        ((0, 1, 2, 3), 3.0),
        ((3, 2, 1, 0), 0.0),  # reversed
        ((1, 0, 2, 3), 2.0),  # LIS 3: (3 - 1) / 3
        ((3, 0, 1, 2), 2.0),  # last item first: the other three still in order
        ((1, 0, 3, 2), 1.0),  # LIS 2
    ],
)
def test_lis_scoring(order: tuple[int, ...], points: float) -> None:
    q = question("ordering", points=3)
    assert T.grade(q, order).points == pytest.approx(points)


def test_detail_marks_the_items_in_the_run() -> None:
    q = question("ordering")
    assert T.grade(q, (3, 0, 1, 2)).detail == (True, True, True, False)


def test_positions_map_through_the_presentation() -> None:
    q = question("ordering")
    pres = {"items": [2, 0, 3, 1]}  # row 0 shows item 2, ...
    raw = {"0": ["3"], "1": ["1"], "2": ["4"], "3": ["2"]}
    assert T.parse(q, raw, pres, "en") == (0, 1, 2, 3)
    assert T.form_values(q, (0, 1, 2, 3), pres) == {
        "0": ["3"],
        "1": ["1"],
        "2": ["4"],
        "3": ["2"],
    }
    view = T.public(q, pres)
    assert [i["text"] for i in view["items"]][0] == "Lipetsk lease"
    assert view["positions"] == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({}, "empty"),
        ({"0": "1", "1": "2", "2": "3"}, "missing_position"),
        ({"0": "1", "1": "1", "2": "3", "3": "4"}, "duplicate_position"),
        ({"0": "0", "1": "2", "2": "3", "3": "4"}, "invalid_position"),
        ({"0": "5", "1": "2", "2": "3", "3": "4"}, "invalid_position"),
        ({"0": "first", "1": "2", "2": "3", "3": "4"}, "invalid_position"),
        ({"0": ["1", "2"], "1": "2", "2": "3", "3": "4"}, "choose_one"),
    ],
)
def test_bad_input_is_an_input_error(raw: Any, code: str) -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("ordering"), raw, {"items": [1, 0, 2, 3]}, "en")
    assert err.value.code == code


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["a"], "list 2 to 8 items in the right order; there are 1"),
        (
            [str(i) for i in range(9)],
            "list 2 to 8 items in the right order; there are 9",
        ),
    ],
)
def test_item_count(items: list[str], message: str) -> None:
    assert question_errors(ordering_dict(items=items))["items"] == [message]


def test_repeated_item_is_an_error() -> None:
    errors = question_errors(ordering_dict(items=["Rapallo", "Locarno", "rapallo"]))
    assert errors["items"] == {2: ["item 3 repeats item 1; list each once"]}


def test_stored_answers_must_still_be_a_permutation() -> None:
    q = question("ordering")
    assert T.load_answer(q, [1, 0, 2, 3]) == (1, 0, 2, 3)
    for bad in ([0, 0, 1, 2], [0, 1, 2], [0, 1, 2, 4], "0123", [0, 1, 2, True]):
        with pytest.raises(InputError):
            T.load_answer(q, bad)
