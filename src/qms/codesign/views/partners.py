"""Pages of partners: inviting a partner (a unit's organisers), the partners of the units the
user organises, and sending a partner the link to set a password again. Thin: the unit through
`access`, a form, a service, a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.codesign import roles
from qms.codesign.forms_partners import InviteForm
from qms.codesign.models import PartnerProfile
from qms.codesign.selectors import partners as selectors
from qms.codesign.services import partners as services
from qms.people import access
from qms.people.models import Unit
from qms.web.forms import apply_service


@login_required
def partner_list(request):
    units = selectors.organised_units(request.user)
    if not units:
        raise PermissionDenied("Only a unit's leads and improvement coaches look after partners.")
    context = {"page": selectors.partners_of(request.user), "units": units}
    return render(request, "codesign/partners_list.html", context)


@login_required
def partner_invite(request, unit_id):
    unit = access.object_or_404(request.user, Unit, unit_id, roles.ORGANISERS)
    groups = selectors.invite_choices(unit)
    initial = {"to": request.GET.get("to", "")}
    form = InviteForm(request.POST or None, groups=groups, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = selectors.invite_target(unit, data["to"])
        except LookupError:
            form.add_error("to", "Choose the unit or one piece of its work.")
        else:
            invitation = apply_service(
                form,
                lambda: services.partner_invite(
                    by=request.user,
                    display_name=data["display_name"],
                    email=data["email"],
                    contact_by=data["contact_by"],
                    unit=unit if record is None else None,
                    record=record,
                ),
            )
            if invitation is not None:
                person = invitation.profile.person
                if invitation.new_account:
                    messages.success(
                        request,
                        f"{person} is invited: an e-mail with a link to choose a password is "
                        "on its way.",
                    )
                else:
                    messages.success(request, f"{person} already had an account: the work is "
                                     "added to it, and they are told in their inbox.")  # fmt: skip
                return redirect("codesign:partner-list")
    context = {"form": form, "unit": unit, "back": reverse("codesign:partner-list")}
    status = 400 if form.errors else 200
    return render(request, "codesign/partners_invite.html", context, status=status)


@login_required
@require_POST
def partner_link_resend(request, profile_id):
    profile = access.object_or_404(
        request.user,
        PartnerProfile.objects.select_related("person", "unit"),
        profile_id,
        roles.ORGANISERS,
    )
    done = apply_service(
        InviteForm(groups=[]),
        lambda: services.partner_link_resend(by=request.user, profile=profile) or True,
    )
    if done:
        messages.success(request, f"A new link is on its way to {profile.person}.")
    else:
        messages.error(request, f"{profile.person} has set a password already: nothing was sent.")
    return redirect("codesign:partner-list")


urlpatterns = [
    path("people/", partner_list, name="partner-list"),
    path("units/<int:unit_id>/invite/", partner_invite, name="partner-invite"),
    path("people/<int:profile_id>/send-link/", partner_link_resend, name="partner-link-resend"),
]
