"""Requests too large to read get a clear answer, before anything reads them.

Django refuses a form body beyond DATA_UPLOAD_MAX_MEMORY_SIZE by raising RequestDataTooBig
wherever the body is first read (often the CSRF check), which ends as the generic "bad request"
page; and it reads an uploaded file of any size to a temporary file before a view can look at
it. Here the declared length is compared with the limits first: 413 with what the limit is, as
a page or, for the API, as JSON. Django's request stream never reads beyond the declared length,
so a body cannot be longer than it says.

Forms posted to pages are parsed here too, so that a form with too many fields, or a multipart
body that cannot be parsed (no boundary), gets a clear page. Never the API's: it reads its body
as JSON, which it cannot once the form parser has read the stream, and it answers a body not
sent as JSON itself (415, in JSON).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve

# Room for the other fields of a form that carries a file (the CSRF token, a key).
_FORM_ALLOWANCE = 64 * 1024


def max_upload_bytes() -> int:
    """The largest file a person may upload through a page (settings.QMS_MAX_UPLOAD_BYTES),
    unless its view declares its own (see `_view_upload_limit`)."""
    return settings.QMS_MAX_UPLOAD_BYTES


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        api = _is_api(request)
        file = request.content_type == "multipart/form-data" and not api
        own_limit = _view_upload_limit(request) if file else None
        if own_limit is not None:
            limit = own_limit + _FORM_ALLOWANCE
        elif file:
            limit = max_upload_bytes() + _FORM_ALLOWANCE
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            if own_limit is not None:
                return _refused(
                    request,
                    413,
                    f"The file is too large: the limit is {filesizeformat(own_limit)}. Nothing "
                    "was saved.",
                )
            return _too_large(request, limit, file=file)
        if (
            request.method == "POST"
            and not api
            and request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded")
        ):
            try:
                request.POST  # noqa: B018 - parsed here, where a refusal can be explained
            except RequestDataTooBig:  # the fields, files aside, are beyond the limit
                return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, file=False)
            except (TooManyFieldsSent, TooManyFilesSent):
                return _refused(
                    request,
                    400,
                    "The form sent more fields or files than any page of QMS has. Nothing was "
                    "saved.",
                )
            except MultiPartParserError:  # e.g. no boundary: not a form a browser sent
                return _refused(
                    request,
                    400,
                    "The form could not be read: it was not sent the way a browser sends a "
                    "form. Nothing was saved.",
                )
        return self.get_response(request)


def _view_upload_limit(request) -> int | None:
    """The file size a view takes, when it declares its own (a function attribute
    `max_upload_bytes`, a callable: the attachments' limit is not the data upload's)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    declared = getattr(match.func, "max_upload_bytes", None)
    return declared() if declared is not None else None


def _too_large(request, limit: int, *, file: bool):
    if file:
        message = (
            f"The file is too large: the limit is {filesizeformat(max_upload_bytes())}. Nothing "
            "was saved. Split it into smaller files, or ask an administrator to load it with "
            "`qms import-observations`."
        )
    else:
        message = (
            f"The request is too large: the limit is {filesizeformat(limit)}. Nothing was saved."
        )
        if _is_fhir(request):
            message += " Send fewer reports per request."
        elif _wants_json(request):
            message += " Send fewer observations per request."
    return _refused(request, 413, message)


def _is_api(request) -> bool:
    return "/api/" in request.path or _is_fhir(request)


def _wants_json(request) -> bool:
    return _is_api(request) or request.content_type == "application/json"


def _is_fhir(request) -> bool:
    return request.path.startswith("/fhir/")


def _refused(request, status: int, message: str):
    if _is_fhir(request):  # FHIR clients read every error as an OperationOutcome
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "too-costly", "diagnostics": message}],
        }
        return JsonResponse(outcome, status=status, content_type="application/fhir+json")
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, "web/request_refused.html", {"message": message}, status=status)
