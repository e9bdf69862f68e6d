"""numeric: locale-aware parsing, no ambiguity, no NaN/inf, absolute and % tolerance."""

from __future__ import annotations

from decimal import Decimal
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
from tests.helpers import load_question, numeric_dict, question, question_errors
from webapp.content.question_types import REGISTRY, InputError

T = REGISTRY["numeric"]

keys = st.one_of(
    st.integers(-(10**9), 10**9),
    st.decimals(-(10**6), 10**6, places=3).map(float),
)
questions = st.builds(
    lambda answer, tol, points: load_question(
        numeric_dict(
            answer=answer,
            tolerance=tol,
            points=points,
            explanation=marker("explanation", 0),
        )
    ),
    keys,
    st.one_of(st.sampled_from([0, 0.5, 2]), st.sampled_from(["5%", "0.5%", "10 %"])),
    st.integers(1, 10),
)
answers = st.decimals(
    -(10**12), 10**12, places=4, allow_nan=False, allow_infinity=False
)


@PROP
@given(questions, answers, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_number_keeps_the_contract(q: Any, a: Decimal, seed: int, loc: str) -> None:
    check_answer(q, a, seed, seed + 1, loc)


@PROP
@given(questions, st.integers(0, 10**6), st.sampled_from(["en", "de", "ru"]))
def test_the_key_gets_full_marks_in_every_locale(q: Any, seed: int, loc: str) -> None:
    check_key(q, Decimal(repr(q.answer)), seed, loc)
    check_public(q, seed, [q.explanation])


@PROP
@given(questions, raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


def read(text: str, locale: str = "en", **overrides: Any) -> Decimal:
    q = question("numeric", **overrides)
    answer = T.parse(q, {"value": [text]}, {}, locale)
    assert isinstance(answer, Decimal)
    return answer


def refused(text: str, locale: str = "en", **overrides: Any) -> str:
    q = question("numeric", **overrides)
    with pytest.raises(InputError) as err:
        T.parse(q, {"value": [text]}, {}, locale)
    return err.value.code


@pytest.mark.parametrize(
    ("text", "locale", "value"),
    [
        ("1,5", "de", "1.5"),
        ("1,5", "ru", "1.5"),
        ("1.000,5", "de", "1000.5"),
        ("100 000", "en", "100000"),
        ("100,000", "en", "100000"),
        ("100\u00a0000", "ru", "100000"),
        ("100\u202f000", "fr", "100000"),
        ("1,000.25", "en", "1000.25"),
        ("-3.5", "en", "-3.5"),
        ("\u22123,5", "de", "-3.5"),
        ("１００", "en", "100"),
        ("100000 men", "en", "100000"),
        ("100000men", "en", "100000"),
        ("100,000 Men", "en", "100000"),
        ("1.5", "zz-unknown", "1.5"),
    ],
)
def test_numbers_are_read_in_the_learners_locale(
    text: str, locale: str, value: str
) -> None:
    """C.8 case 19: 1,5 is read in the learner's locale."""
    assert read(text, locale) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "locale", "code"),
    [
        ("1,5", "en", "not_a_number"),  # Babel would read 15
        ("1.5", "de", "not_a_number"),  # the mirror image
        ("1,0000", "en", "not_a_number"),
        ("1 5", "en", "not_a_number"),
        ("NaN", "en", "not_a_number"),
        ("nan", "de", "not_a_number"),
        ("inf", "en", "not_a_number"),
        ("Infinity", "en", "not_a_number"),
        ("1e5", "en", "not_a_number"),
        ("٣", "en", "not_a_number"),
        ("-", "en", "not_a_number"),
        ("100000 tanks", "en", "not_a_number"),
        ("", "en", "empty"),
        ("   ", "en", "empty"),
        ("9" * 65, "en", "too_long"),
    ],
)
def test_unreadable_numbers_are_input_errors(text: str, locale: str, code: str) -> None:
    """C.8 case 19: NaN, inf and unreadable numbers are input errors."""
    assert refused(text, locale) == code


def test_a_unit_is_only_stripped_when_the_question_has_one() -> None:
    assert refused("12 men", unit=...) == "not_a_number"


def test_absolute_tolerance() -> None:
    q = question("numeric", answer=1.5, tolerance=0.1)
    assert T.grade(q, Decimal("1.6")).correct  # exactly at the edge, no float drift
    assert T.grade(q, Decimal("1.4")).correct
    assert not T.grade(q, Decimal("1.61")).correct


def test_percent_tolerance_is_a_share_of_the_key() -> None:
    q = question("numeric", answer=100000, tolerance="5%", points=2)
    assert T.grade(q, Decimal(95000)).points == 2.0
    assert T.grade(q, Decimal(105000)).points == 2.0
    assert T.grade(q, Decimal(105001)).points == 0.0
    assert T.key_text(q) == "100000 ± 5% men"


def test_zero_tolerance_means_exact() -> None:
    q = question("numeric")
    assert T.grade(q, Decimal("100000.0")).correct
    assert not T.grade(q, Decimal("100001")).correct


def test_form_values_write_the_number_for_the_locale() -> None:
    q = question("numeric", answer=1.5)
    assert T.form_values(q, Decimal("1.5"), {}, "de") == {"value": ["1,5"]}
    assert T.form_values(q, Decimal("1.5"), {}) == {"value": ["1.5"]}


def test_public_says_unit_and_whole_number_only() -> None:
    q = question("numeric")
    view = T.public(q, {})
    assert (view["unit"], view["integer"]) == ("men", True)
    assert "100000" not in str(view)
    assert question("numeric", answer=1.5).integer is False


@pytest.mark.parametrize(
    ("tolerance", "message"),
    [
        (-2, "tolerance cannot be negative; write 2"),
        (
            "5",
            'tolerance is a number such as 0.5, or a percentage in quotes such as "5%"',
        ),
        ("five%", "tolerance is a number such as 0.5"),
        (True, "tolerance is a number such as 0.5"),
        (float("nan"), "tolerance must be a finite number"),
    ],
)
def test_tolerance_rules(tolerance: Any, message: str) -> None:
    errors = question_errors(numeric_dict(tolerance=tolerance))
    assert errors["tolerance"][0].startswith(message)


def test_answer_must_be_a_number() -> None:
    assert "answer" in question_errors(numeric_dict(answer="100,000"))
    assert "answer" in question_errors(numeric_dict(answer=float("inf")))


def test_stored_answers_round_trip() -> None:
    q = question("numeric")
    assert T.load_answer(q, T.dump_answer(Decimal("1.50"))) == Decimal("1.5")
    for bad in ("NaN", "x", 3, None):
        with pytest.raises(InputError):
            T.load_answer(q, bad)
