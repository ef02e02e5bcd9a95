"""Quality planning's writes: needs assessments (need statements, evidence, assets) and the
population-group breakdowns of measures that equity gaps are read from.

Who may: a unit's needs editors (`roles.NEEDS_EDITORS`: leads, analysts, coaches) start
assessments there and write them; so does anyone given one of `roles.NEEDS_GRANTED` on the
assessment itself (a partner from a community group co-writes it without a role in the unit).
A measure's group breakdown is written by the needs editors of the measure's unit (the same
group, so one rule serves the needs pages and the equity page). `by=None` is the system (the
demo, commands) and is not checked.

Evidence tables and group breakdowns come from CSV or Excel through quality control's bounded
readers (`control.services.table_read`), all or nothing, every problem named by row and column;
cells are screened for identifiers without a prompt (no one can confirm a file's cells), and a
table whose columns name identifiers (NHS number, date of birth...) is refused: evidence is
about groups of people, never a list of patients.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from qms.control import selectors as control_selectors
from qms.control import services as control_services
from qms.people import access
from qms.people.history import record_by
from qms.planning import roles
from qms.planning.models import (
    Asset,
    AssetKind,
    EvidenceKind,
    GroupObservation,
    Need,
    NeedEvidence,
    NeedsAssessment,
)
from qms.stats.charts import COUNTED, PROPORTIONS
from qms.web.screening import problems_without_prompt

__all__ = [
    "GROUP_COLUMNS",
    "GROUP_MAX_GROUPS",
    "GROUP_MAX_ROWS",
    "TABLE_MAX_COLUMNS",
    "TABLE_MAX_ROWS",
    "GroupValue",
    "asset_add",
    "asset_remove",
    "assessment_create",
    "assessment_update",
    "authorise_needs",
    "evidence_add",
    "evidence_chart_set",
    "evidence_remove",
    "group_dimension_remove",
    "group_values_save",
    "group_values_upload",
    "may_edit_assessment",
    "may_edit_groups",
    "need_add",
    "need_move",
    "need_remove",
    "need_update",
]

# An evidence table is a summary (counts by area, rates by age band), not a data extract.
TABLE_MAX_ROWS = 5_000
TABLE_MAX_COLUMNS = 30
TABLE_CELL_MAX = 300
# A group breakdown's upload, and the groups one dimension may have (a chart of more than 20
# lines is unreadable; deciles and age bands fit).
GROUP_MAX_ROWS = 5_000
GROUP_MAX_GROUPS = 20
GROUP_COLUMNS = ("dimension", "group", "period", "value", "denominator")
_GROUP_REQUIRED = ("dimension", "group", "period", "value")
# Problems listed at most, so a wholly wrong file gives a readable answer.
_MAX_PROBLEMS = 20
# Column names that say a table lists people, not groups.
_IDENTIFIER_COLUMNS = frozenset(
    {
        "nhs number", "nhs no", "nhs no.", "nhs_number", "nhsnumber", "chi", "chi number",
        "chi no", "chi_number", "date of birth", "dob", "d.o.b.", "birth date", "patient name",
        "name", "forename", "first name", "surname", "last name", "family name", "full name",
        "address", "postcode", "post code", "hospital number", "case note number", "mrn",
        "patient id", "patient number", "unit number",
    }
)  # fmt: skip
# Published statistics and feedback are dated; no date before control's first period, none ahead.
EARLIEST_DATE = control_selectors.FIRST_PERIOD


# Who may ---------------------------------------------------------------------------------------


def may_edit_assessment(person, assessment: NeedsAssessment) -> bool:
    """Whether `person` writes this assessment: a needs editor of its unit, or someone given a
    role of `roles.NEEDS_GRANTED` on it. None, the system, may."""
    if person is None:
        return True
    if access.roles_on(person, assessment) & roles.NEEDS_EDITORS:
        return True
    return bool(access.granted_roles(person, assessment) & roles.NEEDS_GRANTED)


def authorise_needs(by, assessment: NeedsAssessment, action: str) -> None:
    """PermissionDenied naming the action unless `by` may write the assessment."""
    if not may_edit_assessment(by, assessment):
        raise PermissionDenied(f"Your role does not allow you to {action} on this assessment.")


def may_edit_groups(person, measure) -> bool:
    """Whether `person` writes the measure's population-group breakdown."""
    return person is None or access.can(person, measure, roles.NEEDS_EDITORS)


