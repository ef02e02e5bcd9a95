"""The demo's reflective practice (see qms.demo.learning): reflections of Ward 7's staff nurse
(Owen Price, `member`), its senior charge nurse (`lead`) and the division's improvement coach
(`coach`) on the falls and NEWS2 projects, a NEWS2 signal, an issue and a PDSA cycle, some
private, some shared with Ward 7's staff and, when the demo has one they belong to, with a
learning network; and team learning reviews after projects and a signal on Wards 7 and 8.

Written through the services as their authors (a reflection has no other way in), found by
author and title, never made twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from qms.control.models import Signal
from qms.improvement.models import PdsaCycle, Project
from qms.issues.models import Issue
from qms.learning.models import LearningReview, Reflection, ReflectionSharing
from qms.learning.selectors import reflection as selectors
from qms.learning.services import reflection as services
from qms.people.models import Person, Unit
from qms.people.roles import Role

PRIVATE, UNIT, NETWORK = (
    ReflectionSharing.PRIVATE,
    ReflectionSharing.UNIT,
    ReflectionSharing.NETWORK,
)


@dataclass(frozen=True)
class Story:
    author: str  # a username, or "ward-8-lead"
    title: str
    days_ago: int
    about: tuple[
        str, str
    ]  # ("project", title), ("signal", measure code), ("issue", ""), ("cycle", project title)
    sharing: str
    text: dict[str, str]
    themes: tuple[str, ...] = ()


REFLECTIONS = [
    Story(
        "member",
        "A fall at 3 am and what the handover missed",
        40,
        ("project", "Fewer falls on Ward 7"),
        UNIT,
        {
            "description": "An older man fell walking to the toilet at 3 am. At handover the "
            "day before, his new sedative had not been mentioned and his falls risk was not "
            "reassessed.",
            "feelings": "I felt I should have asked. I was tired and the shift was busy.",
            "evaluation": "He was seen quickly and not badly hurt; the bay was calm. The "
            "reassessment after a change of medicine did not happen.",
            "analysis": "Our handover sheet has no line for falls risk, so it depends on memory. "
            "NICE CG161 asks for a multifactorial assessment when risk changes.",
            "conclusion": "A prompt on the sheet would have caught it.",
            "action_plan": "I raised a falls line on the handover sheet at our huddle and tried it "
            "on nights for two weeks (the project's second PDSA cycle).",
        },
        ("safety", "effectively"),
    ),
    Story(
        "member",
        "Intentional rounding on a short-staffed night",
        25,
        ("cycle", "Fewer falls on Ward 7"),
        PRIVATE,
        {
            "description": "Two of us covered 28 beds; hourly rounding slipped after 2 am.",
            "feelings": "Anxious; I kept thinking of the fall last month.",
            "evaluation": "Every high-risk patient was seen, but not every hour.",
            "analysis": "Rounding competes with the drug round at 2 am.",
            "conclusion": "Rounding needs a plan for short nights, not more effort.",
            "action_plan": "Ask the lead to move the 2 am round to the bays at highest risk first.",
        },
        ("people", "safety"),
    ),
    Story(
        "member",
        "Escalating a NEWS2 of 6 when the doctor was busy",
        12,
        ("signal", "ward-7-news2-escalation"),
        NETWORK,
        {
            "description": "A patient's score rose to 6 on an early shift; the doctor was in an "
            "emergency and I waited 40 minutes before calling the outreach team.",
            "feelings": "Unsure whether calling outreach would be going over the doctor's head.",
            "evaluation": "The patient was reviewed and treated; the delay was avoidable.",
            "analysis": "The escalation policy says outreach at 5 or more; I did not feel I could.",
            "conclusion": "The policy protects me when I follow it.",
            "action_plan": "Call outreach at 5 or more without waiting, and say so at handover.",
        },
        ("safety", "trust"),
    ),
    Story(
        "member",
        "Learning from a complaint about discharge letters",
        70,
        ("issue", ""),
        PRIVATE,
        {
            "description": "A family complained that the discharge letter arrived after the "
            "GP appointment.",
            "evaluation": "The letter was right; it was late.",
            "action_plan": "Start the letter the day before an expected discharge.",
        },
        ("people",),
    ),
    Story(
        "lead",
        "Leading the huddle after the falls chart turned",
        18,
        ("project", "Fewer falls on Ward 7"),
        UNIT,
        {
            "description": "The falls chart showed six points below the centre line; the team "
            "asked whether it was real.",
            "feelings": "Proud, and careful not to celebrate too early.",
            "evaluation": "Everyone could say what had changed: the handover line, bay tagging.",
            "analysis": "A run of six is a signal of improvement by our rules, not a fluke.",
            "conclusion": "Showing the chart at the huddle made the change the team's own.",
            "action_plan": "Keep the chart on the huddle board; hand the project to the night "
            "team to sustain.",
        },
        ("effectively", "trust"),
    ),
    Story(
        "lead",
        "A difficult conversation about sickness cover",
        8,
        ("project", "Reliable escalation of NEWS2 on early shifts"),
        PRIVATE,
        {
            "description": "A nurse told me the early shifts were unsafe when we borrowed staff.",
            "feelings": "Defensive at first, then grateful.",
            "conclusion": "I should ask the team before the rota is final.",
            "action_plan": "Share the draft rota at the Tuesday huddle.",
        },
        ("trust",),
    ),
    Story(
        "coach",
        "Coaching a first PDSA cycle",
        30,
        ("cycle", "Fewer falls on Ward 7"),
        UNIT,
        {
            "description": "I coached Ward 7's first PDSA cycle of the handover falls line.",
            "evaluation": "The prediction was written down before the test, which is rare.",
            "analysis": "Small tests on nights were possible because the night team owned them.",
            "action_plan": "Start every project I coach with the people on the night shift.",
        },
        ("effectively",),
    ),
]


@dataclass(frozen=True)
class Review:
    unit: str
    by: str
    title: str
    days_ago: int
    about: tuple[str, str]
    answers: dict[str, str]
    participants: str = ""
    network: bool = False
    extra: dict = field(default_factory=dict)


REVIEWS = [
    Review(
        "ward-7",
        "lead",
        "After the falls project: what we will sustain",
        15,
        ("project", "Fewer falls on Ward 7"),
        {
            "expected": "Falls with harm down by a third in six months with the handover line "
            "and bay tagging.",
            "happened": "Falls fell from about 9 to 5 a month; the chart shows special cause "
            "improvement. Falls with harm were too few to judge.",
            "why_different": "The handover line worked fastest; bay tagging slipped on nights "
            "with agency staff, who had not been told about it.",
            "will_do": "Keep both; add bay tagging to the agency induction card; review the "
            "chart monthly at the huddle.",
        },
        "Ward 7 nurses (day and night), the ward's physiotherapist, the improvement coach, "
        "a patient partner",
        network=True,
    ),
    Review(
        "ward-7",
        "lead",
        "After the NEWS2 escalation signal",
        9,
        ("signal", "ward-7-news2-escalation"),
        {
            "expected": "Nine in ten scores of 5 or more escalated within the hour.",
            "happened": "Since the autumn rota change, about two in three on early shifts.",
            "why_different": "Borrowed staff did not know the outreach number; the prompt on "
            "the observation chart was on its back page.",
            "will_do": "Move the prompt to the front, put the number on every phone, and "
            "test it on early shifts (the NEWS2 project).",
        },
        "Ward 7 nurses, the outreach team's lead, the ward's doctors",
    ),
    Review(
        "ward-8",
        "ward-8-lead",
        "After the cardiac rehabilitation referral project",
        20,
        ("project", "Cardiac rehabilitation referral before discharge"),
        {
            "expected": "Every eligible patient referred before discharge.",
            "happened": "Referrals rose from six in ten to nine in ten, and held.",
            "why_different": "Referral became part of the discharge checklist, so it no longer "
            "depended on who was on shift.",
            "will_do": "Sustain the checklist; share it with Ward 9 through the network.",
        },
        "Ward 8 nurses, the cardiac rehabilitation team",
    ),
]


def _person(username: str) -> Person | None:
    if username == "ward-8-lead":
        return (
            Person.objects.filter(
                memberships__unit__code="ward-8", memberships__role=Role.TEAM_LEAD
            )
            .order_by("pk")
            .first()
        )
    return Person.objects.filter(username=username).first()


def _subject(kind: str, name: str):
    if kind == "project":
        return Project.objects.filter(title=name).first()
    if kind == "cycle":
        return PdsaCycle.objects.filter(project__title=name).order_by("pk").first()
    if kind == "signal":
        return Signal.objects.filter(measure__code=name).order_by("-pk").first()
    if kind == "issue":
        return Issue.objects.filter(unit__code="ward-7").order_by("pk").first()
    return None


def _visible_subject(person: Person, kind: str, name: str):
    subject = _subject(kind, name)
    return subject if subject is not None and selectors.subject_visible(person, subject) else None


def _sharing(author: Person, sharing: str) -> dict:
    """Share as the story says, where the author can: a network when they belong to one (the
    networks part may not have built any), otherwise their first unit's staff."""
    unit = selectors.sharing_units(author).first()
    if sharing == NETWORK:
        network = selectors.member_networks(author).first()
        if network is not None:
            return {"sharing": NETWORK, "shared_network": network}
        sharing = UNIT
    if sharing == UNIT and unit is not None:
        return {"sharing": UNIT, "shared_unit": unit}
    return {"sharing": PRIVATE}


