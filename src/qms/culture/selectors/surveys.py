"""Reads of surveys: the runs a person may answer or read, how far an open run has got, and
the results of a closed one, with every group below the minimum size suppressed.

Suppression (see docs/culture.md, "Relationships measured"): a cell of the relational
coordination matrix (respondents of one workgroup rating one workgroup) shows its mean only
when at least `minimum_group_size` respondents rated it; every total (a row, a column, a
dimension, the index, the run's place on the trend) is computed from the cells shown and
nothing else, so no hidden cell can be worked out by subtracting shown ones from a total. A
pulse shows its score only with at least that many respondents. Nothing here reads who
answered except for the person asking about themselves."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from qms.culture import instruments, roles
from qms.culture.models import (
    SurveyKind,
    SurveyParticipation,
    SurveyResponse,
    SurveyRun,
    SurveyWorkgroup,
)
from qms.people import access
from qms.people.models import ObjectGrant, Unit

# While a survey is open its count is shown in steps of five, once it reaches the minimum,
# so that watching the count does not tell who has just answered.
COUNT_STEP = 5


# Runs -------------------------------------------------------------------------------------------


def runs_of(unit: Unit) -> QuerySet[SurveyRun]:
    """The unit's surveys, newest first."""
    return SurveyRun.objects.filter(unit=unit).select_related("unit").order_by("-opens_on", "-pk")


def answerable(user, *, today: datetime.date | None = None) -> list[SurveyRun]:
    """Open surveys the user may answer and has not: of their units (and below), and those
    they were invited to."""
    today = today or timezone.localdate()
    open_runs = SurveyRun.objects.filter(opens_on__lte=today, closes_on__gte=today)
    in_units = access.visible(user, open_runs, roles.SURVEY_RESPONDENTS)
    invited = open_runs.filter(pk__in=_invited_run_ids(user))
    runs = (in_units | invited).exclude(participations__person=user)
    return list(runs.select_related("unit").distinct().order_by("closes_on", "pk"))


def _invited_run_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    content_type = ContentType.objects.get_for_model(SurveyRun)
    return list(
        ObjectGrant.objects.filter(
            person=user, content_type=content_type, role__in=roles.SURVEY_RESPONDENTS
        ).values_list("object_id", flat=True)
    )


def has_answered(user, run: SurveyRun) -> bool:
    """Whether this person has answered (for telling them so; never read about anyone else)."""
    return SurveyParticipation.objects.filter(run=run, person=user).exists()


@dataclass(frozen=True)
class Progress:
    """How far an open survey has got, as far as can be said without telling who answered."""

    minimum: int
    # None while fewer than the minimum have answered; then the count rounded down to a step.
    at_least: int | None


