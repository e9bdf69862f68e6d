"""Attempts and scores, pure: draw an attempt, parse and grade answers, item statistics.

Nothing here touches Flask or a database; the views store what these functions return.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from webapp.content.domain import (
    MultipleChoiceQuestion,
    Question,
    Quiz,
    Score,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from webapp.content.question_types import REGISTRY, Presentation, Raw

__all__ = [
    "AttemptPlan",
    "AttemptResult",
    "ItemResponse",
    "ItemStat",
    "ItemStats",
    "UnknownQuestionError",
    "build_attempt",
    "grade_answer",
    "grade_attempt",
    "item_response",
    "item_statistics",
    "parse_answer",
]

RELIABLE_N = 20


class UnknownQuestionError(KeyError):
    """An answer or a plan names a question that is not in the attempt or the quiz."""

    def __init__(self, question_id: str, where: str) -> None:
        super().__init__(question_id)
        self.question_id = question_id
        self.message = f'question "{question_id}" is not in {where}'

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class AttemptPlan:
    """What one attempt shows: the seed, the questions in order, their permutations."""

    seed: int
    question_ids: tuple[str, ...]
    presentations: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the plan as JSON for storage with the attempt."""
        return {
            "seed": self.seed,
            "question_ids": list(self.question_ids),
            "presentations": self.presentations,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AttemptPlan:
        """Rebuild a stored plan."""
        return cls(
            seed=int(data["seed"]),
            question_ids=tuple(str(q) for q in data["question_ids"]),
            presentations={
                str(k): {str(n): [int(i) for i in p] for n, p in v.items()}
                for k, v in data.get("presentations", {}).items()
            },
        )


def _sample(rng: random.Random, pool: Sequence[Question], k: int) -> list[Question]:
    return rng.sample(list(pool), min(max(k, 0), len(pool)))


def _stratified(rng: random.Random, pool: Sequence[Question], k: int) -> list[Question]:
    """Draw k, keeping at least the pool's analysis share (rounded up)."""
    analysis = [q for q in pool if q.is_analysis]
    knowledge = [q for q in pool if not q.is_analysis]
    k = min(k, len(pool))
    want = min(len(analysis), math.ceil(k * len(analysis) / len(pool))) if pool else 0
    # Too few knowledge questions to fill the rest: take more analysis ones.
    want = max(want, k - len(knowledge))
    return _sample(rng, analysis, want) + _sample(rng, knowledge, k - want)


def build_attempt(quiz: Quiz, seed: int) -> AttemptPlan:
    """Draw the questions of one attempt and their presentations from `seed`.

    The same quiz and seed always give the same plan.
    """
    rng = random.Random(seed)
    order = {q.id: i for i, q in enumerate(quiz.questions)}
    chosen: list[Question]
    if quiz.pools:
        chosen = []
        taken: set[str] = set()
        for ref in quiz.pools:
            pool = [
                q
                for q in quiz.questions
                if q.pool == ref.quiz
                and q.id not in taken
                and (not ref.skills or q.skill in ref.skills)
            ]
            drawn = _sample(rng, pool, ref.draw)
            taken.update(q.id for q in drawn)
            chosen.extend(drawn)
        chosen.extend(q for q in quiz.questions if q.pool is None)
    elif quiz.draw is not None and quiz.draw < len(quiz.questions):
        draw = _stratified if quiz.stratify else _sample
        chosen = draw(rng, quiz.questions, quiz.draw)
    else:
        chosen = list(quiz.questions)
    if quiz.shuffle:
        rng.shuffle(chosen)
    else:
        chosen.sort(key=lambda q: order[q.id])
    presentations = {
        q.id: REGISTRY[q.type].present(q, rng, quiz.shuffle) for q in chosen
    }
    return AttemptPlan(seed, tuple(q.id for q in chosen), presentations)


def parse_answer(q: Question, raw: Raw, presentation: Presentation, locale: str) -> Any:
    """Turn form values into the canonical answer of q's type, or raise InputError."""
    return REGISTRY[q.type].parse(q, raw, presentation, locale)


def grade_answer(q: Question, answer: Any) -> Score:
    """Grade one canonical answer; None (unanswered) scores 0."""
    if answer is None:
        return Score(0.0, float(q.points))
    return REGISTRY[q.type].grade(q, answer)


@dataclass(frozen=True)
class AttemptResult:
    """The graded attempt: a Score per planned question and the totals."""

    scores: dict[str, Score]
    answered: frozenset[str]
    points: float
    max_points: float
    percent: float
    passed: bool


def grade_attempt(
    quiz: Quiz, plan: AttemptPlan, answers: Mapping[str, Any | None]
) -> AttemptResult:
    """Grade every question of the plan; unanswered ones score 0.

    Raises UnknownQuestionError when an answer names a question outside the plan,
    or the plan names one the quiz no longer has.
    """
    planned = set(plan.question_ids)
    for qid in answers:
        if qid not in planned:
            raise UnknownQuestionError(qid, "this attempt")
    scores: dict[str, Score] = {}
    answered: set[str] = set()
    for qid in plan.question_ids:
        q = quiz.question(qid)
        if q is None:
            raise UnknownQuestionError(qid, f'quiz "{quiz.id}"')
        answer = answers.get(qid)
        if answer is not None:
            answered.add(qid)
        scores[qid] = grade_answer(q, answer)
    points = sum(s.points for s in scores.values())
    max_points = sum(s.max_points for s in scores.values())
    percent = 100.0 * points / max_points if max_points else 0.0
    return AttemptResult(
        scores=scores,
        answered=frozenset(answered),
        points=points,
        max_points=max_points,
        percent=percent,
        passed=percent + 1e-9 >= quiz.pass_mark,
    )


@dataclass(frozen=True)
class ItemResponse:
    """One learner's result on one question, as item statistics need it."""

    points: float
    max_points: float
    picked: tuple[str, ...] = ()  # choice ids picked ("true"/"false" for true_false)


def item_response(q: Question, answer: Any | None, score: Score) -> ItemResponse:
    """Build the ItemResponse of a graded answer (picked choices for choice types)."""
    picked: tuple[str, ...] = ()
    if answer is not None:
        if isinstance(q, SingleChoiceQuestion):
            picked = (str(answer),)
        elif isinstance(q, MultipleChoiceQuestion):
            picked = tuple(str(a) for a in answer)
        elif isinstance(q, TrueFalseQuestion):
            picked = ("true" if answer else "false",)
    return ItemResponse(score.points, score.max_points, picked)


@dataclass(frozen=True)
class ItemStat:
    """Statistics of one question over the attempts that included it."""

    question_id: str
    n: int
    facility: float | None  # mean score fraction, 0..1
    discrimination: float | None  # item vs rest-of-test correlation, -1..1
    distractors: dict[str, int]  # choice id -> how many picked it
    reliable: bool


@dataclass(frozen=True)
class ItemStats:
    """Item statistics for a set of attempts; `reliable` needs 20 attempts or more."""

    n: int
    items: dict[str, ItemStat]
    reliable: bool


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def item_statistics(
    responses: Iterable[Mapping[str, ItemResponse]],
) -> ItemStats:
    """Compute facility, discrimination and distractor counts per question.

    `responses` holds one mapping per submitted attempt, question id to ItemResponse
    (unanswered questions included with 0 points). Facility is the mean score fraction.
    Discrimination is the corrected item-total correlation, as in Moodle's
    "discrimination index": Pearson's r between the item's score fraction and the
    attempt's score fraction on the *other* questions (so the item does not correlate
    with itself). It is None when fewer than two attempts include the item or either
    score does not vary. Figures from fewer than 20 attempts are marked unreliable.
    """
    attempts = list(responses)
    item_x: dict[str, list[float]] = {}
    rest_y: dict[str, list[float]] = {}
    picks: dict[str, dict[str, int]] = {}
    for attempt in attempts:
        total = sum(r.points for r in attempt.values())
        total_max = sum(r.max_points for r in attempt.values())
        for qid, r in attempt.items():
            frac = r.points / r.max_points if r.max_points > 0 else 0.0
            rest_max = total_max - r.max_points
            rest = (total - r.points) / rest_max if rest_max > 0 else 0.0
            item_x.setdefault(qid, []).append(frac)
            rest_y.setdefault(qid, []).append(rest)
            counts = picks.setdefault(qid, {})
            for choice in r.picked:
                counts[choice] = counts.get(choice, 0) + 1
    items = {
        qid: ItemStat(
            question_id=qid,
            n=len(xs),
            facility=sum(xs) / len(xs) if xs else None,
            discrimination=_pearson(xs, rest_y[qid]),
            distractors=picks[qid],
            reliable=len(xs) >= RELIABLE_N,
        )
        for qid, xs in item_x.items()
    }
    return ItemStats(n=len(attempts), items=items, reliable=len(attempts) >= RELIABLE_N)
