"""Reads of gaps: the skills a unit's roles need against the levels its people have, its
protected time planned against used, a project team's cover, and the board report's summary.

Who counts: the active people holding a staff role (`defaults.REQUIRABLE_ROLES`) in the unit
or a unit below it; what each needs in a skill is the highest level any of their roles there
needs. What they have is their confirmed assessment (a self-assessment counts once a lead or
coach confirms it)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, Sum

from qms.capability import defaults
from qms.capability.models import (
    Assessment,
    AssessmentStatus,
    Level,
    ProjectRole,
    ProtectedTime,
    RoleRequirement,
    Skill,
    Training,
)
from qms.capability.selectors.framework import Framework, framework_of, organisation_of
from qms.people.models import Membership, ObjectGrant, Person, Unit
from qms.people.roles import LISTING_ORDER, Role

__all__ = [
    "CapabilitySummary",
    "ProjectCapability",
    "TimeMonth",
    "UnitGap",
    "capability_summary",
    "last_months",
    "project_capability",
    "time_by_month",
    "unit_gap",
]


def last_months(today: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the last `count` months, this month last."""
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


def _confirmed_levels(person_ids) -> dict[tuple[int, int], Level]:
    """(person id, skill id) -> confirmed level, one query."""
    rows = Assessment.objects.filter(
        person_id__in=person_ids, status=AssessmentStatus.CONFIRMED
    ).select_related("level")
    return {(row.person_id, row.skill_id): row.level for row in rows}


# The gap of a unit ---------------------------------------------------------------------------


@dataclass
class Shortfall:
    skill: Skill
    needed: Level
    have: Level | None


@dataclass
class PersonGap:
    person: Person
    roles: list[str]
    needs: int = 0  # skills in which their roles need a level
    shortfalls: list[Shortfall] = field(default_factory=list)


@dataclass
class Cell:
    level: Level
    needed: int = 0  # people whose roles need this level in the skill
    have: int = 0  # of them, those assessed at this level or above

    @property
    def gap(self) -> int:
        return self.needed - self.have


@dataclass
class SkillRow:
    skill: Skill
    cells: list[Cell]

    @property
    def needed(self) -> int:
        return sum(cell.needed for cell in self.cells)

    @property
    def gap(self) -> int:
        return sum(cell.gap for cell in self.cells)


@dataclass
class TimeMonth:
    month: dt.date
    planned: Decimal
    used: Decimal | None  # None: nothing recorded as used yet
    people: int

    @property
    def share(self) -> float | None:
        if self.used is None or not self.planned:
            return None
        return float(self.used / self.planned * 100)


@dataclass
class UnitGap:
    unit: Unit
    framework: Framework
    people: list[PersonGap]
    rows: list[SkillRow]
    months: list[TimeMonth]

    @property
    def people_short(self) -> list[PersonGap]:
        return [person for person in self.people if person.shortfalls]

    @property
    def requirements(self) -> int:
        return sum(row.needed for row in self.rows)

    @property
    def gaps(self) -> int:
        return sum(row.gap for row in self.rows)

    @property
    def met_share(self) -> float | None:
        """The share of people who have every level their roles need."""
        needing = [p for p in self.people if p.needs]
        if not needing:
            return None
        return 100.0 * sum(1 for p in needing if not p.shortfalls) / len(needing)

    @property
    def time_planned(self) -> Decimal:
        return sum((m.planned for m in self.months), Decimal(0))

    @property
    def time_used(self) -> Decimal:
        return sum((m.used or Decimal(0) for m in self.months), Decimal(0))

    @property
    def chart_spec(self) -> str:
        return time_chart_spec(self.months, title=f"Protected time, {self.unit.name}")


def _staff_in(unit: Unit) -> dict[int, tuple[Person, set[str]]]:
    """person id -> (person, their requirable roles in the unit and below), one query."""
    people: dict[int, tuple[Person, set[str]]] = {}
    memberships = Membership.objects.filter(
        unit__path__startswith=unit.path,
        role__in=defaults.REQUIRABLE_ROLES,
        person__is_active=True,
    ).select_related("person")
    for membership in memberships:
        entry = people.setdefault(membership.person_id, (membership.person, set()))
        entry[1].add(membership.role)
    return people


