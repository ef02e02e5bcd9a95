"""Reads of quality improvement: the progress score's evidence, change packages and their
adoptions, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Case, Count, DateField, F, Max, Prefetch, Q, When
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.improvement import progress, roles
from qms.improvement.models import (
    PROGRESS_CHOICES,
    PROGRESS_SCALE,
    ActDecision,
    Adoption,
    AdoptionStatus,
    ChangePackage,
    CycleStage,
    DriverNode,
    NodeKind,
    PackageStatus,
    PdsaCycle,
    ProgressAssessment,
    Project,
    ProjectMeasure,
)
from qms.people import access
from qms.people.models import ObjectGrant, Person, Unit
from qms.text.aims import aim_problems

__all__ = [
    "progress_section",
    "packages_section",
    "progress_evidence",
    "progress_suggest",
    "package_measure_ids",
    "package_offer",
    "package_readable",
    "package_changeable",
    "project_readable",
    "packages_published",
    "package_published",
    "package_page",
    "adoption_page",
    "adopter_units",
    "unit_measures",
    "measure_model",
    "may_read_published",
    "unit_staff",
]

# Days in an average month, to say how long an improvement has held whatever the frequency.
DAYS_PER_MONTH = 365.25 / 12
STUDIED = (CycleStage.ACT, CycleStage.DONE)
# Change ideas whose cycles ended in these decisions are offered first for a package.
TESTED = (ActDecision.ADOPT, ActDecision.ADAPT)


def measure_model():
    """Quality control's Measure, named by string (improvement imports none of control's
    models)."""
    return apps.get_model("control", "Measure")


def _period_end(period: dt.date, frequency: str) -> dt.date:
    """The day after the period that starts on `period`."""
    if frequency == "day":
        return period + dt.timedelta(days=1)
    if frequency == "week":
        return period + dt.timedelta(days=7)
    months = 3 if frequency == "quarter" else 1
    month = period.month - 1 + months
    return dt.date(period.year + month // 12, month % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> float:
    return max(0.0, (end - start).days / DAYS_PER_MONTH)


@dataclass(frozen=True)
class Finding:
    """What quality control found on one measure since a date, as this area reads it."""

    improved: bool = False
    improving_since: dt.date | None = None
    latest_period: dt.date | None = None
    holds: bool = False
    held_points: int = 0
    held_since: dt.date | None = None
    new_phase: bool = False
    explanation: str = ""


def _first(finding, *names, default=None):
    for name in names:
        value = getattr(finding, name, None)
        if value is not None:
            return value
    return default


def _finding(found) -> Finding:
    """Quality control's ImprovementFinding, read by the names it gives."""
    if found is None:
        return Finding()
    return Finding(
        improved=bool(_first(found, "improved", "improvement", "has_improvement", default=False)),
        improving_since=_first(found, "first_period", "improving_since", "first_improvement"),
        latest_period=_first(found, "latest_period", "last_period"),
        holds=bool(_first(found, "holds", "held", "sustained", default=False)),
        held_points=int(_first(found, "held_points", default=0) or 0),
        held_since=_first(found, "held_since"),
        new_phase=bool(_first(found, "new_phase", "phase_started", default=False)),
        explanation=str(_first(found, "explanation", default="") or ""),
    )


# What a measure's finding depends on, read with the rows that name the measure: its results'
# time, its data's last change (new values and phases) and the last suggestion of new limits
# decided (a dismissed one no longer counts). Counts beside them must be distinct: the
# suggestions' join repeats rows.
RESULT_VERSION = {
    "v_computed": Max("measure__result__computed_at"),
    "v_changed": Max("measure__data_changed_at"),
    "v_decided": Max("measure__baseline_suggestions__decided_at"),
}
FINDINGS_CACHE_SECONDS = 24 * 60 * 60


def _version(row: dict) -> tuple:
    return tuple(str(row.get(name)) for name in RESULT_VERSION)


