"""Import a GIFT question bank (Moodle's plain-text format) as a quiz YAML file.

The parser follows Moodle's own reading of GIFT (question/format/gift/format.php):
questions are separated by blank lines, the answers sit between the first { and the
first }, a text after the } makes a missing-word question, and \\~ \\= \\# \\{ \\} \\:
\\n \\\\ are escapes. Each converted question is validated with the schema of its
type, so what is written passes `interwar check`; what cannot be converted is
reported with its line, never dropped silently.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import yaml
from marshmallow import ValidationError

from webapp.content.question_types._text import normalize
from webapp.content.schemas import type_schema

# Private-use characters stand in for escaped characters while parsing.
_ESCAPES = {
    "\\\\": "\ue000",
    "\\:": "\ue001",
    "\\#": "\ue002",
    "\\=": "\ue003",
    "\\{": "\ue004",
    "\\}": "\ue005",
    "\\~": "\ue006",
    "\\n": "\ue007",
}
_RESTORE = {
    "\ue000": "\\",
    "\ue001": ":",
    "\ue002": "#",
    "\ue003": "=",
    "\ue004": "{",
    "\ue005": "}",
    "\ue006": "~",
    "\ue007": "\n",
}
_GAP = "\ue0ff"  # where a missing-word question's answer braces were
_WEIGHT = re.compile(r"^%(-?[0-9]{1,3}(?:\.[0-9]*)?)%")
_FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_STIMULUS = re.compile(r"^\s*<blockquote>(.*?)</blockquote>", re.DOTALL | re.IGNORECASE)
_PARA = re.compile(r"<p>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_HINT = re.compile(r'<p class="hint">(.*?)</p>', re.DOTALL | re.IGNORECASE)
_UNIT = re.compile(r'\s*<span class="unit">\((.*?)\)</span>', re.DOTALL | re.IGNORECASE)
_ATTRIBUTION = re.compile(r"^\s*(?:\u2014|&mdash;|--)\s*(.+)$", re.DOTALL)
_ORDERING_TARGETS = 8
DEFAULT_CLOZE_PROMPT = "Fill in the gap."


@dataclass(frozen=True, slots=True)
class Problem:
    """A question left out, or converted with a change, and the line it starts on."""

    line: int
    message: str
    left_out: bool

    def __str__(self) -> str:
        """Return the `line N: ...` form of the report."""
        what = "not converted" if self.left_out else "changed"
        return f"line {self.line}: {what}: {self.message}"


@dataclass(frozen=True, slots=True)
class GiftImport:
    """The result: the quiz (and placeholder lesson) documents and the report."""

    quiz: dict[str, Any]
    lesson: dict[str, Any] | None
    problems: list[Problem]
    lines: dict[str, int] = field(default_factory=dict)  # question id -> GIFT line
    categories: list[str] = field(default_factory=list)

    @property
    def converted(self) -> int:
        """Return how many questions were converted."""
        return len(self.quiz["questions"])


@dataclass(slots=True)
class _Block:
    line: int
    text: str
    number: int  # 1-based position among the file's questions


# ---------------------------------------------------------------- reading GIFT


def blocks(text: str) -> Iterator[_Block | tuple[int, str]]:
    """Yield each question (or ($CATEGORY line, name)) with its first line number."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    current: list[str] = []
    start = 0
    number = 0
    for lineno, raw in enumerate([*text.split("\n"), ""], 1):
        line = raw.strip()
        if not line:
            if current:
                joined = _escape("\n".join(current))
                if joined.startswith("$CATEGORY:"):
                    yield (start, _restore(joined[len("$CATEGORY:") :]).strip())
                else:
                    number += 1
                    yield _Block(start, joined, number)
            current = []
            continue
        if line.startswith("//"):
            continue
        if not current:
            start = lineno
        current.append(line)


def _escape(text: str) -> str:
    out = text.replace("\\\\", _ESCAPES["\\\\"])
    for seq, mark in _ESCAPES.items():
        out = out.replace(seq, mark)
    return out


def _restore(text: str) -> str:
    for mark, char in _RESTORE.items():
        text = text.replace(mark, char)
    return text


@dataclass(slots=True)
class _Text:
    """A GIFT text after its [format] tag: HTML or not."""

    body: str
    is_html: bool
    fmt: str