def _role_labels(held: set[str]) -> list[str]:
    return [Role(role).label for role in sorted(held, key=lambda r: LISTING_ORDER.get(r, 99))]


def unit_gap(unit: Unit, *, today: dt.date, framework: Framework | None = None) -> UnitGap:
    """The unit's skills gap (people and skill × level) and its protected time for the last
    twelve months. Eight queries at most, whatever the number of people."""
    framework = framework or framework_of(organisation_of(unit))
    staff = _staff_in(unit)
    have = _confirmed_levels(staff.keys())
    rows = {
        skill.pk: SkillRow(skill, [Cell(level) for level in framework.levels])
        for skill in framework.skills
    }
    positions = {level.pk: index for index, level in enumerate(framework.levels)}
    people = []
    for person_id, (person, held) in staff.items():
        gap = PersonGap(person=person, roles=_role_labels(held))
        for skill in framework.skills:
            needed = framework.need(held, skill)
            if needed is None:
                continue
            gap.needs += 1
            level = have.get((person_id, skill.pk))
            cell = rows[skill.pk].cells[positions[needed.pk]]
            cell.needed += 1
            if level is not None and level.rank >= needed.rank:
                cell.have += 1
            else:
                gap.shortfalls.append(Shortfall(skill, needed, level))
        people.append(gap)
    people.sort(key=lambda p: (p.person.display_name.lower(), p.person.pk))
    months = time_by_month(list(staff), last_months(today))
    return UnitGap(unit, framework, people, list(rows.values()), months)


# Protected time ------------------------------------------------------------------------------


def time_by_month(person_ids, months: list[dt.date]) -> list[TimeMonth]:
    """Planned and used hours of these people in each month (one query)."""
    if not months:
        return []
    totals = {
        row["month"]: row
        for row in ProtectedTime.objects.filter(
            person_id__in=person_ids, month__gte=months[0], month__lte=months[-1]
        )
        .values("month")
        .annotate(planned_sum=Sum("planned"), used_sum=Sum("used"), people=Count("person"))
    }
    result = []
    for month in months:
        row = totals.get(month)
        if row is None:
            result.append(TimeMonth(month, Decimal(0), None, 0))
        else:
            result.append(TimeMonth(month, row["planned_sum"], row["used_sum"], row["people"]))
    return result


def time_chart_spec(months: list[TimeMonth], *, title: str) -> str:
    """A Vega-Lite chart of hours planned and used each month (bars side by side), as JSON
    for a `<script type="application/json">` (no inline script under the CSP)."""
    values = []
    for month in months:
        values.append(
            {"month": month.month.isoformat(), "kind": "Planned", "hours": float(month.planned)}
        )
        if month.used is not None:
            values.append(
                {"month": month.month.isoformat(), "kind": "Used", "hours": float(month.used)}
            )
    top = max((value["hours"] for value in values), default=0) or 1
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "timeUnit": "yearmonth", "title": "Month"},
            "xOffset": {"field": "kind"},
            # The domain named: bars offset within a month otherwise fit the scale to one kind.
            "y": {
                "field": "hours",
                "type": "quantitative",
                "title": "Hours",
                "scale": {"domain": [0, top], "nice": True},
            },
            "color": {
                "field": "kind",
                "type": "nominal",
                "title": "Hours",
                "scale": {"domain": ["Planned", "Used"]},
            },
        },
    }
    return json.dumps(spec).replace("</", "<\\/")


# A project's team ----------------------------------------------------------------------------

# The roles a grant on a project gives, as roles on its team; partners are team members too,
# but their skills are not staff skills and are not assessed here.
_GRANT_ROLES = {
    Role.TEAM_LEAD: ProjectRole.LEAD,
    Role.IMPROVEMENT_COACH: ProjectRole.COACH,
    Role.TEAM_MEMBER: ProjectRole.MEMBER,
    Role.ANALYST: ProjectRole.MEMBER,
    Role.QUALITY_LEAD: ProjectRole.MEMBER,
    Role.EXECUTIVE: ProjectRole.MEMBER,
}