# Checks ----------------------------------------------------------------------------------------


def _clean(record, exclude: Sequence[str] = ()) -> None:
    """The model's checks (lengths, choices, required fields), named by field."""
    try:
        record.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _text(value) -> str:
    return (value or "").strip()


def _date_within_reach(value, field: str, label: str) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if not isinstance(value, dt.date) or not EARLIEST_DATE <= value <= today:
        raise ValidationError(
            {field: [f"{label}: give a date between {EARLIEST_DATE:%Y} and today."]}
        )


# Assessments -----------------------------------------------------------------------------------


@transaction.atomic
def assessment_create(*, by, unit, title, population, summary="") -> NeedsAssessment:
    """Start a needs assessment of a population group or a service in a unit."""
    access.authorise(by, unit, roles.NEEDS_EDITORS, "write needs assessments")
    assessment = NeedsAssessment(
        unit=unit,
        title=_text(title),
        population=_text(population),
        summary=_text(summary),
        created_by=by,
    )
    _clean(assessment, exclude=["created_by"])
    record_by(assessment, by, "Assessment started")
    assessment.save()
    return assessment


@transaction.atomic
def assessment_update(
    *, by, assessment, title, population, summary="", reason=""
) -> NeedsAssessment:
    """Change an assessment's title, population and summary."""
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    authorise_needs(by, assessment, "change the assessment")
    assessment.title, assessment.population = _text(title), _text(population)
    assessment.summary = _text(summary)
    _clean(assessment, exclude=["created_by", "unit"])
    record_by(assessment, by, _text(reason)[:100] or "Assessment changed")
    assessment.save()
    return assessment


# Need statements -------------------------------------------------------------------------------


@transaction.atomic
def need_add(*, by, assessment, statement) -> Need:
    """Add a need statement at the end of the assessment's list."""
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    authorise_needs(by, assessment, "add needs")
    last = assessment.needs.aggregate(last=Max("position"))["last"] or 0
    need = Need(assessment=assessment, statement=_text(statement), position=last + 1)
    _clean(need)
    record_by(need, by, "Need added")
    need.save()
    return need


@transaction.atomic
def need_update(*, by, need, statement) -> Need:
    """Change a need statement's words."""
    need = Need.objects.select_for_update().select_related("assessment__unit").get(pk=need.pk)
    authorise_needs(by, need.assessment, "change needs")
    need.statement = _text(statement)
    _clean(need)
    record_by(need, by, "Need changed")
    need.save()
    return need


@transaction.atomic
def need_move(*, by, need, direction) -> Need:
    """Move a need statement one place up or down the assessment's list (its order is the
    order of importance the group agreed)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": ["Move a need up or down."]})
    assessment = NeedsAssessment.objects.select_for_update().get(pk=need.assessment_id)
    authorise_needs(by, assessment, "reorder needs")
    needs = list(assessment.needs.order_by("position", "pk"))
    index = next((i for i, n in enumerate(needs) if n.pk == need.pk), None)
    if index is None:
        raise ValidationError({"need": ["This need is no longer on the assessment."]})
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(needs):
        return needs[index]
    needs[index], needs[other] = needs[other], needs[index]
    for position, each in enumerate(needs, start=1):
        if each.position != position:
            each.position = position
            record_by(each, by, "Needs reordered")
            each.save(update_fields=["position"])
    return next(n for n in needs if n.pk == need.pk)


@transaction.atomic
def need_remove(*, by, need) -> None:
    """Remove a need statement; its evidence stays on the assessment, its history keeps it."""
    need = Need.objects.select_for_update().select_related("assessment__unit").get(pk=need.pk)
    authorise_needs(by, need.assessment, "remove needs")
    record_by(need, by, "Need removed")
    need.delete()


# Evidence --------------------------------------------------------------------------------------


def _cell(raw, row: int, column: str, problems: list[str]):
    """A table cell as JSON keeps it: text, a finite number, or None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return str(raw)
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            problems.append(f"Row {row}, column {column}: {raw} is not a number that can be kept.")
            return None
        return raw
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ", timespec="minutes") if raw.time() else raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    if len(text) > TABLE_CELL_MAX:
        problems.append(
            f"Row {row}, column {column}: longer than {TABLE_CELL_MAX} characters; a table of "
            "evidence holds figures and short labels."
        )
    return text or None


