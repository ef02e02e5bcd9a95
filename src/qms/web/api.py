"""The API's kit, shared by every area's `api.py` router (assembled in qms.config.api):

- `KeyAuth`: a key in `Authorization: Bearer <key>` (qms.people.keys), limited to reading unless
  it may write, and to `QMS_API_REQUESTS_PER_MINUTE` calls a minute (429 with Retry-After). The
  request then acts as the key's account, so views call the pages' services with
  `by=request.user` and the same permission checks apply.
- One shape for every error: `{"errors": [{"field": ..., "message": ...}]}`, the field named
  where one is to blame (`install_error_handlers`).
- Cursor pagination (`Page`, `paginate`) and the filters every list takes (`ListFilters`):
  `unit` (that unit and the units below it) and `since`/`until` on the list's date.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import time
from collections.abc import Iterable
from typing import Annotated, Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from qms.people import access, keys
from qms.people.models import ApiKey, Unit
from qms.web import screening

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


# Errors ---------------------------------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after


class ReadOnlyKey(Exception):
    pass


class ApiProblem(Exception):
    """Bad input found by a view, named by field: answered 400 (or `status`)."""

    def __init__(self, field: str | None, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


class ErrorItem(Schema):
    field: str | None = Field(None, description="The field to blame, when one is.")
    message: str


class PersonRef(Schema):
    """A person as the API names them: id and name, nothing more."""

    id: int
    name: str = Field(..., alias="display_name")


class Errors(Schema):
    """Every error has this shape."""

    errors: list[ErrorItem]


def errors_response(api, request, errors: Iterable[tuple[str | None, str]], status: int):
    body = {"errors": [{"field": field, "message": message} for field, message in errors]}
    return api.create_response(request, body, status=status)


def _field_of(location: Iterable) -> str | None:
    """ninja's error location ("body", "payload", "name") as the field an integrator sent:
    `name`, `items.3.value`; None for the body as a whole."""
    parts = [str(part) for part in location]
    while parts and parts[0] in {"body", "query", "path", "header", "payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _django_errors(error: DjangoValidationError) -> list[tuple[str | None, str]]:
    if hasattr(error, "error_dict"):
        return [
            (None if field == "__all__" else field, message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in error.messages]


def install_error_handlers(api) -> None:
    """Answer every failure in the one shape, never with a server error for bad input."""

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc):
        return errors_response(
            api,
            request,
            [
                (_field_of(error.get("loc", ())), error.get("msg", "is not valid"))
                for error in exc.errors
            ],
            400,
        )

    @api.exception_handler(DjangoValidationError)
    def refused(request, exc):
        return errors_response(api, request, _django_errors(exc), 400)

    @api.exception_handler(ApiProblem)
    def problem(request, exc):
        return errors_response(api, request, [(exc.field, exc.message)], exc.status)

    @api.exception_handler(AuthenticationError)
    def unauthorised(request, exc):
        response = errors_response(
            api,
            request,
            [("Authorization", "Send a live API key: Authorization: Bearer <key>.")],
            401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="qms"'
        return response

    @api.exception_handler(ReadOnlyKey)
    def read_only(request, exc):
        return errors_response(
            api, request, [(None, "This key may only read: ask for a key that may write.")], 403
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        message = str(exc) or "The key's role does not allow this here."
        return errors_response(api, request, [(None, message)], 403)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return errors_response(
            api, request, [(None, "Not found, or not in the units this key may see.")], 404
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return errors_response(api, request, [(None, str(exc))], exc.status_code)

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc):
        response = errors_response(
            api,
            request,
            [(None, f"Too many requests for this key: try again in {exc.retry_after} s.")],
            429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response


# The document ---------------------------------------------------------------------------------

# The largest id a database column holds (a signed 64-bit integer): a larger one finds nothing.
MAX_ID = 2**63 - 1
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


# What any operation may answer, whatever its route declares (found by fuzzing the document
# with Schemathesis, tests/api/test_fuzz.py): the key is checked, and counted, before the view
# runs, and a read-only key is refused before it writes.
SHARED_ANSWERS = {
    "400": "Bad parameters or body, each named by field.",
    "401": "No live API key.",
    "429": "Too many calls for this key this minute: see Retry-After.",
}


class Api(NinjaAPI):
    """The NinjaAPI whose generated document is exact about what every operation may answer:
    the shared errors (401 without a key, 429 past the rate limit, 400 for bad input, 403 for a
    read-only key's write) on every operation, and ids in paths as the URLs take them (digits,
    at most a 64-bit integer)."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Errors" not in schemas:
            errors = Errors.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(errors.pop("$defs", {}))
            schemas["Errors"] = errors
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                _document_shared_answers(method, operation)
        return schema