@dataclass
class TeamMember:
    person: Person
    roles: set[str]
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [ProjectRole(role).label for role in ProjectRole.values if role in self.roles]


@dataclass
class Cover:
    """A rule of `defaults.TEAM_COVERAGE`: someone on the team at `level` in `skill`."""

    skill: Skill
    level: Level
    by: list[Person]

    @property
    def met(self) -> bool:
        return bool(self.by)


@dataclass
class ProjectCapability:
    team: list[TeamMember]
    cover: list[Cover]
    month: TimeMonth

    @property
    def cover_missing(self) -> list[Cover]:
        return [cover for cover in self.cover if not cover.met]

    @property
    def members_short(self) -> list[TeamMember]:
        return [member for member in self.team if member.shortfalls]

    @property
    def ready(self) -> bool:
        return not self.cover_missing and not self.members_short


def _team_of(project) -> dict[int, TeamMember]:
    """The project's staff team: the charter's lead, coach and sponsor, and the people given a
    staff role on the project (one query, two with the charter's people)."""
    team: dict[int, TeamMember] = {}
    for attr, role in (
        ("lead", ProjectRole.LEAD),
        ("coach", ProjectRole.COACH),
        ("sponsor", ProjectRole.SPONSOR),
    ):
        person = getattr(project, attr)
        if person is not None and person.is_active:
            team.setdefault(person.pk, TeamMember(person, set())).roles.add(role)
    grants = ObjectGrant.objects.filter(
        content_type=ContentType.objects.get_for_model(project, for_concrete_model=True),
        object_id=project.pk,
        role__in=list(_GRANT_ROLES),
        person__is_active=True,
    ).select_related("person")
    for grant in grants:
        team.setdefault(grant.person_id, TeamMember(grant.person, set())).roles.add(
            _GRANT_ROLES[grant.role]
        )
    return team


def project_capability(project, *, today: dt.date) -> ProjectCapability:
    """Whether the project's team has the skills its roles need and the method's cover
    (`defaults.TEAM_COVERAGE`), and the team's protected time this month. Eight queries at
    most."""
    framework = framework_of(organisation_of(project.unit), projects=True)
    team = _team_of(project)
    have = _confirmed_levels(team.keys())
    for member in team.values():
        for skill in framework.skills:
            needed = framework.project_need(member.roles, skill)
            if needed is None:
                continue
            level = have.get((member.person.pk, skill.pk))
            if level is None or level.rank < needed.rank:
                member.shortfalls.append(Shortfall(skill, needed, level))
    skills, levels = framework.skill_codes, framework.level_codes
    cover = []
    rules = defaults.TEAM_COVERAGE["*"] + defaults.TEAM_COVERAGE.get(project.method, ())
    for skill_code, level_code in rules:
        skill, level = skills.get(skill_code), levels.get(level_code)
        if skill is None or level is None:
            continue  # retired or renamed away by the organisation's editors
        by = [
            member.person
            for member in team.values()
            if (got := have.get((member.person.pk, skill.pk))) is not None
            and got.rank >= level.rank
        ]
        cover.append(Cover(skill, level, sorted(by, key=lambda p: p.display_name.lower())))
    month = time_by_month(list(team), [today.replace(day=1)])[0]
    members = sorted(team.values(), key=lambda m: (m.person.display_name.lower(), m.person.pk))
    return ProjectCapability(members, cover, month)


# The board report's summary and the unit page's ---------------------------------------------


