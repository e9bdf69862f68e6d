"""Export a quiz as GIFT, the plain-text question format Moodle imports.

Text fields are written in GIFT's `[html]` format so that Markdown emphasis and
characters such as `<` survive; answers Moodle compares as typed text (short
answers, matching options) stay plain. Every GIFT special character is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

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
    points_note,
    quiz_warnings,
    stimulus_html,
)

SPECIAL = "~=#{}:"
OTHER_GAP = "[\u2026]"  # how a multi-gap cloze shows the gaps asked elsewhere


def escape(text: str) -> str:
    """Escape GIFT's special characters ~ = # { } : and backslash; newlines as \\n."""
    out = text.replace("\\", "\\\\")
    for c in SPECIAL:
        out = out.replace(c, "\\" + c)
    return out.replace("\r", "").replace("\n", "\\n")


def _typed(text: str) -> str:
    """Escape an answer Moodle compares as typed: `*` is its wildcard."""
    return escape(text.replace("*", "\\*"))


def _weight(fraction: float) -> str:
    """Format a GIFT %weight% the way Moodle's own grade list spells it."""
    text = f"{fraction:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def question_html(q: Question, body: str | None = None) -> str:
    """Return a question's text as HTML: stimulus, prompt, hint (and a cloze body)."""
    prompt = inline_html(q.prompt)
    if isinstance(q, NumericQuestion) and q.unit:
        prompt += f' <span class="unit">({plain_html(q.unit)})</span>'
    if q.stimulus is None and q.hint is None and body is None:
        return prompt
    out = stimulus_html(q.stimulus) if q.stimulus else ""
    out += f"<p>{prompt}</p>"
    if q.hint:
        out += f'<p class="hint">{inline_html(q.hint)}</p>'
    if body is not None:
        out += f"<p>{body}</p>"
    return out


def _head(q: Question, name: str | None = None, html_text: str | None = None) -> str:
    text = question_html(q) if html_text is None else html_text
    return f"// {q.type}: {q.id}\n::{escape(name or q.id)}::[html]{escape(text)}"


def _general(q: Question) -> str:
    return f"\t####{escape(inline_html(q.explanation))}\n" if q.explanation else ""


def _feedback(text: str | None) -> str:
    return f"#{escape(inline_html(text))}" if text else ""


def _block(head: str, lines: Iterable[str], q: Question) -> str:
    body = "".join(f"\t{line}\n" for line in lines)
    return f"{head}{{\n{body}{_general(q)}}}\n"


def _single(q: SingleChoiceQuestion) -> str:
    lines = [
        ("=" if c.correct else "~")
        + escape(inline_html(c.text))
        + _feedback(c.feedback)
        for c in q.choices
    ]
    return _block(_head(q), lines, q)


def _multiple(q: MultipleChoiceQuestion, warnings: list[str]) -> str:
    right = sum(1 for c in q.choices if c.correct)
    share = 100 / right
    # One wrong pick cancels one right pick: exactly the `partial` rule. For
    # all_or_nothing a wrong pick cancels everything, the nearest Moodle has.
    wrong = -share if q.scoring == "partial" or right == 1 else -100.0
    if q.scoring == "all_or_nothing" and right > 1:
        warnings.append(
            f'question "{q.id}" (multiple_choice, all_or_nothing): Moodle has no '
            "all-or-nothing scoring, so each wrong choice is weighted -100 % (any "
            "wrong pick scores 0), but leaving out a right choice still earns "
            "partial credit"
        )
    lines = [
        f"~%{_weight(share if c.correct else wrong)}%"
        f"{escape(inline_html(c.text))}{_feedback(c.feedback)}"
        for c in q.choices
    ]
    return _block(_head(q), lines, q)


def _true_false(q: TrueFalseQuestion) -> str:
    # GIFT's first #feedback is the one shown to a wrong answer, as in our YAML.
    answer = "TRUE" if q.answer else "FALSE"
    general = f"####{escape(inline_html(q.explanation))}" if q.explanation else ""
    return f"{_head(q)}{{{answer}{_feedback(q.feedback)}{general}}}\n"


def _short(q: ShortAnswerQuestion, warnings: list[str]) -> str:
    if q.typos:
        warnings.append(
            f'question "{q.id}" (short_answer): Moodle has no typo tolerance, so '
            f"typos: {q.typos} is lost; only the listed forms are accepted "
            "(ignoring case)"
        )
    lines = [f"={_typed(a)}" for a in q.answers]
    lines += [f"=%0%{_typed(w.answer)}{_feedback(w.feedback)}" for w in q.wrong_answers]
    return _block(_head(q), lines, q)


def _numeric(q: NumericQuestion, warnings: list[str]) -> str:
    tolerance = absolute_tolerance(q)
    if q.tolerance_percent:
        warnings.append(
            f'question "{q.id}" (numeric): Moodle takes an absolute tolerance, so '
            f"{number(q.tolerance)} % of {number(q.answer)} is written as "
            f"{number(tolerance)}"
        )
    general = f"####{escape(inline_html(q.explanation))}" if q.explanation else ""
    return f"{_head(q)}{{#{number(q.answer)}:{number(tolerance)}{general}}}\n"


