"""Export a quiz as an IMS QTI 2.1 content package (a zip with imsmanifest.xml).

One assessmentItem file per question plus an assessmentTest, each built with
ElementTree. Response processing is written out in full rather than by template so
that per-choice feedback, partial credit and numeric tolerance travel with it.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence

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
    append_html,
    groups,
    inline_html,
    labels,
    number,
    quiz_warnings,
    stimulus_html,
)

QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # same bytes for the same quiz


def ident(value: str) -> str:
    """Return a QTI identifier for a slug (identifiers may not start with a digit)."""
    return (
        value
        if _NCNAME.fullmatch(value)
        else "_" + re.sub(r"[^A-Za-z0-9_.-]", "_", value)
    )


def _e(
    parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    el = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _base(parent: ET.Element, base_type: str, value: str) -> ET.Element:
    return _e(parent, "baseValue", value, baseType=base_type)


def _set(parent: ET.Element, identifier: str) -> ET.Element:
    return _e(parent, "setOutcomeValue", identifier=identifier)


class _Item:
    """An assessmentItem under construction: declarations, body, processing."""

    def __init__(self, q: Question, language: str) -> None:
        self.q = q
        self.words = labels(language)
        self.root = _e(
            None,
            "assessmentItem",
            identifier=ident(q.id),
            title=q.id,
            adaptive="false",
            timeDependent="false",
        )
        self.root.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")
        self.root.set(f"{{{XML}}}lang", language)
        self.declarations: list[ET.Element] = []
        self.body = _e(None, "itemBody")
        self.rp = _e(None, "responseProcessing")
        self.feedback: list[ET.Element] = []
        self._intro()
        if q.explanation:
            self.add_feedback(None, "EXPLANATION", q.explanation)

    def _intro(self) -> None:
        q = self.q
        if q.stimulus:
            append_html(self.body, stimulus_html(q.stimulus))
        append_html(self.body, f"<p>{inline_html(q.prompt)}</p>")
        if q.hint:
            append_html(self.body, f'<p class="hint">{inline_html(q.hint)}</p>')

    def respond(
        self,
        identifier: str,
        cardinality: str,
        base_type: str,
        correct: Sequence[str],
    ) -> ET.Element:
        """Declare a response variable with its correct value(s)."""
        decl = _e(
            None,
            "responseDeclaration",
            identifier=identifier,
            cardinality=cardinality,
            baseType=base_type,
        )
        right = _e(decl, "correctResponse")
        for value in correct:
            _e(right, "value", value)
        self.declarations.append(decl)
        return decl

    def add_feedback(self, condition: ET.Element | None, key: str, text: str) -> None:
        """Show `text` after answering when `condition` holds (always when None)."""
        if condition is None:
            target = _set(self.rp, "FEEDBACK")
        else:
            cond = _e(self.rp, "responseCondition")
            branch = _e(cond, "responseIf")
            branch.append(condition)
            target = _set(branch, "FEEDBACK")
        both = _e(target, "multiple")
        _e(both, "variable", identifier="FEEDBACK")
        _base(both, "identifier", key)
        fb = _e(
            None,
            "modalFeedback",
            outcomeIdentifier="FEEDBACK",
            identifier=key,
            showHide="show",
        )
        append_html(fb, f"<p>{inline_html(text)}</p>")
        self.feedback.append(fb)

    def score_if(self, condition: ET.Element) -> None:
        """Give full points when `condition` holds, else 0."""
        cond = _e(self.rp, "responseCondition")
        branch = _e(cond, "responseIf")
        branch.append(condition)
        _base(_set(branch, "SCORE"), "float", number(self.q.points))
        _base(_set(_e(cond, "responseElse"), "SCORE"), "float", "0")

    def score_expr(self, expr: ET.Element) -> None:
        """Set SCORE to an expression (a sum of mapped responses, say)."""
        _set(self.rp, "SCORE").append(expr)

    def element(self) -> ET.Element:
        """Assemble the item in the order the QTI schema requires."""
        for decl in self.declarations:
            self.root.append(decl)
        for name, card, base, default in (
            ("SCORE", "single", "float", "0"),
            ("MAXSCORE", "single", "float", number(self.q.points)),
        ):
            out = _e(
                self.root,
                "outcomeDeclaration",
                identifier=name,
                cardinality=card,
                baseType=base,
            )
            _e(_e(out, "defaultValue"), "value", default)
        _e(
            self.root,
            "outcomeDeclaration",
            identifier="FEEDBACK",
            cardinality="multiple",
            baseType="identifier",
        )
        self.root.append(self.body)
        # Score first, then feedback, so SCORE is set before any feedback runs.
        rp = _e(self.root, "responseProcessing")
        score = [c for c in self.rp if _is_score(c)]
        for child in score + [c for c in self.rp if not _is_score(c)]:
            rp.append(child)
        for fb in self.feedback:
            self.root.append(fb)
        return self.root


def _is_score(el: ET.Element) -> bool:
    return any(s.get("identifier") == "SCORE" for s in el.iter("setOutcomeValue"))


def _match(*, response: str = "RESPONSE") -> ET.Element:
    m = _e(None, "match")
    _e(m, "variable", identifier=response)
    _e(m, "correct", identifier=response)
    return m


def _picked(choice: str, cardinality: str) -> ET.Element:
    if cardinality == "single":
        m = _e(None, "match")
        _e(m, "variable", identifier="RESPONSE")
        _base(m, "identifier", choice)
        return m
    m = _e(None, "member")
    _base(m, "identifier", choice)
    _e(m, "variable", identifier="RESPONSE")
    return m


def _mapping(
    decl: ET.Element, entries: Sequence[tuple[str, float]], upper: float, case: bool
) -> None:
    mapping = _e(
        decl, "mapping", defaultValue="0", lowerBound="0", upperBound=number(upper)
    )
    seen: set[str] = set()
    for key, value in entries:
        folded = key if case else key.casefold()
        if folded in seen:
            continue
        seen.add(folded)
        _e(
            mapping,
            "mapEntry",
            mapKey=key,
            mappedValue=number(value),
            caseSensitive="true" if case else "false",
        )


def _choices(item: _Item, q: SingleChoiceQuestion | MultipleChoiceQuestion) -> None:
    single = isinstance(q, SingleChoiceQuestion)
    card = "single" if single else "multiple"
    ids = [ident(c.id) for c in q.choices]
    decl = item.respond(
        "RESPONSE",
        card,
        "identifier",
        [i for i, c in zip(ids, q.choices, strict=True) if c.correct],
    )
    interaction = _e(
        item.body,
        "choiceInteraction",
        responseIdentifier="RESPONSE",
        shuffle="true" if q.shuffle else "false",
        maxChoices="1" if single else "0",
    )
    for cid, c in zip(ids, q.choices, strict=True):
        append_html(
            _e(interaction, "simpleChoice", identifier=cid), inline_html(c.text), QTI
        )
    if isinstance(q, MultipleChoiceQuestion) and q.scoring == "partial":
        right = sum(1 for c in q.choices if c.correct)
        share = q.points / right
        _mapping(
            decl,
            [
                (i, share if c.correct else -share)
                for i, c in zip(ids, q.choices, strict=True)
            ],
            q.points,
            True,
        )
        mapped = _e(None, "mapResponse", identifier="RESPONSE")
        item.score_expr(mapped)
    else:
        item.score_if(_match())
    for cid, c in zip(ids, q.choices, strict=True):
        if c.feedback:
            item.add_feedback(_picked(cid, card), f"FB_{cid}", c.feedback)


def _true_false(item: _Item, q: TrueFalseQuestion) -> None:
    key = "true" if q.answer else "false"
    item.respond("RESPONSE", "single", "identifier", [key])
    interaction = _e(
        item.body,
        "choiceInteraction",
        responseIdentifier="RESPONSE",
        shuffle="false",
        maxChoices="1",
    )
    for value in ("true", "false"):
        _e(interaction, "simpleChoice", item.words[value], identifier=value)
    item.score_if(_match())
    if q.feedback:
        wrong = _e(None, "not")
        wrong.append(_match())
        item.add_feedback(wrong, "FB_WRONG", q.feedback)


def _text_entry(
    parent: ET.Element,
    identifier: str,
    answers: Sequence[str],
    base_type: str = "string",
) -> ET.Element:
    length = max((len(a) for a in answers), default=10)
    return _e(
        parent,
        "textEntryInteraction",
        responseIdentifier=identifier,
        expectedLength=str(max(length + 4, 8)),
    )


def _short(item: _Item, q: ShortAnswerQuestion, warnings: list[str]) -> None:
    decl = item.respond("RESPONSE", "single", "string", [q.answers[0]])
    _mapping(decl, [(a, q.points) for a in q.answers], q.points, False)
    _text_entry(_e(item.body, "p"), "RESPONSE", q.answers)
    item.score_expr(_e(None, "mapResponse", identifier="RESPONSE"))
    for n, w in enumerate(q.wrong_answers, 1):
        cond = _e(None, "stringMatch", caseSensitive="false")
        _e(cond, "variable", identifier="RESPONSE")
        _base(cond, "string", w.answer)
        item.add_feedback(cond, f"FB_WRONG_{n}", w.feedback)
    warnings.append(
        f'question "{q.id}" (short_answer): QTI compares typed answers ignoring '
        "case only, not accents or punctuation"
        + (f", and typos: {q.typos} is lost" if q.typos else "")
    )


def _numeric(item: _Item, q: NumericQuestion) -> None:
    item.respond("RESPONSE", "single", "float", [number(q.answer)])
    para = _e(item.body, "p")
    entry = _text_entry(para, "RESPONSE", [number(q.answer)], "float")
    if q.unit:
        entry.tail = " " + q.unit
    equal = _e(None, "equal")
    if q.tolerance == 0:
        equal.set("toleranceMode", "exact")
    else:
        # QTI's relative mode takes a percentage, so "5%" needs no conversion.
        equal.set("toleranceMode", "relative" if q.tolerance_percent else "absolute")
        equal.set("tolerance", f"{number(q.tolerance)} {number(q.tolerance)}")
    _e(equal, "variable", identifier="RESPONSE")
    _e(equal, "correct", identifier="RESPONSE")
    item.score_if(equal)


def _ordering(item: _Item, q: OrderingQuestion, warnings: list[str]) -> None:
    ids = [f"I{n}" for n in range(1, len(q.items) + 1)]
    item.respond("RESPONSE", "ordered", "identifier", ids)
    interaction = _e(
        item.body, "orderInteraction", responseIdentifier="RESPONSE", shuffle="true"
    )
    for iid, text in zip(ids, q.items, strict=True):
        _e(interaction, "simpleChoice", text, identifier=iid)
    item.score_if(_match())
    warnings.append(
        f'question "{q.id}" (ordering): QTI response processing has no longest-run '
        "rule, so it scores all or nothing"
    )


def _matching(item: _Item, q: MatchingQuestion) -> None:
    lefts = [f"L{n}" for n in range(1, len(q.pairs) + 1)]
    options = list(q.options)
    opt_ids = [f"O{n}" for n in range(1, len(options) + 1)]
    by_text = dict(zip(options, opt_ids, strict=True))
    pairs = [
        f"{lid} {by_text[right]}"
        for lid, (_, right) in zip(lefts, q.pairs, strict=True)
    ]
    decl = item.respond("RESPONSE", "multiple", "directedPair", pairs)
    _mapping(decl, [(p, q.points / len(pairs)) for p in pairs], q.points, True)
    interaction = _e(
        item.body,
        "matchInteraction",
        responseIdentifier="RESPONSE",
        shuffle="true",
        maxAssociations=str(len(pairs)),
    )
    left_set = _e(interaction, "simpleMatchSet")
    for lid, (left, _) in zip(lefts, q.pairs, strict=True):
        _e(left_set, "simpleAssociableChoice", left, identifier=lid, matchMax="1")
    right_set = _e(interaction, "simpleMatchSet")
    for oid, text in zip(opt_ids, options, strict=True):
        _e(right_set, "simpleAssociableChoice", text, identifier=oid, matchMax="0")
    item.score_expr(_e(None, "mapResponse", identifier="RESPONSE"))


def _cloze(item: _Item, q: ClozeQuestion, warnings: list[str]) -> None:
    para = _e(item.body, "p")
    para.text = q.parts[0]
    total = _e(None, "sum")
    share = q.points / len(q.blanks)
    for n, (blank, part) in enumerate(zip(q.blanks, q.parts[1:], strict=True), 1):
        rid = f"RESPONSE_{n}"
        decl = item.respond(rid, "single", "string", [blank.answers[0]])
        _mapping(decl, [(a, share) for a in blank.answers], share, False)
        entry = _text_entry(para, rid, blank.answers)
        entry.tail = part
        _e(total, "mapResponse", identifier=rid)
    item.score_expr(total)
    warnings.append(
        f'question "{q.id}" (cloze): QTI compares gaps ignoring case only, not '
        "accents or punctuation"
        + (f", and typos: {q.typos} is lost" if q.typos else "")
    )


def item_element(q: Question, language: str, warnings: list[str]) -> ET.Element:
    """Return the assessmentItem for one question; note in `warnings` what changed."""
    item = _Item(q, language)
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        _choices(item, q)
    elif isinstance(q, TrueFalseQuestion):
        _true_false(item, q)
    elif isinstance(q, ShortAnswerQuestion):
        _short(item, q, warnings)
    elif isinstance(q, NumericQuestion):
        _numeric(item, q)
    elif isinstance(q, OrderingQuestion):
        _ordering(item, q, warnings)
    elif isinstance(q, MatchingQuestion):
        _matching(item, q)
    elif isinstance(q, ClozeQuestion):
        _cloze(item, q, warnings)
    else:
        raise TypeError(f"no QTI export for question type {q.type!r}")
    return item.element()


def test_element(quiz: Quiz, hrefs: Mapping[str, tuple[str, str]]) -> ET.Element:
    """Return the assessmentTest: the items, their draws, the quiz's rules."""
    root = _e(None, "assessmentTest", identifier=ident(quiz.id), title=quiz.title)
    root.set(f"{{{XSI}}}schemaLocation", f"{QTI} {QTI_XSD}")
    for name, base in (("SCORE", "float"), ("MAXSCORE", "float"), ("PASS", "boolean")):
        _e(
            root,
            "outcomeDeclaration",
            identifier=name,
            cardinality="single",
            baseType=base,
        )
    if quiz.time_limit:
        _e(root, "timeLimits", maxTime=str(quiz.time_limit * 60))
    part = _e(
        root,
        "testPart",
        identifier="part",
        navigationMode="nonlinear",
        # Practice mode gives feedback after each answer; test mode at the end.
        submissionMode="individual" if quiz.mode == "practice" else "simultaneous",
    )
    section = _e(
        part,
        "assessmentSection",
        identifier="questions",
        title=quiz.title,
        visible="true",
    )
    if quiz.draw and not quiz.pools:
        _e(section, "selection", select=str(quiz.draw))
    if quiz.shuffle:
        _e(section, "ordering", shuffle="true")
    draws = {p.quiz: p.draw for p in quiz.pools}
    for pool, questions in groups(quiz):
        target = section
        if quiz.pools:
            # One subsection per pool, so each draws its own number of questions.
            target = _e(
                section,
                "assessmentSection",
                identifier=ident(f"pool-{pool}" if pool else "own"),
                title=pool or quiz.title,
                visible="false",
            )
            if pool:
                _e(target, "selection", select=str(draws[pool]))
        for q in questions:
            identifier, href = hrefs[q.id]
            _e(target, "assessmentItemRef", identifier=identifier, href=href)
    op = _e(root, "outcomeProcessing")
    for name in ("SCORE", "MAXSCORE"):
        _e(_e(_set(op, name), "sum"), "testVariables", variableIdentifier=name)
    gte = _e(_set(op, "PASS"), "gte")
    _e(gte, "variable", identifier="SCORE")
    product = _e(gte, "product")
    _e(product, "variable", identifier="MAXSCORE")
    _base(product, "float", number(quiz.pass_mark / 100))
    return root


