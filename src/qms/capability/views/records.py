"""Pages of records: a person's skills (what their roles need, their assessed levels), their
training and protected time, with the forms to record them. Seen by the person and the leads
and coaches of a unit they work in; everyone else gets a 404, as for no one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from qms.capability.forms import AssessmentForm, TimeForm, TrainingForm
from qms.capability.models import Assessment, AssessmentStatus
from qms.capability.selectors import framework as framework_selectors
from qms.capability.selectors import records as selectors
from qms.capability.services import framework as framework_services
from qms.capability.services import records as services
from qms.people.models import Person
from qms.web.forms import apply_service

_ID_MAX = 2**63 - 1


def _person_or_404(request, pk: int) -> Person:
    """The person, if the user may see their record (404 otherwise, as for no one)."""
    person = None if pk > _ID_MAX else Person.objects.filter(pk=pk, is_active=True).first()
    if person is None or not selectors.may_see(request.user, person):
        raise Http404("Not found")
    return person


def _clean(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("identifiers_checked", None)
    return data


def _page(request, person: Person, *, bound=None, status: int = 200):
    """The person's record with its forms (`bound`: the form posted and refused)."""
    record = selectors.person_record(person)
    if not record.units:
        raise Http404("Not found")  # no staff role: no capability record
    organisation = framework_selectors.organisation_of(record.units[0])
    framework_services.framework_ensure(organisation)
    framework = framework_selectors.framework_of(organisation)
    choices = {"skills": framework.skills, "levels": framework.levels}
    today = timezone.localdate()
    forms = {
        "assessment_form": AssessmentForm(initial={"assessed_on": today}, **choices),
        "training_form": TrainingForm(**choices),
        "time_form": TimeForm(initial={"month": today.replace(day=1)}),
    }
    if bound is not None:
        forms[bound[0]] = bound[1]
    context = {
        "person": person,
        "record": record,
        "needs": selectors.person_needs(framework, person, record),
        "is_self": request.user.pk == person.pk,
        "may_assess": request.user.pk != person.pk and selectors.may_assess(request.user, person),
        **forms,
    }
    return render(request, "capability/person.html", context, status=status)


@login_required
def person(request, pk):
    return _page(request, _person_or_404(request, pk))


@login_required
def me(request):
    return redirect("capability:person", request.user.pk)


def _framework_choices(person: Person) -> dict:
    record = selectors.person_record(person)
    if not record.units:
        raise Http404("Not found")
    framework = framework_selectors.framework_of(
        framework_selectors.organisation_of(record.units[0])
    )
    return {"skills": framework.skills, "levels": framework.levels}


@login_required
@require_POST
def assessment_add(request, pk):
    person = _person_or_404(request, pk)
    form = AssessmentForm(request.POST, **_framework_choices(person))
    if form.is_valid():
        data = _clean(form)
        done = apply_service(
            form, lambda: services.assessment_record(by=request.user, person=person, **data)
        )
        if done is not None:
            if done.status == AssessmentStatus.PENDING:
                messages.success(
                    request, "Saved: a lead or coach of your unit confirms it before it counts."
                )
            else:
                messages.success(request, f"{person}: {done.level} in {done.skill}.")
            return redirect("capability:person", person.pk)
    return _page(request, person, bound=("assessment_form", form), status=400)


@login_required
@require_POST
def assessment_confirm(request, pk):
    assessment = Assessment.objects.select_related("person").filter(pk=min(pk, _ID_MAX)).first()
    if assessment is None or not selectors.may_see(request.user, assessment.person):
        raise Http404("Not found")
    if request.user.pk == assessment.person_id or not selectors.may_assess(
        request.user, assessment.person
    ):
        raise PermissionDenied("A lead or coach of the person's unit confirms an assessment.")
    services.assessment_confirm(by=request.user, assessment=assessment)
    messages.success(request, f"Confirmed: {assessment.level} in {assessment.skill}.")
    return redirect("capability:person", assessment.person_id)


@login_required
@require_POST
def training_add(request, pk):
    person = _person_or_404(request, pk)
    form = TrainingForm(request.POST, **_framework_choices(person))
    if form.is_valid():
        data = _clean(form)
        done = apply_service(
            form, lambda: services.training_record(by=request.user, person=person, **data)
        )
        if done is not None:
            messages.success(request, f"Training recorded: {done.course}.")
            return redirect("capability:person", person.pk)
    return _page(request, person, bound=("training_form", form), status=400)


urlpatterns = [
    path("me/", me, name="me"),
    path("people/<int:pk>/", person, name="person"),
    path("people/<int:pk>/assessments/", assessment_add, name="assessment-add"),
    path("assessments/<int:pk>/confirm/", assessment_confirm, name="assessment-confirm"),
    path("people/<int:pk>/training/", training_add, name="training-add"),
]