@dataclass
class CapabilitySummary:
    unit: Unit
    people: int
    needing: int  # people whose roles need some level
    at_level: int  # of them, those with every level their roles need
    requirements: int  # (person, skill) needs
    gaps: int  # of them, not met
    training_count: int
    training_hours: Decimal
    training_people: int
    year: int
    quarter: str
    quarter_planned: Decimal
    quarter_used: Decimal
    year_planned: Decimal  # the last 12 months, this one included
    year_used: Decimal

    @property
    def at_level_share(self) -> float | None:
        return 100.0 * self.at_level / self.needing if self.needing else None

    @property
    def used_share(self) -> float | None:
        if not self.quarter_planned:
            return None
        return float(self.quarter_used / self.quarter_planned * 100)

    @property
    def year_used_share(self) -> float | None:
        if not self.year_planned:
            return None
        return float(self.year_used / self.year_planned * 100)


def _quarter(today: dt.date) -> tuple[dt.date, str]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    return dt.date(today.year, first_month, 1), f"Q{(first_month - 1) // 3 + 1} {today.year}"


def capability_summary(unit: Unit, *, today: dt.date) -> CapabilitySummary:
    """For the board report and the unit page: the share of the unit's staff (and below) at
    the level their roles need, their training this calendar year, and protected time planned
    against used this quarter and in the last twelve months (the months begun). Five queries,
    whatever the number of people: the same rules as `unit_gap`, read lean."""
    root_id = unit.ancestor_ids[0]
    needs: dict[tuple[str, int], int] = {
        (role, skill_id): rank
        for role, skill_id, rank in RoleRequirement.objects.filter(
            skill__organisation_id=root_id, skill__retired_at=None
        ).values_list("role", "skill_id", "level__rank")
    }
    skills = {skill_id for _role, skill_id in needs}
    held: dict[int, set[str]] = defaultdict(set)
    for person_id, role in Membership.objects.filter(
        unit__path__startswith=unit.path,
        role__in=defaults.REQUIRABLE_ROLES,
        person__is_active=True,
    ).values_list("person_id", "role"):
        held[person_id].add(role)
    people = Membership.objects.filter(
        unit__path__startswith=unit.path,
        role__in=defaults.REQUIRABLE_ROLES,
        person__is_active=True,
    ).values("person_id")
    have = {
        (person_id, skill_id): rank
        for person_id, skill_id, rank in Assessment.objects.filter(
            person_id__in=people, status=AssessmentStatus.CONFIRMED
        ).values_list("person_id", "skill_id", "level__rank")
    }
    needing = at_level = requirements = short = 0
    for person_id, roles in held.items():
        mine = [
            (skill_id, max(needs.get((role, skill_id), 0) for role in roles)) for skill_id in skills
        ]
        mine = [(skill_id, rank) for skill_id, rank in mine if rank]
        if not mine:
            continue
        missing = sum(1 for skill_id, rank in mine if have.get((person_id, skill_id), 0) < rank)
        needing += 1
        at_level += not missing
        requirements += len(mine)
        short += missing
    training = Training.objects.filter(
        person_id__in=people, completed_on__year=today.year
    ).aggregate(count=Count("pk"), hours=Sum("hours"), people=Count("person", distinct=True))
    start, label = _quarter(today)
    first = last_months(today)[0]
    this_month = today.replace(day=1)
    quarter = Q(month__gte=start)
    time = ProtectedTime.objects.filter(
        person_id__in=people, month__gte=min(first, start), month__lte=this_month
    ).aggregate(
        quarter_planned=Sum("planned", filter=quarter),
        quarter_used=Sum("used", filter=quarter),
        year_planned=Sum("planned", filter=Q(month__gte=first)),
        year_used=Sum("used", filter=Q(month__gte=first)),
    )
    zero = Decimal(0)
    return CapabilitySummary(
        unit=unit,
        people=len(held),
        needing=needing,
        at_level=at_level,
        requirements=requirements,
        gaps=short,
        training_count=training["count"],
        training_hours=training["hours"] or zero,
        training_people=training["people"],
        year=today.year,
        quarter=label,
        quarter_planned=time["quarter_planned"] or zero,
        quarter_used=time["quarter_used"] or zero,
        year_planned=time["year_planned"] or zero,
        year_used=time["year_used"] or zero,
    )
