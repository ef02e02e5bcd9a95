"""Pages of walkrounds. Thin: the record through `access.object_or_404`, a form, a service, a
page. The unit's staff (roles.VIEWERS, and below) read its walkrounds, what staff raised and the
feedback; its senior leaders (roles.WALKROUND_LEADERS) plan, record and feed back; anyone else
gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.culture import roles
from qms.culture.forms_walkrounds import CancelForm, DoneForm, FeedbackForm, ItemForm, PlanForm
from qms.culture.models.walkrounds import Walkround, WalkroundStatus
from qms.culture.selectors import walkrounds as selectors
from qms.culture.services import walkrounds as services
from qms.issues import selectors as issue_selectors
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error


def _unit_filter(request) -> Unit | None:
    """The unit chosen in the list's filter (?unit=), if the user reads it; else everywhere."""
    raw = request.GET.get("unit", "")
    if not raw:
        return None
    return access.object_or_404(request.user, Unit, raw, roles.VIEWERS)


@login_required
def walkround_list(request):
    if access.unit_paths_with_role(request.user, roles.VIEWERS) == []:
        raise PermissionDenied("Walkrounds are for the organisation's staff.")
    unit = _unit_filter(request)
    context = {
        "unit": unit,
        "units": selectors.units_to_choose(request.user),
        "listing": selectors.walkround_list(request.user, unit),
        "overdue": selectors.overdue_follow_ups(request.user, unit),
        "themes": selectors.items_by_theme(request.user, unit),
        "today": timezone.localdate(),
    }
    return render(request, "culture/walkrounds_list.html", context)


@login_required
def walkround_plan(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.WALKROUND_LEADERS)
    leaders = selectors.walkround_leaders_in(unit)
    initial = {"leaders": [request.user.pk]} if request.user in leaders else {}
    form = PlanForm(request.POST or None, initial=initial, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        walkround = apply_service(
            form, lambda: services.walkround_plan(by=request.user, unit=unit, **form.cleaned_data)
        )
        if walkround is not None:
            messages.success(request, "Walkround planned.")
            return redirect(walkround)
    context = {
        "form": form,
        "unit": unit,
        "back": f"{reverse('culture:walkround-list')}?unit={unit.pk}",
    }
    status = 400 if form.errors else 200
    return render(request, "culture/walkrounds_plan.html", context, status=status)


def _walkround(request, walkround_id, allowed=roles.VIEWERS) -> Walkround:
    walkrounds = Walkround.objects.select_related("unit").prefetch_related("leaders")
    return access.object_or_404(request.user, walkrounds, walkround_id, allowed)


def _detail(request, walkround: Walkround, *, item_form=None, feedback_form=None, status=200):
    leads = access.can(request.user, walkround, roles.WALKROUND_LEADERS)
    owners = issue_selectors.owners_in(walkround.unit) if leads else []
    today = timezone.localdate()
    context = {
        "walkround": walkround,
        "items": selectors.walkround_detail(walkround),
        "leads": leads,
        "today": today,
        "done_form": DoneForm(initial={"done_on": min(walkround.planned_on, today)}),
        "cancel_form": CancelForm(),
        "item_form": item_form or ItemForm(owners=owners),
        "feedback_form": feedback_form
        or FeedbackForm(initial={"feedback": walkround.feedback, "feedback_on": today}),
        "planned": walkround.status == WalkroundStatus.PLANNED,
        "done": walkround.status == WalkroundStatus.DONE,
    }
    return render(request, "culture/walkrounds_detail.html", context, status=status)


@login_required
def walkround_detail(request, walkround_id):
    return _detail(request, _walkround(request, walkround_id))


def _post_back(request, walkround, form, act, *, done: str):
    """A small form posted from the walkround's page: the service's answer as a message, back to
    the page; text that may identify a patient or blame a person asks again on a page of its
    own."""
    back = walkround.get_absolute_url()
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"Nothing was changed: {' '.join(error.messages)}")
        else:
            messages.success(request, done)
        return redirect(back)
    if getattr(form, "screening_prompted", False):
        return check_text_page(request, form, back)
    messages.error(request, f"Nothing was changed: {first_error(form)}")
    return redirect(back)


@login_required
@require_POST
def walkround_done(request, walkround_id):
    walkround = _walkround(request, walkround_id, roles.WALKROUND_LEADERS)
    return _post_back(
        request,
        walkround,
        DoneForm(request.POST),
        lambda data: services.walkround_record(by=request.user, walkround=walkround, **data),
        done="Walkround recorded as done. Add what staff raised.",
    )


@login_required
@require_POST
def walkround_cancel(request, walkround_id):
    walkround = _walkround(request, walkround_id, roles.WALKROUND_LEADERS)
    return _post_back(
        request,
        walkround,
        CancelForm(request.POST),
        lambda data: services.walkround_cancel(by=request.user, walkround=walkround, **data),
        done="Walkround cancelled.",
    )


def _not_done(request, walkround: Walkround):
    """Items and feedback belong to a walkround done: its page has no form for them before."""
    state = walkround.get_status_display().lower()
    messages.error(request, f"Nothing was changed: this walkround is {state}, not done.")
    return redirect(walkround)


@login_required
@require_POST
def walkround_item_add(request, walkround_id):
    """What staff raised: several fields, so a refusal shows the page again with the form as it
    was sent, never a message that loses what was typed."""
    walkround = _walkround(request, walkround_id, roles.WALKROUND_LEADERS)
    if walkround.status != WalkroundStatus.DONE:
        return _not_done(request, walkround)
    form = ItemForm(request.POST, owners=issue_selectors.owners_in(walkround.unit))
    if form.is_valid():
        item = apply_service(
            form,
            lambda: services.walkround_item_add(
                by=request.user, walkround=walkround, **form.cleaned_data
            ),
        )
        if item is not None:
            issue = " and an issue raised for its action" if item.issue_id else ""
            messages.success(request, f"Added what staff raised{issue}.")
            return redirect(walkround.get_absolute_url() + "#items")
    return _detail(request, walkround, item_form=form, status=400)


@login_required
@require_POST
def walkround_feedback(request, walkround_id):
    walkround = _walkround(request, walkround_id, roles.WALKROUND_LEADERS)
    if walkround.status != WalkroundStatus.DONE:
        return _not_done(request, walkround)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        saved = apply_service(
            form,
            lambda: services.walkround_feedback_give(
                by=request.user, walkround=walkround, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, "Feedback to the team recorded.")
            return redirect(walkround.get_absolute_url() + "#feedback")
    return _detail(request, walkround, feedback_form=form, status=400)


urlpatterns = [
    path("walkrounds/", walkround_list, name="walkround-list"),
    path("walkrounds/units/<int:unit_id>/plan/", walkround_plan, name="walkround-plan"),
    path("walkrounds/<int:walkround_id>/", walkround_detail, name="walkround-detail"),
    path("walkrounds/<int:walkround_id>/done/", walkround_done, name="walkround-done"),
    path("walkrounds/<int:walkround_id>/cancel/", walkround_cancel, name="walkround-cancel"),
    path("walkrounds/<int:walkround_id>/items/", walkround_item_add, name="walkround-item-add"),
    path("walkrounds/<int:walkround_id>/feedback/", walkround_feedback, name="walkround-feedback"),
]
