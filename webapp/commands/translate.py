"""`interwar translate extract|update|compile|init`: the interface and content catalogs.

Two gettext domains:

- `messages`, the interface: webapp/translations/messages.pot and
  webapp/translations/<lang>/LC_MESSAGES/messages.po (Flask-Babel's default place);
- `content`, the teacher-written YAML: <content root>/translations/content.pot and
  <content root>/translations/<lang>/LC_MESSAGES/content.po.

Everything goes through Babel's own functions (extract, Catalog.update, write_po,
write_mo, the checkers), so the files are the ones `pybabel` would write.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message, TranslationError
from babel.messages.checkers import num_plurals
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

from webapp.commands.content import EXIT_CLEAN, EXIT_CONTENT, default_root
from webapp.content.errors import ContentError
from webapp.content.i18n import Coverage, Untranslated

PACKAGE = Path(__file__).resolve().parent.parent  # webapp/
INTERFACE_DIR = PACKAGE / "translations"
DOMAINS = ("messages", "content")

# The same mappings as babel.cfg and babel-content.cfg at the repository root
# (a test keeps them equal), so pybabel and `interwar translate` agree.
INTERFACE_MAP = [
    ("webapp/**.py", "python"),
    ("webapp/templates/**.html", "jinja2"),
]
INTERFACE_OPTIONS: dict[str, dict[str, str]] = {
    "webapp/templates/**.html": {"trimmed": "true"},
}
CONTENT_MAP = [
    ("lessons/**.yaml", "interwar_yaml"),
    ("lessons/**.yml", "interwar_yaml"),
    ("quizzes/**.yaml", "interwar_yaml"),
    ("quizzes/**.yml", "interwar_yaml"),
]
# Flask-Babel's lazy and plural helpers, on top of Babel's defaults.
INTERFACE_KEYWORDS: dict[str, Any] = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("i18n:",)
CONTENT_HEADER = """\
# Translations of the Interwar Lessons lessons and quizzes (the content domain).
# Copyright (C) YEAR the Interwar Lessons authors
# This file is distributed under the same license as the PROJECT project.
# Contexts read "<lesson|quiz>:<file id>|<field path>"; see docs/translating.md.
#"""
# Content is never %-formatted, so "13% of" must not be checked as a placeholder.
_FORMAT_FLAGS = ("python-format", "python-brace-format")


@dataclass(frozen=True, slots=True)
class Domain:
    """Where one domain's template and catalogs live."""

    name: str
    directory: Path  # holds <name>.pot and <lang>/LC_MESSAGES/<name>.po

    @property
    def template(self) -> Path:
        """Return the .pot path."""
        return self.directory / f"{self.name}.pot"

    def po(self, lang: str) -> Path:
        """Return the .po path of a language."""
        return self.directory / lang / "LC_MESSAGES" / f"{self.name}.po"

    def languages(self) -> list[str]:
        """Return the languages that have a catalog, sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p.name
            for p in self.directory.iterdir()
            if p.is_dir() and self.po(p.name).is_file()
        )


def domains(content_root: Path, which: str) -> list[Domain]:
    """Return the selected domains ("all", "messages" or "content")."""
    out = []
    if which in ("all", "messages"):
        out.append(Domain("messages", INTERFACE_DIR))
    if which in ("all", "content"):
        out.append(Domain("content", content_root / "translations"))
    return out


def _rel(path: Path) -> str:
    """Show a path relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _strip_format_flags(catalog: Catalog) -> None:
    """Drop python-format flags from content messages (teacher text, not formats)."""
    for message in catalog:
        if message.id:
            message.flags.difference_update(_FORMAT_FLAGS)


def _write_po(path: Path, catalog: Catalog, domain: str) -> None:
    """Write a .po/.pot the way pybabel does, atomically."""
    if domain == "content":
        _strip_format_flags(catalog)
    buf = io.BytesIO()
    write_po(buf, catalog, include_previous=True, ignore_obsolete=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)