def _screen_row(cells: list, names: list[str], row: int, problems: list[str]) -> None:
    """Identifiers in a row's text, named by column (the row is screened whole first, as most
    rows hold none)."""
    texts = [(name, cell) for name, cell in zip(names, cells, strict=True) if isinstance(cell, str)]
    if not texts or not problems_without_prompt(
        "\n".join(cell for _, cell in texts), label=f"Row {row}", multiline=True
    ):
        return
    found = False
    for name, cell in texts:
        for message in problems_without_prompt(cell, label=f"Row {row}, column {name}"):
            problems.append(message)
            found = True
    if not found:  # only across cells (a title in one, a name in the next)
        problems.extend(problems_without_prompt("\n".join(c for _, c in texts), label=f"Row {row}"))


def _raise_problems(field: str, problems: list[str]) -> None:
    if not problems:
        return
    shown = problems[:_MAX_PROBLEMS]
    if len(problems) > _MAX_PROBLEMS:
        shown.append(f"… and {len(problems) - _MAX_PROBLEMS} more problems.")
    raise ValidationError({field: ["Nothing was saved. " + shown[0], *shown[1:]]})


def _read_table(file, *, max_rows: int, max_columns: int) -> tuple[list[str], list]:
    """An uploaded table through quality control's bounded reader: its column names and its
    rows as (row number, cells padded to the header's width). Refused (ValidationError on
    "file") when it cannot be read, a column has no name or the same name as another, there are
    more than `max_columns` columns, or a row has cells beyond the named columns."""
    stream = getattr(file, "file", file)  # an UploadedFile's own stream
    stream.seek(0)
    try:
        header, rows = control_services.table_read(
            stream, getattr(file, "name", "") or "", max_rows=max_rows
        )
    except ValueError as error:  # control's ReadError: why the file cannot be read
        raise ValidationError({"file": [str(error)]}) from None
    names = list(header)
    while names and not names[-1]:
        names.pop()  # spreadsheets leave empty cells after the last column
    if not names:
        raise ValidationError({"file": ["Row 1 must name the columns."]})
    if len(names) > max_columns:
        raise ValidationError(
            {"file": [f"Row 1 names {len(names)} columns; a table here may have {max_columns}."]}
        )
    for index, name in enumerate(names, start=1):
        if not name:
            raise ValidationError({"file": [f"Row 1, column {index}: give the column a name."]})
    lowered = [name.lower() for name in names]
    doubled = sorted({name for name in names if lowered.count(name.lower()) > 1})
    if doubled:
        raise ValidationError({"file": [f"Row 1 names {', '.join(doubled)} more than once."]})
    width, padded = len(names), []
    for number, cells in rows:
        if any(cell not in (None, "") for cell in cells[width:]):
            raise ValidationError(
                {"file": [f"Row {number} has more cells than row 1 names columns."]}
            )
        cells = list(cells[:width]) + [None] * (width - len(cells))
        padded.append((number, [None if cell == "" else cell for cell in cells]))
    return names, padded


