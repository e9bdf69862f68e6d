"""Printable worksheet: the student copy gives nothing away; the key has it all."""

from __future__ import annotations

import pytest

from tests.content.exporters.conftest import make_quiz
from tests.helpers import question
from webapp.content.domain import Lesson, Quiz
from webapp.content.exporters.worksheet import export_worksheet


def _html(quiz: Quiz, lesson: Lesson | None = None, part: str = "both") -> str:
    data = export_worksheet(quiz, lesson, part=part).data
    assert isinstance(data, str)
    return data


def test_self_contained_page_with_print_css(sample: tuple[Quiz, Lesson]):
    page = _html(*sample)
    assert page.startswith("<!doctype html>")
    assert "<style>" in page
    assert "@media print" in page
    assert "break-before: page" in page
    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page


def test_parts_and_file_names(sample: tuple[Quiz, Lesson]):
    quiz, lesson = sample
    student = export_worksheet(quiz, lesson, part="student")
    key = export_worksheet(quiz, lesson, part="key")
    assert student.filename == "sample.student.html"
    assert key.filename == "sample.key.html"
    assert 'class="key"' not in str(student.data)
    assert 'class="student"' not in str(key.data)
    with pytest.raises(ValueError, match="part must be one of"):
        export_worksheet(quiz, part="teacher")


def test_student_copy_hides_answers_and_the_author_order():
    ordering = question("ordering", items=["Alpha", "Beta", "Gamma"])
    short = question("short_answer", answers=["Lipetsk"])
    page = _html(make_quiz(ordering, short), part="student")
    assert "Lipetsk" not in page
    rows = [page.index(f"<td>{t}</td>") for t in ("Alpha", "Beta", "Gamma")]
    assert rows != sorted(rows)


def test_matching_options_are_lettered_and_scrambled():
    q = question("matching", pairs={"A1": "zeta", "B1": "alpha"}, extra=["mid"])
    page = _html(make_quiz(q), part="both")
    student, key = page.split('<section class="key">')
    assert (
        student.index("<li>alpha</li>")
        < student.index("<li>mid</li>")
        < student.index("<li>zeta</li>")
    )
    assert "A1 \u2192 <strong>C</strong> zeta" in key
    assert "B1 \u2192 <strong>A</strong> alpha" in key


def test_key_has_answer_explanation_and_section_title(sample: tuple[Quiz, Lesson]):
    quiz, lesson = sample
    page = _html(quiz, lesson, part="key")
    signed = quiz.question("signed-when")
    assert signed is not None
    assert signed.see
    section = lesson.section(signed.see)
    assert section is not None
    assert f"See:</span> {section.title} ({lesson.title})" in page
    assert signed.explanation in page


def test_key_describes_each_type():
    quiz = make_quiz(
        question("numeric", answer=4000, tolerance="5%", unit="officers"),
        question("cloze", text="In {{Moscow|Moskva}}.", typos=1),
        question("true_false", answer=False),
    )
    page = _html(quiz, part="key")
    assert "<strong>4000</strong> officers (within \u00b15 %)" in page
    assert "(1) <strong>Moscow</strong> (also accepted: Moskva)" in page
    assert "<strong>False</strong>" in page


def test_labels_follow_the_quiz_language():
    page = _html(make_quiz(question("true_false"), language="de"))
    assert '<html lang="de">' in page
    assert "Wahr" in page
    assert "Lösungen" in page


def test_text_is_escaped():
    q = question("single_choice", prompt="Is <script>alert(1)</script> safe?")
    page = _html(make_quiz(q))
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
