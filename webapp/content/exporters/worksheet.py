"""Export a quiz as a printable worksheet: a student copy and a separate answer key.

One self-contained HTML file with its own CSS (no links, no scripts), so it prints
the same from a USB stick or an e-mail attachment. Choices keep the author's order;
ordering items and matching options are printed in a fixed scrambled order, since
the author's order is the answer.
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
    inline_html,
    labels,
    number,
    plain_html,
    scrambled,
    section_title,
    stimulus_html,
)

PARTS = ("both", "student", "key")
LETTERS = "abcdefghijklmnopqrstuvwxyz"

CSS = """
:root { color: #0b0c0c; background: #fff; }
body { font: 12pt/1.45 system-ui, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue",
  Arial, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: 0 0 .5rem; }
.who { display: flex; gap: 1.5rem; margin: 1rem 0 1.5rem; }
.who span { flex: 1; border-bottom: 1px solid #0b0c0c; padding-top: 1.2rem; }
ol.questions { padding-left: 1.6rem; }
ol.questions > li { margin: 0 0 1.6rem; break-inside: avoid; }
.prompt { font-weight: 700; margin: 0 0 .4rem; }
.points { font-weight: 400; color: #505a5f; white-space: nowrap; }
.hint, .instruction { color: #505a5f; margin: 0 0 .4rem; }
blockquote { margin: 0 0 .6rem; padding: .2rem 0 .2rem 1rem;
  border-left: 4px solid #b1b4b6; }
blockquote p { margin: 0 0 .2rem; }
ul.boxes { list-style: none; padding: 0; margin: 0; }
ul.boxes li { margin: .35rem 0; display: flex; gap: .6rem; align-items: baseline; }
.box { flex: none; display: inline-block; width: .95em; height: .95em;
  border: 1.5px solid #0b0c0c; }
.line { display: inline-block; border-bottom: 1px solid #0b0c0c; height: 2rem;
  width: min(24rem, 80%); vertical-align: bottom; }
.unit { margin-left: .4rem; }
.gap { display: inline-block; min-width: 7rem; border-bottom: 1px solid #0b0c0c; }
.cloze { line-height: 2.2; }
table { border-collapse: collapse; margin: .3rem 0; }
th, td { border: 1px solid #0b0c0c; padding: .35rem .6rem; text-align: left;
  vertical-align: top; }
td.blank { min-width: 4.5rem; }
ol.options { list-style: upper-alpha; margin: .3rem 0; }
.key ol.questions > li { margin-bottom: 1rem; }
.answer { margin: 0 0 .25rem; }
.why, .see { margin: 0 0 .25rem; color: #0b0c0c; }
.label { font-weight: 700; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  .key { break-before: page; }
}
"""


def _points(q: Question, words: dict[str, str]) -> str:
    text = words["point"] if q.points == 1 else words["points"].format(n=q.points)
    return f' <span class="points">({text})</span>'


def _intro(q: Question, words: dict[str, str]) -> str:
    out = stimulus_html(q.stimulus) if q.stimulus else ""
    out += f'<p class="prompt">{inline_html(q.prompt)}{_points(q, words)}</p>'
    if q.hint:
        out += f'<p class="hint">{inline_html(q.hint)}</p>'
    return out


def _boxes(texts: Iterable[str]) -> str:
    items = "".join(
        f'<li><span class="box"></span><span>{LETTERS[i]}) {t}</span></li>'
        for i, t in enumerate(texts)
    )
    return f'<ul class="boxes">{items}</ul>'


def _line(unit: str | None = None) -> str:
    after = f'<span class="unit">{plain_html(unit)}</span>' if unit else ""
    return f'<p><span class="line"></span>{after}</p>'


def _student(q: Question, words: dict[str, str]) -> str:
    out = _intro(q, words)
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        key = "choose_one" if isinstance(q, SingleChoiceQuestion) else "choose_all"
        out += f'<p class="instruction">{words[key]}</p>'
        out += _boxes(inline_html(c.text) for c in q.choices)
    elif isinstance(q, TrueFalseQuestion):
        out += f'<p class="instruction">{words["choose_one"]}</p>'
        out += _boxes([words["true"], words["false"]])
    elif isinstance(q, ShortAnswerQuestion):
        out += _line()
    elif isinstance(q, NumericQuestion):
        out += _line(q.unit)
    elif isinstance(q, OrderingQuestion):
        out += f'<p class="instruction">{words["order"].format(n=len(q.items))}</p>'
        rows = "".join(
            f'<tr><td>{plain_html(q.items[i])}</td><td class="blank"></td></tr>'
            for i in scrambled(q.items)
        )
        out += (
            f"<table><thead><tr><th>{words['item']}</th><th>{words['position']}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    elif isinstance(q, MatchingQuestion):
        out += f'<p class="instruction">{words["match"]}</p>'
        rows = "".join(
            f'<tr><td>{plain_html(left)}</td><td class="blank"></td></tr>'
            for left, _ in q.pairs
        )
        options = list(q.options)
        opts = "".join(f"<li>{plain_html(options[i])}</li>" for i in scrambled(options))
        out += (
            f"<table><thead><tr><th>{words['item']}</th><th>{words['letter']}</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="instruction">{words["options"]}:</p>'
            f'<ol class="options">{opts}</ol>'
        )
    elif isinstance(q, ClozeQuestion):
        out += f'<p class="instruction">{words["cloze"]}</p>'
        body = plain_html(q.parts[0])
        for n, part in enumerate(q.parts[1:], 1):
            body += f'({n})\u00a0<span class="gap"></span>' + plain_html(part)
        out += f'<p class="cloze">{body}</p>'
    else:
        raise TypeError(f"no worksheet layout for question type {q.type!r}")
    return out


def _forms(answers: tuple[str, ...], words: dict[str, str]) -> str:
    first = f"<strong>{plain_html(answers[0])}</strong>"
    if len(answers) == 1:
        return first
    rest = ", ".join(plain_html(a) for a in answers[1:])
    return f"{first} ({words['also']}: {rest})"


def key_html(q: Question, words: dict[str, str]) -> str:
    """Return the right answer of one question as HTML, for the answer key."""
    if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
        return "; ".join(
            f"{LETTERS[i]}) <strong>{inline_html(c.text)}</strong>"
            for i, c in enumerate(q.choices)
            if c.correct
        )
    if isinstance(q, TrueFalseQuestion):
        return f"<strong>{words['true' if q.answer else 'false']}</strong>"
    if isinstance(q, ShortAnswerQuestion):
        out = _forms(q.answers, words)
        if q.typos:
            out += f" \u2014 {words['typos'].format(n=q.typos)}"
        return out
    if isinstance(q, NumericQuestion):
        out = f"<strong>{number(q.answer)}</strong>"
        if q.unit:
            out += f" {plain_html(q.unit)}"
        if q.tolerance:
            tol = "\u00b1" + number(q.tolerance) + (" %" if q.tolerance_percent else "")
            out += f" ({words['tolerance'].format(t=tol)})"
        return out
    if isinstance(q, OrderingQuestion):
        shown = scrambled(q.items)
        items = "".join(f"<li>{plain_html(item)}</li>" for item in q.items)
        positions = ", ".join(f"{plain_html(q.items[i])}: {i + 1}" for i in shown)
        return f"<ol>{items}</ol><p>{positions}</p>"
    if isinstance(q, MatchingQuestion):
        options = list(q.options)
        letter = {
            options[i]: LETTERS[n].upper() for n, i in enumerate(scrambled(options))
        }
        rows = "".join(
            f"<li>{plain_html(left)} \u2192 <strong>{letter[right]}</strong> "
            f"{plain_html(right)}</li>"
            for left, right in q.pairs
        )
        return f"<ul>{rows}</ul>"
    if isinstance(q, ClozeQuestion):
        gaps = "; ".join(
            f"({n}) {_forms(b.answers, words)}" for n, b in enumerate(q.blanks, 1)
        )
        if q.typos:
            gaps += f" \u2014 {words['typos'].format(n=q.typos)}"
        return gaps
    raise TypeError(f"no answer key for question type {q.type!r}")


def _key(q: Question, lesson: Lesson | None, words: dict[str, str]) -> str:
    out = f'<p class="prompt">{inline_html(q.prompt)}{_points(q, words)}</p>'
    out += f'<div class="answer">{key_html(q, words)}</div>'
    if q.explanation:
        out += (
            f'<p class="why"><span class="label">{words["explanation"]}:</span> '
            f"{inline_html(q.explanation)}</p>"
        )
    title = section_title(q, lesson)
    if title:
        where = plain_html(title)
        if lesson is not None:
            where += f" ({plain_html(lesson.title)})"
        out += f'<p class="see"><span class="label">{words["see"]}:</span> {where}</p>'
    return out


def _page(title: str, language: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{plain_html(language)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{plain_html(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def export_worksheet(
    quiz: Quiz, lesson: Lesson | None = None, part: str = "both"
) -> ExportResult:
    """Export a printable worksheet: `part` is "student", "key" or "both"."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}; got {part!r}")
    words = labels(quiz.language)
    warnings = []
    if quiz.draw or quiz.pools:
        draws = [f"{p.draw} from {p.quiz}" for p in quiz.pools]
        if quiz.draw:
            draws.insert(0, str(quiz.draw))
        warnings.append(
            f"the worksheet prints all {len(quiz.questions)} questions, not a draw "
            f"of {', '.join(draws)}"
        )
    title = plain_html(quiz.title)
    sections = []
    if part in ("both", "student"):
        who = "".join(f"<span>{words[k]}:</span>" for k in ("name", "class", "date"))
        intro = f"<p>{inline_html(quiz.description)}</p>" if quiz.description else ""
        items = "".join(
            f'<li id="q-{q.id}">{_student(q, words)}</li>' for q in quiz.questions
        )
        sections.append(
            f'<section class="student"><h1>{title}</h1><p class="who">{who}</p>'
            f'{intro}<ol class="questions">{items}</ol></section>'
        )
    if part in ("both", "key"):
        items = "".join(
            f'<li id="key-{q.id}">{_key(q, lesson, words)}</li>' for q in quiz.questions
        )
        heading = plain_html(words["for"].format(title=quiz.title))
        sections.append(
            f'<section class="key"><h1>{heading}</h1>'
            f'<ol class="questions">{items}</ol></section>'
        )
    page_title = quiz.title if part != "key" else words["for"].format(title=quiz.title)
    name = {"both": "worksheet", "student": "student", "key": "key"}[part]
    return ExportResult(
        data=_page(page_title, quiz.language, "\n".join(sections)),
        warnings=warnings,
        filename=f"{quiz.id}.{name}.html",
    )