def _formatted(text: str, default: str = "moodle") -> _Text:
    text = text.strip()
    m = _FORMAT.match(text)
    fmt = m.group(1).lower() if m else default
    if m:
        text = text[m.end() :]
    is_html = fmt == "html" or (fmt == "moodle" and bool(_TAG.search(text)))
    return _Text(text, is_html, fmt)


class _ToMarkdown(HTMLParser):
    """Turn the little HTML a quiz text holds into our inline Markdown."""

    MARKS = {"em": "*", "i": "*", "strong": "**", "b": "**", "code": "`"}
    BLOCKS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}
    KEPT = {"em", "i", "strong", "b", "code", "a", "br", "p", "div", "span"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.lost: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href")
            self.href.append(href)
            if href:
                self.out.append("[")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")
        if tag == "img":
            self.lost.append("an image")
        elif tag not in self.KEPT and f"<{tag}>" not in self.lost:
            self.lost.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag == "a":
            href = self.href.pop() if self.href else None
            if href:
                self.out.append(f"]({href})")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.out.append(re.sub(r"[ \t\n\r\f]+", " ", data))


def html_to_text(fragment: str) -> tuple[str, list[str]]:
    """Return an HTML fragment as plain text with inline Markdown, and what was lost."""
    parser = _ToMarkdown()
    parser.feed(fragment)
    parser.close()
    text = "".join(parser.out)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), parser.lost


def _text(t: _Text) -> tuple[str, list[str]]:
    if t.is_html:
        return html_to_text(t.body)
    return t.body.strip(), []


def _plain(text: str, fmt: str) -> tuple[str, list[str]]:
    """Read an answer or feedback written in the question's format."""
    t = _formatted(_restore(text), fmt)
    return _text(t)


# ------------------------------------------------------------ converting


class _Skip(Exception):
    """The question cannot be converted; the message says why."""


@dataclass(slots=True)
class _Answer:
    text: str
    weight: float  # 1.0 full credit, 0 wrong, between: partial
    feedback: str


def _split_feedback(raw: str) -> tuple[str, str]:
    head, _, tail = raw.partition("#")
    return head.strip(), tail.strip()


def _weighted(raw: str, default: float) -> tuple[float, str]:
    raw = raw.strip()
    m = _WEIGHT.match(raw)
    if not m:
        return default, raw
    return float(m.group(1)) / 100, raw[m.end() :]


def _items(answer_text: str, sep: str) -> list[str]:
    parts = answer_text.split(sep)
    if parts and not parts[0].strip():
        parts = parts[1:]
    return [p.strip() for p in parts]


