"""Export a quiz as Moodle XML, Moodle's own question-bank format.

Built with ElementTree, so the file is well-formed whatever the text holds. Every
type our YAML has maps onto a core Moodle type; ordering becomes matching (item to
position) because the ordering type is core only from Moodle 4.4.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from webapp.content.domain import (
    ClozeQuestion,
    Lesson,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from webapp.content.exporters.base import (
    ExportResult,
    absolute_tolerance,
    groups,
    id_list,
    inline_html,
    number,
    ordering_note,
    ordinal_positions,
    plain_html,
    quiz_warnings,
    stimulus_html,
)
from webapp.content.exporters.gift import category_path

PENALTY = "0.3333333"
# Characters with a meaning inside a Moodle cloze gap {1:SHORTANSWER:=a~=b#fb}.
CLOZE_SPECIAL = '\\}#~/"'


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "html") -> None:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = text


def _fraction(x: float) -> str:
    text = f"{x:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _answer(
    parent: ET.Element,
    fraction: float,
    text: str,
    feedback: str | None = None,
    fmt: str = "html",
) -> ET.Element:
    el = ET.SubElement(
        parent, "answer", {"fraction": _fraction(fraction), "format": fmt}
    )
    ET.SubElement(el, "text").text = text
    _text(el, "feedback", inline_html(feedback) if feedback else "")
    return el


def question_html(q: Question, body: str | None = None) -> str:
    """Return the question text: stimulus blockquote, prompt, hint, cloze body."""
    out = stimulus_html(q.stimulus) if q.stimulus else ""
    prompt = inline_html(q.prompt)
    if isinstance(q, NumericQuestion) and q.unit:
        prompt += f' <span class="unit">({plain_html(q.unit)})</span>'
    out += f"<p>{prompt}</p>"
    if q.hint:
        out += f'<p class="hint">{inline_html(q.hint)}</p>'
    if body is not None:
        out += f"<p>{body}</p>"
    return out


def _start(
    root: ET.Element, q: Question, qtype: str, body: str | None = None
) -> ET.Element:
    el = ET.SubElement(root, "question", {"type": qtype})
    name = ET.SubElement(el, "name")
    ET.SubElement(name, "text").text = q.id
    _text(el, "questiontext", question_html(q, body))
    _text(el, "generalfeedback", inline_html(q.explanation) if q.explanation else "")
    if qtype != "cloze":
        ET.SubElement(el, "defaultgrade").text = str(q.points)
    ET.SubElement(el, "penalty").text = "1" if qtype == "truefalse" else PENALTY
    ET.SubElement(el, "hidden").text = "0"
    ET.SubElement(el, "idnumber").text = q.id
    return el


def _tags(el: ET.Element, q: Question) -> None:
    names = []
    if q.skill:
        names.append(f"skill:{q.skill}")
    if q.contested:
        names.append("contested")
    if names:
        tags = ET.SubElement(el, "tags")
        for n in names:
            tag = ET.SubElement(tags, "tag")
            ET.SubElement(tag, "text").text = n


def _combined_feedback(el: ET.Element) -> None:
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(el, tag, "")


def _choices(
    root: ET.Element, q: SingleChoiceQuestion | MultipleChoiceQuestion, w: list[str]
) -> ET.Element:
    el = _start(root, q, "multichoice")
    single = isinstance(q, SingleChoiceQuestion)
    ET.SubElement(el, "single").text = "true" if single else "false"
    ET.SubElement(el, "shuffleanswers").text = "true" if q.shuffle else "false"
    ET.SubElement(el, "answernumbering").text = "abc"
    ET.SubElement(el, "showstandardinstruction").text = "1"
    _combined_feedback(el)
    right = sum(1 for c in q.choices if c.correct)
    share, wrong = 100.0, 0.0
    if isinstance(q, MultipleChoiceQuestion):
        # A wrong pick cancels one right pick (our `partial` rule exactly); for
        # all_or_nothing, the nearest Moodle has: a wrong pick cancels everything.
        share = 100 / right
        wrong = -share if q.scoring == "partial" or right == 1 else -100.0
        if q.scoring == "all_or_nothing" and right > 1:
            w.append(
                f'question "{q.id}" (multiple_choice, all_or_nothing): Moodle has no '
                "all-or-nothing scoring, so each wrong choice is weighted -100 % "
                "(any wrong pick scores 0), but leaving out a right choice still "
                "earns partial credit"
            )
    for c in q.choices:
        _answer(el, share if c.correct else wrong, inline_html(c.text), c.feedback)
    return el


def _true_false(root: ET.Element, q: TrueFalseQuestion) -> ET.Element:
    el = _start(root, q, "truefalse")
    for value in (True, False):
        right = value == q.answer
        _answer(
            el,
            100 if right else 0,
            "true" if value else "false",
            None if right else q.feedback,
            fmt="moodle_auto_format",
        )
    return el


def _typed(text: str) -> str:
    """An answer Moodle compares as typed: `*` is its wildcard, so escape it."""
    return text.replace("*", "\\*")


def _short(root: ET.Element, q: ShortAnswerQuestion, w: list[str]) -> ET.Element:
    el = _start(root, q, "shortanswer")
    ET.SubElement(el, "usecase").text = "0"
    for a in q.answers:
        _answer(el, 100, _typed(a), fmt="moodle_auto_format")
    for wrong in q.wrong_answers:
        _answer(el, 0, _typed(wrong.answer), wrong.feedback, fmt="moodle_auto_format")
    if q.typos:
        w.append(
            f'question "{q.id}" (short_answer): Moodle has no typo tolerance, so '
            f"typos: {q.typos} is lost; only the listed forms are accepted "
            "(ignoring case)"
        )
    return el


def _numeric(root: ET.Element, q: NumericQuestion, w: list[str]) -> ET.Element:
    el = _start(root, q, "numerical")
    tolerance = absolute_tolerance(q)
    if q.tolerance_percent:
        w.append(
            f'question "{q.id}" (numeric): Moodle takes an absolute tolerance, so '
            f"{number(q.tolerance)} % of {number(q.answer)} is written as "
            f"{number(tolerance)}"
        )
    ans = _answer(el, 100, number(q.answer), fmt="moodle_auto_format")
    # Moodle expects <tolerance> right after the answer text, before feedback.
    ans.insert(1, _leaf("tolerance", number(tolerance)))
    # The unit is shown in the question text; Moodle grades the number only.
    ET.SubElement(el, "unitgradingtype").text = "0"
    ET.SubElement(el, "unitpenalty").text = "0.1000000"
    ET.SubElement(el, "showunits").text = "3"
    ET.SubElement(el, "unitsleft").text = "0"
    return el


def _leaf(tag: str, text: str) -> ET.Element:
    el = ET.Element(tag)
    el.text = text
    return el


def _pairs(
    root: ET.Element, q: Question, pairs: list[tuple[str, str]], extra: tuple[str, ...]
) -> ET.Element:
    el = _start(root, q, "matching")
    ET.SubElement(el, "shuffleanswers").text = "true"
    _combined_feedback(el)
    for left, right in [*pairs, *(("", opt) for opt in extra)]:
        # A subquestion with empty text is Moodle's way to add an option that
        # matches nothing.
        sub = ET.SubElement(el, "subquestion", {"format": "html"})
        ET.SubElement(sub, "text").text = plain_html(left)
        answer = ET.SubElement(sub, "answer")
        ET.SubElement(answer, "text").text = right
    return el


def _matching(root: ET.Element, q: MatchingQuestion, w: list[str]) -> ET.Element:
    if len(q.options) < 3:
        w.append(
            f'question "{q.id}" (matching): Moodle asks for at least 3 options in '
            "a matching question when it is edited; add an `extra` option"
        )
    return _pairs(root, q, list(q.pairs), q.extra)


def _ordering(root: ET.Element, q: OrderingQuestion, w: list[str]) -> ET.Element:
    w.append(ordering_note(q, "Moodle XML"))
    positions = ordinal_positions(len(q.items))
    return _pairs(root, q, list(zip(q.items, positions, strict=True)), ())


def cloze_escape(text: str) -> str:
    """Escape the characters that end or split an answer inside a Moodle cloze gap."""
    out = text
    for c in CLOZE_SPECIAL:
        out = out.replace(c, "\\" + c)
    return out


def _cloze(root: ET.Element, q: ClozeQuestion, w: list[str]) -> ET.Element:
    body = plain_html(q.parts[0])
    for blank, part in zip(q.blanks, q.parts[1:], strict=True):
        alternatives = "~".join(
            f"={plain_html(_typed(cloze_escape(a)))}" for a in blank.answers
        )
        body += f"{{1:SHORTANSWER:{alternatives}}}" + plain_html(part)
    el = _start(root, q, "cloze", body)
    if q.typos:
        w.append(
            f'question "{q.id}" (cloze): Moodle has no typo tolerance, so typos: '
            f"{q.typos} is lost"
        )
    if q.points != len(q.blanks):
        w.append(
            f'question "{q.id}" (cloze): Moodle gives a cloze question one mark per '
            f"gap ({len(q.blanks)}), not {q.points}; set its mark in the Moodle quiz"
        )
    return el


def question_element(root: ET.Element, q: Question, warnings: list[str]) -> ET.Element:
    """Append one <question> for `q` to `root`; note in `warnings` what changed."""
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        el = _choices(root, q, warnings)
    elif isinstance(q, TrueFalseQuestion):
        el = _true_false(root, q)
    elif isinstance(q, ShortAnswerQuestion):
        el = _short(root, q, warnings)
    elif isinstance(q, NumericQuestion):
        el = _numeric(root, q, warnings)
    elif isinstance(q, MatchingQuestion):
        el = _matching(root, q, warnings)
    elif isinstance(q, OrderingQuestion):
        el = _ordering(root, q, warnings)
    elif isinstance(q, ClozeQuestion):
        el = _cloze(root, q, warnings)
    else:
        raise TypeError(f"no Moodle XML export for question type {q.type!r}")
    _tags(el, q)
    return el


def export_moodle_xml(quiz: Quiz, lesson: Lesson | None = None) -> ExportResult:
    """Export a quiz's questions as a Moodle XML file."""
    warnings = quiz_warnings(quiz, "Moodle XML")
    root = ET.Element("quiz")
    for pool, questions in groups(quiz):
        cat = ET.SubElement(root, "question", {"type": "category"})
        category = ET.SubElement(cat, "category")
        ET.SubElement(category, "text").text = category_path(quiz, pool)
        info = quiz.description if pool is None else f"Pool: {pool}"
        _text(cat, "info", inline_html(info) if info else "")
        for q in questions:
            question_element(root, q, warnings)
    see = [q.id for q in quiz.questions if q.see]
    if see:
        warnings.append(
            "Moodle XML has no link to a reading section, so `see` is left out for "
            + id_list(see)
            + "; skill and contested become question tags"
        )
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return ExportResult(
        data=data + b"\n", warnings=warnings, filename=f"{quiz.id}.moodle.xml"
    )