def findings_since(measure_ids, since, versions: dict | None = None) -> dict[int, Finding]:
    """Quality control's findings of special cause improvement on these measures since a date
    (or a mapping of measure id to date): stored SPC results, a fixed number of queries. With
    `versions` (measure id: what its results depend on, `RESULT_VERSION`) the findings are
    cached under a key holding them, so a page reads them again only once something changed."""
    ids = sorted(set(measure_ids))
    if not ids or since is None:
        return {}
    key = None
    if versions is not None:
        dates = {i: since.get(i) if isinstance(since, dict) else since for i in ids}
        digest = repr([(i, str(dates[i]), versions.get(i)) for i in ids])
        key = "qms:improvement-findings:1:" + hashlib.sha256(digest.encode()).hexdigest()[:32]
        cached = cache.get(key)
        if cached is not None:
            return cached
    found = control_selectors.improvement_since(ids, since)
    findings = {measure_id: _finding(found.get(measure_id)) for measure_id in ids}
    if key is not None:
        cache.set(key, findings, FINDINGS_CACHE_SECONDS)
    return findings


# Progress score -------------------------------------------------------------------------------


def _team_size(project: Project) -> int:
    content_type = ContentType.objects.get_for_model(Project)
    people = set(
        ObjectGrant.objects.filter(content_type=content_type, object_id=project.pk).values_list(
            "person_id", flat=True
        )
    )
    people |= {pk for pk in (project.lead_id, project.coach_id) if pk}
    return len(people)


