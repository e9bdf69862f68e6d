"""JSON Schema (draft 2020-12) of lesson and quiz files, generated from the schemas.

Editors use it for completion and hover help via a modeline such as
`# yaml-language-server: $schema=lesson.schema.json`. Our own fields are mapped by
hand; descriptions come from DESCRIPTIONS, keyed by the key's name.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from webapp.content import fields as ours
from webapp.content.domain import SKILLS
from webapp.content.question_types import REGISTRY
from webapp.content.schemas import (
    MODES,
    ROLES,
    LessonSchema,
    QuestionField,
    QuizSchema,
    SchemaVersion,
    YearText,
    type_schema,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_PATTERN = "^[a-z0-9][a-z0-9_-]{0,79}$"
SCORINGS = ("partial", "all_or_nothing")

DESCRIPTIONS: dict[str, str] = {
    "schema_version": "The file format version. Always 1.",
    "id": "A stable id: lowercase letters, digits, '-' and '_'. Never reuse one.",
    "title": "The title shown to learners.",
    "summary": "One or two sentences for the home page.",
    "language": "The content language, e.g. en, de or ru.",
    "minutes": "How long the lesson takes, in whole minutes.",
    "order": "Position on the home page; lower numbers come first.",
    "objectives": "What learners will be able to do (one per item).",
    "key_terms": "Glossary entries linked from the reading.",
    "term": "The word or name being defined.",
    "definition": "A one-sentence definition.",
    "aliases": "Other forms of the term that are linked to the glossary too.",
    "timeline": "Dated events shown on the lesson's and the cumulative timeline.",
    "date": 'YYYY-MM-DD, "YYYY-MM" (in quotes) or YYYY.',
    "event": "What happened, in one sentence.",
    "sections": "The parts of the reading, in order.",
    "body": "Markdown text (no raw HTML; links only http(s), mailto or #anchors).",
    "quote": "A short attributed quotation shown with the section.",
    "text": "The text.",
    "by": "Who said or wrote it, and when.",
    "source": "The id of an entry in the lesson's sources.",
    "sources": "Full citations of the texts the lesson draws on.",
    "author": "The author or issuing body.",
    "publication": "Where it was published.",
    "year": "The year of publication (as text).",
    "url": "A web address starting with https://.",
    "note": "A note for teachers about the source.",
    "role": "authority: cite it for facts; evaluate: a source to study, not to trust.",
    "discussion": "Discussion questions for the class.",
    "teacher_notes": "Markdown notes for the teacher: running the lesson.",
    "lesson": "The id of the lesson this quiz belongs to.",
    "description": "A short description shown before the quiz starts.",
    "mode": "practice: feedback after each answer; test: feedback after submitting.",
    "shuffle": "Shuffle the order (questions, or this question's choices).",
    "draw": "Use only this many questions per attempt.",
    "stratify": "Keep the pool's share of analysis questions in every draw.",
    "pass_mark": "The pass mark, in percent.",
    "time_limit": "A time limit in whole minutes (test mode).",
    "pools": "Draw questions from other quizzes (for a final quiz).",
    "quiz": "The id of the quiz to draw from.",
    "skills": "Draw only questions with these skill tags.",
    "questions": "The quiz's questions.",
    "type": "The question type.",
    "prompt": "The question as learners see it.",
    "explanation": "Shown after answering, right or wrong.",
    "see": "The id of a section of the quiz's lesson; the review links to it.",
    "skill": "The historical-thinking skill the question practises.",
    "contested": "true where historians disagree.",
    "stimulus": "A short quoted source excerpt shown above the prompt.",
    "points": "Points for a fully right answer (1-100).",
    "hint": "One short line shown under the prompt.",
    "choices": "The options; mark the right one(s) with correct: true.",
    "correct": "true for a right choice.",
    "feedback": "Shown when the learner picks this (or answers wrongly).",
    "scoring": "partial: credit per right pick; all_or_nothing: exactly the right set.",
    "answer": "The right answer.",
    "answers": "Every accepted form of the answer.",
    "typos": "How many typing slips to forgive on answers of 5+ letters (0-3).",
    "wrong_answers": "Foreseeable wrong answers with feedback that corrects them.",
    "tolerance": 'How far off an answer may be: a number, or a percentage like "5%".',
    "unit": "The unit shown after the input, e.g. men.",
    "items": "The items in the correct order (2-8).",
    "pairs": "Left item: right option (2-8 pairs).",
    "extra": "Options that match nothing.",
}

_ENUMS: dict[str, tuple[str, ...]] = {
    "mode": MODES,
    "role": ROLES,
    "skill": tuple(sorted(SKILLS)),
    "scoring": SCORINGS,
}


def _ref(name: str) -> dict[str, Any]:
    """Return a $ref to a definition."""
    return {"$ref": f"#/$defs/{name}"}


class _Builder:
    """Collects definitions while turning marshmallow schemas into JSON Schema."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def schema(self, schema: Schema, name: str, type_name: str | None = None) -> str:
        """Add a definition for a schema; return its name."""
        if name in self.defs:
            return name
        self.defs[name] = {}  # placeholder against cycles
        props: dict[str, Any] = {}
        required: list[str] = []
        for key, field in schema.load_fields.items():
            prop = self.field(field, key)
            if key == "type" and type_name is not None:
                prop = {"const": type_name}
            prop.setdefault("description", DESCRIPTIONS.get(key, key.replace("_", " ")))
            props[key] = prop
            if field.required:
                required.append(key)
        definition: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "additionalProperties": False,
        }
        if required:
            definition["required"] = required
        self.defs[name] = definition
        return name

    def field(self, field: fields.Field[Any], key: str) -> dict[str, Any]:
        """Return the JSON Schema of one field."""
        if key in _ENUMS:
            return {"type": "string", "enum": list(_ENUMS[key])}
        if isinstance(field, SchemaVersion):
            return {"const": 1}
        if isinstance(field, ours.Keyword):
            return {"type": "string", "enum": list(field.choices)}
        if isinstance(field, ours.Id):
            return {"type": "string", "pattern": ID_PATTERN}
        if isinstance(field, YearText):
            return {"type": ["string", "integer"]}
        if isinstance(field, fields.String):
            return {"type": "string"}
        if isinstance(field, fields.Integer):
            return {"type": "integer"}
        if isinstance(field, ours.Number):
            return {"type": "number"}
        if isinstance(field, ours.Boolean | fields.Boolean):
            return {"type": "boolean"}
        if isinstance(field, ours.EventDate):
            return {
                "anyOf": [
                    {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                    {"type": "integer", "minimum": 1, "maximum": 9999},
                ]
            }
        if isinstance(field, fields.List):
            return {"type": "array", "items": self.field(field.inner, key)}
        if isinstance(field, fields.Nested):
            nested = field.schema
            return _ref(
                self.schema(nested, type(nested).__name__.removesuffix("Schema"))
            )
        if isinstance(field, QuestionField):
            return _ref(self.question())
        # Custom fields of question types, mapped by name where they are known.
        cls = type(field).__name__
        if cls == "Pairs":
            return {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "minProperties": 2,
            }
        if cls == "Tolerance":
            return {
                "anyOf": [
                    {"type": "number", "minimum": 0},
                    {"type": "string", "pattern": r"^\d+(\.\d+)?\s*%$"},
                ]
            }
        return {}

    def question(self) -> str:
        """Add the question definition: `type` selects one per-type definition."""
        name = "Question"
        if name in self.defs:
            return name
        self.defs[name] = {}
        branches = []
        for type_name in sorted(REGISTRY):
            schema = type_schema(type_name)
            if schema is None:  # pragma: no cover - REGISTRY names have schemas
                continue
            ref = self.schema(schema, f"question_{type_name}", type_name)
            branches.append(
                {
                    "if": {
                        "properties": {"type": {"const": type_name}},
                        "required": ["type"],
                    },
                    "then": _ref(ref),
                }
            )
        self.defs[name] = {
            "type": "object",
            "required": ["id", "type"],
            "properties": {
                "type": {
                    "type": "string",
                    "enum": sorted(REGISTRY),
                    "description": DESCRIPTIONS["type"],
                }
            },
            "allOf": branches,
        }
        return name


def json_schema(kind: str) -> dict[str, Any]:
    """Return the JSON Schema of a `lesson` or `quiz` file."""
    if kind not in ("lesson", "quiz"):
        raise ValueError(f"unknown kind {kind!r}; use lesson or quiz")
    builder = _Builder()
    root_schema = LessonSchema() if kind == "lesson" else QuizSchema()
    root = builder.schema(root_schema, kind.capitalize())
    body = builder.defs.pop(root)
    return {
        "$schema": DRAFT,
        "$id": f"https://interwar-lessons.invalid/schema/{kind}.schema.json",
        "title": f"Interwar Lessons {kind} file (schema_version 1)",
        **body,
        "$defs": builder.defs,
    }