def manifest_element(
    quiz: Quiz, test_href: str, items: Sequence[tuple[str, str]]
) -> ET.Element:
    """Return imsmanifest.xml: the test resource depending on one resource per item."""

    def cp(
        parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str
    ) -> ET.Element:
        el = (
            ET.Element(tag, attrs)
            if parent is None
            else ET.SubElement(parent, tag, attrs)
        )
        if text is not None:
            el.text = text
        return el

    root = cp(None, "manifest", identifier=f"MANIFEST-{ident(quiz.id)}")
    root.set(f"{{{XSI}}}schemaLocation", f"{CP} {CP_XSD}")
    meta = cp(root, "metadata")
    cp(meta, "schema", "QTIv2.1 Package")
    cp(meta, "schemaversion", "1.0.0")
    cp(root, "organizations")
    resources = cp(root, "resources")
    test = cp(
        resources,
        "resource",
        identifier=f"TEST-{ident(quiz.id)}",
        type="imsqti_test_xmlv2p1",
        href=test_href,
    )
    cp(test, "file", href=test_href)
    for identifier, _ in items:
        cp(test, "dependency", identifierref=f"ITEM-{identifier}")
    for identifier, href in items:
        res = cp(
            resources,
            "resource",
            identifier=f"ITEM-{identifier}",
            type="imsqti_item_xmlv2p1",
            href=href,
        )
        cp(res, "file", href=href)
    return root


