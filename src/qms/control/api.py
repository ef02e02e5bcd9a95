"""The observations API: other systems post values with an integration key (see tokens.py).

The same checks as the upload page and the import command (qms.control.imports), answered in
JSON: 201 saved, 400 with every problem by row and field, 409 when periods already hold other
values and replacing was not asked for (also when another request saved the same period at the
same moment), 401 without a live key, 413 for a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE
(qms.web.request_size), 415 for a body not sent as JSON (Content-Type: application/json). Notes
and the reason are screened by qms.web.screening: control characters and NHS or CHI numbers are
refused, and so is what a page would ask a person to confirm (a date of birth, a title and
name), since no one can confirm it here. A measure code that does not exist and one of a unit the
key may not write to get the same answer. Described by OPENAPI below, served at
/control/api/v1/openapi.json.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from qms.control import imports
from qms.control.services import ObservationConflict
from qms.control.tokens import authenticate_token
from qms.web import screening

# A request is checked and saved in one go; larger loads belong in several requests or a file.
MAX_OBSERVATIONS = 10_000
# The reason kept in history, as long as the upload page allows.
REASON_MAX_LENGTH = 500


def _errors(problems, status=400) -> JsonResponse:
    return JsonResponse(
        {
            "errors": [
                {"row": problem.row or None, "field": problem.column, "message": problem.message}
                for problem in problems
            ]
        },
        status=status,
    )


def _is_json(content_type: str) -> bool:
    """application/json, or a type of JSON such as application/merge-patch+json."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _unauthorised() -> JsonResponse:
    response = JsonResponse(
        {"error": "Send a live integration key: Authorization: Bearer <key>."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="qms"'
    return response


@csrf_exempt  # authenticated by a key in a header, never by a cookie, so CSRF cannot apply
@require_POST
def observations(request):
    token = authenticate_token(request.headers.get("Authorization"))
    if token is None:
        return _unauthorised()
    if not _is_json(request.content_type):
        return JsonResponse(
            {"error": "Send the body as JSON, with Content-Type: application/json."}, status=415
        )
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        return JsonResponse(
            {"error": "The body is too large: send fewer observations per request."}, status=413
        )
    except (ValueError, UnicodeDecodeError):
        return _errors([imports.Problem(0, "body", "the body is not valid JSON")])
    except RecursionError:  # "[[[[..." a hundred thousand deep: no observations look so
        return _errors([imports.Problem(0, "body", "the body is nested too deeply to read")])
    if not isinstance(body, dict):
        return _errors([imports.Problem(0, "body", 'send an object: {"observations": [...]}')])
    items = body.get("observations")
    replace = body.get("replace", False)
    reason = body.get("reason", "")
    problems = []
    if not isinstance(replace, bool):
        problems.append(imports.Problem(0, "replace", "must be true or false"))
    if not isinstance(reason, str):
        problems.append(imports.Problem(0, "reason", "must be a string"))
    elif len(reason) > REASON_MAX_LENGTH:  # before it is screened
        problems.append(
            imports.Problem(0, "reason", f"is longer than {REASON_MAX_LENGTH} characters")
        )
    if isinstance(items, list) and len(items) > MAX_OBSERVATIONS:
        problems.append(
            imports.Problem(
                0, "observations", f"send at most {MAX_OBSERVATIONS:,} observations a request"
            )
        )
    if problems:
        return _errors(problems)
    records, problems = imports.records_from_json(items)
    # The reason is kept in history: screened as the notes are, and reported with them.
    problems += [
        imports.Problem(0, "reason", message)
        for message in screening.problems_without_prompt(reason, label="the reason")
    ]
    checked = imports.preview(records, scope=imports.UnitScope(token.unit), problems=problems)
    if checked.problems:
        return _errors(checked.problems)
    if checked.conflicts and not replace:
        return _conflicts(checked.conflicts)
    # History names the integration, since no person is behind the request.
    done = "Replaced" if checked.conflicts else "Recorded"
    reason = f"{reason.strip() or done} (integration “{token.name}”)"
    try:
        summary = imports.commit(checked, by=None, replace=replace, reason=reason)
    except ObservationConflict as conflict:  # values recorded since they were checked
        return _conflicts(
            [
                imports.Conflict(row, old.value, old.denominator, old.note)
                for row, old in conflict.conflicts
            ]
        )
    except ValidationError as error:  # pragma: no cover - preview found these already
        return _errors([imports.Problem(0, "observations", message) for message in error.messages])
    return JsonResponse(
        {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "measures": summary.measures,
        },
        status=201,
    )


def _conflicts(conflicts) -> JsonResponse:
    return JsonResponse(
        {
            "error": "These periods already hold other values. Send again with "
            '"replace": true and a "reason" to replace them; the old values are kept in history.',
            "conflicts": [
                {
                    "row": conflict.new.row,
                    "measure": conflict.new.measure.code,
                    "period": conflict.new.period.isoformat(),
                    "old": {
                        "value": conflict.old_value,
                        "denominator": conflict.old_denominator,
                        "note": conflict.old_note,
                    },
                    "new": {
                        "value": conflict.new.value,
                        "denominator": conflict.new.denominator,
                        "note": conflict.new.note,
                    },
                }
                for conflict in conflicts
            ],
        },
        status=409,
    )


@require_GET
def openapi(request):
    # The server's base is where the URLconf puts the API, never a path written here.
    base = reverse("control:api-observations").rsplit("/", 1)[0]
    document = {**OPENAPI, "servers": [{"url": base}]}
    return JsonResponse(document, json_dumps_params={"indent": 2})


_PROBLEM = {
    "type": "object",
    "required": ["row", "field", "message"],
    "properties": {
        "row": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Position in the observations array, from 1; null for the body.",
        },
        "field": {"type": "string", "examples": ["period"]},
        "message": {"type": "string", "examples": ["'2025-13' is not a period"]},
    },
}
_VALUES = {
    "type": "object",
    "properties": {
        "value": {"type": "number"},
        "denominator": {"type": ["number", "null"]},
        "note": {"type": "string"},
    },
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "QMS observations API",
        "version": "1.0.0",
        "description": (
            "Post the values of quality measures from another system. Each request is checked "
            "as a whole and saved all or nothing. A period that already holds a different value "
            "is replaced only when the request says so, and the old value stays in the "
            "measure's history. Keys are made per integration by a unit's team lead, quality "
            "lead or analyst (Control > unit > Integrations) and reach that unit and the units "
            "below it."
        ),
    },
    "components": {
        "securitySchemes": {
            "integrationKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "An integration key, shown once when it is made: qms_…",
            }
        },
        "schemas": {
            "Observation": {
                "type": "object",
                "required": ["measure", "period", "value"],
                "properties": {
                    "measure": {
                        "type": "string",
                        "description": "The measure's code.",
                        "examples": ["ward-7-falls"],
                    },
                    "period": {
                        "type": "string",
                        "description": (
                            "Any date in the period (2025-03-14), or a month (2025-03), ISO "
                            "week (2025-W11) or quarter (2025-Q1) to suit the measure."
                        ),
                        "examples": ["2025-03"],
                    },
                    "value": {
                        "type": ["number", "string"],
                        "description": "The value, or the numerator of a proportion or rate.",
                    },
                    "denominator": {
                        "type": ["number", "string", "null"],
                        "description": "Needed by P, P′, U and U′ charts.",
                    },
                    "note": {
                        "type": "string",
                        "maxLength": 500,
                        "description": (
                            "Free text about the value. No patient identifiers: NHS or CHI "
                            "numbers, dates of birth and titles with names are refused."
                        ),
                    },
                },
            },
            "Problem": _PROBLEM,
            "Conflict": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "measure": {"type": "string"},
                    "period": {"type": "string", "format": "date"},
                    "old": _VALUES,
                    "new": _VALUES,
                },
            },
        },
    },
    "paths": {
        "/observations": {
            "post": {
                "operationId": "postObservations",
                "summary": "Record observations, all or nothing",
                "security": [{"integrationKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["observations"],
                                "properties": {
                                    "observations": {
                                        "type": "array",
                                        "maxItems": MAX_OBSERVATIONS,
                                        "items": {"$ref": "#/components/schemas/Observation"},
                                    },
                                    "replace": {
                                        "type": "boolean",
                                        "default": False,
                                        "description": "Replace values already recorded.",
                                    },
                                    "reason": {
                                        "type": "string",
                                        "maxLength": REASON_MAX_LENGTH,
                                        "description": "Why values are replaced (history).",
                                    },
                                },
                            },
                            "example": {
                                "observations": [
                                    {
                                        "measure": "ward-7-falls",
                                        "period": "2025-03",
                                        "value": 3,
                                        "denominator": 812,
                                        "note": "",
                                    }
                                ],
                                "replace": False,
                            },
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Saved.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "created": {"type": "integer"},
                                        "updated": {"type": "integer"},
                                        "unchanged": {"type": "integer"},
                                        "measures": {"type": "integer"},
                                    },
                                }
                            }
                        },
                    },
                    "400": {
                        "description": "Nothing saved: every problem, by row and field.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "errors": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Problem"},
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "401": {"description": "No key, or a key that is unknown or revoked."},
                    "415": {
                        "description": "The body was not sent as application/json.",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"error": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "409": {
                        "description": (
                            "Nothing saved: periods already hold other values and replace was "
                            "not true."
                        ),
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "error": {"type": "string"},
                                        "conflicts": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/Conflict"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "413": {
                        "description": "The body is larger than the limit (8 MB by default).",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"error": {"type": "string"}},
                                }
                            }
                        },
                    },
                },
            }
        }
    },
}
