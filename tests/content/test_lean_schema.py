"""The lean schema loop gives what marshmallow's own loop gives: objects and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import Schema, fields

from webapp.content.catalog import load_catalog, load_files
from webapp.content.fields import LeanField, LeanSchema

REPO = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).parent / "broken"
ROOTS = [REPO, REPO / "examples" / "sample"]


def _stock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Send every schema and field back through marshmallow's own code."""
    monkeypatch.setattr(LeanSchema, "_deserialize", Schema._deserialize)
    monkeypatch.setattr(LeanSchema, "_do_load", Schema._do_load)
    monkeypatch.setattr(LeanField, "_validate", fields.Field._validate)


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_the_same_catalog_as_marshmallow_builds(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean = load_catalog(root)
    assert lean.quizzes, "the content root has quizzes"
    with monkeypatch.context() as m:
        _stock(m)
        stock = load_catalog(root)
    assert lean.lessons == stock.lessons
    assert lean.quizzes == stock.quizzes
    assert lean.errors == stock.errors == ()


def test_the_same_errors_for_every_broken_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BROKEN)
    files = sorted(p.name for p in BROKEN.glob("*.yaml"))
    lean = [str(e) for e in load_files(files).errors]
    with monkeypatch.context() as m:
        _stock(m)
        stock = [str(e) for e in load_files(files).errors]
    assert len(lean) > 60
    assert lean == stock


def test_a_schema_with_hooks_still_runs_them() -> None:
    from marshmallow import post_load

    class Doubled(LeanSchema):
        n = fields.Integer()

        @post_load
        def double(self, data: dict[str, int], **_: object) -> dict[str, int]:
            return {"n": data["n"] * 2}

    assert Doubled().load({"n": 2}) == {"n": 4}