class _Converter:
    """Convert one GIFT question into a question dict, noting what changed."""

    def __init__(self, block: _Block) -> None:
        self.block = block
        self.notes: list[str] = []
        self.gap_text: tuple[str, str] | None = None

    def note(self, message: str) -> None:
        self.notes.append(message)

    def lost(self, where: str, lost: list[str]) -> None:
        if lost:
            self.note(f"{where}: left out {', '.join(lost)} (not in our format)")

    def run(self) -> tuple[str | None, dict[str, Any]]:
        text = self.block.text.strip()
        title: str | None = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end != -1:
                title = _restore(text[2:end]).strip()
                text = text[end + 2 :].strip()
        start, finish = text.find("{"), text.find("}")
        if start == -1 and finish == -1:
            raise _Skip(
                "a description (text with no answers in { }); put it in the lesson "
                "instead"
            )
        if start == -1 or finish == -1 or finish < start:
            raise _Skip("its { and } do not pair up; check for an unescaped brace")
        answers = text[start + 1 : finish].strip()
        after = text[finish + 1 :].strip()
        before = text[:start]
        raw_prompt = before + (_GAP + text[finish + 1 :] if after else "")
        general = ""
        cut = answers.rfind("####")
        if cut != -1:
            general = answers[cut + 4 :]
            answers = answers[:cut].strip()
        qtext = _formatted(_restore(raw_prompt))
        q: dict[str, Any] = {}
        if not answers:
            raise _Skip(
                "an essay question (marked by hand), which this package does not have"
            )
        kind = self._kind(answers)
        self._prompt(q, qtext, kind)
        if general.strip():
            explanation, lost = _plain(general, qtext.fmt)
            self.lost("explanation", lost)
            if explanation:
                q["explanation"] = explanation
        getattr(self, f"_{kind}")(q, answers, qtext.fmt)
        return title, q

    def _kind(self, answers: str) -> str:
        if answers.startswith("#"):
            return "numerical"
        if "~" in answers:
            return "multichoice"
        if "=" in answers and "->" in answers:
            return "match"
        check = answers.split("#", 1)[0].strip() if "#" in answers[1:] else answers
        if check in ("T", "TRUE", "F", "FALSE"):
            return "truefalse"
        return "shortanswer"

    def _prompt(self, q: dict[str, Any], t: _Text, kind: str) -> None:
        body = t.body
        if t.is_html:
            m = _STIMULUS.match(body)
            if m:
                paras = _PARA.findall(m.group(1))
                by = _ATTRIBUTION.match(paras[-1]) if len(paras) >= 2 else None
                if by:
                    quote, _ = html_to_text("".join(f"<p>{p}</p>" for p in paras[:-1]))
                    who, _ = html_to_text(by.group(1))
                    q["stimulus"] = {"text": quote, "by": who}
                    body = body[m.end() :]
            hint = _HINT.search(body)
            if hint:
                q["hint"], _ = html_to_text(hint.group(1))
                body = body[: hint.start()] + body[hint.end() :]
            unit = _UNIT.search(body) if kind == "numerical" else None
            if unit:
                q["unit"] = html.unescape(unit.group(1)).strip()
                body = body[: unit.start()] + body[unit.end() :]
        prompt, lost = _text(_Text(body, t.is_html, t.fmt))
        self.lost("question text", lost)
        if _GAP in prompt:
            before, _, after = prompt.partition(_GAP)
            self.gap_text = (before, after)
            prompt = f"{before}_____{after}"
        q["prompt"] = prompt
        if not prompt.strip():
            raise _Skip("it has no question text")

    def _answers(
        self, answers: str, sep: str, default: float, fmt: str
    ) -> list[_Answer]:
        out = []
        for raw in _items(answers, sep):
            weight, rest = _weighted(raw, default)
            text, feedback = _split_feedback(rest)
            out.append(_Answer(text, weight, feedback))
        return out

    def _multichoice(self, q: dict[str, Any], answers: str, fmt: str) -> None:
        single = "=" in answers
        parsed = []
        for raw in _items(answers.replace("=", "~="), "~"):
            if raw.startswith("="):
                weight, rest = 1.0, raw[1:]
            else:
                weight, rest = _weighted(raw, 0.0)
            text, feedback = _split_feedback(rest)
            parsed.append(_Answer(text, weight, feedback))
        if len(parsed) < 2:
            raise _Skip("a choice question needs at least 2 choices")
        choices: list[dict[str, Any]] = []
        for n, a in enumerate(parsed, 1):
            text, lost = _plain(a.text, fmt)
            self.lost(f"choice {n}", lost)
            choice: dict[str, Any] = {"text": text}
            if a.feedback:
                fb, lost = _plain(a.feedback, fmt)
                self.lost(f"feedback of choice {n}", lost)
                if fb:
                    choice["feedback"] = fb
            choices.append(choice)
        if self.gap_text is not None:
            self.note("missing-word choice question: the gap is shown as _____")
        if single:
            full = [i for i, a in enumerate(parsed) if a.weight >= 1]
            for i, a in enumerate(parsed):
                if 0 < a.weight < 1:
                    self.note(
                        f'choice {i + 1} ("{choices[i]["text"]}") earned '
                        f"{a.weight * 100:g} % in Moodle; here it counts as wrong"
                    )
            if len(full) > 1:
                self.note(
                    f"{len(full)} choices were fully right; a single_choice question "
                    f"has one, so only choice {full[0] + 1} is marked right"
                )
            choices[full[0]]["correct"] = True
            q["type"] = "single_choice"
            q["choices"] = [_choice_order(c) for c in choices]
            return
        right = [i for i, a in enumerate(parsed) if a.weight > 0]
        if not right:
            raise _Skip("no choice has a positive weight, so nothing is right")
        for i in right:
            choices[i]["correct"] = True
        share = 1 / len(right)
        wrong = [a.weight for i, a in enumerate(parsed) if i not in right]
        rights_equal = all(abs(parsed[i].weight - share) < 0.01 for i in right)
        q["type"] = "multiple_choice"
        q["choices"] = [_choice_order(c) for c in choices]
        if (
            len(right) > 1
            and rights_equal
            and wrong
            and all(w <= -0.999 for w in wrong)
        ):
            q["scoring"] = "all_or_nothing"
            self.note(
                "each wrong choice cancelled every right one in Moodle (weight "
                "-100 %); read as scoring: all_or_nothing"
            )
        elif not (rights_equal and all(abs(w + share) < 0.01 for w in wrong)):
            self.note(
                "Moodle's per-choice weights are replaced by partial scoring: each "
                "right pick earns its share and each wrong pick takes one share off"
            )

    def _truefalse(self, q: dict[str, Any], answers: str, fmt: str) -> None:
        parts = answers.split("#", 2)
        q["type"] = "true_false"
        q["answer"] = parts[0].strip() in ("T", "TRUE")
        if len(parts) > 1 and parts[1].strip():
            fb, lost = _plain(parts[1], fmt)
            self.lost("feedback", lost)
            q["feedback"] = fb
        if len(parts) > 2 and parts[2].strip():
            self.note(
                "the feedback for a right answer is left out: a true_false question "
                "has feedback for a wrong answer only (use explanation for both)"
            )

    def _shortanswer(self, q: dict[str, Any], answers: str, fmt: str) -> None:
        accepted: list[str] = []
        wrong: list[dict[str, str]] = []
        for a in self._answers(answers, "=", 1.0, fmt):
            text = _restore(a.text).strip()
            if "*" in text.replace("\\*", ""):
                self.note(
                    f'"{text}" uses Moodle\'s * wildcard, which we lack; left out'
                )
                continue
            text = text.replace("\\*", "*")
            feedback, lost = _plain(a.feedback, fmt) if a.feedback else ("", [])
            self.lost("feedback", lost)
            if a.weight >= 1 or 0 < a.weight < 1:
                if a.weight < 1:
                    self.note(
                        f'"{text}" earned {a.weight * 100:g} % in Moodle; here it is '
                        "accepted as right (consider typos: 1 for near misses)"
                    )
                if feedback:
                    self.note(f'the feedback for the right answer "{text}" is left out')
                accepted.append(text)
            elif feedback:
                wrong.append({"answer": text, "feedback": feedback})
            else:
                self.note(f'the wrong answer "{text}" had no feedback; left out')
        accepted = _unique(accepted)
        if not accepted:
            raise _Skip("no answer earns full marks")
        if self.gap_text is not None:
            before, after = self.gap_text
            self._cloze(q, before, accepted, after)
            if wrong:
                self.note(
                    "feedback for wrong answers is left out (a cloze gap has none)"
                )
            return
        q["type"] = "short_answer"
        q["answers"] = accepted
        folded = {normalize(a) for a in accepted}
        wrong = [w for w in wrong if normalize(w["answer"]) not in folded]
        if wrong:
            q["wrong_answers"] = wrong

    def _cloze(
        self, q: dict[str, Any], before: str, accepted: list[str], after: str
    ) -> None:
        for a in accepted:
            if "|" in a or "{" in a or "}" in a:
                raise _Skip(f'the answer "{a}" holds | or a brace, which a gap cannot')
        q["type"] = "cloze"
        head, sep, last = before.rpartition("\n\n")
        prompt = head.strip() if sep else ""
        q["prompt"] = prompt or DEFAULT_CLOZE_PROMPT
        q["text"] = f"{last if sep else before}{{{{{'|'.join(accepted)}}}}}{after}"
        if not prompt:
            self.note(
                f'missing-word question: the prompt "{DEFAULT_CLOZE_PROMPT}" was added'
            )

    def _numerical(self, q: dict[str, Any], answers: str, fmt: str) -> None:
        body = answers[1:]
        wrong_at = body.find("~")
        if wrong_at != -1:
            self.note("the feedback for wrong answers is left out (numeric has none)")
            body = body[:wrong_at]
        parsed = self._answers(body, "=", 1.0, fmt)
        if not parsed:
            raise _Skip("a numeric question needs an answer")
        values: list[tuple[float, float, _Answer]] = []
        for a in parsed:
            text = _restore(a.text).strip()
            try:
                if ".." in text[1:]:
                    low_text, high_text = text.split("..", 1)
                    low, high = float(low_text), float(high_text)
                    value, tolerance = (low + high) / 2, abs(high - low) / 2
                elif ":" in text[1:]:
                    value_text, tol_text = text.split(":", 1)
                    value, tolerance = float(value_text), abs(float(tol_text))
                else:
                    value, tolerance = float(text), 0.0
            except ValueError:
                raise _Skip(f'"{text}" is not a number') from None
            values.append((value, tolerance, a))
        full = [v for v in values if v[2].weight >= 1]
        if not full:
            raise _Skip("no answer earns full marks")
        if len(full) > 1 or len(values) > len(full):
            self.note(
                "only the first fully right answer is kept; other answers and their "
                "partial credit are left out"
            )
        if any(a.feedback for _, _, a in values):
            self.note("per-answer feedback is left out (numeric has none)")
        value, tolerance, _ = full[0]
        q["type"] = "numeric"
        q["answer"] = _number(value)
        q["tolerance"] = _number(tolerance)
        if "unit" in q:
            q["unit"] = q.pop("unit")

    def _match(self, q: dict[str, Any], answers: str, fmt: str) -> None:
        pairs: list[tuple[str, str]] = []
        extra: list[str] = []
        for raw in _items(answers, "="):
            if "->" not in raw:
                raise _Skip(f'"{_restore(raw)}" has no -> between the two sides')
            left_raw, _, right_raw = raw.partition("->")
            left, lost = _plain(left_raw, fmt)
            self.lost("matching item", lost)
            right = _restore(right_raw).strip()
            if not left:
                extra.append(right)
            else:
                pairs.append((left, right))
        rights = [r for _, r in pairs]
        positions = [str(n) for n in range(1, len(pairs) + 1)]
        if (
            not extra
            and 2 <= len(pairs) <= _ORDERING_TARGETS
            and sorted(rights, key=_int_or_inf) == positions
        ):
            q["type"] = "ordering"
            q["items"] = [left for left, _ in sorted(pairs, key=lambda p: int(p[1]))]
            self.note(
                "a matching question whose options were the positions 1 to "
                f"{len(pairs)} is read as an ordering question"
            )
            return
        lefts = [normalize(left) for left, _ in pairs]
        if len(set(lefts)) != len(lefts):
            raise _Skip("two pairs have the same left side")
        folded = {normalize(r) for r in rights}
        kept = _unique([e for e in extra if normalize(e) not in folded])
        if len(kept) != len(extra):
            self.note("extra options that repeat another option are listed once")
        q["type"] = "matching"
        q["pairs"] = dict(pairs)
        if kept:
            q["extra"] = kept


