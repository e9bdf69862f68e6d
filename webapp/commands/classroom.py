"""`interwar teacher add EMAIL` and `interwar purge`, and what `serve` does at start
for classes: purge expired attempts and, with no teacher yet, print a set-up link.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask


def _app(instance: str | None) -> Flask:
    from webapp import create_app

    if instance:
        os.environ["INTERWAR_INSTANCE_PATH"] = str(Path(instance).resolve())
    return create_app({"AUTO_MIGRATE": True})


_instance = click.option(
    "--instance",
    type=click.Path(file_okay=False),
    help="Instance folder (database, secret key). Default: ./instance.",
)


@click.group()
def teacher() -> None:
    """Teacher accounts."""


@teacher.command("add")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="IANA time zone for assignment times, e.g. Europe/Berlin.",
)
@_instance
def add(email: str, password_stdin: bool, timezone: str, instance: str | None) -> None:
    """Create a teacher account; the password is asked for twice (no default)."""
    from webapp import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        confirm = password
    else:
        password = click.prompt("Password", hide_input=True)
        confirm = click.prompt("Password again", hide_input=True)
    email = auth.normalize_email(email)
    problems = [
        auth.email_problem(email),
        auth.password_problem(password, confirm),
        auth.timezone_problem(timezone),
    ]
    messages = {
        "email_empty": "enter an email address",
        "email_format": "the email address is not in the form name@example.org",
        "password_empty": "the password is empty",
        "password_short": f"the password needs {auth.MIN_PASSWORD} characters or more",
        "password_long": f"the password needs {auth.MAX_PASSWORD} characters or fewer",
        "password_mismatch": "the two passwords differ",
        "timezone": f"unknown time zone {timezone!r} (use a name like Europe/Berlin)",
    }
    for problem in problems:
        if problem:
            raise click.UsageError(messages.get(problem, problem))
    app = _app(instance)
    try:
        with app.app_context():
            try:
                auth.add_teacher(email, password, timezone)
            except auth.AuthError:
                raise click.ClickException(
                    f"a teacher with the email {email} exists already"
                ) from None
    finally:
        app.extensions["interwar.engine"].dispose()
    click.echo(f"Teacher {email} added. Sign in at /teacher/login.")


@click.command()
@_instance
def purge(instance: str | None) -> None:
    """Delete attempts past their retention (class setting, INTERWAR_RETENTION_DAYS
    outside classes) and expired sessions."""
    app = _app(instance)
    try:
        with app.app_context():
            attempts, sessions = run_purge(app)
    finally:
        app.extensions["interwar.engine"].dispose()
    click.echo(f"Deleted {attempts} expired attempts and {sessions} expired sessions.")


def retention_days(app: Flask) -> int:
    """Return INTERWAR_RETENTION_DAYS as a whole number of days (0 keeps)."""
    raw = app.config.get("RETENTION_DAYS", 0)
    try:
        days = int(raw) if raw not in (None, "") else 0
    except (TypeError, ValueError):
        raise click.UsageError(
            f"INTERWAR_RETENTION_DAYS must be a whole number of days, not {raw!r}"
        ) from None
    if days < 0:
        raise click.UsageError("INTERWAR_RETENTION_DAYS must be 0 (keep) or more")
    return days


def run_purge(app: Flask) -> tuple[int, int]:
    """Purge expired attempts (in classes and outside them) and teacher sessions;
    return how many attempts and how many sessions."""
    from webapp import auth, classroom, privacy

    days = retention_days(app)
    with app.app_context():
        removed = classroom.purge_expired() + privacy.purge_self_study(days)
        return removed, auth.purge_sessions()


def on_serve(app: Flask, base_url: str) -> list[str]:
    """Run the start-up chores of `interwar serve`; return lines to print."""
    from webapp import auth

    lines = []
    removed, _ = run_purge(app)
    if removed:
        lines.append(f"Retention: deleted {removed} attempts past their limit.")
    with app.app_context():
        if auth.teacher_count() == 0:
            hours = int(app.config["SETUP_TOKEN_HOURS"])
            token = auth.create_setup_token(timedelta(hours=hours))
            lines.append(
                "No teacher account yet. Open this one-time link within "
                f"{hours} hours to create one:"
            )
            lines.append(f"  {base_url.rstrip('/')}/teacher/setup/{token}")
    return lines


def register(group: click.Group) -> None:
    """Add `teacher` and `purge` to the interwar command group."""
    group.add_command(teacher)
    group.add_command(purge)
