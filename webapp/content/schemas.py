"""marshmallow schemas for lesson and quiz files; `post_load` builds domain objects.

`load_lesson` / `load_quiz` validate a parsed `Document` and map marshmallow's nested
errors back to the line and column of the node they are about.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validates_schema,
)

from webapp.content import markdown
from webapp.content.domain import (
    SKILLS,
    KeyTerm,
    Lesson,
    PoolRef,
    Question,
    Quiz,
    Quote,
    Section,
    Source,
    TimelineEvent,
    slugify,
)
from webapp.content.errors import ContentError
from webapp.content.fields import (
    Boolean,
    EventDate,
    Id,
    Keyword,
    LeanField,
    LeanSchema,
    StrictInteger,
    Text,
    describe,
    did_you_mean,
    fill_raw,
    raw,
)
from webapp.content.question_types import REGISTRY
from webapp.content.yamlsource import Document, SurprisingInt, YamlPath

SCHEMA_VERSION = 1
MODES = ("practice", "test")
ROLES = ("authority", "evaluate")

_MISSING = "Missing data for required field."
_UNKNOWN = "Unknown field."


def _in_range(name: str, low: int, high: int) -> Any:
    """Return a validator for a whole number from low to high."""

    def check(n: int) -> None:
        if not low <= n <= high:
            raise ValidationError(f"{name} must be a whole number from {low} to {high}")

    return check


def _at_least(n: int, what: str) -> Any:
    """Return a validator for a list with at least n items."""

    def check(items: Sequence[Any]) -> None:
        if len(items) < n:
            raise ValidationError(f"write at least {n} {what}")

    return check


def _url(value: str) -> None:
    """Allow only web addresses."""
    if not value.startswith(("http://", "https://")) or " " in value.strip():
        raise ValidationError(
            f'"{value}" is not a web address; write it starting with https://'
        )


def _language(value: str) -> None:
    """Allow language codes such as en, de, ru or pt-BR."""
    import re

    if not re.fullmatch(r"[a-z]{2,3}(-[A-Z]{2})?", value):
        raise ValidationError(
            f'"{value}" is not a language code; write a code such as en, de or ru'
        )


def _list(inner: fields.Field[Any], **kwargs: Any) -> fields.List[Any]:
    """A list field whose wrong-type message says what a list looks like."""
    return fields.List(
        inner,
        error_messages={
            "invalid": "expected a list: lines starting with '- ', or [a, b] on one "
            "line"
        },
        **kwargs,
    )


def _nested(schema: type[Schema], **kwargs: Any) -> fields.Nested:
    """A nested mapping whose wrong-type message says what a mapping looks like."""
    return fields.Nested(
        schema,
        error_messages={
            "type": "expected a mapping of keys, e.g. text: ... and by: ... on their "
            "own lines"
        },
        **kwargs,
    )


class SchemaVersion(LeanField, fields.Field[int]):
    """`schema_version: 1`: the format of the file, so that it can evolve."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> int:
        if (
            value.__class__ is not int
            and not isinstance(value, SurprisingInt)
            or value != SCHEMA_VERSION
        ):
            shown = f'the text "{value}"' if isinstance(value, str) else raw(value)
            raise ValidationError(
                f"schema_version must be {SCHEMA_VERSION}, the only format this "
                f"version of Interwar Lessons reads; got {shown}"
            )
        return SCHEMA_VERSION


_SCHEMA_VERSION_REQUIRED = (
    "missing required key 'schema_version'; add the line 'schema_version: 1' at the "
    "top of the file"
)


class StrictSchema(LeanSchema):
    """A schema where unknown keys are errors."""

    class Meta:
        unknown = RAISE


