"""Lesson and quiz schemas: domain objects, messages, positions."""

from __future__ import annotations

import dataclasses

import pytest

from webapp.content.domain import Lesson, Quiz, SingleChoiceQuestion
from webapp.content.schemas import SchemaErrors, load_lesson, load_quiz
from webapp.content.yamlsource import load_text

LESSON = """schema_version: 1
id: rapallo
title: The Treaty of Rapallo
summary: Two outcasts.
minutes: 45
objectives: [Explain why.]
key_terms:
  - {term: Reichswehr, definition: The army., aliases: [Reichswehr's]}
timeline:
  - {date: 1922-04-16, event: Rapallo.}
  - {date: "1925-04", event: Lipetsk.}
  - {date: 1933, event: Closed.}
sections:
  - id: outsiders
    title: Two outsiders
    body: "Read *this* <script>x</script>"
    quote: {text: Q, by: Seeckt, source: johnson}
sources:
  - {id: johnson, author: Ian Ona Johnson, title: Faustian Bargain, year: 2021}
discussion: [Why?]
"""


def lesson_errors(text: str) -> list[str]:
    """Return the error lines of a lesson text."""
    with pytest.raises(SchemaErrors) as info:
        load_lesson(load_text(text, "l.yaml"))
    return [str(e) for e in info.value.errors]


def quiz_errors(text: str) -> list[str]:
    """Return the error lines of a quiz text."""
    with pytest.raises(SchemaErrors) as info:
        load_quiz(load_text(text, "q.yaml"))
    return [str(e) for e in info.value.errors]


def test_lesson_becomes_frozen_domain_objects():
    lesson = load_lesson(load_text(LESSON, "l.yaml"))
    assert isinstance(lesson, Lesson)
    assert lesson.objectives == ("Explain why.",)
    assert lesson.key_terms[0].aliases == ("Reichswehr's",)
    assert [(e.year, e.month, e.day) for e in lesson.timeline] == [
        (1922, 4, 16),
        (1925, 4, None),
        (1933, None, None),
    ]
    section = lesson.sections[0]
    assert section.html == "<p>Read <em>this</em> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert section.quote is not None
    assert section.quote.source == "johnson"
    assert lesson.sources[0].year == "2021"
    assert lesson.sources[0].role == "authority"
    assert lesson.language == "en"
    with pytest.raises(dataclasses.FrozenInstanceError):
        lesson.title = "x"  # type: ignore[misc]


def test_quoted_no_is_fine_and_unquoted_no_is_explained():
    """C.8 case 3: unquoted no/on is an error that says to quote it."""
    assert load_lesson(load_text(LESSON.replace("[Why?]", '["no"]'), "l.yaml"))
    assert lesson_errors(LESSON.replace("[Why?]", "[no, off]")) == [
        'l.yaml:20:14: YAML reads the unquoted word no as false; write "no" in quotes',
        'l.yaml:20:18: YAML reads the unquoted word off as false; write "off" in '
        "quotes",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "1:30",
            "YAML reads the unquoted 1:30 as the number 90 (it counts in sixties, "
            "like a clock); write the whole number you mean, e.g. 90",
        ),
        (
            "045",
            "YAML reads 045 as the number 37 (a leading 0 makes it octal); write "
            "the number without the leading 0",
        ),
        (
            "1.5",
            "expected a whole number, got 1.5; write it without a decimal point, "
            "e.g. 1 or 2",
        ),
        ('"45"', 'expected a whole number, got the text "45"; remove the quotes'),
        ("yes", "expected a whole number; YAML reads the unquoted word yes as true"),
        ("", "this is empty; write a value or remove the key"),
        ("0", "minutes must be a whole number from 1 to 600"),
    ],
)
def test_whole_number_messages(value: str, message: str):
    """C.8 case 5: points: 1.5 is refused as not a whole number."""
    assert lesson_errors(LESSON.replace("minutes: 45", f"minutes: {value}")) == [
        f"l.yaml:5:10: {message}" if value else f"l.yaml:5:9: {message}"
    ]


def test_text_fields_quote_what_yaml_turned_into_numbers_and_dates():
    errors = lesson_errors(
        LESSON.replace("title: The Treaty of Rapallo", "title: 1922-04-16").replace(
            "summary: Two outcasts.", "summary: 1:30"
        )
    )
    assert errors == [
        'l.yaml:3:8: YAML reads the unquoted 1922-04-16 as a date; write "1922-04-16" '
        "in quotes",
        'l.yaml:4:10: YAML reads the unquoted 1:30 as the number 90; write "1:30" in '
        "quotes",
    ]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys():
    assert lesson_errors(LESSON.replace("discussion:", "colour: red\ndiscussion:")) == [
        "l.yaml:20:1: unknown key 'colour'; the keys allowed here are: schema_version, "
        "id, title, summary, language, minutes, order, objectives, key_terms, "
        "timeline, sections, sources, discussion, teacher_notes"
    ]


def test_wrong_shapes_say_what_a_list_or_mapping_looks_like():
    errors = lesson_errors(
        LESSON.replace("objectives: [Explain why.]", "objectives: Explain why.")
    )
    assert errors == [
        "l.yaml:6:13: expected a list: lines starting with '- ', or [a, b] on one line"
    ]


QUIZ = """schema_version: 1
id: rapallo
lesson: rapallo
title: Check
questions:
  - id: when
    type: single_choice
    prompt: When?
    choices:
      - {text: April 1922, correct: true}
      - {text: June 1919}
    see: outsiders
"""


def test_quiz_becomes_domain_objects_with_see_lesson():
    quiz = load_quiz(load_text(QUIZ, "q.yaml"))
    assert isinstance(quiz, Quiz)
    question = quiz.questions[0]
    assert isinstance(question, SingleChoiceQuestion)
    assert question.see_lesson == "rapallo"
    assert isinstance(quiz.questions, tuple)
    assert quiz.mode == "practice"
    assert quiz.pass_mark == 70


def test_quiz_needs_a_lesson_unless_it_has_pools():
    assert quiz_errors(QUIZ.replace("lesson: rapallo\n", "")) == [
        "q.yaml:1:1: missing required key 'lesson'; write the id of the lesson this "
        "quiz belongs to (only a quiz with pools may leave it out)"
    ]


def test_question_that_is_not_a_mapping():
    assert quiz_errors(QUIZ + "  - just text\n") == [
        "q.yaml:13:5: each question is a mapping of keys (id: ..., type: ..., "
        "prompt: ...)"
    ]


def test_missing_type_lists_the_types():
    assert quiz_errors(QUIZ + "  - {id: x, prompt: P}\n") == [
        "q.yaml:13:5: missing required key 'type'; use one of: cloze, matching, "
        "multiple_choice, numeric, ordering, short_answer, single_choice, true_false"
    ]


def test_schema_version_as_text():
    assert quiz_errors(QUIZ.replace("schema_version: 1", 'schema_version: "1"')) == [
        "q.yaml:1:17: schema_version must be 1, the only format this version of "
        'Interwar Lessons reads; got the text "1"'
    ]
