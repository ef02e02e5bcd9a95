"""The demo's “you said, we did” (see qms.demo.codesign): Ward 7's and the Emergency
Department's boards, eight entries each, answering the units' feedback themes and partners'
contributions (the involvement part's, when it has logged them) with the actions, PDSA cycles,
projects and change packages that followed, most published. Written through the service by each
unit's organiser; idempotent (an entry is found by its unit and words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from qms.codesign.models import Involvement, InvolvementStatus, YouSaidEntry
from qms.codesign.services import yousaid as services
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

# What followed, by kind: the model and the field its demo name is found by.
FOLLOWED = {
    "action": ("issues.action", "issue__unit", "what__startswith"),
    "cycle": ("improvement.pdsacycle", "project__unit", "title"),
    "project": ("improvement.project", "unit", "title__startswith"),
    "package": ("improvement.changepackage", "project__unit", "title"),
}


@dataclass(frozen=True)
class DemoEntry:
    you_said: str
    we_did: str
    status: str
    days: int  # the entry's date, from today
    theme: str = ""
    contribution: bool = False  # answers a partner's contribution, when one is logged
    followed: tuple[str, str] | None = None  # (kind, name)
    published: bool = True


BOARDS = {
    "ward-7": (
        DemoEntry(
            "Families know when someone gets restless at night, and want to be asked.",
            "We ask families on admission what their relative does at night, and write it in "
            "the falls care plan.",
            "done", -45, contribution=True,
            followed=("action", "Falls care plan added to the admission checklist"),
        ),
        DemoEntry(
            "Call bells at night take too long to answer.",
            "Nurses now visit every patient every two hours at night, and offer the toilet at "
            "2 am.",
            "done", -60, theme="Timeliness of care",
            followed=("action", "Add toileting to the 2 am intentional rounding"),
        ),
        DemoEntry(
            "We were not told when our mum moved to another ward.",
            "“Next of kin told” is now on the checklist for every move between wards.",
            "done", -30, theme="Being kept informed, clarity & consistency of information",
            followed=("action", "Add 'next of kin told' to the transfer checklist"),
        ),
        DemoEntry(
            "Getting home after leaving hospital is hard to arrange.",
            "Every patient with COPD now leaves with a plan, and transport is booked the day "
            "before.",
            "doing", -10, theme="Transport to/ from services",
            followed=("project", "COPD discharge bundle"),
        ),
        DemoEntry(
            "Patients need to understand their inhalers before they go home.",
            "Nurses check how each patient uses their inhaler before they go home.",
            "done", -20, contribution=True, followed=("cycle", "Inhaler check: every patient"),
        ),
        DemoEntry(
            "Staff were kind and took time to explain.",
            "We read your words to the team at the safety huddle. Thank you.",
            "done", -14, theme="Staff manner & personal attributes",
            followed=("action", "Share both reports at the safety huddle"),
        ),
        DemoEntry(
            "The falls leaflet should tell families how they can help.",
            "The falls bundle other wards use now has a leaflet for families, written with our "
            "patient partner.",
            "doing", -5, contribution=True,
            followed=("package", "Falls bundle for medical wards"),
        ),
        DemoEntry(
            "Bathrooms were not always clean at weekends.",
            "A weekend cleaning check is being agreed with the domestic team.",
            "planned", 14, theme="Cleanliness, tidiness & infection control", published=False,
        ),
    ),
    "ed": (
        DemoEntry(
            "We waited for hours without knowing why.",
            "A screen in the waiting room shows how long the wait is, updated every hour.",
            "doing", -12, theme="Timeliness of care",
        ),
        DemoEntry(
            "People with sepsis waited too long for antibiotics.",
            "Antibiotics are now kept in resuscitation and majors, so they are given within the "
            "hour.",
            "done", -50, theme="Diagnosis & triage",
            followed=("action", "Stock antibiotics in the resuscitation and majors cubicles"),
        ),
        DemoEntry(
            "Staff were busy but kind.",
            "We shared your comments with the team at handover. Thank you.",
            "done", -7, theme="Staff manner & personal attributes",
        ),
        DemoEntry(
            "Nobody explained what the tests were for.",
            "Nurses explain each test at triage. We tried it on one shift first, then every "
            "shift.",
            "doing", -25, theme="Information directly from staff during care",
            followed=("cycle", "Triage screen: every shift"),
        ),
        DemoEntry(
            "It was hard to phone for news about a relative.",
            "Each shift will have a named contact for families.",
            "planned", 21, theme="Contacting services",
        ),
        DemoEntry(
            "The sepsis information for families used too many medical words.",
            "The sepsis leaflet was rewritten in plain words with our patient partner.",
            "done", -35, contribution=True,
            followed=("project", "Antibiotics within the hour"),
        ),
        DemoEntry(
            "Children get bored and upset in a long wait.",
            "A child-friendly waiting area is being planned with families.",
            "planned", 30, theme="Being kept informed, clarity & consistency of information",
        ),
        DemoEntry(
            "Families would like to help their relative to drink.",
            "The sepsis pack will have a simple chart families can fill in.",
            "planned", 10, contribution=True,
            followed=("action", "Fluid balance chart in the sepsis pack"), published=False,
        ),
    ),
}  # fmt: skip


def _organiser(unit: Unit) -> Person | None:
    """The unit's team lead (Ward 7's is the demo `lead`), or the quality lead above it."""
    lead = (
        Membership.objects.filter(unit=unit, role=Role.TEAM_LEAD)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return lead.person if lead else Person.objects.filter(username="quality").first()


def _followed(unit: Unit, spec: tuple[str, str] | None):
    if spec is None:
        return None
    label, unit_field, lookup = FOLLOWED[spec[0]]
    model = apps.get_model(label)
    return (
        model._default_manager.filter(**{unit_field: unit, lookup: spec[1]}).order_by("pk").first()
    )


def build(*, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    for code, specs in BOARDS.items():
        unit = Unit.objects.filter(code=code).first()
        by = _organiser(unit) if unit else None
        if unit is None or by is None:
            continue
        # Partners' confirmed contributions in the unit, oldest first, answered in turn.
        contributions = iter(
            Involvement.objects.filter(
                unit__path__startswith=unit.path,
                status=InvolvementStatus.CONFIRMED,
                partner__isnull=False,
            ).order_by("occurred_on", "pk")
        )
        for spec in specs:
            involvement = next(contributions, None) if spec.contribution else None
            if YouSaidEntry.objects.filter(unit=unit, you_said=spec.you_said).exists():
                continue
            entry = services.yousaid_create(
                by=by,
                unit=unit,
                you_said=spec.you_said,
                we_did=spec.we_did,
                status=spec.status,
                status_on=today + dt.timedelta(days=spec.days),
                theme=spec.theme,
                followed=_followed(unit, spec.followed),
                involvement=involvement,
            )
            if spec.published:
                services.yousaid_publish(by=by, entry=entry)
    return {"“you said, we did” entries": YouSaidEntry.objects.count()}
