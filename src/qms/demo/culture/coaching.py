"""The demo's coaching (see qms.demo.culture): the division's improvement coach (`coach`)
coaching the team of Ward 7's falls project (`lead` and `member`) and Ward 7's senior charge
nurse (`lead`) herself; the head of quality (`quality`) coaching Ward 8's senior charge nurse,
ended with a summary. Sessions monthly over six months, each with agreed actions; the latest
actions still open, the next sessions planned (so the leader's view and home show them).

Written through the services as the coaches, found by coach and title, never made twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from qms.culture.models import AgreedAction, CoachingRelationship, CoachingSession
from qms.culture.services import coaching as services
from qms.improvement import selectors as improvement_selectors
from qms.people.models import Person, Unit
from qms.people.roles import Role


@dataclass(frozen=True)
class Session:
    days_ago: int
    minutes: int
    focus: str
    notes: str
    progress: str
    # (what, owner: "coach" or a coachee's username or "ward-8-lead", days after the session)
    actions: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class Story:
    coach: str
    unit: str
    kind: str
    title: str
    coachees: tuple[str, ...]
    goals: str
    started_days_ago: int
    sessions: tuple[Session, ...]
    next_session_in: int | None = None
    project: str = ""
    summary: str = ""


STORIES = [
    Story(
        coach="coach",
        unit="ward-7",
        kind="team",
        title="Ward 7 falls project team",
        coachees=("lead", "member"),
        project="Fewer falls on Ward 7",
        goals="Run PDSA cycles on the night-time falls bundle every two weeks; read the falls "
        "run chart together at each huddle; involve our patient partner in each change.",
        started_days_ago=185,
        next_session_in=10,
        sessions=(
            Session(
                180,
                60,
                "Agreeing the aim and the first change ideas",
                "The team were keen but wanted to change everything at once. We chose one "
                "small test: the falls line on the handover sheet.",
                "Aim agreed; first PDSA cycle planned.",
                (
                    ("Draft the handover line and test it on one night shift", "member", 14),
                    ("Share the run chart at Monday's huddle", "lead", 7),
                ),
            ),
            Session(
                150,
                45,
                "Reading the run chart",
                "Two weeks of data: they wanted to call it a success. We talked about runs "
                "and how many points it takes before we can say it changed.",
                "Two cycles done; the handover line is used on most shifts.",
                (("Add the care plan compliance measure to the huddle board", "lead", 21),),
            ),
            Session(
                120,
                60,
                "Testing bay presence at night",
                "Night staff said the test felt imposed. We agreed the lead would ask them to "
                "design the next cycle themselves.",
                "Night staff now run their own cycle.",
                (("Ask the night team to plan the next cycle", "lead", 10),),
            ),
            Session(
                90,
                45,
                "Involving our patient partner",
                "Margaret's view of the care plan wording changed the plan: shorter, plainer.",
                "Care plan redesigned with the patient partner.",
                (("Print the redesigned care plan for a one-week test", "member", 7),),
            ),
            Session(
                60,
                45,
                "The shift on the chart",
                "Six points below the centre line. The team saw it for themselves; I only "
                "asked what they would keep doing.",
                "Falls rate showing special cause improvement.",
                (("Write up what worked for the change package", "coach", 30),),
            ),
            Session(
                25,
                60,
                "Sustaining and spreading",
                "Worry about holding the gain over winter pressures. Agreed to keep the "
                "handover line and audit monthly.",
                "Plan for sustaining agreed; Ward 8 interested in adopting.",
                (
                    ("Monthly audit of the handover line", "lead", 35),
                    ("Meet Ward 8's charge nurse about adopting the bundle", "member", 14),
                ),
            ),
        ),
    ),
    Story(
        coach="coach",
        unit="ward-7",
        kind="person",
        title="Maria Santos: leading improvement on Ward 7",
        coachees=("lead",),
        goals="Lead improvement work without doing it all herself; coach her own team in "
        "PDSA; make time for it in the rota.",
        started_days_ago=170,
        next_session_in=3,
        sessions=(
            Session(
                165,
                50,
                "Where the time goes",
                "Maria does every audit herself. We looked at which she could hand on.",
                "Two audits handed to staff nurses.",
                (("Hand the falls audit to a staff nurse", "lead", 14),),
            ),
            Session(
                105,
                50,
                "Asking rather than telling",
                "Practised opening questions for the huddle. Felt awkward; will try anyway.",
                "Uses one open question at each huddle.",
                (("Try one open question at every huddle for a month", "lead", 30),),
            ),
            Session(
                40,
                45,
                "Protected time",
                "Ward pressures keep taking the improvement half-day. Agreed to ask the "
                "service manager for it to be in the rota.",
                "Half-day a fortnight agreed in principle.",
                (("Put the protected half-day in the rota", "lead", 21),),
            ),
        ),
    ),
    Story(
        coach="quality",
        unit="ward-8",
        kind="person",
        title="Leading Ward 8's safety huddle",
        coachees=("ward-8-lead",),
        goals="A ten-minute safety huddle every morning where everyone speaks and problems are "
        "raised without blame.",
        started_days_ago=200,
        summary="The huddle now runs in ten minutes most days and staff raise concerns in it; "
        "the charge nurse coaches her deputy to lead it.",
        sessions=(
            Session(
                195,
                60,
                "What the huddle is for",
                "Huddles ran 25 minutes and were a list of tasks. Agreed three questions.",
                "Three questions agreed.",
                (("Pin the three huddle questions on the board", "ward-8-lead", 7),),
            ),
            Session(
                150,
                45,
                "Hearing from everyone",
                "Support workers rarely speak. Agreed to ask them first.",
                "Support workers now speak at most huddles.",
                (("Ask support workers first at each huddle", "ward-8-lead", 28),),
            ),
            Session(
                100,
                45,
                "Handing it on",
                "Ready for her deputy to lead it two days a week.",
                "Deputy leads the huddle twice a week.",
                (("Coach the deputy through two huddles", "ward-8-lead", 21),),
            ),
        ),
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


def _project(unit: Unit, title: str):
    if not title:
        return None
    return improvement_selectors.open_projects_in(unit).filter(title=title).first()


def _build_story(story: Story, today: dt.date) -> None:
    coach = _person(story.coach)
    unit = Unit.objects.filter(code=story.unit).first()
    coachees = [_person(name) for name in story.coachees]
    if coach is None or unit is None or None in coachees:
        return  # the organisation is not the demo's
    if CoachingRelationship.objects.filter(coach=coach, title=story.title).exists():
        return
    relationship = services.coaching_open(
        by=coach,
        unit=unit,
        kind=story.kind,
        title=story.title,
        coachees=coachees,
        goals=story.goals,
        project=_project(unit, story.project),
        started_on=today - dt.timedelta(days=story.started_days_ago),
    )
    owners = {"coach": coach} | dict(zip(story.coachees, coachees, strict=True))
    for index, session in enumerate(story.sessions):
        last = index == len(story.sessions) - 1
        held_on = today - dt.timedelta(days=session.days_ago)
        next_session_on = None
        if last and story.next_session_in is not None:
            next_session_on = today + dt.timedelta(days=story.next_session_in)
        recorded = services.coaching_session_record(
            by=coach,
            relationship=relationship,
            held_on=held_on,
            minutes=session.minutes,
            focus=session.focus,
            notes=session.notes,
            progress=session.progress,
            actions=[
                {"text": text, "owner": owners[owner], "due_on": held_on + dt.timedelta(days=d)}
                for text, owner, d in session.actions
            ],
            next_session_on=next_session_on,
        )
        if not last or story.summary:
            for action in recorded.actions.all():
                services.agreed_action_complete(by=coach, action=action)
    if story.summary:
        last_held = today - dt.timedelta(days=story.sessions[-1].days_ago)
        services.coaching_end(
            by=coach,
            relationship=relationship,
            summary=story.summary,
            ended_on=last_held + dt.timedelta(days=14),
        )


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build it idempotently; return counts by name for the summary line."""
    today = today or timezone.localdate()
    for story in STORIES:
        _build_story(story, today)
    return {
        "coaching logs": CoachingRelationship.objects.count(),
        "coaching sessions": CoachingSession.objects.count(),
        "agreed actions": AgreedAction.objects.count(),
    }
