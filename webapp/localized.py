"""Teacher-written content in the page's language, and the strings that fell back.

Views translate a lesson or quiz with `library.localized_*` and hand templates a
`Fallbacks` for it. Templates ask it, per field path, for the string's `lang`
attribute and for the visible "not yet translated" marker (WCAG 3.1.2: an English
string on a German page is wrapped in lang="en"):

    <h1{{ tr.lang('title') }}>{{ lesson.title }}{{ tr.mark('title') }}</h1>

Field paths are those of `webapp.content.i18n` ("sections.outsiders.body",
"questions.signer.choices.c2.feedback"); `at("questions.signer")` scopes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup, escape

from webapp import library
from webapp.content.domain import Quiz
from webapp.content.i18n import Localized
from webapp.i18n import LANGUAGE_NAMES, current_locale, gettext, lang_attr

# Fields whose text a learner's or the right answer repeats (choice, item, option).
_ANSWER_FIELDS = ("choices.", "items.", "pairs.", "options.")


def marker() -> Markup:
    """Return the visible marker of a string shown in English (interface language)."""
    return Markup(' <span class="untranslated" lang="%s">%s</span>') % (
        current_locale(),
        gettext("not yet translated"),
    )


@dataclass(frozen=True)
class Fallbacks:
    """Which strings of a translated lesson or quiz are shown in the source language."""

    localized: Localized[Any]
    source: str  # the language the content is written in ("en")
    prefix: str = ""

    def at(self, prefix: str) -> Fallbacks:
        """Return the same, with paths relative to `prefix` (e.g. "questions.q1")."""
        return replace(self, prefix=self._path(prefix))

    def _path(self, path: str) -> str:
        if not path:
            return self.prefix
        return f"{self.prefix}.{path}" if self.prefix else path

    def _under(self) -> Iterable[tuple[str, str]]:
        """The fallen-back paths under the prefix (relative) and their English."""
        start = self.prefix + "." if self.prefix else ""
        for path, text in self.localized.fallback_text.items():
            if path.startswith(start):
                yield path[len(start) :], text

    def en(self, path: str) -> bool:
        """Return True when the string at `path` is shown in the source language."""
        return self.localized.is_untranslated(self._path(path))

    def language(self, path: str) -> str:
        """Return the language the string at `path` is shown in."""
        return self.source if self.en(path) else self.localized.locale

    def lang(self, path: str) -> Markup:
        """Return ` lang="xx"` when the string's language is not the interface's."""
        return lang_attr(self.language(path).replace("_", "-"))

    def content_lang(self) -> Markup:
        """Return ` lang="xx"` for translated content in another language (attempts)."""
        return lang_attr(self.localized.locale.replace("_", "-"))

    def mark(self, path: str) -> Markup:
        """Return the "not yet translated" marker when `path` fell back."""
        return marker() if self.en(path) else Markup("")

    def text_en(self, text: str | None, start: str = "", end: str = "") -> bool:
        """Return True when `text` is the English of a fallen-back field.

        For texts whose path the page does not know: a choice shown in shuffled
        order, a feedback message from grading. Only paths that begin with `start`
        and end with `end` (e.g. "choices." and ".text") are compared.
        """
        if not text:
            return False
        wanted = text.strip()
        return any(
            english == wanted and path.startswith(start) and path.endswith(end)
            for path, english in self._under()
        )

    def any_text_en(self, texts: Iterable[str], start: str = "", end: str = "") -> bool:
        """Return True when any of `texts` is found by `text_en`."""
        return any(self.text_en(t, start, end) for t in texts)

    def text_lang(self, text: str | None, start: str = "", end: str = "") -> Markup:
        """Return the `lang` attribute of a text found by `text_en`."""
        english = self.text_en(text, start, end)
        lang = self.source if english else self.localized.locale
        return lang_attr(lang.replace("_", "-"))

    def text_mark(self, text: str | None, start: str = "", end: str = "") -> Markup:
        """Return the marker of a text found by `text_en`."""
        return marker() if self.text_en(text, start, end) else Markup("")

    def answer_lang(self, text: str | None) -> Markup:
        """Return the `lang` attribute of a learner's or the right answer."""
        lang = self.source if self.answer_en(text) else self.localized.locale
        return lang_attr(lang.replace("_", "-"))

    def answer_mark(self, text: str | None) -> Markup:
        """Return the marker of an answer that repeats a fallen-back text."""
        return marker() if self.answer_en(text) else Markup("")

    def answer_en(self, text: str | None) -> bool:
        """Return True when an answer's words contain a fallen-back choice or item.

        The right answer of a cloze repeats its whole text, so it is English when
        the text is.
        """
        if not text:
            return False
        return any(
            path == "text"
            or (path.startswith(_ANSWER_FIELDS) and english and english in text)
            for path, english in self._under()
        )


def language_name(locale: str) -> str:
    """Return a language's name in itself ("Deutsch"), or its code if unknown."""
    code = locale.replace("-", "_")
    return LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.split("_")[0], locale)


def nothing(locale: str) -> Fallbacks:
    """Return fallbacks of content that is shown as written (nothing fell back)."""
    return Fallbacks(Localized(None, locale), locale)


def for_lesson(localized: Localized[Any]) -> Fallbacks:
    """Return the fallbacks of a translated lesson."""
    return Fallbacks(localized, str(localized.value.language))


def for_quiz(localized: Localized[Any]) -> Fallbacks:
    """Return the fallbacks of a translated quiz."""
    return Fallbacks(localized, str(localized.value.language))


@dataclass(frozen=True)
class ShownQuiz:
    """A quiz in the request's language and the fallbacks of its strings."""

    quiz: Quiz
    tr: Fallbacks


def shown_quiz(quiz: Quiz, locale: str | None = None) -> ShownQuiz:
    """Return the quiz translated into `locale` (default: the request's language).

    For pages that name a quiz outside the quiz pages (class and teacher pages):
    `shown.quiz.title` for plain text (<title>, <option>), `quiz_text` for HTML.
    """
    loc = library.localized_quiz(quiz, locale or current_locale())
    return ShownQuiz(loc.value, for_quiz(loc))


def quiz_text(quiz: Quiz, path: str = "title") -> Markup:
    """Return a quiz's title or description as HTML in the request's language.

    A string that fell back to English is wrapped in a span with lang="en" and
    followed by the "not yet translated" marker.
    """
    shown = shown_quiz(quiz)
    text = str(getattr(shown.quiz, path, "") or "")
    if not shown.tr.en(path):
        return Markup(escape(text))
    return Markup("<span%s>%s</span>%s") % (
        shown.tr.lang(path),
        text,
        shown.tr.mark(path),
    )
