"""The demo's recognition (see qms.demo.culture): about a hundred reports of excellent practice
over the last 18 months across the demo's wards and teams, by their own staff and partners,
written through the service. Ward 7 has the most: several for Owen Price (`member`), several
for the Ward 7 team, some from Margaret Lindsay (`partner`). The older ones have had their
thanks passed on by the unit's lead; the last few weeks' still wait (Maria Santos, `lead`, has
recognition to pass on), and two of Owen's he keeps private.

Deterministic (a seeded generator and fixed times of day) and idempotent: a recognition is
found again by its unit and time, so a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from qms.culture.models import ExcellenceTheme, Recognition
from qms.culture.services import recognition as services
from qms.notifications.services import notifications_mark_read_about
from qms.people.models import Membership, Person, Unit
from qms.people.roles import STAFF_ROLES, Role

SEED = 1207
DAYS = 548  # 18 months
# Recognition in the last few weeks waits for its thanks; the inbox holds only the last month's.
WAITING_DAYS = 21
UNREAD_DAYS = 30
# Units and how many recognitions each has over the 18 months.
UNITS = {
    "ward-7": 30,
    "ward-8": 9,
    "ward-9": 7,
    "ward-15": 8,
    "ed": 10,
    "amu": 7,
    "dn-north": 8,
    "ward-21": 7,
    "ward-3": 6,
}
# Of Ward 7's: for Owen Price, for the whole team, and from the partner.
FOR_MEMBER = 7
FOR_TEAM = 6
# One in every FROM_PARTNER of Ward 7's, spread over the months.
FROM_PARTNER = 7
# The last of Ward 7's are recent: the lead still has them to pass on.
RECENT = 5

# (what happened, why it mattered, theme codes). No patient is named or identifiable.
STORIES = [
    (
        "Noticed a patient's breathing had changed during a routine set of observations, "
        "although the early warning score had not yet risen, and called the outreach team.",
        "The patient was treated for sepsis hours earlier than they would otherwise have been.",
        ("safety-awareness", "clinical-skill"),
    ),
    (
        "Stayed after a long shift to sit with a frightened relative whose father was dying, "
        "and made sure they had a quiet room and a cup of tea.",
        "The family said they will never forget that they were not alone that night.",
        ("kindness-and-compassion", "going-the-extra-mile"),
    ),
    (
        "Led the handover on a day with four new admissions and two staff off sick, calmly "
        "sharing out the work so that every risk was covered.",
        "Nothing was missed, and the team said it was the calmest difficult day they had had.",
        ("leadership", "teamwork"),
    ),
    (
        "Spotted that two patients with similar names were on the same bay and moved one, "
        "adding an alert to the board.",
        "A possible medication mix-up was prevented before it could happen.",
        ("safety-awareness",),
    ),
    (
        "Taught two new healthcare support workers how to use the new bladder scanner, and "
        "wrote a one-page guide for the others.",
        "Scans are now done on every shift without waiting for a nurse to be free.",
        ("teaching-and-learning", "improvement-and-innovation"),
    ),
    (
        "Explained a complicated discharge plan to a patient with a learning disability using "
        "pictures, and checked their understanding with their carer.",
        "The patient went home confident about their medicines and was not readmitted.",
        ("communication", "kindness-and-compassion"),
    ),
    (
        "Came in on a day off to help when the ward was short after a norovirus outbreak.",
        "The ward stayed safely staffed and no shift went without a trained nurse.",
        ("going-the-extra-mile", "teamwork"),
    ),
    (
        "Tested a new checklist for oxygen prescribing over two weeks and shared the results "
        "at the huddle.",
        "Oxygen prescriptions went from about half complete to almost all complete.",
        ("improvement-and-innovation", "safety-awareness"),
    ),
    (
        "Managed a difficult cannulation on a patient whose veins had defeated three others, "
        "gently and on the first attempt.",
        "Treatment started on time and the patient was spared more pain.",
        ("clinical-skill", "kindness-and-compassion"),
    ),
    (
        "Spoke up in the safety huddle about a recurring delay in getting portable X-rays, "
        "and followed it up with radiology.",
        "A new request route was agreed and waits fell to under an hour.",
        ("communication", "leadership"),
    ),
    (
        "Supported a student nurse through a distressing cardiac arrest, debriefing with her "
        "afterwards and checking in the next day.",
        "The student finished her placement and says she wants to come back to the ward.",
        ("teaching-and-learning", "kindness-and-compassion"),
    ),
    (
        "Worked with the pharmacy team to sort out a discharge that had been stuck for two "
        "days waiting for medicines.",
        "The patient got home for a family wedding, and the bed went to someone waiting in ED.",
        ("teamwork", "going-the-extra-mile"),
    ),
    (
        "Noticed that a patient was not eating and arranged a swallowing assessment and food "
        "they could manage.",
        "The patient's weight stabilised and they regained strength for rehabilitation.",
        ("clinical-skill", "safety-awareness"),
    ),
    (
        "Organised a thank-you breakfast and a debrief after a very hard week of winter pressures.",
        "People felt noticed and cared for, and two said it helped them stay.",
        ("leadership", "kindness-and-compassion"),
    ),
    (
        "Redesigned the layout of the treatment room so that the emergency equipment is the "
        "first thing you see.",
        "In the next emergency everything was found in seconds.",
        ("improvement-and-innovation", "safety-awareness"),
    ),
]
# What a patient partner saw.
PARTNER_STORIES = [
    (
        "Welcomed me and explained everything at the start of the partnership meeting, and "
        "made sure my views were asked for, not just heard.",
        "I felt part of the team, and the changes we agreed reflect what patients told us.",
        ("communication", "kindness-and-compassion"),
    ),
    (
        "Took the time to walk me through how the ward checks on patients at night, and "
        "answered every question without rushing.",
        "I could explain it to other families, and I trust the ward more because of it.",
        ("communication", "going-the-extra-mile"),
    ),
]
TEAM_STORIES = [
    (
        "The whole team pulled together through a night with three emergencies at once, "
        "covering each other's patients without being asked.",
        "Every patient was safe and the family of one wrote to thank the ward.",
        ("teamwork", "leadership"),
    ),
    (
        "The team ran its own improvement project on falls, testing changes every week and "
        "sharing the run chart at each huddle.",
        "Falls with harm have not happened for five months.",
        ("improvement-and-innovation", "teamwork"),
    ),
    (
        "The team made a patient partner feel welcome at every huddle and changed the "
        "visiting information after listening to families.",
        "Families say they know what to expect, and complaints about visiting have stopped.",
        ("communication", "kindness-and-compassion"),
    ),
]


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or timezone.localdate()
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=UNITS)}
    if "ward-7" not in units:
        return {}
    services.themes_defaults_ensure()
    themes = {theme.code: theme for theme in ExcellenceTheme.objects.filter(is_active=True)}
    rng = random.Random(SEED)
    for code, count in UNITS.items():
        if code in units:
            _unit(units[code], count, themes, rng, today)
    return {"recognitions": Recognition.objects.count()}


def _people(unit: Unit) -> tuple[list[Person], list[Person], list[Person]]:
    """The unit's staff, its leads, and its partners, by name."""
    memberships = Membership.objects.filter(unit=unit, person__is_active=True).select_related(
        "person"
    )
    staff, leads, partners = {}, {}, {}
    for membership in memberships.order_by("person__username"):
        person = membership.person
        if membership.role in STAFF_ROLES:
            staff[person.pk] = person
        if membership.role == Role.TEAM_LEAD:
            leads[person.pk] = person
        if membership.role == Role.PARTNER:
            partners[person.pk] = person
    return list(staff.values()), list(leads.values()), list(partners.values())


