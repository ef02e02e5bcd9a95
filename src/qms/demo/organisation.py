"""The demo health board: units, people and their roles. Synthetic: every name is made up.

Deterministic: the same seed gives the same organisation, and building it again finds what is
already there instead of adding a copy.
"""

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from qms.people import services
from qms.people.models import Membership, Person, ProfessionalGroup, Unit
from qms.people.roles import Role

DEMO_PASSWORD = "quality-demo-2026"

# (code, name, kind, parent code, description)
UNITS = [
    (
        "riverside",
        "Riverside Health Board",
        "board",
        None,
        "A synthetic health board serving about 400,000 people in a city and its hinterland.",
    ),
    ("acute", "Acute Services Division", "division", "riverside", "The two hospitals."),
    (
        "community",
        "Community and Primary Care Division",
        "division",
        "riverside",
        "Care at home, in clinics and in general practice.",
    ),
    (
        "mental-health",
        "Mental Health and Learning Disability Division",
        "division",
        "riverside",
        "",
    ),
    ("medicine", "Medicine", "service", "acute", ""),
    ("surgery", "Surgery", "service", "acute", ""),
    ("emergency", "Emergency and Unscheduled Care", "service", "acute", ""),
    ("community-nursing", "Community Nursing", "service", "community", ""),
    ("rehabilitation", "Rehabilitation and Older People", "service", "community", ""),
    ("primary-care", "Primary Care Support", "service", "community", ""),
    ("adult-mental-health", "Adult Mental Health", "service", "mental-health", ""),
    ("learning-disability", "Learning Disability", "service", "mental-health", ""),
    ("ward-7", "Ward 7 Respiratory", "ward", "medicine", "28 beds; respiratory medicine."),
    ("ward-8", "Ward 8 Cardiology", "ward", "medicine", "24 beds and a coronary care unit."),
    ("ward-9", "Ward 9 Gastroenterology", "ward", "medicine", ""),
    ("amu", "Acute Medical Unit", "ward", "medicine", "Assessment and short stay."),
    ("ward-14", "Ward 14 General Surgery", "ward", "surgery", ""),
    ("ward-15", "Ward 15 Orthopaedics", "ward", "surgery", "Elective and trauma orthopaedics."),
    ("ward-16", "Ward 16 Surgical Receiving", "ward", "surgery", ""),
    ("day-surgery", "Day Surgery Unit", "team", "surgery", ""),
    ("theatres", "Theatres", "team", "surgery", ""),
    ("ed", "Emergency Department", "team", "emergency", ""),
    ("miu", "Minor Injuries Unit", "team", "emergency", ""),
    ("hospital-at-night", "Hospital at Night Team", "team", "emergency", ""),
    ("dn-north", "North District Nursing Team", "team", "community-nursing", ""),
    ("dn-south", "South District Nursing Team", "team", "community-nursing", ""),
    ("treatment-room", "Treatment Room Service", "team", "community-nursing", ""),
    ("ward-3", "Ward 3 Rehabilitation", "ward", "rehabilitation", ""),
    ("falls", "Falls Prevention Team", "team", "rehabilitation", ""),
    ("hospital-at-home", "Hospital at Home", "team", "rehabilitation", ""),
    ("pharmacotherapy", "Pharmacotherapy Team", "team", "primary-care", ""),
    ("vaccination", "Vaccination Team", "team", "primary-care", ""),
    ("ward-21", "Ward 21 Adult Acute Admissions", "ward", "adult-mental-health", ""),
    ("cmht-north", "Community Mental Health Team North", "team", "adult-mental-health", ""),
    ("crisis", "Crisis Resolution Team", "team", "adult-mental-health", ""),
    ("ld-community", "Community Learning Disability Team", "team", "learning-disability", ""),
    ("ward-24", "Ward 24 Assessment and Treatment", "ward", "learning-disability", ""),
]

FIRST_NAMES = (
    "Aisha Alan Amira Andrew Ann Ben Bethany Callum Catriona Chen Chloe Craig Daniel Deepa "
    "Eilidh Emma Euan Fatima Fiona Fraser Gary Grace Hamish Hannah Iain Isla Jamal James Jenny "
    "Kirsty Kwame Laura Leah Lewis Lorna Mairi Mark Megan Mohammed Morag Neil Niamh Olu Paul "
    "Priya Rachel Rory Ruth Sana Scott Shona Stuart Tariq Tom Una Wei Yusuf Zara"
).split()
LAST_NAMES = (
    "Anderson Baird Bell Brown Campbell Chowdhury Clark Craig Cunningham Dhillon Douglas Duncan "
    "Ferguson Fraser Gibson Graham Grant Hamilton Henderson Hughes Hunter Hussain Johnston Kaur "
    "Kerr Khan Macdonald MacLeod Martin McIntyre Mitchell Morrison Murray Nowak Okafor Paterson "
    "Reid Robertson Ross Scott Shaw Sinclair Smith Stewart Taylor Thomson Walker Wallace Watson "
    "Wilson Wong Young"
).split()

