"""Translating teacher-written content: a Babel extractor and a pure translation layer.

Every teacher-written string of a lesson or quiz is one gettext message whose context
names the file and the field: "lesson:rapallo|sections.outsiders.body" or
"quiz:rapallo|questions.signed-when.choices.c2.feedback". Ids are used rather than
list positions wherever the YAML has them, so reordering keeps the translations.

One walk over a lesson or quiz serves both directions: the extractor records each
message, the translator looks each one up and rebuilds the frozen objects. A missing,
fuzzy or broken translation falls back to the English for exactly that string, and
its field path is reported so the page can mark it "not yet translated".
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Generic, Protocol, TypeVar

from babel.messages.pofile import PoFileError, read_po

from webapp.content import markdown
from webapp.content.domain import (
    ClozeBlank,
    ClozeQuestion,
    KeyTerm,
    Lesson,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    Quote,
    Section,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    Source,
    TimelineEvent,
    TrueFalseQuestion,
    WrongAnswer,
)
from webapp.content.errors import ContentError
from webapp.content.question_types._text import normalize
from webapp.content.question_types.cloze import split_gaps
from webapp.content.yamlsource import YamlPath

__all__ = [
    "DOMAIN",
    "ContentTranslations",
    "Entry",
    "Localized",
    "Messages",
    "catalog_path",
    "extract_yaml",
    "lesson_entries",
    "quiz_entries",
    "read_messages",
    "template_path",
    "translate_lesson_with",
    "translate_quiz_with",
]

DOMAIN = "content"
FORM_SEPARATOR = "|"

T = TypeVar("T")

COMMENT_MARKDOWN = (
    "Markdown: keep the formatting (**bold**, *italic*, lists, [links](https://...)); "
    "no HTML."
)
COMMENT_INLINE = "Inline Markdown (*italic*, **bold**, links) is allowed."
COMMENT_ANSWERS = (
    "Accepted answers separated by |: add the forms used in your language. The "
    "English forms stay accepted; case, accents and punctuation are ignored."
)
COMMENT_WRONG = (
    "A foreseeable wrong answer (forms separated by |): learners who type it see the "
    "feedback. Give the forms learners in your language would type."
)
COMMENT_CLOZE = (
    "Cloze: keep the {{...}} gaps, exactly {n} of them; translate the answers inside, "
    "with alternatives separated by | (e.g. {{Moskau|Moscow}}). Gaps may move."
)
COMMENT_ALIASES = (
    "Other forms of the term, separated by |, that link to the glossary where they "
    "appear in the text: give the forms used in your language (e.g. declined forms)."
)
COMMENT_OPTION = "Matching option: the same translation is used for every pair."
COMMENT_CITATION = (
    "Citation: keep a published title or author as published (you may add a "
    "translation in brackets); translate descriptions."
)
COMMENT_UNIT = "Unit shown after the number the learner types."
COMMENT_ORDER = "Ordering item {n}; items are listed here in the correct order."


def template_path(root: str | Path) -> Path:
    """Return the content catalog template: <root>/translations/content.pot."""
    return Path(root) / "translations" / f"{DOMAIN}.pot"


def catalog_path(root: str | Path, lang: str) -> Path:
    """Return <root>/translations/<lang>/LC_MESSAGES/content.po."""
    return Path(root) / "translations" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True, slots=True)
class Key:
    """Where a message lives: its gettext context, its field path and its YAML node."""

    context: str
    path: str  # the field path reported as untranslated (without "kind:id|")
    ypath: YamlPath  # the YAML node, for line numbers


@dataclass(frozen=True, slots=True)
class Entry:
    """One extracted message."""

    context: str
    msgid: str
    ypath: YamlPath
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    """A translation that exists but cannot be used, so the English is shown."""

    context: str
    path: str
    msgid: str
    message: str


@dataclass(frozen=True, slots=True)
class Localized(Generic[T]):
    """A lesson or quiz in a locale, and which strings fell back to English."""

    value: T
    locale: str
    untranslated: frozenset[str] = frozenset()
    problems: tuple[Problem, ...] = ()
    # field path → the English shown instead (feedback and answers are found by it)
    fallback_text: Mapping[str, str] = field(default_factory=dict)

    def is_untranslated(self, path: str) -> bool:
        """Return True when the string at this field path is shown in English."""
        return path in self.untranslated

    def any_untranslated(self, prefix: str) -> bool:
        """Return True when any string at or under this path is shown in English."""
        dotted = prefix + "."
        return any(p == prefix or p.startswith(dotted) for p in self.untranslated)


class _Visitor(Protocol):
    """What the walk asks for each message."""

    def message(self, key: Key, msgid: str, comment: str | None) -> str | None:
        """Return the translation, or None to keep the English."""

    def reject(self, key: Key, msgid: str, reason: str) -> None:
        """Note that the translation returned for `key` cannot be used."""


def _msgid(value: str) -> str:
    """The message id of a field: its text without surrounding blank lines."""
    return value.strip()


def _date_key(event: TimelineEvent) -> str:
    """Return "1922-04-16", "1925-04" or "1926" for a timeline event."""
    out = f"{event.year:04d}"
    if event.month is not None:
        out += f"-{event.month:02d}"
        if event.day is not None:
            out += f"-{event.day:02d}"
    return out


def _unique(keys: Iterable[str]) -> list[str]:
    """Make keys unique by suffixing repeats with #2, #3, ..."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out


