"""Reads of quality improvement: portfolios, a project's page, the person's own projects.

Each read makes a fixed number of queries whatever the number of projects, team members,
measures or issues (the portfolio of 2,000 projects, the largest project's page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet, Subquery
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.escalation.models import Escalation
from qms.improvement import roles
from qms.improvement.models import (
    PROGRESS_SCALE,
    DriverNode,
    MeasureRole,
    Method,
    NodeKind,
    Project,
    ProjectMeasure,
    Stage,
)
from qms.improvement.services.projects import may_change
from qms.issues.models import Issue, IssueStatus
from qms.issues.roles import RAISERS
from qms.people import access
from qms.people.models import ObjectGrant, Person, Unit
from qms.people.roles import LISTING_ORDER, Role
from qms.text.aims import aim_problems

__all__ = [
    "PORTFOLIO_PAGE_SIZE",
    "PORTFOLIO_SORTS",
    "HomeProjects",
    "PortfolioFilters",
    "PortfolioPage",
    "ProjectPage",
    "SimilarityRows",
    "TeamMember",
    "home_projects",
    "may_lead",
    "measure_choices",
    "open_projects_in",
    "portfolio",
    "portfolio_units",
    "project_leads",
    "project_page",
    "project_texts",
    "project_texts_version",
    "project_texts_version_parts",
    "projects_with_unit",
    "start_context",
    "team_of",
    "your_projects",
]

PORTFOLIO_PAGE_SIZE = 100
# Sort orders of the portfolio: key -> (label, ordering). A leading "-" on the key reverses.
PORTFOLIO_SORTS = {
    "title": ("Title", ("title",)),
    "unit": ("Unit", ("unit__path", "title")),
    "stage": ("Stage", ("stage_order", "title")),
    "method": ("Method", ("method", "title")),
    "progress": ("Progress score", ("progress_score", "title")),
    "lead": ("Lead", ("lead__display_name", "title")),
    "ends": ("End date", ("ends_on", "title")),
}
_STAGE_ORDER = {stage: position for position, stage in enumerate(Stage.values)}


@dataclass(frozen=True)
class PortfolioFilters:
    """What a portfolio is narrowed to; empty fields do not narrow it."""

    unit: int | None = None
    stage: str = ""
    method: str = ""
    text: str = ""
    progress: str = ""
    lead: int | None = None
    sort: str = "stage"


@dataclass
class PortfolioPage:
    unit: Unit
    page: Page
    # Projects matching every filter but the stage, by stage (the stage filter's counts), in
    # the order of the stages; and the number matching every filter.
    stage_counts: list[tuple[str, str, int]]
    total: int
    sort: str

    @property
    def every_stage(self) -> int:
        return sum(n for _, _, n in self.stage_counts)


def _stage_order():
    from django.db.models import Case, IntegerField, Value, When

    return Case(
        *[When(stage=stage, then=Value(position)) for stage, position in _STAGE_ORDER.items()],
        output_field=IntegerField(),
    )


def may_lead(user, project: Project) -> bool:
    """Whether the user leads the project (`roles.LEADS` in its unit or given on it): changes
    its charter, its method among it. For other areas' pages (planning's method chooser)."""
    return access.can(user, project, roles.LEADS)


def portfolio_units(user, unit: Unit) -> list[Unit]:
    """The unit and the units below it whose projects the user sees, in tree order, each with
    an `indent` for a select list."""
    units = list(
        access.units_with_role(user, roles.VIEWERS)
        .filter(path__startswith=unit.path)
        .order_by("path")
    )
    for each in units:
        each.indent = "\u2003" * (each.depth - unit.depth)
    return units


def project_leads(unit: Unit) -> list[Person]:
    """The people leading a project of the unit or below, for the lead filter."""
    return list(
        Person.objects.filter(projects_led__unit__path__startswith=unit.path)
        .distinct()
        .order_by("display_name", "pk")
    )


def _filtered(unit: Unit, filters: PortfolioFilters, *, stage: bool = True) -> QuerySet[Project]:
    query = Project.objects.filter(unit__path__startswith=unit.path)
    if filters.unit:
        chosen = Unit.objects.filter(pk=filters.unit, path__startswith=unit.path).first()
        query = query.filter(unit__path__startswith=chosen.path) if chosen else query.none()
    if stage and filters.stage:
        query = query.filter(stage=filters.stage)
    if filters.method:
        query = query.filter(method=filters.method)
    if filters.progress:
        query = query.filter(progress_score=filters.progress)
    if filters.lead:
        query = query.filter(lead_id=filters.lead)
    if filters.text:
        words = filters.text.strip()
        query = query.filter(
            Q(title__icontains=words) | Q(aim__icontains=words) | Q(problem__icontains=words)
        )
    return query


def portfolio(
    user, unit: Unit, filters: PortfolioFilters | None = None, *, page: int | str = 1
) -> PortfolioPage:
    """The projects of a unit and the units below it (the view has checked the user sees the
    unit's projects: roles reach down), filtered, sorted and paged by 100, with counts by
    stage over every page: four queries whatever the number of projects."""
    filters = filters or PortfolioFilters()
    key = filters.sort.lstrip("-")
    label_ordering = PORTFOLIO_SORTS.get(key) or PORTFOLIO_SORTS["stage"]
    ordering = list(label_ordering[1])
    if filters.sort.startswith("-"):
        ordering[0] = "-" + ordering[0]
    rows = (
        _filtered(unit, filters)
        .select_related("unit", "lead")
        .only(
            "title",
            "aim",
            "method",
            "stage",
            "progress_score",
            "starts_on",
            "ends_on",
            "unit__name",
            "unit__path",
            "lead__display_name",
            "lead__username",
        )
        .annotate(stage_order=_stage_order())
        .order_by(*ordering, "pk")
    )
    counts = dict(
        _filtered(unit, filters, stage=False)
        .order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    stage_counts = [(value, label, counts.get(value, 0)) for value, label in Stage.choices]
    total = counts.get(filters.stage, 0) if filters.stage else sum(n for _, _, n in stage_counts)
    paginator = Paginator(rows, PORTFOLIO_PAGE_SIZE)
    # The count is known from the stage counts: no COUNT query for the pages.
    paginator.count = total
    return PortfolioPage(
        unit=unit,
        page=paginator.get_page(page),
        stage_counts=stage_counts,
        total=total,
        sort=filters.sort if key in PORTFOLIO_SORTS else "stage",
    )


def your_projects(user) -> QuerySet[Project]:
    """The projects the person leads, coaches, sponsors or was given a role on, still open
    ones first: how a partner finds the one project they are on."""
    content_type = ContentType.objects.get_for_model(Project)
    granted = ObjectGrant.objects.filter(person=user, content_type=content_type).values("object_id")
    return (
        Project.objects.filter(Q(lead=user) | Q(coach=user) | Q(sponsor=user) | Q(pk__in=granted))
        .select_related("unit", "lead")
        .annotate(stage_order=_stage_order())
        .order_by("stage_order", "title", "pk")
    )


@dataclass
class HomeProjects:
    """Home's card: the person's projects that are not closed."""

    projects: list[Project]
    count: int
    # The PDSA cycles the person owns that are due within a week or overdue (cycles' part).
    cycles_due: list = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.projects or self.cycles_due)


HOME_LIMIT = 6


def home_projects(user) -> HomeProjects | None:
    """The person's open projects for home, and the PDSA cycles they own that end soon (None,
    no card, for someone with neither)."""
    from qms.improvement.selectors.cycles import cycles_due

    if not user.is_authenticated:
        return None
    projects = list(your_projects(user).exclude(stage=Stage.CLOSED)[: HOME_LIMIT + 1])
    due = cycles_due(user)
    if not projects and not due:
        return None
    return HomeProjects(projects=projects[:HOME_LIMIT], count=len(projects), cycles_due=due)


# The project page ------------------------------------------------------------------------------


@dataclass
class TeamMember:
    person: Person
    roles: list[str]  # labels, leading roles first
    grants: list[ObjectGrant]  # the removable roles given on the project


@dataclass
class ProjectIssue:
    issue: Issue
    escalation: Escalation | None  # the latest step of its chain, if it was escalated
    seen: bool  # the user may open the issue's page


@dataclass
class ProjectPage:
    project: Project
    can_lead: bool
    can_work: bool
    can_raise: bool
    can_see_unit: bool  # the unit's portfolio (its staff)
    can_link_measures: bool  # the team's staff (measures are for staff)
    team: list[TeamMember]
    measures: list[tuple[ProjectMeasure, object]]  # (link, control measure with its results)
    aim_problems: list[str]
    source_title: str
    source_link: str
    issues: list[ProjectIssue]
    open_issues: int
    sections: dict = field(default_factory=dict)
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def progress_meaning(self) -> str:
        return PROGRESS_SCALE.get(self.project.progress_score, "")


def _team(project: Project) -> list[TeamMember]:
    """Who is on the team: the people given a role on the project, and the lead, coach and
    sponsor the charter names (who may hold their role in the unit instead). One query."""
    content_type = ContentType.objects.get_for_model(Project)
    grants = list(
        ObjectGrant.objects.filter(content_type=content_type, object_id=project.pk)
        .select_related("person")
        .order_by("person__display_name", "pk")
    )
    members: dict[int, TeamMember] = {}

    def entry(person: Person) -> TeamMember:
        return members.setdefault(person.pk, TeamMember(person=person, roles=[], grants=[]))

    named = (
        (project.lead, "Project lead"),
        (project.coach, "Improvement coach"),
        (project.sponsor, "Sponsor"),
    )
    for person, label in named:
        if person is not None:
            entry(person).roles.append(label)
    for grant in grants:
        member = entry(grant.person)
        member.grants.append(grant)
        label = grant.get_role_display()
        if label not in member.roles and not (
            grant.role == Role.TEAM_LEAD and "Project lead" in member.roles
        ):
            member.roles.append(label)

    def order(member: TeamMember) -> tuple:
        charter = min(
            (i for i, (p, _) in enumerate(named) if p is not None and p.pk == member.person.pk),
            default=len(named),
        )
        granted = min((LISTING_ORDER.get(g.role, 99) for g in member.grants), default=99)
        return (charter, granted, member.person.display_name.lower(), member.person.pk)

    return sorted(members.values(), key=order)


def team_of(project: Project) -> list[TeamMember]:
    """The project's team as its page lists it (for the API)."""
    return _team(project)


