"""Moodle XML export: well-formed, and the structure Moodle's importer reads."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.content.exporters.conftest import make_quiz
from tests.helpers import question
from webapp.content.domain import Lesson, Quiz
from webapp.content.exporters.moodle_xml import export_moodle_xml


def _parse(quiz: Quiz) -> ET.Element:
    data = export_moodle_xml(quiz).data
    assert isinstance(data, bytes)
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(data)


def _question(root: ET.Element, qid: str) -> ET.Element:
    return next(q for q in root.iter("question") if q.findtext("name/text") == qid)


def test_sample_maps_every_type_onto_a_moodle_type(sample: tuple[Quiz, Lesson]):
    quiz, lesson = sample
    root = ET.fromstring(export_moodle_xml(quiz, lesson).data)
    assert root.tag == "quiz"
    types = [q.get("type") for q in root.iter("question")]
    assert types[0] == "category"
    expected = {
        "single_choice": "multichoice",
        "multiple_choice": "multichoice",
        "true_false": "truefalse",
        "short_answer": "shortanswer",
        "numeric": "numerical",
        "ordering": "matching",
        "matching": "matching",
        "cloze": "cloze",
    }
    assert types[1:] == [expected[q.type] for q in quiz.questions]
    for q in quiz.questions:
        el = _question(root, q.id)
        assert el.findtext("idnumber") == q.id
        assert el.findtext("questiontext/text")
        if q.explanation:
            assert el.findtext("generalfeedback/text")


def test_single_choice_fractions_feedback_and_order():
    q = question("single_choice", shuffle=False)
    el = _question(_parse(make_quiz(q)), q.id)
    assert el.findtext("single") == "true"
    assert el.findtext("shuffleanswers") == "false"
    answers = el.findall("answer")
    assert [a.get("fraction") for a in answers] == ["100", "0", "0"]
    assert answers[1].findtext("feedback/text") == "That is the Treaty of Versailles."
    assert el.findtext("generalfeedback/text") == q.explanation


def test_multiple_choice_partial_fractions():
    q = question(
        "multiple_choice",
        choices=[
            {"text": "A", "correct": True},
            {"text": "B", "correct": True},
            {"text": "C", "correct": True},
            {"text": "D"},
        ],
    )
    el = _question(_parse(make_quiz(q)), q.id)
    assert el.findtext("single") == "false"
    fractions = [a.get("fraction") for a in el.findall("answer")]
    assert fractions == ["33.33333", "33.33333", "33.33333", "-33.33333"]


def test_true_false_feedback_sits_on_the_wrong_answer():
    q = question("true_false", answer=False, feedback="No.")
    el = _question(_parse(make_quiz(q)), q.id)
    answers = {a.findtext("text"): a for a in el.findall("answer")}
    assert answers["false"].get("fraction") == "100"
    assert answers["true"].get("fraction") == "0"
    assert answers["true"].findtext("feedback/text") == "No."


def test_short_answer_is_case_insensitive_with_wrong_answer_feedback():
    q = question(
        "short_answer",
        answers=["Lipetsk", "Lipezk"],
        wrong_answers=[{"answer": "Samara", "feedback": "That was Bersol."}],
    )
    el = _question(_parse(make_quiz(q)), q.id)
    assert el.findtext("usecase") == "0"
    answers = [(a.findtext("text"), a.get("fraction")) for a in el.findall("answer")]
    assert answers == [("Lipetsk", "100"), ("Lipezk", "100"), ("Samara", "0")]


def test_numeric_tolerance_and_unit():
    q = question("numeric", answer=4000, tolerance=50, unit="officers")
    el = _question(_parse(make_quiz(q)), q.id)
    answer = el.find("answer")
    assert answer is not None
    assert answer.findtext("text") == "4000"
    assert answer.findtext("tolerance") == "50"
    assert "(officers)" in (el.findtext("questiontext/text") or "")


def test_matching_extras_are_subquestions_with_empty_text():
    q = question(
        "matching", pairs={"Lipetsk": "aircraft", "Kama": "tanks"}, extra=["U-boats"]
    )
    el = _question(_parse(make_quiz(q)), q.id)
    subs = [
        (s.findtext("text") or "", s.findtext("answer/text"))
        for s in el.findall("subquestion")
    ]
    assert subs == [("Lipetsk", "aircraft"), ("Kama", "tanks"), ("", "U-boats")]


def test_ordering_is_matching_item_to_position():
    q = question("ordering", items=["Versailles", "Rapallo"])
    root = _parse(make_quiz(q))
    el = _question(root, q.id)
    assert el.get("type") == "matching"
    subs = [
        (s.findtext("text"), s.findtext("answer/text"))
        for s in el.findall("subquestion")
    ]
    assert subs == [("Versailles", "1"), ("Rapallo", "2")]


def test_cloze_gaps_use_shortanswer_syntax_with_escapes():
    q = question("cloze", text="In {{Moscow|Moskva}} by {{Molotov}}; {{a}b#c~d/e|x}}.")
    result = export_moodle_xml(make_quiz(q))
    el = _question(ET.fromstring(result.data), q.id)
    assert el.get("type") == "cloze"
    text = el.findtext("questiontext/text") or ""
    assert "{1:SHORTANSWER:=Moscow~=Moskva}" in text
    assert "{1:SHORTANSWER:=Molotov}" in text
    assert "{1:SHORTANSWER:=a\\}b\\#c\\~d\\/e~=x}" in text
    assert any("one mark per gap (3)" in w for w in result.warnings)


def test_stimulus_is_a_blockquote_and_tags_carry_skill():
    q = question(
        "single_choice",
        stimulus={"text": "A <b> & ]]> c", "by": "Someone"},
        skill="sourcing",
        contested=True,
    )
    el = _question(_parse(make_quiz(q)), q.id)
    text = el.findtext("questiontext/text") or ""
    assert text.startswith("<blockquote><p>A &lt;b&gt; &amp; ]]&gt; c</p>")
    assert [
        t.text for t in el.iter("text") if t.text and t.text.startswith("skill:")
    ] == ["skill:sourcing"]
    assert "contested" in [t.findtext("text") for t in el.iter("tag")]
