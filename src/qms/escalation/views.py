"""Escalating any registered record, and answering an escalation: forms on the record's page
post here and come back to it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from qms.escalation import registry, services
from qms.escalation.forms import EscalateForm, EscalationResponseForm
from qms.escalation.models import Escalation
from qms.people import access
from qms.web.screening import check_text_page, first_error


def _act(request, form, subject, act, done: str):
    if not form.is_valid():
        if form.screening_prompted:
            return check_text_page(request, form, subject.get_absolute_url())
        messages.error(request, f"Nothing was changed: {first_error(form)}")
    else:
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
        else:
            messages.success(request, done)
    return redirect(subject.get_absolute_url())


@login_required
@require_POST
def escalate(request, app_label, model, object_id):
    """Escalate a record to the unit above the one that holds it."""
    try:
        kind = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    except ContentType.DoesNotExist:
        raise Http404("Not found") from None
    if kind is None or not registry.is_registered(kind):
        raise Http404("Not found")
    subject = access.object_or_404(request.user, kind, object_id)
    if not services.may_handle(request.user, subject):
        try:  # 403, unless it went up from their unit a moment ago (a second click)
            services.refuse_escalating(request.user, subject, services.subject_unit(subject))
        except ValidationError as error:
            messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
            return redirect(subject.get_absolute_url())
    return _act(
        request,
        EscalateForm(request.POST),
        subject,
        lambda data: services.escalate(by=request.user, subject=subject, reason=data["reason"]),
        "Escalated to the unit above.",
    )


@login_required
@require_POST
def respond(request, escalation_id):
    """The unit it reached answers an escalation."""
    escalation = get_object_or_404(
        Escalation.objects.select_related("from_unit", "to_unit"), pk=escalation_id
    )
    # The unit it reached and the team that escalated see it; nobody else knows it exists,
    # and an escalation whose record is gone has nothing left to answer.
    subject = escalation.subject
    seen = access.can_see_unit(request.user, escalation.to_unit) or access.can_see_unit(
        request.user, escalation.from_unit
    )
    if not seen or subject is None:
        raise Http404("No such escalation")
    if not services.may_respond(request.user, escalation):
        raise PermissionDenied("Only the unit it was escalated to can answer an escalation.")
    return _act(
        request,
        EscalationResponseForm(request.POST),
        subject,
        lambda data: services.escalation_respond(by=request.user, escalation=escalation, **data),
        "Response recorded; the team has been told.",
    )