def _choice_order(choice: dict[str, Any]) -> dict[str, Any]:
    order = ("text", "correct", "feedback")
    return {k: choice[k] for k in order if k in choice}


def _int_or_inf(text: str) -> float:
    return int(text) if text.isdigit() else float("inf")


def _number(x: float) -> int | float:
    return int(x) if x.is_integer() and abs(x) < 1e15 else x


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = normalize(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def slug(text: str) -> str:
    """Turn a GIFT question title into a question id ("" if nothing is left)."""
    norm = unicodedata.normalize("NFKD", text.casefold())
    out = re.sub(r"[^a-z0-9]+", "-", norm.encode("ascii", "ignore").decode()).strip("-")
    return out[:80].rstrip("-")


def _messages(messages: Any) -> Iterator[str]:
    if isinstance(messages, str):
        yield messages
    elif isinstance(messages, Mapping):
        for key, value in messages.items():
            for m in _messages(value):
                yield m if isinstance(key, int) or key == "_schema" else f"{key}: {m}"
    elif isinstance(messages, list):
        for value in messages:
            yield from _messages(value)


def _validate(q: dict[str, Any]) -> str | None:
    schema = type_schema(q["type"])
    if schema is None:  # pragma: no cover - every type we write is registered
        return f"unknown type {q['type']}"
    try:
        schema.load(q)
    except ValidationError as exc:
        return "; ".join(_messages(exc.messages))
    return None


def import_gift(
    text: str,
    *,
    quiz_id: str,
    lesson_id: str | None = None,
    title: str | None = None,
    language: str = "en",
) -> GiftImport:
    """Convert GIFT text into a quiz document (and a placeholder lesson if needed)."""
    problems: list[Problem] = []
    questions: list[dict[str, Any]] = []
    lines: dict[str, int] = {}
    categories: list[str] = []
    used: set[str] = set()
    for block in blocks(text):
        if isinstance(block, tuple):
            categories.append(block[1])
            continue
        converter = _Converter(block)
        try:
            name, q = converter.run()
        except _Skip as exc:
            problems.append(Problem(block.line, str(exc), left_out=True))
            continue
        base = slug(name or "") or f"q{block.number}"
        qid, n = base, 2
        while qid in used:
            qid, n = f"{base[:76]}-{n}", n + 1
        ordered = {"id": qid, "type": q.pop("type"), "prompt": q.pop("prompt")}
        for key in ("stimulus", "hint"):
            if key in q:
                ordered[key] = q.pop(key)
        explanation = q.pop("explanation", None)
        ordered.update(q)
        if explanation:
            ordered["explanation"] = explanation
        error = _validate(ordered)
        if error:
            problems.append(Problem(block.line, error, left_out=True))
            continue
        used.add(qid)
        lines[qid] = block.line
        questions.append(ordered)
        problems.extend(Problem(block.line, m, left_out=False) for m in converter.notes)
    lesson = lesson_id or quiz_id
    name = title or (categories[0].rstrip("/").split("/")[-1] if categories else "")
    if not name or name.startswith("$"):
        name = quiz_id.replace("-", " ").replace("_", " ").capitalize()
    quiz: dict[str, Any] = {
        "schema_version": 1,
        "id": quiz_id,
        "lesson": lesson,
        "title": name,
        "language": language,
        "mode": "practice",
        "shuffle": True,
        "pass_mark": 70,
        "questions": questions,
    }
    placeholder = None if lesson_id else placeholder_lesson(quiz_id, name, language)
    return GiftImport(quiz, placeholder, problems, lines, categories)


def placeholder_lesson(lesson_id: str, title: str, language: str) -> dict[str, Any]:
    """Return the smallest lesson that passes `interwar check`, to be written over."""
    return {
        "schema_version": 1,
        "id": lesson_id,
        "title": title,
        "summary": "TODO: one or two sentences for the home page.",
        "language": language,
        "minutes": 45,
        "objectives": ["TODO: what a learner can do after this lesson."],
        "sections": [
            {
                "id": "reading",
                "title": "Reading",
                "body": "TODO: write the reading here, or delete this lesson file "
                "and set `lesson:` in the quiz to an existing lesson.",
            }
        ],
    }


# ------------------------------------------------------------ writing YAML


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with lists indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent block sequences (PyYAML's default puts `- ` under the key)."""
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def dump(data: Any) -> str:
    """Dump data with the safe dumper: text YAML would misread gets quoted."""
    out: str = yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000
    )
    return out


def quiz_yaml(result: GiftImport, *, header: str = "") -> str:
    """Return the quiz file: settings, then one question per paragraph with notes."""
    doc = {k: v for k, v in result.quiz.items() if k != "questions"}
    notes: dict[int, list[str]] = {}
    for p in result.problems:
        if not p.left_out:
            notes.setdefault(p.line, []).append(p.message)
    parts = [header, dump(doc), "questions:\n"]
    for q in result.quiz["questions"]:
        line = result.lines.get(q["id"])
        comment = f"  # from line {line}\n" if line else ""
        for message in notes.get(line or 0, []):
            comment += f"  # changed: {message}\n"
        body = dump([q])
        parts.append(
            "\n" + comment + "".join(f"  {row}\n" for row in body.splitlines())
        )
    return "".join(parts)


def lesson_yaml(result: GiftImport, *, header: str = "") -> str | None:
    """Return the placeholder lesson file, or None if the quiz uses another."""
    if result.lesson is None:
        return None
    return header + dump(result.lesson)
