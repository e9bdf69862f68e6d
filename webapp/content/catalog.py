"""Load a content root: every lesson and quiz, every error of every file, cross-checked.

A broken file is left out and reported; the valid files keep working. References to a
file that is itself broken are not reported again, so each mistake is said once.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webapp.content.domain import Lesson, Question, Quiz, TimelineEvent
from webapp.content.errors import ContentError
from webapp.content.fields import did_you_mean
from webapp.content.schemas import SchemaErrors, load_lesson, load_quiz
from webapp.content.yamlsource import Document, YamlError, YamlPath, load_bytes

__all__ = [
    "Catalog",
    "ContentError",
    "FileInfo",
    "Stats",
    "load_catalog",
    "load_files",
]

SUFFIXES = (".yaml", ".yml")
KINDS = {"lessons": "lesson", "quizzes": "quiz"}


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One content file: what it holds, its version hash and whether it loaded."""

    path: str
    kind: str  # "lesson", "quiz" or "unknown"
    id: str | None
    version: str  # sha256 of the bytes, hex
    ok: bool


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts of what loaded."""

    lessons: int
    quizzes: int
    questions: int


@dataclass(frozen=True, slots=True)
class Catalog:
    """All valid lessons and quizzes of a content root, and every error found."""

    root: Path | None
    lessons: dict[str, Lesson]
    quizzes: dict[str, Quiz]
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...]
    files: dict[str, FileInfo]

    @property
    def ok(self) -> bool:
        """Return True when no file had an error."""
        return not self.errors

    @property
    def stats(self) -> Stats:
        """Return how many lessons, quizzes and (own) questions loaded."""
        questions = sum(
            1
            for quiz in self.quizzes.values()
            for q in quiz.questions
            if q.pool is None
        )
        return Stats(len(self.lessons), len(self.quizzes), questions)

    def lesson(self, lesson_id: str) -> Lesson | None:
        """Return the lesson with this id, or None."""
        return self.lessons.get(lesson_id)

    def quiz(self, quiz_id: str) -> Quiz | None:
        """Return the quiz with this id, or None."""
        return self.quizzes.get(quiz_id)

    def quizzes_for_lesson(self, lesson_id: str) -> list[Quiz]:
        """Return the quizzes of a lesson, by id."""
        return sorted(
            (q for q in self.quizzes.values() if q.lesson == lesson_id),
            key=lambda q: q.id,
        )

    def timeline(self) -> list[TimelineEvent]:
        """Return every lesson's events in date order, each tagged with its lesson."""
        events = [
            dataclasses.replace(event, lesson=lesson.id)
            for lesson in self.lessons.values()
            for event in lesson.timeline
        ]
        order = {lesson_id: i for i, lesson_id in enumerate(self.lessons)}
        events.sort(key=lambda e: (e.sort_key, order.get(e.lesson or "", 0)))
        return events


