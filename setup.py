"""Build hook: bundle the repository's content into the wheel.

`pip install .` outside a checkout must still serve the four units, so the content
root (lessons/, quizzes/, translations/) is copied into webapp/bundled/ of the
built package. Editable installs read the checkout directly and skip this.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
CONTENT_DIRS = ("lessons", "quizzes", "translations")


class BuildWithContent(build_py):
    """build_py that also copies the content root into webapp/bundled."""

    def run(self) -> None:
        """Build the package, then copy the content beside it."""
        super().run()
        self._compile_interface_catalogs()
        target = Path(self.build_lib) / "webapp" / "bundled"
        for name in CONTENT_DIRS:
            src = ROOT / name
            if src.is_dir():
                shutil.copytree(
                    src,
                    target / name,
                    dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("*.mo", "*.lock", "*.tmp"),
                )

    def _compile_interface_catalogs(self) -> None:
        """Compile webapp/translations/*/LC_MESSAGES/messages.po into the build."""
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (ROOT / "webapp" / "translations").glob("*/LC_MESSAGES/*.po"):
            rel = po.relative_to(ROOT).with_suffix(".mo")
            out = Path(self.build_lib) / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as f:
                catalog = read_po(f)
            with out.open("wb") as f:
                write_mo(f, catalog)


setup(cmdclass={"build_py": BuildWithContent})
