"""Interface locale: `?lang=` kept in the session, else Accept-Language, else en."""

from __future__ import annotations

import functools
import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import flask_babel
from babel import Locale
from flask import Flask, current_app, g, has_app_context, request, session, url_for
from flask_babel import get_locale, get_translations
from markupsafe import Markup, escape
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

# Each language named in itself (UI.md §12).
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "ru": "Русский"}


def languages() -> tuple[str, ...]:
    """Return the configured interface languages."""
    langs: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    return langs


# Browsers send well under 200 bytes; a longer header is not worth parsing.
MAX_ACCEPT_LANGUAGE = 1024


def select_locale() -> Locale:
    """Pick the interface locale: `?lang=` kept in the session, else the browser's.

    A malformed or oversized Accept-Language header gives the default (English),
    never an error. The choice comes back as a shared babel Locale: Flask-Babel
    would otherwise parse the name into a new one (with a file check) per request.
    """
    return _locale_object(_select_locale_name())


@functools.lru_cache(maxsize=64)
def _locale_object(name: str) -> Locale:
    return Locale.parse(name)


def _select_locale_name() -> str:
    chosen = session.get("lang")
    config = current_app.config
    return choose_locale(
        chosen if isinstance(chosen, str) else None,
        request.environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        tuple(config["LANGUAGES"]),
        config["BABEL_DEFAULT_LOCALE"],
    )


@functools.lru_cache(maxsize=256)
def choose_locale(
    chosen: str | None, accept_language: str, langs: tuple[str, ...], default: str
) -> str:
    """Return the session's chosen language, else the browser's best, else default.

    Pure, so the page cache's fast lane (webapp.pagecache) chooses exactly as a
    request does; cached, since a class sends a handful of distinct headers.
    """
    if chosen is not None and chosen in langs:
        return chosen
    if not accept_language or len(accept_language) > MAX_ACCEPT_LANGUAGE:
        return default
    try:
        best = parse_accept_header(accept_language, LanguageAccept).best_match(langs)
    except (ValueError, TypeError):  # pragma: no cover - werkzeug is lenient
        return default
    return best or default


def current_locale() -> str:
    """Return the locale of this request as a string such as "de"."""
    # A page asks for it a dozen times, and get_locale() and str(Locale) are not
    # free. Flask-Babel keeps the request's Locale (or a forced one) on
    # g._flask_babel: while that is the one named here, the name holds.
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    cached = getattr(state, "_interwar_locale", None)
    if locale is not None and cached is not None and cached[0] is locale:
        found: str = cached[1]
        return found
    locale = _request_locale(state)
    name = str(locale or current_app.config["BABEL_DEFAULT_LOCALE"])
    state._interwar_locale = (locale, name)
    return name


def _babel_state() -> Any:
    """Return Flask-Babel's per-request namespace (g._flask_babel), as it makes it.

    Read from g's own dict: each attribute read through the `g` proxy resolves
    the context again, and a page reads this a dozen times.
    """
    store = g._get_current_object().__dict__
    state = store.get("_flask_babel")
    if state is None:
        state = store["_flask_babel"] = SimpleNamespace()
    return state


def _request_locale(state: Any) -> Any:
    """Return the request's babel Locale, chosen as Flask-Babel's get_locale() does.

    Flask-Babel would find its configuration through the proxies and parse the
    chosen Locale again; with our selector (which returns a shared Locale) the
    choice is stored where get_locale() stores it, so both see the same one.
    """
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        return locale
    if _babel().locale_selector is not select_locale:
        return get_locale()
    locale = state.babel_locale = select_locale()
    return locale


def _babel() -> Any:
    """Return Flask-Babel's configuration of the current app (get_babel())."""
    return current_app.extensions["babel"]


def _catalog(state: Any, locale: Any) -> Any:
    """Return the request's interface catalog from Flask-Babel's own cache.

    Flask-Babel's get_translations() looks up its context, the domain and the
    locale again before it reads the same cache; it is called when the catalog
    is not loaded yet (or a Flask-Babel that keeps it elsewhere).
    """
    domain = getattr(state, "babel_domain", None)
    if domain is None:
        # What get_domain() returns, kept where it keeps it.
        domain = state.babel_domain = _babel().instance.domain_instance
    cache = getattr(domain, "cache", None)
    names = getattr(domain, "domain", None)
    if isinstance(cache, dict) and names:
        found = cache.get((str(locale), names[0]))
        if found is not None:
            return found
    return get_translations()


def text_direction(locale: str | None = None) -> str:
    """Return "rtl" or "ltr" for a locale (default: this request's), per CLDR."""
    return _direction(locale or current_locale())