def _matching(q: MatchingQuestion, warnings: list[str]) -> str:
    if len(q.options) < 3:
        warnings.append(
            f'question "{q.id}" (matching): Moodle asks for at least 3 options in '
            "a matching question when it is edited; add an `extra` option"
        )
    # An empty left side is how Moodle itself writes an option that matches nothing.
    lines = [
        f"={escape(plain_html(left))} -> {escape(right)}" for left, right in q.pairs
    ]
    lines += [f"= -> {escape(opt)}" for opt in q.extra]
    return _block(_head(q), lines, q)


def _ordering(q: OrderingQuestion, warnings: list[str]) -> str:
    warnings.append(ordering_note(q, "GIFT"))
    lines = [
        f"={escape(plain_html(item))} -> {pos}"
        for item, pos in zip(q.items, ordinal_positions(len(q.items)), strict=True)
    ]
    return _block(_head(q), lines, q)


def _gap(answers: Iterable[str]) -> str:
    return "{" + " ".join(f"={_typed(a)}" for a in answers) + "}"


def _cloze(q: ClozeQuestion, warnings: list[str]) -> str:
    if q.typos:
        warnings.append(
            f'question "{q.id}" (cloze): Moodle has no typo tolerance, so typos: '
            f"{q.typos} is lost"
        )
    general = f"####{escape(inline_html(q.explanation))}" if q.explanation else ""
    if len(q.blanks) == 1:
        # Moodle's missing-word format: the text goes on after the answer braces.
        before, after = q.parts
        html_text = question_html(q, body=plain_html(before) + "\0")
        head, tail = escape(html_text).split("\0")
        gap = _gap(q.blanks[0].answers)[:-1] + general + "}"
        return (
            f"// {q.type}: {q.id}\n::{escape(q.id)}::[html]{head}{gap}"
            f"{escape(plain_html(after))}{tail}\n"
        )
    warnings.append(
        f'question "{q.id}" (cloze): GIFT allows one gap per question, so its '
        f"{len(q.blanks)} gaps become {len(q.blanks)} questions "
        f"{q.id}-gap1 to {q.id}-gap{len(q.blanks)}, each showing the other gaps as "
        f"{OTHER_GAP}; use Moodle XML to keep them in one question"
    )
    out = []
    for n in range(len(q.blanks)):
        before = "".join(
            plain_html(part) + (OTHER_GAP if i < n else "")
            for i, part in enumerate(q.parts[: n + 1])
        )
        after = "".join(
            (OTHER_GAP if i > 0 else "") + plain_html(part)
            for i, part in enumerate(q.parts[n + 1 :])
        )
        html_text = question_html(q, body=before + "\0")
        head, tail = escape(html_text).split("\0")
        gap = _gap(q.blanks[n].answers)[:-1] + general + "}"
        out.append(
            f"// {q.type}: {q.id} (gap {n + 1})\n::{escape(q.id)}-gap{n + 1}::[html]"
            f"{head}{gap}{escape(after)}{tail}\n"
        )
    return "\n".join(out)


def question_gift(q: Question, warnings: list[str]) -> str:
    """Return one question as GIFT, adding to `warnings` what had to change."""
    if isinstance(q, SingleChoiceQuestion):
        if not q.shuffle:
            warnings.append(
                f'question "{q.id}": GIFT cannot say "keep the choices in this '
                'order" (shuffle: false); turn shuffling off in the Moodle quiz'
            )
        return _single(q)
    if isinstance(q, MultipleChoiceQuestion):
        if not q.shuffle:
            warnings.append(
                f'question "{q.id}": GIFT cannot say "keep the choices in this '
                'order" (shuffle: false); turn shuffling off in the Moodle quiz'
            )
        return _multiple(q, warnings)
    if isinstance(q, TrueFalseQuestion):
        return _true_false(q)
    if isinstance(q, ShortAnswerQuestion):
        return _short(q, warnings)
    if isinstance(q, NumericQuestion):
        return _numeric(q, warnings)
    if isinstance(q, MatchingQuestion):
        return _matching(q, warnings)
    if isinstance(q, OrderingQuestion):
        return _ordering(q, warnings)
    if isinstance(q, ClozeQuestion):
        return _cloze(q, warnings)
    raise TypeError(f"no GIFT export for question type {q.type!r}")


def category_path(quiz: Quiz, pool: str | None = None) -> str:
    """Return the Moodle category for the quiz, or for one of its pools."""
    # Moodle separates categories with /, so a / inside a name is doubled.
    path = "$course$/top/" + quiz.title.replace("/", "//")
    return f"{path}/{pool}" if pool else path


def export_gift(quiz: Quiz, lesson: Lesson | None = None) -> ExportResult:
    """Export a quiz's questions as a GIFT file Moodle can import."""
    warnings = quiz_warnings(quiz, "GIFT")
    warnings += points_note(quiz.questions, "GIFT")
    skipped = [q.id for q in quiz.questions if q.see or q.skill or q.contested]
    if skipped:
        warnings.append(
            "GIFT has no place for see, skill or contested; they are left out for "
            + id_list(skipped)
        )
    text = (
        f"// {quiz.title}\n"
        f"// Exported from Interwar Lessons (quiz id: {quiz.id}).\n"
        "// Import it in Moodle: Question bank > Import > GIFT format.\n"
    )
    for pool, questions in groups(quiz):
        text += f"\n$CATEGORY: {category_path(quiz, pool)}\n\n"
        text += "\n".join(question_gift(q, warnings) for q in questions)
    return ExportResult(data=text, warnings=warnings, filename=f"{quiz.id}.gift.txt")
