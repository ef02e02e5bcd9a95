"""Pages of learning networks. Thin: the network and the person's standing on it through
`selectors.networks`, a form, a service, a page. Readers (staff of the host unit, people given
a role on the network, staff of member teams) see it; hosts run it; anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from qms.learning.forms_networks import (
    EventForm,
    MeasureAddForm,
    MemberAddForm,
    NetworkFilterForm,
    NetworkForm,
    PackageAddForm,
    ReasonForm,
    SearchForm,
    StatusForm,
    TeamAddForm,
    event_initial,
)
from qms.learning.models import Network, NetworkEvent, NetworkStatus, NetworkTeam
from qms.learning.selectors import networks as selectors
from qms.learning.services import networks as services
from qms.people.models import ObjectGrant, Unit
from qms.web.forms import apply_service
from qms.web.screening import check_text_page, first_error


def _status(form) -> int:
    return 400 if form is not None and form.errors else 200


def _reader(request, network_id):
    return selectors.network_or_404(request.user, network_id)


def _host(request, network_id):
    network, found = _reader(request, network_id)
    if not found.hosts:
        raise PermissionDenied("Only the network's hosts run it.")
    return network, found


def _post_back(request, form, act, *, done, back: str, failed: str = "Nothing was changed"):
    """A small form posted from the network's page: the service's answer as a message (`done`,
    or `done(result)`), back to the page; text that may identify a patient asks again on a page
    of its own."""
    if form.is_valid():
        try:
            result = act(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"{' '.join(error.messages).rstrip('.')}. {failed}.")
        else:
            messages.success(request, done(result) if callable(done) else done)
        return redirect(back)
    if getattr(form, "screening_prompted", False):
        return check_text_page(request, form, back)
    messages.error(request, f"{first_error(form).rstrip('.')}. {failed}.")
    return redirect(back)


# The list and a network --------------------------------------------------------------------------


@login_required
def network_list(request):
    form = NetworkFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = selectors.networks_page(
        request.user,
        status=data.get("status", ""),
        text=data.get("text", ""),
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": form,
        "query": query.urlencode(),
        "can_start": bool(selectors.hosting_units(request.user)),
    }
    return render(request, "learning/networks_list.html", context, status=_status(form))


@login_required
def network_create(request):
    units = selectors.hosting_units(request.user)
    if not units:
        raise PermissionDenied("Only leads and improvement coaches start learning networks.")
    form = NetworkForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        network = apply_service(
            form,
            lambda: services.network_create(
                by=request.user,
                unit=form.units[data["unit"]],
                name=data["name"],
                topic=data["topic"],
            ),
        )
        if network is not None:
            messages.success(request, "Network started. Add its members, teams and measures.")
            return redirect(network)
    context = {
        "form": form,
        "title": "Start a learning network",
        "submit": "Start the network",
        "back": reverse("learning:network-list"),
    }
    return render(request, "learning/networks_form.html", context, status=_status(form))


@login_required
def network_detail(request, network_id):
    network, found = _reader(request, network_id)
    page = selectors.network_page(request.user, network, found)
    context = {
        "network": network,
        "page": page,
        "member_form": MemberAddForm() if found.hosts and page.is_active else None,
    }
    return render(request, "learning/networks_detail.html", context)


@login_required
def network_edit(request, network_id):
    network, _ = _host(request, network_id)
    initial = {"name": network.name, "topic": network.topic}
    form = NetworkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.network_update(by=request.user, network=network, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "Network changed.")
            return redirect(network)
    context = {
        "form": form,
        "network": network,
        "title": f"Change {network.name}",
        "submit": "Save the changes",
        "back": network.get_absolute_url(),
    }
    return render(request, "learning/networks_form.html", context, status=_status(form))


@login_required
@require_POST
def network_status(request, network_id):
    network, _ = _host(request, network_id)
    form = StatusForm(request.POST)
    closing = request.POST.get("status") == NetworkStatus.CLOSED
    return _post_back(
        request,
        form,
        lambda data: services.network_set_status(by=request.user, network=network, **data),
        done="Network closed." if closing else "Network reopened.",
        back=network.get_absolute_url(),
    )


# Members ----------------------------------------------------------------------------------------


@login_required
@require_POST
def member_add(request, network_id):
    network, _ = _host(request, network_id)
    return _post_back(
        request,
        MemberAddForm(request.POST),
        lambda data: services.network_member_add(by=request.user, network=network, **data),
        done=lambda grant: f"{grant.person} joined as {grant.get_role_display()}.",
        back=network.get_absolute_url() + "#members",
        failed="No one was added",
    )


def _grant_of(network: Network, grant_id) -> ObjectGrant:
    return get_object_or_404(
        ObjectGrant.objects.select_related("person"),
        pk=grant_id,
        object_id=network.pk,
        content_type__app_label="learning",
        content_type__model="network",
    )


@login_required
@require_POST
def member_remove(request, network_id, grant_id):
    network, found = _reader(request, network_id)
    grant = _grant_of(network, grant_id)
    if not found.hosts and grant.person_id != request.user.pk:
        raise PermissionDenied("Only the network's hosts remove members.")
    leaving = grant.person_id == request.user.pk
    form = ReasonForm(request.POST)
    back = network.get_absolute_url() + "#members"
    response = _post_back(
        request,
        form,
        lambda data: services.network_member_remove(by=request.user, grant=grant, **data),
        done="You left the network." if leaving else f"{grant.person} is no longer a member.",
        back=back,
    )
    if leaving and not selectors.standing(request.user, network).reads:
        return redirect("learning:network-list")
    return response


# Teams ------------------------------------------------------------------------------------------


@login_required
def teams(request, network_id):
    """Find a unit and add it: hosts any unit of the organisation, a unit's leads their own."""
    network, found = _reader(request, network_id)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["text"] if search.is_valid() else ""
    candidates = selectors.team_candidates(request.user, network, text=text)
    if request.method == "POST":
        form = TeamAddForm(request.POST)
        unit = None
        if form.is_valid():
            unit = next((u for u in candidates if u.pk == form.cleaned_data["unit"]), None)
            if unit is None:  # not one this person may add (or not found): nothing to disclose
                unit = _unit_they_may_add(request, network, form.cleaned_data["unit"])
        if unit is None:
            messages.error(request, "Choose a unit from the list. No team was added.")
            return redirect("learning:network-teams", network.pk)
        return _post_back(
            request,
            form,
            lambda data: services.network_team_add(by=request.user, network=network, unit=unit),
            done=f"{unit.name} takes part.",
            back=network.get_absolute_url() + "#teams",
            failed="No team was added",
        )
    if not candidates and not found.hosts and not text:
        raise PermissionDenied("Only the network's hosts, or a unit's leads, add teams.")
    context = {"network": network, "search": search, "candidates": candidates}
    return render(request, "learning/networks_teams.html", context, status=_status(search))


