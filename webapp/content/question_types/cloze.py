"""cloze: text with gaps written {{answer}} or {{a|b}}; the share of right gaps."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import ValidationError, post_load, validates_schema

from webapp.content.domain import ClozeBlank, ClozeQuestion, Score
from webapp.content.fields import StrictInteger, Text
from webapp.content.question_types._text import matches, normalize
from webapp.content.question_types._util import MAX_TEXT, common_public, values
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)
from webapp.content.question_types.short_answer import check_typos


def split_gaps(text: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Split cloze text into text parts and gap alternatives; ValueError in words."""
    parts: list[str] = []
    gaps: list[tuple[str, ...]] = []
    rest = text
    while True:
        start = rest.find("{{")
        stray = rest.find("}}")
        if stray != -1 and (start == -1 or stray < start):
            raise ValueError(
                f'"}}}}" after "{_around(rest, stray)}" closes no gap; '
                "open each gap with {{"
            )
        if start == -1:
            parts.append(rest)
            break
        end = rest.find("}}", start + 2)
        inner_open = rest.find("{{", start + 2)
        if end == -1:
            raise ValueError(
                f'the gap starting "{_around(rest, start, after=True)}" is not closed; '
                "end it with }}"
            )
        if inner_open != -1 and inner_open < end:
            raise ValueError(
                f'a gap starts inside the gap "{_around(rest, start, after=True)}"; '
                "close each gap with }} before the next {{"
            )
        parts.append(rest[:start])
        number = len(gaps) + 1
        alternatives = tuple(a.strip() for a in rest[start + 2 : end].split("|"))
        if not any(alternatives):
            raise ValueError(
                f"gap {number} is empty; write the answer inside, e.g. {{{{Moscow}}}}"
            )
        if not all(alternatives):
            raise ValueError(
                f"gap {number} has an empty alternative; write {{{{a|b}}}} with "
                "text on both sides of each |"
            )
        for a in alternatives:
            if not normalize(a):
                raise ValueError(
                    f'gap {number}: "{a}" is only punctuation, which is ignored when '
                    "answers are compared; write the word"
                )
        gaps.append(alternatives)
        rest = rest[end + 2 :]
    for p in parts:
        if "{" in p or "}" in p:
            raise ValueError(
                "a single { or } is not allowed; write gaps as {{answer}} and "
                "remove other braces"
            )
    if not gaps:
        raise ValueError(
            "the text has no gaps; write each gap as {{answer}} or {{answer|variant}}"
        )
    return tuple(parts), tuple(gaps)


def _around(text: str, at: int, after: bool = False) -> str:
    return text[at : at + 20] if after else text[max(0, at - 20) : at]


class ClozeSchema(QuestionSchema):
    """YAML keys of a cloze question."""

    text = Text(required=True)
    typos = StrictInteger(load_default=0, validate=check_typos)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """One or more well-formed gaps."""
        try:
            split_gaps(data["text"])
        except ValueError as exc:
            raise ValidationError(str(exc), "text") from None

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> ClozeQuestion:
        """Build the domain object."""
        parts, gaps = split_gaps(data["text"])
        return ClozeQuestion(
            **self.base_kwargs(data),
            text=data["text"],
            parts=parts,
            blanks=tuple(ClozeBlank(answers=g) for g in gaps),
            typos=data["typos"],
        )


Answer = tuple[str, ...]


class Cloze(QuestionType[ClozeQuestion, Answer]):
    """Gaps in a text; the answer is the typed text per gap ("" for a blank gap).

    Form keys are the gaps "0".."n-1". Some gaps may be left blank (they score
    nothing); all blank is an "empty" answer.
    """

    name = "cloze"
    schema = ClozeSchema

    def present(
        self, q: ClozeQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Nothing to shuffle."""
        return {}

    def parse(
        self, q: ClozeQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> Answer:
        """Read the typed text of every gap."""
        out: list[str] = []
        for g in range(len(q.blanks)):
            got = values(raw, str(g))
            if len(set(got)) > 1:
                raise InputError("choose_one", "Type one answer in each gap.")
            text = got[0] if got else ""
            if len(text) > MAX_TEXT:
                raise InputError(
                    "too_long",
                    f"Answers are at most {MAX_TEXT} characters.",
                    limit=MAX_TEXT,
                )
            out.append(text)
        if not any(normalize(t) for t in out):
            raise InputError("empty", "Type an answer in at least one gap.")
        return tuple(out)

    def grade(self, q: ClozeQuestion, answer: Answer) -> Score:
        """The share of gaps that match one of their accepted forms."""
        detail = tuple(
            g < len(answer) and any(matches(answer[g], a, q.typos) for a in b.answers)
            for g, b in enumerate(q.blanks)
        )
        full = float(q.points)
        points = min(full, full * sum(detail) / len(q.blanks)) if q.blanks else 0.0
        return Score(points, full, (), detail)

    def public(self, q: ClozeQuestion, presentation: Presentation) -> dict[str, JSON]:
        """Return the text around the gaps and the gap names; never gap lengths."""
        out = common_public(q)
        out["parts"] = list(q.parts)
        out["gaps"] = [{"name": str(g)} for g in range(len(q.blanks))]
        return out

    def dump_answer(self, answer: Answer) -> JSON:
        """Store the typed text per gap."""
        return list(answer)

    def load_answer(self, q: ClozeQuestion, data: JSON) -> Answer:
        """Return the stored texts if the number of gaps still fits."""
        if (
            not isinstance(data, list)
            or len(data) != len(q.blanks)
            or not all(isinstance(t, str) for t in data)
        ):
            raise InputError("stale", "This stored answer no longer fits the question.")
        return tuple(data)

    def key_text(self, q: ClozeQuestion) -> str:
        """Return the text with the first accepted form in each gap, in [brackets]."""
        return _fill(q, [b.answers[0] for b in q.blanks])

    def answer_text(self, q: ClozeQuestion, answer: Answer) -> str:
        """Return the text with the learner's words in the gaps."""
        return _fill(
            q, [answer[g] if g < len(answer) else "" for g in range(len(q.blanks))]
        )

    def form_values(
        self,
        q: ClozeQuestion,
        answer: Answer,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return the typed text per gap."""
        return {str(g): [t] if t else [] for g, t in enumerate(answer)}


def _fill(q: ClozeQuestion, words: list[str]) -> str:
    out = [q.parts[0]] if q.parts else []
    for g, word in enumerate(words):
        out.append(f"[{word or '…'}]")
        if g + 1 < len(q.parts):
            out.append(q.parts[g + 1])
    return "".join(out)
