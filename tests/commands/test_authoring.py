"""`interwar new`, `interwar export` and `interwar import gift` through CliRunner."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from webapp.cli import main
from webapp.content.question_types import REGISTRY
from webapp.content.schemas import LessonSchema, QuizSchema

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "sample"
BANK = ROOT / "tests" / "content" / "importers" / "bank.gift"


@pytest.fixture
def cli() -> CliRunner:
    """Return a click test runner."""
    return CliRunner()


@pytest.fixture
def scaffold(cli: CliRunner, tmp_path: Path) -> Path:
    """Return a content root holding a new lesson and quiz, both called `unit`."""
    for args in (["lesson", "unit"], ["quiz", "unit", "--lesson", "unit"]):
        result = cli.invoke(main, ["new", *args, "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    return tmp_path


def _check(cli: CliRunner, root: Path) -> Any:
    return cli.invoke(main, ["check", str(root)])


def test_scaffold_passes_check(cli: CliRunner, scaffold: Path):
    result = _check(cli, scaffold)
    assert result.exit_code == 0, result.output
    assert result.output.endswith("1 lesson, 1 quiz, 9 questions: no errors\n")


@pytest.mark.parametrize("kind", ["lesson", "quiz"])
def test_scaffold_points_the_editor_at_the_schema(scaffold: Path, kind: str):
    folder = {"lesson": "lessons", "quiz": "quizzes"}[kind]
    path = scaffold / folder / "unit.yaml"
    first = path.read_text().splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    assert m.group(1) == f"../schemas/{kind}.schema.json"
    schema = json.loads((path.parent / m.group(1)).read_text())
    assert schema["additionalProperties"] is False


def test_repository_schemas_are_referenced_where_they_are(
    cli: CliRunner, tmp_path: Path
):
    shutil.copytree(ROOT / "docs" / "schema", tmp_path / "docs" / "schema")
    result = cli.invoke(main, ["new", "lesson", "unit", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    first = (tmp_path / "lessons" / "unit.yaml").read_text().splitlines()[0]
    assert first.endswith("$schema=../docs/schema/lesson.schema.json")
    assert not (tmp_path / "schemas").exists()


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_scaffolds_show_every_field_and_all_eight_types(scaffold: Path):
    lesson = yaml.safe_load((scaffold / "lessons" / "unit.yaml").read_text())
    assert set(LessonSchema().fields) <= set(lesson)
    text = (scaffold / "quizzes" / "unit.yaml").read_text()
    quiz = yaml.safe_load(text)
    commented = set(re.findall(r"^# (\w+):", text, re.MULTILINE))
    assert set(QuizSchema().fields) <= set(quiz) | commented
    questions = quiz["questions"]
    assert {q["type"] for q in questions} == set(REGISTRY)
    used = _keys(questions)
    for name, qtype in REGISTRY.items():
        missing = set(qtype.schema().fields) - used
        assert not missing, f"{name}: {missing}"


def test_scaffold_quiz_links_to_an_existing_lesson(cli: CliRunner, tmp_path: Path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    result = cli.invoke(
        main, ["new", "quiz", "extra", "--lesson", "sample", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert _check(cli, tmp_path).exit_code == 0


def test_new_quiz_without_its_lesson_says_how_to_make_one(
    cli: CliRunner, tmp_path: Path
):
    result = cli.invoke(
        main, ["new", "quiz", "unit", "--lesson", "unit", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0
    assert "interwar new lesson unit" in result.output


def test_new_refuses_to_overwrite(cli: CliRunner, scaffold: Path):
    before = (scaffold / "lessons" / "unit.yaml").read_text()
    result = cli.invoke(main, ["new", "lesson", "unit", "-o", str(scaffold)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert (scaffold / "lessons" / "unit.yaml").read_text() == before


@pytest.mark.parametrize("bad", ["Unit", "my unit", "_unit", "ü"])
def test_new_refuses_an_id_that_is_not_a_slug(cli: CliRunner, tmp_path: Path, bad: str):
    result = cli.invoke(main, ["new", "lesson", bad, "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not an id" in result.output
    assert not (tmp_path / "lessons").exists()


def _valid(fmt: str, data: bytes) -> None:
    if fmt == "moodle-xml":
        assert ET.fromstring(data).tag == "quiz"
    elif fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert "imsmanifest.xml" in zf.namelist()
            for name in zf.namelist():
                ET.fromstring(zf.read(name))
    elif fmt == "gift":
        assert b"::signed-when::" in data
    else:
        assert data.startswith(b"<!doctype html>")


@pytest.mark.parametrize("fmt", ["gift", "moodle-xml", "qti", "worksheet"])
def test_scaffold_check_export_for_every_format(
    cli: CliRunner, scaffold: Path, fmt: str, tmp_path_factory: pytest.TempPathFactory
):
    assert _check(cli, scaffold).exit_code == 0
    out = tmp_path_factory.mktemp("out") / "export.out"
    result = cli.invoke(
        main,
        ["export", "unit", "--format", fmt, "--content", str(scaffold), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.stderr
    _valid(fmt, out.read_bytes())


def test_export_default_name_and_warnings_on_stderr(
    cli: CliRunner, scaffold: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(
        main, ["export", "unit", "--format", "gift", "--content", str(scaffold)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "unit.gift.txt").is_file()
    assert 'warning: question "sequence" (ordering)' in result.stderr
    assert result.stdout == ""


def test_export_to_standard_output(cli: CliRunner, scaffold: Path):
    result = cli.invoke(
        main,
        [
            "export",
            "unit",
            "--format",
            "worksheet",
            "--part",
            "key",
            "--content",
            str(scaffold),
            "-o",
            "-",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!doctype html>")
    assert 'class="student"' not in result.stdout


def test_export_unknown_quiz_lists_the_ids(cli: CliRunner, scaffold: Path):
    result = cli.invoke(
        main, ["export", "nope", "--format", "gift", "--content", str(scaffold)]
    )
    assert result.exit_code == 2
    assert 'there is no quiz "nope"' in result.stderr
    assert "the quizzes are: unit" in result.stderr


def test_export_with_content_errors_prints_them_and_exits_1(
    cli: CliRunner, scaffold: Path
):
    (scaffold / "quizzes" / "broken.yaml").write_text("schema_version: 1\nid: [\n")
    result = cli.invoke(
        main, ["export", "unit", "--format", "gift", "--content", str(scaffold)]
    )
    assert result.exit_code == 1
    assert "broken.yaml:" in result.stderr
    assert "content error" in result.stderr


def test_import_gift_reports_the_essay_with_its_line(cli: CliRunner, tmp_path: Path):
    essay_line = next(
        n
        for n, line in enumerate(BANK.read_text().splitlines(), 1)
        if "::Essay::" in line
    )
    result = cli.invoke(main, ["import", "gift", str(BANK), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"bank.gift:line {essay_line}: not converted: an essay" in result.stderr
    assert "Converted 11 question(s); 3 could not be converted" in result.stdout
    quiz = (tmp_path / "quizzes" / "bank.yaml").read_text()
    assert quiz.startswith(
        "# yaml-language-server: $schema=../schemas/quiz.schema.json\n"
    )
    assert (tmp_path / "lessons" / "bank.yaml").is_file()
    checked = _check(cli, tmp_path)
    assert checked.exit_code == 0, checked.output


def test_import_into_an_existing_lesson(cli: CliRunner, tmp_path: Path):
    shutil.copytree(SAMPLE, tmp_path, dirs_exist_ok=True)
    result = cli.invoke(
        main,
        [
            "import",
            "gift",
            str(BANK),
            "-o",
            str(tmp_path),
            "--lesson",
            "sample",
            "--id",
            "more",
        ],
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "lessons" / "more.yaml").exists()
    assert "lesson: sample" in (tmp_path / "quizzes" / "more.yaml").read_text()
    assert _check(cli, tmp_path).exit_code == 0


def test_import_with_nothing_convertible_exits_1(cli: CliRunner, tmp_path: Path):
    gift = tmp_path / "essays.gift"
    gift.write_text("::e::Discuss.{}\n")
    result = cli.invoke(main, ["import", "gift", str(gift), "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "nothing in" in result.stderr
    assert not (tmp_path / "quizzes").exists()


def test_import_refuses_to_overwrite_a_quiz(cli: CliRunner, scaffold: Path):
    result = cli.invoke(
        main, ["import", "gift", str(BANK), "-o", str(scaffold), "--id", "unit"]
    )
    assert result.exit_code == 2
    assert "already exists" in result.stderr
