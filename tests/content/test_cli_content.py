"""`interwar check` and `interwar schema` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from webapp.cli import main
from webapp.content.yamlsource import load_path

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "sample"
BROKEN = Path(__file__).parent / "broken"


@pytest.fixture
def runner() -> CliRunner:
    """Return a click test runner."""
    return CliRunner()


def test_clean_sample_exits_0_with_summary(runner: CliRunner):
    result = runner.invoke(main, ["check", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.output == "1 lesson, 1 quiz, 9 questions: no errors\n"


def test_content_errors_exit_1_sorted_with_summary(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "lessons").mkdir()
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "lessons" / "b.yaml").write_text("schema_version: 2\n")
    (tmp_path / "quizzes" / "a.yaml").write_text("a: [\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "."])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "lessons/b.yaml:1:1: missing required key 'id'",
        "lessons/b.yaml:1:1: missing required key 'minutes'",
        "lessons/b.yaml:1:1: missing required key 'objectives'",
        "lessons/b.yaml:1:1: missing required key 'sections'",
        "lessons/b.yaml:1:1: missing required key 'summary'",
        "lessons/b.yaml:1:1: missing required key 'title'",
        "lessons/b.yaml:1:17: schema_version must be 1, the only format this version "
        "of Interwar Lessons reads; got 2",
        "quizzes/a.yaml:1:4: the list opened with [ here is never closed; add the "
        "closing ] (or put the text in quotes if the [ is part of it)",
        "0 lessons, 0 quizzes, 0 questions: 8 errors in 2 files",
    ]


def test_single_files_and_json_format(runner: CliRunner, monkeypatch):
    monkeypatch.chdir(BROKEN)
    result = runner.invoke(
        main,
        [
            "check",
            "--format",
            "json",
            "../fixtures/lessons/fixture.yaml",
            "tab_indent.yaml",
        ],
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] == [
        {
            "path": "tab_indent.yaml",
            "line": 3,
            "col": 1,
            "message": "tab characters cannot indent YAML; use spaces",
        }
    ]
    assert data["summary"] == {
        "lessons": 1,
        "quizzes": 0,
        "questions": 0,
        "errors": 1,
        "files_with_errors": 1,
        "warnings": 0,
        "ok": False,
    }


def test_nonexistent_path_is_a_usage_error(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_directory_without_content_is_a_usage_error(runner: CliRunner, tmp_path: Path):
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a content root" in result.output


def test_non_yaml_file_is_a_usage_error(runner: CliRunner, tmp_path: Path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    assert runner.invoke(main, ["check", str(path)]).exit_code == 2


def test_content_option_and_environment(runner: CliRunner):
    result = runner.invoke(main, ["check"], env={"INTERWAR_CONTENT": str(SAMPLE)})
    assert result.exit_code == 0
    assert result.output.endswith("9 questions: no errors\n")
    result = runner.invoke(main, ["check", "--content", str(SAMPLE)])
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\xff" * 100,
        b"\xef\xbb\xbf",
        b"[" * 10_000,
        b"questions: 7\nlesson: [1]\npools: x\n",
        b"schema_version: 1\nquestions:\n  - 1\n  - {type: [x]}\n  - {type: 3}\n",
        b"schema_version: 1\npools: [{quiz: {a: 1}, draw: -1, skills: [x, 1]}]\n",
        b"- - - \n",
        b"? a\n",
    ],
)
def test_no_traceback_for_any_input(runner: CliRunner, tmp_path: Path, data: bytes):
    path = tmp_path / "f.yaml"
    path.write_bytes(data)
    result = runner.invoke(main, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1].endswith("in 1 file")


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
def test_schema_command_prints_json_schema(runner: CliRunner, kind: str):
    result = runner.invoke(main, ["schema", kind])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False
    assert all("description" in p for p in schema["properties"].values())


def test_committed_schemas_are_current(runner: CliRunner):
    for kind in ("lesson", "quiz"):
        result = runner.invoke(main, ["schema", kind])
        committed = (ROOT / "docs" / "schema" / f"{kind}.schema.json").read_text()
        assert committed == result.output, "run: interwar schema KIND > docs/schema/..."


def _jsonable(value: object) -> object:
    """Turn YAML data into what an editor's YAML 1.2 reading gives JSON Schema."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[attr-defined]
    return value


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
def test_sample_content_validates_against_the_json_schema(runner: CliRunner, kind):
    schema = json.loads(runner.invoke(main, ["schema", kind]).output)
    folder = "lessons" if kind == "lesson" else "quizzes"
    data = _jsonable(load_path(SAMPLE / folder / "sample.yaml").data)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_json_schema_rejects_a_typo_and_a_wrong_type(runner: CliRunner):
    schema = json.loads(runner.invoke(main, ["schema", "quiz"]).output)
    validator = jsonschema.Draft202012Validator(schema)
    data = _jsonable(load_path(SAMPLE / "quizzes" / "sample.yaml").data)
    assert isinstance(data, dict)
    data["questions"][0]["corect"] = True
    data["mode"] = "exam"
    messages = [e.message for e in validator.iter_errors(data)]
    assert any("exam" in m for m in messages)
    assert any("corect" in m for m in messages)


def test_warnings_are_printed_but_do_not_fail(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    (tmp_path / "lessons").mkdir()
    text = (SAMPLE / "lessons" / "sample.yaml").read_text(encoding="utf-8")
    (tmp_path / "lessons" / "other.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["check", "."])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "lessons/other.yaml:4:5: warning: the file name other.yaml does not match the "
        "id 'sample'; rename the file to sample.yaml so it is easy to find",
        "1 lesson, 0 quizzes, 0 questions: no errors",
    ]
