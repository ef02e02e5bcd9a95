"""The demo's involvement of partners (see qms.demo.codesign): a spread across the ladder of
participation so the summary tells a story. Ward 7's falls project was co-designed with its
patient partner; the experience-based co-design projects were co-produced; priorities were
consulted on; a measure's review involved patient partners; the learning networks involved and
co-designed; some work only informed partners. Logged through the services by each work's
organiser (its lead, the unit's team lead, the network's host), found again by the work and the
words of the contribution, so running the demo twice adds nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from qms.codesign.models import Involvement, Level
from qms.codesign.selectors import involvement as selectors
from qms.codesign.services import involvement as services
from qms.control.models import Measure
from qms.improvement.models import Project
from qms.learning.models import Network
from qms.people.models import Membership, Person
from qms.people.roles import Role
from qms.planning.models import Priority


@dataclass(frozen=True)
class DemoInvolvement:
    days_ago: int
    level: int
    contribution: str
    group: str = ""  # a group counted without names; empty: the work's partner
    size: int | None = None
    difference: str = ""  # set: it shaped a decision
    hours: str | None = None


PROJECTS: dict[str, tuple[DemoInvolvement, ...]] = {
    "Fewer falls on Ward 7": (
        DemoInvolvement(
            200,
            Level.INFORMING,
            "Heard at the patient and carer forum why the ward is working on falls at night.",
            group="Ward 7 patient and carer forum",
            size=12,
        ),
        DemoInvolvement(
            170,
            Level.CONSULTING,
            "Told us what being on the ward at night is like: the walk to the toilet in the dark "
            "and not wanting to bother the nurses.",
            hours="1.5",
        ),
        DemoInvolvement(
            120,
            Level.CO_DESIGNING,
            "Designed the night-time bundle with two nurses: call bell within reach, a night "
            "light, and a toilet offer on every intentional round.",
            difference="The bundle's first version was changed to add the night light and the "
            "toilet offer, both the partner's ideas.",
            hours="3",
        ),
        DemoInvolvement(
            40,
            Level.CO_DESIGNING,
            "Studied the third PDSA cycle's results with the team and chose what to adapt.",
            difference="The team kept hourly rounding at night only, as the partner suggested.",
            hours="2",
        ),
    ),
    "Care plans written with patients": (
        DemoInvolvement(
            260,
            Level.CO_PRODUCING,
            "Filmed interviews with 8 patients; patients chose the touchpoints with staff.",
            group="Ward 21 experience-based co-design group",
            size=8,
            difference="Admission and the first ward round became the touchpoints to improve.",
            hours="12",
        ),
        DemoInvolvement(
            150,
            Level.CO_PRODUCING,
            "Patients and staff wrote the one-page care plan together and ran the care planning "
            "meeting side by side.",
            difference="The care planning meeting was introduced as the patients designed it.",
            hours="6",
        ),
    ),
    "Positive behaviour support plans with families": (
        DemoInvolvement(
            90,
            Level.CO_PRODUCING,
            "Families and staff wrote and tested the positive behaviour support plan together.",
            group="Ward 24 families' group",
            size=6,
            difference="Plans are now written with the family in the first week.",
            hours="8",
        ),
    ),
    "Annual health checks for people with a learning disability": (
        DemoInvolvement(
            110,
            Level.CO_DESIGNING,
            "Designed the easy-read invitation and the reasonable adjustments checklist.",
            difference="The easy-read invitation replaced the standard letter.",
            hours="4",
        ),
    ),
    "COPD discharge bundle for every patient": (
        DemoInvolvement(
            80,
            Level.CONSULTING,
            "Commented on the draft discharge leaflet.",
            hours="1",
        ),
    ),
    "Reliable escalation of NEWS2 on early shifts": (
        DemoInvolvement(
            60,
            Level.INFORMING,
            "Shown the NEWS2 escalation chart at the forum.",
            group="Ward 7 patient and carer forum",
            size=10,
        ),
    ),
    "Cardiac rehabilitation referral before discharge": (
        DemoInvolvement(
            70,
            Level.INVOLVING,
            "Took part in the team's meetings on the referral conversation.",
            group="Cardiac rehabilitation patients' group",
            size=4,
        ),
    ),
    "Fewer missed first appointments": (
        DemoInvolvement(
            100,
            Level.CONSULTING,
            "Answered the survey on why first appointments are missed.",
            group="People waiting for a first appointment (survey)",
            size=40,
            difference="Text reminders two days before were chosen over letters.",
        ),
    ),
    "Antibiotics within the hour for sepsis": (
        DemoInvolvement(
            45,
            Level.INFORMING,
            "Told about the sepsis project in the department's newsletter.",
            group="Emergency Department patient panel",
            size=9,
        ),
    ),
}

# Planning: priorities consulted on, by the citizens' panel (the first few of the demo's).
PRIORITY_CONSULTATION = DemoInvolvement(
    140,
    Level.CONSULTING,
    "The citizens' panel ranked this among the year's candidate priorities.",
    group="Riverside citizens' panel",
    size=14,
)
PRIORITIES_CONSULTED = 4

# Control: Ward 7's falls chart reviewed with patient partners.
MEASURE_REVIEW = DemoInvolvement(
    30,
    Level.INVOLVING,
    "Reviewed the falls chart with the team and asked what the night-time points showed.",
    group="Ward 7 patient partners",
    size=3,
    difference="The chart's note now says which falls were at night, as partners asked.",
)

NETWORKS: dict[str, DemoInvolvement] = {
    "Falls prevention network": DemoInvolvement(
        50,
        Level.CO_DESIGNING,
        "Led the network's session on what patients need at night, with the wards' teams.",
        difference="The network's shared bundle added the patients' night-time checklist.",
        hours="2.5",
    ),
    "Discharge before noon": DemoInvolvement(
        75,
        Level.INVOLVING,
        "Patients' group joined the network's discussion of the discharge lounge.",
        group="Discharge patients' group",
        size=5,
    ),
}


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    for title, entries in PROJECTS.items():
        project = Project.objects.select_related("unit", "lead").filter(title=title).first()
        if project is not None:
            for entry in entries:
                _log(project, entry, project.lead or _team_lead(project), today)
    priorities = Priority.objects.select_related("unit").order_by("pk")[:PRIORITIES_CONSULTED]
    for priority in priorities:
        _log(priority, PRIORITY_CONSULTATION, _team_lead(priority), today)
    measure = (
        Measure.objects.select_related("unit")
        .filter(unit__code="ward-7", name__icontains="fall")
        .order_by("pk")
        .first()
    )
    if measure is not None:
        _log(measure, MEASURE_REVIEW, _team_lead(measure), today)
    for name, entry in NETWORKS.items():
        network = Network.objects.select_related("unit", "created_by").filter(name=name).first()
        if network is not None:
            _log(network, entry, network.created_by, today)
    return {"involvement entries": Involvement.objects.count()}


def _team_lead(record) -> Person | None:
    """The unit's team lead (or quality lead, the unit's or above it) to log as."""
    unit = record.unit
    membership = (
        Membership.objects.filter(
            unit_id__in=unit.ancestor_ids, role__in=[Role.TEAM_LEAD, Role.QUALITY_LEAD]
        )
        .select_related("person", "unit")
        .order_by("-unit__path", "role", "person__username")
        .first()
    )
    return membership.person if membership else None


def _log(record, spec: DemoInvolvement, by: Person | None, today: dt.date) -> None:
    content_type = ContentType.objects.get_for_model(record)
    if Involvement.objects.filter(
        content_type=content_type, object_id=record.pk, contribution=spec.contribution
    ).exists():
        return
    partner = None
    if not spec.group:
        partners = selectors.partners_on(record)
        if not partners:
            return  # no partner on this work in this organisation: nothing to log
        partner = partners[0]
    if by is not None and not selectors.may_log(by, record):
        by = None  # the demo's organiser lacks the role here: the demo loader logs it
    services.involvement_log(
        by=by,
        work=record,
        level=spec.level,
        occurred_on=today - dt.timedelta(days=spec.days_ago),
        contribution=spec.contribution,
        partner=partner,
        group_name=spec.group,
        group_size=spec.size,
        shaped_decision=bool(spec.difference),
        difference=spec.difference,
        hours=spec.hours,
    )