class _Walk:
    """One pass over a lesson or quiz, rebuilding it from what the visitor returns."""

    def __init__(self, visitor: _Visitor) -> None:
        self.v = visitor

    def _scope(self, kind: str, file_id: str) -> Callable[[str, YamlPath], Key]:
        """Return a key maker for fields of one file."""

        def make(path: str, ypath: YamlPath) -> Key:
            return Key(f"{kind}:{file_id}|{path}", path, ypath)

        return make

    def text(self, key: Key, value: str, comment: str | None = None) -> str:
        """Translate a plain (or inline Markdown) string."""
        if not value.strip():
            return value
        got = self.v.message(key, _msgid(value), comment)
        return value if got is None or not got.strip() else got

    def optional(
        self, key: Key, value: str | None, comment: str | None = None
    ) -> str | None:
        """Translate a string that may be absent."""
        return None if value is None else self.text(key, value, comment)

    def markdown(self, key: Key, value: str, html: str) -> tuple[str, str]:
        """Translate block Markdown and render it again (English if it will not)."""
        if not value.strip():
            return value, html
        msgid = _msgid(value)
        got = self.v.message(key, msgid, COMMENT_MARKDOWN)
        if got is None or not got.strip():
            return value, html
        try:
            rendered = markdown.render(got)
        except Exception as exc:  # a renderer bug must not break the page
            self.v.reject(key, msgid, f"the Markdown does not render ({exc})")
            return value, html
        if not rendered.strip():
            self.v.reject(key, msgid, "the Markdown renders to nothing")
            return value, html
        return got, rendered

    def forms(
        self, key: Key, values: tuple[str, ...], comment: str
    ) -> tuple[str, ...] | None:
        """Translate a |-separated list of forms; None keeps the English."""
        if not values:
            return None
        msgid = FORM_SEPARATOR.join(_msgid(v) for v in values)
        got = self.v.message(key, msgid, comment)
        if got is None:
            return None
        forms = tuple(f.strip() for f in got.split(FORM_SEPARATOR) if f.strip())
        usable = tuple(f for f in forms if normalize(f))
        if not usable:
            self.v.reject(
                key,
                msgid,
                "no usable form: write words separated by |, not only punctuation",
            )
            return None
        return usable

    def quote(
        self,
        key: Callable[[str, YamlPath], Key],
        prefix: str,
        ypath: YamlPath,
        quote: Quote | None,
    ) -> Quote | None:
        """Translate a quotation and its attribution."""
        if quote is None:
            return None
        return dataclasses.replace(
            quote,
            text=self.text(key(f"{prefix}.text", (*ypath, "text")), quote.text),
            by=self.text(
                key(f"{prefix}.by", (*ypath, "by")),
                quote.by,
                "Attribution of the quotation.",
            ),
        )

    # -- lessons -------------------------------------------------------------------

    def lesson(self, lesson: Lesson) -> Lesson:
        """Walk every teacher-written string of a lesson."""
        k = self._scope("lesson", lesson.id)
        objectives = tuple(
            self.text(k(f"objectives.{i + 1}", ("objectives", i)), o)
            for i, o in enumerate(lesson.objectives)
        )
        terms: list[KeyTerm] = []
        for i, (slug, term) in enumerate(
            zip(
                _unique(t.slug for t in lesson.key_terms), lesson.key_terms, strict=True
            )
        ):
            base, yp = f"key_terms.{slug}", ("key_terms", i)
            aliases = self.forms(
                k(f"{base}.aliases", (*yp, "aliases")), term.aliases, COMMENT_ALIASES
            )
            terms.append(
                KeyTerm(
                    term=self.text(k(f"{base}.term", (*yp, "term")), term.term),
                    definition=self.text(
                        k(f"{base}.definition", (*yp, "definition")),
                        term.definition,
                    ),
                    aliases=aliases if aliases is not None else term.aliases,
                    anchor=term.slug,
                )
            )
        timeline = tuple(
            dataclasses.replace(
                event,
                event=self.text(
                    k(f"timeline.{date}.event", ("timeline", i, "event")),
                    event.event,
                ),
            )
            for i, (date, event) in enumerate(
                zip(
                    _unique(_date_key(e) for e in lesson.timeline),
                    lesson.timeline,
                    strict=True,
                )
            )
        )
        sections: list[Section] = []
        for i, s in enumerate(lesson.sections):
            base, yp = f"sections.{s.id}", ("sections", i)
            body, html = self.markdown(k(f"{base}.body", (*yp, "body")), s.body, s.html)
            sections.append(
                dataclasses.replace(
                    s,
                    title=self.text(k(f"{base}.title", (*yp, "title")), s.title),
                    body=body,
                    html=html,
                    quote=self.quote(k, f"{base}.quote", (*yp, "quote"), s.quote),
                )
            )
        sources: list[Source] = []
        for i, src in enumerate(lesson.sources):
            base, yp = f"sources.{src.id}", ("sources", i)
            sources.append(
                dataclasses.replace(
                    src,
                    author=self.text(
                        k(f"{base}.author", (*yp, "author")),
                        src.author,
                        COMMENT_CITATION,
                    ),
                    title=self.text(
                        k(f"{base}.title", (*yp, "title")), src.title, COMMENT_CITATION
                    ),
                    publication=self.optional(
                        k(f"{base}.publication", (*yp, "publication")),
                        src.publication,
                        COMMENT_CITATION,
                    ),
                    note=self.optional(k(f"{base}.note", (*yp, "note")), src.note),
                )
            )
        discussion = tuple(
            self.text(k(f"discussion.{i + 1}", ("discussion", i)), d)
            for i, d in enumerate(lesson.discussion)
        )
        notes, notes_html = self.markdown(
            k("teacher_notes", ("teacher_notes",)),
            lesson.teacher_notes,
            lesson.teacher_notes_html,
        )
        return dataclasses.replace(
            lesson,
            title=self.text(k("title", ("title",)), lesson.title),
            summary=self.text(k("summary", ("summary",)), lesson.summary),
            objectives=objectives,
            key_terms=tuple(terms),
            timeline=timeline,
            sections=tuple(sections),
            sources=tuple(sources),
            discussion=discussion,
            teacher_notes=notes,
            teacher_notes_html=notes_html,
        )

    # -- quizzes -------------------------------------------------------------------

    def quiz(self, quiz: Quiz) -> Quiz:
        """Walk every teacher-written string of a quiz (pooled questions included)."""
        k = self._scope("quiz", quiz.id)
        questions = tuple(
            self.question(quiz, i, q) for i, q in enumerate(quiz.questions)
        )
        return dataclasses.replace(
            quiz,
            title=self.text(k("title", ("title",)), quiz.title),
            description=self.text(k("description", ("description",)), quiz.description),
            questions=questions,
        )

    def question(self, quiz: Quiz, index: int, q: Question) -> Question:
        """Walk one question; a pooled question uses its own quiz's messages."""
        own_id = q.id
        quiz_id = quiz.id
        if q.pool is not None and q.id.startswith(q.pool + "."):
            quiz_id, own_id = q.pool, q.id[len(q.pool) + 1 :]
        shown = f"questions.{q.id}"
        ctx_base = f"quiz:{quiz_id}|questions.{own_id}"

        def k(rest: str, ypath: YamlPath) -> Key:
            return Key(
                f"{ctx_base}.{rest}", f"{shown}.{rest}", ("questions", index, *ypath)
            )

        changes: dict[str, Any] = {
            "prompt": self.text(k("prompt", ("prompt",)), q.prompt, COMMENT_INLINE),
            "explanation": self.text(
                k("explanation", ("explanation",)), q.explanation, COMMENT_INLINE
            ),
            "hint": self.optional(k("hint", ("hint",)), q.hint),
            "stimulus": self.quote(k, "stimulus", ("stimulus",), q.stimulus),
        }
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            changes["choices"] = tuple(
                dataclasses.replace(
                    c,
                    text=self.text(
                        k(f"choices.{c.id}.text", ("choices", j, "text")),
                        c.text,
                        COMMENT_INLINE,
                    ),
                    feedback=self.optional(
                        k(f"choices.{c.id}.feedback", ("choices", j, "feedback")),
                        c.feedback,
                        COMMENT_INLINE,
                    ),
                )
                for j, c in enumerate(q.choices)
            )
        elif isinstance(q, TrueFalseQuestion):
            changes["feedback"] = self.optional(
                k("feedback", ("feedback",)), q.feedback, COMMENT_INLINE
            )
        elif isinstance(q, ShortAnswerQuestion):
            changes.update(self._short_answer(k, q))
        elif isinstance(q, NumericQuestion):
            changes["unit"] = self.optional(k("unit", ("unit",)), q.unit, COMMENT_UNIT)
        elif isinstance(q, OrderingQuestion):
            changes["items"] = tuple(
                self.text(
                    k(f"items.{j + 1}", ("items", j)),
                    item,
                    COMMENT_ORDER.replace("{n}", str(j + 1)),
                )
                for j, item in enumerate(q.items)
            )
        elif isinstance(q, MatchingQuestion):
            changes.update(self._matching(k, q))
        elif isinstance(q, ClozeQuestion):
            changes.update(self._cloze(k, q))
        return dataclasses.replace(q, **changes)

    def _short_answer(
        self, k: Callable[[str, YamlPath], Key], q: ShortAnswerQuestion
    ) -> dict[str, Any]:
        """Accepted forms are the English ones plus the translated ones."""
        added = self.forms(k("answers", ("answers",)), q.answers, COMMENT_ANSWERS)
        wrong: list[WrongAnswer] = []
        for j, w in enumerate(q.wrong_answers):
            base, yp = f"wrong_answers.{j + 1}", ("wrong_answers", j)
            forms = self.forms(
                k(f"{base}.answer", (*yp, "answer")), (w.answer,), COMMENT_WRONG
            )
            feedback = self.text(
                k(f"{base}.feedback", (*yp, "feedback")), w.feedback, COMMENT_INLINE
            )
            wrong.extend(
                WrongAnswer(form, feedback) for form in _union((w.answer,), forms or ())
            )
        return {
            "answers": _union(q.answers, added or ()),
            "wrong_answers": tuple(wrong),
        }

    def _matching(
        self, k: Callable[[str, YamlPath], Key], q: MatchingQuestion
    ) -> dict[str, Any]:
        """Translate left items, and each distinct option once; options stay apart."""
        lefts = tuple(
            self.text(k(f"pairs.{j + 1}.left", ("pairs", left)), left)
            for j, (left, _) in enumerate(q.pairs)
        )
        options = q.options
        rights = {right for _, right in q.pairs}
        translated: list[tuple[Key, str, str]] = []
        for j, opt in enumerate(options):
            key = k(f"options.{j + 1}", ("pairs",) if opt in rights else ("extra",))
            translated.append((key, opt, self.text(key, opt, COMMENT_OPTION)))
        if len({normalize(t) for _, _, t in translated}) < len(translated):
            for key, opt, t in translated:
                if t != opt:
                    self.v.reject(
                        key,
                        _msgid(opt),
                        "two options have the same translation, so learners could "
                        "not tell them apart; give each option its own wording",
                    )
            mapping = {opt: opt for opt in options}
        else:
            mapping = {opt: t for _, opt, t in translated}
        return {
            "pairs": tuple(
                (left, mapping[right])
                for left, (_, right) in zip(lefts, q.pairs, strict=True)
            ),
            "extra": tuple(mapping[e] for e in q.extra),
        }

    def _cloze(
        self, k: Callable[[str, YamlPath], Key], q: ClozeQuestion
    ) -> dict[str, Any]:
        """Re-parse the translated text; the gap count must match the English."""
        key = k("text", ("text",))
        msgid = _msgid(q.text)
        got = self.v.message(
            key, msgid, COMMENT_CLOZE.replace("{n}", str(len(q.blanks)))
        )
        if got is None or not got.strip():
            return {}
        try:
            parts, gaps = split_gaps(got)
        except ValueError as exc:
            self.v.reject(key, msgid, f"cloze: {exc}")
            return {}
        if len(gaps) != len(q.blanks):
            self.v.reject(
                key,
                msgid,
                f"cloze: the translation has {len(gaps)} gap"
                f"{'s' if len(gaps) != 1 else ''} but the English has {len(q.blanks)}; "
                "keep one {{...}} for every gap",
            )
            return {}
        return {
            "text": got,
            "parts": parts,
            "blanks": tuple(ClozeBlank(answers=g) for g in gaps),
        }