def _unit_they_may_add(request, network, unit_id):
    """A unit beyond the first page of the picker, when the person may add it; else None."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        return None
    allowed = selectors.team_candidates(request.user, network, text=unit.name)
    return unit if any(u.pk == unit.pk for u in allowed) else None


@login_required
@require_POST
def team_remove(request, network_id, team_id):
    network, _ = _reader(request, network_id)
    team = get_object_or_404(
        NetworkTeam.objects.select_related("unit"), pk=team_id, network=network
    )
    form = ReasonForm(request.POST)
    return _post_back(
        request,
        form,
        lambda data: services.network_team_remove(by=request.user, team=team, **data),
        done=f"{team.unit.name} no longer takes part.",
        back=network.get_absolute_url() + "#teams",
    )


# Shared measures and packages --------------------------------------------------------------------


@login_required
def measures(request, network_id):
    network, _ = _host(request, network_id)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["text"] if search.is_valid() else ""
    if request.method == "POST":
        form = MeasureAddForm(request.POST)
        measure = selectors.measure_for_network(request.POST.get("measure"))
        if measure is None:
            raise Http404("Not found")
        return _post_back(
            request,
            form,
            lambda data: services.network_measure_add(
                by=request.user, network=network, measure=measure
            ),
            done=f"{measure.name} ({measure.unit.name}) is shared.",
            back=reverse("learning:network-measures", args=[network.pk]),
            failed="Nothing was shared",
        )
    context = {
        "network": network,
        "search": search,
        "candidates": selectors.measure_candidates(network, text=text),
    }
    return render(request, "learning/networks_measures.html", context, status=_status(search))


@login_required
@require_POST
def measure_remove(request, network_id, measure_id):
    network, _ = _host(request, network_id)
    measure = network.measures.filter(pk=measure_id).first()
    if measure is None:
        raise Http404("Not found")
    return _post_back(
        request,
        ReasonForm(request.POST),
        lambda data: services.network_measure_remove(
            by=request.user, network=network, measure=measure
        ),
        done=f"{measure.name} is no longer shared.",
        back=network.get_absolute_url() + "#measures",
    )


@login_required
def packages(request, network_id):
    network, _ = _host(request, network_id)
    search = SearchForm(request.GET or None)
    text = search.cleaned_data["text"] if search.is_valid() else ""
    if request.method == "POST":
        form = PackageAddForm(request.POST)
        package = selectors.package_for_network(request.POST.get("package"))
        if package is None:
            raise Http404("Not found")
        return _post_back(
            request,
            form,
            lambda data: services.network_package_add(
                by=request.user, network=network, package=package
            ),
            done=f"{package.title} is shared.",
            back=reverse("learning:network-packages", args=[network.pk]),
            failed="Nothing was shared",
        )
    context = {
        "network": network,
        "search": search,
        "candidates": selectors.package_candidates(request.user, network, text=text),
    }
    return render(request, "learning/networks_packages.html", context, status=_status(search))


@login_required
@require_POST
def package_remove(request, network_id, package_id):
    network, _ = _host(request, network_id)
    package = network.packages.filter(pk=package_id).first()
    if package is None:
        raise Http404("Not found")
    return _post_back(
        request,
        ReasonForm(request.POST),
        lambda data: services.network_package_remove(
            by=request.user, network=network, package=package
        ),
        done=f"{package.title} is no longer shared.",
        back=network.get_absolute_url() + "#packages",
    )


# Events -----------------------------------------------------------------------------------------


def _event_of(network: Network, event_id) -> NetworkEvent:
    return get_object_or_404(NetworkEvent, pk=event_id, network=network)


@login_required
def event_create(request, network_id):
    network, _ = _host(request, network_id)
    if network.status != NetworkStatus.ACTIVE:
        raise PermissionDenied("The network is closed: reopen it first.")
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        event = apply_service(
            form,
            lambda: services.event_create(by=request.user, network=network, **form.cleaned_data),
        )
        if event is not None:
            messages.success(request, "Event planned.")
            return redirect(network.get_absolute_url() + "#events")
    context = {
        "form": form,
        "network": network,
        "title": f"Plan an event of {network.name}",
        "submit": "Plan the event",
        "back": network.get_absolute_url() + "#events",
    }
    return render(request, "learning/networks_form.html", context, status=_status(form))


@login_required
def event_edit(request, network_id, event_id):
    network, _ = _host(request, network_id)
    event = _event_of(network, event_id)
    form = EventForm(request.POST or None, initial=event_initial(event))
    if request.method == "POST" and form.is_valid():
        done = apply_service(
            form,
            lambda: services.event_update(by=request.user, event=event, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, "Event saved.")
            return redirect(network.get_absolute_url() + "#events")
    context = {
        "form": form,
        "network": network,
        "event": event,
        "title": f"{event.title}: {network.name}",
        "submit": "Save the event",
        "back": network.get_absolute_url() + "#events",
    }
    return render(request, "learning/networks_form.html", context, status=_status(form))


@login_required
@require_POST
def event_delete(request, network_id, event_id):
    network, _ = _host(request, network_id)
    event = _event_of(network, event_id)
    return _post_back(
        request,
        ReasonForm(request.POST),
        lambda data: services.event_delete(by=request.user, event=event, **data),
        done=f"{event.title} cancelled.",
        back=network.get_absolute_url() + "#events",
    )


urlpatterns = [
    path("networks/", network_list, name="network-list"),
    path("networks/new/", network_create, name="network-create"),
    path("networks/<int:network_id>/", network_detail, name="network-detail"),
    path("networks/<int:network_id>/edit/", network_edit, name="network-edit"),
    path("networks/<int:network_id>/status/", network_status, name="network-status"),
    path("networks/<int:network_id>/members/", member_add, name="network-member-add"),
    path(
        "networks/<int:network_id>/members/<int:grant_id>/remove/",
        member_remove,
        name="network-member-remove",
    ),
    path("networks/<int:network_id>/teams/", teams, name="network-teams"),
    path(
        "networks/<int:network_id>/teams/<int:team_id>/remove/",
        team_remove,
        name="network-team-remove",
    ),
    path("networks/<int:network_id>/measures/", measures, name="network-measures"),
    path(
        "networks/<int:network_id>/measures/<int:measure_id>/remove/",
        measure_remove,
        name="network-measure-remove",
    ),
    path("networks/<int:network_id>/packages/", packages, name="network-packages"),
    path(
        "networks/<int:network_id>/packages/<int:package_id>/remove/",
        package_remove,
        name="network-package-remove",
    ),
    path("networks/<int:network_id>/events/new/", event_create, name="network-event-create"),
    path(
        "networks/<int:network_id>/events/<int:event_id>/edit/",
        event_edit,
        name="network-event-edit",
    ),
    path(
        "networks/<int:network_id>/events/<int:event_id>/delete/",
        event_delete,
        name="network-event-delete",
    ),
]
