"""Safe YAML reading: positions, raw texts, refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from webapp.content.yamlsource import SurprisingInt, YamlError, load_bytes, load_text


def errors_of(text: str) -> list[str]:
    """Return the error lines for a YAML text."""
    with pytest.raises(YamlError) as info:
        load_text(text, "f.yaml")
    return [str(e) for e in info.value.errors]


def test_positions_of_keys_values_and_items_are_one_based():
    doc = load_text(
        "id: x\nquestions:\n  - id: a\n    choices:\n      - {text: Yes}\n", "f.yaml"
    )
    assert doc.positions[()] == (1, 1)
    assert doc.positions[("id",)] == (1, 5)
    assert doc.key_positions[("id",)] == (1, 1)
    assert doc.positions[("questions", 0)] == (3, 5)
    assert doc.positions[("questions", 0, "choices", 0, "text")] == (5, 16)
    assert doc.key_positions[("questions", 0, "choices", 0, "text")] == (5, 10)


def test_pos_falls_back_to_the_nearest_ancestor():
    doc = load_text("a:\n  b: 1\n", "f.yaml")
    assert doc.pos(("a", "missing", 3)) == doc.positions[("a",)]


def test_yaml_11_types_resolve_and_keep_the_source_text():
    doc = load_text("a: no\nb: 1:30\nc: 1922-04-16\nd: '3'\ne: 0777\nf:\n", "f.yaml")
    assert doc.data == {
        "a": False,
        "b": 90,
        "c": dt.date(1922, 4, 16),
        "d": "3",
        "e": 511,
        "f": None,
    }
    assert isinstance(doc.data["b"], SurprisingInt)
    assert doc.raw == {
        ("a",): "no",
        ("b",): "1:30",
        ("c",): "1922-04-16",
        ("e",): "0777",
    }


def test_impossible_date_stays_text():
    assert load_text("a: 1922-02-30\n", "f.yaml").data == {"a": "1922-02-30"}


def test_bom_is_accepted_and_does_not_shift_columns():
    doc = load_bytes(b"\xef\xbb\xbfid: x\n", "f.yaml")
    assert doc.data == {"id": "x"}
    assert doc.positions[("id",)] == (1, 5)


def test_explicit_document_start_is_fine():
    assert load_text("---\na: 1\n...\n", "f.yaml").data == {"a": 1}


def test_depth_of_fifty_is_allowed():
    text = "[" * 50 + "]" * 50
    load_text(text, "f.yaml")
    assert errors_of("[" * 51 + "]" * 51)[0].startswith("f.yaml:1:51: this is nested")


def test_duplicate_keys_are_all_reported():
    """C.8 case 6: duplicate keys are refused with both line numbers."""
    assert errors_of("a: 1\nb: 2\na: 3\nb: 4\n") == [
        "f.yaml:3:1: duplicate key 'a' (first defined on line 1); keep only one",
        "f.yaml:4:1: duplicate key 'b' (first defined on line 2); keep only one",
    ]


def test_one_alias_message_per_file():
    assert len(errors_of("a: &x 1\nb: *x\nc: *x\n")) == 1


def test_complex_key_is_refused():
    assert errors_of("? [a, b]\n: 1\n") == [
        "f.yaml:1:3: a key must be a plain word, not a list or a mapping"
    ]


@pytest.mark.parametrize(
    "text",
    ["a: !!binary aGVsbG8=\n", "a: !!set {x}\n", "a: !!python/name:os.system\n"],
)
def test_non_standard_tags_are_refused(text: str):
    assert "is not allowed; remove it" in errors_of(text)[0]


def test_standard_tags_are_allowed():
    assert load_text("a: !!str 12\nb: !!int '7'\n", "f.yaml").data == {
        "a": "12",
        "b": 7,
    }


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00a", b"a: [", b"\x00", b"{{{{", b"- - - -\n  :", b"a: *b", b"!<x> a"],
)
def test_garbage_never_raises_anything_but_yaml_error(data: bytes):
    with pytest.raises(YamlError):
        load_bytes(data, "f.yaml")
