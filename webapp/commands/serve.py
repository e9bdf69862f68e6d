"""`interwar serve` (waitress, or with --dev Flask's debug server and live content)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import click
from flask import Flask


def _app(content: str | None, instance: str | None, dev: bool = False) -> Flask:
    """Build the app with migrations applied; options override the environment."""
    from webapp import create_app

    # Through the environment, so the reloader's child process gets them too.
    if content:
        os.environ["INTERWAR_CONTENT"] = str(Path(content).resolve())
    if instance:
        os.environ["INTERWAR_INSTANCE_PATH"] = str(Path(instance).resolve())
    config: dict[str, Any] = {"AUTO_MIGRATE": True}
    if dev:
        config["DEV"] = True
    from webapp.db import UnknownRevision

    try:
        return create_app(config)
    except UnknownRevision as exc:
        raise click.ClickException(str(exc)) from None


_content = click.option(
    "--content",
    type=click.Path(file_okay=False, exists=True),
    help="Content root (holds lessons/ and quizzes/). Default: INTERWAR_CONTENT.",
)
_instance = click.option(
    "--instance",
    type=click.Path(file_okay=False),
    help="Instance folder (database, secret key). Default: ./instance.",
)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port.")
@_content
@_instance
@click.option(
    "--dev",
    is_flag=True,
    help="Live preview: reload saved content, show content errors and answers.",
)
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Waitress threads."
)
def serve(
    host: str,
    port: int,
    content: str | None,
    instance: str | None,
    dev: bool,
    threads: int,
) -> None:
    """Serve the app (waitress; with --dev, a live preview for writing content)."""
    if dev and host not in ("127.0.0.1", "localhost", "::1"):
        # The debugger runs code typed into the browser: never on a network.
        raise click.UsageError("--dev serves only on 127.0.0.1 (it runs a debugger)")
    app = _app(content, instance, dev)
    catalog = app.extensions["interwar.catalog"]
    click.echo(
        f"Content: {app.config['CONTENT_ROOT']} "
        f"({len(catalog.lessons)} lessons, {len(catalog.quizzes)} quizzes, "
        f"{len(catalog.errors)} errors)"
    )
    click.echo(f"Instance: {app.instance_path}")
    from webapp.commands.classroom import on_serve

    for line in on_serve(app, f"http://{host}:{port}"):
        click.echo(line)
    if dev:
        for error in catalog.errors:
            click.echo(f"  {error}", err=True)
        click.echo(
            f"Live preview on http://{host}:{port}/: save a file and reload the "
            "page; a broken file shows its errors there (Ctrl+C to stop)"
        )
        # No reloader process: the app reloads saved content itself on the next
        # request (webapp.live), keeping the database and sign-ins, one process.
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    from waitress import serve as waitress_serve

    # waitress calls logging.basicConfig(): the root logger would print every
    # line of ours again, as "INFO:webapp.request:request". Ours are complete.
    # Restored afterwards: whoever called us (a test, an embedding script) keeps
    # its own logging.
    ours = logging.getLogger("webapp")
    propagated = ours.propagate
    ours.propagate = False
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="interwar")
    finally:
        ours.propagate = propagated


@click.group()
def db() -> None:
    """Database migrations."""


@db.command()
@_instance
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(instance: str | None, revision: str) -> None:
    """Apply the database migrations (the URL comes from INTERWAR_DATABASE_URL)."""
    from webapp import create_app
    from webapp.db import UnknownRevision
    from webapp.db import upgrade as do_upgrade

    if instance:
        os.environ["INTERWAR_INSTANCE_PATH"] = str(Path(instance).resolve())
    app = create_app()
    engine = app.extensions["interwar.engine"]
    try:
        do_upgrade(engine, revision, backup_dir=Path(app.instance_path) / "backups")
    except UnknownRevision as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"Database at {revision}: {engine.url.render_as_string()}")


@db.command()
@click.option("-m", "--message", required=True, help="What the migration does.")
def revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from alembic import command

    from webapp import create_app
    from webapp.db import alembic_config

    app = create_app({"AUTO_MIGRATE": True})
    app.extensions["interwar.engine"].dispose()
    cfg = alembic_config(app.config["DATABASE_URL"])
    command.revision(cfg, message=message, autogenerate=True)


def register(group: click.Group) -> None:
    """Add `serve` and `db` to the interwar command group."""
    group.add_command(serve)
    group.add_command(db)
