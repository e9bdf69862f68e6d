"""docs/security.md: every test it names exists, and all 38 cases of §C.8 are there."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from tests.conftest import REPO

DOC = REPO / "docs" / "security.md"
_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
_ROW = re.compile(r"^\| (C\.8 case (\d+)|ASVS [\d.]+) \|.*$", re.M)


@cache
def defined_tests(path: Path) -> frozenset[str]:
    """Return the names of the test functions defined at the top of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    )


def rows() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return each table row's label and the (file, test) pairs it names."""
    text = DOC.read_text(encoding="utf-8")
    return [(m.group(1), _REF.findall(m.group(0))) for m in _ROW.finditer(text)]


def test_every_referenced_test_exists() -> None:
    """Each `file::test` in the tables is a test function in that file."""
    missing = []
    for label, refs in rows():
        assert refs, f"{label} names no test"
        for file, name in refs:
            path = REPO / file
            if not path.is_file() or name not in defined_tests(path):
                missing.append(f"{label}: {file}::{name}")
    assert missing == []


def test_all_38_cases_are_in_the_table_once() -> None:
    """Cases 1 to 38 each have exactly one row."""
    cases = [int(label.split()[-1]) for label, _ in rows() if label.startswith("C.8")]
    assert sorted(cases) == list(range(1, 39))


def test_claimed_asvs_items_are_mapped() -> None:
    """The ASVS table is not empty and names the items of the threat model."""
    items = {label.split()[1] for label, _ in rows() if label.startswith("ASVS")}
    assert {"3.3.1", "7.4.1", "8.2.2", "16.4.1", "16.5.1", "16.5.3"} <= items
