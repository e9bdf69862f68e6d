"""matching: each left-hand item matched to one option; the share of right pairs."""

from __future__ import annotations

import random
from typing import Any

from marshmallow import ValidationError, fields, post_load, validates_schema

from webapp.content.domain import MatchingQuestion, Score
from webapp.content.fields import Text
from webapp.content.question_types._util import (
    common_public,
    duplicates,
    fold_key,
    index,
    int_list,
    permutation,
    shuffled,
    values,
)
from webapp.content.question_types.base import (
    JSON,
    InputError,
    Presentation,
    QuestionSchema,
    QuestionType,
    Raw,
)

MIN_PAIRS, MAX_PAIRS = 2, 8


class Pairs(fields.Field[list[tuple[str, str]]]):
    """A YAML mapping `left: right`, kept in the order written."""

    _text = Text()

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> Any:
        if not isinstance(value, dict):
            raise ValidationError(
                "pairs is a mapping: write one pair per line as `left: right`, "
                "e.g. `Lipetsk: flying school`"
            )
        out: list[tuple[str, str]] = []
        errors: dict[Any, list[str]] = {}
        for left, right in value.items():
            try:
                lt = self._text.deserialize(left)
            except ValidationError as exc:
                errors[left] = [f"left side: {m}" for m in _flat(exc.messages)]
                continue
            try:
                rt = self._text.deserialize(right)
            except ValidationError as exc:
                errors[left] = [
                    f'right side of "{lt}": {m}' for m in _flat(exc.messages)
                ]
                continue
            if lt is not None and rt is not None:
                out.append((lt, rt))
        if errors:
            raise ValidationError(errors)
        return out


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    return [m for v in messages for m in _flat(v)]


class MatchingSchema(QuestionSchema):
    """YAML keys of a matching question."""

    pairs = Pairs(required=True)
    extra = fields.List(Text(), load_default=list)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """2 to 8 pairs, distinct left sides, extras that match nothing."""
        pairs = data["pairs"]
        if not MIN_PAIRS <= len(pairs) <= MAX_PAIRS:
            raise ValidationError(
                f"write {MIN_PAIRS} to {MAX_PAIRS} pairs; there are {len(pairs)}",
                "pairs",
            )
        lefts = [left for left, _ in pairs]
        dup = duplicates(lefts)
        if dup:
            i, first = next(iter(dup.items()))
            raise ValidationError(
                f'"{lefts[i]}" and "{lefts[first]}" are the same left side once case '
                "and accents are ignored; give each pair its own left side",
                "pairs",
            )
        rights = {fold_key(r) for _, r in pairs}
        errors: dict[int, list[str]] = {}
        for i, opt in enumerate(data["extra"]):
            if fold_key(opt) in rights:
                errors.setdefault(i, []).append(
                    f'"{opt}" is already the right side of a pair; an extra option '
                    "must match nothing"
                )
        for i, first in duplicates(data["extra"]).items():
            errors.setdefault(i, []).append(
                f"extra option {i + 1} repeats option {first + 1}; list it once"
            )
        if errors:
            raise ValidationError({"extra": errors})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> MatchingQuestion:
        """Build the domain object."""
        return MatchingQuestion(
            **self.base_kwargs(data),
            pairs=tuple(data["pairs"]),
            extra=tuple(data["extra"]),
        )


Answer = tuple[int, ...]


class Matching(QuestionType[MatchingQuestion, Answer]):
    """Matching; the answer gives, per canonical pair, an index into `q.options`.

    Form keys are the displayed rows "0".."n-1"; values are displayed options
    "0".."m-1". Options may be used more than once; every row needs a match.
    """

    name = "matching"
    schema = MatchingSchema

    def present(
        self, q: MatchingQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Shuffle the rows always; sort the options alphabetically (UI.md 4.6)."""
        options = q.options
        return {
            "rows": shuffled(rng, len(q.pairs)),
            "options": sorted(
                range(len(options)), key=lambda i: (fold_key(options[i]), options[i])
            ),
        }

    def parse(
        self, q: MatchingQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> Answer:
        """Read one displayed option per displayed row."""
        n, m = len(q.pairs), len(q.options)
        rows = permutation(presentation, "rows", n)
        opts = permutation(presentation, "options", m)
        answer: list[int] = [-1] * n
        missing: list[int] = []
        for row in range(n):
            got = values(raw, str(row))
            if not got:
                missing.append(row + 1)
                continue
            if len(set(got)) > 1:
                raise InputError("choose_one", "Choose one match for each item.")
            shown = index(
                got[0], m, "unknown_choice", "Choose one of the matches shown."
            )
            answer[rows[row]] = opts[shown]
        if len(missing) == n:
            raise InputError("empty", "Choose a match for each item.")
        if missing:
            raise InputError(
                "missing_match", "Choose a match for every item.", rows=missing
            )
        return tuple(answer)

    def grade(self, q: MatchingQuestion, answer: Answer) -> Score:
        """The share of right pairs, scaled by points."""
        options = q.options
        detail = tuple(
            i < len(answer)
            and 0 <= answer[i] < len(options)
            and options[answer[i]] == right
            for i, (_, right) in enumerate(q.pairs)
        )
        full = float(q.points)
        points = min(full, full * sum(detail) / len(q.pairs)) if q.pairs else 0.0
        return Score(points, full, (), detail)

    def public(
        self, q: MatchingQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the rows in display order and the options, sorted."""
        options = q.options
        rows = permutation(presentation, "rows", len(q.pairs))
        opts = permutation(presentation, "options", len(options))
        out = common_public(q)
        out["rows"] = [
            {"name": str(r), "text": q.pairs[i][0]} for r, i in enumerate(rows)
        ]
        out["options"] = [
            {"value": str(d), "text": options[i]} for d, i in enumerate(opts)
        ]
        return out

    def dump_answer(self, answer: Answer) -> JSON:
        """Store the option index per pair."""
        return list(answer)

    def load_answer(self, q: MatchingQuestion, data: JSON) -> Answer:
        """Return the stored matches if they still fit."""
        return int_list(data, len(q.pairs), len(q.options))

    def key_text(self, q: MatchingQuestion) -> str:
        """Return every pair, e.g. "Lipetsk → aircraft"."""
        return "; ".join(f"{left} → {right}" for left, right in q.pairs)

    def answer_text(self, q: MatchingQuestion, answer: Answer) -> str:
        """Return the learner's pairs."""
        options = q.options
        return "; ".join(
            f"{left} → {options[a] if 0 <= a < len(options) else '?'}"
            for (left, _), a in zip(q.pairs, answer, strict=False)
        )

    def form_values(
        self,
        q: MatchingQuestion,
        answer: Answer,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return each displayed row's displayed option."""
        rows = permutation(presentation, "rows", len(q.pairs))
        opts = permutation(presentation, "options", len(q.options))
        out: dict[str, list[str]] = {}
        for r, i in enumerate(rows):
            a = answer[i] if i < len(answer) else -1
            out[str(r)] = [str(opts.index(a))] if a in opts else []
        return out
