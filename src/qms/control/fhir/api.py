"""The FHIR R4 endpoints at /fhir/r4/: a NinjaAPI of its own, answering application/fhir+json,
with the API's keys (qms.web.api.KeyAuth: a unit, read or write, an expiry, a rate limit) and
every error as an OperationOutcome (401, 403, 404, 405, 409, 413, 415, 429 too).

The views are thin: `search` reads, `intake` records through control's import checks and
`services.observations_save`.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from qms.control.fhir import intake, resources, search
from qms.control.fhir.resources import MEDIA_TYPE, Issue
from qms.web.api import KeyAuth, RateLimited, ReadOnlyKey

_CONTENT_TYPE = f"{MEDIA_TYPE}; charset=utf-8"
_JSON_TYPES = {MEDIA_TYPE, "application/json"}
_OTHER_METHODS = ["DELETE", "PATCH"]


class FhirRenderer(JSONRenderer):
    media_type = MEDIA_TYPE


api = NinjaAPI(
    title="QMS FHIR R4",
    version="r4",
    urls_namespace="fhir",
    auth=KeyAuth(),
    renderer=FhirRenderer(),
    docs_url=None,  # the CapabilityStatement at /metadata says what the server does
    openapi_url=None,
)


def fhir_response(resource: dict, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False), status=status, content_type=_CONTENT_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(issues: list[Issue], status: int, **headers: str) -> HttpResponse:
    return fhir_response(resources.operation_outcome(issues), status, **headers)


def _one(code: str, message: str, status: int, expression: str | None = None, **headers: str):
    return outcome([Issue(code, message, expression)], status, **headers)


# Errors, each an OperationOutcome -------------------------------------------------------------


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return _one(
        "login",
        "Send a live API key: Authorization: Bearer <key>.",
        401,
        "Authorization",
        WWW_Authenticate='Bearer realm="qms"',
    )


@api.exception_handler(ReadOnlyKey)
def _read_only(request, exc):
    return _one("forbidden", "This key may only read: ask for a key that may write.", 403)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _one("forbidden", str(exc) or "The key's role does not allow this here.", 403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _one("not-found", "Not found, or not in the units this key may see.", 404)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return _one(
        "throttled",
        f"Too many requests for this key: try again in {exc.retry_after} s.",
        429,
        Retry_After=str(exc.retry_after),
    )


@api.exception_handler(search.SearchProblem)
def _bad_search(request, exc):
    return outcome(exc.issues, 400)


@api.exception_handler(intake.Refused)
def _refused(request, exc):
    return outcome(exc.issues, exc.status)


@api.exception_handler(NinjaValidationError)
def _invalid(request, exc):
    return _one("invalid", "The request could not be read.", 400)


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return _one("processing", str(exc), exc.status_code)


# The server ----------------------------------------------------------------------------------


@api.get("/metadata", auth=None)
def metadata(request):
    """The CapabilityStatement: public, as FHIR clients read it before they authenticate."""
    return fhir_response(resources.capability_statement())


def _searchset(request, resource_type: str, found: search.Found) -> HttpResponse:
    params = request.GET
    return fhir_response(
        resources.searchset(
            found.resources,
            total=found.total,
            self_url=search.page_url(resource_type, params, params.get("_cursor")),
            next_url=(
                search.page_url(resource_type, params, found.next_cursor)
                if found.next_cursor
                else None
            ),
        )
    )


@api.get("/Measure")
def measure_search(request):
    return _searchset(request, "Measure", search.measure_search(request.user, request.GET))


@api.get("/Measure/{measure_id}")
def measure_read(request, measure_id: str):
    return fhir_response(resources.measure_resource(search.measure_read(request.user, measure_id)))


@api.get("/MeasureReport")
def report_search(request):
    return _searchset(request, "MeasureReport", search.report_search(request.user, request.GET))


@api.get("/MeasureReport/{report_id}")
def report_read(request, report_id: str):
    return fhir_response(search.report_read(request.user, report_id))


@api.post("/MeasureReport")
def report_create(request):
    """Record one period's value (or a transaction Bundle's): 201 with the stored report."""
    return _record(request)


@api.post("/")
def transaction(request):
    """A transaction Bundle posted to the base, as FHIR clients send one."""
    return _record(request)


@api.put("/MeasureReport/{report_id}")
def report_update(request, report_id: str):
    """Record or replace the value of the report's period (its id: measure and period)."""
    return _record(request, put_id=report_id)


def _body(request):
    content_type = request.content_type or ""
    if content_type not in _JSON_TYPES:
        raise intake.Refused(
            [Issue("not-supported", f"Send {MEDIA_TYPE} (or application/json).", "Content-Type")],
            415,
        )
    try:
        return json.loads(request.body)
    except RequestDataTooBig:
        raise intake.Refused(
            [Issue("too-costly", "The body is too large: send fewer reports a request.")], 413
        ) from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise intake.Refused([Issue("structure", "The body is not valid JSON.")], 400) from None


def _record(request, put_id: str | None = None) -> HttpResponse:
    body = _body(request)
    entries = intake.entries_of(body, put_id=put_id)
    measures: dict = {}  # each measure looked up once, however many reports name it
    for entry, report in zip(entries, intake.resources_of(body, entries), strict=True):
        intake.read_entry(request.user, entry, report, measures)
    checked = intake.check(request.user, entries)
    saved = intake.save(request.user, entries, checked)
    if body.get("resourceType") == "Bundle":
        return fhir_response(_transaction_response(saved))
    (report,), (created,) = saved.reports, saved.created
    location = f"{resources.server_base()}/MeasureReport/{report['id']}"
    return fhir_response(report, 201 if created else 200, Location=location)


def _transaction_response(saved: intake.Saved) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [
            {
                "fullUrl": f"{resources.server_base()}/MeasureReport/{report['id']}",
                "resource": report,
                "response": {
                    "status": "201 Created" if created else "200 OK",
                    "location": f"MeasureReport/{report['id']}",
                },
            }
            for report, created in zip(saved.reports, saved.created, strict=True)
        ],
    }


# Whatever else is asked: an OperationOutcome, never a page ------------------------------------


def _not_allowed(request) -> HttpResponse:
    return _one("not-supported", f"{request.method} is not supported here.", 405)


def _refuse_other_methods(path: str, methods: list[str]) -> None:
    if "{measure_id}" in path:

        def view(request, measure_id: str):
            return _not_allowed(request)
    elif "{report_id}" in path:

        def view(request, report_id: str):
            return _not_allowed(request)
    else:

        def view(request):
            return _not_allowed(request)

    api.api_operation(methods, path, auth=None, include_in_schema=False)(view)


_refuse_other_methods("/metadata", ["POST", "PUT", *_OTHER_METHODS])
_refuse_other_methods("/Measure", ["POST", "PUT", *_OTHER_METHODS])
_refuse_other_methods("/Measure/{measure_id}", ["POST", "PUT", *_OTHER_METHODS])
_refuse_other_methods("/MeasureReport", ["PUT", *_OTHER_METHODS])
_refuse_other_methods("/MeasureReport/{report_id}", ["POST", *_OTHER_METHODS])


@api.api_operation(["GET", "POST", "PUT", "DELETE", "PATCH"], "/{path:rest}", auth=None)
def unknown(request, rest: str):
    return _one(
        "not-supported",
        "This server has Measure, MeasureReport and metadata only (see /fhir/r4/metadata).",
        404,
    )