def _source(user, project: Project) -> tuple[str, str]:
    """The record the project started from, when it exists and the user may see it."""
    if project.source_type_id is None:
        return "", ""
    record = project.source_record
    if record is None:
        return "", ""
    try:
        seen = bool(access.roles_on(user, record) & roles.VIEWERS)
    except AttributeError:
        seen = False
    return (str(record), record.get_absolute_url()) if seen else ("", "")


def _issues(user, project: Project) -> list[ProjectIssue]:
    """The issues raised from the project (its blockers), open first, each with the latest
    step of its escalation chain and whether the user may open it. Two queries."""
    project_type = ContentType.objects.get_for_model(Project)
    issues = list(
        Issue.objects.filter(source_type=project_type, source_id=project.pk)
        .select_related("unit", "owner")
        .order_by("status", "-created_at", "-pk")
    )
    issues.sort(key=lambda issue: issue.status == IssueStatus.CLOSED)
    latest: dict[int, Escalation] = {}
    if issues:
        issue_type = ContentType.objects.get_for_model(Issue)
        for escalation in Escalation.objects.filter(
            content_type=issue_type, object_id__in=[issue.pk for issue in issues]
        ).select_related("to_unit"):
            latest[escalation.object_id] = escalation  # ordered oldest first: the last wins
    return [
        ProjectIssue(issue, latest.get(issue.pk), _may_open_issue(user, issue)) for issue in issues
    ]