def _read_evidence_table(file) -> tuple[list[str], list[list]]:
    """A table of evidence from an uploaded file: all or nothing, problems by row and column."""
    names, raw_rows = _read_table(file, max_rows=TABLE_MAX_ROWS, max_columns=TABLE_MAX_COLUMNS)
    problems: list[str] = []
    for index, name in enumerate(names, start=1):
        if name.strip().lower() in _IDENTIFIER_COLUMNS:
            problems.append(
                f"Row 1, column {index} (“{name[:40]}”) names an identifier: evidence tables are "
                "counts or rates for groups of people, never a list of patients."
            )
        problems.extend(problems_without_prompt(name, label=f"Row 1, column {index}"))
    if any(len(name) > 100 for name in names):
        problems.append("Row 1: a column's name is longer than 100 characters.")
    if not raw_rows:
        problems.append("The table has no rows of data under its header.")
    rows = []
    for number, raw in raw_rows:
        cells = [
            _cell(value, number, name, problems) for value, name in zip(raw, names, strict=True)
        ]
        _screen_row(cells, names, number, problems)
        rows.append(cells)
        if len(problems) > _MAX_PROBLEMS * 5:
            break  # enough to say the file is wrong
    _raise_problems("file", problems)
    return names, rows


def _check_chart(columns: list[str], rows: list[list], x: str, y: str) -> None:
    from qms.planning.selectors.needs import numeric_columns

    if not x and not y:
        return
    problems = {}
    if x not in columns:
        problems["chart_x"] = ["Choose a column of the table for the labels."]
    if y not in numeric_columns(columns, rows):
        problems["chart_y"] = ["Choose a column of numbers for the bars."]
    if problems:
        raise ValidationError(problems)


def _default_chart(columns: list[str], rows: list[list]) -> tuple[str, str]:
    """The first column of labels against the first column of numbers, when there are both."""
    from qms.planning.selectors.needs import numeric_columns

    numeric = numeric_columns(columns, rows)
    labels = [c for c in columns if c not in numeric]
    if not numeric:
        return "", ""
    x = labels[0] if labels else columns[0]
    y = next((c for c in numeric if c != x), "")
    return (x, y) if y else ("", "")


def _evidence_need(assessment, need):
    if need is None:
        return None
    if need.assessment_id != assessment.pk:
        raise ValidationError({"need": ["Choose a need of this assessment."]})
    return need


@transaction.atomic
def evidence_add(
    *,
    by,
    assessment,
    kind,
    title,
    source,
    source_url="",
    summary="",
    need=None,
    file=None,
    statistic=None,
    statistic_unit="",
    published_on=None,
    chart_x="",
    chart_y="",
) -> NeedEvidence:
    """Add evidence to an assessment or one of its needs: a table uploaded as CSV or Excel
    (`file`, kept as columns and rows and drawn as a bar chart of `chart_x` against `chart_y`,
    chosen from its columns when not given), feedback (`summary`, a quoted summary) or a
    published statistic (`statistic`, its unit and `published_on`). Every item names its
    source. A table is read all or nothing, every problem named by row and column."""
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    authorise_needs(by, assessment, "add evidence")
    evidence = NeedEvidence(
        assessment=assessment,
        need=_evidence_need(assessment, need),
        kind=kind,
        title=_text(title),
        source=_text(source),
        source_url=_text(source_url),
        summary=_text(summary),
        statistic_unit=_text(statistic_unit),
        created_by=by,
    )
    _clean(evidence, exclude=["created_by", "columns", "rows"])
    if kind == EvidenceKind.TABLE:
        if file is None:
            raise ValidationError({"file": ["Choose the CSV or Excel file of the table."]})
        evidence.columns, evidence.rows = _read_evidence_table(file)
        x, y = _text(chart_x), _text(chart_y)
        _check_chart(evidence.columns, evidence.rows, x, y)
        evidence.chart_x, evidence.chart_y = (
            (x, y) if x else _default_chart(evidence.columns, evidence.rows)
        )
    elif kind == EvidenceKind.FEEDBACK:
        if not evidence.summary:
            raise ValidationError({"summary": ["Quote or summarise the feedback."]})
    elif kind == EvidenceKind.STATISTIC:
        if statistic is None or isinstance(statistic, bool) or not math.isfinite(float(statistic)):
            raise ValidationError({"statistic": ["Give the statistic's value, a number."]})
        if abs(float(statistic)) > 1e12:
            raise ValidationError({"statistic": ["The value is too large to be a statistic."]})
        _date_within_reach(published_on, "published_on", "Published on")
        evidence.statistic = float(statistic)
        evidence.published_on = published_on
    record_by(evidence, by, f"{evidence.get_kind_display()} added")
    evidence.save()
    return evidence


