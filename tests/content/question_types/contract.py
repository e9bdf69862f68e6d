"""Properties every question type must keep, checked by each type's test module."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from webapp.content.question_types import REGISTRY, InputError

LOCALES = ("en", "de", "ru", "fr", "en_GB", "xx-invalid", "")

# Arbitrary form input: keys a form may send plus noise; lists or bare strings.
raw_keys = st.one_of(
    st.sampled_from(["value", "0", "1", "2", "3", "7", "-1", "00", "x"]), st.text()
)
raw_values = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "2",
            "3",
            "4",
            "9",
            "-1",
            "1.5",
            "1,5",
            " ",
            "",
            "true",
            "false",
            "NaN",
            "inf",
            "1e5",
            "०",
            "٣",
            "１",
        ]
    ),
    st.text(max_size=30),
)
raw_forms = st.dictionaries(
    raw_keys, st.one_of(raw_values, st.lists(raw_values, max_size=4)), max_size=6
)


def present(q: Any, seed: int, shuffle: bool = True) -> dict[str, list[int]]:
    """Return the presentation drawn from `seed`."""
    return REGISTRY[q.type].present(q, random.Random(seed), shuffle)


def check_parse_total(q: Any, raw: Any, seed: int, locale: str) -> None:
    """parse either returns an answer that grades in range, or raises InputError."""
    t = REGISTRY[q.type]
    pres = present(q, seed)
    try:
        answer = t.parse(q, raw, pres, locale)
    except InputError as exc:
        error = exc
    else:
        check_answer(q, answer, seed, seed + 1, locale)
        return
    assert error.code
    assert error.message


def check_answer(q: Any, answer: Any, seed1: int, seed2: int, locale: str) -> None:
    """Bounds, round trips and shuffle invariance for one canonical answer."""
    t = REGISTRY[q.type]
    score = t.grade(q, answer)
    assert 0.0 <= score.points <= q.points
    assert score.max_points == q.points
    assert all(isinstance(f, str) and f for f in score.feedback)
    for seed in (seed1, seed2):
        pres = present(q, seed)
        form = t.form_values(q, answer, pres, locale)
        again = t.parse(q, form, pres, locale)
        assert again == answer
        assert t.grade(q, again) == score
    stored = json.loads(json.dumps(t.dump_answer(answer)))
    assert t.load_answer(q, stored) == answer
    assert isinstance(t.answer_text(q, answer), str)


def check_key(q: Any, key: Any, seed: int, locale: str = "en") -> None:
    """The key, entered through the form in any presentation, gets full marks."""
    t = REGISTRY[q.type]
    pres = present(q, seed)
    answer = t.parse(q, t.form_values(q, key, pres, locale), pres, locale)
    score = t.grade(q, answer)
    assert score.points == q.points
    assert score.correct
    assert all(score.detail)
    assert t.key_text(q)


def check_public(q: Any, seed: int, secrets: list[str]) -> None:
    """public() is JSON and holds no key flag, feedback, explanation or answer."""
    t = REGISTRY[q.type]
    dumped = json.dumps(t.public(q, present(q, seed)), ensure_ascii=False)
    for word in ("correct", "feedback", "explanation", "answer"):
        assert f'"{word}' not in dumped
    for secret in secrets:
        assert secret not in dumped, secret


def check_shuffled_same_score(q: Any, answer: Any, seeds: list[int]) -> None:
    """One canonical answer entered under several presentations scores the same."""
    t = REGISTRY[q.type]
    scores = set()
    for seed in seeds:
        pres = present(q, seed)
        parsed = t.parse(q, t.form_values(q, answer, pres), pres, "en")
        scores.add(t.grade(q, parsed))
    assert len(scores) == 1


PROP = settings(max_examples=60, deadline=None)

# Distinct words for generated content; markers make leaks easy to spot.
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)


def marker(kind: str, i: int) -> str:
    """Return a text that appears nowhere unless leaked, e.g. "Zfeedback3q"."""
    return f"Z{kind}{i}q"
