"""GIFT export: Moodle's syntax for each type, escaping, and the warnings."""

from __future__ import annotations

import pytest

from tests.content.exporters.conftest import make_quiz
from tests.helpers import question
from webapp.content.domain import Lesson, Quiz
from webapp.content.exporters.gift import escape, export_gift


def _block(text: str, qid: str) -> str:
    """Return the GIFT lines of one question."""
    start = text.index(f"::{qid}::")
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else None]


def test_escape_covers_every_special_character():
    assert escape("a~b=c#d{e}f:g") == "a\\~b\\=c\\#d\\{e\\}f\\:g"
    assert escape("back\\slash") == "back\\\\slash"
    assert escape("two\nlines") == "two\\nlines"


def test_sample_exports_every_question_with_its_category(sample: tuple[Quiz, Lesson]):
    quiz, lesson = sample
    result = export_gift(quiz, lesson)
    assert isinstance(result.data, str)
    assert result.filename == "sample.gift.txt"
    assert "$CATEGORY: $course$/top/Sample\\: check" not in result.data
    assert "$CATEGORY: $course$/top/Sample: check your understanding" in result.data
    for q in quiz.questions:
        assert f"::{q.id}" in result.data
    # Questions are separated by blank lines and contain none themselves.
    blocks = [b for b in result.data.split("\n\n") if "::" in b]
    assert len(blocks) >= len(quiz.questions)


def test_single_choice_marks_the_right_answer_and_keeps_feedback():
    q = question("single_choice")
    text = export_gift(make_quiz(q)).data
    block = _block(str(text), q.id)
    assert "\t=April 1922\n" in block
    assert "\t~June 1919#That is the Treaty of Versailles.\n" in block
    assert "\t####Signed on 16 April 1922, during the Genoa Conference.\n" in block


def test_multiple_choice_partial_weights_cancel_one_share_per_wrong_pick():
    q = question("multiple_choice", scoring="partial")
    right = sum(c.correct for c in q.choices)
    result = export_gift(make_quiz(q))
    block = _block(str(result.data), q.id)
    share = f"{100 / right:.5f}".rstrip("0").rstrip(".")
    assert block.count(f"~%{share}%") == right
    assert block.count(f"~%-{share}%") == len(q.choices) - right
    assert "=" not in block.replace("\\=", "").split("{", 1)[1]  # no single answer


def test_all_or_nothing_uses_minus_100_and_says_so():
    q = question("multiple_choice", scoring="all_or_nothing")
    result = export_gift(make_quiz(q))
    assert "~%-100%" in str(result.data)
    assert any("all-or-nothing" in w for w in result.warnings)


def test_true_false_puts_the_wrong_answer_feedback_first():
    q = question("true_false", answer=False, feedback="It had none.")
    block = _block(str(export_gift(make_quiz(q)).data), q.id)
    assert block.rstrip().endswith("{FALSE#It had none.}")
    q = question("true_false", answer=True, feedback=..., explanation="Why.")
    block = _block(str(export_gift(make_quiz(q)).data), q.id)
    assert block.rstrip().endswith("{TRUE####Why.}")


def test_short_answer_lists_forms_and_wrong_answers_and_warns_about_typos():
    q = question(
        "short_answer",
        answers=["Lipetsk", "Lipezk"],
        typos=1,
        wrong_answers=[{"answer": "Samara", "feedback": "That was Bersol."}],
    )
    result = export_gift(make_quiz(q))
    block = _block(str(result.data), q.id)
    assert "\t=Lipetsk\n\t=Lipezk\n\t=%0%Samara#That was Bersol.\n" in block
    assert any("typos: 1 is lost" in w for w in result.warnings)


def test_numeric_percent_tolerance_becomes_absolute_with_a_warning():
    q = question("numeric", answer=100000, tolerance="5%")
    result = export_gift(make_quiz(q))
    assert "{#100000:5000}" in str(result.data)
    assert any("5 % of 100000 is written as 5000" in w for w in result.warnings)


def test_matching_writes_extras_the_way_moodle_does():
    q = question(
        "matching",
        pairs={"Lipetsk": "aircraft", "Kama": "tanks"},
        extra=["submarines"],
    )
    block = _block(str(export_gift(make_quiz(q)).data), q.id)
    assert "\t=Lipetsk -> aircraft\n\t=Kama -> tanks\n\t= -> submarines\n" in block


def test_ordering_becomes_matching_to_positions_with_a_warning():
    q = question("ordering", items=["Versailles", "Rapallo", "Berlin"])
    result = export_gift(make_quiz(q))
    block = _block(str(result.data), q.id)
    assert "\t=Versailles -> 1\n\t=Rapallo -> 2\n\t=Berlin -> 3\n" in block
    assert any("(ordering)" in w and "matching" in w for w in result.warnings)


def test_one_gap_cloze_is_a_missing_word_question():
    q = question("cloze", text="Signed at {{Rapallo|Rapallo, Italy}} in 1922.")
    block = _block(str(export_gift(make_quiz(q)).data), q.id)
    assert "Signed at {=Rapallo =Rapallo, Italy} in 1922." in block


def test_multi_gap_cloze_is_split_into_one_question_per_gap():
    q = question("cloze", text="Signed in {{Moscow}} by {{Molotov}}.")
    result = export_gift(make_quiz(q))
    text = str(result.data)
    assert f"::{q.id}-gap1::" in text
    assert f"::{q.id}-gap2::" in text
    assert "Signed in {=Moscow} by [\u2026]." in text
    assert "Signed in [\u2026] by {=Molotov}." in text
    assert any("2 gaps become 2 questions" in w for w in result.warnings)


def test_stimulus_and_hint_go_into_the_html_question_text():
    q = question(
        "single_choice",
        stimulus={"text": "We agree: no claims.", "by": "Treaty, art. 1"},
        hint="Read the excerpt.",
    )
    block = _block(str(export_gift(make_quiz(q)).data), q.id)
    assert block.startswith(f"::{q.id}::[html]<blockquote><p>We agree\\: no claims.")
    assert "<p>\u2014 Treaty, art. 1</p></blockquote>" in block
    assert '<p class\\="hint">Read the excerpt.</p>' in block


@pytest.mark.parametrize(
    "prompt",
    [
        "Which clause: {secret} or public?",
        "a = b # c ~ d",
        "Path C:\\temp and \\n literally",
        "1 < 2 & 3 > 2",
    ],
)
def test_special_characters_never_break_the_question(prompt: str):
    q = question("true_false", prompt=prompt)
    text = str(export_gift(make_quiz(q)).data)
    line = next(li for li in text.splitlines() if li.startswith(f"::{q.id}::"))
    body = line.split("::[html]", 1)[1]
    # Exactly one unescaped { and } remain: the answer braces.
    unescaped = body.replace("\\\\", "").replace("\\{", "").replace("\\}", "")
    assert unescaped.count("{") == 1
    assert unescaped.count("}") == 1


def test_settings_points_and_tags_that_gift_lacks_are_reported():
    q = question("true_false", points=3, skill="recall")
    result = export_gift(make_quiz(q, draw=1, time_limit=20))
    joined = " ".join(result.warnings)
    assert "draw 1 questions" in joined
    assert "time limit 20 minutes" in joined
    assert "no marks per question" in joined
    assert q.id in joined
    assert "skill" in joined