@transaction.atomic
def evidence_chart_set(*, by, evidence, x, y) -> NeedEvidence:
    """Choose the columns a table's chart draws: labels `x` against the numbers of `y`."""
    evidence = (
        NeedEvidence.objects.select_for_update()
        .select_related("assessment__unit")
        .get(pk=evidence.pk)
    )
    authorise_needs(by, evidence.assessment, "change evidence")
    if evidence.kind != EvidenceKind.TABLE:
        raise ValidationError({"chart_x": ["Only a table of data has a chart."]})
    x, y = _text(x), _text(y)
    if not x or not y:
        raise ValidationError({"chart_x": ["Choose both columns."]})
    _check_chart(evidence.columns, evidence.rows, x, y)
    evidence.chart_x, evidence.chart_y = x, y
    record_by(evidence, by, "Chart columns chosen")
    evidence.save(update_fields=["chart_x", "chart_y"])
    return evidence


@transaction.atomic
def evidence_remove(*, by, evidence) -> None:
    """Remove evidence from the assessment (its history keeps it)."""
    evidence = (
        NeedEvidence.objects.select_for_update()
        .select_related("assessment__unit")
        .get(pk=evidence.pk)
    )
    authorise_needs(by, evidence.assessment, "remove evidence")
    record_by(evidence, by, "Evidence removed")
    evidence.delete()


# Assets ----------------------------------------------------------------------------------------


@transaction.atomic
def asset_add(*, by, assessment, kind, name, description="") -> Asset:
    """Add an asset: a community resource, a staff strength or a partner organisation."""
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    authorise_needs(by, assessment, "add assets")
    if kind not in AssetKind.values:
        raise ValidationError({"kind": ["Choose the kind of asset."]})
    asset = Asset(
        assessment=assessment, kind=kind, name=_text(name), description=_text(description)
    )
    _clean(asset)
    record_by(asset, by, "Asset added")
    asset.save()
    return asset


@transaction.atomic
def asset_remove(*, by, asset) -> None:
    """Remove an asset (its history keeps it)."""
    asset = Asset.objects.select_for_update().select_related("assessment__unit").get(pk=asset.pk)
    authorise_needs(by, asset.assessment, "remove assets")
    record_by(asset, by, "Asset removed")
    asset.delete()


# Group breakdowns of measures ------------------------------------------------------------------


@dataclass(frozen=True)
class GroupValue:
    """One group's value in one period, as typed or read (`row` names it in messages)."""

    dimension: object
    group: object
    period: object
    value: object
    denominator: object = None
    row: int = 0


def _measure_model():
    return apps.get_model("control", "Measure")


