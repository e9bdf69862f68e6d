"""QTI 2.1 package: manifest, one well-formed item per question, the test."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from tests.content.exporters.conftest import make_quiz
from tests.helpers import question
from webapp.content.domain import Lesson, Quiz
from webapp.content.exporters.qti import export_qti, ident

QTI = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


def _files(quiz: Quiz) -> dict[str, ET.Element]:
    data = export_qti(quiz).data
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: ET.fromstring(zf.read(name)) for name in zf.namelist()}


def _item(quiz: Quiz) -> ET.Element:
    files = _files(quiz)
    items = [el for name, el in files.items() if name.startswith("items/")]
    assert len(items) == 1
    return items[0]


def test_package_has_a_manifest_a_test_and_one_item_per_question(
    sample: tuple[Quiz, Lesson],
):
    quiz, lesson = sample
    result = export_qti(quiz, lesson)
    assert result.filename == "sample.qti.zip"
    files = _files(quiz)
    assert set(files) == {"imsmanifest.xml", "test.xml"} | {
        f"items/{q.id}.xml" for q in quiz.questions
    }
    manifest = files["imsmanifest.xml"]
    assert manifest.tag == f"{CP}manifest"
    assert manifest.findtext(f"{CP}metadata/{CP}schema") == "QTIv2.1 Package"
    resources = manifest.findall(f"{CP}resources/{CP}resource")
    kinds = [r.get("type") for r in resources]
    assert kinds == ["imsqti_test_xmlv2p1"] + ["imsqti_item_xmlv2p1"] * len(
        quiz.questions
    )
    for r in resources:
        assert r.get("href") in files
        assert r.find(f"{CP}file").get("href") == r.get("href")  # type: ignore[union-attr]
    deps = [d.get("identifierref") for d in resources[0].findall(f"{CP}dependency")]
    assert deps == [r.get("identifier") for r in resources[1:]]
    test = files["test.xml"]
    assert test.tag == f"{QTI}assessmentTest"
    refs = test.findall(f".//{QTI}assessmentItemRef")
    assert [r.get("href") for r in refs] == [
        f"items/{q.id}.xml" for q in quiz.questions
    ]
    for q in quiz.questions:
        item = files[f"items/{q.id}.xml"]
        assert item.tag == f"{QTI}assessmentItem"
        assert item.get("identifier") == q.id
        assert item.find(f"{QTI}responseProcessing") is not None


def test_same_quiz_gives_the_same_bytes(sample: tuple[Quiz, Lesson]):
    assert export_qti(sample[0]).data == export_qti(sample[0]).data


@pytest.mark.parametrize(
    ("kind", "interaction", "cardinality", "base_type"),
    [
        ("single_choice", "choiceInteraction", "single", "identifier"),
        ("multiple_choice", "choiceInteraction", "multiple", "identifier"),
        ("true_false", "choiceInteraction", "single", "identifier"),
        ("short_answer", "textEntryInteraction", "single", "string"),
        ("numeric", "textEntryInteraction", "single", "float"),
        ("ordering", "orderInteraction", "ordered", "identifier"),
        ("matching", "matchInteraction", "multiple", "directedPair"),
    ],
)
def test_each_type_has_its_interaction_and_response(
    kind: str, interaction: str, cardinality: str, base_type: str
):
    item = _item(make_quiz(question(kind)))
    assert item.find(f".//{QTI}{interaction}") is not None
    decl = item.find(f"{QTI}responseDeclaration")
    assert decl is not None
    assert (decl.get("cardinality"), decl.get("baseType")) == (cardinality, base_type)
    assert decl.find(f"{QTI}correctResponse/{QTI}value") is not None


def test_single_choice_max_one_and_feedback_per_choice():
    q = question("single_choice")
    item = _item(make_quiz(q))
    choice = item.find(f".//{QTI}choiceInteraction")
    assert choice is not None
    assert choice.get("maxChoices") == "1"
    feedback = {
        f.get("identifier"): "".join(f.itertext()).strip()
        for f in item.findall(f"{QTI}modalFeedback")
    }
    assert feedback["FB_c2"] == "That is the Treaty of Versailles."
    assert feedback["EXPLANATION"] == q.explanation


def test_multiple_choice_partial_is_a_bounded_mapping():
    q = question("multiple_choice", points=2)
    item = _item(make_quiz(q))
    mapping = item.find(f"{QTI}responseDeclaration/{QTI}mapping")
    assert mapping is not None
    assert (mapping.get("lowerBound"), mapping.get("upperBound")) == ("0", "2")
    right = sum(c.correct for c in q.choices)
    values = [float(e.get("mappedValue", "")) for e in mapping]
    assert values == [2 / right if c.correct else -2 / right for c in q.choices]
    assert item.find(f".//{QTI}mapResponse") is not None


def test_numeric_tolerance_modes():
    absolute = _item(make_quiz(question("numeric", answer=4000, tolerance=50)))
    equal = absolute.find(f".//{QTI}equal")
    assert equal is not None
    assert (equal.get("toleranceMode"), equal.get("tolerance")) == ("absolute", "50 50")
    percent = _item(make_quiz(question("numeric", answer=4000, tolerance="5%")))
    equal = percent.find(f".//{QTI}equal")
    assert equal is not None
    assert (equal.get("toleranceMode"), equal.get("tolerance")) == ("relative", "5 5")
    exact = _item(make_quiz(question("numeric", answer=4000, tolerance=0)))
    assert exact.find(f".//{QTI}equal").get("toleranceMode") == "exact"  # type: ignore[union-attr]


def test_short_answer_maps_every_form_case_insensitively():
    q = question("short_answer", answers=["Lipetsk", "Lipezk"])
    item = _item(make_quiz(q))
    entries = item.findall(f".//{QTI}mapEntry")
    assert [(e.get("mapKey"), e.get("caseSensitive")) for e in entries] == [
        ("Lipetsk", "false"),
        ("Lipezk", "false"),
    ]


def test_matching_pairs_are_directed_pairs_with_extras_as_options():
    q = question(
        "matching", pairs={"Lipetsk": "aircraft", "Kama": "tanks"}, extra=["U-boats"]
    )
    item = _item(make_quiz(q))
    values = [v.text for v in item.findall(f".//{QTI}correctResponse/{QTI}value")]
    assert values == ["L1 O1", "L2 O2"]
    sets = item.findall(f".//{QTI}simpleMatchSet")
    assert [len(s) for s in sets] == [2, 3]


def test_cloze_has_one_text_entry_and_response_per_gap():
    q = question("cloze", text="In {{Moscow}} by {{Molotov|Molotow}}.")
    item = _item(make_quiz(q))
    entries = item.findall(f".//{QTI}textEntryInteraction")
    assert [e.get("responseIdentifier") for e in entries] == [
        "RESPONSE_1",
        "RESPONSE_2",
    ]
    assert len(item.findall(f"{QTI}responseDeclaration")) == 2
    para = entries[0]
    assert para.tail == " by "


def test_ids_starting_with_a_digit_become_valid_identifiers():
    assert ident("1922-treaty") == "_1922-treaty"
    assert ident("rapallo") == "rapallo"
    item = _item(make_quiz(question("true_false", id="1922-treaty")))
    assert item.get("identifier") == "_1922-treaty"


def test_test_carries_draw_shuffle_time_limit_and_mode():
    quiz = make_quiz(
        question("true_false"),
        question("single_choice"),
        draw=1,
        time_limit=10,
        mode="test",
    )
    test = _files(quiz)["test.xml"]
    assert test.find(f"{QTI}timeLimits").get("maxTime") == "600"  # type: ignore[union-attr]
    assert test.find(f".//{QTI}selection").get("select") == "1"  # type: ignore[union-attr]
    assert test.find(f".//{QTI}ordering").get("shuffle") == "true"  # type: ignore[union-attr]
    assert test.find(f"{QTI}testPart").get("submissionMode") == "simultaneous"  # type: ignore[union-attr]


def test_markdown_and_markup_in_text_stay_well_formed():
    q = question("single_choice", prompt="Is *this* <script>x</script> & `that` ok?")
    item = _item(make_quiz(q))
    para = item.find(f"{QTI}itemBody/{QTI}p")
    assert para is not None
    assert para.find(f"{QTI}em") is not None
    assert "<script>" in "".join(para.itertext())