def progress_evidence(project: Project) -> progress.ProjectEvidence:
    """Everything the project's progress score is suggested from, in a fixed number of
    queries: its charter, team, driver diagram, cycles, measures and what quality control finds
    on them since the first test, and adoptions of its change packages elsewhere."""
    today = timezone.localdate()
    kinds = dict(
        DriverNode.objects.filter(project=project)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    cycles = list(
        PdsaCycle.objects.filter(project=project).values_list("stage", "decision", "starts_on")
    )
    started = [c for c in cycles if c[0] != CycleStage.PLAN or c[2] <= today]
    first_test = min((c[2] for c in started), default=None)
    decisions: dict[str, int] = defaultdict(int)
    for _, decision, _ in cycles:
        if decision:
            decisions[decision] += 1
    baseline_filter = (
        Q(measure__observations__period__lt=first_test) if first_test else Q(pk__isnull=False)
    )
    links = list(
        ProjectMeasure.objects.filter(project=project)
        .values("measure_id", "role", "measure__name", "measure__frequency")
        .annotate(
            points=Count("measure__observations", distinct=True),
            baseline=Count("measure__observations", filter=baseline_filter, distinct=True),
            **RESULT_VERSION,
        )
        .order_by("role", "measure__name")
    )
    findings = findings_since(
        [link["measure_id"] for link in links],
        first_test,
        versions={link["measure_id"]: _version(link) for link in links},
    )
    measures = []
    for link in links:
        found = findings.get(link["measure_id"], Finding())
        held_months = 0.0
        if found.holds and found.held_since and found.latest_period:
            end = _period_end(found.latest_period, link["measure__frequency"])
            held_months = months_between(found.held_since, end)
        measures.append(
            progress.MeasureEvidence(
                name=link["measure__name"],
                role=link["role"],
                points=link["points"],
                baseline=link["baseline"] if first_test else link["points"],
                improved=found.improved,
                improving_since=found.improving_since,
                holds=found.holds,
                held_points=found.held_points,
                held_since=found.held_since,
                held_months=held_months,
                new_phase=found.new_phase,
                explanation=found.explanation,
            )
        )
    adoptions = (
        Adoption.objects.filter(
            package__project=project,
            status__in=(AdoptionStatus.ADOPTING, AdoptionStatus.ADOPTED),
        )
        .exclude(unit_id=project.unit_id)
        .values("unit_id")
        .distinct()
        .count()
    )
    return progress.ProjectEvidence(
        title=project.title,
        has_problem=bool(project.problem.strip()),
        has_aim=bool(project.aim.strip()),
        aim_problems=tuple(aim_problems(project.aim)) if project.aim.strip() else (),
        team_size=_team_size(project),
        has_lead=project.lead_id is not None,
        primary_drivers=kinds.get(NodeKind.PRIMARY, 0),
        change_ideas=kinds.get(NodeKind.CHANGE_IDEA, 0),
        measures=tuple(measures),
        cycles_started=len(started),
        cycles_studied=sum(1 for c in cycles if c[0] in STUDIED),
        decisions=dict(decisions),
        first_test_on=first_test,
        stage=project.stage,
        stage_label=project.get_stage_display(),
        adoptions_elsewhere=adoptions,
    )


def progress_suggest(project: Project) -> progress.ProgressSuggestion:
    """The progress score the project's evidence suggests, with its reasons."""
    return progress.suggest(progress_evidence(project))


def progress_section(project, user) -> dict:
    """The context of the project page's progress section (improvement/_project_progress.html,
    given as `progress`), loaded in a fixed number of queries."""
    suggestion = progress_suggest(project)
    assessments = list(
        ProgressAssessment.objects.filter(project=project).select_related("assessed_by")[:20]
    )
    score = project.progress_score
    return {
        "score": score,
        "meaning": PROGRESS_SCALE.get(score, ""),
        "suggestion": suggestion,
        "suggested_meaning": PROGRESS_SCALE[suggestion.score],
        "agrees": score == suggestion.score,
        "assessments": assessments,
        "can_confirm": access.can(user, project, roles.LEADS),
        "choices": PROGRESS_CHOICES,
        "scale": list(PROGRESS_SCALE.items()),
    }


# Change packages ------------------------------------------------------------------------------


def package_measure_ids(project: Project) -> set[int]:
    """The measures a project may put in a change package: those linked to it and to its
    driver diagram's nodes."""
    linked = set(
        ProjectMeasure.objects.filter(project=project).values_list("measure_id", flat=True)
    )
    on_nodes = set(
        DriverNode.measures.through.objects.filter(drivernode__project=project).values_list(
            "measure_id", flat=True
        )
    )
    return linked | on_nodes


def package_offer(project: Project) -> dict:
    """What a project's leads choose from for a package: its change ideas, those whose cycles
    ended in adopt or adapt first (with their cycles' counts), and its measures with their
    operational definitions."""
    ideas = list(
        DriverNode.objects.filter(project=project, kind=NodeKind.CHANGE_IDEA)
        .annotate(
            cycle_count=Count("cycles", distinct=True),
            tested=Count("cycles", filter=Q(cycles__decision__in=TESTED), distinct=True),
        )
        .order_by("-tested", "-cycle_count", "position", "pk")
    )
    measures = list(
        measure_model()
        .objects.filter(pk__in=package_measure_ids(project))
        .select_related("unit")
        .order_by("name", "pk")
    )
    return {"change_ideas": ideas, "measures": measures}


def may_read_published(user) -> bool:
    """Whether the user reads published packages: staff anywhere in the organisation."""
    paths = access.unit_paths_with_role(user, roles.PACKAGE_READERS)
    return paths is None or bool(paths)


def package_readable(user, package: ChangePackage) -> bool:
    """Published (or withdrawn once published) packages are read by staff anywhere in the
    organisation; drafts only by those who read the project (its staff, and its team)."""
    if package.status != PackageStatus.DRAFT and may_read_published(user):
        return True
    return _reads_project(user, package.project)


def package_changeable(user, package: ChangePackage) -> bool:
    """Whether the user changes the package now: a lead of its project, unless it was
    withdrawn (a withdrawn package is kept as it was). For other areas citing it."""
    return package.status != PackageStatus.WITHDRAWN and access.can(user, package, roles.LEADS)


def project_readable(user, project: Project) -> bool:
    """Whether the user reads the project and what lives under it (its driver diagram's
    change ideas): its unit's staff, and its team. For other areas."""
    return _reads_project(user, project)


def _reads_project(user, project: Project) -> bool:
    """Its unit's staff, and those given a role on it (its team)."""
    held = access.roles_on(user, project)
    return bool(held & roles.VIEWERS or access.granted_roles(user, project) & roles.GRANTED_VIEWERS)


def packages_section(project, user) -> dict:
    """The context of the project page's packages section (improvement/_project_packages.html,
    given as `packages`), loaded in a fixed number of queries."""
    packages = list(
        ChangePackage.objects.filter(project=project)
        .annotate(
            adoption_count=Count("adoptions", filter=~Q(adoptions__status=AdoptionStatus.STOPPED))
        )
        .order_by("-created_at", "-pk")
    )
    return {
        "packages": packages,
        "can_create": access.can(user, project, roles.LEADS),
        "can_list": may_read_published(user),
    }


def package_published(package_id) -> ChangePackage | None:
    """The published change package with this id, with its project and unit, or None: for
    another area that shares packages (a learning network), which checks its own reader."""
    try:
        return (
            ChangePackage.objects.select_related("project__unit")
            .filter(status=PackageStatus.PUBLISHED)
            .get(pk=package_id)
        )
    except (ChangePackage.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def packages_published(user, *, text: str = "") -> list[ChangePackage]:
    """Published packages for the list every member of staff reads, newest first, with their
    project and unit and how many units adopt them."""
    packages = ChangePackage.objects.filter(status=PackageStatus.PUBLISHED)
    if text:
        packages = packages.filter(
            Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(project__title__icontains=text)
        )
    return list(
        packages.select_related("project__unit")
        .annotate(
            adoption_count=Count("adoptions", filter=~Q(adoptions__status=AdoptionStatus.STOPPED)),
            idea_count=Count("change_ideas", distinct=True),
        )
        .order_by("-published_at", "-pk")
    )


@dataclass
class AdoptedMeasure:
    measure: object
    finding: Finding
    points_since: int  # data points in periods on or after the adoption date
    latest_period: dt.date | None
    sentence: str
    can_open: bool = False  # whether the reader may open the measure's page


@dataclass
class AdoptionRow:
    adoption: Adoption
    measures: list[AdoptedMeasure] = field(default_factory=list)


def _month_count(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def period_start(day: dt.date, frequency: str) -> dt.date:
    """The first day of the period that holds `day` (ISO weeks start on Monday), as quality
    control's periods are stored."""
    if frequency == "week":
        return day - dt.timedelta(days=day.weekday())
    if frequency == "month":
        return day.replace(day=1)
    if frequency == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day


def _months(count: int) -> str:
    return f"{count} month{'s' if count != 1 else ''}"


def _adopted_sentence(adoption: Adoption, measure, found: Finding, points: int, latest) -> str:
    """Whether the measure shows special cause improvement after the adoption, and how long
    after (“Improving since Feb 2026, 4 months after adoption”), or how much data there is
    since (“No special cause improvement yet: 5 points, 5 months of data since adoption”).
    The period that holds the adoption date counts as after it."""
    if found.improved and found.improving_since:
        months = _month_count(adoption.adopted_on, found.improving_since)
        after = "from the month of adoption" if months <= 0 else f"{_months(months)} after adoption"
        sentence = f"Improving since {progress.month_year(found.improving_since)}, {after}"
        if found.holds and found.held_points:
            sentence += f"; held for {found.held_points} points"
        elif not found.holds:
            sentence += "; not holding at the latest point"
        return sentence + "."
    if not points or latest is None:
        return "No data since adoption yet."
    start = period_start(adoption.adopted_on, measure.frequency)
    months = round(months_between(start, _period_end(latest, measure.frequency)))
    span = f"{_months(months)} of data" if months >= 1 else "less than a month of data"
    return (
        f"No special cause improvement yet: {points} point{'s' if points != 1 else ''}, "
        f"{span} since adoption."
    )


def _adoption_period_start():
    """In a query of adoptions' measures: the first day of the measure's period that holds the
    adoption date (that period counts as after the adoption, as quality control counts it)."""
    adopted_on = "adoption__adopted_on"
    return Case(
        When(measure__frequency="week", then=TruncWeek(adopted_on)),
        When(measure__frequency="month", then=TruncMonth(adopted_on)),
        When(measure__frequency="quarter", then=TruncQuarter(adopted_on)),
        default=F(adopted_on),
        output_field=DateField(),
    )


def _adoption_rows(adoptions: list[Adoption]) -> list[AdoptionRow]:
    """Each adoption with what its measures show since its date: quality control's findings,
    one call per distinct adoption date, and the data since adoption in one query."""
    through = Adoption.measures.through
    counts = {
        (row["adoption_id"], row["measure_id"]): row
        for row in through.objects.filter(adoption__in=[a.pk for a in adoptions])
        .values("adoption_id", "measure_id")
        .alias(start=_adoption_period_start())
        .annotate(
            points=Count(
                "measure__observations",
                filter=Q(measure__observations__period__gte=F("start")),
                distinct=True,
            ),
            latest=Max("measure__observations__period"),
            **RESULT_VERSION,
        )
    }
    versions = {measure_id: _version(row) for (_, measure_id), row in counts.items()}
    # One call to quality control for all the adoptions, each measure with its adoption's
    # date (another call only for a measure that two adoptions share).
    rounds: list[dict[int, dt.date]] = []
    for adoption in adoptions:
        for measure in adoption.measures.all():
            free = next((r for r in rounds if measure.pk not in r), None)
            if free is None:
                free = {}
                rounds.append(free)
            free[measure.pk] = adoption.adopted_on
    found_in: dict[tuple[int, dt.date], Finding] = {}
    for dates in rounds:
        for measure_id, finding in findings_since(list(dates), dates, versions).items():
            found_in[(measure_id, dates[measure_id])] = finding
    rows = []
    for adoption in adoptions:
        row = AdoptionRow(adoption)
        for measure in adoption.measures.all():
            found = found_in.get((measure.pk, adoption.adopted_on), Finding())
            data = counts.get((adoption.pk, measure.pk), {})
            points, latest = data.get("points", 0), data.get("latest")
            row.measures.append(
                AdoptedMeasure(
                    measure,
                    found,
                    points,
                    latest,
                    _adopted_sentence(adoption, measure, found, points, latest),
                )
            )
        rows.append(row)
    return rows


@dataclass
class PackagePage:
    package: ChangePackage
    change_ideas: list
    measures: list
    adoptions: list[AdoptionRow]
    can_lead: bool
    adopter_units: list[Unit]
    can_list: bool
    can_see_project: bool


def _adoptions_of(queryset):
    return queryset.select_related("unit", "lead").prefetch_related(
        Prefetch(
            "measures",
            queryset=measure_model().objects.select_related("unit").order_by("name", "pk"),
        )
    )


def package_page(user, package: ChangePackage) -> PackagePage:
    """A package's page: its change ideas (with their cycles' decisions), measures with their
    operational definitions, and every adoption with what its measures show since adoption."""
    ideas = list(
        package.change_ideas.annotate(
            cycle_count=Count("cycles", distinct=True),
            adopted=Count("cycles", filter=Q(cycles__decision=ActDecision.ADOPT), distinct=True),
            adapted=Count("cycles", filter=Q(cycles__decision=ActDecision.ADAPT), distinct=True),
        ).order_by("position", "pk")
    )
    measures = list(package.measures.select_related("unit").order_by("name", "pk"))
    adoptions = list(_adoptions_of(package.adoptions.all()).order_by("unit__path"))
    units = []
    if package.status == PackageStatus.PUBLISHED:
        adopted = {adoption.unit_id for adoption in adoptions}
        units = [unit for unit in adopter_units(user, package) if unit.pk not in adopted]
    return PackagePage(
        package=package,
        change_ideas=ideas,
        measures=measures,
        adoptions=_adoption_rows(adoptions),
        can_lead=access.can(user, package.project, roles.LEADS),
        adopter_units=units,
        can_list=may_read_published(user),
        can_see_project=_reads_project(user, package.project),
    )


def adopter_units(user, package: ChangePackage) -> list[Unit]:
    """The units where the user may adopt the package (where they lead, and the units below),
    leaving out its own project's unit and those that adopted it already."""
    return list(
        access.units_with_role(user, roles.ADOPTERS)
        .exclude(pk=package.project.unit_id)
        .exclude(adoptions__package=package)
        .order_by("path")
    )


def unit_staff(unit: Unit) -> list[Person]:
    """Who may lead an adoption in a unit: active staff with a role in it or a unit above."""
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__unit_id__in=unit.ancestor_ids,
            memberships__role__in=roles.VIEWERS,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def unit_measures(unit: Unit) -> list:
    """The active measures of a unit and the units below it, to link to an adoption."""
    return list(
        access.in_subtree(measure_model().objects.filter(is_active=True), unit)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


@dataclass
class AdoptionPage:
    adoption: Adoption
    row: AdoptionRow
    can_edit: bool
    moves: list[tuple[str, str]]


def adoption_page(user, adoption: Adoption) -> AdoptionPage:
    """An adoption's page: the package it adopts, its adaptations and context, its measures
    with what they show since adoption, and the moves its editors may make."""
    from qms.improvement.services.spread import ADOPTION_MOVES

    loaded = _adoptions_of(Adoption.objects.filter(pk=adoption.pk)).get()
    (row,) = _adoption_rows([loaded])
    for item in row.measures:
        item.can_open = access.can(user, item.measure, roles.VIEWERS)
    moves = [
        (status.value, status.label)
        for status in AdoptionStatus
        if status in ADOPTION_MOVES[AdoptionStatus(adoption.status)]
    ]
    return AdoptionPage(
        adoption=loaded,
        row=row,
        can_edit=access.can(user, adoption.unit, roles.ADOPTERS),
        moves=moves,
    )
