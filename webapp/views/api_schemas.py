"""marshmallow schemas of the JSON API's request and response bodies.

The same classes validate requests, shape responses and feed the OpenAPI document,
so the document cannot drift from what the API does. Response schemas are dumped
from plain dicts: a field that is not declared here never leaves the server, so a
key or a feedback text added to a type's public() view later cannot leak by itself.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from webapp.content.question_types import REGISTRY

QUESTION_TYPES = sorted(REGISTRY)
RESULT_STATES = ["correct", "partial", "incorrect", "unanswered"]
PROGRESS_STATES = ["not_started", "in_progress", "tried", "completed"]

# A posted answer: at most this many fields, and values per field (checkboxes).
MAX_ANSWER_FIELDS = 50
MAX_VALUES_PER_FIELD = 50


class Strict(Schema):
    """A schema that refuses unknown keys (requests) and declares none (responses)."""

    class Meta:
        unknown = RAISE


# Requests ----------------------------------------------------------------------


class StartAttemptRequest(Strict):
    """Body of POST /quizzes/{quiz_id}/attempts (may be empty)."""

    idempotency_key = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{16,64}$"),
        metadata={
            "description": "Sent again with a retried request, it returns the "
            "attempt the first request created instead of a new one."
        },
    )


class AnswerRequest(Strict):
    """Body of POST /attempts/{attempt_id}/answers/{question_id}."""

    answer = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=16)),
        values=fields.List(
            fields.String(), validate=validate.Length(max=MAX_VALUES_PER_FIELD)
        ),
        required=True,
        validate=validate.Length(max=MAX_ANSWER_FIELDS),
        metadata={
            "description": 'Form values by field: "value" for choice, true/false, '
            "short answer and numeric questions (a choice's `value`, several for "
            "multiple choice); the `name` of each item, row or gap for ordering "
            "(a position), matching (an option's `value`) and cloze (the word).",
            "example": {"value": ["1"]},
        },
    )


# Responses ---------------------------------------------------------------------


class ErrorItem(Strict):
    """One problem with a request."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String(allow_none=True, load_default=None)


class ErrorResponse(Strict):
    """Every 4xx answer of the API."""

    errors = fields.List(fields.Nested(ErrorItem), required=True)


class Progress(Strict):
    """The current learner's progress on a quiz."""

    status = fields.String(required=True, validate=validate.OneOf(PROGRESS_STATES))
    best_attempt_id = fields.Integer(required=True, allow_none=True)
    best_percent = fields.Float(required=True, allow_none=True)
    open_attempt_id = fields.Integer(required=True, allow_none=True)


class QuizSummary(Strict):
    """A quiz as listed under its unit."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    lesson = fields.String(required=True, allow_none=True)
    mode = fields.String(required=True, validate=validate.OneOf(["practice", "test"]))
    question_count = fields.Integer(required=True)
    pass_mark = fields.Integer(required=True)
    time_limit = fields.Integer(
        required=True, allow_none=True, metadata={"description": "Minutes."}
    )
    url = fields.String(required=True, metadata={"description": "The HTML page."})
    progress = fields.Nested(Progress, required=True)


class QuizDetail(QuizSummary):
    """A quiz's metadata: never its questions' keys."""

    description = fields.String(required=True)
    language = fields.String(required=True)
    shuffle = fields.Boolean(required=True)


class LessonSummary(Strict):
    """A lesson unit."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    minutes = fields.Integer(required=True)
    url = fields.String(required=True)


class Unit(Strict):
    """A lesson with its quizzes."""

    lesson = fields.Nested(LessonSummary, required=True)
    quizzes = fields.List(fields.Nested(QuizSummary), required=True)


class UnitsResponse(Strict):
    """GET /units."""

    units = fields.List(fields.Nested(Unit), required=True)
    other_quizzes = fields.List(
        fields.Nested(QuizSummary),
        required=True,
        metadata={"description": "Quizzes that belong to no unit (e.g. the final)."},
    )


class Stimulus(Strict):
    """A quoted source shown above a prompt."""

    text = fields.String(required=True)
    by = fields.String(required=True)