def _reflections(today: dt.date) -> int:
    made = 0
    for story in REFLECTIONS:
        author = _person(story.author)
        if author is None or Reflection.objects.filter(author=author, title=story.title).exists():
            continue
        services.reflection_create(
            by=author,
            title=story.title,
            happened_on=today - dt.timedelta(days=story.days_ago),
            code_themes=story.themes,
            subject=_visible_subject(author, *story.about),
            **story.text,
            **_sharing(author, story.sharing),
        )
        made += 1
    return made


def _reviews(today: dt.date) -> int:
    made = 0
    for review in REVIEWS:
        unit = Unit.objects.filter(code=review.unit).first()
        by = _person(review.by)
        if unit is None or by is None:
            continue
        if LearningReview.objects.filter(unit=unit, title=review.title).exists():
            continue
        network = selectors.member_networks(by).first() if review.network else None
        services.review_create(
            by=by,
            unit=unit,
            title=review.title,
            held_on=today - dt.timedelta(days=review.days_ago),
            participants=review.participants,
            shared_network=network,
            subject=_visible_subject(by, *review.about),
            **review.answers,
        )
        made += 1
    return made


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or timezone.localdate()
    _reflections(today)
    _reviews(today)
    return {
        "reflections": Reflection.objects.count(),
        "learning reviews": LearningReview.objects.count(),
    }
