"""Requests too large to read get a clear answer, before anything reads them.

Django refuses a form body beyond DATA_UPLOAD_MAX_MEMORY_SIZE by raising RequestDataTooBig
wherever the body is first read (often the CSRF check), which ends as the generic "bad request"
page; and it reads an uploaded file of any size to a temporary file before a view can look at
it. Here the declared length is compared with the limits first: 413 with what the limit is, as
a page or, for the API, as JSON. Django's request stream never reads beyond the declared length,
so a body cannot be longer than it says.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

# Room for the other fields of a form that carries a file (the CSRF token, a key).
_FORM_ALLOWANCE = 64 * 1024


def max_upload_bytes() -> int:
    """The largest file a person may upload through a page (settings.QMS_MAX_UPLOAD_BYTES)."""
    return settings.QMS_MAX_UPLOAD_BYTES


class RequestSizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            limit = max_upload_bytes() + _FORM_ALLOWANCE
        else:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _too_large(request, limit, file=request.content_type == "multipart/form-data")
        if request.method == "POST" and request.content_type in (
            "multipart/form-data",
            "application/x-www-form-urlencoded",
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
        return self.get_response(request)


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
        if _wants_json(request):
            message += " Send fewer observations per request."
    return _refused(request, 413, message)


def _wants_json(request) -> bool:
    return "/api/" in request.path or request.content_type == "application/json"


def _refused(request, status: int, message: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(request, "web/request_refused.html", {"message": message}, status=status)
