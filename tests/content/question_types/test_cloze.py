"""cloze: gap syntax, alternatives, per-gap normalisation, share of right gaps."""

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
    word,
)
from tests.helpers import cloze_dict, load_question, question, question_errors
from webapp.content.question_types import REGISTRY, InputError
from webapp.content.question_types._text import normalize

T = REGISTRY["cloze"]


@st.composite
def questions(draw: Any) -> Any:
    n = draw(st.integers(1, 4))
    gaps = [
        "|".join(marker(f"gap{g}alt", a) for a in range(draw(st.integers(1, 3))))
        for g in range(n)
    ]
    text = "".join(f"{draw(word)} {{{{{gap}}}}} " for gap in gaps) + draw(word)
    return load_question(
        cloze_dict(
            text=text,
            typos=draw(st.integers(0, 3)),
            points=draw(st.integers(1, 10)),
            explanation=marker("explanation", 0),
        )
    )


@PROP
@given(questions(), st.data(), st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_any_gap_texts_keep_the_contract(
    q: Any, data: Any, seed: int, loc: str
) -> None:
    typed = st.one_of(st.just(""), st.text(max_size=15).map(str.strip))
    answer = tuple(data.draw(typed) for _ in q.blanks)
    if not any(normalize(a) for a in answer):
        answer = ("x", *answer[1:])
    check_answer(q, answer, seed, seed + 1, loc)


@PROP
@given(questions(), st.integers(0, 10**6), st.data())
def test_the_key_gets_full_marks_and_is_not_shown(q: Any, seed: int, data: Any) -> None:
    key = tuple(data.draw(st.sampled_from(b.answers)) for b in q.blanks)
    check_key(q, key, seed)
    secrets = [a for b in q.blanks for a in b.answers] + [q.explanation, "{{"]
    check_public(q, seed, secrets)


@PROP
@given(questions(), raw_forms, st.integers(0, 10**6), st.sampled_from(LOCALES))
def test_parse_raises_only_input_errors(q: Any, raw: Any, seed: int, loc: str) -> None:
    check_parse_total(q, raw, seed, loc)


def test_text_is_split_into_parts_and_blanks() -> None:
    q = question("cloze")
    assert q.parts == ("Signed in ", " by ", " and ", ".")
    assert [b.answers for b in q.blanks] == [
        ("Moscow",),
        ("Molotov",),
        ("Ribbentrop", "von Ribbentrop"),
    ]


def test_score_is_the_share_of_right_gaps_and_alternatives_count() -> None:
    q = question("cloze", points=3)
    assert T.grade(q, ("moscow", "Molotov", "von Ribbentrop")).points == 3.0
    score = T.grade(q, ("Moskau", "", "Ribbentrop"))
    assert score.points == pytest.approx(1.0)
    assert score.detail == (False, False, True)


def test_gaps_are_normalised_and_typos_need_five_letters() -> None:
    q = question("cloze", text="Signed in {{Moskva}} by {{Molotov}}.", typos=1)
    assert T.grade(q, ("MOSKVÁ", "Molotow")).correct
    q = question("cloze", text="The {{Kama}} school.", typos=1)
    assert not T.grade(q, ("Kamo",)).correct


def test_some_gaps_may_be_blank_but_not_all() -> None:
    q = question("cloze")
    assert T.parse(q, {"0": "Moscow"}, {}, "en") == ("Moscow", "", "")
    with pytest.raises(InputError) as err:
        T.parse(q, {"0": " ", "2": ""}, {}, "en")
    assert err.value.code == "empty"


def test_public_gives_the_text_around_the_gaps_only() -> None:
    view = T.public(question("cloze"), {})
    assert view["parts"] == ["Signed in ", " by ", " and ", "."]
    assert view["gaps"] == [{"name": "0"}, {"name": "1"}, {"name": "2"}]
    assert "Moscow" not in str(view)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("No gaps here.", "the text has no gaps"),
        ("Signed in {{}}.", "gap 1 is empty"),
        ("Signed in {{Moscow|}}.", "gap 1 has an empty alternative"),
        ("Signed in {{Moscow.", "is not closed"),
        ("Signed in Moscow}}.", "closes no gap"),
        ("Signed {{in {{Moscow}}}}.", "a gap starts inside the gap"),
        ("Signed in {Moscow} by {{Molotov}}.", "a single { or } is not allowed"),
        ("Signed in {{?!}}.", "only punctuation"),
    ],
)
def test_gap_syntax_errors_say_what_to_write(text: str, needle: str) -> None:
    errors = question_errors(cloze_dict(text=text))
    assert needle in errors["text"][0]


def test_stored_answers_round_trip() -> None:
    q = question("cloze")
    assert T.load_answer(q, ["a", "", "c"]) == ("a", "", "c")
    with pytest.raises(InputError):
        T.load_answer(q, ["a", "b"])
    assert T.key_text(q) == "Signed in [Moscow] by [Molotov] and [Ribbentrop]."
    assert T.answer_text(q, ("Berlin", "", "x")) == "Signed in [Berlin] by […] and [x]."
