"""Interwar Lessons: lesson units and scored quizzes written as YAML."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask


class InterwarFlask(Flask):
    """Flask, deciding once per function whether it must be run as async."""

    # Hooks and views are a fixed set; a function made per request (an
    # after_this_request closure) is checked each time once this many are kept.
    MAX_SYNC_KEPT = 512

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_of: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Return `func`, or its sync wrapper if it is a coroutine function.

        Flask asks this of every hook and view on every request (nine times for
        an answer), and the check unwraps the function each time.
        """
        try:
            return self._sync_of[func]
        except KeyError:
            found = super().ensure_sync(func)
            if len(self._sync_of) < self.MAX_SYNC_KEPT:
                self._sync_of[func] = found
            return found
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app: config layers, extensions, blueprints, content, CLI."""
    from webapp import (
        auth,
        chrome,
        config,
        i18n,
        interface_catalogs,
        library,
        observability,
        pagecache,
        security,
        sessions,
    )
    from webapp.extensions import babel, csrf, db

    instance_path = _instance_path(test_config)
    app = InterwarFlask(
        __name__, instance_path=instance_path, instance_relative_config=True
    )
    app.config.from_object(config.DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("INTERWAR")
    app.config.update(config.env_overrides())
    if test_config is not None:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(instance_path)

    observability.init_app(app)
    sessions.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    interface_catalogs.init_app(app)  # a fresh checkout has no .mo files
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    pagecache.init_app(app)  # before security: a ProxyFix must come first
    security.init_app(app)
    library.init_app(app)
    auth.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    chrome.init_app(app)
    if app.config["AUTO_MIGRATE"]:
        from webapp.db import upgrade

        upgrade(db.engine_for(app), backup_dir=Path(app.instance_path) / "backups")
    return app


def _instance_path(test_config: Mapping[str, Any] | None) -> str:
    configured = (test_config or {}).get("INSTANCE_PATH") or os.environ.get(
        "INTERWAR_INSTANCE_PATH"
    )
    path = Path(configured or "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def _register_blueprints(app: Flask) -> None:
    from webapp.views import (
        api,
        classes,
        errors,
        health,
        lessons,
        preview,
        privacy,
        quizzes,
        teacher,
    )

    for module in (
        errors,
        health,
        lessons,
        quizzes,
        api,
        classes,
        teacher,
        preview,
        privacy,
    ):
        app.register_blueprint(module.bp)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_percent

    from webapp import i18n, library, localized, presenters, reading

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        link_terms=reading.link_terms,
        event_iso=reading.event_iso,
        event_date=reading.event_date,
        inline=presenters.inline,
        no_fallbacks=lambda locale=None: localized.nothing(
            locale or i18n.current_locale()
        ),
        untranslated_marker=localized.marker,
        number_example=presenters.number_example,
        points_text=presenters.points_text,
        format_percent=format_percent,
        content_error_count=lambda: len(library.get_catalog().errors),
    )
