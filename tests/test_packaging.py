"""The wheel carries the content, the compiled interface catalogs and the templates."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """Build the wheel once, as `pip install .` would."""
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        cwd=build,
    )
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def test_wheel_bundles_every_lesson_and_quiz(wheel: zipfile.ZipFile) -> None:
    """`pip install .` outside a checkout still serves the four units."""
    names = set(wheel.namelist())
    for kind in ("lessons", "quizzes"):
        for src in (REPO / kind).glob("*.yaml"):
            assert f"webapp/bundled/{kind}/{src.name}" in names
    for lang in ("de", "ru"):
        assert f"webapp/bundled/translations/{lang}/LC_MESSAGES/content.po" in names
        assert f"webapp/translations/{lang}/LC_MESSAGES/messages.mo" in names


def test_wheel_has_templates_static_and_migrations(wheel: zipfile.ZipFile) -> None:
    """Pages, assets and the schema migrations travel with the package."""
    names = wheel.namelist()
    assert "webapp/templates/base.html" in names
    assert "webapp/static/app.css" in names
    assert any(n.startswith("webapp/migrations/versions/") for n in names)
