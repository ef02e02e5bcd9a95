"""The learning system's API: feedback and the evidence library.

Two ways in for feedback:

- `POST /learn/api/v1/feedback`, the hand-written endpoint older than the API (kept at its URL
  for the survey tools that use it), with an API key that may write (the integration keys of
  before became such keys), reaching the key's unit and the units below it. Body
  `{"comments": [{"date", "text", "service", "rating", "source", "question", "reference",
  "unit"}, ...], "skip_repeats": false}`: 201 with the counts and redactions, 400 with every
  problem by row and field (nothing saved), 401 without a live key that may write, 403 for a
  key whose role does not import feedback on the page, 413 for a body beyond
  DATA_UPLOAD_MAX_MEMORY_SIZE, 415 for a body not sent as JSON (read by the kit,
  qms.web.api.json_object, as the observations endpoint's body is).
- The API at /api/v1/ (`feedback_router`, `evidence_router`, with API keys): the same import as
  `POST /api/v1/feedback`, comments read with their themes and sentiment, corrected as on the
  comment's page; evidence listed, read, added and changed as in the library.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from qms.control import services as control_services
from qms.learning import roles
from qms.learning.models import Certainty, Evidence, EvidenceKind, Feedback, FeedbackSource
from qms.learning.selectors import evidence as evidence_selectors
from qms.learning.selectors import feedback as feedback_selectors
from qms.learning.services import evidence as evidence_services
from qms.learning.services import feedback as services
from qms.people import access, keys
from qms.people.models import Unit
from qms.text.feedback import THEMES
from qms.web.api import (
    ApiProblem,
    Errors,
    JsonBodyRefused,
    ListFilters,
    Page,
    filtered,
    get_visible,
    json_error,
    json_object,
    key_required,
    paginate,
    screen,
)

# The hand-written endpoint --------------------------------------------------------------------


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


@csrf_exempt  # authenticated by a key in a header, never by a cookie, so CSRF cannot apply
@require_POST
def feedback(request):
    token = control_services.integration_token(request.headers.get("Authorization"))
    if token is None:
        return key_required("API key that may write")
    # Saved by the system for the key (history names no person, as before), but only for a key
    # whose role imports feedback on the page: the same rule as POST /api/v1/feedback.
    if not access.can(keys.acting_person(token), token.unit, roles.FEEDBACK_EDITORS):
        return json_error("The key's role does not allow importing feedback.", 403)
    try:
        body = json_object(request, fewer="comments", example='{"comments": [...]}')
    except JsonBodyRefused as refused:
        if refused.status == 400:
            return _errors([services.Problem(0, "body", refused.message)])
        return json_error(refused.message, refused.status)
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
    return JsonResponse(_imported(result), status=201)


def _imported(result: services.ImportResult) -> dict:
    return {
        "import": result.batch.pk,
        "created": result.created,
        "skipped": result.skipped,
        "redactions": result.redactions,
        "redacted_comments": result.redacted_comments,
    }


# Feedback in the API --------------------------------------------------------------------------

feedback_router = Router(tags=["Feedback"])


class CommentIn(Schema):
    """One comment, as a feedback system exports it."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(..., description="The day the comment was received.")
    text: str = Field(..., min_length=1, max_length=services.TEXT_MAX_LENGTH)
    service: str = Field("", max_length=200)
    rating: int | None = Field(None, ge=1, le=5, description="1 very good to 5 very poor.")
    source: FeedbackSource = FeedbackSource.PATIENT
    question: str = Field("", max_length=300)
    reference: str = Field(
        "", max_length=100, description="The sender's id of the comment: sent once only."
    )
    unit: str = Field(
        "", max_length=60, description="The code of a unit below the key's, if not the key's."
    )


class FeedbackIn(Schema):
    comments: list[CommentIn] = Field(..., min_length=1, max_length=services.MAX_COMMENTS)
    skip_repeats: bool = Field(
        False, description="Leave out comments whose reference was sent before (else 400)."
    )


class ImportOut(Schema):
    import_id: int = Field(..., description="The import, as listed on the unit's feedback page.")
    created: int
    skipped: int
    redactions: int = Field(..., description="Identifiers replaced by placeholders.")
    redacted_comments: int


class FeedbackOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    received_on: dt.date
    text: str = Field(..., description="Redacted of identifiers on import.")
    service: str
    source: FeedbackSource
    rating: int | None
    question: str
    reference: str
    themes: list[str]
    sentiment: int | None = Field(None, description="1 very positive to 5 very negative.")
    model_themes: list[str] = Field(..., description="The classifier's own themes.")
    model_sentiment: int | None
    corrected_at: dt.datetime | None

    @staticmethod
    def resolve_themes(comment: Feedback) -> list[str]:
        return sorted(theme.label for theme in comment.themes.all())


class FeedbackFilters(ListFilters):
    theme: str | None = Field(None, max_length=100, description="A theme of the framework.")
    sentiment: int | None = Field(None, ge=1, le=5)
    negative: bool | None = Field(None, description="Only comments of sentiment 4 or 5.")
    source: FeedbackSource | None = None
    service: str | None = Field(None, max_length=200)


class CorrectionIn(Schema):
    themes: list[str] = Field(..., max_length=len(THEMES))
    sentiment: int = Field(..., description="1 very positive to 5 very negative.")


def _comments():
    return Feedback.objects.select_related("unit").prefetch_related("themes")


@feedback_router.post("", response={201: ImportOut, 400: Errors, 403: Errors, 404: Errors})
def import_feedback(request, payload: FeedbackIn):
    """Import comments into the key's unit (or the units below it that a comment's `unit`
    names), all or nothing, as the import page does: each is redacted and classified. Errors
    name the comment: `comments.3.date` is the fourth comment's date."""
    key = request.auth
    items = [comment.dict(exclude_defaults=True) for comment in payload.comments]
    comments, problems = services.comments_from_json(items)
    try:
        result = services.feedback_import(
            by=request.user,
            unit=key.unit,
            comments=comments,
            problems=problems,
            via_api=key.name,
            skip_repeats=payload.skip_repeats,
        )
    except services.FeedbackRefused as refused:
        raise ValidationError(
            {
                (f"comments.{p.row - 1}.{p.field}" if p.row else p.field): [p.message]
                for p in refused.problems
            }
        ) from None
    return Status(201, {"import_id": result.batch.pk, **_imported(result)})


@feedback_router.get("", response={200: Page[FeedbackOut], 400: Errors, 404: Errors})
def list_feedback(request, filters: Query[FeedbackFilters]):
    """Comments of the key's units (`since`/`until`: the day received), as the unit's comments
    page lists them: by theme, sentiment, source and service."""
    comments = access.visible(request.user, _comments(), roles.VIEWERS)
    if filters.theme:
        if filters.theme not in THEMES:
            raise ApiProblem("theme", "is not a theme of the framework.")
        comments = comments.filter(themes__label=filters.theme)
    if filters.sentiment:
        comments = comments.filter(sentiment=filters.sentiment)
    if filters.negative is not None:
        negative = {"sentiment__gte": feedback_selectors.NEGATIVE_SENTIMENT}
        comments = comments.filter(**negative) if filters.negative else comments.exclude(**negative)
    if filters.source:
        comments = comments.filter(source=filters.source)
    if filters.service:
        comments = comments.filter(service=filters.service)
    return paginate(filtered(request, comments, filters, date_field="received_on"), filters)


@feedback_router.get("/{int:feedback_id}", response={200: FeedbackOut, 403: Errors, 404: Errors})
def get_feedback(request, feedback_id: int):
    return get_visible(request, _comments(), feedback_id, roles.VIEWERS)


@feedback_router.patch(
    "/{int:feedback_id}", response={200: FeedbackOut, 400: Errors, 403: Errors, 404: Errors}
)
def correct_feedback(request, feedback_id: int, payload: CorrectionIn):
    """Set a comment's themes and sentiment as its page's correction does (feedback editors);
    the classifier's own stay."""
    comment = get_visible(request, _comments(), feedback_id, roles.VIEWERS)
    services.feedback_correct(
        by=request.user, feedback=comment, themes=payload.themes, sentiment=payload.sentiment
    )
    return _comments().get(pk=comment.pk)


# Evidence -------------------------------------------------------------------------------------

evidence_router = Router(tags=["Evidence"])


class EvidenceOut(Schema):
    id: int
    unit: int = Field(..., alias="unit_id")
    title: str
    kind: EvidenceKind
    source: str
    url: str
    published_on: dt.date | None
    summary: str
    certainty: Certainty
    certainty_reason: str
    active: bool = Field(..., alias="is_active")
    added_at: dt.datetime
    uses: int = Field(..., alias="use_count", description="Links from work that cites it.")


