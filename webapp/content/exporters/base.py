"""What every exporter shares: the result type and small text helpers."""

from __future__ import annotations

import html
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from webapp.content.domain import (
    Lesson,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    Quote,
)
from webapp.content.markdown import render_inline


@dataclass(frozen=True, slots=True)
class ExportResult:
    """An exported file: its bytes or text, what changed on the way, a file name."""

    data: bytes | str
    warnings: list[str] = field(default_factory=list)
    filename: str = ""


def inline_html(text: str) -> str:
    """Render a teacher's inline Markdown (prompts, choices, feedback) to HTML."""
    return render_inline(text).strip()


def plain_html(text: str) -> str:
    """Escape plain text (answers, items) for HTML, keeping line breaks."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def stimulus_html(quote: Quote) -> str:
    """Return the stimulus as an HTML blockquote: the excerpt, then who wrote it."""
    return (
        f"<blockquote><p>{inline_html(quote.text)}</p>"
        f"<p>\u2014 {plain_html(quote.by)}</p></blockquote>"
    )


def number(x: float) -> str:
    """Format a number without a trailing .0 and without float noise."""
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e16:
        return str(int(x))
    return f"{x:.15g}"


def absolute_tolerance(q: NumericQuestion) -> float:
    """Return the tolerance as an absolute amount (percent of the answer if so)."""
    if q.tolerance_percent:
        return abs(q.answer) * q.tolerance / 100
    return q.tolerance


def scrambled(items: Sequence[str]) -> list[int]:
    """Return a fixed print order that never gives the answer away.

    Alphabetical (so the same every time), rotated by one when that happens to be
    the author's own (correct) order.
    """
    order = sorted(range(len(items)), key=lambda i: (items[i].casefold(), i))
    if len(order) > 1 and order == list(range(len(items))):
        order = order[1:] + order[:1]
    return order


def section_title(q: Question, lesson: Lesson | None) -> str | None:
    """Return the title of the lesson section a question's `see` points to."""
    if not q.see:
        return None
    if lesson is not None:
        sec = lesson.section(q.see)
        if sec is not None:
            return sec.title
    return q.see


def id_list(ids: Sequence[str], limit: int = 6) -> str:
    """Return ids for a warning: all of a few, or the first ones and a count."""
    if len(ids) <= limit:
        return ", ".join(ids)
    return f"{', '.join(ids[:limit])} and {len(ids) - limit} more"


def groups(quiz: Quiz) -> list[tuple[str | None, list[Question]]]:
    """Split a quiz's questions: its own first, then those of each pool in order."""
    own = [q for q in quiz.questions if q.pool is None]
    out: list[tuple[str | None, list[Question]]] = [(None, own)] if own else []
    for pool in quiz.pools:
        out.append((pool.quiz, [q for q in quiz.questions if q.pool == pool.quiz]))
    return out


def quiz_warnings(quiz: Quiz, target: str, settings: bool = False) -> list[str]:
    """Warn about quiz settings (draws, time limit) a question bank cannot carry."""
    if settings:
        return []
    out: list[str] = []
    if quiz.pools:
        draws = ", ".join(f"{p.draw} from {p.quiz}" for p in quiz.pools)
        out.append(
            f"{target} holds every question of the pools, one category per pool; "
            f"the draws ({draws}) are quiz settings: in the Moodle quiz, add that "
            "many random questions from each category"
        )
    lost = []
    if quiz.draw:
        lost.append(f"draw {quiz.draw} questions")
    if quiz.time_limit:
        lost.append(f"time limit {quiz.time_limit} minutes")
    if lost:
        out.append(
            f"{target} carries questions, not quiz settings: set "
            f"{', '.join(lost)} and the pass mark ({quiz.pass_mark} %) in the "
            "quiz itself"
        )
    return out


def ordering_note(q: OrderingQuestion, target: str) -> str:
    """Say how an ordering question changes when it becomes a matching question."""
    return (
        f'question "{q.id}" (ordering): Moodle has an ordering type only from '
        f"version 4.4, so the {target} file has it as matching: each item is "
        f"matched to its position 1 to {len(q.items)}, and each right position "
        "earns its share instead of the longest run in the right order"
    )


def points_note(questions: Sequence[Question], target: str) -> list[str]:
    """Warn that per-question points are lost where a format has no marks."""
    ids = [q.id for q in questions if q.points != 1]
    if not ids:
        return []
    return [
        f"{target} has no marks per question; set them in the Moodle quiz for "
        f"the questions worth more than 1 point: {id_list(ids)}"
    ]


