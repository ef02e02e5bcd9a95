"""Organisation pages: the unit tree, a unit, a person, membership management and API keys."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from qms.people import access, keys, selectors, services
from qms.people.forms import (
    ApiKeyForm,
    GrantForm,
    MembershipAddForm,
    MembershipRemoveForm,
)
from qms.people.links import record_people_url
from qms.people.models import ApiKey, Membership, ObjectGrant, Person, Unit
from qms.people.roles import MEMBERSHIP_MANAGERS, STAFF_ROLES, Role


@login_required
def unit_tree(request):
    return render(request, "people/unit_tree.html", {"roots": selectors.unit_tree(request.user)})


@login_required
def unit_detail(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id)
    can_see_people = access.can_see_people_of(request.user, unit)
    members = selectors.unit_members(unit) if can_see_people else []
    contacts = selectors.unit_contacts(unit, include_unit=not can_see_people)
    context = {
        "unit": unit,
        "ancestors": selectors.visible_ancestors(request.user, unit),
        "sub_units": selectors.sub_units(request.user, unit),
        "my_roles": [Role(role).label for role in sorted(access.roles_in(request.user, unit))],
        "can_see_people": can_see_people,
        "can_manage": access.can_manage_memberships(request.user, unit),
        # Making a key gives its role: the same people (keys.api_key_create).
        "can_manage_keys": access.can_manage_memberships(request.user, unit),
        "members": members,
        "contacts": contacts,
        # A name links only to a page this viewer may open (partners' pages are not a
        # directory: access.can_see_person).
        "linked_people": {
            m.person_id
            for m in [*members, *contacts]
            if access.can_see_person(request.user, m.person)
        },
        "shows_measures": access.can(request.user, unit, STAFF_ROLES),
        "is_current": request.user.current_unit_id == unit.pk,
    }
    return render(request, "people/unit_detail.html", context)


@login_required
def unit_switch(request):
    """Make a unit the current one (remembered for the person) and go back where they were."""
    if request.method != "POST":
        return redirect("people:unit-tree")
    unit = access.object_or_404(request.user, Unit, request.POST.get("unit"))
    services.person_set_current_unit(person=request.user, unit=unit)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("people:unit-detail", unit_id=unit.pk)


@login_required
def unit_members(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, MEMBERSHIP_MANAGERS)
    form = MembershipAddForm(request.POST or None, manager=request.user, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_add(
                by=request.user,
                person=form.cleaned_data["person"],
                unit=unit,
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Added {membership.person} as {membership.get_role_display()}."
            )
            return redirect("people:unit-members", unit_id=unit.pk)
    context = {
        "unit": unit,
        "ancestors": selectors.visible_ancestors(request.user, unit),
        "members": selectors.unit_members(unit),
        "form": form,
        "remove_form": MembershipRemoveForm(),
    }
    return render(request, "people/unit_members.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def membership_remove(request, unit_id, membership_id):
    unit = access.object_or_404(request.user, Unit, unit_id, MEMBERSHIP_MANAGERS)
    membership = get_object_or_404(Membership, pk=membership_id, unit=unit)
    form = MembershipRemoveForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:  # the box to confirm it, on a page of its own
            context = {
                "form": form,
                "action": request.path,
                "back": reverse("people:unit-members", kwargs={"unit_id": unit.pk}),
            }
            return render(request, "web/check_text.html", context, status=400)
        messages.error(request, f"{_first_error(form).rstrip('.')}. Nothing was removed.")
        return redirect("people:unit-members", unit_id=unit.pk)
    try:
        services.membership_remove(
            by=request.user, membership=membership, reason=form.cleaned_data["reason"]
        )
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(
            request, f"Removed {membership.person} as {membership.get_role_display()}."
        )
    return redirect("people:unit-members", unit_id=unit.pk)


# People on one record (grants) ----------------------------------------------------------------


def _record_or_404(user, record_type: str, object_id, roles):
    """The record named by its type ("app_label.model") and id, if that model accepts grants and
    the user holds one of `roles` on it: 404 for any other type, id or record they cannot see."""
    app_label, _, model = record_type.partition(".")
    try:
        model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    except ContentType.DoesNotExist:
        raise Http404("No such record") from None
    if model_class is None or not access.accepts_grants(model_class):
        raise Http404("No such record")
    return access.object_or_404(user, model_class, object_id, roles)


@login_required
def record_people(request, record_type, object_id):
    """Who holds a role on this one record (besides the people of its unit), and, for those
    who manage its unit's members, a form to give one."""
    record = _record_or_404(request.user, record_type, object_id, STAFF_ROLES)
    unit = access.unit_of(record)
    can_manage = access.can(request.user, unit, MEMBERSHIP_MANAGERS)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied("Only those who manage the members of its unit give roles here.")
    form = GrantForm(request.POST or None) if can_manage else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            grant = services.grant_give(by=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{grant.person} is {grant.get_role_display()} here.")
            return redirect(request.path)
    grants = selectors.record_grants(record)
    context = {
        "record": record,
        "record_kind": record._meta.verbose_name,
        "unit": unit,
        "grants": grants,
        "linked_people": {
            g.person_id for g in grants if access.can_see_person(request.user, g.person)
        },
        "form": form,
        "remove_form": MembershipRemoveForm() if can_manage else None,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "people/record_people.html", context, status=status)


@login_required
@require_POST
def grant_remove(request, grant_id):
    grant = get_object_or_404(ObjectGrant.objects.select_related("person"), pk=grant_id)
    record = grant.subject
    if record is None:  # its record is gone: only the admin's list of grants shows it
        raise Http404("No such role")
    access.require(request.user, record, STAFF_ROLES)
    if not access.can(request.user, access.unit_of(record), MEMBERSHIP_MANAGERS):
        raise PermissionDenied("Only those who manage the members of its unit remove roles here.")
    back = record_people_url(record)
    form = MembershipRemoveForm(request.POST)
    if not form.is_valid():
        if form.screening_prompted:  # the box to confirm it, on a page of its own
            context = {"form": form, "action": request.path, "back": back}
            return render(request, "web/check_text.html", context, status=400)
        messages.error(request, f"{_first_error(form).rstrip('.')}. Nothing was removed.")
        return redirect(back)
    services.grant_remove(by=request.user, grant=grant, reason=form.cleaned_data["reason"])
    messages.success(request, f"Removed {grant.person} as {grant.get_role_display()} here.")
    return redirect(back)


def _first_error(form) -> str:
    """The first problem of a form, as a sentence naming its field."""
    name, errors = next(iter(form.errors.items()))
    message = errors[0]
    label = str(form.fields[name].label) if name in form.fields else ""
    return message if label.lower() in message.lower() else f"{label}: {message}"


@login_required
def person_detail(request, person_id):
    person = get_object_or_404(Person, pk=person_id)
    if not access.can_see_person(request.user, person):
        raise Http404("No such person")
    context = {
        "person": person,
        "memberships": selectors.person_memberships_visible_to(request.user, person),
        "grants": selectors.person_grants_visible_to(request.user, person),
    }
    return render(request, "people/person_detail.html", context)


# API keys -----------------------------------------------------------------------------------


def _key_unit_or_404(user, unit_id) -> Unit:
    """The unit whose keys the user may manage: those who may grant a role there (a key acts
    with the role it is given, so making one is giving that role)."""
    return access.object_or_404(user, Unit, unit_id, MEMBERSHIP_MANAGERS)


@login_required
def api_keys(request, unit_id):
    unit = _key_unit_or_404(request.user, unit_id)
    default_expiry = (timezone.now() + keys.DEFAULT_LIFETIME).date()
    form = ApiKeyForm(
        request.POST or None,
        maker=request.user,
        unit=unit,
        roles=keys.KEY_ROLES,
        initial={"role": keys.DEFAULT_READ_ROLE, "expires_on": default_expiry},
    )
    record = key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The key works to the end of the day chosen, in the installation's time zone.
        expires_at = timezone.make_aware(
            dt.datetime.combine(data["expires_on"], dt.time.max.replace(microsecond=0))
        )
        try:
            record, key = keys.api_key_create(
                by=request.user,
                unit=unit,
                name=data["name"],
                can_write=data["can_write"],
                role=data["role"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            _add_key_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("role", str(denied))
        else:
            form = ApiKeyForm(
                maker=request.user,
                unit=unit,
                roles=keys.KEY_ROLES,
                initial={"role": keys.DEFAULT_READ_ROLE, "expires_on": default_expiry},
            )
    context = {
        "unit": unit,
        "ancestors": selectors.visible_ancestors(request.user, unit),
        "keys": selectors.unit_api_keys(unit),
        "form": form,
        "key": key,
        "new_key": record,
        "now": timezone.now(),
    }
    response = render(request, "people/api_keys.html", context, status=400 if form.errors else 200)
    if key:
        # The key is on this page only: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


def _add_key_errors(form, error: ValidationError) -> None:
    fields = {"expires_at": "expires_on"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, messages_)


@login_required
@require_POST
def api_key_revoke(request, unit_id, key_id):
    unit = _key_unit_or_404(request.user, unit_id)
    key = get_object_or_404(ApiKey, pk=key_id, unit=unit)
    try:
        keys.api_key_revoke(by=request.user, key=key)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
    else:
        messages.success(request, f"Revoked the key “{key.name}”: it no longer works.")
    return redirect("people:api-keys", unit_id=unit.pk)