def _number(raw) -> float | None | str:
    """A finite number, None for an empty cell, or what is wrong with it."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return "is not a number"
    try:
        number = float(str(raw).strip().replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError, OverflowError):
        return f"“{str(raw).strip()[:40]}” is not a number"
    if not math.isfinite(number) or abs(number) > 1e12:
        return f"“{str(raw).strip()[:40]}” is not a number that can be kept"
    return number


def _label(raw, column: str, where: str, problems: list[str], screened: dict) -> str:
    text = "" if raw is None else str(raw).strip()
    if not text:
        problems.append(f"{where}, column {column}: give the {column}.")
    elif len(text) > 60:
        problems.append(f"{where}, column {column}: longer than 60 characters.")
    else:
        # A file repeats a few labels thousands of times: each is screened once.
        if text not in screened:
            screened[text] = bool(problems_without_prompt(text, label="", multiline=False))
        if screened[text]:
            problems.extend(
                problems_without_prompt(text, label=f"{where}, column {column}", multiline=False)
            )
    return text


def _check_group_values(measure, rows: Iterable[GroupValue]) -> list[dict]:
    """Every row checked, as {dimension, group, period, value, denominator}; ValidationError on
    "rows" naming each problem by row and column."""
    problems: list[str] = []
    checked: list[dict] = []
    seen: dict[tuple, int] = {}
    screened: dict[str, bool] = {}
    proportion = measure.chart in PROPORTIONS
    counted = measure.chart in COUNTED
    for index, row in enumerate(rows, start=1):
        number = row.row or index
        where = f"Row {number}"
        dimension = _label(row.dimension, "dimension", where, problems, screened)
        group = _label(row.group, "group", where, problems, screened)
        period = control_selectors.period_read(row.period, measure.frequency)
        if isinstance(period, str):
            problems.append(f"{where}, column period: {period}.")
        value = _number(row.value)
        if value is None:
            problems.append(f"{where}, column value: give the value.")
        elif isinstance(value, str):
            problems.append(f"{where}, column value: {value}.")
        elif counted and value < 0:
            problems.append(f"{where}, column value: a count cannot be negative.")
        denominator = _number(row.denominator)
        if isinstance(denominator, str):
            problems.append(f"{where}, column denominator: {denominator}.")
        elif denominator is not None and denominator <= 0:
            problems.append(f"{where}, column denominator: must be more than 0.")
        elif (
            proportion
            and isinstance(value, float)
            and denominator is not None
            and not 0 <= value <= denominator
        ):
            problems.append(
                f"{where}, column value: a proportion's count must be between 0 and its "
                "denominator."
            )
        if isinstance(period, dt.date) and dimension and group:
            key = (dimension.lower(), group.lower(), period)
            if key in seen:
                problems.append(f"{where}: the same group and period as row {seen[key]}.")
            seen[key] = number
        if len(problems) > _MAX_PROBLEMS * 5:
            break
        checked.append(
            {"dimension": dimension, "group": group, "period": period, "value": value,
             "denominator": denominator}
        )  # fmt: skip
    _raise_problems("rows", problems)
    return checked


def _check_group_counts(measure, checked: list[dict]) -> None:
    groups: dict[str, set[str]] = {}
    for row in GroupObservation.objects.filter(measure=measure).values("dimension", "group"):
        groups.setdefault(row["dimension"], set()).add(row["group"])
    for row in checked:
        groups.setdefault(row["dimension"], set()).add(row["group"])
    for dimension, names in groups.items():
        if len(names) > GROUP_MAX_GROUPS:
            raise ValidationError(
                {"rows": [f"{dimension} would have {len(names)} groups; a breakdown may have "
                          f"{GROUP_MAX_GROUPS}."]}
            )  # fmt: skip


@transaction.atomic
def group_values_save(*, by, measure, rows: Iterable[GroupValue]) -> int:
    """Save a measure's values by population group (dimension, group, period, value, optional
    denominator), adding new ones and replacing those recorded for the same group and period.
    All or nothing; each problem named by row and column (ValidationError on "rows"). A group's
    place in its dimension's order is where it first appears. Returns the rows saved."""
    # The measure's row is locked so two saves of its breakdown do not interleave.
    measure = (
        _measure_model()
        .objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=measure.pk)
    )
    access.authorise(by, measure, roles.NEEDS_EDITORS, "record group breakdowns")
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": ["Give at least one group's value."]})
    if len(rows) > GROUP_MAX_ROWS:
        raise ValidationError({"rows": [f"More than {GROUP_MAX_ROWS:,} rows: split them."]})
    checked = _check_group_values(measure, rows)
    _check_group_counts(measure, checked)
    existing = {
        (o.dimension.lower(), o.group.lower(), o.period): o
        for o in GroupObservation.objects.filter(measure=measure)
    }
    positions: dict[tuple[str, str], int] = {}
    for o in existing.values():
        positions.setdefault((o.dimension.lower(), o.group.lower()), o.position)
    names = {(d.lower(), g.lower()): (o.dimension, o.group) for (d, g, _), o in existing.items()}
    added, changed, now = [], [], timezone.now()
    for row in checked:
        key = (row["dimension"].lower(), row["group"].lower())
        if key not in positions:
            same = [p for (d, _), p in positions.items() if d == key[0]]
            positions[key] = max(same, default=0) + 1
        dimension, group = names.get(key, (row["dimension"], row["group"]))
        found = existing.get((*key, row["period"]))
        if found is None:
            found = GroupObservation(measure=measure, period=row["period"], position=positions[key])
            added.append(found)
        else:
            changed.append(found)
        found.dimension, found.group = dimension, group
        found.value, found.denominator = row["value"], row["denominator"]
        found.recorded_by, found.recorded_at = by, now
    # In bulk, with their history: a file of thousands of rows is a few queries, not thousands.
    history = {"default_user": by, "default_change_reason": "Group breakdown saved"}
    bulk_create_with_history(added, GroupObservation, batch_size=500, **history)
    bulk_update_with_history(
        changed,
        GroupObservation,
        ["dimension", "group", "value", "denominator", "recorded_by", "recorded_at"],
        batch_size=500,
        **history,
    )
    return len(checked)