def _union(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    """Return `first` and then each of `more` not already there (as compared)."""
    seen = {normalize(f) for f in first}
    out = list(first)
    for form in more:
        n = normalize(form)
        if n and n not in seen:
            seen.add(n)
            out.append(form)
    return tuple(out)


# -- extraction --------------------------------------------------------------------


class _Collect:
    """A visitor that records every message and keeps the English."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def message(self, key: Key, msgid: str, comment: str | None) -> str | None:
        """Record the message."""
        self.entries.append(
            Entry(key.context, msgid, key.ypath, (comment,) if comment else ())
        )
        return None

    def reject(self, key: Key, msgid: str, reason: str) -> None:
        """Nothing is translated while collecting."""


def lesson_entries(lesson: Lesson) -> list[Entry]:
    """Return every message of a lesson, in file order."""
    collect = _Collect()
    _Walk(collect).lesson(lesson)
    return collect.entries


def quiz_entries(quiz: Quiz) -> list[Entry]:
    """Return every message of a quiz's own questions, in file order."""
    collect = _Collect()
    _Walk(collect).quiz(
        dataclasses.replace(
            quiz, questions=tuple(q for q in quiz.questions if q.pool is None)
        )
    )
    return collect.entries


def extract_yaml(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extractor: yield (line, "pgettext", (context, msgid), comments)."""
    from webapp.content.schemas import SchemaErrors, load_lesson, load_quiz
    from webapp.content.yamlsource import YamlError, load_bytes

    if "pgettext" not in keywords:
        raise ValueError(
            "the interwar_yaml extractor needs the pgettext keyword for message "
            "contexts; do not pass --no-default-keywords"
        )
    name = str(getattr(fileobj, "name", "") or "<content>")
    data = fileobj.read()
    if isinstance(data, str):  # pragma: no cover - Babel opens files in binary mode
        data = data.encode("utf-8")
    try:
        doc = load_bytes(data, name)
        kind = str(options.get("kind") or _kind_of(name, doc.data))
        obj = load_lesson(doc) if kind == "lesson" else load_quiz(doc)
    except (YamlError, SchemaErrors) as exc:
        # Extracting a broken file would drop its strings and obsolete their
        # translations, so stop and say why instead.
        raise ValueError(
            "cannot extract from a file with errors; fix them first:\n"
            + "\n".join(str(e) for e in exc.errors)
        ) from None
    entries = lesson_entries(obj) if isinstance(obj, Lesson) else quiz_entries(obj)
    # In file order, so the catalog reads like the YAML.
    placed = sorted(
        ((doc.pos(e.ypath)[0], i, e) for i, e in enumerate(entries)),
        key=lambda t: (t[0], t[1]),
    )
    for line, _, entry in placed:
        yield line, "pgettext", (entry.context, entry.msgid), list(entry.comments)


def _kind_of(name: str, data: Any) -> str:
    """Tell a lesson from a quiz by its folder, else by its keys."""
    folder = Path(name).parent.name
    if folder == "lessons":
        return "lesson"
    if folder == "quizzes":
        return "quiz"
    if isinstance(data, dict) and ({"questions", "pools", "lesson"} & data.keys()):
        return "quiz"
    return "lesson"


# -- catalogs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Messages:
    """The usable translations of one .po file, and what is fuzzy or broken in it."""

    path: str
    locale: str
    translated: Mapping[tuple[str, str], str]  # (context, msgid) → msgstr
    lines: Mapping[tuple[str, str], int]  # (context, msgid) → line in the .po
    fuzzy: frozenset[tuple[str, str]] = frozenset()
    by_context: Mapping[str, str] = field(default_factory=dict)  # context → msgid
    errors: tuple[ContentError, ...] = ()
    mtime_ns: int = 0

    def line(self, context: str, msgid: str) -> int:
        """Return the line of an entry in the .po file (1 when it is not there)."""
        return self.lines.get((context, msgid), 1)


def read_messages(
    path: str | Path, locale: str, display: str | None = None
) -> Messages:
    """Read a content .po file; a file that cannot be parsed yields no translations."""
    path = Path(path)
    shown = display or str(path)
    try:
        stat = path.stat()
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=None, domain=DOMAIN, abort_invalid=True)
    except PoFileError as exc:
        reason = str(exc).rsplit(" on ", 1)[0]
        return Messages(
            shown,
            locale,
            {},
            {},
            errors=(
                ContentError(
                    # Babel counts lines from 0; editors and CI from 1.
                    shown,
                    exc.lineno + 1,
                    1,
                    f"catalog syntax error: {reason}",
                ),
            ),
        )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return Messages(
            shown,
            locale,
            {},
            {},
            errors=(ContentError(shown, 1, 1, f"cannot read this catalog: {exc}"),),
        )
    translated: dict[tuple[str, str], str] = {}
    lines: dict[tuple[str, str], int] = {}
    fuzzy: set[tuple[str, str]] = set()
    by_context: dict[str, str] = {}
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        key = (message.context or "", message.id)
        lines[key] = message.lineno or 1
        by_context[key[0]] = message.id
        string = message.string if isinstance(message.string, str) else ""
        if message.fuzzy:
            fuzzy.add(key)
        elif string.strip():
            translated[key] = string
    return Messages(
        shown,
        locale,
        translated,
        lines,
        frozenset(fuzzy),
        by_context,
        (),
        stat.st_mtime_ns,
    )


class _Translate:
    """A visitor that looks every message up in one catalog."""

    def __init__(self, messages: Messages | None) -> None:
        self.messages = messages
        self.fallbacks: set[str] = set()
        self.fallback_text: dict[str, str] = {}
        self.problems: list[Problem] = []

    def message(self, key: Key, msgid: str, comment: str | None) -> str | None:
        """Return the translation if there is a usable one; else note the fallback."""
        found = (
            self.messages.translated.get((key.context, msgid))
            if self.messages is not None
            else None
        )
        if found is None:
            self.fallbacks.add(key.path)
            self.fallback_text[key.path] = msgid
        return found

    def reject(self, key: Key, msgid: str, reason: str) -> None:
        """A broken translation: show the English and report it."""
        self.fallbacks.add(key.path)
        self.fallback_text[key.path] = msgid
        self.problems.append(Problem(key.context, key.path, msgid, reason))


def translate_lesson_with(
    lesson: Lesson, messages: Messages | None, locale: str
) -> Localized[Lesson]:
    """Translate a lesson with one catalog (None: every string stays English)."""
    visitor = _Translate(messages)
    value = _Walk(visitor).lesson(lesson)
    return Localized(
        value,
        locale,
        frozenset(visitor.fallbacks),
        tuple(visitor.problems),
        visitor.fallback_text,
    )


def translate_quiz_with(
    quiz: Quiz, messages: Messages | None, locale: str
) -> Localized[Quiz]:
    """Translate a quiz with one catalog (None: every string stays English)."""
    visitor = _Translate(messages)
    value = _Walk(visitor).quiz(quiz)
    return Localized(
        value,
        locale,
        frozenset(visitor.fallbacks),
        tuple(visitor.problems),
        visitor.fallback_text,
    )


def _candidates(locale: str) -> list[str]:
    """Return the catalog folders to try for a locale: "de_AT" → de_AT, de."""
    norm = str(locale).replace("-", "_").strip()
    out = [norm]
    if "_" in norm:
        out.append(norm.split("_", 1)[0])
    return [c for c in out if c]


_CACHE_LIMIT = 512


def _catalog_key(messages: Messages | None, locale: str) -> tuple[str, int | None]:
    """Return the language of the catalog used (de for de_AT) and its version."""
    if messages is None:
        return str(locale), None
    return messages.locale, messages.mtime_ns


class ContentTranslations:
    """The content catalogs of a content root, re-read when a .po file changes."""

    def __init__(self, root: str | Path) -> None:
        """Remember the content root; catalogs are read on first use."""
        self.root = Path(root)
        self._lock = threading.Lock()
        self._messages: dict[str, Messages] = {}
        self._results: dict[tuple[Any, ...], Localized[Any]] = {}
        # Every page asks for its catalog: the stat is needed (a translator's
        # save shows at once), building the path each time is not.
        self._paths: dict[str, tuple[tuple[str, str], ...]] = {}

    @classmethod
    def load(cls, content_root: str | Path) -> ContentTranslations:
        """Return the translations of a content root (translations/<lang>/...)."""
        return cls(content_root)

    def languages(self) -> tuple[str, ...]:
        """Return the languages that have a content catalog, sorted."""
        folder = self.root / "translations"
        if not folder.is_dir():
            return ()
        return tuple(
            sorted(
                p.name
                for p in folder.iterdir()
                if catalog_path(self.root, p.name).is_file()
            )
        )

    def messages(self, locale: str) -> Messages | None:
        """Return the catalog for a locale (re-read when the .po file changes)."""
        key = str(locale)
        paths = self._paths.get(key)
        if paths is None:
            paths = tuple(
                (lang, str(catalog_path(self.root, lang))) for lang in _candidates(key)
            )
            self._paths[key] = paths
        for lang, path in paths:
            try:
                mtime = os.stat(path).st_mtime_ns
            except OSError:
                continue
            cached = self._messages.get(lang)
            if cached is not None and cached.mtime_ns == mtime:
                return cached
            loaded = read_messages(path, lang)
            with self._lock:
                self._messages[lang] = loaded
            return loaded
        return None

    @staticmethod
    def _is_source(locale: str, language: str) -> bool:
        """True when the locale is the content's own language (en_GB for en)."""
        base = _candidates(locale)[-1:] or [""]
        return base[0] == language.replace("-", "_").split("_", 1)[0]

    def _cached(
        self, key: tuple[Any, ...], make: Callable[[], Localized[T]]
    ) -> Localized[T]:
        """Return a cached result or make and cache it."""
        found = self._results.get(key)
        if found is not None:
            return found
        result = make()
        with self._lock:
            if len(self._results) >= _CACHE_LIMIT:
                self._results.clear()
            self._results[key] = result
        return result

    def translate_lesson(self, lesson: Lesson, locale: str) -> Localized[Lesson]:
        """Return the lesson in `locale`, with the paths that fell back to English."""
        if self._is_source(locale, lesson.language):
            return Localized(lesson, str(locale))
        messages = self.messages(locale)
        lang, mtime = _catalog_key(messages, locale)
        key = ("lesson", lesson.id, lesson.version or id(lesson), lang, mtime)
        return self._cached(key, lambda: translate_lesson_with(lesson, messages, lang))

    def translate_quiz(self, quiz: Quiz, locale: str) -> Localized[Quiz]:
        """Return the quiz in `locale`, with the paths that fell back to English."""
        if self._is_source(locale, quiz.language):
            return Localized(quiz, str(locale))
        messages = self.messages(locale)
        lang, mtime = _catalog_key(messages, locale)
        # Pooled questions come from other files, whose versions the quiz's own
        # version does not cover.
        pooled = hash(quiz.questions) if quiz.pools else 0
        key = ("quiz", quiz.id, quiz.version or id(quiz), pooled, lang, mtime)
        return self._cached(key, lambda: translate_quiz_with(quiz, messages, lang))


# -- coverage and checks -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Located:
    """An extracted message and where it is in the YAML."""

    entry: Entry
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Untranslated:
    """A message shown in English: `fuzzy` (the English changed) or `missing`."""

    state: str
    context: str
    msgid: str
    path: str  # the .po file when the entry is there, else the YAML file
    line: int

    def __str__(self) -> str:
        """Return the `path:line: state: [context] msgid` line."""
        short = " ".join(self.msgid.split())
        if len(short) > 60:
            short = short[:59] + "…"
        return f"{self.path}:{self.line}: {self.state}: [{self.context}] {short}"


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a catalog is usable."""

    translated: int
    fuzzy: int
    missing: int
    untranslated: tuple[Untranslated, ...] = ()

    @property
    def total(self) -> int:
        """Return the number of messages."""
        return self.translated + self.fuzzy + self.missing


def located_entries(
    lessons: Iterable[Lesson], quizzes: Iterable[Quiz]
) -> list[Located]:
    """Return every message of loaded lessons and quizzes with its YAML line."""
    from webapp.content.yamlsource import YamlError, load_path

    out: list[Located] = []
    objects: list[Lesson | Quiz] = [*lessons, *quizzes]
    for obj in objects:
        entries = lesson_entries(obj) if isinstance(obj, Lesson) else quiz_entries(obj)
        try:
            doc = load_path(obj.path) if obj.path else None
        except (OSError, YamlError):
            doc = None
        for e in entries:
            line = doc.pos(e.ypath)[0] if doc is not None else 1
            out.append(Located(e, obj.path, line))
    return out


def content_coverage(entries: Iterable[Located], messages: Messages) -> Coverage:
    """Count translated, fuzzy and missing messages of the current content."""
    translated = fuzzy = missing = 0
    untranslated: list[Untranslated] = []
    for item in entries:
        key = (item.entry.context, item.entry.msgid)
        if key in messages.translated:
            translated += 1
            continue
        old = messages.by_context.get(key[0])
        if key in messages.fuzzy or (old is not None and key not in messages.lines):
            # An entry whose English changed since the last update is stale too.
            fuzzy += 1
            at = key if key in messages.lines else (key[0], old or "")
            untranslated.append(
                Untranslated("fuzzy", key[0], key[1], messages.path, messages.line(*at))
            )
        elif key in messages.lines:
            missing += 1
            untranslated.append(
                Untranslated(
                    "missing", key[0], key[1], messages.path, messages.line(*key)
                )
            )
        else:
            missing += 1
            untranslated.append(
                Untranslated("missing", key[0], key[1], item.path, item.line)
            )
    return Coverage(translated, fuzzy, missing, tuple(untranslated))


def content_problems(
    lessons: Iterable[Lesson], quizzes: Iterable[Quiz], messages: Messages
) -> list[ContentError]:
    """Return the translations that cannot be used (bad gaps, Markdown, options)."""
    errors: list[ContentError] = []
    results: list[Localized[Any]] = [
        translate_lesson_with(lesson, messages, messages.locale) for lesson in lessons
    ]
    results.extend(
        # Pooled questions are checked with their own quiz.
        translate_quiz_with(
            dataclasses.replace(
                quiz, questions=tuple(q for q in quiz.questions if q.pool is None)
            ),
            messages,
            messages.locale,
        )
        for quiz in quizzes
    )
    for result in results:
        for p in result.problems:
            errors.append(
                ContentError(
                    messages.path,
                    messages.line(p.context, p.msgid),
                    1,
                    f"{p.message} [{p.context}]; the English is shown instead",
                )
            )
    return sorted(errors)
