"""ordering: put items in order; credit for the longest run in the right order."""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from marshmallow import ValidationError, fields, post_load, validates_schema

from webapp.content.domain import OrderingQuestion, Score
from webapp.content.fields import Text
from webapp.content.question_types._util import (
    common_public,
    deranged_order,
    duplicates,
    int_list,
    permutation,
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

MIN_ITEMS, MAX_ITEMS = 2, 8


class OrderingSchema(QuestionSchema):
    """YAML keys of an ordering question."""

    items = fields.List(Text(), required=True)

    @validates_schema(skip_on_field_errors=True)
    def check(self, data: dict[str, Any], **_: Any) -> None:
        """2 to 8 items, each listed once."""
        items = data["items"]
        if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
            raise ValidationError(
                f"list {MIN_ITEMS} to {MAX_ITEMS} items in the right order; "
                f"there are {len(items)}",
                "items",
            )
        dup = duplicates(items)
        if dup:
            raise ValidationError(
                {
                    "items": {
                        i: [f"item {i + 1} repeats item {first + 1}; list each once"]
                        for i, first in dup.items()
                    }
                }
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OrderingQuestion:
        """Build the domain object."""
        return OrderingQuestion(**self.base_kwargs(data), items=tuple(data["items"]))


def longest_increasing(seq: Sequence[int]) -> list[int]:
    """Return the positions in `seq` of one longest strictly increasing subsequence."""
    tails: list[int] = []  # tails[k]: seq value ending the best run of length k+1
    tail_at: list[int] = []  # its position in seq
    back: list[int] = [-1] * len(seq)
    for pos, value in enumerate(seq):
        k = bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_at.append(pos)
        else:
            tails[k] = value
            tail_at[k] = pos
        back[pos] = tail_at[k - 1] if k else -1
    out: list[int] = []
    pos = tail_at[-1] if tail_at else -1
    while pos != -1:
        out.append(pos)
        pos = back[pos]
    return out[::-1]


Answer = tuple[int, ...]


class Ordering(QuestionType[OrderingQuestion, Answer]):
    """Items in order; the answer lists canonical item indexes from first to last.

    Form keys are the displayed rows "0".."n-1"; values are positions "1".."n".
    """

    name = "ordering"
    schema = OrderingSchema

    def present(
        self, q: OrderingQuestion, rng: random.Random, shuffle: bool
    ) -> dict[str, list[int]]:
        """Always shuffle, never showing the right order (it would give it away)."""
        return {"items": deranged_order(rng, len(q.items))}

    def parse(
        self, q: OrderingQuestion, raw: Raw, presentation: Presentation, locale: str
    ) -> Answer:
        """Read one position per displayed row into the learner's order."""
        n = len(q.items)
        perm = permutation(presentation, "items", n)
        order: list[int | None] = [None] * n
        missing: list[int] = []
        for row in range(n):
            got = values(raw, str(row))
            if not got:
                missing.append(row + 1)
                continue
            if len(set(got)) > 1:
                raise InputError("choose_one", "Choose one position for each item.")
            value = got[0]
            if not (value.isascii() and value.isdigit() and len(value) <= 2):
                raise InputError(
                    "invalid_position", f"Choose a position from 1 to {n}.", n=n
                )
            pos = int(value)
            if not 1 <= pos <= n:
                raise InputError(
                    "invalid_position", f"Choose a position from 1 to {n}.", n=n
                )
            if order[pos - 1] is not None:
                raise InputError(
                    "duplicate_position",
                    f"Give each item a different position; {pos} is used twice.",
                    position=pos,
                )
            order[pos - 1] = perm[row]
        if len(missing) == n:
            raise InputError("empty", "Put the items in order.")
        if missing:
            raise InputError(
                "missing_position",
                "Choose a position for every item.",
                rows=missing,
            )
        return tuple(i for i in order if i is not None)

    def grade(self, q: OrderingQuestion, answer: Answer) -> Score:
        """(LIS - 1) / (n - 1): a reversed list scores 0, the right order full marks."""
        n = len(q.items)
        full = float(q.points)
        valid = sorted(answer) == list(range(n))
        run = longest_increasing(answer) if valid else []
        in_run = {answer[p] for p in run}
        share = (len(run) - 1) / (n - 1) if valid and n > 1 else 0.0
        points = min(full, max(0.0, share * full))
        return Score(points, full, (), tuple(i in in_run for i in range(n)))

    def public(
        self, q: OrderingQuestion, presentation: Presentation
    ) -> dict[str, JSON]:
        """Return the items in display order and the positions to choose from."""
        perm = permutation(presentation, "items", len(q.items))
        out = common_public(q)
        out["items"] = [
            {"name": str(row), "text": q.items[i]} for row, i in enumerate(perm)
        ]
        out["positions"] = [str(p) for p in range(1, len(q.items) + 1)]
        return out

    def dump_answer(self, answer: Answer) -> JSON:
        """Store the canonical indexes, first to last."""
        return list(answer)

    def load_answer(self, q: OrderingQuestion, data: JSON) -> Answer:
        """Return the stored order if it is still a permutation of the items."""
        n = len(q.items)
        order = int_list(data, n, n)
        if len(set(order)) != n:
            raise InputError("stale", "This stored answer no longer fits the question.")
        return order

    def key_text(self, q: OrderingQuestion) -> str:
        """Return the items in the right order."""
        return "; ".join(f"{k}. {t}" for k, t in enumerate(q.items, 1))

    def answer_text(self, q: OrderingQuestion, answer: Answer) -> str:
        """Return the items in the learner's order."""
        return "; ".join(
            f"{k}. {q.items[i]}"
            for k, i in enumerate(answer, 1)
            if 0 <= i < len(q.items)
        )

    def form_values(
        self,
        q: OrderingQuestion,
        answer: Answer,
        presentation: Presentation,
        locale: str = "en",
    ) -> dict[str, list[str]]:
        """Return each displayed row's position, "1".."n"."""
        perm = permutation(presentation, "items", len(q.items))
        where = {item: pos for pos, item in enumerate(answer, 1)}
        return {
            str(row): [str(where[i])] if i in where else []
            for row, i in enumerate(perm)
        }
