"""Frozen domain objects for lessons and quizzes: what the YAML means once validated."""

from __future__ import annotations

from dataclasses import dataclass, field

# The skill tags of content/WRITING.md §5. Analysis tags count toward the 30 % rule.
KNOWLEDGE_SKILLS: frozenset[str] = frozenset({"recall", "comprehension", "chronology"})
ANALYSIS_SKILLS: frozenset[str] = frozenset(
    {
        "sourcing",
        "contextualization",
        "corroboration",
        "close_reading",
        "cause_consequence",
        "continuity_change",
        "significance",
        "evidence",
        "perspectives",
    }
)
SKILLS: frozenset[str] = KNOWLEDGE_SKILLS | ANALYSIS_SKILLS


@dataclass(frozen=True, slots=True)
class Quote:
    """A short attributed quotation or source excerpt."""

    text: str
    by: str
    source: str | None = None  # id of an entry in the lesson's `sources`


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """A glossary entry; `aliases` are other spellings linked in the reading."""

    term: str
    definition: str
    aliases: tuple[str, ...] = ()
    # Kept from the source language, so a translated term links to the same anchor.
    anchor: str = ""

    @property
    def slug(self) -> str:
        """Return the anchor id used for this term on the reading page."""
        return self.anchor or slugify(self.term)


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One dated event; month and day are None when only the year or month is known."""

    year: int
    month: int | None
    day: int | None
    event: str
    lesson: str | None = None  # on the cumulative timeline: the unit it comes from

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Return a key that sorts events chronologically, vaguer dates first."""
        return (self.year, self.month or 0, self.day or 0)


@dataclass(frozen=True, slots=True)
class Section:
    """A titled part of a reading; `html` is the sanitized rendering of `body`."""

    id: str
    title: str
    body: str
    html: str
    quote: Quote | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """A full citation for a text the lesson draws on."""

    id: str
    author: str
    title: str
    publication: str | None = None
    year: str | None = None
    url: str | None = None
    note: str | None = None
    # "authority" sources can be cited for facts; "evaluate" ones are only studied.
    role: str = "authority"


@dataclass(frozen=True, slots=True)
class Lesson:
    """A lesson unit: the reading and everything around it."""

    id: str
    title: str
    summary: str
    language: str
    minutes: int
    objectives: tuple[str, ...]
    key_terms: tuple[KeyTerm, ...]
    timeline: tuple[TimelineEvent, ...]
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    discussion: tuple[str, ...]
    teacher_notes: str = ""
    teacher_notes_html: str = ""
    order: int = 0  # position on the home page; lower first
    path: str = ""
    version: str = ""  # sha256 of the file bytes

    def section(self, section_id: str) -> Section | None:
        """Return the section with this id, or None."""
        return next((s for s in self.sections if s.id == section_id), None)

    def source(self, source_id: str) -> Source | None:
        """Return the source with this id, or None."""
        return next((s for s in self.sources if s.id == source_id), None)


@dataclass(frozen=True, slots=True)
class Choice:
    """An option of a single or multiple choice question."""

    id: str
    text: str
    correct: bool = False
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """Fields every question type shares. Subclasses add their own."""

    id: str
    type: str
    prompt: str
    explanation: str = ""
    see: str | None = None  # a section id of `see_lesson`
    see_lesson: str | None = None  # filled by the catalog from the quiz's lesson
    pool: str | None = None  # for a question drawn from another quiz: that quiz's id
    skill: str | None = None
    contested: bool = False
    stimulus: Quote | None = None
    points: int = 1
    hint: str | None = None

    @property
    def is_analysis(self) -> bool:
        """Return True when the question carries an analysis skill tag."""
        return self.skill in ANALYSIS_SKILLS


@dataclass(frozen=True, slots=True)
class SingleChoiceQuestion(Question):
    """One best answer among choices."""

    choices: tuple[Choice, ...] = ()
    shuffle: bool = True


