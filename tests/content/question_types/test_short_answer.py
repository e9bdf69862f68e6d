"""short_answer: normalisation (case, accents, zero-width, punctuation) and typos."""

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
from tests.helpers import load_question, question, question_errors, short_answer_dict
from webapp.content.question_types import REGISTRY, InputError
from webapp.content.question_types._text import levenshtein, normalize

T = REGISTRY["short_answer"]

questions = st.builds(
    lambda n, typos, points: load_question(
        short_answer_dict(
            answers=[marker("answer", i) for i in range(n)],
            typos=typos,
            points=points,
            wrong_answers=[{"answer": "Samara", "feedback": marker("feedback", 0)}],
            explanation=marker("explanation", 0),
        )
    ),
    st.integers(1, 3),
    st.integers(0, 3),
    st.integers(1, 10),
)
typed = st.text(max_size=40).filter(lambda s: normalize(s) != "")


@PROP
@given(questions, typed, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_text_keeps_the_contract(q: Any, text: str, seed: int, loc: str) -> None:
    check_answer(q, text.strip(), seed, seed + 1, loc)


@PROP
@given(questions, st.integers(0, 10**6), st.data())
def test_every_accepted_form_gets_full_marks(q: Any, seed: int, data: Any) -> None:
    check_key(q, data.draw(st.sampled_from(q.answers)), seed)
    check_public(
        q, seed, [*q.answers, "Samara", q.explanation, q.wrong_answers[0].feedback]
    )


@PROP
@given(questions, raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


@PROP
@given(st.text(max_size=12), st.text(max_size=12), st.integers(0, 3))
def test_levenshtein_cutoff_agrees_with_the_full_distance(
    a: str, b: str, k: int
) -> None:
    full = levenshtein(a, b, max(len(a), len(b)))
    assert levenshtein(a, b, k) == min(full, k + 1)


def right(q: Any, text: str) -> bool:
    return T.grade(q, T.parse(q, {"value": [text]}, {}, "en")).correct


def test_diacritics_are_folded() -> None:
    q = question("short_answer", answers=["Tschitscherin"], typos=0)
    assert right(q, "Tschitscherín")
    assert right(q, "TSCHITSCHERIN")
    q = question("short_answer", answers=["Tschitscherín"], typos=0)
    assert right(q, "tschitscherin")


def test_zero_width_characters_and_punctuation_are_ignored() -> None:
    """C.8 case 18: zero-width characters are stripped before comparing."""
    q = question("short_answer", answers=["Rathenau"], typos=0)
    for text in (
        "Rathe\u200bnau",
        "\ufeffRathenau",
        "Rath\u2060enau",
        "Rathenau.",
        " rathenau!",
    ):
        assert right(q, text), text


def test_casefold_turns_eszett_into_ss() -> None:
    q = question("short_answer", answers=["Strasse"], typos=0)
    assert right(q, "Straße")


def test_whitespace_collapses_and_dashes_read_as_spaces() -> None:
    q = question("short_answer", answers=["Walther Rathenau"], typos=0)
    assert right(q, "  walther   rathenau ")
    assert right(q, "Walther-Rathenau")


def test_typos_apply_only_to_answers_of_five_letters_or_more() -> None:
    q = question("short_answer", answers=["Lipetsk", "Kama"], typos=1)
    assert right(q, "Lipezsk")  # one edit
    assert not right(q, "Lipzzsk")  # two edits
    assert right(q, "Kama")
    assert not right(q, "Kamo")  # four letters: no typos allowed


def test_typos_zero_means_exact() -> None:
    q = question("short_answer", answers=["Lipetsk"], typos=0)
    assert not right(q, "Lipetsc")


def test_foreseen_wrong_answer_gives_its_feedback() -> None:
    q = question("short_answer")
    score = T.grade(q, "samara")
    assert score.points == 0.0
    assert score.feedback == ("That was Bersol's location.",)


def test_exact_wrong_answer_beats_a_typo_match() -> None:
    q = question(
        "short_answer",
        answers=["Lipetsk"],
        typos=1,
        wrong_answers=[{"answer": "Lipetsa", "feedback": "Not quite."}],
    )
    assert T.grade(q, "Lipetsa").feedback == ("Not quite.",)


@pytest.mark.parametrize(
    "raw", [{}, {"value": [""]}, {"value": ["  "]}, {"value": ["?!"]}]
)
def test_empty_answer_is_an_input_error(raw: Any) -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("short_answer"), raw, {}, "en")
    assert err.value.code == "empty"


def test_very_long_answers_are_refused() -> None:
    with pytest.raises(InputError) as err:
        T.parse(question("short_answer"), {"value": ["x" * 501]}, {}, "en")
    assert err.value.code == "too_long"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"answers": []}, "answers", "write at least one accepted answer"),
        ({"typos": 4}, "typos", "typos is a whole number from 0 to 3"),
        ({"typos": -1}, "typos", "typos is a whole number from 0 to 3"),
    ],
)
def test_schema_rules(overrides: Any, field: str, message: str) -> None:
    assert question_errors(short_answer_dict(**overrides))[field] == [message]


def test_duplicate_and_clashing_answers_are_errors() -> None:
    errors = question_errors(short_answer_dict(answers=["Lipetsk", "lipetsk"]))
    assert "list it once" in errors["answers"][1][0]
    errors = question_errors(
        short_answer_dict(wrong_answers=[{"answer": "Lipezk", "feedback": "x"}])
    )
    assert "also an accepted answer" in errors["wrong_answers"][0]["answer"][0]