class QuoteSchema(StrictSchema):
    """A short attributed quotation."""

    text = Text(required=True)
    by = Text(required=True)
    source = Id(load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Quote:
        """Build the Quote."""
        return Quote(**data)


class KeyTermSchema(StrictSchema):
    """A glossary entry."""

    term = Text(required=True)
    definition = Text(required=True)
    aliases = _list(Text(), load_default=())

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> KeyTerm:
        """Build the KeyTerm."""
        term = data["term"]
        aliases = tuple(data["aliases"])
        return KeyTerm(term, data["definition"], aliases, anchor=slugify(term))


class TimelineEventSchema(StrictSchema):
    """One dated event."""

    date = EventDate(required=True)
    event = Text(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> TimelineEvent:
        """Build the TimelineEvent."""
        year, month, day = data["date"]
        return TimelineEvent(year, month, day, data["event"])


class SectionSchema(StrictSchema):
    """A titled part of the reading, in Markdown."""

    id = Id(required=True)
    title = Text(required=True)
    body = Text(required=True)
    quote = _nested(QuoteSchema, load_default=None)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Section:
        """Build the Section with its body rendered to sanitized HTML."""
        return Section(
            id=data["id"],
            title=data["title"],
            body=data["body"],
            html=markdown.render(data["body"]),
            quote=data["quote"],
        )


class YearText(Text):
    """A year written as text; an unquoted year such as 2021 is accepted too."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> str:
        if value.__class__ is int:
            return str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class SourceSchema(StrictSchema):
    """A full citation."""

    id = Id(required=True)
    author = Text(required=True)
    title = Text(required=True)
    publication = Text(load_default=None)
    year = YearText(load_default=None)
    url = Text(load_default=None, validate=_url)
    note = Text(load_default=None)
    role = Keyword(ROLES, load_default="authority")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Source:
        """Build the Source."""
        return Source(**data)


def _duplicates(
    items: Any, key: str, what: str, path: str, errors: dict[str, Any]
) -> dict[str, int]:
    """Report repeated `key` values among the mappings in `items`; return first uses."""
    seen: dict[str, int] = {}
    if not isinstance(items, list):
        return seen
    for i, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            continue
        if value in seen:
            errors.setdefault(path, {}).setdefault(i, {}).setdefault(key, []).append(
                f"{what} '{value}' is already used by {what} {seen[value] + 1}; "
                f"give each {what} its own {key}"
            )
        else:
            seen[value] = i
    return seen


class LessonSchema(StrictSchema):
    """A lesson file."""

    schema_version = SchemaVersion(
        required=True, error_messages={"required": _SCHEMA_VERSION_REQUIRED}
    )
    id = Id(required=True)
    title = Text(required=True)
    summary = Text(required=True)
    language = Text(load_default="en", validate=_language)
    minutes = StrictInteger(required=True, validate=_in_range("minutes", 1, 600))
    order = StrictInteger(load_default=0, validate=_in_range("order", 0, 10000))
    objectives = _list(
        Text(), required=True, validate=_at_least(1, "objective (one per line)")
    )
    key_terms = _list(_nested(KeyTermSchema), load_default=())
    timeline = _list(_nested(TimelineEventSchema), load_default=())
    sections = _list(
        _nested(SectionSchema), required=True, validate=_at_least(1, "section")
    )
    sources = _list(_nested(SourceSchema), load_default=())
    discussion = _list(Text(), load_default=())
    teacher_notes = Text(load_default="")

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_references(
        self, data: dict[str, Any], original_data: Any, **_: Any
    ) -> None:
        """Ids are unique, and every quote's source is one of the lesson's sources."""
        if not isinstance(original_data, dict):
            return
        errors: dict[str, Any] = {}
        sections = original_data.get("sections")
        _duplicates(sections, "id", "section", "sections", errors)
        sources = _duplicates(
            original_data.get("sources"), "id", "source", "sources", errors
        )
        _duplicates(original_data.get("key_terms"), "term", "term", "key_terms", errors)
        if isinstance(sections, list):
            for i, section in enumerate(sections):
                quote = section.get("quote") if isinstance(section, dict) else None
                ref = quote.get("source") if isinstance(quote, dict) else None
                if isinstance(ref, str) and ref not in sources:
                    errors.setdefault("sections", {}).setdefault(i, {}).setdefault(
                        "quote", {}
                    ).setdefault("source", []).append(_missing_source(ref, sources))
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Lesson:
        """Build the Lesson; Markdown is rendered here, once."""
        notes = data["teacher_notes"]
        return Lesson(
            id=data["id"],
            title=data["title"],
            summary=data["summary"],
            language=data["language"],
            minutes=data["minutes"],
            objectives=tuple(data["objectives"]),
            key_terms=tuple(data["key_terms"]),
            timeline=tuple(data["timeline"]),
            sections=tuple(data["sections"]),
            sources=tuple(data["sources"]),
            discussion=tuple(data["discussion"]),
            teacher_notes=notes,
            teacher_notes_html=markdown.render(notes),
            order=data["order"],
        )


def _missing_source(ref: str, sources: Mapping[str, int]) -> str:
    """Explain a `source:` that names no source of the lesson."""
    if not sources:
        return (
            f"source '{ref}' is not in the lesson's sources; the lesson has no "
            "sources: add one with this id under sources"
        )
    return (
        f"source '{ref}' is not in the lesson's sources ({', '.join(sources)})"
        + did_you_mean(ref, list(sources))
    )


class PoolRefSchema(StrictSchema):
    """Draw questions from another quiz."""

    quiz = Id(required=True)
    draw = StrictInteger(required=True, validate=_in_range("draw", 1, 1000))
    skills = _list(Keyword(sorted(SKILLS)), load_default=())

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PoolRef:
        """Build the PoolRef."""
        return PoolRef(data["quiz"], data["draw"], tuple(data["skills"]))


_TYPE_SCHEMAS: dict[str, Schema] = {}


def type_schema(name: str) -> Schema | None:
    """Return the (cached) schema instance of a registered question type."""
    schema = _TYPE_SCHEMAS.get(name)
    if schema is None:
        qtype = REGISTRY.get(name)
        if qtype is None:
            return None
        schema = _TYPE_SCHEMAS[name] = qtype.schema()
    return schema


class QuestionField(LeanField, fields.Field[Question]):
    """One question, validated by the schema its `type` names in the REGISTRY."""

    def _deserialize(
        self,
        value: Any,
        attr: str | None,
        data: Mapping[str, Any] | None,
        **kwargs: Any,
    ) -> Question:
        if not isinstance(value, dict):
            raise ValidationError(
                "each question is a mapping of keys (id: ..., type: ..., prompt: ...)"
            )
        name = value.get("type")
        if name is None:
            raise ValidationError(
                {
                    "type": [
                        "missing required key 'type'; use one of: "
                        + ", ".join(sorted(REGISTRY))
                    ]
                }
            )
        if not isinstance(name, str):
            raise ValidationError({"type": [describe(name)]})
        schema = type_schema(name)
        if schema is None:
            raise ValidationError(
                {
                    "type": [
                        f'unknown question type "{name}"; use one of: '
                        + ", ".join(sorted(REGISTRY))
                        + did_you_mean(name, sorted(REGISTRY))
                    ]
                }
            )
        question: Question = schema.load(value)
        return question


class QuizSchema(StrictSchema):
    """A quiz file."""

    schema_version = SchemaVersion(
        required=True, error_messages={"required": _SCHEMA_VERSION_REQUIRED}
    )
    id = Id(required=True)
    lesson = Id(load_default=None)
    title = Text(required=True)
    description = Text(load_default="")
    language = Text(load_default="en", validate=_language)
    mode = Keyword(MODES, load_default="practice")
    shuffle = Boolean(load_default=True)
    draw = StrictInteger(load_default=None, validate=_in_range("draw", 1, 1000))
    stratify = Boolean(load_default=False)
    pass_mark = StrictInteger(load_default=70, validate=_in_range("pass_mark", 0, 100))
    time_limit = StrictInteger(
        load_default=None, validate=_in_range("time_limit (minutes)", 1, 600)
    )
    pools = _list(_nested(PoolRefSchema), load_default=())
    questions = _list(QuestionField(), load_default=())

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def check_quiz(self, data: dict[str, Any], original_data: Any, **_: Any) -> None:
        """Question ids are unique; a quiz has questions or pools and a lesson."""
        if not isinstance(original_data, dict):
            return
        errors: dict[str, Any] = {}
        _duplicates(
            original_data.get("questions"), "id", "question", "questions", errors
        )
        _duplicates(original_data.get("pools"), "quiz", "pool", "pools", errors)
        questions = original_data.get("questions")
        pools = original_data.get("pools")
        has_pools = isinstance(pools, list) and bool(pools)
        if not has_pools:
            if "lesson" not in original_data:
                errors.setdefault("_schema", []).append(
                    "missing required key 'lesson'; write the id of the lesson this "
                    "quiz belongs to (only a quiz with pools may leave it out)"
                )
            if questions is None or questions == []:
                errors.setdefault(
                    "questions" if questions == [] else "_schema", []
                ).append(
                    "a quiz needs questions: add a questions list (or pools to draw "
                    "from other quizzes)"
                )
        draw = original_data.get("draw")
        if (
            not has_pools
            and isinstance(questions, list)
            and questions
            and draw.__class__ is int
            and draw > len(questions)
        ):
            errors.setdefault("draw", []).append(
                f"draw is {draw} but the quiz has only {len(questions)} "
                f"question{'s' if len(questions) != 1 else ''}; lower draw or add "
                "questions"
            )
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Quiz:
        """Build the Quiz; own questions are linked to the quiz's lesson."""
        lesson = data["lesson"]
        questions = tuple(_with_lesson(q, lesson) for q in data["questions"])
        return Quiz(
            id=data["id"],
            title=data["title"],
            lesson=lesson,
            questions=questions,
            mode=data["mode"],
            shuffle=data["shuffle"],
            draw=data["draw"],
            stratify=data["stratify"],
            pass_mark=data["pass_mark"],
            time_limit=data["time_limit"],
            description=data["description"],
            language=data["language"],
            pools=tuple(data["pools"]),
        )


def _with_lesson(question: Question, lesson: str | None) -> Question:
    """Return the question with `see_lesson` set to the quiz's lesson."""
    if question.see_lesson != lesson:
        # The object was built by this very load and is not shared yet, so setting
        # the field in place is safe, and it saves a copy per question.
        object.__setattr__(question, "see_lesson", lesson)
    return question


LESSON_SCHEMA = LessonSchema()
QUIZ_SCHEMA = QuizSchema()


def load_lesson(doc: Document) -> Lesson:
    """Validate a parsed lesson file; raise ValidationErrors with positions."""
    return _load(LESSON_SCHEMA, doc, "lesson")  # type: ignore[no-any-return]


def load_quiz(doc: Document) -> Quiz:
    """Validate a parsed quiz file; raise ValidationErrors with positions."""
    return _load(QUIZ_SCHEMA, doc, "quiz")  # type: ignore[no-any-return]


class SchemaErrors(Exception):
    """A file parsed as YAML but does not fit the schema."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _load(schema: Schema, doc: Document, kind: str) -> Any:
    """Load a document with a schema; map errors to positions."""
    if not isinstance(doc.data, dict):
        if doc.data is None:
            message = f"this {kind} file is empty; start it with 'schema_version: 1'"
        else:
            message = (
                f"a {kind} file is a mapping of keys (schema_version: 1, id: ..., "
                "title: ...), not a single value or a list"
            )
        line, col = doc.pos(())
        raise SchemaErrors([ContentError(doc.path, line, col, message)])
    try:
        return schema.load(doc.data)
    except ValidationError as exc:
        raise SchemaErrors(map_errors(exc.messages, schema, doc)) from None


def _flatten(messages: Any, path: YamlPath) -> Iterator[tuple[YamlPath, str]]:
    """Yield (path, message) for every message in marshmallow's nested error dict."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path if key == "_schema" else path + (key,))
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield path, str(messages)


def map_errors(messages: Any, schema: Schema, doc: Document) -> list[ContentError]:
    """Turn marshmallow's error messages into ContentErrors at the right node."""
    errors: list[ContentError] = []
    flat = list(_flatten(messages, ()))
    # A misspelt required key shows up twice (unknown 'titel', missing 'title');
    # the did-you-mean on the unknown key says it all.
    suggested: set[YamlPath] = set()
    for path, message in flat:
        if message == _UNKNOWN and path:
            allowed = allowed_keys(schema, doc.data, path[:-1])
            close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
            if close:
                suggested.add(path[:-1] + (close[0],))
    for path, message in flat:
        if message in (_MISSING, _SCHEMA_VERSION_REQUIRED) and path in suggested:
            continue
        if message == _UNKNOWN and path:
            line, col = doc.key_pos(path)
            key = path[-1]
            allowed = allowed_keys(schema, doc.data, path[:-1])
            hint = did_you_mean(str(key), allowed) if allowed else ""
            if allowed and not hint:
                hint = "; the keys allowed here are: " + ", ".join(allowed)
            message = f"unknown key '{key}'{hint}"
        elif message == _MISSING and path:
            line, col = doc.pos(path[:-1])
            message = f"missing required key '{path[-1]}'"
        else:
            line, col = doc.pos(path)
            if message == "Field may not be null.":
                message = "this is empty; write a value or remove the key"
            elif message == "Invalid input type.":
                message = "expected a mapping of keys (key: value lines)"
            message = fill_raw(message, doc.raw.get(path))
        errors.append(ContentError(doc.path, line, col, message))
    errors.sort()
    return errors


def allowed_keys(schema: Schema, data: Any, path: YamlPath) -> list[str]:
    """Return the keys the schema accepts for the mapping at `path` in `data`."""
    node: Schema | fields.Field[Any] | None = schema
    for part in path:
        data = _child(data, part)
        if isinstance(node, Schema):
            node = node.load_fields.get(str(part))
        elif isinstance(node, fields.List):
            node = node.inner
        else:
            return []
        node = _resolve(node, data)
    return list(node.load_fields) if isinstance(node, Schema) else []


def _child(data: Any, part: Hashable) -> Any:
    """Step into data by key or index; None when it is not there."""
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _resolve(
    node: Schema | fields.Field[Any] | None, data: Any
) -> Schema | fields.Field[Any] | None:
    """Turn a field that holds a mapping into the schema of that mapping."""
    if isinstance(node, fields.Nested):
        schema = node.schema
        return schema if isinstance(schema, Schema) else None
    if isinstance(node, QuestionField):
        name = data.get("type") if isinstance(data, dict) else None
        return type_schema(name) if isinstance(name, str) else None
    return node