# Jobs on wards and teams: (job title, professional group).
FRONTLINE_JOBS = [
    ("Staff nurse", ProfessionalGroup.NURSING),
    ("Healthcare support worker", ProfessionalGroup.SUPPORT),
    ("Specialty doctor", ProfessionalGroup.MEDICAL),
    ("Physiotherapist", ProfessionalGroup.AHP),
    ("Occupational therapist", ProfessionalGroup.AHP),
    ("Pharmacist", ProfessionalGroup.PHARMACY),
    ("Clinical psychologist", ProfessionalGroup.PSYCHOLOGY),
    ("Ward clerk", ProfessionalGroup.MANAGEMENT),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    job_title: str
    professional_group: str
    role: str
    unit_code: str


# One named login for each role, printed by `make demo`.
DEMO_LOGINS = [
    DemoLogin(
        "admin",
        "Alex Morgan",
        "Information systems manager",
        ProfessionalGroup.MANAGEMENT,
        Role.SYSTEM_ADMINISTRATOR,
        "riverside",
    ),
    DemoLogin(
        "board",
        "Dr Helen Forsyth",
        "Medical director",
        ProfessionalGroup.MEDICAL,
        Role.EXECUTIVE,
        "riverside",
    ),
    DemoLogin(
        "quality",
        "Joanne Keir",
        "Head of clinical governance and quality",
        ProfessionalGroup.NURSING,
        Role.QUALITY_LEAD,
        "acute",
    ),
    DemoLogin(
        "coach",
        "Samir Qureshi",
        "Improvement advisor",
        ProfessionalGroup.AHP,
        Role.IMPROVEMENT_COACH,
        "acute",
    ),
    DemoLogin(
        "analyst",
        "Ruth Ogilvie",
        "Senior information analyst",
        ProfessionalGroup.MANAGEMENT,
        Role.ANALYST,
        "riverside",
    ),
    DemoLogin(
        "lead",
        "Maria Santos",
        "Senior charge nurse",
        ProfessionalGroup.NURSING,
        Role.TEAM_LEAD,
        "ward-7",
    ),
    DemoLogin(
        "member", "Owen Price", "Staff nurse", ProfessionalGroup.NURSING, Role.TEAM_MEMBER, "ward-7"
    ),
    DemoLogin(
        "partner",
        "Margaret Lindsay",
        "Patient partner",
        ProfessionalGroup.PUBLIC,
        Role.PARTNER,
        "ward-7",
    ),
]


@dataclass(frozen=True)
class PersonSpec:
    username: str
    display_name: str
    job_title: str
    professional_group: str
    roles: tuple[tuple[str, str], ...]  # (role, unit code)


def _people_plan(rng: random.Random) -> list[PersonSpec]:
    """Everyone in the demo besides the named logins, decided by the seeded generator."""
    names = iter(rng.sample([(f, s) for f in FIRST_NAMES for s in LAST_NAMES], 200))
    plan = []

    def person(job: str, group: str, *roles: tuple[str, str]) -> None:
        first, last = next(names)
        username = f"{first}.{last}".lower()
        plan.append(PersonSpec(username, f"{first} {last}", job, group, roles))

    frontline = [code for code, _, kind, _, _ in UNITS if kind in {"ward", "team"}]
    for code in frontline:
        if code != "ward-7":  # Ward 7's lead is the named demo lead
            person(
                "Senior charge nurse" if code.startswith(("ward", "amu")) else "Team leader",
                ProfessionalGroup.NURSING,
                (Role.TEAM_LEAD, code),
            )
        for job, group in rng.sample(FRONTLINE_JOBS, 3):
            person(job, group, (Role.TEAM_MEMBER, code))
    for code in ("community", "mental-health"):
        person(
            "Associate director of quality", ProfessionalGroup.NURSING, (Role.QUALITY_LEAD, code)
        )
    for code in ("community", "mental-health", "riverside"):
        person("Improvement advisor", ProfessionalGroup.AHP, (Role.IMPROVEMENT_COACH, code))
    for code in ("acute", "community", "mental-health"):
        person("Information analyst", ProfessionalGroup.MANAGEMENT, (Role.ANALYST, code))
    for job in (
        "Chief executive",
        "Director of nursing",
        "Non-executive director",
        "Non-executive director",
        "Director of finance",
    ):
        person(job, ProfessionalGroup.MANAGEMENT, (Role.EXECUTIVE, "riverside"))
    for code in (
        "ward-7",
        "ward-15",
        "ed",
        "dn-north",
        "ward-3",
        "ward-21",
        "ld-community",
        "medicine",
    ):
        person(
            "Patient partner" if code != "ld-community" else "Carer partner",
            ProfessionalGroup.PUBLIC,
            (Role.PARTNER, code),
        )
    return plan


def _ensure_units() -> dict[str, Unit]:
    units = {unit.code: unit for unit in Unit.objects.all()}
    for code, name, kind, parent_code, description in UNITS:
        if code not in units:
            units[code] = services.unit_create(
                by=None,
                name=name,
                code=code,
                kind=kind,
                parent=units[parent_code] if parent_code else None,
                description=description,
            )
    return units


def _ensure_person(spec, password_hash: str) -> Person:
    person = Person.objects.filter(username=spec.username).first()
    if person is None:
        person = services.person_create(
            by=None,
            username=spec.username,
            display_name=spec.display_name,
            email=f"{spec.username}@riverside.example",
            job_title=spec.job_title,
            professional_group=spec.professional_group,
        )
        # One Argon2 hash shared by every demo account: hashing 128 times would take seconds.
        Person.objects.filter(pk=person.pk).update(password=password_hash)
    return person


def _ensure_membership(person: Person, unit: Unit, role: str) -> None:
    if not Membership.objects.filter(person=person, unit=unit, role=role).exists():
        services.membership_add(by=None, person=person, unit=unit, role=role)


def build(rng: random.Random) -> dict[str, int]:
    """Create (or complete) the demo organisation. Returns counts for the summary."""
    units = _ensure_units()
    password_hash = make_password(DEMO_PASSWORD)
    for login in DEMO_LOGINS:
        person = _ensure_person(login, password_hash)
        _ensure_membership(person, units[login.unit_code], login.role)
    for spec in _people_plan(rng):
        # Other demo people get the demo password too, so any of them can be tried.
        person = _ensure_person(spec, password_hash)
        for role, code in spec.roles:
            _ensure_membership(person, units[code], role)
    return {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
    }
