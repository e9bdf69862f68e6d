"""C.8 cases 2-13 on teacher-written content: the YAML loader, schemas and Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from webapp.content.catalog import load_files
from webapp.content.markdown import render

BROKEN = REPO / "tests" / "content" / "broken"
FIXTURE = "../fixtures/lessons/fixture.yaml"


def errors_of(name: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Return the error lines of one broken corpus file, loaded with a valid lesson."""
    monkeypatch.chdir(BROKEN)
    catalog = load_files([FIXTURE, f"{name}.yaml"])
    return [str(e) for e in catalog.errors]


def quiz_errors(tmp_path: Path, body: str) -> list[str]:
    """Return the messages of a quiz file for the fixture lesson."""
    lesson = REPO / "tests" / "content" / "fixtures" / "lessons" / "fixture.yaml"
    path = tmp_path / "q.yaml"
    path.write_text(
        "schema_version: 1\nid: q\nlesson: fixture\ntitle: T\n" + body,
        encoding="utf-8",
    )
    return [e.message for e in load_files([lesson, path]).errors]


def test_case_2_python_tag_is_an_error_with_a_line_and_runs_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """C.8 case 2: !!python/object/apply is refused with its line; nothing runs."""
    marker = tmp_path / "ran"
    (tmp_path / "evil.yaml").write_text(
        f"schema_version: 1\nid: !!python/object/apply:os.system [touch {marker}]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    catalog = load_files(["evil.yaml"])
    assert [str(e) for e in catalog.errors] == [
        "evil.yaml:2:5: the tag !!python/object/apply:os.system is not allowed; "
        "remove it (put the text in quotes if it really starts with !)"
    ]
    assert not marker.exists()


_UNSAFE = re.compile(
    r"yaml\.(unsafe_load|full_load|load_all)\s*\(|yaml\.load\s*\("
    r"|Loader\s*=\s*yaml\.(Loader|UnsafeLoader|FullLoader)\b"
)
_SAFE_LOADER = re.compile(r"\bC?SafeLoader\b")


def unsafe_yaml_calls(text: str) -> list[int]:
    """Return the line numbers that load YAML without a safe loader."""
    return [
        n
        for n, line in enumerate(text.splitlines(), 1)
        if _UNSAFE.search(line) and not _SAFE_LOADER.search(line)
    ]


def test_case_2_no_unsafe_yaml_loading_anywhere_in_the_code() -> None:
    """C.8 case 2: no yaml.load( without SafeLoader, unsafe_load or yaml.Loader."""
    assert unsafe_yaml_calls("x = yaml.load(text, Loader=yaml.Loader)") == [1]
    assert unsafe_yaml_calls("x = yaml.load(text)\ny = yaml.unsafe_load(t)") == [1, 2]
    assert unsafe_yaml_calls("yaml.load(b, Loader=yaml.CSafeLoader)") == []
    found = []
    for folder in ("webapp", "tools", "bench", "tests"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path == Path(__file__):
                continue
            for n in unsafe_yaml_calls(path.read_text(encoding="utf-8")):
                found.append(f"{path.relative_to(REPO)}:{n}")
    assert found == []


def test_case_4_sexagesimal_time_limit_is_never_read_as_90_minutes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """C.8 case 4: `1:30` is refused with an explanation, never taken as 90."""
    assert errors_of("lesson_minutes_sexagesimal", monkeypatch) == [
        "lesson_minutes_sexagesimal.yaml:5:10: YAML reads the unquoted 1:30 as the "
        "number 90 (it counts in sixties, like a clock); write the whole number you "
        "mean, e.g. 90"
    ]
    body = (
        "time_limit: 1:30\nquestions:\n"
        "  - {id: q1, type: true_false, prompt: P, answer: true}\n"
    )
    messages = quiz_errors(tmp_path, body)
    assert len(messages) == 1
    assert "1:30 as the number 90" in messages[0]


def test_case_7_duplicate_question_and_choice_ids_name_both_places(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """C.8 case 7: duplicate question or choice ids are schema errors naming both."""
    assert errors_of("quiz_duplicate_question_id", monkeypatch) == [
        "quiz_duplicate_question_id.yaml:12:9: question 'q1' is already used by "
        "question 1; give each question its own id"
    ]
    assert errors_of("quiz_duplicate_choice_id", monkeypatch) == [
        'quiz_duplicate_choice_id.yaml:11:14: choice id "x" is already used by '
        "choice 1; give each choice its own id"
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("quiz_single_choice_no_correct", "exactly one choice must have correct: true"),
        ("quiz_single_choice_two_correct", "2 do (choices 1 and 2)"),
        ("quiz_empty_choices", "write at least 2 choices; there are 0"),
    ],
)
def test_case_8_impossible_choice_questions_are_errors(
    name: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C.8 case 8: 0 or 2 correct single choices, and empty choices, are errors."""
    errors = errors_of(name, monkeypatch)
    assert len(errors) == 1
    assert message in errors[0]


def test_case_8_numeric_question_without_an_answer_is_an_error(tmp_path: Path) -> None:
    """C.8 case 8: a numeric question needs an answer."""
    body = "questions:\n  - {id: q1, type: numeric, prompt: How many?}\n"
    messages = quiz_errors(tmp_path, body)
    assert len(messages) == 1
    assert "answer" in messages[0]


def test_case_9_typo_field_gets_a_did_you_mean_with_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """C.8 case 9: `corect: true` is an unknown key with a hint and a line."""
    assert errors_of("quiz_unknown_key_correct", monkeypatch) == [
        "quiz_unknown_key_correct.yaml:10:19: unknown key 'corect'; "
        "did you mean 'correct'?"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tab_indent", ["tab_indent.yaml:3:1: tab characters cannot indent YAML"]),
        ("bad_utf8", ["bad_utf8.yaml:3:11: this file is not saved as UTF-8"]),
        ("two_documents", ["two_documents.yaml:9:1: a file holds one YAML document"]),
        ("bom_ok", []),
    ],
)
def test_case_10_tabs_encodings_bom_and_streams(
    name: str, expected: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """C.8 case 10: tab, Windows-1252 and `---` streams are friendly errors; BOM ok."""
    errors = errors_of(name, monkeypatch)
    assert len(errors) == len(expected)
    for line, start in zip(errors, expected, strict=True):
        assert line.startswith(start)


HOSTILE_MARKDOWN = """\
<script>alert(1)</script>

<img src=x onerror=alert(2)> <iframe src="https://evil.example/"></iframe>

<p style="background:url(javascript:alert(3))">styled</p>

[js](javascript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=)
[vb](vbscript:msgbox) ![pixel](https://tracker.example/p.gif)
"""


def test_case_12_hostile_markdown_renders_no_executable_html() -> None:
    """C.8 case 12: script, onerror, iframe, style, javascript: and data: are inert."""
    html = render(HOSTILE_MARKDOWN)
    tags = re.findall(r"<\s*([a-zA-Z]+)([^>]*)>", html)
    assert {t.lower() for t, _ in tags} <= {"p", "a", "em", "strong", "br"}
    for _, attrs in tags:
        assert not re.search(r"\bon\w+\s*=|\bstyle\s*=|\bsrc\s*=", attrs, re.I)
    assert not re.search(r"href\s*=\s*\"?\s*(javascript|data|vbscript):", html, re.I)


def test_case_13_external_images_and_pixels_are_dropped() -> None:
    """C.8 case 13: Markdown images (tracking pixels included) are not rendered."""
    html = render("Text ![p](https://tracker.example/p.gif) and <img src='//cdn/x'>")
    assert "<img" not in html
    assert "tracker.example/p.gif" not in html.split("&lt;")[0] or "<img" not in html