def display_path(path: Path) -> str:
    """Show a path as given, or relative to the working directory when possible."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


def content_files(root: Path) -> list[tuple[Path, str]]:
    """Return the lesson and quiz files of a content root, in path order."""
    found: list[tuple[Path, str]] = []
    for folder, kind in KINDS.items():
        directory = root / folder
        if directory.is_dir():
            found.extend(
                (p, kind)
                for p in sorted(directory.iterdir())
                if p.suffix in SUFFIXES and p.is_file()
            )
    return found


def load_catalog(root: str | Path) -> Catalog:
    """Load the lessons/ and quizzes/ of a content root."""
    root = Path(root)
    with _collector_paused():
        return _Loader(root).run(content_files(root))


def load_files(paths: Iterable[str | Path]) -> Catalog:
    """Load single files; the kind comes from the folder name or the keys."""
    entries: list[tuple[Path, str]] = []
    for p in paths:
        path = Path(p)
        entries.append((path, KINDS.get(path.parent.name, "")))
    with _collector_paused():
        return _Loader(None).run(entries)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a catalog is built.

    Loading makes a few hundred thousand small objects that stay alive and form
    no cycles; the collector kept walking them as they grew, a fifth of the
    load's time. Reference counting still frees garbage as usual, and the few
    cycles (an error's traceback) wait for the collector's next run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Parsed:
    """A file that passed the schema, with its positions."""

    obj: Any
    doc: Document
    display: str


@dataclass
class _Loader:
    """One loading run: collects objects, errors and warnings."""

    root: Path | None
    errors: list[ContentError] = field(default_factory=list)
    warnings: list[ContentError] = field(default_factory=list)
    files: dict[str, FileInfo] = field(default_factory=dict)
    broken: dict[str, set[str]] = field(
        default_factory=lambda: {"lesson": set(), "quiz": set()}
    )

    def run(self, entries: Sequence[tuple[Path, str]]) -> Catalog:
        """Load every file, then check across files."""
        lessons: dict[str, _Parsed] = {}
        quizzes: dict[str, _Parsed] = {}
        for path, kind in entries:
            parsed = self._file(path, kind)
            if parsed is None:
                continue
            target = lessons if isinstance(parsed.obj, Lesson) else quizzes
            self._add(parsed, target)
        good_lessons = {k: p.obj for k, p in lessons.items()}
        resolved = self._check_quizzes(quizzes, good_lessons)
        ordered = dict(
            sorted(good_lessons.items(), key=lambda kv: (kv[1].order, kv[1].id))
        )
        for parsed in (*lessons.values(), *quizzes.values()):
            info = self.files[parsed.display]
            self.files[parsed.display] = dataclasses.replace(
                info,
                ok=info.ok
                and parsed.obj.id in (ordered if info.kind == "lesson" else resolved),
            )
        self.errors.sort()
        self.warnings.sort()
        return Catalog(
            root=self.root,
            lessons=ordered,
            quizzes=dict(sorted(resolved.items())),
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            files=dict(sorted(self.files.items())),
        )

    def _file(self, path: Path, kind: str) -> _Parsed | None:
        """Read, parse and validate one file; record its errors."""
        display = display_path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.errors.append(
                ContentError(display, 1, 1, f"cannot read this file: {exc.strerror}")
            )
            self.files[display] = FileInfo(display, kind or "unknown", None, "", False)
            return None
        version = hashlib.sha256(data).hexdigest()
        doc: Document | None = None
        try:
            doc = load_bytes(data, display)
            kind = kind or _sniff(doc.data)
            obj: Lesson | Quiz = (
                load_lesson(doc) if kind == "lesson" else load_quiz(doc)
            )
        except (YamlError, SchemaErrors) as exc:
            self.errors.extend(exc.errors)
            raw_id = _raw_id(doc)
            if raw_id is not None and kind:
                self.broken[kind].add(raw_id)
            self.files[display] = FileInfo(
                display, kind or "unknown", raw_id, version, False
            )
            return None
        except Exception as exc:  # `check` must never show a traceback
            self.errors.append(
                ContentError(
                    display,
                    1,
                    1,
                    f"internal error while checking this file ({type(exc).__name__}: "
                    f"{exc}); please report it",
                )
            )
            self.files[display] = FileInfo(
                display, kind or "unknown", None, version, False
            )
            return None
        obj = dataclasses.replace(obj, path=display, version=version)
        self.files[display] = FileInfo(display, kind, obj.id, version, True)
        if path.stem != obj.id:
            line, col = doc.pos(("id",))
            self.warnings.append(
                ContentError(
                    display,
                    line,
                    col,
                    f"the file name {path.name} does not match the id '{obj.id}'; "
                    f"rename the file to {obj.id}{path.suffix} so it is easy to find",
                )
            )
        return _Parsed(obj, doc, display)

    def _add(self, parsed: _Parsed, target: dict[str, _Parsed]) -> None:
        """Add a lesson or quiz unless another file already uses its id."""
        obj = parsed.obj
        kind = "lesson" if isinstance(obj, Lesson) else "quiz"
        other = target.get(obj.id)
        if other is None:
            target[obj.id] = parsed
            return
        self._error(
            parsed,
            ("id",),
            f"{kind} id '{obj.id}' is already used by {other.display}; every {kind} "
            "needs its own id",
        )
        self.files[parsed.display] = dataclasses.replace(
            self.files[parsed.display], ok=False
        )

    def _error(self, parsed: _Parsed, path: YamlPath, message: str) -> None:
        """Record an error at a node of a parsed file."""
        line, col = parsed.doc.pos(path)
        self.errors.append(ContentError(parsed.display, line, col, message))

    def _check_quizzes(
        self, quizzes: dict[str, _Parsed], lessons: dict[str, Lesson]
    ) -> dict[str, Quiz]:
        """Check references from quizzes; resolve pools; return the good quizzes."""
        good: dict[str, Quiz] = {}
        for quiz_id, parsed in quizzes.items():
            if not parsed.obj.pools and self._check_refs(parsed, lessons):
                good[quiz_id] = parsed.obj
        for quiz_id, parsed in quizzes.items():
            if parsed.obj.pools and self._check_refs(parsed, lessons):
                resolved = self._resolve_pools(parsed, quizzes, good)
                if resolved is not None:
                    good[quiz_id] = resolved
        return good

    def _check_refs(self, parsed: _Parsed, lessons: dict[str, Lesson]) -> bool:
        """Check lesson, `see` and `source` references of one quiz."""
        quiz: Quiz = parsed.obj
        before = len(self.errors)
        lesson = lessons.get(quiz.lesson) if quiz.lesson else None
        lesson_known = lesson is not None
        if quiz.lesson and lesson is None:
            if quiz.lesson in self.broken["lesson"]:
                return False
            self._error(
                parsed,
                ("lesson",),
                f"there is no lesson with the id '{quiz.lesson}'"
                + did_you_mean(quiz.lesson, sorted(lessons)),
            )
        for i, q in enumerate(quiz.questions):
            if q.see is not None:
                if lesson is not None and lesson.section(q.see) is None:
                    ids = [s.id for s in lesson.sections]
                    self._error(
                        parsed,
                        ("questions", i, "see"),
                        f"lesson '{lesson.id}' has no section '{q.see}' (its sections: "
                        f"{', '.join(ids)})" + did_you_mean(q.see, ids),
                    )
                elif not quiz.lesson:
                    self._error(
                        parsed,
                        ("questions", i, "see"),
                        "see names a section of the quiz's lesson, but this quiz has "
                        "no lesson; add lesson: ID to the quiz or remove see",
                    )
            source = q.stimulus.source if q.stimulus is not None else None
            if source is not None and lesson_known and lesson is not None:
                if lesson.source(source) is None:
                    ids = [s.id for s in lesson.sources]
                    self._error(
                        parsed,
                        ("questions", i, "stimulus", "source"),
                        f"lesson '{lesson.id}' has no source '{source}'"
                        + (f" (its sources: {', '.join(ids)})" if ids else "")
                        + did_you_mean(source, ids),
                    )
        return len(self.errors) == before

    def _resolve_pools(
        self, parsed: _Parsed, quizzes: dict[str, _Parsed], good: dict[str, Quiz]
    ) -> Quiz | None:
        """Check a pool quiz's pools and copy in the questions it may draw from."""
        quiz: Quiz = parsed.obj
        ok = True
        pooled: list[Question] = []
        for j, pool in enumerate(quiz.pools):
            where: YamlPath = ("pools", j, "quiz")
            source = good.get(pool.quiz)
            if pool.quiz == quiz.id:
                self._error(parsed, where, "a quiz cannot draw from its own pool")
                ok = False
                continue
            if source is None:
                ok = False
                if pool.quiz in self.broken["quiz"]:
                    continue
                other = quizzes.get(pool.quiz)
                if other is not None and other.obj.pools:
                    message = (
                        f"quiz '{pool.quiz}' draws from pools itself; draw from "
                        "quizzes that have their own questions"
                    )
                elif other is not None:
                    message = (
                        f"quiz '{pool.quiz}' has errors (see {other.display}), so this "
                        "pool cannot be drawn from until they are fixed"
                    )
                else:
                    known = sorted(k for k, p in quizzes.items() if not p.obj.pools)
                    message = (
                        f"there is no quiz with the id '{pool.quiz}'"
                        + did_you_mean(pool.quiz, known)
                    )
                self._error(parsed, where, message)
                continue
            available = [
                q for q in source.questions if not pool.skills or q.skill in pool.skills
            ]
            if pool.draw > len(available):
                which = (
                    f" with the skills {', '.join(pool.skills)}" if pool.skills else ""
                )
                self._error(
                    parsed,
                    ("pools", j, "draw"),
                    f"draw is {pool.draw} but quiz '{pool.quiz}' has only "
                    f"{len(available)} question{'s' if len(available) != 1 else ''}"
                    f"{which}; lower draw",
                )
                ok = False
            pooled.extend(
                dataclasses.replace(
                    q,
                    id=f"{source.id}.{q.id}",
                    pool=source.id,
                    see_lesson=source.lesson,
                )
                for q in available
            )
        if not ok:
            return None
        return dataclasses.replace(quiz, questions=quiz.questions + tuple(pooled))


def _sniff(data: Any) -> str:
    """Guess whether a single file is a quiz or a lesson from its keys."""
    if isinstance(data, dict) and (
        "questions" in data or "pools" in data or "lesson" in data
    ):
        return "quiz"
    return "lesson"


def _raw_id(doc: Document | None) -> str | None:
    """Return the id a broken file claims, if it has a readable one."""
    if doc is None or not isinstance(doc.data, dict):
        return None
    value = doc.data.get("id")
    return value if isinstance(value, str) else None