def progress(run: SurveyRun) -> Progress:
    count = SurveyParticipation.objects.filter(run=run).count()
    if count < run.minimum_group_size:
        return Progress(run.minimum_group_size, None)
    return Progress(
        run.minimum_group_size, max(run.minimum_group_size, count // COUNT_STEP * COUNT_STEP)
    )


# Results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One tie: respondents of `row` rating `column`. `mean` and `dimensions` are None when
    fewer than the minimum rated it (suppressed); `n` is None then too."""

    n: int | None
    mean: float | None
    dimensions: tuple[float, ...] | None

    @property
    def band(self) -> str:
        return instruments.band(self.mean) if self.mean is not None else "suppressed"


@dataclass(frozen=True)
class Row:
    workgroup: str
    n: int | None  # respondents of this workgroup, None below the minimum
    cells: tuple[Cell, ...]
    mean: float | None  # over this row's shown cells only


@dataclass(frozen=True)
class Total:
    label: str
    mean: float | None


@dataclass(frozen=True)
class RcResults:
    run: SurveyRun
    minimum: int
    workgroups: tuple[str, ...]
    rows: tuple[Row, ...]
    columns: tuple[Total, ...]  # how each workgroup is seen, over shown cells
    dimensions: tuple[Total, ...]  # each dimension over shown cells
    index: float | None  # the run's relational coordination index over shown cells
    shown_cells: int
    suppressed_cells: int
    # Respondents counted in the shown cells' rows (groups of at least the minimum).
    respondents_shown: int

    @property
    def band(self) -> str | None:
        return instruments.band(self.index) if self.index is not None else None

    def dimension_matrix(self, position: int) -> list[tuple[str, list[float | None]]]:
        return [
            (
                row.workgroup,
                [c.dimensions[position] if c.dimensions else None for c in row.cells],
            )
            for row in self.rows
        ]


@dataclass(frozen=True)
class PulseItem:
    item: instruments.Item
    mean: float | None  # as answered (before reversing), None when suppressed


@dataclass(frozen=True)
class PulseResults:
    run: SurveyRun
    minimum: int
    n: int | None
    score: float | None
    items: tuple[PulseItem, ...] = field(default=())


def _sealed_answers(run: SurveyRun) -> list[tuple[int | None, dict]]:
    return list(
        SurveyResponse.objects.filter(run=run, sealed=True).values_list("workgroup_id", "scores")
    )


def results(run: SurveyRun) -> RcResults | PulseResults | None:
    """The results of a closed and sealed survey, suppressed below its minimum group size;
    None while it is open (or not yet sealed)."""
    if not run.sealed:
        return None
    answers = _sealed_answers(run)
    if run.is_rc:
        return _rc_results(run, list(run.workgroups.all()), answers)
    return _pulse_results(run, answers)


def _rc_results(run, workgroups, answers) -> RcResults:
    minimum = run.minimum_group_size
    ids = [group.pk for group in workgroups]
    # (row id, column id) -> the seven-score lists of each respondent who rated that tie
    ties: dict[tuple[int, int], list[list[int]]] = defaultdict(list)
    respondents: dict[int, int] = defaultdict(int)
    for row_id, scores in answers:
        respondents[row_id] += 1
        for column, seven in scores.items():
            ties[(row_id, int(column))].append(seven)
    shown: list[list[int]] = []  # every respondent's seven scores for every shown tie
    by_column: dict[int, list[float]] = defaultdict(list)
    rows = []
    suppressed = 0
    for row_id, group in zip(ids, workgroups, strict=True):
        cells = []
        row_values: list[float] = []
        for column_id in ids:
            ratings = ties.get((row_id, column_id), [])
            if len(ratings) < minimum:
                suppressed += 1
                cells.append(Cell(None, None, None))
                continue
            shown.extend(ratings)
            values = [instruments.rc_index(r) for r in ratings]
            row_values.extend(values)
            by_column[column_id].extend(values)
            dimensions = tuple(fmean(r[d] for r in ratings) for d in range(instruments.ITEMS))
            cells.append(Cell(len(ratings), fmean(values), dimensions))
        n = respondents.get(row_id, 0)
        rows.append(
            Row(
                group.name,
                n if n >= minimum else None,
                tuple(cells),
                fmean(row_values) if row_values else None,
            )
        )
    columns = tuple(
        Total(g.name, fmean(by_column[g.pk]) if by_column[g.pk] else None) for g in workgroups
    )
    dimensions = tuple(
        Total(item.label, fmean(r[d] for r in shown) if shown else None)
        for d, item in enumerate(instruments.RC_DIMENSIONS)
    )
    index = fmean(instruments.rc_index(r) for r in shown) if shown else None
    return RcResults(
        run=run,
        minimum=minimum,
        workgroups=tuple(g.name for g in workgroups),
        rows=tuple(rows),
        columns=columns,
        dimensions=dimensions,
        index=index,
        shown_cells=len(ids) ** 2 - suppressed,
        suppressed_cells=suppressed,
        respondents_shown=sum(row.n for row in rows if row.n is not None and row.mean is not None),
    )


def _pulse_results(run, answers) -> PulseResults:
    minimum = run.minimum_group_size
    sevens = [scores[instruments.PULSE_KEY] for _, scores in answers]
    if len(sevens) < minimum:
        return PulseResults(run, minimum, None, None, ())
    items = tuple(
        PulseItem(item, fmean(s[i] for s in sevens))
        for i, item in enumerate(instruments.PULSE_ITEMS)
    )
    return PulseResults(
        run, minimum, len(sevens), fmean(instruments.pulse_score(s) for s in sevens), items
    )


# Over time --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    run: SurveyRun
    score: float | None  # None when every group was below the minimum
    result: RcResults | PulseResults | None = None


def closed_runs(unit: Unit, *, today: datetime.date | None = None) -> list[SurveyRun]:
    """The unit's runs whose last day has passed, oldest first (sealed or waiting to be)."""
    today = today or timezone.localdate()
    return list(
        SurveyRun.objects.filter(unit=unit, closes_on__lt=today).order_by("closes_on", "pk")
    )


def trend(unit: Unit, kind: str) -> list[TrendPoint]:
    """The unit's closed and sealed runs of one kind, oldest first, each with its score (the
    relational coordination index or the pulse score) over what its results show."""
    runs = SurveyRun.objects.filter(unit=unit, kind=kind, sealed=True).order_by("closes_on", "pk")
    return _trends(list(runs), (kind,))[kind]


def _trends(runs: list[SurveyRun], kinds) -> dict[str, list[TrendPoint]]:
    """`trend` of the sealed runs given, by kind, in two queries (workgroups, answers)."""
    runs = [run for run in runs if run.sealed and run.kind in kinds]
    groups: dict[int, list] = defaultdict(list)
    answers: dict[int, list] = defaultdict(list)
    if runs:
        for group in SurveyWorkgroup.objects.filter(run__in=runs).order_by("position", "pk"):
            groups[group.run_id].append(group)
        for run_id, group_id, scores in SurveyResponse.objects.filter(
            run__in=runs, sealed=True
        ).values_list("run_id", "workgroup_id", "scores"):
            answers[run_id].append((group_id, scores))
    points: dict[str, list[TrendPoint]] = {kind: [] for kind in kinds}
    for run in runs:
        if run.is_rc:
            result: RcResults | PulseResults = _rc_results(run, groups[run.pk], answers[run.pk])
            score = result.index
        else:
            result = _pulse_results(run, answers[run.pk])
            score = result.score
        points[run.kind].append(TrendPoint(run, score, result))
    return points


def tie_trend(unit: Unit) -> list[dict]:
    """Each shown tie's index in each closed relational coordination run, for the chart of
    workgroup pairs over time: rows of run date, "from → to" and the mean."""
    rows = []
    for point in trend(unit, SurveyKind.RELATIONAL_COORDINATION):
        result = point.result
        if not isinstance(result, RcResults):
            continue
        for row in result.rows:
            for column, cell in zip(result.workgroups, row.cells, strict=True):
                if cell.mean is not None:
                    rows.append(
                        {
                            "closed": point.run.closes_on.isoformat(),
                            "tie": f"{row.workgroup} → {column}",
                            "index": round(cell.mean, 2),
                        }
                    )
    return rows


# The huddle board -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelScore:
    label: str
    run: SurveyRun
    score: float
    scale_top: int
    change: float | None  # since the previous run with a score

    @property
    def band(self) -> str | None:
        if self.scale_top == instruments.RC_SCALE_TOP:
            return instruments.band(self.score)
        return None


def panel(runs: list[SurveyRun]) -> list[PanelScore]:
    """The latest closed run's relational coordination index and pulse score of a unit (from
    its `closed_runs`, sealed), each with its change since the run before; empty when there
    is none."""
    scores = []
    kinds = (
        (SurveyKind.RELATIONAL_COORDINATION, "Relational coordination", instruments.RC_SCALE_TOP),
        (SurveyKind.PULSE, "Psychological safety", instruments.PULSE_SCALE_TOP),
    )
    trends = _trends(runs, [kind for kind, _, _ in kinds])
    for kind, label, top in kinds:
        points = [p for p in trends[kind] if p.score is not None]
        if not points:
            continue
        last = points[-1]
        change = last.score - points[-2].score if len(points) > 1 else None
        scores.append(PanelScore(label, last.run, last.score, top, change))
    return scores


def units_with_surveys(units) -> list[Unit]:
    """Of these units, those that have had a survey (in tree order as given)."""
    ids = set(
        SurveyRun.objects.filter(unit__in=[u.pk for u in units]).values_list("unit_id", flat=True)
    )
    return [unit for unit in units if unit.pk in ids]


def invited_runs(user) -> list[SurveyRun]:
    """Surveys the user was invited to from outside their units, newest first."""
    return list(
        SurveyRun.objects.filter(pk__in=_invited_run_ids(user))
        .select_related("unit")
        .order_by("-closes_on", "-pk")[:20]
    )
