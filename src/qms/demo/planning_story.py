"""The demo's planning cycle, written down as data: the Acute Services Division of Riverside
Health Board (the demo's division with the most measures, projects and people) plans its
quality work for the coming year. `qms.demo.planning` builds it through planning's services.

The story, in the order a quality lead works:

- the board's quality vision and six board aims, cascaded to the division's aims and its
  wards' and teams' aims, each linked to demo measures and projects; one board aim (anaesthetic
  gases) is deliberately served by nothing, so the board sees it in "Not served";
- two needs assessments (older people admitted as an emergency; children and young people in
  the Emergency Department) with need statements, evidence tables, published statistics and
  feedback, and assets; group breakdowns of four measures showing an equity gap;
- about 80 of the division's incidents, complaints and staff concerns analysed for their
  contributory factors (system-focused accounts; staff workload, communication systems and
  task characteristics recur), each decided "improve here" or "escalate";
- 15 priorities from gaps, factors, needs, aims and strategy, scored with the division's
  weights (equity counts double) and decided: approved ones with owners, resources, roles and a
  method, two of them turned into projects whose driver diagrams start from their factors;
  parked and rejected ones with reasons; one design of the discharge process;
- each unit's capacity for quality work (Ward 7 is over-committed);
- clinical audits of three standards, one re-audited showing improvement.

Every number in evidence tables is **illustrative**: realistic, shaped like the published
statistics named as the source, never the published figure itself. Feedback excerpts are real,
published comments without identifiers from NHS England's patient experience text mining
project (pxtextmining, MIT licence; `/work/shared/data/patient_feedback_v6.csv`), named by
their comment ID. Everything else is synthetic.

Dates are counted from the day the demo is built (`days` before or after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIVISION = "acute"
BOARD = "riverside"

# People are demo usernames (`qms.demo.organisation.DEMO_LOGINS`) or `@role` / `@role@unit`,
# the first person holding that role in the unit (as in `qms.demo.improvement`).
QUALITY_LEAD = "quality"  # Joanne Keir, quality lead of the Acute Services Division
EXECUTIVE = "board"  # Dr Helen Forsyth, medical director


# 1. Vision and aims ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoVision:
    unit: str
    vision: str
    purpose: str
    by: str


VISIONS = (
    DemoVision(
        unit=BOARD,
        vision="Safe, kind and effective care for everyone in Riverside, whoever they are and "
        "wherever they live, with no one harmed by the care meant to help them.",
        purpose="We exist to help the 400,000 people of Riverside live longer, healthier "
        "lives, and to care for them well when they are ill.",
        by=EXECUTIVE,
    ),
    DemoVision(
        unit=DIVISION,
        vision="Every patient in our two hospitals is safe from avoidable harm, is seen "
        "without a long wait, and goes home as soon as they are ready, with their family "
        "kept informed.",
        purpose="Acute care that people would choose for their own families.",
        by=QUALITY_LEAD,
    ),
)


@dataclass(frozen=True)
class DemoAim:
    """An aim: `key` names it for its children and for priorities; `parent` is a key."""

    key: str
    unit: str
    statement: str
    target: str
    due_in_days: int
    by: str
    parent: str = ""
    measures: tuple[str, ...] = ()  # measure codes
    projects: tuple[str, ...] = ()  # project titles


AIMS = (
    # The board's aims.
    DemoAim(
        key="board-harm",
        unit=BOARD,
        statement="Reduce falls with harm in our hospitals by 30% by March 2028, measured "
        "as falls with harm per 1,000 bed days.",
        target="30% fewer falls with harm per 1,000 bed days",
        due_in_days=480,
        by=EXECUTIVE,
    ),
    DemoAim(
        key="board-access",
        unit=BOARD,
        statement="95% of people attending our emergency departments are admitted, "
        "transferred or discharged within 4 hours by March 2028.",
        target="95% within 4 hours",
        due_in_days=480,
        by=EXECUTIVE,
        measures=("riverside-ed-4h",),
    ),
    DemoAim(
        key="board-equity",
        unit=BOARD,
        statement="Halve the gap in missed outpatient appointments between people from the "
        "most and least deprived areas by March 2029.",
        target="Gap in did-not-attend rates halved",
        due_in_days=850,
        by=EXECUTIVE,
        measures=("riverside-outpatient-dna-deprived",),
    ),
    DemoAim(
        key="board-experience",
        unit=BOARD,
        statement="9 in 10 people rate their care 8 out of 10 or better by December 2027.",
        target="Overall rating 8 or more for 90% of people",
        due_in_days=390,
        by=EXECUTIVE,
        measures=("riverside-overall-rating",),
    ),
    DemoAim(
        key="board-workforce",
        unit=BOARD,
        statement="Sickness absence below 4.5% across the board by March 2028.",
        target="Sickness absence below 4.5%",
        due_in_days=480,
        by=EXECUTIVE,
        measures=("riverside-sickness",),
    ),
    # Deliberately served by nothing: no measure, no project and no aim below serves it yet,
    # so the board sees it under "Not served".
    DemoAim(
        key="board-carbon",
        unit=BOARD,
        statement="Halve the carbon footprint of anaesthetic gases in our theatres by "
        "March 2028, measured as CO2-equivalent per anaesthetic.",
        target="50% less CO2-equivalent per anaesthetic",
        due_in_days=480,
        by=EXECUTIVE,
    ),
    # The division's aims, serving the board's.
    DemoAim(
        key="acute-falls",
        unit=DIVISION,
        statement="Fewer than 5 falls per 1,000 bed days on every medical ward by December 2027.",
        target="Below 5 falls per 1,000 bed days on each medical ward",
        due_in_days=390,
        by=QUALITY_LEAD,
        parent="board-harm",
        measures=("ward-9-falls-rate", "amu-falls-rate"),
    ),
    DemoAim(
        key="acute-flow",
        unit=DIVISION,
        statement="Four in ten patients discharged from medical wards before noon by "
        "September 2027, so that beds are free for the day's emergency admissions.",
        target="40% of discharges before noon",
        due_in_days=300,
        by=QUALITY_LEAD,
        parent="board-access",
        measures=("ward-8-discharge-before-noon", "amu-discharge-before-noon"),
    ),
    DemoAim(
        key="acute-deterioration",
        unit=DIVISION,
        statement="95% of patients with a NEWS2 of 5 or more are escalated within the hour, "
        "on every ward, by June 2027.",
        target="95% escalated within the hour",
        due_in_days=210,
        by=QUALITY_LEAD,
        parent="board-harm",
        measures=("amu-news2-escalation", "ward-16-news2-escalation"),
    ),
    DemoAim(
        key="acute-workforce",
        unit=DIVISION,
        statement="Sickness absence in the division below 4.5% by March 2028.",
        target="Below 4.5%",
        due_in_days=480,
        by=QUALITY_LEAD,
        parent="board-workforce",
        measures=("acute-sickness",),
    ),
    # The wards' and teams' aims, serving the division's.
    DemoAim(
        key="ward-7-falls",
        unit="ward-7",
        statement="Ward 7's falls below 5 per 1,000 bed days by June 2027.",
        target="Below 5 falls per 1,000 bed days",
        due_in_days=210,
        by="lead",
        parent="acute-falls",
        measures=("ward-7-falls-rate", "ward-7-falls-care-plan"),
        projects=("Fewer falls on Ward 7",),
    ),
    DemoAim(
        key="ward-7-news2",
        unit="ward-7",
        statement="Every patient on Ward 7 with a NEWS2 of 5 or more is escalated within the "
        "hour, on every shift, by April 2027.",
        target="95% escalated within the hour",
        due_in_days=150,
        by="lead",
        parent="acute-deterioration",
        measures=("ward-7-news2-escalation",),
        projects=("Reliable escalation of NEWS2 on early shifts",),
    ),
    DemoAim(
        key="ed-time",
        unit="ed",
        statement="85% of people in the Emergency Department within 4 hours by June 2027, "
        "on the way to the board's 95%.",
        target="85% within 4 hours",
        due_in_days=210,
        by="@team_lead",
        parent="board-access",
        measures=("ed-ed-4h", "ed-left-before-seen"),
        projects=("Antibiotics within the hour for sepsis",),
    ),
    DemoAim(
        key="ward-15-delirium",
        unit="ward-15",
        statement="Every patient aged 65 or over on Ward 15 screened for delirium within "
        "24 hours of admission, 90% of them by March 2027.",
        target="90% screened within 24 hours",
        due_in_days=120,
        by="@team_lead",
        parent="acute-falls",
        measures=("ward-15-delirium-screen",),
        projects=("Delirium screening on admission",),
    ),
)


# 2. Needs, evidence, assets and equity ----------------------------------------------------------


@dataclass(frozen=True)
class DemoTable:
    """An evidence table, uploaded as a CSV file."""

    title: str
    source: str
    source_url: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    chart_x: str
    chart_y: str
    need: int = 0  # the need it supports (1-based position), 0 for the assessment


@dataclass(frozen=True)
class DemoStatistic:
    title: str
    value: float
    unit: str
    source: str
    source_url: str
    published_days_ago: int
    need: int = 0


@dataclass(frozen=True)
class DemoFeedback:
    title: str
    quote: str
    source: str
    need: int = 0


@dataclass(frozen=True)
class DemoAssessment:
    key: str
    unit: str
    title: str
    population: str
    summary: str
    needs: tuple[str, ...]
    tables: tuple[DemoTable, ...] = ()
    statistics: tuple[DemoStatistic, ...] = ()
    feedback: tuple[DemoFeedback, ...] = ()
    assets: tuple[tuple[str, str, str], ...] = ()  # (kind, name, description)


PXTEXTMINING = (
    "Real published comment, NHS England patient experience text mining project "
    "(pxtextmining, MIT licence), comment {id}; no identifiers."
)
ILLUSTRATIVE = "Illustrative figures, based on "

ASSESSMENTS = (
    DemoAssessment(
        key="older-people",
        unit=DIVISION,
        title="Older people admitted as an emergency",
        population="People aged 75 and over admitted to Riverside's hospitals as an emergency",
        summary="One in four emergency admissions is a person aged 75 or over, and their "
        "share grows every year. They stay longest, fall most, are most often delirious and "
        "wait longest to go home. Their families want to be told more, and sooner.",
        needs=(
            "Delirium is recognised and treated within 24 hours of admission.",
            "People are kept safe from falls at night without losing their independence.",
            "People go home as soon as they are ready, with their medicines and support in "
            "place, and not late in the evening.",
            "Families are told when a person moves ward or their plan changes.",
        ),
        tables=(
            DemoTable(
                title="Population of Riverside by age band",
                source=ILLUSTRATIVE + "National Records of Scotland, mid-year population "
                "estimates (council areas, by single year of age), 2023",
                source_url="https://www.nrscotland.gov.uk/statistics-and-data/statistics/"
                "statistics-by-theme/population/population-estimates/mid-year-population-"
                "estimates",
                columns=("Age band", "People", "Share of population (%)"),
                rows=(
                    ("0-15", 66_800, 16.7),
                    ("16-44", 150_400, 37.6),
                    ("45-64", 108_000, 27.0),
                    ("65-74", 42_800, 10.7),
                    ("75-84", 24_000, 6.0),
                    ("85 and over", 8_000, 2.0),
                ),
                chart_x="Age band",
                chart_y="People",
            ),
            DemoTable(
                title="Emergency admissions and bed days by age band, last 12 months",
                source=ILLUSTRATIVE + "Public Health Scotland, acute hospital activity "
                "(SMR01), annual tables",
                source_url="https://publichealthscotland.scot/publications/acute-hospital-"
                "activity-and-nhs-beds-information-annual/",
                columns=("Age band", "Emergency admissions", "Bed days", "Mean stay (days)"),
                rows=(
                    ("0-15", 3_900, 5_100, 1.3),
                    ("16-44", 9_800, 26_500, 2.7),
                    ("45-64", 10_900, 52_300, 4.8),
                    ("65-74", 7_600, 51_700, 6.8),
                    ("75-84", 7_900, 74_300, 9.4),
                    ("85 and over", 5_200, 63_400, 12.2),
                ),
                chart_x="Age band",
                chart_y="Mean stay (days)",
                need=3,
            ),
        ),
        statistics=(
            DemoStatistic(
                title="Delirium among older people admitted as an emergency",
                value=25,
                unit="% of admissions aged 65 and over",
                source=ILLUSTRATIVE + "Scottish Delirium Association and Healthcare "
                "Improvement Scotland's delirium point prevalence work",
                source_url="https://www.scottishdelirium.org.uk/",
                published_days_ago=400,
                need=1,
            ),
            DemoStatistic(
                title="Falls among people aged 65 and over each year",
                value=33,
                unit="% of people aged 65 and over",
                source=ILLUSTRATIVE + "NICE clinical guideline CG161, Falls in older people",
                source_url="https://www.nice.org.uk/guidance/cg161",
                published_days_ago=900,
                need=2,
            ),
        ),
        feedback=(
            DemoFeedback(
                title="Waiting on the floor",
                quote="I lay on the floor for 1 and 1/2 hours before ambulance arrived. "
                "I am 90 years of age.",
                source=PXTEXTMINING.format(id="NEAS S&C 3899"),
                need=2,
            ),
            DemoFeedback(
                title="Carers with the person",
                quote="When patient is a vulnerable person the carer should be allowed in "
                "the ambulance with them, I was not.",
                source=PXTEXTMINING.format(id="NEAS S&C 4128"),
                need=4,
            ),
            DemoFeedback(
                title="Family kept with the person",
                quote="They came quickly, were very kind and allowed me to accompany my "
                "father to hospital",
                source=PXTEXTMINING.format(id="NEAS S&C 3797"),
                need=4,
            ),
        ),
        assets=(
            (
                "community",
                "Riverside Day Centre",
                "Lunch clubs and strength and balance "
                "classes four days a week; takes referrals from wards.",
            ),
            (
                "community",
                "Age Scotland helpline",
                "Advice for older people and carers, including after a hospital stay.",
            ),
            (
                "staff",
                "Frailty practitioners on the Acute Medical Unit",
                "Two advanced practitioners who assess frailty on admission, weekdays.",
            ),
            (
                "staff",
                "Ward 7's falls champions",
                "Four nurses trained in falls prevention who teach new staff.",
            ),
            (
                "partner",
                "Riverside Carers Centre",
                "Supports carers during and after an "
                "admission; joins discharge planning when asked.",
            ),
            (
                "partner",
                "Hospital at Home",
                "The board's own service: acute care at home for up to 30 people a day.",
            ),
        ),
    ),
    DemoAssessment(
        key="children",
        unit=DIVISION,
        title="Children and young people in the Emergency Department",
        population="Children and young people under 18 attending the Emergency Department "
        "and the Minor Injuries Unit",
        summary="About 14,000 attendances a year are children and young people, more of them "
        "from the most deprived areas. They wait in the adult waiting room, and families from "
        "the most deprived areas leave before being seen more often.",
        needs=(
            "Children wait in a space that is safe and suitable for them, apart from adults "
            "in distress.",
            "Families from the most deprived areas are not more likely to leave before their "
            "child is seen.",
            "Young people in mental health crisis are seen by someone trained to help them "
            "within 4 hours.",
        ),
        tables=(
            DemoTable(
                title="Children and young people attending, by deprivation quintile (SIMD)",
                source=ILLUSTRATIVE + "the Scottish Index of Multiple Deprivation 2020 (v2) "
                "and Public Health Scotland's A&E activity by SIMD quintile",
                source_url="https://www.gov.scot/collections/scottish-index-of-multiple-"
                "deprivation-2020/",
                columns=(
                    "SIMD quintile",
                    "Children living in the area",
                    "Attendances a year",
                    "Attendances per 1,000 children",
                    "Left before being seen (%)",
                ),
                rows=(
                    ("1 (most deprived)", 17_100, 4_310, 252, 6.8),
                    ("2", 14_800, 3_180, 215, 5.1),
                    ("3", 12_600, 2_440, 194, 3.9),
                    ("4", 11_400, 2_020, 177, 3.1),
                    ("5 (least deprived)", 10_900, 1_790, 164, 2.6),
                ),
                chart_x="SIMD quintile",
                chart_y="Attendances per 1,000 children",
                need=2,
            ),
        ),
        statistics=(
            DemoStatistic(
                title="Children's share of emergency department attendances",
                value=21,
                unit="% of attendances",
                source=ILLUSTRATIVE + "Public Health Scotland, NHS performs weekly A&E "
                "activity and waiting times",
                source_url="https://publichealthscotland.scot/publications/"
                "nhs-performs-weekly-update-of-emergency-department-activity-and-waiting-"
                "time-statistics/",
                published_days_ago=60,
            ),
        ),
        feedback=(
            DemoFeedback(
                title="A children's emergency department helps",
                quote="Directed us to Children's A&E. All sorted after a hour.",
                source=PXTEXTMINING.format(id="NEAS 111 1780"),
                need=1,
            ),
            DemoFeedback(
                title="Long waits worry parents",
                quote="Long wait on the phone. 30 minutes before anyone picked up, very unsafe "
                "if my child had been seriously unwell and I had not known the serious "
                "signs/symptoms",
                source=PXTEXTMINING.format(id="NEAS 111 1869"),
                need=2,
            ),
        ),
        assets=(
            (
                "community",
                "Eastfield Family Centre",
                "A community hub in the most deprived "
                "neighbourhood; runs parents' groups and could share advice on when to come to "
                "the Emergency Department.",
            ),
            (
                "staff",
                "Paediatric-trained nurses in the Emergency Department",
                "Six nurses with children's nursing registration, on most shifts.",
            ),
            (
                "partner",
                "Riverside Youth Counselling",
                "A charity offering same-week appointments to young people after a crisis.",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class DemoBreakdown:
    """A measure's values by population group, for the last `periods` periods: each group's
    level (a percentage or a rate of the measure) and its denominator per period."""

    measure: str
    dimension: str
    groups: tuple[tuple[str, float, float], ...]  # (group, level, denominator per period)
    periods: int = 12


SIMD = "Deprivation quintile (SIMD)"
AGE = "Age band"

BREAKDOWNS = (
    DemoBreakdown(
        measure="ed-ed-4h",
        dimension=AGE,
        groups=(
            ("Under 18", 88, 90),
            ("18-64", 73, 520),
            ("65-74", 64, 160),
            ("75 and over", 55, 210),
        ),
        periods=26,
    ),
    DemoBreakdown(
        measure="ed-left-before-seen",
        dimension=SIMD,
        groups=(
            ("1 (most deprived)", 6.2, 330),
            ("2", 4.9, 280),
            ("3", 3.7, 230),
            ("4", 3.0, 200),
            ("5 (least deprived)", 2.4, 180),
        ),
        periods=26,
    ),
    DemoBreakdown(
        measure="medicine-readmissions",
        dimension=SIMD,
        groups=(
            ("1 (most deprived)", 15.8, 610),
            ("2", 13.4, 540),
            ("3", 12.1, 480),
            ("4", 10.9, 430),
            ("5 (least deprived)", 10.2, 400),
        ),
    ),
    DemoBreakdown(
        measure="ward-7-falls-rate",
        dimension=AGE,
        groups=(
            ("Under 65", 3.1, 220),
            ("65-79", 7.4, 310),
            ("80 and over", 12.9, 260),
        ),
    ),
)


# 4. Contributory factors of the division's issues ---------------------------------------------

IMPROVE, ESCALATE = "improve_here", "escalate"


@dataclass(frozen=True)
class IssueTheme:
    """A kind of issue the division sees again and again, raised once in each of `units`
    (`days_ago` spreads them over the year), with the system-focused account the analyst
    wrote and the factors coded: (factor domain code, note)."""

    title: str
    source: str  # an IssueSource value
    units: tuple[str, ...]
    description: str
    account: str
    factors: tuple[tuple[str, str], ...]
    decision: str = IMPROVE
    reason: str = ""


WORKLOAD, COMMUNICATION, TASK = "staff-workload", "communication-systems", "task-characteristics"
EQUIPMENT, BEDS = "equipment-and-supplies", "scheduling-and-bed-management"
ENVIRONMENT, PATIENT = "physical-environment", "patient-factors"
TRAINING, POLICY = "training-and-education", "policy-and-procedures"
CENTRAL, STAFFING = "support-from-central-functions", "management-of-staff"

ISSUE_THEMES = (
    IssueTheme(
        title="Unwitnessed fall at night on the way to the toilet",
        source="incident",
        units=("ward-9", "ward-8", "ward-15", "amu", "ward-16"),
        description="A patient was found on the floor near the toilets at about 3 am. No "
        "head injury; reviewed by the doctor on call.",
        account="Night staffing is set for a quieter case mix than the ward now has: nobody "
        "was free to walk with the patient, and the falls care plan does not prompt toileting "
        "before settling for the night.",
        factors=(
            (WORKLOAD, "Two staff for 28 patients after 2 am."),
            (ENVIRONMENT, "The toilets are at the far end of the corridor from the bays."),
            (PATIENT, "Confusion at night was not anticipated in the care plan."),
        ),
    ),
    IssueTheme(
        title="Shift ran below planned registered nurse numbers",
        source="staff_concern",
        units=("ward-9", "amu", "ward-14", "ward-16", "ed"),
        description="The shift ran with one registered nurse fewer than planned after "
        "sickness reported late.",
        account="Bank requests go in after 4 pm, when few bank staff are still looking for "
        "shifts, and there is no pool to cover late sickness across the division.",
        factors=(
            (WORKLOAD, "Planned numbers already at the minimum for the ward's acuity."),
            (STAFFING, "No cross-division pool for late sickness."),
        ),
        decision=ESCALATE,
        reason="Vacancies and the bank's opening hours need the division's workforce plan; "
        "a ward cannot solve them alone.",
    ),
    IssueTheme(
        title="Patient moved ward overnight without the family being told",
        source="complaint",
        units=("ward-8", "ward-9", "ward-16"),
        description="The family arrived at visiting to find the patient had been moved at "
        "night; no one had phoned them.",
        account="Moves at night free beds for the Emergency Department, and the transfer "
        "checklist has no step for telling the next of kin.",
        factors=(
            (COMMUNICATION, "The transfer checklist has no step for telling the family."),
            (BEDS, "Moves at night to free beds for emergency admissions."),
        ),
    ),
    IssueTheme(
        title="Handover from the Emergency Department missed a pending blood result",
        source="incident",
        units=("amu", "ward-9", "ward-7", "ward-8"),
        description="A raised potassium reported after transfer was not seen for six hours.",
        account="Handover is spoken at the busiest time of day without a structured tool, and "
        "the electronic handover has no field for results still pending.",
        factors=(
            (COMMUNICATION, "No field for pending results in the electronic handover."),
            (TASK, "Unstructured spoken handover at a busy time."),
        ),
    ),
    IssueTheme(
        title="Patient cared for in a corridor space overnight",
        source="incident",
        units=("ed", "amu", "emergency"),
        description="A patient waiting for a medical bed spent the night on a trolley in a "
        "corridor space.",
        account="No beds were free until the morning's discharges; the department has no "
        "way to create capacity itself.",
        factors=(
            (BEDS, "Morning discharges arrive after the overnight peak."),
            (ENVIRONMENT, "Corridor spaces lack oxygen, call bells and privacy."),
        ),
        decision=ESCALATE,
        reason="Whole-hospital flow: escalated to the division's daily bed meeting.",
    ),
    IssueTheme(
        title="Time-critical Parkinson's medicine given late",
        source="incident",
        units=("ward-9", "ward-14", "ward-15", "amu"),
        description="A patient's levodopa was given two hours after their usual time.",
        account="Medicine rounds run at set times that do not match the patient's own times, "
        "and the medicine is not stocked on the ward when pharmacy is closed.",
        factors=(
            (TASK, "Round times do not match patients' own times."),
            (EQUIPMENT, "Not stocked on the ward; pharmacy closed at night."),
            (WORKLOAD, "The medicine round overran during admissions."),
        ),
    ),
    IssueTheme(
        title="Infusion pump not available when needed",
        source="incident",
        units=("ward-14", "ward-16", "ward-8"),
        description="An intravenous antibiotic was delayed 90 minutes while a pump was found.",
        account="There is no central equipment library, so pumps stay on the wards that had "
        "them last rather than where they are needed.",
        factors=(
            (EQUIPMENT, "Pumps held on wards that do not need them."),
            (CENTRAL, "No equipment library or tracking."),
        ),
    ),
    IssueTheme(
        title="Discharge delayed until evening waiting for medicines to take home",
        source="complaint",
        units=("ward-7", "ward-8", "ward-9", "ward-15"),
        description="The patient was told they could go home in the morning and left at 7 pm.",
        account="Discharge prescriptions are written after the late-morning ward round and "
        "pharmacy screens them in order of arrival, so most reach the front of the queue after "
        "lunch.",
        factors=(
            (BEDS, "Discharge decisions made late in the day."),
            (CENTRAL, "Pharmacy screens in order of arrival, not of discharge time."),
            (COMMUNICATION, "The patient was given a time the process could not meet."),
        ),
    ),
    IssueTheme(
        title="Sepsis antibiotics given after the first hour",
        source="incident",
        units=("ed", "amu", "ward-16"),
        description="Antibiotics for suspected sepsis were given 95 minutes after it was "
        "recognised.",
        account="At the evening peak the triage queue is long, and antibiotics are drawn up "
        "in a room away from the cubicles.",
        factors=(
            (WORKLOAD, "Evening peak in attendances."),
            (TASK, "Antibiotics prepared away from the cubicles."),
        ),
    ),
    IssueTheme(
        title="Raised NEWS2 not escalated for two hours",
        source="incident",
        units=("ward-7", "ward-9", "ward-14", "hospital-at-night"),
        description="A NEWS2 of 6 was recorded and escalated two hours later.",
        account="The doctor on call was in a crisis elsewhere and bleeps went unanswered; "
        "there is no second route, and new staff are unsure when the escalation card applies.",
        factors=(
            (COMMUNICATION, "No second route when the bleep is not answered."),
            (WORKLOAD, "One doctor covering several wards at night."),
            (TRAINING, "New staff unsure when the escalation card applies."),
        ),
    ),
    IssueTheme(
        title="Operation cancelled on the day for want of a bed",
        source="complaint",
        units=("theatres", "ward-15", "ward-14", "day-surgery"),
        description="A planned operation was cancelled after the patient had fasted, because "
        "no post-operative bed was free.",
        account="Elective beds are used by emergency admissions overnight; nothing protects them.",
        factors=((BEDS, "Elective beds not ring-fenced."),),
        decision=ESCALATE,
        reason="Needs the division's bed plan to ring-fence elective beds.",
    ),
    IssueTheme(
        title="First theatre case started 45 minutes late",
        source="staff_concern",
        units=("theatres", "day-surgery", "surgery"),
        description="The morning list started late and the last case was cancelled.",
        account="Consent and site marking are done on the morning of surgery, and porters are "
        "called only when the theatre is ready.",
        factors=(
            (TASK, "Consent and marking on the morning of surgery."),
            (COMMUNICATION, "Porters called only when the theatre is ready."),
        ),
    ),
    IssueTheme(
        title="Patient fasted for 14 hours before surgery",
        source="complaint",
        units=("ward-14", "ward-15", "day-surgery"),
        description="An afternoon patient was kept nil by mouth from midnight.",
        account="'Nil by mouth from midnight' is still printed on the admission sheet, and "
        "wards are not told when the theatre order changes.",
        factors=(
            (POLICY, "Old fasting instruction on the admission sheet."),
            (COMMUNICATION, "Wards not told of changes to the theatre order."),
        ),
    ),
    IssueTheme(
        title="Pressure ulcer found on a heel after three days in bed",
        source="incident",
        units=("ward-7", "ward-15", "ward-9"),
        description="A category 2 pressure ulcer was found on the left heel.",
        account="Pressure-relieving mattresses ran out and the order waits for the weekly "
        "delivery; repositioning slipped on a short-staffed weekend.",
        factors=(
            (EQUIPMENT, "Mattresses wait for the weekly delivery."),
            (WORKLOAD, "Repositioning slipped on a short-staffed weekend."),
            (PATIENT, "Immobile after a hip fracture."),
        ),
    ),
    IssueTheme(
        title="No interpreter for a consultation in the department",
        source="complaint",
        units=("ed", "miu", "amu"),
        description="A family member interpreted a consultation about a serious diagnosis.",
        account="Language needs are not recorded at booking in, and the telephone "
        "interpreting line is on one handset kept at reception.",
        factors=(
            (PATIENT, "Language needs not recorded at booking in."),
            (CENTRAL, "One handset for the interpreting line."),
        ),
    ),
    IssueTheme(
        title="Aggression towards staff in the waiting room",
        source="staff_concern",
        units=("ed", "miu"),
        description="A relative shouted at the receptionist after a four-hour wait.",
        account="The waiting room has no view of the clinical area and no screen showing "
        "waiting times, so people do not know what is happening.",
        factors=(
            (ENVIRONMENT, "No view of the clinical area from the waiting room."),
            (COMMUNICATION, "Waiting times not shown."),
        ),
    ),
    IssueTheme(
        title="Blood sample labelled with another patient's details",
        source="incident",
        units=("ward-8", "amu", "ed"),
        description="The laboratory rejected a sample whose label did not match the request.",
        account="Labels are printed in batches at the station, away from the bedside, from "
        "one printer per ward.",
        factors=(
            (TASK, "Labels printed in batches away from the bedside."),
            (EQUIPMENT, "One label printer per ward."),
        ),
    ),
    IssueTheme(
        title="Delirium not recognised in an older patient",
        source="incident",
        units=("ward-15", "ward-7", "amu"),
        description="A patient's new confusion was put down to dementia for two days.",
        account="The 4AT is not in the ward's admission paperwork and staff have not been "
        "shown how to use it.",
        factors=(
            (TRAINING, "Staff not trained in the 4AT."),
            (TASK, "The 4AT is missing from the admission paperwork."),
        ),
    ),
    IssueTheme(
        title="Agency nurse could not open the electronic record",
        source="staff_concern",
        units=("ward-9", "ward-16", "hospital-at-night"),
        description="An agency nurse worked a night shift without access to the record.",
        account="Temporary log-ins take 48 hours to set up, longer than most agency bookings "
        "are made in advance.",
        factors=(
            (CENTRAL, "Temporary log-ins take 48 hours."),
            (STAFFING, "Agency shifts booked at short notice."),
        ),
    ),
    IssueTheme(
        title="Urinary catheter left in longer than needed",
        source="incident",
        units=("ward-14", "ward-15"),
        description="A catheter stayed in for six days after it was last needed.",
        account="There is no daily prompt to review a catheter, and it is unclear whether the "
        "doctors or the nurses review it.",
        factors=(
            (POLICY, "No daily review prompt."),
            ("team-factors", "Unclear who reviews the catheter."),
        ),
    ),
    IssueTheme(
        title="Call bell not answered at visiting time",
        source="complaint",
        units=("ward-7", "ward-8"),
        description="A relative waited 20 minutes for a call bell to be answered.",
        account="Visiting coincides with the evening medicine round and handover, when fewest "
        "staff are free, and the call bell panel cannot be seen from the medicine trolley.",
        factors=(
            (WORKLOAD, "Evening medicine round and handover at visiting time."),
            (ENVIRONMENT, "Call bell panel out of sight."),
        ),
    ),
    IssueTheme(
        title="Task for the hospital at night team lost",
        source="incident",
        units=("hospital-at-night", "medicine"),
        description="A request to review a patient was not picked up overnight.",
        account="Tasks arrive by phone, text and paper, and there is no single list the team "
        "works from.",
        factors=(
            (COMMUNICATION, "Tasks arrive by three routes with no single list."),
            (WORKLOAD, "Night team covers every medical ward."),
        ),
    ),
    IssueTheme(
        title="Discharge letter not sent to the GP",
        source="complaint",
        units=("ward-8", "day-surgery"),
        description="The GP had no letter a week after discharge and changed a medicine back.",
        account="Letters wait for a typist and there is no template for short stays.",
        factors=(
            (COMMUNICATION, "No short-stay letter template."),
            (WORKLOAD, "Typing backlog of five days."),
        ),
    ),
    IssueTheme(
        title="Oxygen cylinder empty during a transfer",
        source="incident",
        units=("ward-7", "amu"),
        description="A cylinder ran out in the lift during a transfer to radiology.",
        account="Nothing in the transfer routine checks the cylinder before leaving.",
        factors=(
            (EQUIPMENT, "Cylinders not checked before transfer."),
            (TASK, "No transfer checklist."),
        ),
    ),
    IssueTheme(
        title="Staff unable to finish mandatory training",
        source="staff_concern",
        units=("acute", "surgery", "emergency"),
        description="A third of staff are out of date with mandatory training.",
        account="Training time is not rostered, so it is done, if at all, on days off.",
        factors=(
            (WORKLOAD, "Training time not rostered."),
            ("supervision-and-leadership", "Training not discussed at appraisal."),
        ),
    ),
    IssueTheme(
        title="Long wait for a senior review at the weekend",
        source="complaint",
        units=("ward-9", "ward-14", "medicine"),
        description="A patient admitted on Friday was first seen by a consultant on Monday.",
        account="One registrar covers four wards at weekends, and it is unclear which "
        "consultant reviews patients outlying on another specialty's ward.",
        factors=(
            (WORKLOAD, "One registrar for four wards at weekends."),
            ("lines-of-responsibility", "Unclear who reviews outlying patients."),
        ),
    ),
)

# The demo's own issues (`qms.demo.issues`) analysed too: (unit, title, account, factors,
# decision, reason).
EXISTING_ANALYSES = (
    (
        "ward-7",
        "Two falls at night in bay 2 within a week",
        "Bay 2 is furthest from the station and its sensor mats were out for repair with no "
        "replacement; the night rounding did not include toileting.",
        (
            (ENVIRONMENT, "Bay 2 out of sight of the nurses' station."),
            (EQUIPMENT, "Sensor mats out for repair, no spares."),
            (WORKLOAD, "Two staff overnight for 28 patients."),
        ),
        IMPROVE,
        "",
    ),
    (
        "ward-7",
        "Night shift often one registered nurse short",
        "Late sickness cannot be covered because the bank holds no night nurses for the division.",
        (
            (WORKLOAD, "Short by one registered nurse on five nights."),
            (STAFFING, "No bank cover for late sickness at night."),
        ),
        ESCALATE,
        "Needs a division-wide night bank; beyond the ward.",
    ),
    (
        "ward-7",
        "Relatives not told about a move to another ward",
        "The transfer checklist has no step for telling the next of kin, and moves happen at "
        "night.",
        ((COMMUNICATION, "No step for the next of kin."), (BEDS, "Moves at night.")),
        IMPROVE,
        "",
    ),
    (
        "acute",
        "Clot risk assessments missing at 24 hours on surgical wards",
        "The assessment sits in a separate form that is not part of the surgical admission "
        "documentation, so it is easily missed at a busy admission.",
        ((TASK, "Separate form outside the admission documentation."),),
        IMPROVE,
        "",
    ),
)


# 5. Priorities, 6. method, 7. design, 8. resources and roles ----------------------------------


@dataclass(frozen=True)
class DemoPriority:
    """A priority: where it came from (`origin` and `source`: a measure code for a gap, a factor
    domain code for a factor, "assessment-key:need number" for a need, an aim key for an aim),
    its scores (people affected, severity, equity, strategic fit, effort, cost, readiness; 5 is
    always better) and its decision. An approved one has resources, roles (username or @role,
    R/A/C/I), a method choice, and may become a project."""

    unit: str
    title: str
    problem: str
    origin: str
    source: str = ""
    aim: str = ""
    measures: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    owner: str = ""
    proposer: str = QUALITY_LEAD
    scores: tuple[int, int, int, int, int, int, int] | None = None
    status: str = "candidate"
    reason: str = ""
    hours: float | None = None
    budget: int | None = None
    roles: tuple[tuple[str, str], ...] = ()
    partners: tuple[str, ...] = ()  # patient partners on its working group (a role on it)
    method: dict[str, str] = field(default_factory=dict)  # the chooser's answers
    chosen: str = ""  # a method other than the recommendation, with `chosen_reason`
    chosen_reason: str = ""
    project: str = ""  # the title of the project it becomes
    project_aim: str = ""
    needs_design: bool = False


# The method chooser's answers: is the solution known? is the problem complex and adaptive?
# about people's experience? about flow and waste? a research question?
def _answers(known="no", complex="no", experience="no", flow="no", research="no") -> dict:
    return {
        "solution_known": known,
        "complex": complex,
        "experience": experience,
        "flow": flow,
        "research": research,
    }


PRIORITIES = (
    DemoPriority(
        unit="medicine",
        title="Safe staffing on medical wards at night",
        problem="Staff workload is a contributory factor in more than a third of the "
        "division's analysed incidents over the last year, most of them at night on medical "
        "wards: falls, late medicines and raised NEWS2 scores not escalated.",
        origin="factor",
        source=WORKLOAD,
        factors=(WORKLOAD, STAFFING),
        aim="acute-falls",
        measures=("ward-9-falls-rate", "ward-9-rn-fill"),
        owner="@quality_lead@acute",
        scores=(5, 4, 3, 5, 2, 2, 4),
        status="approved",
        reason="The most frequent factor in the division's incidents; the board asked for a "
        "plan this year.",
        hours=12,
        budget=15_000,
        roles=(
            ("@quality_lead@acute", "A"),
            ("coach", "R"),
            ("analyst", "C"),
            ("@executive@riverside", "I"),
        ),
        method=_answers(complex="yes"),
        project="Safer nights on medical wards",
        project_aim="Falls at night on Ward 9 below 3 per 1,000 bed days, and no night shift "
        "below planned registered nurse numbers, by September 2027.",
    ),
    DemoPriority(
        unit=DIVISION,
        title="Reliable handover between the Emergency Department, the Acute Medical Unit "
        "and the wards",
        problem="Communication systems and the design of the handover task are coded in a "
        "quarter of analysed incidents: results missed at handover, families not told, tasks "
        "lost overnight.",
        origin="factor",
        source=COMMUNICATION,
        factors=(COMMUNICATION, TASK),
        aim="acute-deterioration",
        owner="coach",
        scores=(4, 4, 3, 4, 3, 4, 4),
        status="approved",
        reason="Recurs in every part of the division; a structured handover is a known, "
        "tested change.",
        hours=6,
        budget=2_000,
        roles=(("coach", "A"), ("quality", "R"), ("@analyst@acute", "C")),
        method=_answers(flow="yes"),
        project="Structured handover from ED to the wards",
        project_aim="Every handover from the Emergency Department to the Acute Medical Unit "
        "uses the structured tool, with pending results named, by June 2027.",
    ),
    DemoPriority(
        unit="ward-8",
        title="Discharge before noon, starting on Ward 8",
        problem="Only a quarter to a third of discharges happen before noon; patients wait "
        "for medicines to take home and beds are not free for the day's admissions.",
        origin="aim",
        source="acute-flow",
        aim="acute-flow",
        measures=("ward-8-discharge-before-noon",),
        factors=(BEDS,),
        owner="@team_lead@ward-8",
        scores=(4, 3, 2, 5, 3, 3, 3),
        status="approved",
        reason="Serves the division's flow aim; needs a redesign of the discharge process "
        "with pharmacy.",
        hours=8,
        budget=5_000,
        roles=(("@team_lead@ward-8", "A"), ("@team_member@ward-8", "R"), ("coach", "C")),
        method=_answers(known="unsure", flow="yes"),
        needs_design=True,
    ),
    DemoPriority(
        unit="ed",
        title="Four-hour waits in the Emergency Department",
        problem="Current performance 69% against a target of 95% (assurance: the process "
        "will not meet the target unless it changes).",
        origin="gap",
        source="ed-ed-4h",
        aim="ed-time",
        owner="@team_lead@ed",
        scores=(5, 4, 3, 5, 1, 2, 3),
        status="approved",
        reason="The board's access aim; the largest gap in the division.",
        hours=10,
        budget=20_000,
        roles=(("@team_lead@ed", "A"), ("@team_member@ed", "R"), ("quality", "C")),
        method=_answers(complex="yes", flow="yes"),
    ),
    DemoPriority(
        unit="ward-9",
        title="Omitted doses of critical medicines on Ward 9",
        problem="Omitted doses of critical medicines run at about 6.5% of doses against a "
        "target of 2%.",
        origin="gap",
        source="ward-9-omitted-doses",
        owner="@team_lead@ward-9",
        scores=(3, 5, 2, 4, 4, 4, 3),
    ),
    DemoPriority(
        unit="ward-7",
        title="COPD discharge bundle for every patient",
        problem="The COPD bundle is completed for about 60% of patients against a standard of 90%.",
        origin="gap",
        source="ward-7-copd-bundle",
        owner="lead",
        proposer="lead",
        scores=(3, 3, 3, 3, 4, 5, 5),
        status="approved",
        reason="Already under way as a project; recorded here so the plan shows it.",
        hours=3,
        budget=500,
        roles=(("lead", "A"), ("member", "R"), ("coach", "C")),
        partners=("partner",),
        method=_answers(known="yes"),
    ),
    DemoPriority(
        unit="ward-15",
        title="Delirium recognised within 24 hours for over-75s",
        problem="About a quarter of older people admitted as an emergency have delirium; "
        "incidents show it is missed when the 4AT is not part of admission.",
        origin="need",
        source="older-people:1",
        aim="ward-15-delirium",
        factors=(TRAINING, TASK),
        owner="@team_lead@ward-15",
        scores=(4, 4, 4, 4, 4, 4, 4),
        status="approved",
        reason="A clear need with a known screening tool; the ward is ready.",
        hours=4,
        budget=1_000,
        roles=(("@team_lead@ward-15", "A"), ("@team_member@ward-15", "R")),
        method=_answers(known="yes"),
        chosen="mfi",
        chosen_reason="The tool is known but how to make it reliable on every shift is not: "
        "we will test it in small cycles first.",
    ),
    DemoPriority(
        unit="ed",
        title="A child-friendly wait in the Emergency Department",
        problem="Children wait in the adult waiting room; families describe it as frightening.",
        origin="need",
        source="children:1",
        scores=(3, 3, 3, 3, 2, 2, 3),
        method=_answers(experience="yes"),
    ),
    DemoPriority(
        unit="ed",
        title="Fewer families from the most deprived areas leaving before being seen",
        problem="Families from the most deprived areas leave before being seen more than "
        "twice as often as those from the least deprived.",
        origin="need",
        source="children:2",
        measures=("ed-left-before-seen",),
        scores=(3, 4, 5, 4, 3, 4, 3),
    ),
    DemoPriority(
        unit=DIVISION,
        title="Wellbeing support for staff after difficult shifts",
        problem="Sickness absence in the division is above 5% and staff concerns name "
        "workload and no time to recover after difficult shifts.",
        origin="aim",
        source="acute-workforce",
        aim="acute-workforce",
        measures=("acute-sickness",),
        scores=(4, 3, 2, 4, 3, 3, 2),
        status="parked",
        reason="Parked until the board's staff wellbeing strategy is published in spring; we "
        "will join it rather than start a division scheme now.",
    ),
    DemoPriority(
        unit="surgery",
        title="Electronic prescribing in theatres and recovery",
        problem="Paper drug charts in theatres and recovery are copied onto the ward system, "
        "with transcription errors.",
        origin="strategy",
        scores=(3, 3, 1, 3, 1, 1, 2),
        status="rejected",
        reason="The national programme funds and rolls out electronic prescribing in theatres "
        "next year; a local project would duplicate it.",
    ),
    DemoPriority(
        unit="amu",
        title="Seven-day pharmacy on the Acute Medical Unit",
        problem="At weekends no pharmacist screens new admissions' medicines, and discharges "
        "wait for Monday.",
        origin="strategy",
        factors=(CENTRAL,),
        scores=(4, 3, 2, 4, 2, 1, 3),
        status="parked",
        reason="No budget this financial year; revisit in April with the pharmacy business case.",
    ),
    DemoPriority(
        unit="surgery",
        title="Equipment where it is needed on surgical wards",
        problem="Equipment and supplies are coded in 15 analysed incidents: pumps, mattresses, "
        "label printers and oxygen cylinders not available when needed.",
        origin="factor",
        source=EQUIPMENT,
        factors=(EQUIPMENT,),
        scores=(3, 3, 2, 3, 3, 3, 4),
    ),
    DemoPriority(
        unit="theatres",
        title="Theatre sessions starting on time",
        problem="Half of first cases start late, with cancellations at the end of lists.",
        origin="gap",
        source="theatres-on-time-start",
        owner="@team_lead@theatres",
        scores=(3, 2, 2, 4, 4, 4, 5),
        status="approved",
        reason="Linked to the existing project on first-case start times.",
        hours=2,
        roles=(("@team_lead@theatres", "A"),),
        method=_answers(known="unsure", flow="yes"),
    ),
    DemoPriority(
        unit="ward-16",
        title="Peer audits of hand hygiene",
        problem="Hand hygiene audits are done by the ward's own staff.",
        origin="other",
        scores=(2, 2, 1, 2, 4, 5, 4),
        status="rejected",
        reason="Hand hygiene on the wards is above 95% and stable; the effort is better spent "
        "on the factors that recur in incidents.",
    ),
)

# The division's weights: equity counts double, strategic fit one and a half.
WEIGHTS = {
    "people_affected": 1,
    "severity": 1,
    "equity": 2,
    "strategic_fit": 1.5,
    "effort": 1,
    "cost": 1,
    "readiness": 1,
}


@dataclass(frozen=True)
class DemoStep:
    name: str
    kind: str = "step"  # step, decision, wait
    actor: str = ""
    minutes: int | None = None
    notes: str = ""


DESIGN = {
    "priority": "Discharge before noon, starting on Ward 8",
    "title": "Discharge planned the day before",
    "kind": "process",
    "purpose": "Patients ready to go home leave before noon, with their medicines and "
    "transport arranged the day before, so the day's admissions find a bed.",
    "evidence": "Criteria-led discharge: NHS Improvement, Good practice guide — focus on "
    "improving patient flow (2017). SAFER patient flow bundle (NHS Improvement, 2016). "
    "Discharge lounges in Scottish boards: Healthcare Improvement Scotland, Unscheduled care "
    "programme (2019).",
    "technology": "The ward's electronic whiteboard shows tomorrow's expected discharges; "
    "pharmacy sees them on its work list the evening before.",
    "current": (
        DemoStep("Consultant ward round", actor="Consultant and nurse in charge", minutes=150),
        DemoStep("Fit to go home?", kind="decision", actor="Consultant", minutes=5),
        DemoStep("Medicines to take home prescribed", actor="Junior doctor", minutes=30),
        DemoStep(
            "Wait for pharmacy screening",
            kind="wait",
            actor="Pharmacy",
            minutes=180,
            notes="Screened in order of arrival.",
        ),
        DemoStep("Medicines dispensed", actor="Pharmacy", minutes=60),
        DemoStep("Wait for transport", kind="wait", actor="Patient transport", minutes=120),
        DemoStep("Discharge letter written", actor="Junior doctor", minutes=20),
        DemoStep("Patient leaves the ward", actor="Nurse", minutes=15),
    ),
    "future": (
        DemoStep("Expected discharges agreed the day before", actor="Board round", minutes=20),
        DemoStep(
            "Medicines to take home prescribed the evening before",
            actor="Junior doctor",
            minutes=30,
        ),
        DemoStep("Pharmacy screens overnight list", actor="Pharmacy", minutes=60),
        DemoStep(
            "Meets discharge criteria?",
            kind="decision",
            actor="Nurse in charge",
            minutes=5,
            notes="Criteria set by the consultant the day before.",
        ),
        DemoStep("Patient moves to the discharge lounge by 10:00", actor="Nurse", minutes=15),
        DemoStep(
            "Patient leaves with letter and medicines", actor="Discharge lounge nurse", minutes=15
        ),
    ),
}

# Capacity for quality work per unit: (unit, protected hours a week, budget, planning,
# control and assurance hours). Ward 7 carries three projects and a priority on 6 hours a week:
# over-committed.
CAPACITIES = (
    (DIVISION, 60, 60_000, 6, 8, 10),
    ("medicine", 24, 20_000, 2, 4, 4),
    ("surgery", 16, 10_000, 2, 3, 3),
    ("emergency", 16, 15_000, 2, 3, 3),
    ("ward-7", 6, 1_000, 1, 2, 1),
    ("ward-9", 8, 2_000, 1, 2, 1),
    ("ed", 14, 25_000, 1, 3, 2),
    ("theatres", 8, 3_000, 1, 2, 1),
)


# 9. Audits against standards ----------------------------------------------------------------


@dataclass(frozen=True)
class DemoCriterion:
    text: str
    expected: float
    exceptions: str = ""
    rate: float = 0.9  # the share of applicable cases meeting it in the audit
    reaudit_rate: float | None = None  # and in its re-audit
    not_applicable: float = 0.0  # the share of cases it does not apply to


@dataclass(frozen=True)
class DemoAudit:
    unit: str
    title: str
    standard: str  # a standard's code
    sample: str
    cases: int
    months_ago: int  # the audit's month, counted back from this month
    criteria: tuple[DemoCriterion, ...]
    lead: str = "@team_lead"
    actions: tuple[tuple[int, str, str, int], ...] = ()  # (criterion, what, owner, due in days)
    reaudit_months_ago: int | None = None  # the re-audit's month
    reaudit_cases: int = 0
    reaudit_due_in_days: int | None = None  # a re-audit planned, not yet done


AUDITS = (
    DemoAudit(
        unit="ward-14",
        title="Clot risk assessment on admission to surgical wards",
        standard="vte",
        sample="Consecutive emergency and elective admissions to Ward 14 aged 16 and over, "
        "from the admissions list for the month.",
        cases=40,
        months_ago=8,
        criteria=(
            DemoCriterion(
                "Risk of venous thromboembolism and bleeding assessed within 24 hours of admission",
                95,
                rate=0.78,
                reaudit_rate=0.95,
            ),
            DemoCriterion(
                "Prophylaxis prescribed when the assessment indicates it",
                95,
                exceptions="Not applicable when the assessment shows no need.",
                rate=0.9,
                reaudit_rate=0.97,
                not_applicable=0.3,
            ),
            DemoCriterion(
                "Reassessed within 24 hours of surgery",
                90,
                exceptions="Not applicable to patients who had no surgery.",
                rate=0.62,
                reaudit_rate=0.86,
                not_applicable=0.25,
            ),
        ),
        lead="@team_lead",
        actions=(
            (
                1,
                "Put the risk assessment into the surgical admission documentation",
                "@team_lead",
                -150,
            ),
            (
                3,
                "Add reassessment after surgery to the post-operative checklist",
                "@team_lead",
                -120,
            ),
        ),
        reaudit_months_ago=2,
        reaudit_cases=40,
    ),
    DemoAudit(
        unit="ward-7",
        title="Falls bundle within 24 hours for patients aged 65 and over",
        standard="falls-bundle-ward-7",
        sample="Every patient aged 65 or over admitted to Ward 7 in the month.",
        cases=30,
        months_ago=7,
        criteria=(
            DemoCriterion(
                "Falls care plan in place within 24 hours of arrival",
                90,
                rate=0.6,
                reaudit_rate=0.87,
            ),
            DemoCriterion(
                "Lying and standing blood pressure recorded", 80, rate=0.43, reaudit_rate=0.7
            ),
            DemoCriterion(
                "Care plan reviewed after a fall",
                100,
                exceptions="Not applicable to patients who did not fall.",
                rate=0.75,
                reaudit_rate=1.0,
                not_applicable=0.8,
            ),
        ),
        lead="lead",
        actions=(
            (1, "Falls care plan added to the admission checklist", "lead", -160),
            (2, "Teach lying and standing blood pressure at the safety huddle", "member", -150),
        ),
        reaudit_months_ago=1,
        reaudit_cases=34,
    ),
    DemoAudit(
        unit="ed",
        title="Sepsis six within the hour",
        standard="sepsis",
        sample="A random sample of 50 adults with suspected sepsis from the department's "
        "sepsis screening log.",
        cases=50,
        months_ago=3,
        criteria=(
            DemoCriterion("Antibiotics given within an hour of recognition", 90, rate=0.8),
            DemoCriterion("Blood cultures taken before antibiotics", 95, rate=0.88),
            DemoCriterion("Lactate measured", 95, rate=0.96),
            DemoCriterion("Fluid balance started", 85, rate=0.7),
        ),
        actions=(
            (1, "Stock antibiotics in the resuscitation and majors cubicles", "@team_lead", 30),
            (4, "Fluid balance chart in the sepsis pack", "@team_member", 45),
        ),
        reaudit_due_in_days=90,
    ),
)