def ordinal_positions(n: int) -> list[str]:
    """Return the position labels "1", "2", ... used for ordering as matching."""
    return [str(i) for i in range(1, n + 1)]


VOID_TAGS = frozenset({"br", "hr", "img"})


class _Builder(HTMLParser):
    """Rebuild sanitized HTML as ElementTree children (XML needs <br/>, not <br>)."""

    def __init__(self, parent: ET.Element, ns: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ns = ns
        self.stack = [parent]
        self.last: ET.Element | None = None  # the element whose tail takes text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = ET.SubElement(
            self.stack[-1], self.ns + tag, {k: v or "" for k, v in attrs}
        )
        self.last = None
        if tag in VOID_TAGS:
            self.last = el
        else:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or len(self.stack) == 1:
            return
        self.last = self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.last is not None:
            self.last.tail = (self.last.tail or "") + data
        else:
            top = self.stack[-1]
            if len(top):
                top[-1].tail = (top[-1].tail or "") + data
            else:
                top.text = (top.text or "") + data


def append_html(parent: ET.Element, fragment: str, ns: str = "") -> ET.Element:
    """Append an HTML fragment's nodes to `parent` as elements in namespace `ns`."""
    builder = _Builder(parent, f"{{{ns}}}" if ns else "")
    builder.feed(fragment)
    builder.close()
    return parent


LABELS: dict[str, dict[str, str]] = {
    "en": {
        "true": "True",
        "false": "False",
        "name": "Name",
        "date": "Date",
        "class": "Class",
        "key": "Answer key",
        "choose_one": "Tick one box.",
        "choose_all": "Tick every box that applies.",
        "order": "Number the items from 1 (first) to {n}.",
        "match": "Write the letter of the matching option next to each item.",
        "cloze": "Fill in each gap.",
        "item": "Item",
        "position": "Position",
        "letter": "Letter",
        "options": "Options",
        "explanation": "Why",
        "see": "See",
        "question": "Question",
        "answer": "Answer",
        "points": "{n} points",
        "point": "1 point",
        "unit": "unit",
        "tolerance": "within {t}",
        "also": "also accepted",
        "typos": "{n} typing mistake(s) allowed",
        "for": "{title}: answer key",
    },
    "de": {
        "true": "Wahr",
        "false": "Falsch",
        "name": "Name",
        "date": "Datum",
        "class": "Klasse",
        "key": "Lösungen",
        "choose_one": "Kreuze ein Kästchen an.",
        "choose_all": "Kreuze alle zutreffenden Kästchen an.",
        "order": "Nummeriere die Einträge von 1 (zuerst) bis {n}.",
        "match": "Schreibe zu jedem Eintrag den Buchstaben der passenden Option.",
        "cloze": "Fülle jede Lücke aus.",
        "item": "Eintrag",
        "position": "Platz",
        "letter": "Buchstabe",
        "options": "Optionen",
        "explanation": "Begründung",
        "see": "Siehe",
        "question": "Frage",
        "answer": "Antwort",
        "points": "{n} Punkte",
        "point": "1 Punkt",
        "unit": "Einheit",
        "tolerance": "Toleranz {t}",
        "also": "auch richtig",
        "typos": "{n} Tippfehler erlaubt",
        "for": "{title}: Lösungen",
    },
    "ru": {
        "true": "Верно",
        "false": "Неверно",
        "name": "Имя",
        "date": "Дата",
        "class": "Класс",
        "key": "Ответы",
        "choose_one": "Отметьте один вариант.",
        "choose_all": "Отметьте все подходящие варианты.",
        "order": "Пронумеруйте пункты от 1 (первый) до {n}.",
        "match": "Напишите рядом с каждым пунктом букву подходящего варианта.",
        "cloze": "Заполните пропуски.",
        "item": "Пункт",
        "position": "Место",
        "letter": "Буква",
        "options": "Варианты",
        "explanation": "Пояснение",
        "see": "См.",
        "question": "Вопрос",
        "answer": "Ответ",
        "points": "баллов: {n}",
        "point": "1 балл",
        "unit": "единица",
        "tolerance": "допуск {t}",
        "also": "также принимается",
        "typos": "допустимо опечаток: {n}",
        "for": "{title}: ответы",
    },
}


def labels(language: str) -> dict[str, str]:
    """Return the fixed words of exported files in the quiz's language."""
    return LABELS.get(language.split("-")[0].lower(), LABELS["en"])
