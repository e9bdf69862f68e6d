"""YAML -> GIFT -> YAML keeps every question GIFT can express."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import question
from webapp.content.catalog import load_catalog, load_files
from webapp.content.domain import (
    ClozeQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from webapp.content.exporters.base import absolute_tolerance
from webapp.content.exporters.gift import export_gift
from webapp.content.importers.gift import import_gift, lesson_yaml, quiz_yaml

ROOT = Path(__file__).parents[3]
ROOTS = {"sample": ROOT / "examples" / "sample", "repository": ROOT}


def comparable(q: Question) -> dict[str, Any]:
    """Return what a GIFT round trip must keep: text, keys, feedback, tolerance."""
    out: dict[str, Any] = {
        "type": q.type,
        "prompt": q.prompt,
        "explanation": q.explanation,
        "hint": q.hint,
        "stimulus": (q.stimulus.text, q.stimulus.by) if q.stimulus else None,
    }
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        out["choices"] = [(c.text, c.correct, c.feedback) for c in q.choices]
        if (
            isinstance(q, MultipleChoiceQuestion)
            and sum(c.correct for c in q.choices) > 1
        ):
            out["scoring"] = q.scoring
    elif isinstance(q, TrueFalseQuestion):
        out["answer"], out["feedback"] = q.answer, q.feedback
    elif isinstance(q, ShortAnswerQuestion):
        out["answers"] = q.answers
        out["wrong"] = [(w.answer, w.feedback) for w in q.wrong_answers]
    elif isinstance(q, NumericQuestion):
        out["answer"] = q.answer
        out["tolerance"] = pytest.approx(absolute_tolerance(q))
        out["unit"] = q.unit
    elif isinstance(q, MatchingQuestion):
        out["pairs"], out["extra"] = q.pairs, q.extra
    elif isinstance(q, OrderingQuestion):
        out["items"] = q.items
    elif isinstance(q, ClozeQuestion):
        out["text"] = q.text
    return out


def expressible(q: Question) -> bool:
    """GIFT has one gap per question, so only one-gap cloze can come back whole."""
    return not (isinstance(q, ClozeQuestion) and len(q.blanks) > 1)


def round_trip(quiz: Quiz, tmp_path: Path) -> Quiz:
    """Export `quiz` to GIFT, import it, write the YAML and load it for real."""
    gift = export_gift(quiz).data
    assert isinstance(gift, str)
    result = import_gift(gift, quiz_id=quiz.id, title=quiz.title)
    assert not [p for p in result.problems if p.left_out]
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes" / f"{quiz.id}.yaml").write_text(quiz_yaml(result))
    lesson = lesson_yaml(result)
    assert lesson is not None
    (tmp_path / "lessons" / f"{quiz.id}.yaml").write_text(lesson)
    catalog = load_files(
        [
            tmp_path / "lessons" / f"{quiz.id}.yaml",
            tmp_path / "quizzes" / f"{quiz.id}.yaml",
        ]
    )
    assert catalog.ok, [str(e) for e in catalog.errors]
    return catalog.quizzes[quiz.id]


def _quizzes() -> list[tuple[str, str]]:
    out = []
    for name, root in ROOTS.items():
        catalog = load_catalog(root)
        out += [(name, qid) for qid, quiz in catalog.quizzes.items() if not quiz.pools]
    return out


@pytest.mark.parametrize(("root", "quiz_id"), _quizzes())
def test_every_expressible_question_survives(root: str, quiz_id: str, tmp_path: Path):
    quiz = load_catalog(ROOTS[root]).quizzes[quiz_id]
    back = round_trip(quiz, tmp_path)
    kept = [q for q in quiz.questions if expressible(q)]
    assert kept, "the quiz should have questions GIFT can express"
    for q in kept:
        again = back.question(q.id)
        assert again is not None, f"{q.id} was lost"
        assert comparable(again) == comparable(q), q.id


def test_sample_round_trip_covers_every_type_gift_has(tmp_path: Path):
    quiz = load_catalog(ROOTS["sample"]).quizzes["sample"]
    one_gap = question(
        "cloze", id="one-gap", text="Signed at {{Rapallo|Rapallo, Italy}}."
    )
    quiz = dataclasses.replace(quiz, questions=(*quiz.questions, one_gap))
    back = round_trip(quiz, tmp_path)
    assert {q.type for q in back.questions} == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "numeric",
        "ordering",
        "matching",
        "cloze",
    }
    again = back.question("one-gap")
    assert again is not None
    assert comparable(again) == comparable(one_gap)
