"""Learning networks: starting and running one (its hosts), members given a role on it (through
`qms.people.services`' grants: partners included), teams (units) joining and leaving, the
measures and change packages it shares, and its events. Every write authorises `by` and keeps
history; `by=None` is the system itself (the demo, a command)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qms.improvement import selectors as improvement_selectors
from qms.learning import roles
from qms.learning.models import Network, NetworkEvent, NetworkStatus, NetworkTeam
from qms.learning.selectors.networks import MEMBER_ROLES, organisation_of, standing
from qms.people import access
from qms.people import services as people_services
from qms.people.history import record_by
from qms.people.models import ObjectGrant, Person, Unit

EDITABLE = ("name", "topic")


def _require_host(by: Person | None, network: Network, action: str) -> None:
    """Hosts run a network: NETWORK_HOSTS in its unit, or given on the network itself."""
    if by is not None and not standing(by, network).hosts:
        raise PermissionDenied(f"Only the network's hosts may {action}.")


def _require_active(network: Network) -> None:
    if network.status != NetworkStatus.ACTIVE:
        raise ValidationError("The network is closed: reopen it first.")


def _locked(network: Network) -> Network:
    """The network's row locked to the end of the transaction: of two hosts changing its teams,
    measures or packages at once, the second waits and sees what the first did."""
    return Network.objects.select_for_update().select_related("unit").get(pk=network.pk)


def _clean_text(network: Network) -> None:
    network.name = network.name.strip()
    network.topic = network.topic.strip()
    network.full_clean(exclude=["unit", "created_by", "measures", "packages"])


@transaction.atomic
def network_create(*, by: Person | None, unit: Unit, name: str, topic: str) -> Network:
    """Start a network hosted by `unit` (NETWORK_HOSTS there). The host unit takes part as its
    first team."""
    access.authorise(by, unit, roles.NETWORK_HOSTS, "start a learning network")
    network = Network(unit=unit, name=name, topic=topic, created_by=by)
    _clean_text(network)
    record_by(network, by, "Network started")
    network.save()
    team = NetworkTeam(network=network, unit=unit, joined_by=by)
    record_by(team, by, "Host unit")
    team.save()
    return network


@transaction.atomic
def network_update(*, by: Person | None, network: Network, reason: str = "", **changes) -> Network:
    """Change the network's name or topic (its hosts)."""
    _require_host(by, network, "change it")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    network = _locked(network)
    for name, value in changes.items():
        setattr(network, name, value)
    _clean_text(network)
    record_by(network, by, reason or "Changed")
    network.save()
    return network


@transaction.atomic
def network_set_status(
    *, by: Person | None, network: Network, status: str, reason: str = ""
) -> Network:
    """Close a network (its work done, or merged into another) or reopen it (its hosts). A
    closed network is read as it was; nothing is added to it."""
    _require_host(by, network, "close or reopen it")
    if status not in NetworkStatus.values:
        raise ValidationError({"status": "Choose active or closed."})
    network = _locked(network)
    if network.status == status:
        raise ValidationError(f"The network is already {NetworkStatus(status).label.lower()}.")
    network.status = status
    words = "Closed" if status == NetworkStatus.CLOSED else "Reopened"
    record_by(network, by, f"{words}: {reason}" if reason else words)
    network.save()
    return network


# Members ----------------------------------------------------------------------------------------


@transaction.atomic
def network_member_add(
    *, by: Person | None, network: Network, person: Person, role: str
) -> ObjectGrant:
    """Give `person` a role on the network (its hosts): a member, a patient or carer partner,
    an analyst, or a co-host (team lead or improvement coach). They read the network and take
    part in its discussion without a role in any of its units."""
    _require_host(by, network, "add members")
    _require_active(network)
    if role not in MEMBER_ROLES:
        raise ValidationError({"role": "Choose a role on the network."})
    return people_services.grant_give(
        by=by, record=network, person=person, role=role, managers=roles.NETWORK_HOSTS
    )


@transaction.atomic
def network_member_remove(*, by: Person | None, grant: ObjectGrant, reason: str = "") -> None:
    """Take a person's role on the network away (its hosts; anyone may leave a network)."""
    network = grant.subject
    if not isinstance(network, Network):
        raise ValidationError("This role is not on a learning network.")
    leaving = by is not None and by.pk == grant.person_id
    if not leaving:
        _require_host(by, network, "remove members")
    people_services.grant_remove(
        by=by,
        grant=grant,
        reason=reason or ("Left the network" if leaving else ""),
        managers=roles.NETWORK_MEMBERS if leaving else roles.NETWORK_HOSTS,
    )


# Teams ------------------------------------------------------------------------------------------


@transaction.atomic
def network_team_add(*, by: Person | None, network: Network, unit: Unit) -> NetworkTeam:
    """A unit joins the network: added by a host (any unit of the host unit's organisation) or
    by one of the unit's own leads (NETWORK_HOSTS in it). Its staff then read the network and
    take part; its measures may be shared."""
    if by is not None and not (
        standing(by, network).hosts or access.roles_in(by, unit) & roles.NETWORK_HOSTS
    ):
        raise PermissionDenied("Only the network's hosts, or the unit's leads, may add it.")
    if not unit.path.startswith(organisation_of(network.unit)):
        raise ValidationError({"unit": f"{unit} is not in the host's organisation."})
    network = _locked(network)
    _require_active(network)
    already = ValidationError({"unit": f"{unit} already takes part in {network}."})
    if NetworkTeam.objects.filter(network=network, unit=unit).exists():
        raise already
    team = NetworkTeam(network=network, unit=unit, joined_by=by)
    record_by(team, by, "Joined")
    try:  # the unique constraint decides between two hosts adding it at once
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise already from None
    return team


