"""The demo board's quality planning: the Acute Services Division's planning cycle, told in
`qms.demo.planning_story` and built here through quality planning's services, as the people
named there would have built it: the vision and the aims cascade, needs assessments with their
evidence and assets, group breakdowns of measures, the contributory factors of about 80 of the
division's issues (raised here, spread over the past year), 15 scored and decided priorities
with their method, resources, roles, a design and two new projects, each unit's capacity, and
clinical audits with a re-audit.

Deterministic (dates counted from `today`, audit cases drawn from a seeded generator with exact
counts) and idempotent: each record is found by its unit and title (a vision by its unit, an
analysis by its issue, a breakdown by its measure and dimension, a capacity by its unit), and
what exists is left alone, so a second run adds and changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from qms.control.models import Measure, Standard
from qms.demo import planning_story as story
from qms.demo.measures import SPAN, periods_until
from qms.improvement import services as improvement_services
from qms.improvement.models import Project
from qms.issues import services as issue_services
from qms.issues.models import Issue
from qms.people import access
from qms.people import services as people_services
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role
from qms.planning import services
from qms.planning.models import (
    Aim,
    Audit,
    Compliance,
    Design,
    FactorDomain,
    GroupObservation,
    IssueAnalysis,
    NeedsAssessment,
    Priority,
    PriorityStatus,
    ScoringWeights,
    UnitCapacity,
    Vision,
)

FORM_CASES = 5  # an audit's cases entered one by one; the rest are uploaded

SCORE_NAMES = (
    "people_affected",
    "severity",
    "equity",
    "strategic_fit",
    "effort",
    "cost",
    "readiness",
)


def build(rng: random.Random | None = None, *, today: dt.date | None = None) -> dict[str, int]:
    """Build the division's planning cycle (call after `improvement.build`). `rng` seeds the
    audit cases; `today` (default: the current date) places every date. Returns counts for the
    summary."""
    today = today or timezone.localdate()
    seed = rng.getrandbits(32) if rng is not None else 2026
    demo = _Demo(today)
    _visions(demo)
    _aims(demo)
    _assessments(demo)
    _breakdowns(demo)
    _issues(demo)
    _analyses(demo)
    _weights(demo)
    _priorities(demo)
    _design(demo)
    _capacities(demo)
    _audits(demo, random.Random(seed))
    return counts()


def counts() -> dict[str, int]:
    return {
        "aims": Aim.objects.count(),
        "assessments": NeedsAssessment.objects.count(),
        "breakdowns": GroupObservation.objects.values("measure", "dimension").distinct().count(),
        "analyses": IssueAnalysis.objects.count(),
        "priorities": Priority.objects.count(),
        "approved": Priority.objects.filter(status=PriorityStatus.APPROVED).count(),
        "audits": Audit.objects.filter(previous__isnull=True).count(),
        "reaudits": Audit.objects.filter(previous__isnull=False).count(),
    }


def summary_line(counts: dict[str, int]) -> str:
    """One line for the command's output."""
    return (
        f"Quality planning: {counts['aims']} aims, {counts['assessments']} needs assessments, "
        f"{counts['breakdowns']} group breakdowns, {counts['analyses']} issues analysed, "
        f"{counts['priorities']} priorities ({counts['approved']} approved), "
        f"{counts['audits']} audits and {counts['reaudits']} re-audits."
    )


class _Demo:
    """What every step reads: units, people by name or by role, measures, projects, factor
    domains, and the records the story's keys name (aims, needs), filled as they are built."""

    def __init__(self, today: dt.date):
        self.today = today
        self.units = {unit.code: unit for unit in Unit.objects.all()}
        self.by_id = {unit.pk: unit for unit in self.units.values()}
        self.measures = {m.code: m for m in Measure.objects.select_related("unit")}
        self.projects = {p.title: p for p in Project.objects.select_related("unit")}
        services.framework_defaults_ensure()  # gone when a test emptied the database
        self.domains = {d.code: d for d in FactorDomain.objects.all()}
        self.by_name: dict[str, Person] = {}
        self.by_role: dict[tuple[str, str], Person] = {}
        memberships = Membership.objects.select_related("person", "unit").order_by("person_id")
        for membership in memberships:
            person = self.by_name.setdefault(membership.person.username, membership.person)
            self.by_role.setdefault((membership.unit.code, membership.role), person)
        self.aims: dict[str, Aim] = {}
        self.needs: dict[str, object] = {}

    def day(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)

    def due(self, days: int) -> dt.date:
        """A due date `days` ahead: services refuse one before the real today (the tests
        build the demo for a fixed day in the past)."""
        return max(self.today, timezone.localdate()) + dt.timedelta(days=max(days, 1))

    def person(self, token: str, unit: str) -> Person | None:
        """A demo username, or `@role` (in `unit`) or `@role@unit`."""
        if not token:
            return None
        if not token.startswith("@"):
            return self.by_name[token]
        role, _, other = token[1:].partition("@")
        return self.by_role.get((other or unit, role))

    def nearest(self, unit: str, *roles: str) -> Person:
        """The first person holding one of `roles` in the unit, else in the nearest unit above
        (services and divisions have no team members of their own)."""
        node: Unit | None = self.units[unit]
        while node is not None:
            for role in roles:
                found = self.by_role.get((node.code, role))
                if found is not None:
                    return found
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        raise LookupError(f"No one with {roles} at or above {unit}")

    def domain(self, code: str) -> FactorDomain:
        return self.domains[code]


