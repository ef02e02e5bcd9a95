"""The demo board's measures: which library definition each unit measures, and the story its data
tells (the plans), the standards the board's own units agreed, and how measured values are
rounded. Synthetic: `qms.demo.measures` generates every number from these.

A plan places a library definition (`qms/control/library/measures.toml`) in a unit, with the
typical level of its process, the denominator size per period and the spread, and a story of
effects: a `Step` (a sustained shift, with a new phase when the team re-based the limits),
a `Trend`, a seasonal `Winter` swing and one-off `Spike`s, each counted back from the last
period (`ago`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Step:
    """The level moves to `to` from `ago` periods before the end (1 = the last period): a
    sustained shift. A `phase` reason means the team re-based the limits there."""

    ago: int
    to: float
    phase: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Trend:
    """The level drifts steadily from where it is `ago` periods before the end to `to`."""

    ago: int
    to: float


@dataclass(frozen=True, kw_only=True)
class Winter:
    """Seasonal swing: the level changes by `amplitude` (a fraction, signed) in mid-January
    and by the opposite in mid-July."""

    amplitude: float


@dataclass(frozen=True, kw_only=True)
class Spike:
    """One period at `to`: an outlier, with the reason recorded as an annotation."""

    ago: int
    to: float
    note: str = ""


Effect = Step | Trend | Winter | Spike


@dataclass(frozen=True, kw_only=True)
class Plan:
    """A measure in a unit: its library definition, typical level (in plotted units; for g and
    t charts the mean days between events), denominator size per period (p, u), spread (sd of
    measured values for i and run charts; period-to-period noise for P′ and U′ charts), a local
    target when the team agreed one (else the definition's) and story."""

    unit: str
    definition: str
    level: float
    size: float = 0.0
    spread: float = 0.0
    target: float | None = None
    story: tuple[Effect, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "story", tuple(self.story))  # written as a list, kept frozen

    @property
    def code(self) -> str:
        return f"{self.unit}-{self.definition}"


@dataclass(frozen=True, kw_only=True)
class LocalStandard:
    """A standard one of the board's units agreed. The board's measures of the definitions it
    `serves` serve it, in place of the library's standard."""

    code: str
    title: str
    statement: str
    source: str
    unit: str
    serves: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Precision:
    """How the demo rounds generated measured values (i and run charts): `decimals`, and the
    highest possible value (a score out of 10)."""

    decimals: int = 1
    ceiling: float | None = None


LOCAL_STANDARDS = [
    LocalStandard(
        code="falls-bundle-ward-7",
        title="Ward 7 falls bundle",
        statement="Every patient aged 65 or over has a falls care plan within 24 hours of "
        "arriving on the ward, reviewed after any fall.",
        source="Agreed by the Ward 7 team with its patient partner",
        unit="ward-7",
        serves=("falls-care-plan",),
    ),
    LocalStandard(
        code="first-visit-48h",
        title="First district nursing visit within 48 hours",
        statement="A person referred to district nursing is visited within 48 hours of the "
        "referral, or sooner when the referrer asks.",
        source="Agreed by the Community Nursing service",
        unit="community-nursing",
        serves=("first-visit-48h",),
    ),
    LocalStandard(
        code="discharge-before-noon",
        title="Discharge before noon",
        statement="A third of patients going home leave the ward before noon, so beds are free "
        "for the afternoon's admissions.",
        source="Agreed by the Acute Services Division",
        unit="acute",
        serves=("discharge-before-noon",),
    ),
]

# Measured values (i and run charts) are generated to one decimal unless said here.
PRECISION = {
    "care-experience": Precision(decimals=2, ceiling=10.0),
    "overall-rating": Precision(decimals=2, ceiling=10.0),
    "hsmr": Precision(decimals=2),
    "pbs-plan": Precision(decimals=0, ceiling=100.0),
    "surgical-review": Precision(decimals=0),
    "sepsis-antibiotics": Precision(decimals=0),
    "miu-treatment-time": Precision(decimals=0),
    "caseload": Precision(decimals=0),
    "serial-prescriptions": Precision(decimals=0),
    "pharmacotherapy-coverage": Precision(decimals=0),
    "ld-first-contact": Precision(decimals=0),
    "delayed-bed-days": Precision(decimals=0),
    "out-of-area": Precision(decimals=0),
}

FALLS_BUNDLE = "Falls bundle introduced: care plan within 24 hours, bay supervision, footwear"
SEPSIS_TRIAGE = "Sepsis screening at triage, with antibiotics stocked in the resuscitation room"
PRE_ASSESSMENT = "Pre-assessment phone call 72 hours before surgery"
SAFEWARDS = "Safewards interventions introduced on the ward"
BAY_TAGGING = "Bay tagging: a member of staff always present in high-risk bays"
STEWARDSHIP = "Antimicrobial stewardship ward rounds and rapid isolation"
COMPRESSION = "Compression therapy pathway and leg ulcer clinic opened"

PLANS = [
    # Ward 7 Respiratory: the demo lead's ward. The falls bundle worked; escalation of NEWS2
    # has slipped since the autumn rota change and needs the team's attention now.
    Plan(
        unit="ward-7",
        definition="falls-rate",
        level=8.5,
        size=800,
        story=[Step(ago=14, to=4.8, phase=FALLS_BUNDLE)],
    ),
    Plan(
        unit="ward-7",
        definition="falls-care-plan",
        level=52,
        size=30,
        story=[Step(ago=64, to=89, phase=FALLS_BUNDLE)],
    ),
    Plan(
        unit="ward-7",
        definition="falls-harm-days",
        level=40,
        story=[Step(ago=451, to=95, phase=FALLS_BUNDLE)],
    ),
    Plan(
        unit="ward-7",
        definition="news2-escalation",
        level=90,
        size=32,
        story=[
            Step(ago=9, to=68, note="Autumn rota change: fewer registered nurses on early shifts")
        ],
    ),
    Plan(unit="ward-7", definition="hand-hygiene", level=96, size=40),
    Plan(unit="ward-7", definition="vte-assessment", level=93, size=30),
    Plan(unit="ward-7", definition="pressure-ulcers", level=1.2, story=[Winter(amplitude=0.3)]),
    Plan(
        unit="ward-7",
        definition="sickness",
        level=5.2,
        size=7200,
        spread=0.12,
        story=[Winter(amplitude=0.15)],
    ),
    Plan(unit="ward-7", definition="copd-bundle", level=58, size=22, story=[Trend(ago=9, to=80)]),
    Plan(unit="ward-7", definition="recommend", level=91, size=26),
    # Ward 8 Cardiology
    # Ward 8 adopted Ward 7's falls bundle (a change package) and its falls fell soon after.
    Plan(unit="ward-8", definition="falls-rate", level=3.8, size=700, story=[Step(ago=9, to=1.6)]),
    Plan(unit="ward-8", definition="hand-hygiene", level=99, size=40, target=90.0),
    Plan(unit="ward-8", definition="news2-escalation", level=93, size=22),
    Plan(unit="ward-8", definition="vte-assessment", level=97, size=36),
    Plan(unit="ward-8", definition="cardiac-rehab", level=64, size=30, story=[Step(ago=8, to=88)]),
    Plan(
        unit="ward-8",
        definition="discharge-before-noon",
        level=30,
        size=34,
        story=[Trend(ago=12, to=12)],
    ),
    # Ward 9 Gastroenterology
    Plan(unit="ward-9", definition="falls-rate", level=6.5, size=760),
    Plan(unit="ward-9", definition="hand-hygiene", level=94, size=40),
    Plan(unit="ward-9", definition="omitted-doses", level=6.5, size=420),
    Plan(
        unit="ward-9", definition="vte-assessment", level=86, size=32, story=[Trend(ago=10, to=97)]
    ),
    Plan(unit="ward-9", definition="sickness", level=6.8, size=6800, spread=0.05),
    Plan(
        unit="ward-9",
        definition="rn-fill",
        level=91,
        size=105,
        story=[
            Step(
                ago=8,
                to=76,
                note="Two registered nurses on maternity leave; vacancies not yet filled",
            )
        ],
    ),
    # Acute Medical Unit
    Plan(unit="amu", definition="vte-assessment", level=91, size=150),
    Plan(unit="amu", definition="amu-los", level=31, spread=2.6, story=[Winter(amplitude=0.08)]),
    Plan(
        unit="amu",
        definition="news2-escalation",
        level=79,
        size=60,
        story=[
            Step(
                ago=44,
                to=92,
                phase="Safety huddle at 10:00 and 22:00 reviews every NEWS2 of 5 or more",
            )
        ],
    ),
    Plan(unit="amu", definition="falls-rate", level=5.0, size=900),
    Plan(unit="amu", definition="amu-admissions", level=38, story=[Winter(amplitude=0.12)]),
    Plan(unit="amu", definition="discharge-before-noon", level=24, size=150),
    Plan(unit="amu", definition="sickness", level=5.0, size=9800, spread=0.1),
    # Ward 14 General Surgery
    Plan(unit="ward-14", definition="falls-rate", level=3.2, size=760),
    Plan(unit="ward-14", definition="hand-hygiene", level=97, size=40),
    Plan(unit="ward-14", definition="vte-assessment", level=96, size=40, target=90.0),
    Plan(
        unit="ward-14",
        definition="fasting",
        level=42,
        size=28,
        # The team's PDSA cycles (qms.demo.improvement) come just before the step.
        story=[Step(ago=20, to=16)],
    ),
    Plan(unit="ward-14", definition="cauti", level=4.5, size=260),
    # Ward 15 Orthopaedics
    Plan(
        unit="ward-15", definition="falls-rate", level=5.2, size=720, story=[Trend(ago=10, to=10.0)]
    ),
    Plan(unit="ward-15", definition="falls-harm-days", level=55),
    Plan(unit="ward-15", definition="hip-fracture-36h", level=66, size=32),
    # Ward 15 adopted Ward 14's fasting change package: it worked there too.
    Plan(unit="ward-15", definition="fasting", level=45, size=30, story=[Step(ago=8, to=18)]),
    Plan(unit="ward-15", definition="delirium-screen", level=78, size=34),
    Plan(unit="ward-15", definition="pressure-ulcers", level=1.6),
    Plan(
        unit="ward-15",
        definition="ssi-days",
        level=45,
        story=[
            Step(
                ago=400,
                to=110,
                phase="Pre-operative decolonisation and skin preparation bundle introduced",
            )
        ],
    ),
    # Ward 16 Surgical Receiving
    Plan(unit="ward-16", definition="vte-assessment", level=81, size=120),
    Plan(unit="ward-16", definition="news2-escalation", level=90, size=30),
    Plan(unit="ward-16", definition="surgical-review", level=150, spread=22),
    Plan(
        unit="ward-16",
        definition="hand-hygiene",
        level=92,
        size=40,
        story=[Spike(ago=11, to=70, note="New starters not yet trained")],
    ),
    # Ward 3 Rehabilitation
    Plan(
        unit="ward-3",
        definition="falls-rate",
        level=11,
        size=700,
        target=8.0,
        story=[Step(ago=17, to=7.2, phase=BAY_TAGGING)],
    ),
    Plan(unit="ward-3", definition="falls-harm-days", level=38),
    Plan(
        unit="ward-3",
        definition="delayed-discharges",
        level=4,
        story=[Winter(amplitude=0.3), Trend(ago=12, to=9)],
    ),
    Plan(unit="ward-3", definition="pressure-ulcers", level=0.8),
    Plan(unit="ward-3", definition="ot-48h", level=72, size=30),
    Plan(unit="ward-3", definition="discharge-home", level=66, size=30),
    Plan(unit="ward-3", definition="care-experience", level=8.7, spread=0.3),
    Plan(unit="ward-3", definition="food-fluid", level=74, size=20, story=[Trend(ago=12, to=88)]),
    # Emergency Department
    Plan(
        unit="ed",
        definition="ed-4h",
        level=69,
        size=1450,
        spread=0.1,
        story=[Winter(amplitude=-0.08)],
    ),
    Plan(
        unit="ed",
        definition="ed-12h",
        level=22,
        story=[Winter(amplitude=0.35), Trend(ago=14, to=60)],
    ),
    Plan(unit="ed", definition="ed-attendances", level=205, story=[Winter(amplitude=0.07)]),
    Plan(
        unit="ed",
        definition="sepsis-antibiotics",
        level=96,
        spread=16,
        story=[Step(ago=52, to=52, phase=SEPSIS_TRIAGE)],
    ),
    Plan(unit="ed", definition="triage-time", level=17, spread=2.5),
    Plan(unit="ed", definition="left-before-seen", level=3.8, size=1450, target=6.0),
    Plan(unit="ed", definition="ed-reattend", level=5.6, size=5200),
    Plan(
        unit="ed",
        definition="ambulance-handover",
        level=72,
        size=420,
        story=[Winter(amplitude=-0.1), Trend(ago=10, to=48)],
    ),
    Plan(unit="ed", definition="interpreter", level=71, size=60),
    # Minor Injuries Unit
    Plan(unit="miu", definition="miu-4h", level=98.6, size=360),
    Plan(unit="miu", definition="miu-treatment-time", level=44, spread=7),
    Plan(unit="miu", definition="left-before-seen", level=1.6, size=360, target=5.0),
    Plan(unit="miu", definition="recommend", level=95, size=45),
    # Hospital at Night
    Plan(unit="hospital-at-night", definition="han-tasks", level=84, size=75),
    Plan(
        unit="hospital-at-night",
        definition="han-review",
        level=78,
        size=26,
        story=[Step(ago=30, to=90, phase="Second registrar rostered overnight")],
    ),
    Plan(unit="hospital-at-night", definition="han-calls", level=54, story=[Winter(amplitude=0.1)]),
    # Theatres
    Plan(unit="theatres", definition="safety-checklist", level=97.5, size=180),
    Plan(
        unit="theatres",
        definition="cancelled-on-day",
        level=6.2,
        size=180,
        story=[Step(ago=30, to=3.4, phase=PRE_ASSESSMENT)],
    ),
    Plan(unit="theatres", definition="theatre-utilisation", level=77, size=2400, spread=0.04),
    Plan(
        unit="theatres", definition="on-time-start", level=50, size=40, story=[Step(ago=9, to=76)]
    ),
    # Day Surgery Unit
    Plan(unit="day-surgery", definition="day-case-rate", level=78, size=300),
    Plan(unit="day-surgery", definition="unplanned-admission", level=2.6, size=300),
    Plan(unit="day-surgery", definition="next-day-call", level=91, size=60),
    Plan(unit="day-surgery", definition="recommend", level=96.5, size=60),
    # The Day Surgery Unit adopted the fasting package recently: no change in its data yet.
    Plan(unit="day-surgery", definition="fasting", level=38, size=60),
    # District nursing, north and south
    Plan(unit="dn-north", definition="first-visit-48h", level=82, size=40),
    Plan(
        unit="dn-north",
        definition="community-pressure-ulcers",
        level=4.2,
        story=[Trend(ago=12, to=9)],
    ),
    Plan(
        unit="dn-north",
        definition="missed-visits",
        level=6,
        story=[Winter(amplitude=0.35), Step(ago=8, to=14)],
    ),
    Plan(unit="dn-north", definition="preferred-place", level=72, size=15),
    Plan(
        unit="dn-north", definition="caseload", level=305, spread=9, story=[Trend(ago=40, to=345)]
    ),
    Plan(unit="dn-north", definition="sickness", level=6.1, size=5400, spread=0.1),
    Plan(unit="dn-south", definition="first-visit-48h", level=91, size=36),
    Plan(unit="dn-south", definition="community-pressure-ulcers", level=3.1),
    Plan(unit="dn-south", definition="missed-visits", level=4, story=[Winter(amplitude=0.3)]),
    Plan(unit="dn-south", definition="preferred-place", level=79, size=13),
    Plan(unit="dn-south", definition="insulin-on-time", level=97, size=280),
    # Treatment Room Service
    Plan(
        unit="treatment-room",
        definition="treatment-room-wait",
        level=8.5,
        spread=1.6,
        story=[Spike(ago=40, to=16, note="Treatment room closed for two weeks: flooding")],
    ),
    Plan(
        unit="treatment-room",
        definition="leg-ulcer-healing",
        level=44,
        size=30,
        story=[Step(ago=14, to=63, phase=COMPRESSION)],
    ),
    Plan(unit="treatment-room", definition="dna", level=8.2, size=260),
    # Rehabilitation and Older People teams
    Plan(unit="falls", definition="falls-assessment-6w", level=60, size=50),
    Plan(
        unit="falls",
        definition="falls-admissions",
        level=46,
        story=[Winter(amplitude=0.12), Step(ago=9, to=33)],
    ),
    Plan(unit="falls", definition="strength-balance", level=55, size=40),
    Plan(
        unit="hospital-at-home", definition="hah-patients", level=14, story=[Trend(ago=60, to=30)]
    ),
    Plan(unit="hospital-at-home", definition="hah-transfer", level=8.5, size=90),
    Plan(unit="hospital-at-home", definition="readmissions", level=11, size=90, target=12.0),
    Plan(unit="hospital-at-home", definition="care-experience", level=9.2, spread=0.25),
    # Primary care support
    Plan(
        unit="pharmacotherapy",
        definition="polypharmacy-review",
        level=34,
        size=220,
        story=[Trend(ago=18, to=56)],
    ),
    Plan(
        unit="pharmacotherapy",
        definition="serial-prescriptions",
        level=2100,
        spread=55,
        story=[Trend(ago=24, to=3400)],
    ),
    Plan(unit="pharmacotherapy", definition="high-risk-monitoring", level=88, size=320),
    Plan(unit="vaccination", definition="six-in-one", level=94.5, size=310),
    Plan(
        unit="vaccination",
        definition="vaccine-uptake-deprived",
        level=86,
        size=80,
        story=[Trend(ago=12, to=92)],
    ),
    Plan(unit="vaccination", definition="vaccine-wastage", level=3.4, size=2600),
    Plan(unit="vaccination", definition="dna", level=6.5, size=420, story=[Step(ago=8, to=10.5)]),
    # Ward 21 Adult Acute Admissions (mental health)
    Plan(
        unit="ward-21",
        definition="restraint",
        level=5.2,
        story=[Step(ago=26, to=2.3, phase=SAFEWARDS)],
    ),
    Plan(
        unit="ward-21",
        definition="violence",
        level=6,
        story=[
            Spike(
                ago=1,
                to=19,
                note="Two patients in crisis on the same weekend; extra staff called in",
            )
        ],
    ),
    Plan(
        unit="ward-21",
        definition="co-produced-care-plan",
        level=55,
        size=22,
        story=[Step(ago=14, to=86)],
    ),
    Plan(unit="ward-21", definition="physical-health-check", level=72, size=24),
    Plan(unit="ward-21", definition="occupancy", level=103, spread=3.5),
    Plan(unit="ward-21", definition="sickness", level=7.2, size=6200, spread=0.06),
    # Community Mental Health Team North
    Plan(
        unit="cmht-north", definition="psychological-therapies-18w", level=68, size=120, spread=0.05
    ),
    Plan(
        unit="cmht-north", definition="cmht-wait", level=7, spread=0.8, story=[Trend(ago=10, to=12)]
    ),
    Plan(unit="cmht-north", definition="dna", level=11.5, size=95, target=10.0),
    Plan(unit="cmht-north", definition="dna-deprived", level=19, size=60),
    Plan(unit="cmht-north", definition="care-plan-review", level=81, size=360),
    # Crisis Resolution Team
    Plan(unit="crisis", definition="crisis-4h", level=87, size=28),
    Plan(unit="crisis", definition="home-treatment", level=61, size=60),
    Plan(unit="crisis", definition="re-referral", level=13, size=60),
    # Learning disability
    Plan(
        unit="ld-community",
        definition="ld-health-check",
        level=44,
        size=260,
        story=[Step(ago=4, to=62)],
    ),
    Plan(unit="ld-community", definition="ld-first-contact", level=27, spread=5),
    Plan(unit="ward-24", definition="restraint", level=3),
    Plan(unit="ward-24", definition="pbs-plan", level=70, spread=8, story=[Trend(ago=18, to=88)]),
    Plan(unit="ward-24", definition="ready-for-discharge", level=4),
    # Ward 24 adopted Ward 21's co-produced care plans (a change package), with families.
    Plan(
        unit="ward-24",
        definition="co-produced-care-plan",
        level=40,
        size=14,
        story=[Step(ago=8, to=78)],
    ),
    # Services
    Plan(unit="medicine", definition="readmissions", level=12.5, size=1800, target=12.0),
    Plan(unit="medicine", definition="hsmr", level=0.97, spread=0.04),
    Plan(
        unit="medicine",
        definition="delayed-bed-days",
        level=610,
        spread=45,
        story=[Winter(amplitude=0.18)],
    ),
    Plan(unit="medicine", definition="sickness", level=5.4, size=38000, spread=0.07),
    Plan(unit="surgery", definition="readmissions", level=6.8, size=950, target=8.0),
    Plan(unit="surgery", definition="long-waits", level=340, story=[Trend(ago=20, to=520)]),
    Plan(
        unit="emergency",
        definition="emergency-admissions",
        level=610,
        story=[Winter(amplitude=0.1)],
    ),
    Plan(unit="emergency", definition="long-ed-waits", level=95, story=[Winter(amplitude=0.3)]),
    Plan(unit="community-nursing", definition="first-visit-48h", level=86, size=76),
    Plan(
        unit="rehabilitation",
        definition="delayed-discharges",
        level=11,
        story=[Winter(amplitude=0.25)],
    ),
    Plan(unit="rehabilitation", definition="care-package-on-day", level=74, size=45),
    Plan(
        unit="primary-care",
        definition="pharmacotherapy-coverage",
        level=18,
        spread=1.2,
        story=[Trend(ago=10, to=42)],
    ),
    Plan(
        unit="primary-care",
        definition="antibiotic-prescribing",
        level=52,
        size=410000,
        spread=0.06,
        story=[Winter(amplitude=0.2)],
    ),
    Plan(
        unit="adult-mental-health",
        definition="psychological-therapies-18w",
        level=71,
        size=260,
        spread=0.05,
    ),
    Plan(unit="adult-mental-health", definition="readmissions", level=9, size=120),
    Plan(
        unit="learning-disability",
        definition="ld-health-check",
        level=47,
        size=520,
        story=[Step(ago=4, to=60)],
    ),
    Plan(
        unit="learning-disability",
        definition="out-of-area",
        level=21,
        spread=1.5,
        story=[Trend(ago=8, to=14)],
    ),
    # Divisions
    Plan(
        unit="acute",
        definition="cdiff-days",
        level=16,
        story=[Step(ago=420, to=34, phase=STEWARDSHIP)],
    ),
    Plan(unit="acute", definition="cardiac-arrests", level=1.5, size=5400),
    Plan(unit="acute", definition="sab", level=3.2),
    Plan(unit="acute", definition="complaints-20d", level=56, size=34),
    Plan(
        unit="acute",
        definition="sickness",
        level=5.3,
        size=120000,
        spread=0.05,
        story=[Winter(amplitude=0.1)],
    ),
    Plan(
        unit="acute",
        definition="mandatory-training",
        level=84,
        size=2600,
        story=[Trend(ago=14, to=91)],
    ),
    Plan(unit="community", definition="sickness", level=5.6, size=60000, spread=0.05),
    Plan(
        unit="community",
        definition="delayed-discharges",
        level=38,
        story=[Winter(amplitude=0.2), Trend(ago=10, to=58)],
    ),
    Plan(unit="community", definition="complaints-20d", level=72, size=16),
    Plan(unit="mental-health", definition="sickness", level=6.4, size=48000, spread=0.05),
    Plan(
        unit="mental-health",
        definition="restraint",
        level=24,
        story=[Step(ago=26, to=15, phase="Safewards rolled out across the inpatient wards")],
    ),
    Plan(unit="mental-health", definition="complaints-20d", level=64, size=14),
    # The board
    Plan(
        unit="riverside",
        definition="ed-4h",
        level=72,
        size=7600,
        spread=0.06,
        story=[Winter(amplitude=-0.07)],
    ),
    Plan(
        unit="riverside",
        definition="complaints-20d",
        level=61,
        size=64,
        story=[Trend(ago=10, to=76)],
    ),
    Plan(unit="riverside", definition="hsmr", level=0.99, spread=0.035),
    Plan(unit="riverside", definition="sickness", level=5.6, size=260000, spread=0.04),
    Plan(unit="riverside", definition="overall-rating", level=8.4, spread=0.12),
    Plan(
        unit="riverside",
        definition="outpatient-dna-deprived",
        level=14.5,
        size=1900,
        story=[Trend(ago=12, to=11.5)],
    ),
]
