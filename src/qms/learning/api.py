"""The feedback API: another system (a Friends and Family Test survey tool) posts comments with
an integration key, as quality control's observations API does (the same keys, made under
Control > unit > Integrations, reaching the key's unit and the units below it).

`POST /learn/api/v1/feedback` with `{"comments": [{"date", "text", "service", "rating",
"source", "question", "reference", "unit"}, ...], "skip_repeats": false}`: 201 with the counts
and redactions, 400 with every problem by row and field (nothing saved), 401 without a live
key, 413 for a body beyond DATA_UPLOAD_MAX_MEMORY_SIZE, 415 for a body not sent as JSON."""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from qms.control import services as control_services
from qms.learning.services import feedback as services


def _errors(problems, status=400) -> JsonResponse:
    return JsonResponse(
        {
            "errors": [
                {"row": problem.row or None, "field": problem.field, "message": problem.message}
                for problem in problems
            ]
        },
        status=status,
    )


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


@csrf_exempt  # authenticated by a key in a header, never by a cookie, so CSRF cannot apply
@require_POST
def feedback(request):
    token = control_services.integration_token(request.headers.get("Authorization"))
    if token is None:
        response = JsonResponse(
            {"error": "Send a live integration key: Authorization: Bearer <key>."}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="qms"'
        return response
    if not _is_json(request.content_type):
        return JsonResponse(
            {"error": "Send the body as JSON, with Content-Type: application/json."}, status=415
        )
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        return JsonResponse(
            {"error": "The body is too large: send fewer comments per request."}, status=413
        )
    except (ValueError, UnicodeDecodeError):
        return _errors([services.Problem(0, "body", "the body is not valid JSON")])
    except RecursionError:
        return _errors([services.Problem(0, "body", "the body is nested too deeply to read")])
    if not isinstance(body, dict):
        return _errors([services.Problem(0, "body", 'send an object: {"comments": [...]}')])
    skip = body.get("skip_repeats", False)
    if not isinstance(skip, bool):
        return _errors([services.Problem(0, "skip_repeats", "must be true or false")])
    comments, problems = services.comments_from_json(body.get("comments"))
    try:
        result = services.feedback_import(
            by=None,  # the integration: the key's unit and below only, by the unit column
            unit=token.unit,
            comments=comments,
            problems=problems,
            via_api=token.name,
            skip_repeats=skip,
        )
    except services.FeedbackRefused as refused:
        return _errors(refused.problems)
    return JsonResponse(
        {
            "import": result.batch.pk,
            "created": result.created,
            "skipped": result.skipped,
            "redactions": result.redactions,
            "redacted_comments": result.redacted_comments,
        },
        status=201,
    )
