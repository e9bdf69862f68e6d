"""`interwar check` and `interwar schema`: content validation for teachers and CI."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from webapp.content.errors import ContentError

if TYPE_CHECKING:
    from webapp.commands.translate import TranslationReport

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
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also list every missing translation (fuzzy ones are always listed).",
)
@click.option(
    "--strict-translations",
    is_flag=True,
    help="Count fuzzy and missing translations as errors.",
)
def check(
    paths: tuple[Path, ...],
    content: Path | None,
    fmt: str,
    verbose: bool = False,
    strict_translations: bool = False,
) -> None:
    """Check lessons and quizzes: content roots or single .yaml files.

    Prints every error as path:line:col: message; exits 0 when clean, 1 on content
    errors, 2 on usage errors. Translation catalogs next to a content root are
    checked too: coverage per language, fuzzy entries, catalog errors.
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
    try:
        report = _translations(roots, explicit)
    except Exception as exc:  # never a traceback for any input
        click.echo(
            f"interwar check: internal error ({type(exc).__name__}: {exc})", err=True
        )
        sys.exit(EXIT_CONTENT)
    errors = errors + list(report.errors)
    untranslated = report.untranslated()
    if strict_translations:
        errors += [
            ContentError(
                u.path,
                u.line,
                1,
                f"{u.state} ({r.lang}): [{u.context}] "
                + " ".join(u.msgid.split())[:60],
            )
            for r, u in untranslated
        ]
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
                    **_translations_json(report),
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
        if not strict_translations:
            for r, u in untranslated:
                if u.state == "fuzzy" or verbose:
                    click.echo(
                        f"{u.path}:{u.line}: {u.state} ({r.lang}): "
                        f"[{u.context}] {_short(u.msgid)}"
                    )
        for line in _coverage_lines(report):
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


def _translations(roots: list[Path], explicit: bool) -> TranslationReport:
    """Check the catalogs of the roots; the interface's with the repository's own."""
    from webapp.commands.translate import PACKAGE, translation_report

    here = PACKAGE.parent.resolve()
    interface = not explicit or any(r.resolve() == here for r in roots)
    return translation_report(roots, interface)


def _short(text: str, limit: int = 60) -> str:
    """Return text on one line, cut to `limit` characters."""
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _coverage_lines(report: TranslationReport) -> list[str]:
    """Return one 'translations de: content ...; interface ...' line per language."""
    by_lang: dict[str, list[str]] = {}
    for r in report.languages:
        c = r.coverage
        name = "interface" if r.domain == "messages" else r.domain
        by_lang.setdefault(r.lang, []).append(
            f"{name} {c.translated}/{c.total} translated, {c.fuzzy} fuzzy, "
            f"{c.missing} missing"
        )
    return [
        f"translations {lang}: {'; '.join(parts)}"
        for lang, parts in sorted(by_lang.items())
    ]


def _translations_json(report: TranslationReport) -> dict[str, object]:
    """Return the JSON keys for translations (none when there are no catalogs)."""
    if not report.languages:
        return {}
    coverage: dict[str, dict[str, dict[str, int]]] = {}
    for r in report.languages:
        c = r.coverage
        coverage.setdefault(r.lang, {})[r.domain] = {
            "translated": c.translated,
            "fuzzy": c.fuzzy,
            "missing": c.missing,
        }
    return {
        "translations": coverage,
        "untranslated": [
            {
                "path": u.path,
                "line": u.line,
                "lang": r.lang,
                "domain": r.domain,
                "state": u.state,
                "context": u.context,
                "msgid": u.msgid,
            }
            for r, u in report.untranslated()
        ],
    }


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