@functools.lru_cache(maxsize=64)
def _direction(locale: str) -> str:
    from babel import UnknownLocaleError

    try:
        order = Locale.parse(locale).character_order
    except (ValueError, UnknownLocaleError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


def lang_attr(lang: str | None) -> Markup:
    """Return ` lang="xx"` for content in another language than the interface."""
    if not lang or lang == current_locale():
        return Markup("")
    return Markup(' lang="%s"') % lang


# The timer's plural table covers 0..199 minutes; above that app.js uses the form of
# 100 + n % 100, as every plural rule of gettext's languages repeats by the hundred.
COUNTDOWN_TABLE = 200


def _timer_text(n: int, shown: int | str) -> str:
    raw = _translations().ungettext(
        "Time left: about %(count)s minute", "Time left: about %(count)s minutes", n
    )
    return str(raw % {"count": shown})


def countdown(minutes: int) -> dict[str, Any]:
    """Return the timer's text now and its forms for every minute it counts down.

    `forms` (JSON) holds the catalog's plural forms of the text with "{n}" for the
    number; `plural` holds one letter per minute 0, 1, 2, ...: the index of its form
    (a = 0, b = 1, ...; letters, so the page never shows a run of digits that a
    numeric answer key could match).
    So app.js says "1 minute" (ru «1 минута», «2 минуты», «5 минут») as it counts
    down, with the plural forms chosen here by the catalog's own rule.
    """
    minutes = max(0, int(minutes))
    forms: list[str] = []
    index: list[str] = []
    for n in range(min(minutes, COUNTDOWN_TABLE - 1) + 1):
        form = _timer_text(n, "{n}")
        if form not in forms:
            forms.append(form)
        index.append(chr(ord("a") + forms.index(form)))
    return {
        "minutes": minutes,
        "text": _timer_text(minutes, minutes),
        "forms": json.dumps(forms, ensure_ascii=False),
        "plural": "".join(index),
    }


def _remember_lang() -> None:
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not req.environ.get("QUERY_STRING"):
        return  # most requests have none (and a missing key costs MultiDict a raise)
    lang = req.args.get("lang")
    if lang in languages():
        session["lang"] = lang


def _switch_url() -> str:
    """Return this page's URL with an empty ?lang= last: the links add the code.

    A page that is not a GET (a form shown again after a POST) switches on the
    home page instead.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]
    endpoint = req.endpoint
    if not endpoint or req.method != "GET":
        return url_for("lessons.home", lang="")
    args = dict(req.view_args or {})
    if req.environ.get("QUERY_STRING"):
        args.update({k: v for k, v in req.args.items() if k != "lang"})
    args["lang"] = ""
    return url_for(endpoint, **args)


def lang_nav() -> Markup:
    """Return the language switcher's list items for this page."""
    parts = _lang_nav_parts(languages(), current_locale())
    switch = ""
    if any(after is not None for _before, after in parts):
        switch = str(escape(_switch_url()))
    return Markup(
        "\n        ".join(
            before if after is None else before + switch + after
            for before, after in parts
        )
    )


@functools.lru_cache(maxsize=64)
def _lang_nav_parts(
    langs: tuple[str, ...], current: str
) -> tuple[tuple[str, str | None], ...]:
    """Each language's list item: (whole item, None), or the text around its link.

    Only the page's own URL (escaped) goes between the two parts of a link; the
    code after it is URL-quoted, so it needs no escaping of its own.
    """
    parts: list[tuple[str, str | None]] = []
    for code in langs:
        name = escape(LANGUAGE_NAMES.get(code, code))
        lang = escape(code)
        if code == current:
            item = f'<li><span aria-current="true" lang="{lang}">{name}</span></li>'
            parts.append((item, None))
            continue
        parts.append(
            (
                '<li><a href="',
                f'{escape(quote(code))}" hreflang="{lang}" lang="{lang}" '
                f'rel="alternate">{name}</a></li>',
            )
        )
    return tuple(parts)


def _translations() -> Any:
    # Flask-Babel finds the catalog again on every _() (about 20 per page, a fifth
    # of a question page's time); keep it for the request, per locale, so that
    # force_locale() inside a request still switches: Flask-Babel keeps the
    # request's Locale on g._flask_babel, and a forced one replaces it there.
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    cached = getattr(state, "_interwar_translations", None)
    if locale is not None and cached is not None and cached[0] is locale:
        return cached[1]
    locale = _request_locale(state)
    translations = _catalog(state, locale)
    state._interwar_translations = (locale, translations)
    return translations


def gettext(string: str, **variables: Any) -> str:
    """flask_babel.gettext, with the request's catalog found once per request."""
    if not has_app_context():
        return str(flask_babel.gettext(string, **variables))
    found: str = _translations().ugettext(string)
    return found % variables if variables else found


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """flask_babel.ngettext (`num` is also a variable), with the cached catalog."""
    if not has_app_context():
        return str(flask_babel.ngettext(singular, plural, num, **variables))
    variables.setdefault("num", num)
    found: str = _translations().ungettext(singular, plural, num)
    return found % variables


def pgettext(context: str, string: str, **variables: Any) -> str:
    """flask_babel.pgettext, with the cached catalog."""
    if not has_app_context():
        return str(flask_babel.pgettext(context, string, **variables))
    found: str = _translations().upgettext(context, string)
    return found % variables if variables else found


def init_app(app: Flask) -> None:
    """Remember ?lang= and give templates the language switcher's links."""
    app.before_request(_remember_lang)
    # A global, not a context variable: macros.html is imported without context.
    app.jinja_env.globals["countdown"] = countdown
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "lang_nav": lang_nav,
            "current_locale": current_locale,
            "lang_attr": lang_attr,
            "text_direction": text_direction,
        }
