"""Authoring commands: `interwar new`, `interwar export`, `interwar import gift`."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import click

from webapp.commands.content import default_root

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
FORMATS = ("gift", "moodle-xml", "qti", "worksheet")
KIND_DIRS = {"lesson": "lessons", "quiz": "quizzes"}
# Where editor schemas are looked for in a content root, first match wins; a root
# with neither gets schemas/ written by `interwar new`.
SCHEMA_DIRS = (Path("docs") / "schema", Path("schemas"))


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _slug(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or SLUG.fullmatch(value):
        return value
    hint = re.sub(r"[^a-z0-9_-]+", "-", value.lower()).strip("-_") or "my-id"
    raise click.BadParameter(
        f'"{value}" is not an id: use lowercase letters, digits, "-" and "_" '
        f'(at most 80), e.g. "{hint}"'
    )


def _rel(target: Path, start: Path) -> str:
    return Path(os.path.relpath(target, start)).as_posix()


def schema_file(root: Path, kind: str) -> tuple[Path, bool]:
    """Return the editor schema for `kind` in `root`, writing it when none exists.

    The second value says whether a file was written.
    """
    name = f"{kind}.schema.json"
    for folder in SCHEMA_DIRS:
        if (root / folder / name).is_file():
            return root / folder / name, False
    from webapp.content.json_schema import json_schema

    path = root / "schemas" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path, True


def template(kind: str) -> str:
    """Return the commented scaffold template of a lesson or quiz."""
    files = resources.files("webapp.content.scaffolds")
    return files.joinpath(f"{kind}.yaml.tmpl").read_text(encoding="utf-8")


def _title(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").capitalize()


def _target(root: Path, kind: str, item_id: str) -> Path:
    path = root / KIND_DIRS[kind] / f"{item_id}.yaml"
    if path.exists():
        _fail(f"{path} already exists; choose another id or remove the file first")
    return path


def _write(path: Path, text: str, kind: str, root: Path) -> None:
    schema, created = schema_file(root, kind)
    text = text.replace("__SCHEMA__", _rel(schema, path.parent))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if created:
        click.echo(f"Wrote {schema} (editor completion for {kind} files)")
    click.echo(f"Wrote {path}")


def _lesson_refs(root: Path, lesson_id: str) -> tuple[str, str | None]:
    """Return a section id and a source id of the lesson, for `see:` and `source:`."""
    path = root / "lessons" / f"{lesson_id}.yaml"
    if path.is_file():
        from webapp.content.catalog import load_files

        lesson = load_files([path]).lessons.get(lesson_id)
        if lesson is not None:
            source = lesson.sources[0].id if lesson.sources else None
            return lesson.sections[0].id, source
    return "background", "example-source"


@click.group("new")
def new() -> None:
    """Start a lesson or quiz from a commented template that passes `interwar check`."""


_output = click.option(
    "-o",
    "--output",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Content root: the file goes into its lessons/ or quizzes/ folder.",
)


@new.command("lesson")
@click.argument("lesson_id", metavar="ID", callback=_slug)
@_output
def new_lesson(lesson_id: str, root: Path) -> None:
    """Write lessons/ID.yaml: every lesson field, with comments."""
    path = _target(root, "lesson", lesson_id)
    text = template("lesson").replace("__ID__", lesson_id)
    text = text.replace("__TITLE__", _title(lesson_id))
    _write(path, text, "lesson", root)
    click.echo(f"Next: edit it, then run: interwar check {root}")


@new.command("quiz")
@click.argument("quiz_id", metavar="ID", callback=_slug)
@click.option(
    "--lesson",
    "lesson_id",
    required=True,
    callback=_slug,
    help="Id of the lesson the quiz belongs to.",
)
@_output
def new_quiz(quiz_id: str, lesson_id: str, root: Path) -> None:
    """Write quizzes/ID.yaml: every quiz field and all eight question types."""
    path = _target(root, "quiz", quiz_id)
    section, source = _lesson_refs(root, lesson_id)
    text = template("quiz").replace("__ID__", quiz_id)
    text = text.replace("__LESSON__", lesson_id).replace("__SECTION__", section)
    text = text.replace("__TITLE__", _title(quiz_id))
    source_line = f"      source: {source}  # optional: an id from the lesson's sources"
    text = text.replace("__SOURCE_LINE__\n", source_line + "\n" if source else "")
    _write(path, text, "quiz", root)
    if not (root / "lessons" / f"{lesson_id}.yaml").is_file():
        click.echo(
            f"Note: there is no lessons/{lesson_id}.yaml yet; create it with: "
            f"interwar new lesson {lesson_id} -o {root}"
        )
    click.echo(f"Next: edit it, then run: interwar check {root}")


# ------------------------------------------------------------------ export


def _exporter(fmt: str, part: str) -> Callable[..., Any]:
    from webapp.content.exporters import gift, moodle_xml, qti, worksheet

    if fmt == "worksheet":
        return lambda quiz, lesson: worksheet.export_worksheet(quiz, lesson, part=part)
    return {
        "gift": gift.export_gift,
        "moodle-xml": moodle_xml.export_moodle_xml,
        "qti": qti.export_qti,
    }[fmt]


@click.command("export")
@click.argument("quiz_id", metavar="QUIZ_ID")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="gift and moodle-xml for Moodle, qti for Canvas and other QTI 2.1 "
    "systems, worksheet for paper.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    default=None,
    help="File to write ('-' for standard output); default: a name like "
    "QUIZ_ID.gift.txt in the current folder.",
)
@click.option(
    "--content",
    "content",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Content root (default: INTERWAR_CONTENT or the repository's own root).",
)
@click.option(
    "--part",
    type=click.Choice(["both", "student", "key"]),
    default="both",
    show_default=True,
    help="Worksheet only: the student copy, the answer key, or both (the key "
    "starts on a new page).",
)
def export(
    quiz_id: str, fmt: str, output: Path | None, content: Path | None, part: str
) -> None:
    """Export a quiz for Moodle (GIFT, Moodle XML), QTI 2.1 or print (worksheet).

    What a format cannot express is listed as warnings on standard error.
    """
    from webapp.content.catalog import load_catalog

    root = content or default_root()
    catalog = load_catalog(root)
    if catalog.errors:
        for error in catalog.errors:
            click.echo(str(error), err=True)
        _fail(
            f"{len(catalog.errors)} content error(s) in {root}; fix them (see "
            "`interwar check`) and export again",
            EXIT_CONTENT,
        )
    quiz = catalog.quizzes.get(quiz_id)
    if quiz is None:
        known = ", ".join(sorted(catalog.quizzes)) or "(none)"
        _fail(f'there is no quiz "{quiz_id}" in {root}; the quizzes are: {known}')
        return
    lesson = catalog.lessons.get(quiz.lesson) if quiz.lesson else None
    result = _exporter(fmt, part)(quiz, lesson)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    data = result.data.encode("utf-8") if isinstance(result.data, str) else result.data
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = output or Path(result.filename)
    target.write_bytes(data)
    click.echo(f"Wrote {target}", err=True)


# ------------------------------------------------------------------ import


@click.group("import")
def import_group() -> None:
    """Convert questions from other formats into quiz YAML."""


@import_group.command("gift")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Content root: the quiz goes into its quizzes/ folder.",
)
@click.option(
    "--lesson",
    "lesson_id",
    callback=_slug,
    default=None,
    help="Attach the quiz to this existing lesson; without it a placeholder "
    "lesson with the quiz's id is written (unless one exists).",
)
@click.option(
    "--id",
    "quiz_id",
    callback=_slug,
    default=None,
    help="Quiz id (default: from the file name).",
)
@click.option("--title", default=None, help="Quiz title (default: the GIFT category).")
@click.option("--language", default="en", show_default=True, help="Content language.")
def import_gift_command(
    file: Path,
    root: Path,
    lesson_id: str | None,
    quiz_id: str | None,
    title: str | None,
    language: str,
) -> None:
    """Convert a GIFT question bank into quizzes/ID.yaml (and a placeholder lesson).

    Questions that cannot be converted (essays, descriptions...) are reported with
    their line in the GIFT file. Exit 0 when something was converted, 1 when
    nothing could be.
    """
    from webapp.content.importers import gift

    quiz_id = quiz_id or gift.slug(file.stem.removesuffix(".gift")) or "imported"
    quiz_path = root / "quizzes" / f"{quiz_id}.yaml"
    if quiz_path.exists():
        _fail(f"{quiz_path} already exists; choose another id with --id")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{file} is not UTF-8 text; save it as UTF-8 and try again")
        return
    lesson_path = root / "lessons" / f"{quiz_id}.yaml"
    existing = lesson_id is None and lesson_path.exists()
    result = gift.import_gift(
        text,
        quiz_id=quiz_id,
        lesson_id=lesson_id or (quiz_id if existing else None),
        title=title,
        language=language,
    )
    for problem in result.problems:
        click.echo(f"{file}:{problem}", err=True)
    left_out = sum(1 for p in result.problems if p.left_out)
    if not result.converted:
        _fail(f"nothing in {file} could be converted", EXIT_CONTENT)
    header = (
        "# yaml-language-server: $schema=__SCHEMA__\n"
        f"# Imported from {file.name} by `interwar import gift`. Read every question\n"
        "# and run `interwar check`; comments mark what changed on the way.\n"
    )
    if left_out:
        header += f"# {left_out} question(s) could not be converted: see the report.\n"
    _write(quiz_path, gift.quiz_yaml(result, header=header), "quiz", root)
    lesson_text = gift.lesson_yaml(
        result,
        header="# yaml-language-server: $schema=__SCHEMA__\n"
        "# A placeholder lesson for the imported quiz: write the reading here.\n",
    )
    if lesson_text is not None:
        _write(lesson_path, lesson_text, "lesson", root)
    elif existing:
        click.echo(f"The quiz uses the existing lesson {lesson_path}")
    click.echo(
        f"Converted {result.converted} question(s)"
        + (f"; {left_out} could not be converted (listed above)" if left_out else "")
        + f". Next: interwar check {root}"
    )


def register(group: click.Group) -> None:
    """Add `new`, `export` and `import` to the `interwar` group."""
    group.add_command(new)
    group.add_command(export)
    group.add_command(import_group)