# 1. Vision and aims -----------------------------------------------------------------------------


def _visions(demo: _Demo) -> None:
    have = set(Vision.objects.values_list("unit__code", flat=True))
    for spec in story.VISIONS:
        if spec.unit not in have:
            services.vision_set(
                by=demo.person(spec.by, spec.unit),
                unit=demo.units[spec.unit],
                vision=spec.vision,
                purpose=spec.purpose,
            )


def _aims(demo: _Demo) -> None:
    existing = {(a.unit.code, a.statement): a for a in Aim.objects.select_related("unit")}
    for spec in story.AIMS:
        aim = existing.get((spec.unit, spec.statement))
        if aim is None:
            aim = services.aim_create(
                by=demo.person(spec.by, spec.unit),
                unit=demo.units[spec.unit],
                statement=spec.statement,
                target=spec.target,
                due_on=demo.day(spec.due_in_days),
                parent=demo.aims[spec.parent] if spec.parent else None,
                measures=[demo.measures[code] for code in spec.measures],
                projects=[demo.projects[title] for title in spec.projects],
            )
        demo.aims[spec.key] = aim


# 2. Needs, evidence, assets; equity --------------------------------------------------------------


def _csv(columns, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _assessments(demo: _Demo) -> None:
    existing = {(a.unit.code, a.title): a for a in NeedsAssessment.objects.select_related("unit")}
    for spec in story.ASSESSMENTS:
        assessment = existing.get((spec.unit, spec.title))
        if assessment is None:
            assessment = _assessment(demo, spec)
        for position, need in enumerate(assessment.needs.order_by("position", "pk"), start=1):
            demo.needs[f"{spec.key}:{position}"] = need


def _assessment(demo: _Demo, spec: story.DemoAssessment) -> NeedsAssessment:
    by = demo.person(story.QUALITY_LEAD, spec.unit)
    assessment = services.assessment_create(
        by=by,
        unit=demo.units[spec.unit],
        title=spec.title,
        population=spec.population,
        summary=spec.summary,
    )
    needs = [
        services.need_add(by=by, assessment=assessment, statement=statement)
        for statement in spec.needs
    ]

    def need(number: int):
        return needs[number - 1] if number else None

    for table in spec.tables:
        services.evidence_add(
            by=by,
            assessment=assessment,
            need=need(table.need),
            kind="table",
            title=table.title,
            source=table.source,
            source_url=table.source_url,
            file=ContentFile(_csv(table.columns, table.rows), name=f"{table.title}.csv"),
            chart_x=table.chart_x,
            chart_y=table.chart_y,
        )
    for item in spec.statistics:
        services.evidence_add(
            by=by,
            assessment=assessment,
            need=need(item.need),
            kind="statistic",
            title=item.title,
            source=item.source,
            source_url=item.source_url,
            statistic=item.value,
            statistic_unit=item.unit,
            published_on=demo.day(-item.published_days_ago),
        )
    for item in spec.feedback:
        services.evidence_add(
            by=by,
            assessment=assessment,
            need=need(item.need),
            kind="feedback",
            title=item.title,
            source=item.source,
            summary=f"“{item.quote}”",
        )
    for kind, name, description in spec.assets:
        services.asset_add(
            by=by, assessment=assessment, kind=kind, name=name, description=description
        )
    return assessment


def _breakdowns(demo: _Demo) -> None:
    """Each measure's groups, for its last periods: the group's level with a small wobble
    (the same every run), a count over a denominator as the measure is charted."""
    done = set(GroupObservation.objects.values_list("measure__code", "dimension").distinct())
    by = demo.person("analyst", story.BOARD)
    for spec in story.BREAKDOWNS:
        if (spec.measure, spec.dimension) in done:
            continue
        measure = demo.measures[spec.measure]
        periods = periods_until(demo.today, measure.frequency, SPAN[measure.frequency])
        periods = periods[-spec.periods :]
        rows = []
        for index, period in enumerate(periods):
            for position, (group, level, size) in enumerate(spec.groups):
                wobble = 1 + 0.06 * (((index * 7 + position * 3) % 5) - 2) / 2
                share = level * wobble / measure.multiply
                denominator = round(size * (1 + 0.05 * (((index + position) % 3) - 1)))
                rows.append(
                    services.GroupValue(
                        dimension=spec.dimension,
                        group=group,
                        period=period,
                        value=round(min(share, 1.0) * denominator),
                        denominator=denominator,
                    )
                )
        services.group_values_save(by=by, measure=measure, rows=rows)


# 4. Issues and their contributory factors ------------------------------------------------------


def _issue_plan(demo: _Demo) -> list[tuple[int, story.IssueTheme, str]]:
    """Every (days ago, theme, unit) to raise, spread over the past year: themes interleaved
    so that each month has a mix."""
    plan = [(theme, unit) for theme in story.ISSUE_THEMES for unit in theme.units]
    plan.sort(key=lambda item: (item[0].units.index(item[1]), story.ISSUE_THEMES.index(item[0])))
    count = len(plan)
    return [(8 + index * 350 // count, theme, unit) for index, (theme, unit) in enumerate(plan)]


def _issues(demo: _Demo) -> None:
    """Raise the division's incidents, complaints and concerns of the past year (the theme's
    raiser is a team member, or the nearest lead above a service), dated as they happened;
    those older than three months are closed."""
    existing = set(Issue.objects.values_list("unit__code", "title"))
    for days_ago, theme, code in _issue_plan(demo):
        if (code, theme.title) in existing:
            continue
        owner = demo.nearest(code, Role.TEAM_LEAD, Role.QUALITY_LEAD)
        raiser = demo.by_role.get((code, Role.TEAM_MEMBER)) or owner
        issue = issue_services.issue_raise(
            by=raiser,
            unit=demo.units[code],
            title=theme.title,
            source=theme.source,
            description=theme.description,
            owner=owner,
        )
        raised = timezone.now() - dt.timedelta(days=days_ago)
        changes = {"created_at": raised}
        if days_ago > 90:
            issue_services.issue_close(
                by=owner, issue=issue, note="Analysed and the learning shared at the huddle."
            )
            changes["closed_at"] = raised + dt.timedelta(days=28)
        # The demo's past: the issue was raised (and closed) then, not today.
        Issue.objects.filter(pk=issue.pk).update(**changes)


def _analyses(demo: _Demo) -> None:
    """The system-focused analysis of each theme's issues and of the demo's own issues, by the
    unit's team lead (the division's quality lead above the wards)."""
    analysed = set(IssueAnalysis.objects.values_list("issue_id", flat=True))
    issues = {(i.unit.code, i.title): i for i in Issue.objects.select_related("unit")}
    work = [
        (unit, theme.title, theme.account, theme.factors, theme.decision, theme.reason)
        for theme in story.ISSUE_THEMES
        for unit in theme.units
    ]
    work += list(story.EXISTING_ANALYSES)
    for code, title, account, factors, decision, reason in work:
        issue = issues.get((code, title))
        if issue is None or issue.pk in analysed:
            continue
        services.analysis_save(
            by=demo.nearest(code, Role.TEAM_LEAD, Role.QUALITY_LEAD),
            issue=issue,
            system_account=account,
            factors=[(demo.domain(domain), note) for domain, note in factors],
            decision=decision,
            decision_reason=reason,
        )


# 5.-8. Priorities, method, design, resources and roles --------------------------------------


def _weights(demo: _Demo) -> None:
    if not ScoringWeights.objects.filter(unit__code=story.DIVISION).exists():
        services.weights_set(
            by=demo.person(story.QUALITY_LEAD, story.DIVISION),
            unit=demo.units[story.DIVISION],
            **story.WEIGHTS,
        )


def _source(demo: _Demo, spec: story.DemoPriority):
    if not spec.source:
        return None
    if spec.origin == "gap":
        return demo.measures[spec.source]
    if spec.origin == "factor":
        return demo.domain(spec.source)
    if spec.origin == "need":
        return demo.needs[spec.source]
    if spec.origin == "aim":
        return demo.aims[spec.source]
    return None


def _priorities(demo: _Demo) -> None:
    existing = set(Priority.objects.values_list("unit__code", "title"))
    for spec in story.PRIORITIES:
        if (spec.unit, spec.title) not in existing:
            _priority(demo, spec)


def _priority(demo: _Demo, spec: story.DemoPriority) -> Priority:
    quality = demo.person(story.QUALITY_LEAD, story.DIVISION)
    priority = services.priority_create(
        by=demo.person(spec.proposer, spec.unit),
        unit=demo.units[spec.unit],
        title=spec.title,
        problem=spec.problem,
        origin=spec.origin,
        source=_source(demo, spec),
        aim=demo.aims[spec.aim] if spec.aim else None,
        measures=[demo.measures[code] for code in spec.measures],
        factors=[demo.domain(code) for code in spec.factors],
        owner=demo.person(spec.owner, spec.unit),
        needs_design=spec.needs_design,
    )
    if spec.scores:
        services.priority_score(
            by=quality, priority=priority, **dict(zip(SCORE_NAMES, spec.scores, strict=True))
        )
    if spec.status != PriorityStatus.CANDIDATE:
        services.priority_decide(
            by=quality, priority=priority, status=spec.status, reason=spec.reason
        )
    if spec.method:
        _method(demo, spec, priority, quality)
    if spec.hours is not None or spec.budget is not None:
        services.priority_resources_set(
            by=quality,
            priority=priority,
            protected_hours=None if spec.hours is None else Decimal(str(spec.hours)),
            budget=None if spec.budget is None else Decimal(spec.budget),
        )
    for token in spec.partners:
        partner = demo.person(token, spec.unit)
        people_services.grant_give(by=quality, record=priority, person=partner, role=Role.PARTNER)
        access.forget_memberships(partner)
    for token, raci in spec.roles:
        services.responsibility_add(
            by=quality, person=demo.person(token, spec.unit), raci=raci, priority=priority
        )
    if spec.project:
        _to_project(demo, spec, priority, quality)
    return priority


def _method(demo: _Demo, spec: story.DemoPriority, priority: Priority, by: Person) -> None:
    services.method_choose(
        by=by,
        answers=spec.method,
        chosen=spec.chosen or None,
        reason=spec.chosen_reason,
        priority=priority,
    )


def _to_project(demo: _Demo, spec: story.DemoPriority, priority: Priority, by: Person) -> None:
    """The approved priority becomes a project, its driver diagram started from its factors."""
    priority.refresh_from_db()
    services.priority_to_project(
        by=by,
        priority=priority,
        title=spec.project,
        aim=spec.project_aim,
        lead=demo.person(spec.owner, spec.unit),
    )
    # The hours and budget protected for the priority go with it to its project.
    priority.refresh_from_db()
    improvement_services.project_update(
        by=by,
        project=priority.project,
        protected_hours=priority.protected_hours,
        budget=priority.budget,
        reason="The priority's protected hours and budget carried over.",
    )


def _design(demo: _Demo) -> None:
    spec = story.DESIGN
    priority = Priority.objects.filter(title=spec["priority"]).first()
    if priority is None or Design.objects.filter(priority=priority, title=spec["title"]).exists():
        return
    by = demo.person(story.QUALITY_LEAD, story.DIVISION)
    design = services.design_create(
        by=by,
        priority=priority,
        title=spec["title"],
        kind=spec["kind"],
        purpose=spec["purpose"],
        evidence=spec["evidence"],
        technology=spec["technology"],
    )
    for state in ("current", "future"):
        for step in spec[state]:
            services.design_step_add(
                by=by,
                design=design,
                state=state,
                name=step.name,
                kind=step.kind,
                actor=step.actor,
                minutes=step.minutes,
                notes=step.notes,
            )


def _capacities(demo: _Demo) -> None:
    have = set(UnitCapacity.objects.values_list("unit__code", flat=True))
    by = demo.person(story.QUALITY_LEAD, story.DIVISION)
    for code, hours, budget, planning, control, assurance in story.CAPACITIES:
        if code in have:
            continue
        services.capacity_set(
            by=by,
            unit=demo.units[code],
            protected_hours=Decimal(hours),
            budget=Decimal(budget),
            planning_hours=Decimal(planning),
            control_hours=Decimal(control),
            assurance_hours=Decimal(assurance),
        )


# 9. Audits ----------------------------------------------------------------------------------


def _month(today: dt.date, months_ago: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month `months_ago` months before today's."""
    index = today.year * 12 + today.month - 1 - months_ago
    first = dt.date(index // 12, index % 12 + 1, 1)
    following = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _answers(
    criteria, specs: tuple[story.DemoCriterion, ...], cases: int, rng: random.Random, *, again
) -> list[dict]:
    """Each case's answers: for each criterion, exactly its share of cases not applicable and
    of the rest, exactly its rate met, in an order the seeded generator shuffles."""
    columns = []
    for spec in specs:
        rate = spec.reaudit_rate if again and spec.reaudit_rate is not None else spec.rate
        na = round(cases * spec.not_applicable)
        met = round((cases - na) * rate)
        column = (
            [Compliance.NOT_APPLICABLE] * na
            + [Compliance.MET] * met
            + [Compliance.NOT_MET] * (cases - na - met)
        )
        rng.shuffle(column)
        columns.append(column)
    return [
        {criterion: column[index] for criterion, column in zip(criteria, columns, strict=True)}
        for index in range(cases)
    ]


def _audits(demo: _Demo, rng: random.Random) -> None:
    existing = set(Audit.objects.values_list("unit__code", "title"))
    standards = {s.code: s for s in Standard.objects.all()}
    for spec in story.AUDITS:
        if (spec.unit, spec.title) not in existing:
            _audit(demo, spec, standards[spec.standard], rng)


def _collect(demo, audit: Audit, spec, cases: int, rng, *, again: bool) -> None:
    """The audit's cases: the first few entered in the form by a member of the team, the
    rest uploaded from the audit's spreadsheet by its lead (one service call, not one each)."""
    criteria = list(audit.criteria.order_by("position"))
    collector = demo.by_role.get((spec.unit, Role.TEAM_MEMBER)) or audit.lead
    prefix = "R" if again else "A"
    answers = _answers(criteria, spec.criteria, cases, rng, again=again)
    words = {Compliance.MET: "met", Compliance.NOT_MET: "not met", Compliance.NOT_APPLICABLE: "n/a"}
    rows = []
    for number, case in enumerate(answers, start=1):
        reference = f"Case {prefix}{number:02d}"
        if number <= FORM_CASES:
            services.case_record(by=collector, audit=audit, reference=reference, answers=case)
        else:
            rows.append([reference, *(words[case[criterion]] for criterion in criteria)])
    columns = ["case", *(str(criterion.position) for criterion in criteria)]
    services.cases_upload(
        by=audit.lead,
        audit=audit,
        file=ContentFile(_csv(columns, rows), name="audit cases.csv"),
    )


def _audit(demo: _Demo, spec: story.DemoAudit, standard: Standard, rng: random.Random) -> None:
    lead = demo.person(spec.lead, spec.unit)
    start, end = _month(demo.today, spec.months_ago)
    audit = services.audit_create(
        by=lead,
        unit=demo.units[spec.unit],
        title=spec.title,
        standard=standard,
        sample=spec.sample,
        sample_size=spec.cases,
        period_start=start,
        period_end=end,
        lead=lead,
    )
    for criterion in spec.criteria:
        services.criterion_add(
            by=lead,
            audit=audit,
            text=criterion.text,
            expected=criterion.expected,
            exceptions=criterion.exceptions,
        )
    _collect(demo, audit, spec, spec.cases, rng, again=False)
    services.audit_analyse(by=lead, audit=audit)
    services.findings_raise(by=lead, audit=audit)
    criteria = {c.position: c for c in audit.criteria.all()}
    done = spec.reaudit_months_ago is not None
    for position, what, owner, due_in in spec.actions:
        criterion = criteria[position]
        if criterion.issue_id is None:
            continue
        action = services.finding_action_add(
            by=lead,
            criterion=criterion,
            what=what,
            owner=demo.person(owner, spec.unit),
            due_on=demo.due(due_in),
        )
        if done:  # the re-audit came after the action plan was carried out
            issue_services.action_complete(by=action.owner, action=action)
    if spec.reaudit_due_in_days is not None:
        services.reaudit_schedule(by=lead, audit=audit, due_on=demo.due(spec.reaudit_due_in_days))
    if not done:
        return
    start, end = _month(demo.today, spec.reaudit_months_ago)
    reaudit = services.reaudit_create(
        by=lead,
        audit=audit,
        period_start=start,
        period_end=end,
        sample_size=spec.reaudit_cases,
    )
    _collect(demo, reaudit, spec, spec.reaudit_cases, rng, again=True)
    services.audit_analyse(by=lead, audit=reaudit)
    services.findings_raise(by=lead, audit=reaudit)
