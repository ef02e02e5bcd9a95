"""Pages of coaching. A coaching log is reached only through `selectors.coaching_or_404`: its
coach and its coachees read it; anyone else gets a 404, the unit's leads and system
administrators included. Changing, recording sessions and ending are the coach's alone (the
same 404 for a coachee: those pages are not theirs to know); a coachee marks their own agreed
actions done. Leaders see hours of coaching per unit, never content."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.culture.forms_coaching import CoachingEditForm, CoachingForm, EndForm, SessionForm
from qms.culture.selectors import coaching as selectors
from qms.culture.services import coaching as services
from qms.web.forms import apply_service


def _form_page(request, form, *, title, submit, back, lede="", **extra):
    context = {
        "form": form,
        "title": title,
        "lede": lede,
        "submit": submit,
        "back": back,
        "action": request.get_full_path(),
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "culture/coaching_form.html", context, status=status)


@login_required
def coaching_list(request):
    """Your coaching: the logs the person keeps as a coach and those they are coached in."""
    return render(
        request, "culture/coaching_list.html", {"coaching": selectors.your_coaching(request.user)}
    )


@login_required
def coaching_new(request):
    if not selectors.may_coach(request.user):
        raise PermissionDenied("Only coaches and leads keep a coaching log.")
    initial = {"started_on": timezone.localdate(), "kind": "person"}
    form = CoachingForm(request.POST or None, coach=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        relationship = apply_service(
            form, lambda: services.coaching_open(by=request.user, **form.cleaned_data)
        )
        if relationship is not None:
            messages.success(request, "Coaching opened. Only you and those coached can read it.")
            return redirect(relationship.get_absolute_url())
    return _form_page(
        request,
        form,
        title="Open a coaching log",
        lede="For a person or a team. Its goals, sessions, notes and agreed actions are private "
        "to you and the people you coach: their leads see only the hours of coaching.",
        submit="Open the coaching log",
        back=reverse("culture:coaching-list"),
    )


@login_required
def coaching_detail(request, pk):
    relationship = selectors.coaching_or_404(request.user, pk)
    context = {"page": selectors.coaching_page(request.user, relationship)}
    return render(request, "culture/coaching_detail.html", context)


def _coachee_lines(relationship) -> str:
    return "\n".join(p.username for p in relationship.coachees.order_by("display_name", "pk"))


@login_required
def coaching_edit(request, pk):
    relationship = selectors.coaching_or_404(request.user, pk, coach_only=True)
    initial = {
        "title": relationship.title,
        "coachees": _coachee_lines(relationship),
        "goals": relationship.goals,
        "next_session_on": relationship.next_session_on,
    }
    form = CoachingEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.coaching_update(
                by=request.user, relationship=relationship, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Coaching changed.")
            return redirect(relationship.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Change the coaching: {relationship.title}",
        submit="Save the changes",
        back=relationship.get_absolute_url(),
    )


def _still_ahead(day):
    return day if day is not None and day > timezone.localdate() else None


@login_required
def coaching_session_new(request, pk):
    relationship = selectors.coaching_or_404(request.user, pk, coach_only=True)
    owners = [relationship.coach, *relationship.coachees.order_by("display_name", "pk")]
    form = SessionForm(
        request.POST or None,
        relationship=relationship,
        owners=owners,
        initial={
            "held_on": timezone.localdate(),
            "minutes": 45,
            # A plan still ahead stays unless the coach changes it.
            "next_session_on": _still_ahead(relationship.next_session_on),
        },
    )
    if request.method == "POST" and form.is_valid():
        session = apply_service(
            form,
            lambda: services.coaching_session_record(
                by=request.user, relationship=relationship, **form.cleaned_data
            ),
            rename={"actions": "action_1"},
        )
        if session is not None:
            messages.success(request, "Session recorded.")
            return redirect(relationship.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"Record a session: {relationship.title}",
        lede="Leave an action's row empty when nothing more was agreed.",
        submit="Record the session",
        back=relationship.get_absolute_url(),
    )


@login_required
def coaching_end(request, pk):
    relationship = selectors.coaching_or_404(request.user, pk, coach_only=True)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.coaching_end(
                by=request.user, relationship=relationship, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, "Coaching ended. The log stays for you and them to read.")
            return redirect(relationship.get_absolute_url())
    return _form_page(
        request,
        form,
        title=f"End the coaching: {relationship.title}",
        submit="End the coaching",
        back=relationship.get_absolute_url(),
    )


@login_required
@require_POST
def agreed_action_done(request, pk):
    action = selectors.action_or_404(request.user, pk)
    relationship = action.session.relationship
    if request.user.pk not in {action.owner_id, relationship.coach_id}:
        raise PermissionDenied("Only the action's owner or the coach may mark it done.")
    done = request.POST.get("done") != "0"
    services.agreed_action_complete(by=request.user, action=action, done=done)
    messages.success(request, "Action marked done." if done else "Action open again.")
    return redirect(relationship.get_absolute_url())


@login_required
def coaching_hours(request):
    """Hours of coaching per unit the person leads: counts, no content."""
    if not selectors.may_see_hours(request.user):
        raise PermissionDenied("Only leaders see the hours of coaching in their units.")
    rows = selectors.coaching_hours(request.user)
    return render(request, "culture/coaching_hours.html", {"rows": rows})


urlpatterns = [
    path("coaching/", coaching_list, name="coaching-list"),
    path("coaching/new/", coaching_new, name="coaching-new"),
    path("coaching/hours/", coaching_hours, name="coaching-hours"),
    path("coaching/<int:pk>/", coaching_detail, name="coaching-detail"),
    path("coaching/<int:pk>/change/", coaching_edit, name="coaching-edit"),
    path("coaching/<int:pk>/sessions/new/", coaching_session_new, name="coaching-session-new"),
    path("coaching/<int:pk>/end/", coaching_end, name="coaching-end"),
    path("coaching/actions/<int:pk>/done/", agreed_action_done, name="coaching-action-done"),
]