def _may_open_issue(user, issue: Issue) -> bool:
    """As the issue page decides: its unit's staff, or anyone given a role on the issue."""
    from qms.issues.roles import GRANTED_VIEWERS, VIEWERS

    return bool(access.roles_on(user, issue) & VIEWERS) or bool(
        access.granted_roles(user, issue) & GRANTED_VIEWERS
    )


def _measures(user, project: Project) -> list[tuple[ProjectMeasure, object]]:
    """The linked measures, outcome first, with their stored results; each marked `seen` when
    the user may open its page (measures are for staff: a partner reads the values here)."""
    links = list(project.project_measures.all())
    measures = control_selectors.measures_with_results(link.measure_id for link in links)
    for measure in measures.values():
        measure.seen = bool(access.roles_on(user, measure) & roles.VIEWERS)
    order = {role: position for position, role in enumerate(MeasureRole.values)}
    rows = [(link, measures[link.measure_id]) for link in links if link.measure_id in measures]
    rows.sort(key=lambda row: (order[row[0].role], row[1].name.lower()))
    return rows


def _sections(project: Project, user) -> dict:
    """The context of each part's section of the page, from that part's selector."""
    from qms.improvement import selectors

    return {
        "diagram": selectors.diagram_section(project, user),
        "cycles": selectors.cycles_section(project, user),
        "prototypes": selectors.prototypes_section(project, user),
        "methods": selectors.methods_section(project, user),
        "progress": selectors.progress_section(project, user),
        "packages": selectors.packages_section(project, user),
    }