class Option(Strict):
    """A choice or a matching option: an opaque value and its text."""

    value = fields.String(required=True)
    text = fields.String(required=True)


class Named(Strict):
    """An ordering item or a matching row: the field name and its text."""

    name = fields.String(required=True)
    text = fields.String(required=True)


class Gap(Strict):
    """A cloze gap: its field name only (never its length)."""

    name = fields.String(required=True)


class PublicQuestion(Strict):
    """What a learner may see of a question before answering it.

    Which optional fields are present depends on `type`.
    """

    n = fields.Integer(required=True, metadata={"description": "1-based position."})
    id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    prompt = fields.String(required=True, metadata={"description": "Inline Markdown."})
    hint = fields.String(required=True, allow_none=True)
    stimulus = fields.Nested(Stimulus, required=True, allow_none=True)
    points = fields.Integer(required=True)
    choices = fields.List(fields.Nested(Option))
    unit = fields.String(allow_none=True)
    integer = fields.Boolean()
    items = fields.List(fields.Nested(Named))
    positions = fields.List(fields.String())
    rows = fields.List(fields.Nested(Named))
    options = fields.List(fields.Nested(Option))
    parts = fields.List(fields.String())
    gaps = fields.List(fields.Nested(Gap))


class SeeLink(Strict):
    """The part of the reading that explains a question."""

    url = fields.String(required=True)
    title = fields.String(required=True, allow_none=True)


class QuestionResult(Strict):
    """A graded question: only once it is answered (practice) or submitted."""

    state = fields.String(required=True, validate=validate.OneOf(RESULT_STATES))
    correct = fields.Boolean(required=True)
    heading = fields.String(required=True)
    points = fields.Float(required=True)
    max_points = fields.Float(required=True)
    your_answer = fields.String(required=True, allow_none=True)
    right_answer = fields.String(required=True)
    feedback = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Sanitized inline HTML."},
    )
    explanation = fields.String(
        required=True, metadata={"description": "Sanitized inline HTML."}
    )
    see = fields.Nested(SeeLink, required=True, allow_none=True)


class AttemptQuestion(PublicQuestion):
    """A question of an attempt, with the learner's answer state."""

    answered = fields.Boolean(required=True)
    your_answer = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The learner's own stored answer, in words."},
    )
    result = fields.Nested(QuestionResult, required=True, allow_none=True)


class AttemptResponse(Strict):
    """An attempt: its questions in display order and, once submitted, the score."""

    id = fields.Integer(required=True)
    quiz_id = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(["practice", "test"]))
    status = fields.String(
        required=True, validate=validate.OneOf(["open", "submitted"])
    )
    started_at = fields.DateTime(required=True)
    deadline = fields.DateTime(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    score = fields.Float(required=True, allow_none=True)
    max_score = fields.Float(required=True, allow_none=True)
    percent = fields.Float(required=True, allow_none=True)
    passed = fields.Boolean(required=True, allow_none=True)
    pass_mark = fields.Integer(required=True)
    questions = fields.List(fields.Nested(AttemptQuestion), required=True)
    url = fields.String(required=True, metadata={"description": "The HTML page."})


class AnswerResponse(Strict):
    """What saving one answer did; `result` and `html` only in practice mode."""

    question_id = fields.String(required=True)
    status = fields.String(
        required=True, validate=validate.OneOf(["graded", "saved", "cleared"])
    )
    tries = fields.Integer(required=True)
    result = fields.Nested(QuestionResult, required=True, allow_none=True)
    html = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The feedback block as the question page renders it "
            "(for the page's own script)."
        },
    )


RESPONSE_SCHEMAS: dict[str, type[Schema]] = {
    "Error": ErrorResponse,
    "Units": UnitsResponse,
    "Quiz": QuizDetail,
    "Attempt": AttemptResponse,
    "AnswerResult": AnswerResponse,
}
REQUEST_SCHEMAS: dict[str, type[Schema]] = {
    "StartAttemptRequest": StartAttemptRequest,
    "AnswerRequest": AnswerRequest,
}
