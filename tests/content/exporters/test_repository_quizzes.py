"""Every quiz of the repository exports to every format; pools keep their draws."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from webapp.content.catalog import Catalog, load_catalog
from webapp.content.exporters import (
    ExportResult,
    export_gift,
    export_moodle_xml,
    export_qti,
    export_worksheet,
)

ROOT = Path(__file__).parents[3]
QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
EXPORTERS: dict[str, Callable[..., ExportResult]] = {
    "gift": export_gift,
    "moodle-xml": export_moodle_xml,
    "qti": export_qti,
    "worksheet": export_worksheet,
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """Return the repository's own content."""
    found = load_catalog(ROOT)
    assert found.quizzes
    return found


def _ids() -> list[str]:
    return sorted(load_catalog(ROOT).quizzes)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
@pytest.mark.parametrize("quiz_id", _ids())
def test_every_repository_quiz_exports(catalog: Catalog, quiz_id: str, fmt: str):
    quiz = catalog.quizzes[quiz_id]
    lesson = catalog.lessons.get(quiz.lesson or "")
    result = EXPORTERS[fmt](quiz, lesson)
    data: Any = result.data
    if fmt == "moodle-xml":
        root = ET.fromstring(data)
        assert len(root.findall("question")) >= len(quiz.questions)
    elif fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            for name in names:
                ET.fromstring(zf.read(name))
        assert len(names) == len(quiz.questions) + 2
    else:
        assert all(q.id in data for q in quiz.questions)


def test_pools_become_categories_and_drawn_sections(catalog: Catalog):
    final = next(q for q in catalog.quizzes.values() if q.pools)
    gift = str(export_gift(final).data)
    for pool in final.pools:
        assert gift.count("$CATEGORY: $course$/top/") >= len(final.pools)
        assert f"/{pool.quiz}\n" in gift
    with zipfile.ZipFile(io.BytesIO(export_qti(final).data)) as zf:
        test = ET.fromstring(zf.read("test.xml"))
    sections = test.findall(f".//{QTI}assessmentSection/{QTI}assessmentSection")
    draws = {s.get("title"): s.find(f"{QTI}selection") for s in sections}
    for pool in final.pools:
        selection = draws[pool.quiz]
        assert selection is not None
        assert selection.get("select") == str(pool.draw)