def project_page(user, project: Project) -> ProjectPage:
    """Everything the project page shows of projects' part: who may do what, the team, the
    measures with their latest values and icons, the aim's check, the source record, the
    issues raised from the project; and each other part's section. A fixed number of
    queries."""
    held = access.roles_on(user, project)
    can_work = may_change(user, project)
    title, link = _source(user, project)
    issues = _issues(user, project)
    return ProjectPage(
        project=project,
        can_lead=bool(held & roles.LEADS),
        can_work=can_work,
        can_raise=bool(access.roles_in(user, project.unit) & RAISERS),
        can_see_unit=bool(access.roles_in(user, project.unit) & roles.VIEWERS),
        can_link_measures=can_work and access.unit_paths_with_role(user, roles.VIEWERS) != [],
        team=_team(project),
        measures=_measures(user, project),
        aim_problems=aim_problems(project.aim),
        source_title=title,
        source_link=link,
        issues=issues,
        open_issues=sum(1 for row in issues if row.issue.status != IssueStatus.CLOSED),
        sections=_sections(project, user),
    )


# Starting a project ----------------------------------------------------------------------------


@dataclass
class StartContext:
    """What a project started from a record carries over: where it came from, the unit, the
    problem's words, and the measure to watch as its outcome."""

    record: object
    reference: str
    unit: Unit
    problem: str
    measure: object | None
    title: str
    # Projects already started from the same record that the user sees: a second is rarely
    # what is wanted, so the page names them first.
    started: list = field(default_factory=list)


def start_context(user, reference: str) -> StartContext | None:
    """The record a new project starts from (`?from=control.signal:12` or
    `?from=issues.issue:7`), if the user may see it: Http404 for an unknown kind or a record
    they cannot see; None for no reference."""
    if not reference:
        return None
    start = _start_record(user, reference)
    source = Project.objects.filter(
        source_type=ContentType.objects.get_for_model(start.record), source_id=start.record.pk
    )
    start.started = list(access.visible(user, source, roles.VIEWERS).select_related("unit"))
    return start


def _start_record(user, reference: str) -> StartContext:
    from django.http import Http404

    label, _, pk = reference.partition(":")
    label = label.lower()
    if label == "control.signal":
        signal = control_selectors.signal_seen(user, pk)
        measure = signal.measure
        return StartContext(
            record=signal,
            reference=f"control.signal:{signal.pk}",
            unit=measure.unit,
            problem=f"{measure.name}: {signal.explanation}",
            measure=measure,
            title=f"Improve {measure.name}"[:200],
        )
    if label == "issues.issue":
        from qms.issues.roles import GRANTED_VIEWERS, VIEWERS

        issue = access.object_or_404(
            user, Issue.objects.select_related("unit"), pk, VIEWERS, granted=GRANTED_VIEWERS
        )
        return StartContext(
            record=issue,
            reference=f"issues.issue:{issue.pk}",
            unit=issue.unit,
            problem=issue.description or issue.title,
            measure=None,
            title=issue.title,
        )
    raise Http404("No such record")


