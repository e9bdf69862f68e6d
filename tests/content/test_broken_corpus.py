"""The broken-YAML corpus: every rule, each file paired with its exact output lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from webapp.content.catalog import load_files
from webapp.content.yamlsource import MAX_BYTES, YamlError, load_bytes

BROKEN = Path(__file__).parent / "broken"
FIXTURE = "../fixtures/lessons/fixture.yaml"
CASES = sorted(p.stem for p in BROKEN.glob("*.yaml"))


def expected_lines(name: str) -> list[str]:
    """Return the exact `path:line:col: message` lines expected for a case."""
    return (BROKEN / f"{name}.expected").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", CASES)
def test_broken_file_reports_exact_errors(name: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(BROKEN)
    catalog = load_files([FIXTURE, f"{name}.yaml"])
    assert [str(e) for e in catalog.errors] == expected_lines(name)
    # The valid file loaded alongside keeps working.
    assert catalog.lesson("fixture") is not None


def test_corpus_covers_at_least_forty_broken_files():
    broken = [n for n in CASES if expected_lines(n)]
    assert len(broken) >= 40
    assert set(CASES) - set(broken) == {"bom_ok"}


def test_five_independent_errors_give_five_lines(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(BROKEN)
    catalog = load_files(["lesson_five_errors.yaml"])
    assert len(catalog.errors) == 5
    assert len({(e.line, e.col) for e in catalog.errors}) == 5


def test_alias_bomb_is_refused_in_well_under_a_second():
    """C.8 case 1: a 9-level alias bomb is refused at load, before validation."""
    data = (BROKEN / "alias_bomb.yaml").read_bytes()
    start = time.perf_counter()
    with pytest.raises(YamlError) as info:
        load_bytes(data, "bomb.yaml")
    # A refusal guarantee, not a benchmark: the bound is generous on purpose.
    assert time.perf_counter() - start < 1.0
    assert "anchors and aliases" in info.value.errors[0].message


def test_file_over_one_megabyte_is_refused_before_parsing(tmp_path: Path):
    """C.8 case 11: a file over 1 MB is refused before parsing."""
    path = tmp_path / "big.yaml"
    path.write_bytes(b"schema_version: 1\n" + b"# padding\n" * (MAX_BYTES // 10 + 1))
    catalog = load_files([path])
    assert [e.message for e in catalog.errors] == [
        "this file is 1.0 MB; the limit is 1 MB, so split it into several files"
    ]
    assert (catalog.errors[0].line, catalog.errors[0].col) == (1, 1)


def test_very_deep_nesting_is_refused_quickly():
    """C.8 case 11: very deep nesting is a quick validation error, never a crash."""
    data = b"a: " + b"[" * 500_000 + b"]" * 500_000
    start = time.perf_counter()
    with pytest.raises(YamlError) as info:
        load_bytes(data, "deep.yaml")
    assert time.perf_counter() - start < 1.0
    assert str(info.value.errors[0]) == (
        "deep.yaml:1:53: this is nested more than 50 levels deep; content files never "
        "need that many, so check the brackets and indentation"
    )
