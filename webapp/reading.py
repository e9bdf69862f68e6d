"""Reading-page helpers: glossary links in sanitized HTML, dates at their precision."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from html import escape
from html.parser import HTMLParser

from babel import Locale
from babel.dates import format_date, format_skeleton
from flask_babel import get_locale
from markupsafe import Markup

from webapp.content.domain import KeyTerm, TimelineEvent

# Text inside these elements is never linked: a link in a link is invalid, and
# code or headings are not running prose.
_SKIP = frozenset({"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dfn"})
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "source"})


class _Linker(HTMLParser):
    def __init__(self, patterns: list[tuple[re.Pattern[str], str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.patterns = patterns
        self.done: set[str] = set()
        self.out: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in _SKIP and tag not in _VOID:
            self.skip_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            self.out.append(escape(data, quote=False))
            return
        self.out.append(self._link(data))

    def _link(self, text: str) -> str:
        # Find the earliest match of any term not yet linked in this section.
        best: tuple[int, int, str] | None = None
        for pattern, slug in self.patterns:
            if slug in self.done:
                continue
            m = pattern.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), m.end(), slug)
        if best is None:
            return escape(text, quote=False)
        start, end, slug = best
        self.done.add(slug)
        word = escape(text[start:end], quote=False)
        return (
            escape(text[:start], quote=False)
            + f'<a class="term" href="#term-{slug}">{word}</a>'
            + self._link(text[end:])
        )


def _patterns(terms: tuple[KeyTerm, ...]) -> list[tuple[re.Pattern[str], str]]:
    forms: list[tuple[str, str]] = []
    for term in terms:
        for form in (term.term, *term.aliases):
            if form.strip():
                forms.append((form.strip(), term.slug))
    # Longest first, so "Treaty of Rapallo" wins over "Rapallo".
    forms.sort(key=lambda f: -len(f[0]))
    return [
        (re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE), slug)
        for form, slug in forms
    ]


@lru_cache(maxsize=512)
def link_terms(html: str, terms: tuple[KeyTerm, ...]) -> Markup:
    """Link the first use of each key term in sanitized section HTML to the glossary."""
    if not terms:
        return Markup(html)
    linker = _Linker(_patterns(terms))
    linker.feed(html)
    linker.close()
    return Markup("".join(linker.out))


def event_iso(event: TimelineEvent) -> str:
    """Return the event date for <time datetime>: YYYY, YYYY-MM or YYYY-MM-DD."""
    if event.month is None:
        return f"{event.year:04d}"
    if event.day is None:
        return f"{event.year:04d}-{event.month:02d}"
    return f"{event.year:04d}-{event.month:02d}-{event.day:02d}"


def _date_locale() -> Locale:
    """Return the interface locale for dates; plain English writes "16 April 1922".

    Babel's "en" is American ("April 16, 1922"); history books and the British
    and international English the site uses put the day first.
    """
    locale = get_locale() or Locale.parse("en")
    if locale.language == "en" and not locale.territory:
        return Locale.parse("en_GB")
    return locale


def event_date(event: TimelineEvent) -> str:
    """Return the event date in the interface locale at the precision it is known.

    "16 April 1922", "16. April 1922", "16 апреля 1922 г."; "April 1925"; "1926".
    """
    if event.month is None:
        return str(event.year)
    locale = _date_locale()
    if event.day is None:
        return format_skeleton(
            "yMMMM", dt.date(event.year, event.month, 1), locale=locale
        )
    return format_date(
        dt.date(event.year, event.month, event.day), "long", locale=locale
    )
