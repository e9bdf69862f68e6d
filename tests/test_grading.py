"""grading: seeded attempt plans, attempt totals and item statistics."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import QUESTION_DICTS, question
from webapp.content.domain import PoolRef, Quiz
from webapp.content.question_types import InputError
from webapp.grading import (
    AttemptPlan,
    ItemResponse,
    UnknownQuestionError,
    build_attempt,
    grade_answer,
    grade_attempt,
    item_response,
    item_statistics,
    parse_answer,
)

PROP = settings(max_examples=40, deadline=None)


def every_type(**quiz: Any) -> Quiz:
    """A quiz with one question of each type, ids q-<type>."""
    questions = tuple(
        question(kind, id=f"q-{kind.replace('_', '-')}") for kind in QUESTION_DICTS
    )
    return Quiz(id="all", title="All", lesson=None, questions=questions, **quiz)


def pool_of(n: int, analysis: int, **quiz: Any) -> Quiz:
    """A quiz of n true/false questions, the first `analysis` tagged sourcing."""
    questions = tuple(
        question(
            "true_false", id=f"q{i}", skill="sourcing" if i < analysis else "recall"
        )
        for i in range(n)
    )
    return Quiz(id="pool", title="Pool", lesson=None, questions=questions, **quiz)


def test_the_same_seed_gives_the_same_plan() -> None:
    quiz = every_type()
    assert build_attempt(quiz, 42) == build_attempt(quiz, 42)
    plans = {build_attempt(quiz, s).question_ids for s in range(10)}
    assert len(plans) > 1


def test_plans_round_trip_through_json() -> None:
    plan = build_attempt(every_type(), 7)
    assert AttemptPlan.from_json(plan.to_json()) == plan


def test_without_shuffle_questions_and_choices_keep_yaml_order() -> None:
    quiz = every_type(shuffle=False)
    plan = build_attempt(quiz, 3)
    assert plan.question_ids == tuple(q.id for q in quiz.questions)
    assert plan.presentations["q-single-choice"] == {"choices": [0, 1, 2]}
    # Ordering is shuffled regardless: the page must not give the order away.
    assert plan.presentations["q-ordering"]["items"] != [0, 1, 2, 3]


@PROP
@given(st.integers(0, 10**9), st.integers(1, 12))
def test_a_draw_takes_distinct_questions(seed: int, draw: int) -> None:
    quiz = pool_of(12, 4, draw=draw)
    plan = build_attempt(quiz, seed)
    assert len(plan.question_ids) == draw == len(set(plan.question_ids))
    assert len(plan.question_ids) == quiz.attempt_size


@PROP
@given(st.integers(0, 10**9), st.integers(1, 10), st.integers(0, 10))
def test_a_stratified_draw_keeps_the_analysis_share(seed: int, k: int, a: int) -> None:
    quiz = pool_of(10, a, draw=k, stratify=True)
    plan = build_attempt(quiz, seed)
    drawn = [quiz.question(i) for i in plan.question_ids]
    n_analysis = sum(1 for q in drawn if q is not None and q.is_analysis)
    assert len(drawn) == k
    assert n_analysis >= min(a, math.ceil(k * a / 10))


def test_a_stratified_draw_example() -> None:
    quiz = pool_of(10, 3, draw=5, stratify=True, shuffle=False)
    for seed in range(20):
        ids = build_attempt(quiz, seed).question_ids
        assert sum(1 for i in ids if i in {"q0", "q1", "q2"}) >= 2  # ceil(1.5)
        assert list(ids) == sorted(ids, key=lambda i: int(i[1:]))  # YAML order


def test_pools_draw_from_other_quizzes_and_keep_own_questions() -> None:
    def pooled(qid: str, pool: str, skill: str) -> Any:
        from dataclasses import replace

        return replace(question("true_false", id=qid, skill=skill), pool=pool)

    questions = (
        pooled("a1", "a", "recall"),
        pooled("a2", "a", "recall"),
        pooled("a3", "a", "recall"),
        pooled("b1", "b", "recall"),
        pooled("b2", "b", "sourcing"),
        pooled("b3", "b", "corroboration"),
        question("true_false", id="own"),
    )
    quiz = Quiz(
        id="final",
        title="Final",
        lesson=None,
        questions=questions,
        pools=(PoolRef("a", 2), PoolRef("b", 1, skills=("sourcing", "corroboration"))),
    )
    for seed in range(20):
        ids = build_attempt(quiz, seed).question_ids
        assert len(ids) == 4 == quiz.attempt_size
        assert "own" in ids
        assert sum(1 for i in ids if i.startswith("a")) == 2
        assert {i for i in ids if i.startswith("b")} <= {"b2", "b3"}


def test_grade_attempt_sums_and_counts_unanswered_as_zero() -> None:
    quiz = every_type(pass_mark=50)
    plan = build_attempt(quiz, 1)
    answers: dict[str, Any] = {
        "q-single-choice": "c1",  # right
        "q-true-false": True,  # wrong
        "q-numeric": Decimal(100000),  # right
        "q-short-answer": None,  # skipped
    }
    result = grade_attempt(quiz, plan, answers)
    assert set(result.scores) == set(plan.question_ids)
    assert result.points == 2.0
    assert result.max_points == 8.0
    assert result.percent == 25.0
    assert result.passed is False
    assert result.answered == {"q-single-choice", "q-true-false", "q-numeric"}
    assert result.scores["q-short-answer"].points == 0.0


def test_passing_is_at_or_above_the_pass_mark() -> None:
    quiz = pool_of(4, 0, pass_mark=75)
    plan = build_attempt(quiz, 0)
    answers = {"q0": False, "q1": False, "q2": False, "q3": True}
    result = grade_attempt(quiz, plan, answers)
    assert (result.percent, result.passed) == (75.0, True)


def test_answers_outside_the_plan_are_refused() -> None:
    quiz = pool_of(6, 0, draw=3)
    plan = build_attempt(quiz, 5)
    outside = next(q.id for q in quiz.questions if q.id not in plan.question_ids)
    with pytest.raises(UnknownQuestionError, match=f'question "{outside}" is not in'):
        grade_attempt(quiz, plan, {outside: False})
    with pytest.raises(UnknownQuestionError):
        grade_attempt(quiz, plan, {"nope": False})
    gone = AttemptPlan(seed=5, question_ids=("vanished",), presentations={})
    with pytest.raises(UnknownQuestionError, match="quiz"):
        grade_attempt(quiz, gone, {})


@PROP
@given(st.integers(0, 10**6), st.data())
def test_attempt_totals_stay_in_range(seed: int, data: Any) -> None:
    quiz = every_type()
    plan = build_attempt(quiz, seed)
    answers: dict[str, Any] = {}
    for qid in plan.question_ids:
        q = quiz.question(qid)
        assert q is not None
        raw = data.draw(
            st.dictionaries(
                st.sampled_from(["value", "0", "1", "2", "3"]),
                st.lists(
                    st.sampled_from(["0", "1", "2", "3", "4", "true", "x"]), max_size=2
                ),
            )
        )
        try:
            answers[qid] = parse_answer(q, raw, plan.presentations[qid], "en")
        except InputError:
            answers[qid] = None
    result = grade_attempt(quiz, plan, answers)
    assert 0.0 <= result.points <= result.max_points == 8.0
    assert 0.0 <= result.percent <= 100.0


def test_parse_and_grade_dispatch_by_type() -> None:
    q = question("numeric")
    assert parse_answer(q, {"value": ["100.000"]}, {}, "de") == Decimal(100000)
    assert grade_answer(q, Decimal(100000)).correct
    assert grade_answer(q, None).points == 0.0


def test_item_statistics() -> None:
    sc = question("single_choice")
    tf = question("true_false")
    attempts = []
    # 12 strong learners get both right; 8 weak ones pick c2 and answer true.
    for i in range(20):
        strong = i < 12
        sc_answer = "c1" if strong else "c2"
        tf_answer = False if strong else True
        attempts.append(
            {
                "sc": item_response(sc, sc_answer, grade_answer(sc, sc_answer)),
                "tf": item_response(tf, tf_answer, grade_answer(tf, tf_answer)),
                "other": ItemResponse(1.0 if strong else 0.0, 1.0),
            }
        )
    stats = item_statistics(attempts)
    assert stats.n == 20
    assert stats.reliable
    item = stats.items["sc"]
    assert item.facility == pytest.approx(0.6)
    assert item.discrimination == pytest.approx(1.0)
    assert item.distractors == {"c1": 12, "c2": 8}
    assert stats.items["tf"].distractors == {"false": 12, "true": 8}


def test_item_statistics_with_few_or_flat_responses() -> None:
    tf = question("true_false")
    same = [{"tf": item_response(tf, False, grade_answer(tf, False))} for _ in range(3)]
    stats = item_statistics(same)
    assert not stats.reliable
    assert stats.items["tf"].facility == 1.0
    assert stats.items["tf"].discrimination is None  # no variance
    assert stats.items["tf"].reliable is False
    assert item_statistics([]).items == {}