class EvidenceIn(Schema):
    unit: int = Field(..., description="The unit whose library holds it.")
    title: str = Field(..., min_length=1, max_length=300)
    kind: EvidenceKind
    source: str = Field(..., min_length=1, max_length=500)
    url: str = Field("", max_length=500)
    published_on: dt.date | None = None
    summary: str = Field(..., min_length=1, max_length=10_000)
    certainty: Certainty
    certainty_reason: str = Field("", max_length=2_000)


class EvidencePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=300)
    kind: EvidenceKind | None = None
    source: str | None = Field(None, min_length=1, max_length=500)
    url: str | None = Field(None, max_length=500)
    published_on: dt.date | None = None
    summary: str | None = Field(None, min_length=1, max_length=10_000)
    certainty: Certainty | None = None
    certainty_reason: str | None = Field(None, max_length=2_000)
    active: bool | None = Field(
        None, description="false retires it (give `reason`); true restores it."
    )
    reason: str = Field("", max_length=100, description="Kept in its history.")


class EvidenceFilters(ListFilters):
    kind: EvidenceKind | None = None
    certainty: Certainty | None = None
    retired: bool = Field(False, description="Retired items too.")


def _library(request):
    """The library as the page reads it, within the key's unit and below: the page lets a
    ward read its whole organisation's library, but a key sees nothing outside its subtree."""
    items = evidence_selectors.evidence_visible_to(request.user)
    return access.in_subtree(items, request.auth.unit).annotate(use_count=Count("links"))


def _item(request, evidence_id: int) -> Evidence:
    return get_visible(request, _library(request).select_related("unit"), evidence_id)


@evidence_router.get("", response={200: Page[EvidenceOut], 400: Errors, 404: Errors})
def list_evidence(request, filters: Query[EvidenceFilters]):
    """The library (`since`/`until`: the day added), by kind and certainty; retired items
    only when asked."""
    items = _library(request)
    if not filters.retired:
        items = items.filter(is_active=True)
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.certainty:
        items = items.filter(certainty=filters.certainty)
    return paginate(filtered(request, items, filters, date_field="added_at__date"), filters)


@evidence_router.get("/{int:evidence_id}", response={200: EvidenceOut, 404: Errors})
def get_evidence(request, evidence_id: int):
    return _item(request, evidence_id)


@evidence_router.post("", response={201: EvidenceOut, 400: Errors, 403: Errors, 404: Errors})
def add_evidence(request, payload: EvidenceIn):
    """Add an item to a unit's library (its evidence editors may)."""
    unit = get_visible(request, Unit, payload.unit)
    fields = payload.dict(exclude={"unit"})
    screen(**{name: fields[name] for name in _SCREENED})
    item = evidence_services.evidence_create(by=request.user, unit=unit, **fields)
    return Status(201, _item(request, item.pk))


_SCREENED = ("title", "source", "summary", "certainty_reason")


@evidence_router.patch(
    "/{int:evidence_id}", response={200: EvidenceOut, 400: Errors, 403: Errors, 404: Errors}
)
def change_evidence(request, evidence_id: int, payload: EvidencePatch):
    """Change an item, retire it (`active: false` with a `reason`) or restore it, as its page
    does (its unit's evidence editors)."""
    item = _item(request, evidence_id)
    sent = payload.dict(exclude_unset=True)
    active = sent.pop("active", None)
    reason = sent.pop("reason", "")
    changes = {
        name: value for name, value in sent.items() if value is not None or name in _NULLABLE
    }
    screen(reason=reason, **{name: changes.get(name) for name in _SCREENED})
    if not changes and active is None:
        raise ApiProblem(None, "Send a field to change, or active.")
    if active is False and changes:
        raise ApiProblem("active", "Retire an item alone: it is not changed as it leaves.")
    with transaction.atomic():
        if active is True and not item.is_active:
            item = evidence_services.evidence_restore(by=request.user, evidence=item)
        if changes:
            evidence_services.evidence_update(
                by=request.user, evidence=item, reason=reason, **changes
            )
        if active is False:
            evidence_services.evidence_retire(by=request.user, evidence=item, reason=reason)
    return _item(request, item.pk)


_NULLABLE = ("published_on",)
