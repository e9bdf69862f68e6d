"""The `interwar` command: one click group; each command lives in webapp/commands/."""

from __future__ import annotations

import importlib

import click

# Command modules each define `register(group)`. Kept as names so that a broken
# optional module cannot stop `interwar check` from running.
COMMAND_MODULES = (
    "webapp.commands.content",
    "webapp.commands.serve",
    "webapp.commands.authoring",
    "webapp.commands.translate",
    "webapp.commands.classroom",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="interwar-lessons")
def main() -> None:
    """Interwar Lessons: check content, serve the app, manage classes and languages."""


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # a module not written yet
        if exc.name != _name:
            raise
        continue
    _module.register(main)
