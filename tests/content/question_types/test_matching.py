"""matching: rows shuffled, options sorted, share of right pairs, extra options."""

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
from tests.helpers import load_question, matching_dict, question, question_errors
from webapp.content.question_types import REGISTRY, InputError

T = REGISTRY["matching"]


@st.composite
def questions(draw: Any) -> Any:
    n = draw(st.integers(2, 8))
    rights = [f"use {draw(st.integers(0, n))} {draw(word)}" for _ in range(n)]
    extra = draw(st.lists(word.map(lambda w: f"extra {w}"), max_size=2, unique=True))
    return load_question(
        matching_dict(
            pairs={f"site {i} {draw(word)}": r for i, r in enumerate(rights)},
            extra=[e for e in extra if e not in rights],
            points=draw(st.integers(1, 10)),
            explanation=marker("explanation", 0),
        )
    )


def key(q: Any) -> tuple[int, ...]:
    return tuple(q.options.index(right) for _, right in q.pairs)


@PROP
@given(questions(), st.data(), st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_matching_keeps_the_contract(
    q: Any, data: Any, seed: int, loc: str
) -> None:
    m = len(q.options)
    answer = tuple(data.draw(st.integers(0, m - 1)) for _ in q.pairs)
    check_answer(q, answer, seed, seed + 1, loc)
    check_shuffled_same_score(q, answer, [seed, seed + 1, seed + 2])


@PROP
@given(questions(), st.integers(0, 10**6))
def test_the_key_gets_full_marks_and_is_not_shown(q: Any, seed: int) -> None:
    check_key(q, key(q), seed)
    check_public(q, seed, [q.explanation])
    view = T.public(q, T.present(q, random.Random(seed), True))
    texts = [o["text"] for o in view["options"]]
    assert texts == sorted(texts, key=lambda t: (t.casefold(), t))


@PROP
@given(questions(), raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


def test_score_is_the_share_of_right_pairs() -> None:
    q = question("matching", points=3)
    aircraft, chemical, submarines, tanks = (
        q.options.index(o) for o in sorted(q.options)
    )
    assert T.grade(q, (aircraft, tanks, chemical)).points == 3.0
    partial = T.grade(q, (aircraft, submarines, tanks))
    assert partial.points == pytest.approx(1.0)
    assert partial.detail == (True, False, False)


def test_extras_are_options_that_match_nothing() -> None:
    q = question("matching")
    assert q.options == ("aircraft", "tanks", "chemical weapons", "submarines")
    pres = T.present(q, random.Random(3), True)
    view = T.public(q, pres)
    assert [o["text"] for o in view["options"]] == [
        "aircraft",
        "chemical weapons",
        "submarines",
        "tanks",
    ]
    assert sorted(r["text"] for r in view["rows"]) == ["Kama", "Lipetsk", "Tomka"]


def test_an_option_may_be_chosen_twice() -> None:
    q = question("matching")
    pres = {"rows": [0, 1, 2], "options": [0, 1, 2, 3]}
    assert T.parse(q, {"0": "0", "1": "0", "2": "0"}, pres, "en") == (0, 0, 0)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({}, "empty"),
        ({"0": "0", "1": "1"}, "missing_match"),
        ({"0": "0", "1": "1", "2": "4"}, "unknown_choice"),
        ({"0": "0", "1": "1", "2": "tanks"}, "unknown_choice"),
        ({"0": ["0", "1"], "1": "1", "2": "2"}, "choose_one"),
    ],
)
def test_bad_input_is_an_input_error(raw: Any, code: str) -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("matching"), raw, {}, "en")
    assert err.value.code == code


@pytest.mark.parametrize(
    ("overrides", "field", "needle"),
    [
        ({"pairs": {"a": "b"}}, "pairs", "write 2 to 8 pairs; there are 1"),
        ({"pairs": [{"a": "b"}, {"c": "d"}]}, "pairs", "pairs is a mapping"),
        ({"extra": ["tanks"]}, "extra", "is already the right side of a pair"),
        ({"extra": ["subs", "Subs"]}, "extra", "extra option 2 repeats option 1"),
        ({"pairs": {"Kama": "tanks", "kama": "gas"}}, "pairs", "the same left side"),
    ],
)
def test_schema_rules(overrides: Any, field: str, needle: str) -> None:
    errors = question_errors(matching_dict(**overrides))
    assert needle in str(errors[field])


def test_yaml_surprises_in_pairs_are_reported() -> None:
    errors = question_errors(matching_dict(pairs={"Kama": True, "Lipetsk": "air"}))
    assert 'right side of "Kama"' in str(errors["pairs"])


def test_stored_answers_round_trip() -> None:
    q = question("matching")
    assert T.load_answer(q, [0, 1, 2]) == (0, 1, 2)
    for bad in ([0, 1], [0, 1, 4], None, ["0", "1", "2"]):
        with pytest.raises(InputError):
            T.load_answer(q, bad)
    assert (
        T.answer_text(q, (0, 1, 3))
        == "Lipetsk → aircraft; Kama → tanks; Tomka → submarines"
    )
