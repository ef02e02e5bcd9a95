"""The demo board's quality improvement: about 20 projects at every stage and with every
method, their charters, teams (the demo lead, coach and patient partner among them), measures,
driver diagrams, about 100 PDSA cycles in ramps, prototypes, A3s, co-design stages,
milestones, confirmed progress scores, and three change packages adopted by other units.
Synthetic: every project is made up, and built through the improvement services as its team
would have built it.

The cycles' changes shift the data: a project whose changes worked is placed on a measure
whose plan (`qms.demo.plans`) has a step improvement, and its ramps end just before the step,
so the chart shows the PDSA markers and then the special cause improvement. An adopting unit
whose measure improves after adoption has a step after its adoption date; another has none.

Deterministic (dates are counted from `today`, as the measures' data are) and idempotent: a
project is found by its unit and title, a package by its project and title, an adoption by its
package and unit, and what exists is left alone, so a second run adds and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.control.models import Measure, Signal
from qms.demo.measures import DEFINITIONS, SPAN, periods_until
from qms.demo.plans import PLANS, Step, Trend
from qms.improvement import selectors, services
from qms.improvement.models import (
    ActDecision,
    Adoption,
    AdoptionStatus,
    ChangePackage,
    CycleStage,
    DriverNode,
    EbcdStageName,
    MeasureRole,
    Method,
    NodeKind,
    PdsaCycle,
    PredictionOutcome,
    Project,
    Stage,
    StageStatus,
)
from qms.issues.models import Issue
from qms.people import access
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role

OUTCOME, PROCESS, BALANCING = MeasureRole.OUTCOME, MeasureRole.PROCESS, MeasureRole.BALANCING
MET, PARTLY, NOT_MET = PredictionOutcome.MET, PredictionOutcome.PARTLY, PredictionOutcome.NOT_MET
ADOPT, ADAPT, ABANDON = ActDecision.ADOPT, ActDecision.ADAPT, ActDecision.ABANDON
PLAN, DO, STUDY, ACT, DONE = (
    CycleStage.PLAN,
    CycleStage.DO,
    CycleStage.STUDY,
    CycleStage.ACT,
    CycleStage.DONE,
)


# The plans --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    """One PDSA cycle of a ramp: its scale (the title), what the team predicted, what the data
    showed and what they decided; `stage` is how far the cycle has got (done by default)."""

    title: str
    result: str = ""
    outcome: str = MET
    decision: str = ADAPT
    notes: str = ""
    stage: str = DONE


@dataclass(frozen=True)
class Ramp:
    """A change idea under a driver (`parent`, the driver's text) and its cycles in order.
    `prediction` is what each cycle predicts; `measure` links a measure to the change idea."""

    idea: str
    parent: str
    prediction: str
    tests: tuple[Cycle, ...]
    question: str = "Will staff do it reliably, and what gets in the way?"
    who: str = "@team_member"
    measure: str = ""
    late_days: int = 0  # the current cycle's end is this many days past (an overdue cycle)
    current: bool = False  # runs now, even in a project whose earlier changes worked


@dataclass(frozen=True)
class DemoProject:
    """A project: its charter and team, its measures, driver diagram and ramps, and where its
    cycles fall: before the step of the `anchor` measure's plan (its change) or, without an
    anchor, around today (a project testing now). People are demo usernames or `@role` (the
    first person with that role in the project's unit; `@role@unit` in another unit)."""

    unit: str
    title: str
    problem: str
    aim: str
    stage: str
    method: str = Method.MODEL_FOR_IMPROVEMENT
    lead: str = "@team_lead"
    coach: str = ""
    sponsor: str = ""
    team: tuple[tuple[str, str], ...] = ()
    measures: tuple[tuple[str, str], ...] = ()  # (measure code, role)
    drivers: tuple[tuple[str, tuple[str, ...]], ...] = ()  # primary, its secondaries
    ramps: tuple[Ramp, ...] = ()
    anchor: str = ""
    cycle_days: int = 14
    months: int = 0  # how long before the first cycle the project started
    hours: int | None = None  # protected staff hours a week
    budget: int | None = None  # pounds
    source: tuple[str, str] = ("", "")  # ("signal", measure code) or ("issue", title)
    prototypes: tuple[tuple[str, str], ...] = ()  # (title, description), open
    from_prototype: int = -1  # the ramp whose change idea came from a prototype (the first)
    progress: str = ""  # "" confirms the suggestion; a score overrides it with `why`
    why: str = ""
    confirm: bool = True
    a3: dict[str, str] = field(default_factory=dict)
    ebcd: tuple[tuple[str, str, str], ...] = ()  # (stage, status, notes)
    milestones: tuple[tuple[str, int, bool], ...] = ()  # (title, due in days, done)


@dataclass(frozen=True)
class DemoAdoption:
    unit: str
    days_ago: int
    adaptations: str
    context: str
    link: tuple[str, ...] = ()  # measure codes of the unit
    copy: bool = False  # copy the package's measure definitions instead
    adopted: bool = False  # the unit has made it its practice


@dataclass(frozen=True)
class DemoPackage:
    project: str  # the project's title
    title: str
    summary: str
    how_to: str
    evidence: str
    days_ago: int  # published
    measures: tuple[str, ...]
    adoptions: tuple[DemoAdoption, ...]


def _ramp(idea, parent, prediction, *tests, **options) -> Ramp:
    return Ramp(idea=idea, parent=parent, prediction=prediction, tests=tests, **options)


# Usual shapes of a ramp: small first, then larger, then the whole unit.
def _worked(*scales: str, last=ADOPT, stage=DONE) -> tuple[Cycle, ...]:
    """A ramp that worked: the early cycles adapted the change, the last adopted it."""
    tests = []
    for index, scale in enumerate(scales):
        first, final = index == 0, index == len(scales) - 1
        if first and not final:
            tests.append(
                Cycle(
                    scale,
                    result="Done for most, not all: the paperwork took longer than expected.",
                    outcome=PARTLY,
                    notes="Simplify it and try again with more people.",
                )
            )
        elif not final:
            tests.append(
                Cycle(
                    scale,
                    result="As predicted, apart from one shift that was short of staff.",
                    outcome=MET,
                    notes="Scale up: more people, every shift.",
                )
            )
        else:
            tests.append(
                Cycle(
                    scale,
                    result="As predicted on every shift, and staff say it saves time.",
                    outcome=MET,
                    decision=last,
                    notes="Make it how we work; keep measuring."
                    if last == ADOPT
                    else "Adapt it once more before the whole team takes it on.",
                    stage=stage,
                )
            )
    return tuple(tests)


# A short name of each change idea, before each cycle's scale in its title (the chart's
# markers and the ramps read "PDSA 2: Care plan, bay 2 for a week").
SHORT_NAMES = {
    "Falls care plan within 24 hours of arrival": "Care plan",
    "Cohort high-risk patients in a supervised bay": "Supervised bay",
    "Non-slip footwear for every patient who walks": "Footwear",
    "Intentional rounding with toileting at 1 am and 3 am": "Night rounding",
    "Escalation prompt on the observation chart": "Prompt",
    "Huddle at 09:30 reviews every score of 5 or more": "Huddle",
    "Inhaler check by the pharmacist on the day before discharge": "Inhaler check",
    "Rescue pack and plan given with the discharge letter": "Rescue pack",
    "Rehabilitation nurse visits the ward each morning": "Nurse visits",
    "Electronic referral from the discharge letter": "E-referral",
    "Water jug and card: drink until two hours before theatre": "Water and card",
    "Theatre calls the ward with the list order at 08:00": "List order call",
    "Team brief at 08:00, not 08:20": "Early brief",
    "Consent and site marking on the ward the evening before": "Consent the evening before",
    "Phone call 72 hours before surgery": "Phone call",
    "Text message the day before": "Text message",
    "Ambulance crews refer people they leave at home after a fall": "Ambulance referral",
    "Classes in the community centre, with transport": "Local classes",
    "Care planning meeting in the patient's first three days": "Planning meeting",
    "Care plan written in the patient's own words": "Own words",
    "Easy-read invitation with a photo of the nurse": "Easy-read invitation",
    "Carers phoned to book the check": "Carer calls",
    "A member of staff 'tagged' to each high-risk bay": "Bay tag",
    "Handover of the tag with a lanyard": "Lanyard",
    "Doppler assessment at the first visit": "Doppler",
    "Leg ulcer clinic twice a week": "Clinic",
    "Sepsis screen at triage": "Triage screen",
    "Antibiotics stocked in the resuscitation room": "Antibiotics stocked",
    "Second registrar on the night rota": "Second registrar",
    "4AT on the admission checklist": "4AT",
    "Family asked about confusion at admission": "Family asked",
    "Text reminder with a map, two days before": "Text reminder",
    "Seven-steps structured review": "Seven steps",
}


PROJECTS: tuple[DemoProject, ...] = (
    # Ward 7, the demo lead's ward: the falls bundle that worked and is spreading.
    DemoProject(
        unit="ward-7",
        title="Fewer falls on Ward 7",
        problem="Ward 7 had about 8 falls per 1,000 bed days, more than the other medical "
        "wards; most were at night, on the way to the toilet, in older patients in the bays "
        "furthest from the nurses' station.",
        aim="Reduce falls on Ward 7 from 8.5 to 5 per 1,000 bed days within 9 months of the "
        "first test, and keep it there.",
        stage=Stage.SPREADING,
        lead="lead",
        coach="coach",
        sponsor="quality",
        team=(("member", Role.TEAM_MEMBER), ("partner", Role.PARTNER)),
        measures=(
            ("ward-7-falls-rate", OUTCOME),
            ("ward-7-falls-care-plan", PROCESS),
            ("ward-7-pressure-ulcers", BALANCING),
        ),
        drivers=(
            ("Every patient's falls risk is known and acted on", ("Risk assessed on arrival",)),
            (
                "Patients at risk are seen and helped",
                ("Supervision in high-risk bays", "Help to the toilet at night"),
            ),
            ("The ward is a safe place to walk", ()),
        ),
        ramps=(
            _ramp(
                "Falls care plan within 24 hours of arrival",
                "Risk assessed on arrival",
                "At least 4 in 5 patients aged 65 or over have a falls care plan within 24 hours.",
                *_worked(
                    "One nurse, one shift",
                    "Bay 2 for a week",
                    "Every admission for two weeks",
                    "Every admission, every shift",
                ),
                measure="ward-7-falls-care-plan",
            ),
            _ramp(
                "Cohort high-risk patients in a supervised bay",
                "Supervision in high-risk bays",
                "A member of staff is in the bay at all times on a test shift, and no one "
                "falls there.",
                *_worked("Night shifts for a week", "Every night for two weeks", "Every shift"),
            ),
            _ramp(
                "Non-slip footwear for every patient who walks",
                "The ward is a safe place to walk",
                "Every patient who walks has non-slip footwear by the end of their first day.",
                *_worked("Patients admitted on one day", "Every admission for two weeks"),
            ),
            _ramp(
                "Intentional rounding with toileting at 1 am and 3 am",
                "Help to the toilet at night",
                "Night staff offer the toilet at 1 am and 3 am to every patient at risk.",
                Cycle(
                    "Bay 2, one night",
                    result="Offered to every patient in the bay; two accepted each round.",
                    outcome=MET,
                    notes="Try three bays for a week.",
                ),
                Cycle(
                    "Bays 1 to 3 for a week",
                    result="Done most nights; night staff were short when the ward was full.",
                    outcome=PARTLY,
                    notes="Use the rounding sheet attached to the falls rate discussion.",
                ),
                Cycle("Every bay for a month", stage=DO),
                who="member",
                current=True,
            ),
        ),
        anchor="ward-7-falls-rate",
        cycle_days=14,
        months=3,
        hours=6,
        budget=1200,
        prototypes=(
            (
                "Falls care plan on one page",
                "A single-page care plan replacing the four-page form, tried on paper with "
                "two nurses and our patient partner before the first test.",
            ),
        ),
        from_prototype=0,
    ),
    # Ward 7: deterioration since the autumn rota change, tested now; started from the signal.
    DemoProject(
        unit="ward-7",
        title="Reliable escalation of NEWS2 on early shifts",
        problem="Since the autumn rota change fewer patients with a NEWS2 of 5 or more are "
        "escalated within the hour on early shifts; the chart shows special cause concern.",
        aim="Escalate at least 90% of patients with a NEWS2 of 5 or more within an hour, "
        "every week, by 31 March 2027.",
        stage=Stage.TESTING,
        lead="lead",
        coach="coach",
        team=(("member", Role.TEAM_MEMBER), ("partner", Role.PARTNER)),
        measures=(("ward-7-news2-escalation", OUTCOME), ("ward-7-sickness", BALANCING)),
        drivers=(
            ("Staff notice a high score straight away", ("A prompt where the score is written",)),
            ("The right person is free to respond", ("Early-shift huddle",)),
        ),
        ramps=(
            _ramp(
                "Escalation prompt on the observation chart",
                "A prompt where the score is written",
                "Every score of 5 or more on the test shift is escalated within the hour.",
                Cycle(
                    "One nurse, one early shift",
                    result="Two of three scores escalated in time; the prompt was missed once.",
                    outcome=PARTLY,
                    notes="Make the prompt larger and red.",
                ),
                Cycle(
                    "Every early shift for a week",
                    result="Nine of ten escalated in time.",
                    outcome=MET,
                    notes="Keep it; add the huddle for the busy mornings.",
                ),
                Cycle("Every shift for two weeks", stage=DO),
            ),
            _ramp(
                "Huddle at 09:30 reviews every score of 5 or more",
                "Early-shift huddle",
                "The huddle finds every patient with a score of 5 or more and names who responds.",
                Cycle(
                    "Three mornings",
                    result="The huddle ran on two of three mornings; it found every patient.",
                    outcome=PARTLY,
                    stage=STUDY,
                ),
                Cycle("Every weekday morning for two weeks", stage=PLAN),
            ),
        ),
        cycle_days=7,
        source=("signal", "ward-7-news2-escalation"),
        prototypes=(
            (
                "Pocket card: who to call and when",
                "A card for every nurse's pocket with the escalation steps; feedback welcome.",
            ),
        ),
    ),
    # Ward 7: a bundle improving, with the lead scoring lower than the evidence suggests.
    DemoProject(
        unit="ward-7",
        title="COPD discharge bundle for every patient",
        problem="Only about half of patients going home after a COPD exacerbation left with "
        "the full discharge bundle (inhaler check, rescue pack, referral to rehabilitation).",
        aim="Give 80% of patients with COPD the full discharge bundle by the end of 2026.",
        stage=Stage.IMPLEMENTING,
        lead="lead",
        coach="coach",
        team=(("member", Role.TEAM_MEMBER),),
        measures=(("ward-7-copd-bundle", PROCESS), ("ward-7-recommend", OUTCOME)),
        drivers=(("Every patient is taught before going home", ("Inhaler technique",)),),
        ramps=(
            _ramp(
                "Inhaler check by the pharmacist on the day before discharge",
                "Inhaler technique",
                "Every patient with COPD has their inhaler technique checked before going home.",
                *_worked("Two patients", "Every patient for two weeks", "Every patient"),
            ),
            _ramp(
                "Rescue pack and plan given with the discharge letter",
                "Every patient is taught before going home",
                "Every patient leaves with a rescue pack and knows when to start it.",
                *_worked("One week", "Every discharge"),
            ),
        ),
        anchor="ward-7-copd-bundle",
        progress="2.5",
        why="The bundle has been given more often for two months only, and patients' "
        "experience has not changed yet; we will look again when it has held for three.",
    ),
    DemoProject(
        unit="ward-8",
        title="Cardiac rehabilitation referral before discharge",
        problem="Two in three patients after a heart attack were referred to cardiac "
        "rehabilitation before going home; the rest waited for their GP to refer them.",
        aim="Refer 85% of eligible patients to cardiac rehabilitation before discharge within "
        "6 months.",
        stage=Stage.SUSTAINING,
        coach="coach",
        team=(("@team_member", Role.TEAM_MEMBER),),
        measures=(("ward-8-cardiac-rehab", OUTCOME), ("ward-8-discharge-before-noon", BALANCING)),
        drivers=(
            ("Eligible patients are found early", ("A daily list of eligible patients",)),
            ("Referral is quick", ()),
        ),
        ramps=(
            _ramp(
                "Rehabilitation nurse visits the ward each morning",
                "A daily list of eligible patients",
                "Every eligible patient on the ward is seen by the rehabilitation nurse.",
                *_worked("Two mornings", "One week", "Two weeks", "Every weekday"),
            ),
            _ramp(
                "Electronic referral from the discharge letter",
                "Referral is quick",
                "Referral takes under two minutes and none is lost.",
                *_worked("Five patients", "Every discharge for a week", "Every discharge"),
            ),
            _ramp(
                "Rehabilitation discussed at the morning board round",
                "Eligible patients are found early",
                "The board round names every eligible patient.",
                *_worked("Three mornings", "Every weekday"),
            ),
        ),
        anchor="ward-8-cardiac-rehab",
    ),
    DemoProject(
        unit="ward-14",
        title="Water until two hours before theatre",
        problem="Patients on Ward 14 went without fluids for 12 hours or more before surgery, "
        "leaving them thirsty, dehydrated and at risk of delirium.",
        aim="Reduce the share of patients fasted for more than 12 hours from 42% to under 20% "
        "within 3 months.",
        stage=Stage.SPREADING,
        coach="@improvement_coach@riverside",
        team=(("@team_member", Role.TEAM_MEMBER),),
        measures=(("ward-14-fasting", OUTCOME),),
        drivers=(
            ("Patients know they may drink", ("Clear instructions",)),
            ("Staff know when each patient's surgery will be", ()),
        ),
        ramps=(
            _ramp(
                "Water jug and card: drink until two hours before theatre",
                "Clear instructions",
                "Every patient on the morning list drinks until two hours before surgery.",
                *_worked(
                    "Morning list, one day",
                    "Morning lists for a week",
                    "Every list for a week",
                    "Every patient",
                ),
            ),
            _ramp(
                "Theatre calls the ward with the list order at 08:00",
                "Staff know when each patient's surgery will be",
                "The ward knows the order of the list by 08:15 every day.",
                *_worked("Three days", "Every weekday"),
            ),
        ),
        anchor="ward-14-fasting",
        cycle_days=7,
    ),
    DemoProject(
        unit="theatres",
        title="First case starts on time",
        problem="Half of the morning lists started late, losing about 40 minutes of theatre "
        "time a day and cancelling patients at the end of the list.",
        aim="Start 75% of first cases within 10 minutes of the planned time within 3 months.",
        stage=Stage.IMPLEMENTING,
        method=Method.LEAN,
        coach="coach",
        team=(("@team_member", Role.TEAM_MEMBER),),
        measures=(("theatres-on-time-start", OUTCOME), ("theatres-cancelled-on-day", BALANCING)),
        drivers=(
            ("The patient is ready", ("Consent and marking done the day before",)),
            ("The team is ready", ("Team brief at 08:00",)),
        ),
        ramps=(
            _ramp(
                "Team brief at 08:00, not 08:20",
                "Team brief at 08:00",
                "The first patient is sent for by 08:10.",
                *_worked("One theatre for a week", "Every theatre for two weeks", "Every list"),
            ),
            _ramp(
                "Consent and site marking on the ward the evening before",
                "Consent and marking done the day before",
                "Every first patient arrives with consent and marking done.",
                *_worked("Orthopaedic lists", "Every list"),
            ),
        ),
        anchor="theatres-on-time-start",
        cycle_days=7,
        a3={
            "background": "Late starts lose theatre time and cancel patients at the end of "
            "the list.",
            "current_condition": "Half of first cases start more than 10 minutes late; the "
            "team brief starts at 08:20 and the first patient is often not ready.",
            "goal": "75% of first cases start within 10 minutes of the planned time.",
            "root_causes": "Team brief too late; consent and marking left to the morning; "
            "porters booked for 08:30.",
            "countermeasures": "Brief at 08:00; consent and marking the evening before; "
            "porter booked for 08:10.",
            "plan": "Test in one theatre, then every theatre, over six weeks.",
            "follow_up": "Weekly review of on-time starts at the theatre huddle.",
        },
    ),
    DemoProject(
        unit="theatres",
        title="Pre-assessment phone call before surgery",
        problem="One in sixteen operations was cancelled on the day, mostly because the "
        "patient was unwell, had eaten, or had not stopped a medicine.",
        aim="Halve cancellations on the day from 6% to 3% within 6 months.",
        stage=Stage.CLOSED,
        coach="@improvement_coach@riverside",
        measures=(("theatres-cancelled-on-day", OUTCOME),),
        drivers=(("Patients arrive ready for surgery", ("Reminders before the day",)),),
        ramps=(
            _ramp(
                "Phone call 72 hours before surgery",
                "Reminders before the day",
                "Every patient called is ready on the day.",
                *_worked("One list", "Orthopaedic lists", "Every elective list"),
            ),
            _ramp(
                "Text message the day before",
                "Reminders before the day",
                "Patients reply to confirm they are coming and fasting.",
                Cycle(
                    "One week",
                    result="Few replies; the call already did the job.",
                    outcome=NOT_MET,
                    decision=ABANDON,
                    notes="Not worth it beside the call.",
                ),
            ),
        ),
        anchor="theatres-cancelled-on-day",
        cycle_days=7,
    ),
    DemoProject(
        unit="falls",
        title="Strength and balance classes after a fall",
        problem="Older people who fell at home were often admitted again within a year; few "
        "were offered strength and balance classes.",
        aim="Reduce falls admissions by 25% within 9 months.",
        stage=Stage.SUSTAINING,
        coach="@improvement_coach@community",
        measures=(("falls-falls-admissions", OUTCOME), ("falls-strength-balance", PROCESS)),
        drivers=(
            ("Everyone who falls is offered classes", ("Referral from the ambulance service",)),
            ("People keep going", ()),
        ),
        ramps=(
            _ramp(
                "Ambulance crews refer people they leave at home after a fall",
                "Referral from the ambulance service",
                "Every person left at home after a fall is referred within a day.",
                *_worked("One station", "Two stations", "Every station"),
            ),
            _ramp(
                "Classes in the community centre, with transport",
                "People keep going",
                "Four in five people who start a course finish it.",
                *_worked("One course", "Two courses", "Every course"),
            ),
            _ramp(
                "Weekly phone call from the class leader",
                "People keep going",
                "Nine in ten people called come back the next week.",
                *_worked("One course", "Every course"),
            ),
        ),
        anchor="falls-falls-admissions",
    ),
    DemoProject(
        unit="ward-21",
        title="Care plans written with patients",
        problem="Patients said their care plans were written about them, not with them; about "
        "half were co-produced.",
        aim="Write 85% of care plans with the patient within 9 months.",
        stage=Stage.SPREADING,
        method=Method.EBCD,
        coach="@improvement_coach@mental-health",
        team=(("@team_member", Role.TEAM_MEMBER), ("@partner", Role.PARTNER)),
        measures=(("ward-21-co-produced-care-plan", OUTCOME), ("ward-21-restraint", BALANCING)),
        drivers=(
            ("Patients are part of planning their care", ("Time set aside to plan together",)),
            ("Staff feel able to share decisions", ()),
        ),
        ramps=(
            _ramp(
                "Care planning meeting in the patient's first three days",
                "Time set aside to plan together",
                "Every new patient has a care planning meeting in their first three days.",
                *_worked("Two patients", "One week's admissions", "Every admission"),
            ),
            _ramp(
                "Care plan written in the patient's own words",
                "Staff feel able to share decisions",
                "Patients recognise their plan as theirs when asked.",
                *_worked("Five patients", "Every new plan"),
            ),
        ),
        anchor="ward-21-co-produced-care-plan",
        ebcd=(
            (EbcdStageName.GATHER, StageStatus.DONE, "Filmed interviews with 8 patients."),
            (EbcdStageName.TOUCHPOINTS, StageStatus.DONE, "Admission and the first ward round."),
            (EbcdStageName.CODESIGN, StageStatus.DONE, "Four groups of patients and staff."),
            (EbcdStageName.IMPLEMENT, StageStatus.DONE, "Care planning meeting introduced."),
            (EbcdStageName.REVIEW, StageStatus.IN_PROGRESS, "Review with patients in spring."),
        ),
    ),
    DemoProject(
        unit="ld-community",
        title="Annual health checks for people with a learning disability",
        problem="Fewer than half of adults with a learning disability had an annual health "
        "check; many did not come when invited by letter.",
        aim="Give 60% of adults with a learning disability their annual health check within "
        "a year.",
        stage=Stage.SUSTAINING,
        coach="@improvement_coach@mental-health",
        team=(("@partner", Role.PARTNER),),
        measures=(
            ("ld-community-ld-health-check", OUTCOME),
            ("ld-community-ld-first-contact", BALANCING),
        ),
        drivers=(("People know about the check and want it", ("Easy-read invitations",)),),
        ramps=(
            _ramp(
                "Easy-read invitation with a photo of the nurse",
                "Easy-read invitations",
                "More people reply to the invitation.",
                *_worked("One practice", "Three practices", "Every practice"),
            ),
            _ramp(
                "Carers phoned to book the check",
                "People know about the check and want it",
                "Two in three people whose carer is phoned book a check.",
                *_worked("Ten people", "Every person not replying"),
            ),
        ),
        anchor="ld-community-ld-health-check",
        cycle_days=21,
    ),
    DemoProject(
        unit="ward-3",
        title="Bay tagging in high-risk bays",
        problem="Ward 3 had the most falls in the board; most were unwitnessed, in bays.",
        aim="Reduce falls on Ward 3 from 11 to 8 per 1,000 bed days within 6 months.",
        stage=Stage.CLOSED,
        coach="@improvement_coach@community",
        team=(("@partner", Role.PARTNER),),
        measures=(("ward-3-falls-rate", OUTCOME),),
        drivers=(("Someone is always in the bay", ("Bay tagging",)),),
        ramps=(
            _ramp(
                "A member of staff 'tagged' to each high-risk bay",
                "Bay tagging",
                "A member of staff is in the bay whenever a patient at risk is there.",
                *_worked("One bay, day shifts", "Two bays", "Every high-risk bay"),
            ),
            _ramp(
                "Handover of the tag with a lanyard",
                "Someone is always in the bay",
                "The tag is never left without a holder.",
                *_worked("One week", "Every shift"),
            ),
        ),
        anchor="ward-3-falls-rate",
    ),
    DemoProject(
        unit="treatment-room",
        title="Compression therapy for leg ulcers",
        problem="Fewer than half of venous leg ulcers healed within 12 weeks.",
        aim="Heal 60% of venous leg ulcers within 12 weeks within a year.",
        stage=Stage.CLOSED,
        coach="@improvement_coach@community",
        measures=(("treatment-room-leg-ulcer-healing", OUTCOME),),
        drivers=(("Every venous ulcer gets compression", ("Assessment in the first visit",)),),
        ramps=(
            _ramp(
                "Doppler assessment at the first visit",
                "Assessment in the first visit",
                "Every new ulcer has an assessment at its first visit.",
                *_worked("One clinic", "Two clinics", "Every clinic"),
            ),
            _ramp(
                "Leg ulcer clinic twice a week",
                "Every venous ulcer gets compression",
                "Patients start compression within two weeks.",
                *_worked("One month", "Every week"),
            ),
        ),
        anchor="treatment-room-leg-ulcer-healing",
    ),
    DemoProject(
        unit="ed",
        title="Antibiotics within the hour for sepsis",
        problem="Patients with sepsis waited over an hour and a half for antibiotics.",
        aim="Give antibiotics within 60 minutes of arrival to patients with sepsis within 6 "
        "months.",
        stage=Stage.SUSTAINING,
        coach="coach",
        team=(("@team_member", Role.TEAM_MEMBER), ("@partner", Role.PARTNER)),
        measures=(("ed-sepsis-antibiotics", OUTCOME), ("ed-triage-time", BALANCING)),
        drivers=(
            ("Sepsis is recognised at the door", ("Screening at triage",)),
            ("Antibiotics are at hand", ()),
        ),
        ramps=(
            _ramp(
                "Sepsis screen at triage",
                "Screening at triage",
                "Every patient with a NEWS2 of 5 or more is screened at triage.",
                *_worked("One shift", "Day shifts for a week", "Every shift", "Every patient"),
            ),
            _ramp(
                "Antibiotics stocked in the resuscitation room",
                "Antibiotics are at hand",
                "No patient waits for antibiotics from the pharmacy.",
                *_worked("One week", "Every shift", "Every day"),
            ),
            _ramp(
                "Sepsis trolley in every area of the department",
                "Antibiotics are at hand",
                "Antibiotics are given within 15 minutes of the decision to treat.",
                *_worked("Majors for a week", "Majors for two weeks", "Every area"),
            ),
        ),
        anchor="ed-sepsis-antibiotics",
        cycle_days=7,
    ),
    DemoProject(
        unit="hospital-at-night",
        title="Senior review overnight within an hour",
        problem="Sick patients waited hours overnight for a senior review.",
        aim="Review 90% of patients escalated overnight within an hour within 6 months.",
        stage=Stage.CLOSED,
        method=Method.PROJECT_MANAGEMENT,
        coach="coach",
        measures=(("hospital-at-night-han-review", OUTCOME),),
        drivers=(("A senior doctor is free overnight", ("Second registrar",)),),
        ramps=(
            _ramp(
                "Second registrar on the night rota",
                "Second registrar",
                "Every escalated patient is reviewed within an hour on the test nights.",
                *_worked("Weekends for a month", "Every night"),
            ),
        ),
        anchor="hospital-at-night-han-review",
        cycle_days=28,
        milestones=(
            ("Business case agreed", -260, True),
            ("Second registrar recruited", -230, True),
            ("New rota live", -215, True),
            ("Evaluation to the division", -60, True),
        ),
    ),
    DemoProject(
        unit="hospital-at-home",
        title="Hospital at Home for 30 patients a day",
        problem="Hospital at Home cares for about 20 patients a day; more could be treated at "
        "home instead of being admitted.",
        aim="Increase the patients cared for at home from 20 to 30 a day by June 2027.",
        stage=Stage.IMPLEMENTING,
        method=Method.PROJECT_MANAGEMENT,
        coach="@improvement_coach@community",
        measures=(
            ("hospital-at-home-hah-patients", OUTCOME),
            ("hospital-at-home-readmissions", BALANCING),
        ),
        drivers=(("Enough staff and kit", ("Recruit the team",)),),
        hours=15,
        budget=480000,
        milestones=(
            ("Funding agreed", -200, True),
            ("Six nurses recruited", -90, True),
            ("Remote monitoring kit delivered", -20, False),
            ("Referrals from the emergency department", 45, False),
            ("Review with the board", 150, False),
        ),
    ),
    DemoProject(
        unit="ward-15",
        title="Delirium screening on admission",
        problem="About one in five older patients on Ward 15 was not screened for delirium on "
        "admission.",
        aim="Screen 95% of patients aged 65 or over for delirium within 12 hours of arrival "
        "by 30 June 2027.",
        stage=Stage.TESTING,
        coach="@improvement_coach@riverside",
        team=(("@team_member", Role.TEAM_MEMBER), ("@partner", Role.PARTNER)),
        measures=(("ward-15-delirium-screen", PROCESS), ("ward-15-falls-rate", OUTCOME)),
        drivers=(("Screening is part of admission", ("A prompt in the admission checklist",)),),
        ramps=(
            _ramp(
                "4AT on the admission checklist",
                "A prompt in the admission checklist",
                "Every patient aged 65 or over admitted on the test shift is screened.",
                Cycle(
                    "Two admissions",
                    result="Both screened, but the checklist is long.",
                    outcome=PARTLY,
                    notes="Move the prompt to the top of the checklist.",
                ),
                Cycle(
                    "One week's admissions",
                    result="Seven of ten screened; nights missed it.",
                    outcome=PARTLY,
                    notes="Teach the night staff before scaling up.",
                ),
                Cycle("Every admission for two weeks", stage=DO),
                late_days=3,
            ),
            _ramp(
                "Family asked about confusion at admission",
                "Screening is part of admission",
                "Families tell us about confusion the screen would miss.",
                Cycle(
                    "One week",
                    result="Few families were there at admission.",
                    outcome=NOT_MET,
                    notes="Ask at visiting time instead.",
                ),
                Cycle(
                    "Visiting time, one week",
                    result="Families told us of confusion in three patients the screen missed.",
                    stage=ACT,
                ),
            ),
        ),
        cycle_days=7,
    ),
    DemoProject(
        unit="cmht-north",
        title="Fewer missed first appointments",
        problem="One in nine first appointments was missed, more in the most deprived areas.",
        aim="Reduce missed first appointments from 11.5% to 8% by September 2027.",
        stage=Stage.TESTING,
        coach="@improvement_coach@mental-health",
        team=(("@team_member", Role.TEAM_MEMBER),),
        measures=(("cmht-north-dna", OUTCOME), ("cmht-north-dna-deprived", PROCESS)),
        drivers=(("People know when and where to come", ("Reminders people read",)),),
        ramps=(
            _ramp(
                "Text reminder with a map, two days before",
                "Reminders people read",
                "Fewer people miss their first appointment in the test week.",
                Cycle(
                    "One clinic for a week",
                    result="One missed of twelve, against three usually.",
                    outcome=MET,
                    notes="Try every clinic.",
                ),
                Cycle("Every clinic for a month", stage=DO),
            ),
        ),
        cycle_days=14,
        prototypes=(
            (
                "Text reminder with a map",
                "A draft text with a link to a map and a photo of the building, shown to "
                "people waiting and to our partners for their views.",
            ),
            (
                "Phone call from the worker they will see",
                "A script for a short welcome call; not tried yet.",
            ),
        ),
        from_prototype=0,
    ),
    DemoProject(
        unit="pharmacotherapy",
        title="Evaluating polypharmacy reviews",
        problem="People on ten or more medicines are at risk of harm; reviews vary in quality.",
        aim="Review 55% of people on ten or more medicines each year by March 2027.",
        stage=Stage.IMPLEMENTING,
        method=Method.RESEARCH,
        coach="@improvement_coach@community",
        measures=(("pharmacotherapy-polypharmacy-review", OUTCOME),),
        drivers=(("Reviews happen and are good", ("A structured review",)),),
        ramps=(
            _ramp(
                "Seven-steps structured review",
                "A structured review",
                "Reviews using the seven steps stop at least one medicine.",
                *_worked("Ten reviews", "One practice", "Every practice"),
            ),
            _ramp(
                "Review at home for people who cannot come in",
                "Reviews happen and are good",
                "Reviews at home find as much to change as those in the practice.",
                *_worked("Five reviews", "One practice", "Every practice"),
            ),
        ),
        anchor="pharmacotherapy-polypharmacy-review",
    ),
    DemoProject(
        unit="dn-north",
        title="Covering rounds when sickness leaves gaps",
        problem="Planned visits are missed at short notice when winter sickness leaves rounds "
        "uncovered.",
        aim="Halve missed visits in the North team.",  # no date: the aim check prompts
        stage=Stage.SCOPING,
        measures=(("dn-north-missed-visits", OUTCOME),),
        drivers=(
            ("Rounds are reallocated early", ("A shared view of both teams' rotas",)),
            ("Visits are prioritised", ()),
        ),
        source=("issue", "Missed visits when winter sickness leaves rounds uncovered"),
        prototypes=(
            (
                "Shared rota board with the South team",
                "A whiteboard mock-up of both teams' rounds, tried at the huddle.",
            ),
        ),
        confirm=False,
    ),
    DemoProject(
        unit="ward-24",
        title="Positive behaviour support plans with families",
        problem="Families say they are not involved in writing positive behaviour support plans.",
        aim="Write 90% of positive behaviour support plans with the person and their family "
        "by December 2027.",
        stage=Stage.SCOPING,
        method=Method.EBCD,
        coach="@improvement_coach@mental-health",
        measures=(("ward-24-pbs-plan", OUTCOME),),
        ebcd=((EbcdStageName.GATHER, StageStatus.IN_PROGRESS, "Interviews with six families."),),
        confirm=False,
    ),
    DemoProject(
        unit="ward-16",
        title="Hand hygiene for new starters",
        problem="New starters' hand hygiene fell in the last audit.",
        aim="Improve hand hygiene among new starters.",  # no target, no date: the check prompts
        stage=Stage.IDEA,
        measures=(("ward-16-hand-hygiene", OUTCOME),),
        confirm=False,
    ),
    DemoProject(
        unit="vaccination",
        title="Fewer missed vaccination appointments",
        problem="Missed appointments have risen since the clinic moved.",
        aim="Reduce missed vaccination appointments from 10% to 6% by June 2027.",
        stage=Stage.IDEA,
        measures=(("vaccination-dna", OUTCOME),),
        confirm=False,
    ),
)


PACKAGES: tuple[DemoPackage, ...] = (
    DemoPackage(
        project="Fewer falls on Ward 7",
        title="Falls bundle for medical wards",
        summary="A falls care plan within 24 hours, a supervised bay for patients at high "
        "risk, and non-slip footwear: falls on Ward 7 fell from about 8.5 to under 5 per "
        "1,000 bed days.",
        how_to="Start with the care plan on one bay; add the supervised bay when the plan is "
        "reliable. Begin from the one-page care plan our patient partner helped design (the "
        "project's first prototype).",
        evidence="NICE guideline NG249 (falls in older people); Ward 7's run of PDSA cycles "
        "and its falls rate chart.",
        days_ago=330,
        measures=("ward-7-falls-rate", "ward-7-falls-care-plan"),
        adoptions=(
            DemoAdoption(
                unit="ward-8",
                days_ago=300,
                adaptations="No supervised bay (single rooms): hourly rounding instead.",
                context="Cardiology: mostly single rooms, younger patients.",
                link=("ward-8-falls-rate",),
                adopted=True,
            ),
            DemoAdoption(
                unit="ward-15",
                days_ago=60,
                adaptations="Care plan added to the orthopaedic admission pathway.",
                context="Falls rising on the ward; patients after hip fracture.",
                link=("ward-15-falls-rate",),
            ),
            DemoAdoption(
                unit="hospital-at-home",
                days_ago=20,
                adaptations="Footwear and a home hazards check at the first visit.",
                context="Care at home: no bays, no night staff.",
                copy=True,
            ),
        ),
    ),
    DemoPackage(
        project="Water until two hours before theatre",
        title="Drink water until two hours before theatre",
        summary="Patients may drink water until two hours before their operation; theatre "
        "calls the ward with the list order at 08:00.",
        how_to="Agree it with the anaesthetists first; put a jug and a card by every bed.",
        evidence="Royal College of Anaesthetists guidance on fasting; Ward 14's data.",
        days_ago=100,
        measures=("ward-14-fasting",),
        adoptions=(
            DemoAdoption(
                unit="ward-15",
                days_ago=63,
                adaptations="Trauma lists: the list order phoned at 07:30.",
                context="Orthopaedic trauma, lists change often.",
                link=("ward-15-fasting",),
                adopted=True,
            ),
            DemoAdoption(
                unit="day-surgery",
                days_ago=35,
                adaptations="Advice given in the pre-assessment call.",
                context="Day cases arrive from home.",
                link=("day-surgery-fasting",),
            ),
        ),
    ),
    DemoPackage(
        project="Care plans written with patients",
        title="Care plans written with patients",
        summary="A care planning meeting in the patient's first three days, and the plan "
        "written in their own words.",
        how_to="Co-design the meeting with patients; set aside 30 minutes per patient.",
        evidence="Ward 21's co-design groups and its care plan audit.",
        days_ago=330,
        measures=("ward-21-co-produced-care-plan",),
        adoptions=(
            DemoAdoption(
                unit="ward-24",
                days_ago=275,
                adaptations="Families invited to the meeting; easy-read plans.",
                context="Learning disability assessment and treatment ward.",
                link=("ward-24-co-produced-care-plan",),
                adopted=True,
            ),
            DemoAdoption(
                unit="cmht-north",
                days_ago=90,
                adaptations="The meeting at the second appointment.",
                context="Community team: care plans reviewed, not written, at first contact.",
                link=("cmht-north-care-plan-review",),
            ),
            DemoAdoption(
                unit="crisis",
                days_ago=25,
                adaptations="A short plan at the first home visit.",
                context="Crisis resolution: short episodes of care.",
                copy=True,
            ),
        ),
    ),
)


# Dates ------------------------------------------------------------------------------------------


def change_date(code: str, today: dt.date) -> dt.date:
    """The first period of the step (or trend) in the measure's plan: when the change made a
    difference. The project's cycles end just before it."""
    plan = next(plan for plan in PLANS if plan.code == code)
    effect = next(effect for effect in plan.story if isinstance(effect, Step | Trend))
    frequency = DEFINITIONS[plan.definition].frequency
    periods = periods_until(today, frequency, SPAN[frequency])
    return periods[len(periods) - effect.ago]


def cycle_dates(spec: DemoProject, today: dt.date) -> list[list[tuple[dt.date, dt.date]]]:
    """The start and end of every cycle of every ramp. With an anchor, each ramp ends just
    before the change (the first ramp last), so the markers precede the improvement. Without
    one (or for a `current` ramp), the cycle being done runs today (or ended `late_days` ago),
    a planned one starts tomorrow, and those before them are past."""
    length = dt.timedelta(days=spec.cycle_days)
    day = dt.timedelta(days=1)
    dates = []
    for index, ramp in enumerate(spec.ramps):
        count = len(ramp.tests)
        if spec.anchor and not ramp.current:
            end = change_date(spec.anchor, today) - day - dt.timedelta(days=3 * index)
            first = end - count * length + day
        else:
            current = next(
                (k for k, test in enumerate(ramp.tests) if test.stage in {PLAN, DO}), None
            )
            if current is None:  # all past: the last ended yesterday
                first = today - count * length
            elif ramp.tests[current].stage == PLAN:  # planned: it starts tomorrow
                first = today + day - current * length
            else:  # being done: it runs today, or ran until `late_days` ago
                late = dt.timedelta(days=ramp.late_days)
                started = today - length + day - late if late else today - length // 2
                first = started - current * length
        dates.append([(first + k * length, first + (k + 1) * length - day) for k in range(count)])
    return dates


# Building ---------------------------------------------------------------------------------------


def build(*, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo's projects, packages and adoptions that are not there yet (call after
    `measures.build`). Returns counts for the summary."""
    today = today or timezone.localdate()
    units = {unit.code: unit for unit in Unit.objects.all()}
    measures = {measure.code: measure for measure in Measure.objects.select_related("unit")}
    people = _People(units)
    existing = set(Project.objects.values_list("unit__code", "title"))
    for spec in PROJECTS:
        if (spec.unit, spec.title) not in existing:
            _build_project(spec, units[spec.unit], measures, people, today)
    for spec in PACKAGES:
        _build_package(spec, units, measures, people, today)
    _one_markers_sync_per_project()
    return {
        "projects": Project.objects.count(),
        "cycles": PdsaCycle.objects.count(),
        "packages": ChangePackage.objects.count(),
        "adoptions": Adoption.objects.count(),
    }


def _one_markers_sync_per_project() -> None:
    """The cycles' services leave a sync of the project's chart markers for the commit after
    every write: hundreds in the demo's one transaction, each redoing the one before. Keep the
    last for each project (it reads the project as it is at the commit)."""
    pending = transaction.get_connection().run_on_commit
    seen: set[int] = set()
    kept = []
    for entry in reversed(pending):
        project_id = getattr(entry[1], "syncs_project", None)
        if project_id is not None:
            if project_id in seen:
                continue
            seen.add(project_id)
        kept.append(entry)
    pending[:] = kept[::-1]


def summary_line(counts: dict[str, int]) -> str:
    return (
        f"Quality improvement: {counts['projects']} projects, {counts['cycles']} PDSA cycles, "
        f"{counts['packages']} change packages adopted {counts['adoptions']} times."
    )


class _People:
    """Demo people by username, or by their role in a unit (`@role` or `@role@unit`): one
    object per person, so what access caches on it is dropped in one place."""

    def __init__(self, units: dict[str, Unit]):
        self.units = units
        self.by_role: dict[tuple[str, str], list[Person]] = {}
        self.by_name: dict[str, Person] = {}
        memberships = Membership.objects.select_related("person", "unit").order_by("person_id")
        for membership in memberships:
            person = self.by_name.setdefault(membership.person.username, membership.person)
            self.by_role.setdefault((membership.unit.code, membership.role), []).append(person)

    def __call__(self, token: str, unit: str) -> Person | None:
        if not token:
            return None
        if not token.startswith("@"):
            return self.by_name[token]
        role, _, other = token[1:].partition("@")
        found = self.by_role.get((other or unit, role), [])
        return found[0] if found else None

    def joined(self, person: Person) -> None:
        """`person` was given a role on a record: what access cached about them is stale."""
        access.forget_memberships(person)


def _build_project(spec: DemoProject, unit: Unit, measures, people: _People, today) -> None:
    dates = cycle_dates(spec, today)
    days = [day for ramp in dates for pair in ramp for day in pair]
    days += [today + dt.timedelta(days=due_in) for _, due_in, _ in spec.milestones]
    starts_on = min(days) - dt.timedelta(days=30 * (spec.months or 1)) if days else None
    ends_on = max(days) + dt.timedelta(days=30) if days and spec.stage == Stage.CLOSED else None
    lead = people(spec.lead, spec.unit)
    project = services.project_create(
        by=None,
        unit=unit,
        title=spec.title,
        problem=spec.problem,
        aim=spec.aim,
        method=spec.method,
        # A closed project's work is done while it is open; it closes at the end.
        stage=Stage.SUSTAINING if spec.stage == Stage.CLOSED else spec.stage,
        sponsor=people(spec.sponsor, spec.unit),
        lead=lead,
        coach=people(spec.coach, spec.unit),
        starts_on=starts_on,
        ends_on=ends_on,
        protected_hours=None if spec.hours is None else Decimal(str(spec.hours)),
        budget=None if spec.budget is None else Decimal(str(spec.budget)),
        source=_source(spec.source, measures),
    )
    for token, role in spec.team:
        person = people(token, spec.unit)
        if person is not None:
            services.team_member_add(by=None, project=project, person=person, role=role)
            people.joined(person)
    for code, role in spec.measures:
        services.project_measure_link(by=None, project=project, measure=measures[code], role=role)
    aim = project.nodes.get(kind=NodeKind.AIM)
    drivers = {}
    for primary_text, secondaries in spec.drivers:
        primary = services.node_add(by=None, parent=aim, kind=NodeKind.PRIMARY, text=primary_text)
        drivers[primary_text] = primary
        for text in secondaries:
            drivers[text] = services.node_add(
                by=None, parent=primary, kind=NodeKind.SECONDARY, text=text
            )
    prototypes = [
        services.prototype_create(by=None, project=project, title=title, description=text)
        for title, text in spec.prototypes
    ]
    for index, (ramp, ramp_dates) in enumerate(zip(spec.ramps, dates, strict=True)):
        _build_ramp(
            project,
            ramp,
            ramp_dates,
            drivers[ramp.parent],
            measures,
            people,
            spec.unit,
            prototypes[0] if index == spec.from_prototype and prototypes else None,
        )
    _build_method(project, spec, people, today)
    if spec.confirm and lead is not None:
        suggestion = selectors.progress_suggest(project)
        score = spec.progress or suggestion.score
        services.progress_confirm(
            by=lead, project=project, score=score, reason=spec.why if spec.progress else ""
        )
    if spec.stage == Stage.CLOSED:
        services.project_update(by=None, project=project, stage=Stage.CLOSED)


def _source(source: tuple[str, str], measures):
    kind, key = source
    if kind == "signal":
        return Signal.objects.filter(measure=measures[key]).order_by("-pk").first()
    if kind == "issue":
        return Issue.objects.filter(title=key).first()
    return None


def _cycle_fields(ramp: Ramp, test: Cycle, number: int, starts_on, ends_on, owner) -> dict:
    scale = test.title[0].lower() + test.title[1:]
    return {
        "title": f"{SHORT_NAMES.get(ramp.idea, ramp.idea)}: {scale}",
        "objective": f"Test “{ramp.idea}”: {scale}.",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "owner": owner,
        "questions": ramp.question,
        "who": "The nurse in charge and the test shift's team",
        "what": ramp.idea,
        "where": "On the ward" if number == 1 else "As the last cycle, at a larger scale",
        "data_to_collect": "A tally on the test sheet of each time it was done or missed.",
        "predictions": [(ramp.question, ramp.prediction)],
    }


def _build_ramp(project, ramp: Ramp, dates, parent, measures, people, unit, prototype) -> None:
    owner = people(ramp.who, unit) or project.lead
    if owner is not None and not services.may_work_on(owner, project):
        # Whoever runs the tests joins the team.
        services.team_member_add(by=None, project=project, person=owner, role=Role.TEAM_MEMBER)
        people.joined(owner)
    cycles: list[PdsaCycle] = []
    for number, (test, (starts_on, ends_on)) in enumerate(
        zip(ramp.tests, dates, strict=True), start=1
    ):
        fields = _cycle_fields(ramp, test, number, starts_on, ends_on, owner)
        if number == 1 and prototype is not None:
            node, cycle = services.prototype_to_change_idea(
                by=None, prototype=prototype, parent=parent, text=ramp.idea, cycle=fields
            )
        else:
            if number == 1:
                node = services.node_add(
                    by=None, parent=parent, kind=NodeKind.CHANGE_IDEA, text=ramp.idea
                )
            cycle = services.cycle_create(by=None, change_idea=node, **fields)
        _run(cycle, test, ends_on)
        cycles.append(cycle)
    if ramp.measure:
        services.node_measures_set(by=None, node=node, measures=[measures[ramp.measure]])


def _run(cycle: PdsaCycle, test: Cycle, ends_on: dt.date) -> None:
    """Take the cycle as far as the test got: Do, Study (a result for the prediction), Act."""
    order = [PLAN, DO, STUDY, ACT, DONE]
    reached = order.index(test.stage)
    if reached == order.index(DO):  # being done: what happened so far, saved as a draft
        services.cycle_do(
            by=None,
            cycle=cycle,
            what_happened="Started as planned; the tally sheet is on the ward.",
            observations="",
            draft=True,
        )
    if reached >= order.index(STUDY):
        services.cycle_do(
            by=None,
            cycle=cycle,
            what_happened=f"{cycle.title}: done as planned.",
            observations="Staff found it easy once they had tried it; a few forgot at first.",
        )
    if reached >= order.index(ACT):
        prediction = cycle.predictions.get()
        services.cycle_study(
            by=None,
            cycle=cycle,
            study_summary=test.result,
            results={prediction.pk: (test.result, test.outcome)},
        )
    if reached == order.index(DONE):
        services.cycle_act(by=None, cycle=cycle, decision=test.decision, act_notes=test.notes)
        # The service dates the decision today; the demo's cycles were decided when they ended.
        PdsaCycle.objects.filter(pk=cycle.pk).update(completed_on=ends_on)


def _build_method(project: Project, spec: DemoProject, people, today: dt.date) -> None:
    if spec.a3:
        services.a3_update(by=None, project=project, **spec.a3)
    # Co-design stages one after another from the project's start, four weeks each.
    begins = project.starts_on or today
    for index, (stage, status, notes) in enumerate(spec.ebcd):
        started = min(begins + dt.timedelta(days=28 * index), today)
        services.ebcd_stage_update(
            by=None,
            project=project,
            stage=stage,
            status=status,
            notes=notes,
            started_on=started,
            completed_on=min(started + dt.timedelta(days=27), today)
            if status == StageStatus.DONE
            else None,
        )
    for title, due_in, done in spec.milestones:
        due_on = today + dt.timedelta(days=due_in)
        milestone = services.milestone_add(
            by=None, project=project, title=title, owner=project.lead, due_on=due_on
        )
        if done:
            services.milestone_complete(by=None, milestone=milestone, done_on=due_on)


def _build_package(spec: DemoPackage, units, measures, people, today: dt.date) -> None:
    project = Project.objects.filter(title=spec.project).first()
    if project is None:
        return
    package = ChangePackage.objects.filter(project=project, title=spec.title).first()
    if package is None:
        ideas = DriverNode.objects.filter(
            project=project, kind=NodeKind.CHANGE_IDEA, cycles__decision=ADOPT
        ).distinct()
        package = services.package_create(
            by=None,
            project=project,
            title=spec.title,
            summary=spec.summary,
            how_to=spec.how_to,
            evidence=spec.evidence,
            change_ideas=list(ideas),
            measures=[measures[code] for code in spec.measures],
        )
        services.package_publish(by=None, package=package)
        # Published when the project's results were in, not today.
        published = timezone.now() - dt.timedelta(days=spec.days_ago)
        ChangePackage.objects.filter(pk=package.pk).update(published_at=published)
        package.history.filter(published_at__isnull=False).update(published_at=published)
        package.history.update(history_date=published)
    done = set(package.adoptions.values_list("unit__code", flat=True))
    for adoption in spec.adoptions:
        if adoption.unit in done:
            continue
        made = services.adoption_create(
            by=None,
            package=package,
            unit=units[adoption.unit],
            adopted_on=today - dt.timedelta(days=adoption.days_ago),
            local_adaptations=adoption.adaptations,
            context=adoption.context,
            lead=people("@team_lead", adoption.unit),
            copy_measures=list(package.measures.all()) if adoption.copy else (),
            link_measures=[measures[code] for code in adoption.link],
        )
        if adoption.adopted:
            services.adoption_status_set(by=None, adoption=made, status=AdoptionStatus.ADOPTED)


def improvement_after_cycles() -> dict[str, object]:
    """For the anchored projects' outcome measures: control's finding of special cause
    improvement since the project's first cycle (for tests and for a look in the shell)."""
    found = {}
    for spec in PROJECTS:
        if not spec.anchor:
            continue
        project = Project.objects.filter(unit__code=spec.unit, title=spec.title).first()
        first = PdsaCycle.objects.filter(project=project).order_by("starts_on").first()
        if project is None or first is None:
            continue
        measure = Measure.objects.get(code=spec.anchor)
        found[spec.anchor] = control_selectors.improvement_since([measure.pk], first.starts_on)[
            measure.pk
        ]
    return found
