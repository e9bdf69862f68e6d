"""GIFT import: a realistic Moodle bank, escapes, safe YAML, and the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from webapp.content.catalog import load_files
from webapp.content.domain import Quiz
from webapp.content.importers.gift import (
    html_to_text,
    import_gift,
    lesson_yaml,
    quiz_yaml,
    slug,
)

BANK = Path(__file__).parent / "bank.gift"


def _line(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def _load(result: Any, tmp_path: Path) -> Quiz:
    """Write the import as files and load them through the real loader."""
    quiz_id = result.quiz["id"]
    paths = [tmp_path / "quizzes" / f"{quiz_id}.yaml"]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    paths[0].write_text(quiz_yaml(result), encoding="utf-8")
    lesson = lesson_yaml(result)
    if lesson is not None:
        paths.append(tmp_path / "lessons" / f"{result.quiz['lesson']}.yaml")
        paths[1].parent.mkdir(parents=True, exist_ok=True)
        paths[1].write_text(lesson, encoding="utf-8")
    catalog = load_files(paths)
    assert catalog.ok, [str(e) for e in catalog.errors]
    return catalog.quizzes[quiz_id]


@pytest.fixture(scope="module")
def bank() -> str:
    """Return the realistic GIFT bank."""
    return BANK.read_text(encoding="utf-8")


def test_bank_converts_what_it_can_and_passes_check(bank: str, tmp_path: Path):
    result = import_gift(bank, quiz_id="versailles")
    quiz = _load(result, tmp_path)
    assert quiz.title == "The Versailles order"
    assert [(q.id, q.type) for q in quiz.questions] == [
        ("versailles-signed", "single_choice"),
        ("banned-weapons", "multiple_choice"),
        ("league", "true_false"),
        ("capital", "short_answer"),
        ("army-cap", "numeric"),
        ("joined", "numeric"),
        ("rathenau", "numeric"),
        ("treaties", "matching"),
        ("where-signed", "single_choice"),
        ("q10", "cloze"),
        ("escapes-all-of-them", "single_choice"),
    ]


def test_not_convertible_questions_are_reported_with_their_line(bank: str):
    result = import_gift(bank, quiz_id="versailles")
    left_out = {p.line: p.message for p in result.problems if p.left_out}
    assert set(left_out) == {
        _line(bank, "::Essay::"),
        _line(bank, "::Intro::"),
        _line(bank, "::Broken::"),
    }
    assert "essay" in left_out[_line(bank, "::Essay::")]
    assert "description" in left_out[_line(bank, "::Intro::")]
    assert "do not pair up" in left_out[_line(bank, "::Broken::")]
    assert str(result.problems[0]).startswith("line ")


def test_each_type_keeps_its_answers_and_feedback(bank: str, tmp_path: Path):
    quiz = _load(import_gift(bank, quiz_id="versailles"), tmp_path)
    signed = quiz.question("versailles-signed")
    assert [(c.text, c.correct, c.feedback) for c in signed.choices] == [  # type: ignore[union-attr]
        ("June 1919", True, "Right: on 28 June 1919."),
        ("November 1918", False, "That is the armistice."),
        ("January 1920", False, "That is when it came into force."),
    ]
    assert signed.explanation == "It was signed in the Hall of Mirrors."  # type: ignore[union-attr]
    banned = quiz.question("banned-weapons")
    assert banned.prompt == "Which weapons did the treaty *ban* for Germany?"  # type: ignore[union-attr]
    assert [c.correct for c in banned.choices] == [True, True, False]  # type: ignore[union-attr]
    assert banned.scoring == "partial"  # type: ignore[union-attr]
    league = quiz.question("league")
    assert (league.answer, league.feedback) == (False, "It joined in 1926.")  # type: ignore[union-attr]
    capital = quiz.question("capital")
    assert capital.answers == ("Berlin", "Berlin, Germany")  # type: ignore[union-attr]
    assert capital.wrong_answers[0].answer == "Weimar"  # type: ignore[union-attr]
    joined = quiz.question("joined")
    assert (joined.answer, joined.tolerance) == (1926, 1)  # type: ignore[union-attr]
    assert joined.prompt == "In which year did Germany join the League?"  # type: ignore[union-attr]
    treaties = quiz.question("treaties")
    assert treaties.pairs == (  # type: ignore[union-attr]
        ("Versailles", "Germany"),
        ("Trianon", "Hungary"),
        ("Neuilly", "Bulgaria"),
    )
    assert treaties.extra == ("Italy",)  # type: ignore[union-attr]
    where = quiz.question("where-signed")
    assert where.prompt == "The treaty with Germany was signed at _____ in 1919."  # type: ignore[union-attr]
    cloze = quiz.question("q10")
    assert cloze.text == (  # type: ignore[union-attr]
        "The Treaty of Rapallo was signed during the {{Genoa|Genova}} Conference."
    )


def test_escapes_come_back_as_the_characters(bank: str, tmp_path: Path):
    quiz = _load(import_gift(bank, quiz_id="versailles"), tmp_path)
    q = quiz.question("escapes-all-of-them")
    assert q.prompt == "Is 1:2 a ratio, and are {these} braces?"  # type: ignore[union-attr]
    assert [(c.text, c.feedback) for c in q.choices] == [  # type: ignore[union-attr]
        ("a = b", "feedback with a # hash"),
        ("c ~ d", None),
    ]


def test_changes_are_reported_and_written_as_comments(bank: str):
    result = import_gift(bank, quiz_id="versailles")
    changed = [p for p in result.problems if not p.left_out]
    lines = {p.line for p in changed}
    assert _line(bank, "::League::") in lines  # right-answer feedback dropped
    assert _line(bank, "::Rathenau::") in lines  # partial numeric answer dropped
    text = quiz_yaml(result)
    assert "# changed: the feedback for a right answer is left out" in text
    assert f"# from line {_line(bank, '::Capital::')}" in text


def test_placeholder_lesson_or_an_existing_one(bank: str):
    own = import_gift(bank, quiz_id="versailles")
    assert own.quiz["lesson"] == "versailles"
    assert own.lesson is not None
    assert own.lesson["id"] == "versailles"
    other = import_gift(bank, quiz_id="versailles", lesson_id="rapallo")
    assert other.quiz["lesson"] == "rapallo"
    assert other.lesson is None
    assert lesson_yaml(other) is None


@pytest.mark.parametrize(
    "answer",
    ["no", "yes", "on", "true", "null", "1922", "3.5", "2021-01-01", "1\\:30", "@at"],
)
def test_answers_yaml_would_misread_are_quoted(answer: str, tmp_path: Path):
    gift = f"::q::Type it.{{={answer} =sentinel}}\n"
    quiz = _load(import_gift(gift, quiz_id="t"), tmp_path)
    q = quiz.question("q")
    assert q.answers == (answer.replace("\\", ""), "sentinel")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "prompt",
    [
        "Key: value?",
        "- looks like a list",
        "# looks like a comment",
        "'single' and \"double\" quotes",
        "{{not a gap}} and [brackets]",
        "Zeile\\neins",
        "Отметьте верный ответ",
    ],
)
def test_prompts_survive_the_yaml_dump(prompt: str):
    escaped = prompt.replace("{", "\\{").replace("}", "\\}").replace(":", "\\:")
    result = import_gift(f"::q::{escaped}{{T}}\n", quiz_id="t")
    doc = yaml.safe_load(quiz_yaml(result))
    assert doc["questions"][0]["prompt"] == prompt.replace("\\n", "\n")


def test_nothing_convertible():
    result = import_gift("::a::Describe it.{}\n\nJust text.\n", quiz_id="t")
    assert result.converted == 0
    assert [p.line for p in result.problems] == [1, 3]


def test_ids_from_titles_are_slugs_and_unique():
    gift = "::Größe!::A?{T}\n\n::Größe!::B?{F}\n\nC?{T}\n"
    result = import_gift(gift, quiz_id="t")
    assert [q["id"] for q in result.quiz["questions"]] == ["grosse", "grosse-2", "q3"]
    assert slug("  Rapallo: 1922 ") == "rapallo-1922"
    assert slug("???") == ""


def test_invalid_question_is_left_out_with_the_schema_message():
    # Two choices with the same text: our schema refuses, Moodle did not.
    result = import_gift("::dup::Pick.{=Same ~Same}\n", quiz_id="t")
    assert result.converted == 0
    assert "repeats the text of choice 1" in result.problems[0].message


def test_all_or_nothing_weights_come_back_as_all_or_nothing():
    gift = "::m::Pick.{~%50%A ~%50%B ~%-100%C}\n"
    q = import_gift(gift, quiz_id="t").quiz["questions"][0]
    assert q["scoring"] == "all_or_nothing"


def test_html_becomes_inline_markdown():
    text, lost = html_to_text(
        '<p>A <strong>bold</strong> <a href="https://x.org">link</a>,<br>'
        '<code>code</code></p><p>Second <img src="x.png"> <table></table></p>'
    )
    assert text == "A **bold** [link](https://x.org),\n`code`\n\nSecond"
    assert lost == ["an image", "<table>"]
