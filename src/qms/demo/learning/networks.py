"""The demo's learning networks (see qms.demo.learning): falls prevention across the medical,
surgical and rehabilitation wards (the demo's patient partner a member), the deteriorating
patient (NEWS2 escalation) across the acute wards, and discharge before noon hosted by Ward 7.
Each shares the measures its teams made from one library definition (so their funnel plot
shows), with events past and upcoming, a discussion and change packages. Built through the
networks' services, and only what is missing: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from qms.comments import services as comment_services
from qms.comments.models import Comment
from qms.control.models import Measure
from qms.improvement.models import ChangePackage, PackageStatus
from qms.learning.models import Evidence, EvidenceLink, Network, NetworkEvent, NetworkTeam
from qms.learning.services import evidence as evidence_services
from qms.learning.services import networks as services
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import Role


@dataclass(frozen=True)
class DemoEvent:
    title: str
    days: int  # from today: negative in the past
    place: str
    description: str
    notes: str = ""


@dataclass(frozen=True)
class DemoNetwork:
    name: str
    host: str  # unit code
    host_person: str  # username of the host who starts it
    topic: str
    teams: tuple[str, ...]
    definition: str  # the library definition whose measures the teams share
    members: tuple[tuple[str, str], ...]  # (username, role)
    events: tuple[DemoEvent, ...]
    comments: tuple[tuple[str, str], ...]  # (username, text)
    packages: tuple[str, ...]  # titles of published change packages
    evidence: tuple[str, ...] = ()  # titles of the evidence library's items it cites


NETWORKS = (
    DemoNetwork(
        name="Falls prevention network",
        host="acute",
        host_person="quality",
        topic="Inpatient falls, and the harm from them, on the medical, surgical and "
        "rehabilitation wards: what the wards with the fewest falls do at night, how bundles "
        "are kept up, and how patients and families take part.",
        teams=("ward-7", "ward-8", "ward-9", "amu", "ward-14", "ward-15", "falls"),
        definition="falls-rate",
        members=(("partner", Role.PARTNER), ("coach", Role.IMPROVEMENT_COACH)),
        events=(
            DemoEvent(
                "Learning session 1: what the night shift sees",
                -70,
                "Education centre, room 3",
                "Each ward brings its falls chart and one change it has tested.",
                "Ward 8's fall in falls came with intentional rounding at night and bed "
                "alarms kept charged; the other wards will test rounding first.",
            ),
            DemoEvent(
                "Webinar: lying and standing blood pressure",
                -21,
                "Online (Teams)",
                "The falls team shows how to do and record it on the ward.",
                "Most wards record it on admission only: a prompt at the second day is next.",
            ),
            DemoEvent(
                "Learning session 2: families as partners",
                18,
                "Education centre, room 3",
                "With the network's patient partner: what families notice before a fall.",
            ),
        ),
        comments=(
            (
                "lead",
                "Ward 7 started intentional rounding at night last month, from Ward 8's "
                "experience. Our huddle checks it each morning.",
            ),
            (
                "partner",
                "Families often know when someone is getting up at night. Asking them on "
                "admission would help, and the leaflet could say so.",
            ),
            (
                "coach",
                "The funnel plot below compares the wards' falls rates: Ward 8 sits near the "
                "lower limit. Worth a visit before the next learning session.",
            ),
        ),
        packages=("Falls bundle for medical wards",),
        evidence=(
            "Falls in older people: assessing risk and prevention (NICE CG161)",
            "Interventions for preventing falls in care facilities and hospitals",
            "Bed alarms to prevent falls in hospital: a cluster randomised trial",
            "Falls by hour of day on the medical wards, 2024",
        ),
    ),
    DemoNetwork(
        name="Deteriorating patient: NEWS2 escalation",
        host="medicine",
        host_person="quality",
        topic="Escalating a raised NEWS2 score within the hour, day and night, on the acute "
        "wards and the Acute Medical Unit: the escalation conversation, handover and the "
        "hospital at night team.",
        teams=("ward-7", "ward-8", "amu", "ward-16", "hospital-at-night"),
        definition="news2-escalation",
        members=(("coach", Role.IMPROVEMENT_COACH),),
        events=(
            DemoEvent(
                "Simulation: the escalation call (SBAR)",
                -35,
                "Clinical skills lab",
                "A short simulation for staff nurses and healthcare support workers.",
                "Calls were quicker when the score and the trend were said first.",
            ),
            DemoEvent(
                "Review of the quarter's escalations",
                25,
                "Medicine seminar room",
                "Each ward brings two escalations that went well and one that did not.",
            ),
        ),
        comments=(
            (
                "lead",
                "Night escalations are our gap: the hospital at night team suggested a "
                "shared bleep list, which we start testing next week.",
            ),
        ),
        packages=(),
        evidence=("National Early Warning Score (NEWS) 2",),
    ),
    DemoNetwork(
        name="Discharge before noon",
        host="ward-7",
        host_person="lead",
        topic="Getting patients home before noon on their day of discharge: planning the "
        "day before, medicines ready, and transport booked early.",
        teams=("ward-7", "ward-8", "amu"),
        definition="discharge-before-noon",
        members=(),
        events=(
            DemoEvent(
                "Kick-off: the day before discharge",
                -14,
                "Ward 7 seminar room",
                "What each ward does the afternoon before a patient goes home.",
                "Pharmacy will pilot preparing medicines the evening before on Ward 8.",
            ),
            DemoEvent("Progress huddle", 10, "Online (Teams)", "Fifteen minutes, each ward."),
        ),
        comments=(
            (
                "member",
                "Booking transport the day before saved us most of the morning for two "
                "patients this week.",
            ),
        ),
        packages=("Care plans written with patients",),
        evidence=("Discharge planning from hospital",),
    ),
)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    people = {person.username: person for person in Person.objects.all()}
    # Events are placed around the demo's day, in the afternoon.
    afternoon = dt.datetime.combine(today or timezone.localdate(), dt.time(14, 0))
    now = timezone.make_aware(afternoon)
    for spec in NETWORKS:
        if spec.host not in units:
            continue  # an organisation without this unit: nothing to host it
        _build_network(spec, units, people, now)
    return {
        "learning networks": Network.objects.count(),
        "network teams": NetworkTeam.objects.count(),
        "network events": NetworkEvent.objects.count(),
    }


def _build_network(spec: DemoNetwork, units, people, now: dt.datetime) -> None:
    host = people.get(spec.host_person)
    network = Network.objects.filter(unit=units[spec.host], name=spec.name).first()
    if network is None:
        network = services.network_create(
            by=host, unit=units[spec.host], name=spec.name, topic=spec.topic
        )
    taking_part = set(network.teams.values_list("unit__code", flat=True))
    for code in spec.teams:
        if code in units and code not in taking_part:
            services.network_team_add(by=host, network=network, unit=units[code])
    shared = set(network.measures.values_list("pk", flat=True))
    codes = [f"{code}-{spec.definition}" for code in spec.teams]
    for measure in Measure.objects.filter(code__in=codes, is_active=True).select_related("unit"):
        if measure.pk not in shared:
            services.network_measure_add(by=host, network=network, measure=measure)
    granted = set(
        ObjectGrant.objects.filter(
            object_id=network.pk, content_type__app_label="learning", content_type__model="network"
        ).values_list("person__username", "role")
    )
    for username, role in spec.members:
        if username in people and (username, role) not in granted:
            services.network_member_add(
                by=host, network=network, person=people[username], role=role
            )
    planned = set(network.events.values_list("title", flat=True))
    for event in spec.events:
        if event.title not in planned:
            services.event_create(
                by=host,
                network=network,
                title=event.title,
                starts_at=now + dt.timedelta(days=event.days),
                place=event.place,
                description=event.description,
                notes=event.notes,
            )
    said = set(
        Comment.objects.filter(
            object_id=network.pk, content_type__app_label="learning", content_type__model="network"
        ).values_list("text", flat=True)
    )
    for username, text in spec.comments:
        if username in people and text not in said:
            comment_services.comment_add(by=people[username], subject=network, text=text)
    offered = set(network.packages.values_list("title", flat=True))
    for package in ChangePackage.objects.filter(
        title__in=spec.packages, status=PackageStatus.PUBLISHED
    ):
        if package.title not in offered:
            services.network_package_add(by=host, network=network, package=package)
    cited = set(
        EvidenceLink.objects.filter(
            object_id=network.pk, content_type__app_label="learning", content_type__model="network"
        ).values_list("evidence__title", flat=True)
    )
    for item in Evidence.objects.filter(title__in=spec.evidence, is_active=True):
        if item.title not in cited:
            evidence_services.evidence_link(by=None, evidence=item, record=network)