def extract_catalog(
    root: Path,
    method_map: list[tuple[str, str]],
    options_map: dict[str, dict[str, str]],
    keywords: dict[str, Any],
) -> Catalog:
    """Extract every message under `root`; locations are relative to it."""
    catalog = Catalog(
        project="Interwar Lessons",
        version="1",
        copyright_holder="the Interwar Lessons authors",
        charset="utf-8",
        fuzzy=False,
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=keywords,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(
            message,
            None,
            [(Path(filename).as_posix(), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _content_map() -> list[tuple[str, str]]:
    """The content mapping, by dotted path so it works before the entry point exists."""
    return [(pattern, "webapp.content.i18n:extract_yaml") for pattern, _ in CONTENT_MAP]


def extract_domain(domain: Domain, content_root: Path) -> int:
    """Write a domain's .pot; return how many messages it holds."""
    if domain.name == "content":
        catalog = extract_catalog(content_root, _content_map(), {}, DEFAULT_KEYWORDS)
        catalog.header_comment = CONTENT_HEADER
    else:
        catalog = extract_catalog(
            PACKAGE.parent, INTERFACE_MAP, INTERFACE_OPTIONS, INTERFACE_KEYWORDS
        )
    _write_po(domain.template, catalog, domain.name)
    return len(catalog)


def _read(path: Path, locale: str | None = None, domain: str | None = None) -> Catalog:
    """Read a .po or .pot file, stopping at the first syntax error."""
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=domain, abort_invalid=True)


def update_domain(domain: Domain) -> list[str]:
    """Merge the .pot into every language's .po; return the languages updated."""
    template = _read(domain.template)
    done = []
    for lang in domain.languages():
        path = domain.po(lang)
        catalog = _read(path, locale=lang, domain=domain.name)
        # Babel's own merge: a changed English string becomes fuzzy (with its old
        # msgid kept as #| for the translator); removed ones are kept as #~.
        catalog.update(template)
        _write_po(path, catalog, domain.name)
        done.append(lang)
    return done


def init_domain(domain: Domain, lang: str) -> Path:
    """Create a new language's catalog from the domain's .pot."""
    locale = Locale.parse(lang)
    path = domain.po(lang)
    with domain.template.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain=domain.name)
    catalog.locale = locale
    catalog.revision_date = dt.datetime.now(dt.UTC)
    catalog.fuzzy = False
    _write_po(path, catalog, domain.name)
    return path


def check_catalog(
    path: Path, domain: str, lang: str, content_root: Path | None = None
) -> tuple[Catalog | None, list[ContentError]]:
    """Read and check one .po file; return it (None if unreadable) and its errors."""
    shown = _rel(path)
    try:
        catalog = _read(path, locale=lang, domain=domain)
    except PoFileError as exc:
        reason = str(exc).rsplit(" on ", 1)[0]
        line = exc.lineno + 1  # Babel counts from 0
        return None, [ContentError(shown, line, 1, f"syntax error: {reason}")]
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return None, [ContentError(shown, 1, 1, f"cannot read this catalog: {exc}")]
    errors: list[ContentError] = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        for error in _message_errors(catalog, message, domain):
            errors.append(ContentError(shown, message.lineno or 1, 1, str(error)))
    if domain == "content" and content_root is not None:
        errors.extend(_content_errors(path, lang, content_root, shown))
    return catalog, sorted(errors)


def _message_errors(
    catalog: Catalog, message: Message, domain: str
) -> Iterable[TranslationError]:
    """Run Babel's checkers: all of them for the interface, plurals for content."""
    if domain != "content":
        return message.check(catalog)
    try:
        num_plurals(catalog, message)
    except TranslationError as exc:
        return [exc]
    return []


def _content_errors(
    path: Path, lang: str, content_root: Path, shown: str
) -> list[ContentError]:
    """Translations the content cannot use: gap counts, Markdown, option clashes."""
    from webapp.content.catalog import load_catalog
    from webapp.content.i18n import content_problems, read_messages

    messages = read_messages(path, lang, display=shown)
    if messages.errors:
        return []
    catalog = load_catalog(content_root)
    return content_problems(
        catalog.lessons.values(), catalog.quizzes.values(), messages
    )


def compile_domain(
    domain: Domain, content_root: Path
) -> tuple[list[str], list[ContentError]]:
    """Write a .mo for every clean catalog; return the languages done and the errors."""
    done: list[str] = []
    errors: list[ContentError] = []
    for lang in domain.languages():
        path = domain.po(lang)
        catalog, found = check_catalog(path, domain.name, lang, content_root)
        errors.extend(found)
        if catalog is None or found:
            continue  # never ship a catalog whose placeholders would break a page
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)
        path.with_suffix(".mo").write_bytes(buf.getvalue())
        done.append(lang)
    return done, errors


# -- coverage for `interwar check` ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageReport:
    """The coverage of one domain in one language."""

    lang: str
    domain: str
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class TranslationReport:
    """Coverage per language and domain, and the catalog errors found."""

    languages: tuple[LanguageReport, ...]
    errors: tuple[ContentError, ...]

    def untranslated(self) -> list[tuple[LanguageReport, Untranslated]]:
        """Return every fuzzy and missing entry with its language, in path order."""
        out = [(r, u) for r in self.languages for u in r.coverage.untranslated]
        out.sort(key=lambda ru: (ru[1].path, ru[1].line, ru[0].lang))
        return out


def translation_report(roots: Iterable[Path], interface: bool) -> TranslationReport:
    """Check the content catalogs of `roots` (and the interface's, if asked)."""
    from webapp.content.catalog import load_catalog
    from webapp.content.i18n import (
        content_coverage,
        content_problems,
        located_entries,
        read_messages,
    )

    reports: list[LanguageReport] = []
    errors: list[ContentError] = []
    if interface:
        reports_i, errors_i = _interface_report(Domain("messages", INTERFACE_DIR))
        reports.extend(reports_i)
        errors.extend(errors_i)
    for root in roots:
        domain = Domain("content", root / "translations")
        langs = domain.languages()
        if not langs:
            continue
        catalog = load_catalog(root)
        lessons, quizzes = catalog.lessons.values(), catalog.quizzes.values()
        entries = located_entries(lessons, quizzes)
        for lang in langs:
            messages = read_messages(
                domain.po(lang), lang, display=_rel(domain.po(lang))
            )
            errors.extend(messages.errors)
            if messages.errors:
                continue
            _, found = check_catalog(domain.po(lang), "content", lang)
            errors.extend(found)
            errors.extend(content_problems(lessons, quizzes, messages))
            reports.append(
                LanguageReport(lang, "content", content_coverage(entries, messages))
            )
    return TranslationReport(tuple(reports), tuple(sorted(set(errors))))


def _interface_report(
    domain: Domain,
) -> tuple[list[LanguageReport], list[ContentError]]:
    """Coverage of the interface catalogs against messages.pot (if extracted)."""
    template: Catalog | None = None
    if domain.template.is_file():
        try:
            template = _read(domain.template)
        except PoFileError as exc:
            shown = _rel(domain.template)
            return [], [ContentError(shown, exc.lineno + 1, 1, str(exc))]
    reports: list[LanguageReport] = []
    errors: list[ContentError] = []
    for lang in domain.languages():
        catalog, found = check_catalog(domain.po(lang), domain.name, lang)
        errors.extend(found)
        if catalog is None:
            continue
        reports.append(
            LanguageReport(
                lang, domain.name, _po_coverage(catalog, template, lang, domain)
            )
        )
    return reports, errors


def _po_coverage(
    catalog: Catalog, template: Catalog | None, lang: str, domain: Domain
) -> Coverage:
    """Count an interface catalog's entries as translated, fuzzy or missing."""
    shown = _rel(domain.po(lang))
    keys = (
        [(m.id, m.context) for m in template if m.id]
        if template is not None
        else [(m.id, m.context) for m in catalog if m.id]
    )
    translated = fuzzy = missing = 0
    untranslated: list[Untranslated] = []
    for msgid, context in keys:
        message = catalog.get(msgid, context)
        text = msgid if isinstance(msgid, str) else msgid[0]
        strings = (
            []
            if message is None
            else list(message.string)
            if isinstance(message.string, (list, tuple))
            else [message.string]
        )
        line = message.lineno or 1 if message is not None else 1
        if message is not None and message.fuzzy:
            fuzzy += 1
            untranslated.append(Untranslated("fuzzy", context or "", text, shown, line))
        elif strings and all(strings):
            translated += 1
        else:
            missing += 1
            untranslated.append(
                Untranslated("missing", context or "", text, shown, line)
            )
    return Coverage(translated, fuzzy, missing, tuple(untranslated))


# -- the click commands -------------------------------------------------------------

_content_option = click.option(
    "--content",
    "content",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Content root (default: INTERWAR_CONTENT or the repository's own root).",
)
_domain_option = click.option(
    "--domain",
    "which",
    type=click.Choice(["all", *DOMAINS]),
    default="all",
    show_default=True,
    help="messages: the interface; content: the lessons and quizzes.",
)


def _root(content: Path | None) -> Path:
    """Return the content root to use."""
    return content if content is not None else default_root()


@click.group("translate")
def translate() -> None:
    """Manage the interface (messages) and content translation catalogs."""


@translate.command("extract")
@_content_option
@_domain_option
def extract_cmd(content: Path | None, which: str) -> None:
    """Write messages.pot and content.pot from the code, templates and YAML."""
    root = _root(content)
    for domain in domains(root, which):
        if domain.name == "content":
            from webapp.content.catalog import load_catalog

            errors = load_catalog(root).errors
            if errors:
                # A broken file would lose its strings and obsolete their translations.
                for error in errors:
                    click.echo(str(error), err=True)
                click.echo(
                    "interwar translate extract: fix the content errors above first "
                    "(see interwar check)",
                    err=True,
                )
                sys.exit(EXIT_CONTENT)
        try:
            n = extract_domain(domain, root)
        except ValueError as exc:
            click.echo(f"interwar translate extract: {exc}", err=True)
            sys.exit(EXIT_CONTENT)
        click.echo(f"{_rel(domain.template)}: {n} messages")


@translate.command("update")
@_content_option
@_domain_option
def update_cmd(content: Path | None, which: str) -> None:
    """Merge the .pot files into every language; changed strings become fuzzy."""
    root = _root(content)
    for domain in domains(root, which):
        if not domain.template.is_file():
            raise click.UsageError(
                f"{_rel(domain.template)} does not exist; run interwar translate "
                "extract first"
            )
        try:
            langs = update_domain(domain)
        except PoFileError as exc:
            click.echo(f"interwar translate update: {exc}", err=True)
            sys.exit(EXIT_CONTENT)
        click.echo(f"{domain.name}: updated {', '.join(langs) or 'no languages'}")


@translate.command("init")
@click.argument("lang")
@_content_option
@_domain_option
@click.option("--force", is_flag=True, help="Overwrite an existing catalog.")
def init_cmd(lang: str, content: Path | None, which: str, force: bool) -> None:
    """Start the catalogs of a new language, e.g. interwar translate init de."""
    try:
        Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        raise click.UsageError(
            f"{lang!r} is not a language code such as de or ru"
        ) from None
    root = _root(content)
    for domain in domains(root, which):
        if not domain.template.is_file():
            raise click.UsageError(
                f"{_rel(domain.template)} does not exist; run interwar translate "
                "extract first"
            )
        path = domain.po(lang)
        if path.exists() and not force:
            click.echo(f"{_rel(path)} exists; leaving it (use update, or --force)")
            continue
        click.echo(f"created {_rel(init_domain(domain, lang))}")


@translate.command("compile")
@_content_option
@_domain_option
def compile_cmd(content: Path | None, which: str) -> None:
    """Check every catalog and write the .mo files; exit 1 on catalog errors."""
    root = _root(content)
    all_errors: list[ContentError] = []
    for domain in domains(root, which):
        done, errors = compile_domain(domain, root)
        all_errors.extend(errors)
        click.echo(f"{domain.name}: compiled {', '.join(done) or 'no languages'}")
    for error in sorted(all_errors):
        click.echo(f"{error.path}:{error.line}: error: {error.message}", err=True)
    if all_errors:
        n = len(all_errors)
        click.echo(f"{n} catalog error{'s' if n != 1 else ''}", err=True)
    sys.exit(EXIT_CONTENT if all_errors else EXIT_CLEAN)


def register(group: click.Group) -> None:
    """Add `interwar translate` to the `interwar` group."""
    group.add_command(translate)