@transaction.atomic
def group_values_upload(*, by, measure, file) -> int:
    """Save a measure's group breakdown from a CSV or Excel file with the columns dimension,
    group, period, value and, optionally, denominator; periods as the measure's frequency
    (2025-03, 2025-Q1...). All or nothing: ValidationError on "file" naming every problem by
    row and column."""
    access.authorise(by, measure, roles.NEEDS_EDITORS, "record group breakdowns")
    names, raw_rows = _read_table(file, max_rows=GROUP_MAX_ROWS, max_columns=len(GROUP_COLUMNS) + 5)
    lowered = [name.lower() for name in names]
    missing = [column for column in _GROUP_REQUIRED if column not in lowered]
    if missing:
        raise ValidationError(
            {"file": [f"Row 1 must name the columns {', '.join(GROUP_COLUMNS)} (denominator may "
                      f"be left out). Missing: {', '.join(missing)}."]}
        )  # fmt: skip
    index = {column: lowered.index(column) for column in GROUP_COLUMNS if column in lowered}
    rows = [
        GroupValue(
            **{column: cells[i] for column, i in index.items()},
            row=number,
        )
        for number, cells in raw_rows
    ]
    if not rows:
        raise ValidationError({"file": ["The file has no rows of data under its header."]})
    try:
        return group_values_save(by=by, measure=measure, rows=rows)
    except ValidationError as error:
        raise ValidationError({"file": error.message_dict.get("rows", error.messages)}) from None


@transaction.atomic
def group_dimension_remove(*, by, measure, dimension: str) -> int:
    """Remove every value of one dimension of a measure's breakdown (to load it again);
    history keeps them. Returns how many were removed."""
    access.authorise(by, measure, roles.NEEDS_EDITORS, "record group breakdowns")
    removed = 0
    for row in GroupObservation.objects.select_for_update().filter(
        measure=measure, dimension=dimension
    ):
        record_by(row, by, "Dimension removed")
        row.delete()
        removed += 1
    if not removed:
        raise ValidationError({"dimension": ["The measure has no values for this dimension."]})
    return removed