@transaction.atomic
def network_team_remove(*, by: Person | None, team: NetworkTeam, reason: str = "") -> None:
    """A unit leaves the network (its hosts, or the unit's leads). The host unit takes part as
    long as it hosts. The measures shared from the unit leave with it, unless another team
    still covers them (a team above it)."""
    network = _locked(team.network)
    if by is not None and not (
        standing(by, network).hosts or access.roles_in(by, team.unit) & roles.NETWORK_HOSTS
    ):
        raise PermissionDenied("Only the network's hosts, or the unit's leads, may take it out.")
    if team.unit_id == network.unit_id:
        raise ValidationError("The host unit takes part while it hosts the network.")
    others = [t.unit.path for t in network.teams.select_related("unit").exclude(pk=team.pk)]
    leaving = [
        measure
        for measure in network.measures.select_related("unit")
        if measure.unit.path.startswith(team.unit.path)
        and not any(measure.unit.path.startswith(path) for path in others)
    ]
    if leaving:
        record_by(network, by, f"{team.unit} left: its measures are no longer shared")
        network.measures.remove(*leaving)
    record_by(team, by, reason or "Left")
    team.delete()


# Shared measures and packages -------------------------------------------------------------------


@transaction.atomic
def network_measure_add(*, by: Person | None, network: Network, measure) -> Network:
    """Share a measure of a member team's unit (or below) with the network (its hosts): every
    member sees its chart on the network's page."""
    _require_host(by, network, "share measures")
    network = _locked(network)
    _require_active(network)
    if not measure.is_active:
        raise ValidationError({"measure": f"{measure} is no longer in use."})
    paths = [t.unit.path for t in network.teams.select_related("unit")]
    if not any(measure.unit.path.startswith(path) for path in paths):
        raise ValidationError({"measure": f"{measure} is not a measure of a member team."})
    if network.measures.filter(pk=measure.pk).exists():
        raise ValidationError({"measure": f"{measure} is already shared."})
    record_by(network, by, f"{measure} ({measure.unit}) shared")
    network.measures.add(measure)
    return network


@transaction.atomic
def network_measure_remove(*, by: Person | None, network: Network, measure) -> Network:
    """Stop sharing a measure (its hosts); its data stay in quality control."""
    _require_host(by, network, "stop sharing measures")
    network = _locked(network)
    record_by(network, by, f"{measure} no longer shared")
    network.measures.remove(measure)
    return network


@transaction.atomic
def network_package_add(*, by: Person | None, network: Network, package) -> Network:
    """Share a published change package with the network (its hosts)."""
    _require_host(by, network, "share change packages")
    network = _locked(network)
    _require_active(network)
    if improvement_selectors.package_published(package.pk) is None:
        raise ValidationError({"package": f"{package} is not published."})
    if network.packages.filter(pk=package.pk).exists():
        raise ValidationError({"package": f"{package} is already shared."})
    record_by(network, by, f"Change package {package} shared")
    network.packages.add(package)
    return network


@transaction.atomic
def network_package_remove(*, by: Person | None, network: Network, package) -> Network:
    """Stop sharing a change package (its hosts); the package itself is unchanged."""
    _require_host(by, network, "stop sharing change packages")
    network = _locked(network)
    record_by(network, by, f"Change package {package} no longer shared")
    network.packages.remove(package)
    return network


# Events -----------------------------------------------------------------------------------------

EVENT_FIELDS = ("title", "starts_at", "place", "description", "notes")


def _clean_event(event: NetworkEvent) -> None:
    event.title = event.title.strip()
    event.full_clean(exclude=["network", "created_by"])


@transaction.atomic
def event_create(*, by: Person | None, network: Network, **fields) -> NetworkEvent:
    """Plan a meeting, webinar or learning session of the network (its hosts)."""
    _require_host(by, network, "plan events")
    _require_active(network)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError(f"An event has no {', '.join(sorted(unknown))}.")
    event = NetworkEvent(network=network, created_by=by, **fields)
    _clean_event(event)
    record_by(event, by, "Planned")
    event.save()
    return event


@transaction.atomic
def event_update(*, by: Person | None, event: NetworkEvent, **changes) -> NetworkEvent:
    """Change an event or write what was learned at it afterwards (the network's hosts)."""
    _require_host(by, event.network, "change events")
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError(f"An event has no {', '.join(sorted(unknown))}.")
    event = NetworkEvent.objects.select_for_update().select_related("network").get(pk=event.pk)
    for name, value in changes.items():
        setattr(event, name, value)
    _clean_event(event)
    record_by(event, by, "Changed")
    event.save()
    return event


@transaction.atomic
def event_delete(*, by: Person | None, event: NetworkEvent, reason: str = "") -> None:
    """Cancel an event (the network's hosts); the history keeps it."""
    _require_host(by, event.network, "cancel events")
    record_by(event, by, reason or "Cancelled")
    event.delete()