def _xml(root: ET.Element, namespace: str) -> bytes:
    ET.indent(root)
    # Tags are written unqualified under a default xmlns on the root: ElementTree's
    # own default_namespace option refuses unqualified attribute names.
    root.set("xmlns", namespace)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def export_qti(quiz: Quiz, lesson: Lesson | None = None) -> ExportResult:
    """Export a quiz as a QTI 2.1 content package (zip bytes)."""
    warnings = quiz_warnings(quiz, "QTI", settings=True)
    if quiz.stratify:
        warnings.append(
            "stratify is not kept: a QTI test draws its questions at random, "
            "without keeping the share of analysis questions"
        )
    files: list[tuple[str, bytes]] = []
    items: list[tuple[str, str]] = []
    for q in quiz.questions:
        identifier = ident(q.id)
        href = f"items/{identifier}.xml"
        files.append((href, _xml(item_element(q, quiz.language, warnings), QTI)))
        items.append((identifier, href))
    test_href = "test.xml"
    by_id = {q.id: item for q, item in zip(quiz.questions, items, strict=True)}
    files.insert(0, (test_href, _xml(test_element(quiz, by_id), QTI)))
    files.insert(
        0, ("imsmanifest.xml", _xml(manifest_element(quiz, test_href, items), CP))
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return ExportResult(
        data=buf.getvalue(), warnings=warnings, filename=f"{quiz.id}.qti.zip"
    )
