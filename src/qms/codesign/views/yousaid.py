"""Pages of “you said, we did”: a unit's board (published entries for everyone with a role in
the unit or its work, partners included; drafts too for its staff), its A4 poster, and the
organisers' forms to draft, change, publish, withdraw and delete entries. A unit whose board the
user may not read answers 404, as a draft does to a partner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.codesign import roles
from qms.codesign.forms_yousaid import EntryForm
from qms.codesign.models import YouSaidEntry
from qms.codesign.selectors import yousaid as selectors
from qms.codesign.services import yousaid as services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service


def _readable_unit(request, unit_id) -> Unit:
    """The unit, if the user reads its board (a role there, or on a piece of its work)."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not selectors.may_read(request.user, unit):
        raise Http404("Not found")
    return unit


def _entry(request, entry_id) -> YouSaidEntry:
    """An entry for its unit's organisers: 404 for those who may not see it (partners do not see
    drafts, and are not told one exists), 403 for staff who may read but not change it."""
    entry = access.object_or_404(
        request.user,
        YouSaidEntry.objects.select_related("unit", "involvement"),
        entry_id,
        roles.BOARD_READERS,
    )
    if not selectors.sees_drafts(request.user, entry.unit):
        raise Http404("Not found")
    if not selectors.may_edit(request.user, entry.unit):
        raise PermissionDenied("Only the unit's leads and improvement coaches change the board.")
    return entry


@login_required
def board(request, unit_id):
    unit = _readable_unit(request, unit_id)
    drafts = selectors.sees_drafts(request.user, unit)
    context = {
        "unit": unit,
        "entries": selectors.board(request.user, unit, drafts=drafts),
        "drafts": drafts,
        "may_edit": selectors.may_edit(request.user, unit),
    }
    return render(request, "codesign/yousaid_board.html", context)


@login_required
def poster(request, unit_id):
    unit = _readable_unit(request, unit_id)
    context = {"unit": unit, "entries": selectors.board(request.user, unit, drafts=False)}
    return render(request, "codesign/yousaid_poster.html", context)


def _form(request, unit: Unit, *, initial=None, current_theme="", current_involvement=None):
    return EntryForm(
        request.POST or None,
        initial=initial,
        themes=selectors.theme_choices(unit, current=current_theme),
        follow_groups=selectors.follow_choices(unit),
        contributions=selectors.contribution_choices(unit, current=current_involvement),
    )


def _followed(form, unit: Unit):
    """What the form's “what followed” names, or False (with the error on the form)."""
    value = form.cleaned_data.get("followed") or ""
    if not value:
        return None
    record = selectors.followed_from(value)
    if record is None:
        form.add_error("followed", "Choose one of the unit's actions, cycles or projects.")
        return False
    return record


def _fields(form, unit: Unit) -> dict:
    data = form.cleaned_data
    fields = {key: data[key] for key in ("you_said", "we_did", "theme", "status", "status_on")}
    # The form offers only the unit's contributions; the service checks the rest.
    fields["involvement"] = selectors.contribution_from(unit, data.get("involvement"))
    return fields


@login_required
def entry_create(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.ORGANISERS)
    form = _form(request, unit)
    if request.method == "POST" and form.is_valid():
        followed = _followed(form, unit)
        if followed is not False:
            entry = apply_service(
                form,
                lambda: services.yousaid_create(
                    by=request.user, unit=unit, followed=followed, **_fields(form, unit)
                ),
            )
            if entry is not None:
                messages.success(request, "Entry drafted. Partners see it once it is published.")
                return redirect(entry)
    return _form_page(
        request, form, unit, title=f"New entry for {unit.name}", submit="Save the draft"
    )


@login_required
def entry_edit(request, entry_id):
    entry = _entry(request, entry_id)
    initial = {
        "you_said": entry.you_said,
        "we_did": entry.we_did,
        "theme": entry.theme,
        "involvement": str(entry.involvement_id or ""),
        "status": entry.status,
        "status_on": entry.status_on,
        "followed": (
            f"{entry.followed_type.app_label}.{entry.followed_type.model}:{entry.followed_id}"
            if entry.followed_type_id
            else ""
        ),
    }
    form = _form(
        request,
        entry.unit,
        initial=initial,
        current_theme=entry.theme,
        current_involvement=entry.involvement,
    )
    if request.method == "POST" and form.is_valid():
        followed = _followed(form, entry.unit)
        if followed is not False:
            done = apply_service(
                form,
                lambda: services.yousaid_update(
                    by=request.user, entry=entry, followed=followed, **_fields(form, entry.unit)
                ),
            )
            if done is not None:
                messages.success(request, "Entry changed.")
                return redirect(done)
    return _form_page(
        request, form, entry.unit, title="Change the entry", submit="Save the changes", entry=entry
    )


def _form_page(request, form, unit: Unit, *, title: str, submit: str, entry=None):
    context = {
        "form": form,
        "unit": unit,
        "entry": entry,
        "title": title,
        "submit": submit,
        "back": reverse("codesign:yousaid-board", args=[unit.pk]),
    }
    status = 400 if form.errors or getattr(form, "screening_prompted", False) else 200
    return render(request, "codesign/yousaid_form.html", context, status=status)


@login_required
@require_POST
def entry_publish(request, entry_id):
    entry = _entry(request, entry_id)
    if request.POST.get("publish") == "no":
        services.yousaid_withdraw(by=request.user, entry=entry)
        messages.success(request, "Entry withdrawn: partners no longer see it.")
    else:
        services.yousaid_publish(by=request.user, entry=entry)
        messages.success(request, "Entry published: everyone in the unit and its work sees it.")
    return redirect(entry)


@login_required
@require_POST
def entry_delete(request, entry_id):
    entry = _entry(request, entry_id)
    unit = entry.unit
    services.yousaid_delete(by=request.user, entry=entry)
    messages.success(request, "Entry deleted.")
    return redirect("codesign:yousaid-board", unit.pk)


urlpatterns = [
    path("units/<int:unit_id>/you-said/", board, name="yousaid-board"),
    path("units/<int:unit_id>/you-said/poster/", poster, name="yousaid-poster"),
    path("units/<int:unit_id>/you-said/new/", entry_create, name="yousaid-create"),
    path("you-said/<int:entry_id>/", entry_edit, name="yousaid-edit"),
    path("you-said/<int:entry_id>/publish/", entry_publish, name="yousaid-publish"),
    path("you-said/<int:entry_id>/delete/", entry_delete, name="yousaid-delete"),
]
