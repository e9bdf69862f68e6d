"""The catalog: every file's errors, cross-file checks, pools, hashes, timeline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from webapp.content.catalog import ContentError, load_catalog, load_files

SAMPLE = Path(__file__).parents[2] / "examples" / "sample"


def lesson_yaml(
    lesson_id: str,
    *,
    order: int = 0,
    sections: tuple[str, ...] = ("a",),
    extra: str = "",
) -> str:
    """Return a valid lesson file."""
    body = "".join(f"  - {{id: {s}, title: T, body: B}}\n" for s in sections)
    return (
        f"schema_version: 1\nid: {lesson_id}\ntitle: T\nsummary: S\nminutes: 10\n"
        f"order: {order}\nobjectives: [O]\nsections:\n{body}{extra}"
    )


def quiz_yaml(quiz_id: str, lesson: str, questions: str = "", extra: str = "") -> str:
    """Return a quiz file; the default has two true/false questions."""
    questions = questions or (
        "  - {id: t1, type: true_false, prompt: P, answer: true, skill: recall}\n"
        "  - {id: t2, type: true_false, prompt: P, answer: false, skill: sourcing}\n"
    )
    return (
        f"schema_version: 1\nid: {quiz_id}\nlesson: {lesson}\ntitle: T\n{extra}"
        f"questions:\n{questions}"
    )


def make_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """Write a content root."""
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path so paths in messages are short and relative."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sample_content_loads_clean():
    catalog = load_catalog(SAMPLE)
    assert catalog.errors == ()
    assert catalog.warnings == ()
    quiz = catalog.quiz("sample")
    assert quiz is not None
    assert {q.type for q in quiz.questions} == {
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
        "numeric",
        "ordering",
        "matching",
        "cloze",
    }
    assert any(q.stimulus is not None for q in quiz.questions)
    assert all(q.see_lesson == "sample" for q in quiz.questions)
    assert catalog.stats.questions == len(quiz.questions)


def test_lessons_sorted_by_order_then_id_and_objects_know_path_and_version(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/b.yaml": lesson_yaml("b", order=1),
            "lessons/a.yaml": lesson_yaml("a", order=2),
            "lessons/c.yml": lesson_yaml("c", order=1),
        },
    )
    catalog = load_catalog(".")
    assert list(catalog.lessons) == ["b", "c", "a"]
    lesson = catalog.lessons["a"]
    assert lesson.path == "lessons/a.yaml"
    expected = hashlib.sha256(Path("lessons/a.yaml").read_bytes()).hexdigest()
    assert lesson.version == expected
    assert catalog.files["lessons/a.yaml"].version == expected
    assert catalog.files["lessons/a.yaml"].kind == "lesson"
    assert catalog.files["lessons/a.yaml"].ok


def test_every_error_of_every_file_and_valid_files_keep_working(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/good.yaml": lesson_yaml("good"),
            "lessons/bad.yaml": "schema_version: 1\nid: bad\ntitle: no\n",
            "quizzes/broken.yaml": "id: [\n",
            "quizzes/good.yaml": quiz_yaml("good", "good"),
        },
    )
    catalog = load_catalog(".")
    assert [str(e) for e in catalog.errors] == [
        "lessons/bad.yaml:1:1: missing required key 'minutes'",
        "lessons/bad.yaml:1:1: missing required key 'objectives'",
        "lessons/bad.yaml:1:1: missing required key 'sections'",
        "lessons/bad.yaml:1:1: missing required key 'summary'",
        'lessons/bad.yaml:3:8: YAML reads the unquoted word no as false; write "no" '
        "in quotes",
        "quizzes/broken.yaml:1:5: the list opened with [ here is never closed; add the "
        "closing ] (or put the text in quotes if the [ is part of it)",
    ]
    assert list(catalog.lessons) == ["good"]
    assert list(catalog.quizzes) == ["good"]
    assert not catalog.files["lessons/bad.yaml"].ok
    assert catalog.files["lessons/bad.yaml"].id == "bad"


def test_duplicate_ids_name_the_other_file(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/one.yaml": lesson_yaml("same"),
            "lessons/two.yaml": lesson_yaml("same"),
            "quizzes/one.yaml": quiz_yaml("q", "same"),
            "quizzes/two.yaml": quiz_yaml("q", "same"),
        },
    )
    catalog = load_catalog(".")
    assert [str(e) for e in catalog.errors] == [
        "lessons/two.yaml:2:5: lesson id 'same' is already used by lessons/one.yaml; "
        "every lesson needs its own id",
        "quizzes/two.yaml:2:5: quiz id 'q' is already used by quizzes/one.yaml; every "
        "quiz needs its own id",
    ]
    assert catalog.lessons["same"].path == "lessons/one.yaml"
    assert not catalog.files["lessons/two.yaml"].ok


def test_reference_to_a_broken_lesson_is_not_reported_twice(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/l.yaml": "schema_version: 1\nid: l\n",
            "quizzes/q.yaml": quiz_yaml("q", "l"),
        },
    )
    catalog = load_catalog(".")
    assert {e.path for e in catalog.errors} == {"lessons/l.yaml"}
    assert catalog.quizzes == {}


def test_see_and_stimulus_source_resolve_against_the_quiz_lesson(chdir_tmp):
    questions = (
        "  - {id: a, type: true_false, prompt: P, answer: true, see: s1}\n"
        "  - {id: b, type: true_false, prompt: P, answer: true, see: s3}\n"
        "  - id: c\n    type: true_false\n    prompt: P\n    answer: true\n"
        "    stimulus: {text: T, by: B, source: src}\n"
    )
    make_root(
        chdir_tmp,
        {
            "lessons/l.yaml": lesson_yaml(
                "l",
                sections=("s1", "s2"),
                extra="sources:\n  - {id: src, author: A, title: T}\n",
            ),
            "quizzes/q.yaml": quiz_yaml("q", "l", questions),
        },
    )
    catalog = load_catalog(".")
    assert [str(e) for e in catalog.errors] == [
        "quizzes/q.yaml:7:61: lesson 'l' has no section 's3' (its sections: s1, s2)"
    ]


def test_warning_when_file_name_differs_from_id(chdir_tmp):
    make_root(chdir_tmp, {"lessons/rapallo.yaml": lesson_yaml("rapallo-1922")})
    catalog = load_catalog(".")
    assert catalog.errors == ()
    assert catalog.warnings == (
        ContentError(
            "lessons/rapallo.yaml",
            2,
            5,
            "the file name rapallo.yaml does not match the id 'rapallo-1922'; rename "
            "the file to rapallo-1922.yaml so it is easy to find",
        ),
    )


def test_pools_copy_questions_with_prefixed_ids(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/l.yaml": lesson_yaml("l"),
            "quizzes/q.yaml": quiz_yaml("q", "l"),
            "quizzes/final.yaml": (
                "schema_version: 1\nid: final\ntitle: Final\npools:\n"
                "  - {quiz: q, draw: 1, skills: [sourcing]}\n"
            ),
        },
    )
    catalog = load_catalog(".")
    assert catalog.errors == ()
    final = catalog.quizzes["final"]
    assert [(q.id, q.pool, q.see_lesson) for q in final.questions] == [
        ("q.t2", "q", "l")
    ]
    assert final.attempt_size == 1
    assert catalog.stats.questions == 2  # pooled copies are not counted twice


def test_pool_errors(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/l.yaml": lesson_yaml("l"),
            "quizzes/q.yaml": quiz_yaml("q", "l"),
            "quizzes/f1.yaml": (
                "schema_version: 1\nid: f1\ntitle: F\npools:\n"
                "  - {quiz: q, draw: 2, skills: [recall]}\n  - {quiz: qq, draw: 1}\n"
            ),
            "quizzes/f2.yaml": (
                "schema_version: 1\nid: f2\ntitle: F\npools:\n  - {quiz: f1, draw: 1}\n"
            ),
        },
    )
    catalog = load_catalog(".")
    assert [str(e) for e in catalog.errors] == [
        "quizzes/f1.yaml:5:21: draw is 2 but quiz 'q' has only 1 question with the "
        "skills recall; lower draw",
        "quizzes/f1.yaml:6:12: there is no quiz with the id 'qq'; did you mean 'q'?",
        "quizzes/f2.yaml:5:12: quiz 'f1' draws from pools itself; draw from quizzes "
        "that have their own questions",
    ]
    assert list(catalog.quizzes) == ["q"]


def test_timeline_merges_lessons_in_date_order(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/a.yaml": lesson_yaml(
                "a", extra="timeline:\n  - {date: 1939-08-23, event: Pact.}\n"
            ),
            "lessons/b.yaml": lesson_yaml(
                "b",
                extra="timeline:\n  - {date: 1922, event: R.}\n"
                '  - {date: "1922-04", event: Genoa.}\n',
            ),
        },
    )
    catalog = load_catalog(".")
    assert [(e.year, e.month, e.day, e.lesson) for e in catalog.timeline()] == [
        (1922, None, None, "b"),
        (1922, 4, None, "b"),
        (1939, 8, 23, "a"),
    ]


def test_quizzes_for_lesson(chdir_tmp):
    make_root(
        chdir_tmp,
        {
            "lessons/l.yaml": lesson_yaml("l"),
            "lessons/m.yaml": lesson_yaml("m"),
            "quizzes/z.yaml": quiz_yaml("z", "l"),
            "quizzes/y.yaml": quiz_yaml("y", "l"),
            "quizzes/x.yaml": quiz_yaml("x", "m"),
        },
    )
    catalog = load_catalog(".")
    assert [q.id for q in catalog.quizzes_for_lesson("l")] == ["y", "z"]


def test_load_files_sniffs_the_kind(chdir_tmp):
    make_root(chdir_tmp, {"a.yaml": lesson_yaml("a"), "b.yaml": quiz_yaml("b", "a")})
    catalog = load_files(["a.yaml", "b.yaml"])
    assert catalog.errors == ()
    assert catalog.files["b.yaml"].kind == "quiz"


def test_unreadable_path_is_an_error_not_a_crash(chdir_tmp):
    catalog = load_files(["missing.yaml"])
    assert len(catalog.errors) == 1
    assert str(catalog.errors[0]).startswith("missing.yaml:1:1: cannot read this file")
