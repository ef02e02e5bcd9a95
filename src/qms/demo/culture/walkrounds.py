"""The demo's leadership walkrounds (see qms.demo.culture): about one a month over the last year
on the Acute division's wards, by the medical director (`board`) and the head of quality
(`quality`), each with what staff raised, actions for the ward's lead (some done, some overdue)
and, for most, the feedback given back to the team; two more planned. Written through the
services as those people, found again by unit and date (idempotent)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from qms.culture.models import Walkround, WalkroundItem
from qms.culture.services import walkrounds as services
from qms.issues import services as issue_services
from qms.issues.models import Action
from qms.people.models import Person, Unit
from qms.people.roles import Role


@dataclass(frozen=True)
class DemoItem:
    what: str
    theme: str
    action: str = ""
    due_in_days: int = 28  # after the walkround
    done: bool = False


@dataclass(frozen=True)
class DemoWalkround:
    unit: str
    days_ago: int  # negative: planned ahead
    leaders: tuple[str, ...]
    focus: str
    items: tuple[DemoItem, ...] = ()
    feedback: str = ""


WALKROUNDS = (
    DemoWalkround(
        "ward-7",
        350,
        ("board", "quality"),
        "What got in the way of safe care this week?",
        (
            DemoItem(
                "The oxygen cylinders for transfers are stored in the sluice and often empty",
                "tools",
                "Agree a full-cylinder check at the start of each shift with portering",
                done=True,
            ),
            DemoItem(
                "Night handover happens at the nurses' station with the phone ringing",
                "environment",
                "Trial handover in the day room for a month",
                done=True,
            ),
        ),
        "Full cylinders are now checked at the start of each shift, and night handover moved "
        "to the day room: staff say it is quieter and quicker.",
    ),
    DemoWalkround(
        "ward-8",
        320,
        ("board",),
        "Medicines at night",
        (
            DemoItem(
                "Two look-alike heparin strengths sit side by side in the drug cupboard",
                "tools",
                "Separate the strengths and add shelf labels with pharmacy",
                done=True,
            ),
            DemoItem("Pharmacy cover ends at 5 pm on Fridays", "organisation"),
        ),
        "The heparin strengths are now on separate shelves with tall-man labels. Weekend "
        "pharmacy cover was raised with the directorate; no change yet.",
    ),
    DemoWalkround(
        "amu",
        290,
        ("quality",),
        "Flow and boarding",
        (
            DemoItem(
                "Patients boarded in the corridor have no call bell",
                "environment",
                "Provide portable call bells for every corridor space",
                done=True,
            ),
            DemoItem(
                "Bed meetings at 8 am and 2 pm clash with the ward round",
                "organisation",
                "Move the 2 pm bed meeting to 1.30 pm",
                done=True,
            ),
        ),
        "Portable call bells are in place for corridor spaces; the afternoon bed meeting now "
        "starts at 1.30.",
    ),
    DemoWalkround(
        "ward-15",
        260,
        ("board", "quality"),
        "Falls after hip surgery",
        (
            DemoItem(
                "Walking aids arrive a day after patients are first sat out",
                "tools",
                "Stock walking aids on the ward for first mobilisation",
                done=True,
            ),
            DemoItem(
                "New staff are not shown the lying and standing blood pressure check",
                "team",
                "Add the check to the ward induction booklet",
                done=True,
            ),
        ),
        "Walking aids are now stocked on the ward and the blood pressure check is in the "
        "induction booklet.",
    ),
    DemoWalkround(
        "ward-9",
        230,
        ("board",),
        "",
        (
            DemoItem(
                "Endoscopy slots are released too late to plan the day's fasting",
                "task",
                "Ask endoscopy to publish the next day's list by 4 pm",
                done=True,
            ),
        ),
        "Endoscopy now publishes the next day's list by 4 pm.",
    ),
    DemoWalkround(
        "ward-14",
        200,
        ("quality",),
        "Sepsis screening",
        (
            DemoItem(
                "The sepsis screening tool is on paper and the observations are electronic",
                "tools",
                "Ask digital services to add the screen to the electronic observations",
                due_in_days=60,
            ),
            DemoItem(
                "Agency nurses are not given log-ins for the electronic observations",
                "organisation",
                "Agree temporary log-ins for agency staff at the start of each shift",
                done=True,
            ),
        ),
        "Agency staff now get temporary log-ins at the start of each shift. The electronic "
        "sepsis screen is with digital services.",
    ),
    DemoWalkround(
        "ward-7",
        170,
        ("board", "quality"),
        "Following up the spring walkround",
        (
            DemoItem(
                "Non-invasive ventilation patients are spread across three bays",
                "environment",
                "Cohort non-invasive ventilation in bay 2 with a trained nurse",
                done=True,
            ),
            DemoItem(
                "Staff are tired after three long days in a row",
                "conditions",
                "Review the rota pattern with the staff side",
                due_in_days=45,
            ),
        ),
        "Non-invasive ventilation is now cohorted in bay 2. The rota review has started.",
    ),
    DemoWalkround(
        "ward-16",
        140,
        ("board",),
        "Receiving surgical admissions",
        (
            DemoItem(
                "Surgical admissions arrive without a clerking slot in the evening",
                "task",
                "Add an evening clerking slot for the surgical registrar",
                due_in_days=42,
            ),
            DemoItem("The ward's two blood gas analysers are often both down", "tools"),
        ),
        "",
    ),
    DemoWalkround(
        "ward-8",
        110,
        ("quality",),
        "Telemetry alarms",
        (
            DemoItem(
                "Telemetry alarms sound at the central station only",
                "tools",
                "Forward telemetry alarms to the nurses' pagers",
                due_in_days=35,
            ),
            DemoItem(
                "Cardiology and the ward disagree on who reviews overnight troponins",
                "team",
                "Agree and publish who reviews overnight results",
                done=True,
            ),
        ),
        "Who reviews overnight results is now agreed and on the ward's noticeboard. Alarm "
        "forwarding is with the medical physics team.",
    ),
    DemoWalkround(
        "amu",
        75,
        ("board", "quality"),
        "Discharge before noon",
        (
            DemoItem(
                "Take-home medicines wait for a second prescriber's signature",
                "task",
                "Pilot nurse-led checking of take-home medicines",
                due_in_days=30,
            ),
            DemoItem(
                "The discharge lounge closes at 6 pm",
                "organisation",
                "Ask for discharge lounge opening until 8 pm on weekdays",
                due_in_days=60,
            ),
        ),
        "",
    ),
    DemoWalkround(
        "ward-15",
        40,
        ("quality",),
        "",
        (
            DemoItem(
                "Theatre lists overrun and post-operative patients arrive after 10 pm",
                "organisation",
                "Share late arrivals with theatre management each week",
                due_in_days=21,
            ),
        ),
        "",
    ),
    DemoWalkround(
        "ward-7",
        12,
        ("board",),
        "Winter pressures",
        (
            DemoItem(
                "Extra beds in the day room have no oxygen point",
                "environment",
                "Provide portable oxygen for each extra bed",
                due_in_days=21,
            ),
            DemoItem("The team would like a debrief after each cardiac arrest call", "team"),
        ),
        "",
    ),
    DemoWalkround("ward-9", -9, ("board", "quality"), "Alcohol withdrawal care"),
    DemoWalkround("ward-14", -23, ("quality",), "Follow-up of the sepsis screen"),
)


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or timezone.localdate()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=_unit_codes())}
    people = {p.username: p for p in Person.objects.filter(username__in=["board", "quality"])}
    if len(people) < 2:
        return {}  # an organisation without the demo's leaders
    for spec in WALKROUNDS:
        if spec.unit in units:
            _build(spec, units[spec.unit], people, today)
    return {
        "walkrounds": Walkround.objects.count(),
        "walkround items": WalkroundItem.objects.count(),
    }


def _unit_codes() -> set[str]:
    return {spec.unit for spec in WALKROUNDS}


def _lead_of(unit: Unit) -> Person | None:
    """The ward's team lead: who owns the ward's actions."""
    return (
        Person.objects.filter(memberships__unit=unit, memberships__role=Role.TEAM_LEAD)
        .order_by("pk")
        .first()
    )


def _build(spec: DemoWalkround, unit: Unit, people: dict, today: dt.date) -> None:
    day = today - dt.timedelta(days=spec.days_ago)
    if Walkround.objects.filter(unit=unit, planned_on=day).exists():
        return
    leaders = [people[name] for name in spec.leaders]
    by = leaders[0]
    walkround = services.walkround_plan(
        by=by, unit=unit, planned_on=day, leaders=leaders, focus=spec.focus, today=today
    )
    if spec.days_ago < 0:
        return
    walkround = services.walkround_record(by=by, walkround=walkround, done_on=day, today=today)
    owner = _lead_of(unit)
    for item in spec.items:
        _add_item(item, walkround, by, owner, day, today)
    if spec.feedback:
        services.walkround_feedback_give(
            by=by,
            walkround=walkround,
            feedback=spec.feedback,
            feedback_on=min(day + dt.timedelta(days=30), today),
            today=today,
        )


def _add_item(item: DemoItem, walkround, by, owner, day: dt.date, today: dt.date) -> None:
    if not item.action or owner is None:
        services.walkround_item_add(by=by, walkround=walkround, what=item.what, theme=item.theme)
        return
    # The services take due dates from the real today on; the demo's actions were set on the
    # day of their walkround, so the date is put back where the story has it afterwards (some
    # then overdue).
    real_today = timezone.localdate()
    added = services.walkround_item_add(
        by=by,
        walkround=walkround,
        what=item.what,
        theme=item.theme,
        action=item.action,
        owner=owner,
        due_on=max(real_today, today) + dt.timedelta(days=1),
    )
    action = added.issue.actions.get()
    Action.objects.filter(pk=action.pk).update(due_on=day + dt.timedelta(days=item.due_in_days))
    if item.done:
        action.refresh_from_db()
        issue_services.action_complete(by=owner, action=action)