@dataclass(frozen=True, slots=True)
class MultipleChoiceQuestion(Question):
    """Choose all that apply; scoring is `partial` or `all_or_nothing`."""

    choices: tuple[Choice, ...] = ()
    shuffle: bool = True
    scoring: str = "partial"


@dataclass(frozen=True, slots=True)
class TrueFalseQuestion(Question):
    """A statement that is true or false; `feedback` is shown on a wrong answer."""

    answer: bool = True
    feedback: str | None = None


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """A foreseeable wrong typed answer and the feedback that corrects it."""

    answer: str
    feedback: str


@dataclass(frozen=True, slots=True)
class ShortAnswerQuestion(Question):
    """A typed word or name compared with the accepted forms."""

    answers: tuple[str, ...] = ()
    typos: int = 0
    wrong_answers: tuple[WrongAnswer, ...] = ()


@dataclass(frozen=True, slots=True)
class NumericQuestion(Question):
    """A number, right within an absolute or percent tolerance."""

    answer: float = 0.0
    tolerance: float = 0.0
    tolerance_percent: bool = False
    unit: str | None = None
    integer: bool = False  # the key is a whole number: the input hint says so


@dataclass(frozen=True, slots=True)
class OrderingQuestion(Question):
    """Items to put in order; `items` is the correct order."""

    items: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MatchingQuestion(Question):
    """Left items each matched to one right option; `extra` are unused options."""

    pairs: tuple[tuple[str, str], ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def options(self) -> tuple[str, ...]:
        """Return every right-hand option (matches and extras), without repeats."""
        seen: dict[str, None] = {}
        for _, right in self.pairs:
            seen.setdefault(right, None)
        for opt in self.extra:
            seen.setdefault(opt, None)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ClozeBlank:
    """One gap of a cloze text and its accepted answers."""

    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClozeQuestion(Question):
    """Text with gaps written {{answer}} or {{answer|variant}}.

    `parts` alternates text and gaps: parts[0] text, then a gap, then text, ...
    so len(parts) == len(blanks) + 1.
    """

    text: str = ""
    parts: tuple[str, ...] = ()
    blanks: tuple[ClozeBlank, ...] = ()
    typos: int = 0


@dataclass(frozen=True, slots=True)
class PoolRef:
    """Draw `draw` questions from another quiz's questions (the final quiz)."""

    quiz: str
    draw: int
    skills: tuple[str, ...] = ()  # if set, draw only questions with these skills


@dataclass(frozen=True, slots=True)
class Quiz:
    """A quiz: its questions, pools and the rules of an attempt."""

    id: str
    title: str
    lesson: str | None
    questions: tuple[Question, ...]
    mode: str = "practice"  # practice: feedback per answer; test: after submitting
    shuffle: bool = True
    draw: int | None = None
    stratify: bool = False  # keep the analysis share of the pool in every draw
    pass_mark: int = 70
    time_limit: int | None = None  # minutes
    description: str = ""
    language: str = "en"
    pools: tuple[PoolRef, ...] = ()
    path: str = ""
    version: str = ""

    def question(self, question_id: str) -> Question | None:
        """Return the question with this id, or None."""
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def attempt_size(self) -> int:
        """Return how many questions one attempt holds."""
        if self.pools:
            # Pooled questions sit in `questions` too (with `pool` set): count draws.
            own = sum(1 for q in self.questions if q.pool is None)
            return sum(p.draw for p in self.pools) + own
        return min(self.draw, len(self.questions)) if self.draw else len(self.questions)


@dataclass(frozen=True, slots=True)
class Score:
    """The result of grading one answer."""

    points: float
    max_points: float
    feedback: tuple[str, ...] = ()  # feedback texts triggered by the answer
    detail: tuple[bool, ...] = field(default=())  # per part (blank, pair, item) right?

    @property
    def correct(self) -> bool:
        """Return True for full marks."""
        return self.max_points > 0 and self.points >= self.max_points - 1e-9


def slugify(text: str) -> str:
    """Turn a term into a lowercase ASCII-ish anchor id."""
    import re
    import unicodedata

    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    return slug or "term"