def _document_shared_answers(method: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    # ninja keys a route's answers by number, OpenAPI by text: one key per status, or the
    # document holds "400" twice and a strict reader refuses it.
    for status in [status for status in responses if not isinstance(status, str)]:
        responses[str(status)] = responses.pop(status)
    answers = dict(SHARED_ANSWERS)
    if method in WRITE_METHODS:
        answers["403"] = "The key may only read, or its role does not allow this."
    for status, description in answers.items():
        responses.setdefault(status, _error_response(description))
    responses["429"].setdefault("headers", {})["Retry-After"] = {
        "description": "Seconds until the key may call again.",
        "schema": {"type": "integer"},
    }
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("schema", {}).get("type") == "integer":
            # Django's `int` path converter takes digits only: no sign.
            parameter["schema"].setdefault("minimum", 0)
            parameter["schema"].setdefault("maximum", MAX_ID)


# Authentication and the rate limit ------------------------------------------------------------


def _count_call(key: ApiKey) -> None:
    """A fixed one-minute window per key, counted in the cache (shared between processes with
    Redis; per process with the local-memory cache, so then the limit is per process)."""
    limit = settings.QMS_API_REQUESTS_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    name = f"api-calls:{key.pk}:{window}"
    cache.add(name, 0, timeout=70)
    try:
        calls = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=70)
        calls = 1
    if calls > limit:
        raise RateLimited(max(1, math.ceil((window + 1) * 60 - now)))


class KeyAuth(HttpBearer):
    """An API key, as qms.people.keys checks it; the request then acts as the key's account."""

    openapi_description = (
        "An API key made on a unit's API keys page or with `qms create-api-key`, limited to "
        "that unit and the units below it, to reading (or reading and writing), and to a time."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = keys.api_key_authenticate(f"Bearer {token}")
        if key is None:
            return None
        _count_call(key)
        if request.method not in SAFE_METHODS and not key.can_write:
            raise ReadOnlyKey()
        _refuse_nul_parameters(request)
        request.user = keys.acting_person(key)
        return key


def _refuse_nul_parameters(request: HttpRequest) -> None:
    """A NUL character in a query parameter is refused by name: PostgreSQL cannot compare text
    holding one, so it would reach the database as a server error."""
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values) or "\x00" in name:
            raise NinjaValidationError(
                [{"loc": ("query", name.replace("\x00", "")), "msg": "holds a NUL character."}]
            )


# Lists ---------------------------------------------------------------------------------------

Item = TypeVar("Item")


class Page(Schema, Generic[Item]):
    """One page of a list, oldest first; ask again with `cursor=next_cursor` for the next."""

    items: list[Item]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )


