"""Live content for `interwar serve --dev`: reload the catalog when a file is saved.

On every request (in DEV mode only) the content files are stat()ed: lessons/*.yaml,
quizzes/*.yaml and translations/**/*.po. When any of them changed, appeared or
disappeared, the catalog is loaded again in this process and the cached reading
pages are dropped, so a teacher who saves a file sees it on the next reload of the
browser, without restarting the server. A few dozen stat calls cost far less than a
page render; the full load happens only after a save.

The broken files of the catalog, and the lines their errors point to, are found
here too, for the page that shows them instead of the lesson or quiz.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from webapp import library
from webapp.content.catalog import Catalog, ContentError, FileInfo

_KEY = "interwar.live"
PATTERNS = (
    "lessons/*.yaml",
    "lessons/*.yml",
    "quizzes/*.yaml",
    "quizzes/*.yml",
    "translations/**/*.po",
)
# (path, mtime in ns, size, inode): an editor that saves by writing a new file and
# renaming it over the old one changes the inode even within one clock tick.
Stamp = tuple[tuple[str, int, int, int], ...]


def content_stamp(root: str | Path) -> Stamp:
    """Return what the content files look like now, cheaply (stat, no reads)."""
    base = Path(root)
    entries: list[tuple[str, int, int, int]] = []
    for pattern in PATTERNS:
        for path in base.glob(pattern):
            try:
                st = os.stat(path)
            except OSError:  # deleted between the listing and the stat
                continue
            entries.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(sorted(entries))


@dataclass
class _State:
    stamp: Stamp
    lock: threading.Lock = field(default_factory=threading.Lock)


def start(app: Flask) -> None:
    """Remember how the content looked when the app loaded it."""
    app.extensions[_KEY] = _State(content_stamp(app.config["CONTENT_ROOT"]))


def refresh(app: Flask) -> bool:
    """Reload the catalog if a content file changed since the last look.

    Returns True when it reloaded. The stamp is taken before loading, so a file
    saved during the load is seen as changed on the next request.
    """
    state: _State | None = app.extensions.get(_KEY)
    if state is None:
        start(app)
        state = app.extensions[_KEY]
    stamp = content_stamp(app.config["CONTENT_ROOT"])
    if stamp == state.stamp:
        return False
    with state.lock:  # one reload at a time; the others see the new stamp
        if stamp == state.stamp:
            return False
        library.load(app)
        state.stamp = stamp
    return True


# -- broken files and their lines ------------------------------------------------


def broken_files(catalog: Catalog, kind: str, object_id: str) -> list[FileInfo]:
    """Return the files of `kind` that fail and claim `object_id` (or are named so).

    A file that cannot be parsed has no id, so its name counts too.
    """
    return [
        info
        for info in catalog.files.values()
        if not info.ok
        and info.kind in (kind, "unknown")
        and (info.id == object_id or Path(info.path).stem == object_id)
    ]


def errors_of(catalog: Catalog, paths: Iterable[str]) -> list[ContentError]:
    """Return the catalog's errors in these files."""
    wanted = set(paths)
    return [e for e in catalog.errors if e.path in wanted]


def failing_paths(catalog: Catalog) -> list[str]:
    """Return the files that have errors, in path order."""
    return sorted({e.path for e in catalog.errors})


def relative_path(catalog: Catalog, path: str) -> str:
    """Return a content file's path relative to the content root (for URLs)."""
    if catalog.root is None:
        return path
    try:
        return Path(path).resolve().relative_to(catalog.root.resolve()).as_posix()
    except ValueError:
        return path


def path_for(catalog: Catalog, relative: str) -> str | None:
    """Return the catalog path of a failing file given its relative path, or None.

    Only files with errors are found: the URL never opens an arbitrary file.
    """
    return next(
        (p for p in failing_paths(catalog) if relative_path(catalog, p) == relative),
        None,
    )


@dataclass(frozen=True, slots=True)
class Line:
    """One line of source shown around an error."""

    number: int
    text: str
    marked: bool


@dataclass(frozen=True, slots=True)
class Excerpt:
    """An error with the lines around it; `caret` is the column's offset on screen."""

    error: ContentError
    lines: tuple[Line, ...]
    caret: int


TAB_SHOWN = "\u2192   "  # a visible arrow, then spaces to a tab stop of 4


def shown(text: str) -> str:
    """Return a source line as displayed: tabs made visible, no line ending."""
    return text.rstrip("\r\n").replace("\t", TAB_SHOWN)


def excerpt(error: ContentError, source: list[str] | None, around: int = 2) -> Excerpt:
    """Return the error with `around` lines of source on each side of its line."""
    if not source:
        return Excerpt(error, (), 0)
    line = min(max(error.line, 1), len(source))
    first, last = max(1, line - around), min(len(source), line + around)
    lines = tuple(
        Line(n, shown(source[n - 1]), n == line) for n in range(first, last + 1)
    )
    caret = len(shown(source[line - 1][: max(error.col - 1, 0)]))
    return Excerpt(error, lines, caret)


def read_source(path: str) -> list[str] | None:
    """Return a content file's lines (undecodable bytes replaced), or None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return data.decode("utf-8", errors="replace").splitlines()


def excerpts(errors: Iterable[ContentError]) -> list[Excerpt]:
    """Return every error with its source lines, reading each file once."""
    sources: dict[str, list[str] | None] = {}
    out = []
    for error in errors:
        if error.path not in sources:
            sources[error.path] = read_source(error.path)
        out.append(excerpt(error, sources[error.path]))
    return out
