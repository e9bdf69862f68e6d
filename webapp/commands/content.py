"""`interwar check` and `interwar schema`: content validation for teachers and CI."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from webapp.content.errors import ContentError

EXIT_CLEAN, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def default_root() -> Path:
    """Return the content root: INTERWAR_CONTENT, else the repository's own root."""
    env = os.environ.get("INTERWAR_CONTENT")
    if env:
        return Path(env)
    # webapp/commands/content.py → the checkout (webapp's parent)
    return Path(__file__).resolve().parent.parent.parent


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """Return '1 lesson' / '2 lessons'."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--content",
    "content",
    type=click.Path(path_type=Path),
    default=None,
    help="Content root (default: INTERWAR_CONTENT or the repository's own root).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def check(paths: tuple[Path, ...], content: Path | None, fmt: str) -> None:
    """Check lessons and quizzes: content roots or single .yaml files.

    Prints every error as path:line:col: message; exits 0 when clean, 1 on content
    errors, 2 on usage errors.
    """
    roots: list[Path] = []
    files: list[Path] = []
    explicit = bool(paths) or content is not None
    for path in paths or (content or default_root(),):
        if not path.exists():
            raise click.UsageError(f"{path} does not exist")
        if path.is_dir():
            if explicit and not (
                (path / "lessons").is_dir() or (path / "quizzes").is_dir()
            ):
                raise click.UsageError(
                    f"{path} is not a content root: it has no lessons/ or quizzes/ "
                    "folder"
                )
            roots.append(path)
        elif path.suffix in (".yaml", ".yml"):
            files.append(path)
        else:
            raise click.UsageError(f"{path} is not a .yaml file or a content root")
    try:
        result = _check(roots, files)
    except Exception as exc:  # never a traceback for any input
        click.echo(
            f"interwar check: internal error ({type(exc).__name__}: {exc})", err=True
        )
        sys.exit(EXIT_CONTENT)
    errors, warnings, counts = result
    failed = sorted({e.path for e in errors})
    summary = {
        "lessons": counts[0],
        "quizzes": counts[1],
        "questions": counts[2],
        "errors": len(errors),
        "files_with_errors": len(failed),
        "warnings": len(warnings),
        "ok": not errors,
    }
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "errors": [e.as_dict() for e in errors],
                    "warnings": [w.as_dict() for w in warnings],
                    "summary": summary,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        lines = [(e, str(e)) for e in errors] + [
            (w, f"{w.path}:{w.line}:{w.col}: warning: {w.message}") for w in warnings
        ]
        lines.sort(key=lambda pair: (pair[0].path, pair[0].line, pair[0].col))
        for _, line in lines:
            click.echo(line)
        head = (
            f"{_plural(counts[0], 'lesson')}, {_plural(counts[1], 'quiz', 'quizzes')}, "
            f"{_plural(counts[2], 'question')}"
        )
        if errors:
            counted = (
                f"{_plural(len(errors), 'error')} in {_plural(len(failed), 'file')}"
            )
            click.echo(f"{head}: {counted}")
        else:
            click.echo(f"{head}: no errors")
    sys.exit(EXIT_CONTENT if errors else EXIT_CLEAN)


def _check(
    roots: list[Path], files: list[Path]
) -> tuple[list[ContentError], list[ContentError], tuple[int, int, int]]:
    """Load every root and the single files; return errors, warnings and counts."""
    from webapp.content.catalog import load_catalog, load_files

    catalogs = [load_catalog(root) for root in roots]
    if files:
        catalogs.append(load_files(files))
    errors = sorted(
        (e for c in catalogs for e in c.errors), key=lambda e: (e.path, e.line, e.col)
    )
    warnings = sorted(
        (w for c in catalogs for w in c.warnings), key=lambda e: (e.path, e.line, e.col)
    )
    lessons = sum(c.stats.lessons for c in catalogs)
    quizzes = sum(c.stats.quizzes for c in catalogs)
    questions = sum(c.stats.questions for c in catalogs)
    return errors, warnings, (lessons, quizzes, questions)


@click.command("schema")
@click.argument("kind", type=click.Choice(["lesson", "quiz"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of a lesson or quiz file, for editor autocompletion."""
    from webapp.content.json_schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


def register(group: click.Group) -> None:
    """Add the content commands to the `interwar` group."""
    group.add_command(check)
    group.add_command(schema)