class ListFilters(Schema):
    """What every list takes."""

    unit: int | None = Field(None, description="Only this unit and the units below it.")
    since: dt.date | None = Field(None, description="Only on or after this date.")
    until: dt.date | None = Field(None, description="Only on or before this date.")
    cursor: str | None = Field(None, description="From `next_cursor` of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        pk = int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeError):
        raise ApiProblem("cursor", "is not a cursor this API gave: use next_cursor.") from None
    if pk < 0:
        raise ApiProblem("cursor", "is not a cursor this API gave: use next_cursor.")
    return pk


def paginate(queryset: QuerySet, filters: ListFilters) -> dict:
    """One page of `queryset` in the order of its primary key, after `filters.cursor`."""
    queryset = queryset.order_by("pk")
    if filters.cursor:
        queryset = queryset.filter(pk__gt=_decode(filters.cursor))
    rows = list(queryset[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {"items": rows, "next_cursor": _encode(rows[-1].pk) if more else None}


def unit_filter(request, unit_id: int | None) -> Unit | None:
    """The unit a list is limited to: one the key sees, or 404 as for any other record."""
    if unit_id is None:
        return None
    return get_visible(request, Unit, unit_id)


def filtered(
    request,
    queryset: QuerySet,
    filters: ListFilters,
    *,
    unit_field: str | None = "unit",
    date_field: str | None = None,
) -> QuerySet:
    """`queryset` limited to `filters.unit`'s subtree and to the dates asked for."""
    unit = unit_filter(request, filters.unit)
    if unit is not None:
        lookup = "path__startswith" if unit_field is None else f"{unit_field}__path__startswith"
        queryset = queryset.filter(**{lookup: unit.path})
    if filters.since and filters.until and filters.since > filters.until:
        raise ApiProblem("since", "is after until.")
    if date_field and filters.since:
        queryset = queryset.filter(**{f"{date_field}__gte": filters.since})
    if date_field and filters.until:
        queryset = queryset.filter(**{f"{date_field}__lte": filters.until})
    return queryset


def get_visible(request, source: type[Model] | QuerySet, pk: int, roles=None) -> Model:
    """The record if the key's account may see it (404 otherwise), as on the pages."""
    if isinstance(pk, int) and not 0 <= pk <= MAX_ID:  # no row has it; the database refuses it
        raise Http404
    if roles is None:
        return access.object_or_404(request.user, source, pk)
    return access.object_or_404(request.user, source, pk, roles)


def screen(**texts: str | None) -> None:
    """Refuse free text sent to the API as an upload is refused (a patient's identifier, control
    characters): no one can be asked to confirm it. Every field's problems at once."""
    errors = {
        field: messages
        for field, text in texts.items()
        if text
        and (messages := screening.problems_without_prompt(text, label=field.replace("_", " ")))
    }
    if errors:
        raise DjangoValidationError(errors)


# Hand-written JSON endpoints ------------------------------------------------------------------
# The endpoints older than this API (control's observations, learning's feedback, at their own
# URLs with integration keys) answer in their own shapes; what they share is read here once.


class JsonBodyRefused(Exception):
    """A request body a hand-written endpoint cannot read: `status` 415 (not sent as JSON), 413
    (beyond DATA_UPLOAD_MAX_MEMORY_SIZE) or 400 (not valid JSON, nested too deep, not an
    object), with a message for the sender."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def is_json(content_type: str) -> bool:
    """application/json, or a type of JSON such as application/merge-patch+json."""
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def unknown_route(request: HttpRequest, rest: str = "") -> JsonResponse:
    """A path under /api/v1/ that no route takes (`/issues/1e3`, `/units/-1`): 404 in the API's
    error shape rather than the site's HTML page, which an integrator's JSON parser chokes on."""
    message = "No such route: see /api/v1/docs. Ids are digits."
    return JsonResponse({"errors": [{"field": None, "message": message}]}, status=404)


def json_error(message: str, status: int) -> JsonResponse:
    """`{"error": message}`: the hand-written endpoints' answer for the request as a whole."""
    return JsonResponse({"error": message}, status=status)


def key_required(what: str = "integration key") -> JsonResponse:
    """401 with the Bearer challenge, for a request without a live key."""
    response = json_error(f"Send a live {what}: Authorization: Bearer <key>.", 401)
    response["WWW-Authenticate"] = 'Bearer realm="qms"'
    return response


def json_object(request: HttpRequest, *, fewer: str, example: str) -> dict:
    """The JSON object sent as the body, or JsonBodyRefused. `fewer` names what to send fewer
    of when the body is too large ("comments"); `example` shows the object expected."""
    if not is_json(request.content_type or ""):
        raise JsonBodyRefused(415, "Send the body as JSON, with Content-Type: application/json.")
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise JsonBodyRefused(
            413, f"The body is too large: send fewer {fewer} per request."
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise JsonBodyRefused(400, "the body is not valid JSON") from None
    except RecursionError:  # "[[[[..." a hundred thousand deep: no request looks so
        raise JsonBodyRefused(400, "the body is nested too deeply to read") from None
    if not isinstance(body, dict):
        raise JsonBodyRefused(400, f"send an object: {example}")
    return body


# Ids a request names ----------------------------------------------------------------------------

# The largest primary key a database holds (a signed 64-bit integer): a larger id is no record's,
# and SQLite cannot even compare one (OverflowError), so it is refused as input, naming the field.
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID, description="A record's id.")]


def id_in_range(pk: int) -> bool:
    """Whether `pk` could be a record's id (for ids in a path, answered 404 otherwise)."""
    return 0 < pk <= MAX_ID