def measure_choices(user, unit: Unit, text: str = "", *, limit: int = 50) -> list:
    """Measures a project of `unit` may link: those of `unit` and below that the user sees,
    matching `text`, with their results (two queries at most)."""
    filters = control_selectors.MeasureFilters(text=text, sort="name")
    return list(control_selectors.measures_in(user, unit, filters)[:limit])


# The choices of the portfolio's filters, in one place for the form.
METHOD_CHOICES = Method.choices
STAGE_CHOICES = Stage.choices


# For quality planning (resources and roles) ------------------------------------------------------


def projects_with_unit() -> QuerySet[Project]:
    """Every project with its unit, for another area to find one by id through
    `qms.people.access.object_or_404` (it imports none of improvement's models)."""
    return Project.objects.select_related("unit")


def open_projects_in(unit: Unit) -> QuerySet[Project]:
    """The projects of the unit and the units below it that are not closed: the ones whose
    protected hours and budget are still committed."""
    return (
        access.in_subtree(Project.objects.all(), unit)
        .exclude(stage=Stage.CLOSED)
        .select_related("unit")
    )


# For the learning system (similar work) ------------------------------------------------------


@dataclass(frozen=True)
class SimilarityRows:
    """Records of one kind as text, for another area to compare (qms.learning's similar work):
    `rows` hold pk, unit_id, unit_path, unit_name and the text fields (title, aim, problem,
    measures, factors); who may see one is `viewer_roles` in its unit (or above) or any role
    granted on it (`grant_content_type_id`, None when the kind takes no grants)."""

    kind: str
    rows: list[dict]
    viewer_roles: frozenset[str]
    grant_content_type_id: int | None


def project_texts() -> SimilarityRows:
    """Every project's title, aim, problem, its measures' names and its driver diagram's
    drivers and change ideas: three queries whatever the number of projects."""
    rows = {
        row["pk"]: {**row, "measures": [], "factors": []}
        for row in Project.objects.values(
            "pk",
            "unit_id",
            "title",
            "aim",
            "problem",
            unit_path=F("unit__path"),
            unit_name=F("unit__name"),
        )
    }
    for project_id, name in ProjectMeasure.objects.values_list("project_id", "measure__name"):
        if project_id in rows:
            rows[project_id]["measures"].append(name)
    nodes = DriverNode.objects.exclude(kind=NodeKind.AIM).order_by("position", "pk")
    for project_id, text in nodes.values_list("project_id", "text"):
        if project_id in rows:
            rows[project_id]["factors"].append(text)
    return SimilarityRows(
        kind="project",
        rows=list(rows.values()),
        viewer_roles=frozenset(roles.VIEWERS),
        grant_content_type_id=ContentType.objects.get_for_model(Project).pk,
    )


def project_texts_version_parts() -> dict[str, Subquery]:
    """Subqueries whose values change whenever a project, its measures or its diagram change:
    the number of projects (rows written in bulk, by a benchmark or a migration, record no
    history) and the latest history row of each (every write records one, deletions too). The
    learning system reads them with other areas' in one SELECT."""
    parts = {
        f"improvement_{name}": Subquery(
            model.objects.order_by("-history_id").values("history_id")[:1]
        )
        for name, model in (
            ("projects", Project.history.model),
            ("measures", ProjectMeasure.history.model),
            ("nodes", DriverNode.history.model),
        )
    }
    parts["improvement_count"] = Subquery(
        Project.objects.order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    return parts


def project_texts_version() -> tuple:
    """A value that changes whenever a project, its measures or its diagram change (see
    project_texts_version_parts): one query, on indexes."""
    parts = project_texts_version_parts()
    # One row of a table that always has rows carries the subqueries.
    values = ContentType.objects.annotate(**parts).values_list(*parts)[:1]
    return tuple(values[0]) if values else ()
