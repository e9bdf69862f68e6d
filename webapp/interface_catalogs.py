"""Compiled interface catalogs (.mo) at start, so a fresh checkout shows German.

The .mo files are not committed (DESIGN.md §7): the wheel build compiles them
(setup.py), and so does `interwar translate compile`. A checkout installed with
`pip install -e .` has only the .po files, and a translator's edit leaves an old
.mo behind. So at start, when any messages.po has no .mo next to it or a stale
one, every catalog is compiled into <instance>/translations and Flask-Babel reads
from there. Several workers starting at once each write a temporary file and
rename it, so none ever reads half a catalog.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from flask import Flask

log = logging.getLogger(__name__)

DOMAIN = "messages"
# The interface catalogs of the package: <lang>/LC_MESSAGES/messages.po.
SOURCE_DIR = Path(__file__).resolve().parent / "translations"


def _catalogs(folder: Path) -> list[Path]:
    """Return the interface .po files of a translations folder."""
    return sorted(folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _stale(po: Path, mo: Path) -> bool:
    """Return True when `mo` is missing or older than `po`."""
    try:
        return mo.stat().st_mtime_ns < po.stat().st_mtime_ns
    except FileNotFoundError:
        return True


def compile_catalog(po: Path, mo: Path) -> bool:
    """Compile one .po into `mo` atomically; return False if the .po is broken.

    Fuzzy entries are left out, so they show in English like missing ones.
    """
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, abort_invalid=True)
    except (OSError, PoFileError, ValueError, UnicodeDecodeError) as exc:
        log.warning("interface catalog %s not compiled (shown in English): %s", po, exc)
        return False
    mo.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{DOMAIN}.", suffix=".tmp", dir=mo.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def compiled_directory(source: Path, instance_path: str | Path) -> Path:
    """Return the folder to read .mo files from, compiling into the instance if needed.

    The package's own folder when every .mo there is up to date (a wheel);
    otherwise <instance>/translations, with each stale catalog compiled there.
    """
    catalogs = _catalogs(source)
    if not any(_stale(po, po.with_suffix(".mo")) for po in catalogs):
        return source
    target = Path(instance_path) / "translations"
    for po in catalogs:
        mo = target / po.relative_to(source).with_suffix(".mo")
        if _stale(po, mo):
            compile_catalog(po, mo)
    return target


def init_app(app: Flask) -> None:
    """Point Flask-Babel at compiled catalogs (before babel.init_app reads them).

    A BABEL_TRANSLATION_DIRECTORIES set in the configuration is left alone.
    """
    if app.config.get("BABEL_TRANSLATION_DIRECTORIES"):
        return
    folder = compiled_directory(SOURCE_DIR, app.instance_path)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
