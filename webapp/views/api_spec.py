"""The OpenAPI 3 document of /api/v1, built by apispec from the API's own schemas."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from webapp.views import api_schemas as s
from webapp.views.api import MAX_ID

PREFIX = "/api/v1"

# status -> (component name, description)
ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "BadRequest",
        "The body is not JSON, or the X-CSRFToken header is missing or wrong.",
    ),
    404: ("NotFound", "No such quiz, attempt of this learner, or question in it."),
    405: ("MethodNotAllowed", "The path does not take this method."),
    409: ("Conflict", "The attempt is submitted or out of time, or content changed."),
    413: ("TooLarge", "The body is larger than the server accepts."),
    422: (
        "Unprocessable",
        "The body does not match the schema or the answer "
        "cannot be read (see `errors`).",
    ),
}

CSRF_HEADER: dict[str, Any] = {
    "in": "header",
    "name": "X-CSRFToken",
    "required": True,
    "description": 'The token of the page\'s <meta name="csrf-token">, tied to '
    "the session cookie.",
    "schema": {"type": "string"},
}
QUIZ_ID: dict[str, Any] = {
    "in": "path",
    "name": "quiz_id",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
}
ATTEMPT_ID: dict[str, Any] = {
    "in": "path",
    "name": "attempt_id",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID},
}
QUESTION_ID: dict[str, Any] = {
    "in": "path",
    "name": "question_id",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"},
}


def _ok(status: int, schema: str, description: str) -> dict[str, Any]:
    return {
        str(status): {
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"$ref": f"#/components/responses/{ERRORS[c][0]}"} for c in codes}


def _body(schema: str, required: bool = True) -> dict[str, Any]:
    return {
        "required": required,
        "content": {"application/json": {"schema": schema}},
    }


@lru_cache(maxsize=1)
def build_spec() -> dict[str, Any]:
    """Return the OpenAPI document as a dict (built once per process)."""
    spec = APISpec(
        title="Interwar Lessons API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Units, quizzes and attempts of the learner named by "
            "the signed session cookie (the same as the HTML pages). Keys, "
            "feedback and explanations appear only for answered questions in "
            "practice mode or once an attempt is submitted."
        },
    )
    for name, schema in {**s.RESPONSE_SCHEMAS, **s.REQUEST_SCHEMAS}.items():
        spec.components.schema(name, schema=schema)
    for name, description in ERRORS.values():
        spec.components.response(
            name,
            {
                "description": description,
                "content": {"application/json": {"schema": "Error"}},
            },
        )

    spec.path(
        path=f"{PREFIX}/units",
        operations={
            "get": {
                "operationId": "listUnits",
                "summary": "Lesson units with their quizzes and the learner's progress",
                "responses": {**_ok(200, "Units", "The units."), **_errors(405)},
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/quizzes/{{quiz_id}}",
        parameters=[QUIZ_ID],
        operations={
            "get": {
                "operationId": "getQuiz",
                "summary": "A quiz's metadata, without questions or answers",
                "responses": {**_ok(200, "Quiz", "The quiz."), **_errors(404, 405)},
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/quizzes/{{quiz_id}}/attempts",
        parameters=[QUIZ_ID],
        operations={
            "post": {
                "operationId": "startAttempt",
                "summary": "Start an attempt: its questions in display order",
                "parameters": [CSRF_HEADER],
                "requestBody": _body("StartAttemptRequest", required=False),
                "responses": {
                    **_ok(201, "Attempt", "The new (or idempotently found) attempt."),
                    **_errors(400, 404, 405, 409, 413, 422),
                },
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/attempts/{{attempt_id}}",
        parameters=[ATTEMPT_ID],
        operations={
            "get": {
                "operationId": "getAttempt",
                "summary": "The attempt; results for answered (practice) or "
                "submitted questions only",
                "responses": {
                    **_ok(200, "Attempt", "The attempt."),
                    **_errors(404, 405, 409),
                },
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/attempts/{{attempt_id}}/answers/{{question_id}}",
        parameters=[ATTEMPT_ID, QUESTION_ID],
        operations={
            "post": {
                "operationId": "answerQuestion",
                "summary": "Save one answer; practice mode grades it at once",
                "parameters": [CSRF_HEADER],
                "requestBody": _body("AnswerRequest"),
                "responses": {
                    **_ok(200, "AnswerResult", "Graded (practice) or saved (test)."),
                    **_errors(400, 404, 405, 409, 413, 422),
                },
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/attempts/{{attempt_id}}/submit",
        parameters=[ATTEMPT_ID],
        operations={
            "post": {
                "operationId": "submitAttempt",
                "summary": "Grade and close the attempt (idempotent)",
                "parameters": [CSRF_HEADER],
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {},
                            }
                        }
                    },
                },
                "responses": {
                    **_ok(200, "Attempt", "The submitted attempt with its result."),
                    **_errors(400, 404, 405, 409, 413, 422),
                },
            }
        },
    )
    spec.path(
        path=f"{PREFIX}/openapi.json",
        operations={
            "get": {
                "operationId": "getOpenAPI",
                "summary": "This document",
                "responses": {
                    "200": {
                        "description": "The OpenAPI document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors(405),
                },
            }
        },
    )
    return spec.to_dict()