def _unit(unit: Unit, count: int, themes: dict, rng: random.Random, today: dt.date) -> int:
    staff, leads, partners = _people(unit)
    if len(staff) < 2:
        return 0
    member = next((p for p in staff if p.username == "member"), None)
    existing = set(Recognition.objects.filter(unit=unit).values_list("reported_at", flat=True))
    made = 0
    for number in range(count):
        # Spread over 18 months, a little more in recent months (the habit catching on).
        days_ago = int(DAYS * (1 - rng.random() ** 0.8))
        if unit.code == "ward-7" and number >= count - RECENT:
            days_ago = 3 * (count - 1 - number)  # today among them: the board counts this month
        # Today's just after midnight, never later than now.
        time_of_day = dt.time(9 + number % 9, 15) if days_ago else dt.time(0, 30)
        at = timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=days_ago), time_of_day)
        )
        team = unit.code == "ward-7" and number < FOR_TEAM or rng.random() < 0.06
        if team:
            recipient = None
        elif member is not None and FOR_TEAM <= number < FOR_TEAM + FOR_MEMBER:
            recipient = member
        else:
            recipient = rng.choice(staff)
        from_partner = bool(partners) and unit.code == "ward-7" and number % FROM_PARTNER == 3
        if from_partner:
            giver = next((p for p in partners if p.username == "partner"), partners[0])
            what, why, codes = rng.choice(TEAM_STORIES if team else PARTNER_STORIES)
        else:
            giver = rng.choice([p for p in staff if p != recipient])
            what, why, codes = rng.choice(TEAM_STORIES if team else STORIES)
        chosen = [themes[code] for code in codes if code in themes]
        if at in existing or not chosen:
            continue
        recognition = services.recognition_report(
            by=None,
            unit=unit,
            recipient=recipient,
            what_happened=what,
            why_it_mattered=why,
            themes=chosen,
            reported_at=at,
        )
        # The system reported it for the demo; the history and the page name the giver.
        Recognition.objects.filter(pk=recognition.pk).update(reported_by=giver)
        recognition.history.update(history_user=giver, history_date=at)
        made += 1
        _after(recognition, leads, at, days_ago, number)
    return made


def _after(recognition: Recognition, leads: list[Person], at, days_ago: int, number: int):
    """Old recognition has been thanked (by a lead who is not its recipient) and its
    notifications read; one of Owen Price's he keeps private."""
    if days_ago > UNREAD_DAYS:
        notifications_mark_read_about(subject=recognition)
    thanker = next((lead for lead in leads if lead.pk != recognition.recipient_id), None)
    if days_ago > WAITING_DAYS and thanker is not None:
        services.recognition_thank(
            by=thanker, recognition=recognition, note="Read out at the morning huddle."
        )
        # Passed on at the next morning's huddle, not today.
        Recognition.objects.filter(pk=recognition.pk).update(thanked_at=at + dt.timedelta(days=1))
    recipient = recognition.recipient
    if recipient is not None and recipient.username == "member" and number % 3 == 1:
        services.recognition_show(by=recipient, recognition=recognition, shown=False)
