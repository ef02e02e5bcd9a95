"""Quality planning's writes: clinical audits against standards (HQIP's audit cycle: a topic
and standard, criteria with the compliance expected, data collected, compared with the
standard, findings acted on, a re-audit).

An audit moves planned -> collecting (its first case) -> analysed -> closed. Its criteria are
set while it is planned; cases are recorded, corrected and removed while it is planned or
collecting; analysing records the overall compliance on the standard's measure; reopening an
analysed audit lets its cases be corrected, and analysing it again replaces that value (when
asked to) and never raises a finding twice.

Who may: AUDITORS of the audit's unit define, analyse, raise findings and re-audit;
AUDIT_COLLECTORS (the team too) record cases. Action plans follow the rules of issues (the
finding's owner, or the unit's leads). `by=None` is the system and is not checked.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.control import services as control_services
from qms.issues import services as issue_services
from qms.issues.models import IssueSource
from qms.notifications.models import NotificationKind
from qms.notifications.services import notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Person
from qms.planning import roles
from qms.planning.models import (
    Audit,
    AuditAnswer,
    AuditCase,
    AuditCriterion,
    AuditStatus,
    Compliance,
)
from qms.planning.selectors.audits import audit_results
from qms.web.screening import problems_without_prompt, refusals

__all__ = [
    "AUDIT_FIELDS",
    "CASES_UPLOAD_MAX_ROWS",
    "answer_parse",
    "audit_analyse",
    "audit_close",
    "audit_create",
    "audit_reopen",
    "audit_update",
    "audits_remind_reaudit",
    "case_record",
    "case_remove",
    "case_update",
    "cases_upload",
    "criterion_add",
    "criterion_remove",
    "criterion_update",
    "finding_action_add",
    "findings_raise",
    "measure_period",
    "reaudit_create",
    "reaudit_schedule",
]

AUDIT_FIELDS = (
    "title",
    "standard",
    "measure",
    "sample",
    "sample_size",
    "period_start",
    "period_end",
    "lead",
)
TITLE_MAX = Audit._meta.get_field("title").max_length
TEXT_MAX = 5000
CRITERION_MAX = AuditCriterion._meta.get_field("text").max_length
EXCEPTIONS_MAX = AuditCriterion._meta.get_field("exceptions").max_length
REFERENCE_MAX = AuditCase._meta.get_field("reference").max_length
# A sample beyond this is a slip (an audit reads case notes by hand).
SAMPLE_MAX = 100_000
CRITERIA_MAX = 50
CASES_UPLOAD_MAX_ROWS = 5_000
YEARS_AHEAD = 10
# Cases may change (recorded, corrected, removed) only before the audit is analysed.
_OPEN_FOR_CASES = (AuditStatus.PLANNED, AuditStatus.COLLECTING)

# What people write for each answer, in forms and files (compared lower-cased, spaces folded).
_ANSWERS = {
    Compliance.MET: {"met", "yes", "y", "1", "true", "compliant"},
    Compliance.NOT_MET: {"not met", "not_met", "notmet", "no", "n", "0", "false", "non-compliant"},
    Compliance.NOT_APPLICABLE: {"na", "n/a", "not applicable", "n.a.", "exception", "excluded"},
}
_ANSWER_OF = {word: answer for answer, words in _ANSWERS.items() for word in words}


# Checks ----------------------------------------------------------------------------------------


def _text(value, name: str, label: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({name: f"{label} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({name: f"Give the {label.lower()}."})
    if len(value) > limit:
        raise ValidationError({name: f"{label} is longer than {limit:,} characters."})
    return value


def _date(value, name: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationError({name: f"Give the {label} as a date, e.g. 2026-03-31."})
    earliest = control_services.EARLIEST_PERIOD
    latest = dt.date(timezone.localdate().year + YEARS_AHEAD, 12, 31)
    if not earliest <= value <= latest:
        raise ValidationError(
            {name: f"Give the {label} between {earliest.year} and {latest.year} ({value})."}
        )
    return value


def _whole(value, name: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({name: f"Give the {label} as a whole number."})
    if not low <= value <= high:
        raise ValidationError({name: f"Give the {label} between {low:,} and {high:,}."})
    return value


def _expected(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError({"expected": "Give the expected compliance as a percentage."})
    if not 0 <= value <= 100:
        raise ValidationError({"expected": "Give the expected compliance between 0 and 100%."})
    return float(value)


def _check_person(person, unit, name: str, label: str):
    if person is None:
        return None
    if not isinstance(person, Person) or not person.is_active:
        raise ValidationError({name: f"Choose an active person as the {label}."})
    if not access.can(person, unit, roles.VIEWERS):
        raise ValidationError({name: f"{person} is not on the staff of {unit}."})
    return person


def _check_standard(standard, unit):
    """A national standard, or a local one of the audit's unit or a unit above it."""
    if standard is None:
        return None
    if getattr(standard, "_meta", None) is None or standard._meta.label != "control.Standard":
        raise ValidationError({"standard": "Choose a standard from the library."})
    if standard.unit_id is not None and not unit.path.startswith(standard.unit.path):
        raise ValidationError(
            {"standard": f"“{standard}” is a local standard of another unit than {unit}."}
        )
    return standard


def _check_measure(measure, unit, by):
    """A measure of the audit's unit or a unit below it, seen by `by`."""
    if measure is None:
        return None
    if getattr(measure, "_meta", None) is None or measure._meta.label != "control.Measure":
        raise ValidationError({"measure": "Choose one of the unit's measures."})
    if not measure.unit.path.startswith(unit.path) or not measure.is_active:
        raise ValidationError({"measure": f"“{measure}” is not an active measure of {unit}."})
    if by is not None and not access.can(by, measure, roles.VIEWERS):
        raise ValidationError({"measure": "Choose one of the unit's measures."})
    return measure


def measure_period(audit: Audit) -> dt.date:
    """The period of the audit's measure its result is recorded for: the one that holds the
    whole audit period. A ValidationError explains when the audit spans more than one."""
    measure = audit.measure
    first = control_selectors.period_containing(audit.period_start, measure.frequency)
    last = control_selectors.period_containing(audit.period_end, measure.frequency)
    if first != last:
        label = control_selectors.period_label
        raise ValidationError(
            {
                "measure": (
                    f"“{measure}” is measured {measure.get_frequency_display().lower()}, and the "
                    f"audit's period ({audit.period_start:%d %b %Y} to "
                    f"{audit.period_end:%d %b %Y}) spans {label(first, measure.frequency)} to "
                    f"{label(last, measure.frequency)}: its result would fit no single point of "
                    f"the chart. Choose a period within one {measure.frequency}, or a measure "
                    "measured less often."
                )
            }
        )
    return first


def _check_audit(audit: Audit, by) -> None:
    if audit.period_end < audit.period_start:
        raise ValidationError(
            {
                "period_end": f"The period cannot end ({audit.period_end:%d %b %Y}) before it "
                f"starts ({audit.period_start:%d %b %Y})."
            }
        )
    if (audit.period_end - audit.period_start).days > 366 * 5:
        raise ValidationError({"period_end": "An audit's period is at most five years."})
    _check_standard(audit.standard, audit.unit)
    _check_measure(audit.measure, audit.unit, by)
    _check_person(audit.lead, audit.unit, "lead", "lead")
    if audit.measure is not None:
        measure_period(audit)


def _lock(audit: Audit) -> Audit:
    audit.refresh_from_db(from_queryset=Audit.objects.select_for_update())
    return audit


def _authorise(by, audit_or_unit, action: str, group=roles.AUDITORS) -> None:
    access.authorise(by, audit_or_unit, group, action)


def _fields(fields: Mapping) -> dict:
    unknown = set(fields) - set(AUDIT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown audit fields: {', '.join(sorted(unknown))}.")
    checked = dict(fields)
    if "title" in checked:
        checked["title"] = _text(checked["title"], "title", "Title", TITLE_MAX, required=True)
    if "sample" in checked:
        checked["sample"] = _text(
            checked["sample"], "sample", "Sample description", TEXT_MAX, required=True
        )
        # Refusals only: the page's form asks a person to confirm what merely may identify
        # someone ("patients of Dr Jones"), as every form does.
        if problems := refusals(checked["sample"], label="Sample description"):
            raise ValidationError({"sample": problems})
    if "sample_size" in checked:
        checked["sample_size"] = _whole(
            checked["sample_size"], "sample_size", "sample size", 1, SAMPLE_MAX
        )
    for name, label in (("period_start", "start of the period"), ("period_end", "end of it")):
        if name in checked:
            checked[name] = _date(checked[name], name, label)
    return checked


# Audits ----------------------------------------------------------------------------------------


@transaction.atomic
def audit_create(
    *,
    by: Person | None,
    unit,
    title: str,
    sample: str,
    sample_size: int,
    period_start: dt.date,
    period_end: dt.date,
    standard=None,
    measure=None,
    lead: Person | None = None,
) -> Audit:
    """Plan an audit in a unit: its title, standard, the measure its overall compliance feeds,
    the sample and its size, the period and its lead (the person planning it unless named)."""
    _authorise(by, unit, "plan audits")
    checked = _fields(
        {
            "title": title,
            "sample": sample,
            "sample_size": sample_size,
            "period_start": period_start,
            "period_end": period_end,
        }
    )
    audit = Audit(
        unit=unit,
        standard=standard,
        measure=measure,
        lead=lead if lead is not None else by,
        created_by=by,
        **checked,
    )
    _check_audit(audit, by)
    record_by(audit, by, "Planned")
    audit.save()
    return audit


@transaction.atomic
def audit_update(*, by: Person | None, audit: Audit, reason: str = "", **changes) -> Audit:
    """Change an audit's definition (any of AUDIT_FIELDS) until it is closed."""
    _lock(audit)
    _authorise(by, audit, "change audits")
    if audit.status == AuditStatus.CLOSED:
        raise ValidationError("This audit is closed: it can no longer change.")
    for name, value in _fields(changes).items():
        setattr(audit, name, value)
    _check_audit(audit, by)
    record_by(audit, by, reason or "Changed")
    audit.save()
    return audit


def _set_status(audit: Audit, status: str, by, reason: str) -> Audit:
    audit.status = status
    record_by(audit, by, reason)
    audit.save(update_fields=["status"])
    return audit


@transaction.atomic
def audit_reopen(*, by: Person | None, audit: Audit) -> Audit:
    """Back to collecting, so the cases of an analysed audit can be corrected (then analysed
    again)."""
    _lock(audit)
    _authorise(by, audit, "reopen audits")
    if audit.status != AuditStatus.ANALYSED:
        raise ValidationError("Only an analysed audit can be reopened.")
    return _set_status(audit, AuditStatus.COLLECTING, by, "Reopened to correct cases")


@transaction.atomic
def audit_close(*, by: Person | None, audit: Audit) -> Audit:
    """Close an analysed audit: its results, findings and action plans are final."""
    _lock(audit)
    _authorise(by, audit, "close audits")
    if audit.status != AuditStatus.ANALYSED:
        raise ValidationError("Analyse the audit before closing it.")
    return _set_status(audit, AuditStatus.CLOSED, by, "Closed")


# Criteria --------------------------------------------------------------------------------------


def _criterion_fields(text, expected, exceptions) -> dict:
    text = _text(text, "text", "Criterion", CRITERION_MAX, required=True)
    exceptions = _text(exceptions, "exceptions", "Exceptions", EXCEPTIONS_MAX)
    for name, value, label in (
        ("text", text, "Criterion"),
        ("exceptions", exceptions, "Exceptions"),
    ):
        if problems := refusals(value, label=label, multiline=False):
            raise ValidationError({name: problems})
    return {"text": text, "expected": _expected(expected), "exceptions": exceptions}


def _check_criteria_open(audit: Audit) -> None:
    if audit.status != AuditStatus.PLANNED or audit.cases.exists():
        raise ValidationError(
            "Criteria are set before data collection: this audit has cases already. Start a "
            "re-audit to change them."
        )


@transaction.atomic
def criterion_add(
    *, by: Person | None, audit: Audit, text: str, expected: float, exceptions: str = ""
) -> AuditCriterion:
    """Add a criterion (what each case should show), with the compliance expected (%) and the
    exceptions (when it does not apply), numbered after the others."""
    _lock(audit)
    _authorise(by, audit, "set audit criteria")
    _check_criteria_open(audit)
    fields = _criterion_fields(text, expected, exceptions)
    count = audit.criteria.count()
    if count >= CRITERIA_MAX:
        raise ValidationError(f"An audit has at most {CRITERIA_MAX} criteria.")
    position = (audit.criteria.aggregate(last=Max("position"))["last"] or 0) + 1
    criterion = AuditCriterion(audit=audit, position=position, **fields)
    record_by(criterion, by, "Added")
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(
    *,
    by: Person | None,
    criterion: AuditCriterion,
    text: str,
    expected: float,
    exceptions: str = "",
) -> AuditCriterion:
    """Reword a criterion or change its expected compliance, before data collection."""
    audit = _lock(criterion.audit)
    _authorise(by, audit, "set audit criteria")
    _check_criteria_open(audit)
    for name, value in _criterion_fields(text, expected, exceptions).items():
        setattr(criterion, name, value)
    record_by(criterion, by, "Changed")
    criterion.save()
    return criterion


@transaction.atomic
def criterion_remove(*, by: Person | None, criterion: AuditCriterion) -> None:
    """Remove a criterion before data collection; those after it move up."""
    audit = _lock(criterion.audit)
    _authorise(by, audit, "set audit criteria")
    _check_criteria_open(audit)
    position = criterion.position
    record_by(criterion, by, "Removed")
    criterion.delete()
    # One by one, in order: the unique (audit, position) never sees two rows at one place.
    for later in audit.criteria.filter(position__gt=position).order_by("position"):
        later.position -= 1
        record_by(later, by, "Renumbered")
        later.save(update_fields=["position"])


# Cases -----------------------------------------------------------------------------------------


def answer_parse(value) -> str | None:
    """The answer (a `Compliance` value) written as met / not met / n/a, yes / no / na, Y / N or
    1 / 0, in any case; None when it is none of those."""
    if isinstance(value, bool):
        return Compliance.MET if value else Compliance.NOT_MET
    if isinstance(value, (int, float)) and value in (0, 1):
        return Compliance.MET if value == 1 else Compliance.NOT_MET
    if not isinstance(value, str):
        return None
    return _ANSWER_OF.get(" ".join(value.strip().lower().split()))


def _reference(value) -> str:
    """A case reference that identifies no one ("Case 12", "A-07"): NHS and CHI numbers, dates
    of birth and titles with names are refused outright (no one can confirm them here)."""
    reference = _text(value, "reference", "Case reference", REFERENCE_MAX, required=True)
    problems = problems_without_prompt(reference, label="Case reference", multiline=False)
    if problems:
        raise ValidationError(
            {"reference": [*problems, "Use a reference that identifies no one, e.g. “Case 12”."]}
        )
    return reference


def _answers(answers, criteria: list[AuditCriterion]) -> dict[int, str]:
    """Every criterion answered, none foreign: {criterion id: Compliance value}."""
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Answer each criterion."})
    by_id = {c.pk: c for c in criteria}
    checked: dict[int, str] = {}
    for key, value in answers.items():
        pk = key.pk if isinstance(key, AuditCriterion) else key
        if isinstance(pk, bool) or not isinstance(pk, int) or pk not in by_id:
            raise ValidationError({"answers": "An answer is for a criterion of another audit."})
        answer = answer_parse(value) if value not in Compliance.values else value
        if answer is None:
            raise ValidationError(
                {"answers": f"Criterion {by_id[pk].position}: answer met, not met or n/a."}
            )
        checked[pk] = answer
    missing = [str(c.position) for c in criteria if c.pk not in checked]
    if missing:
        raise ValidationError({"answers": f"Answer criterion {', '.join(missing)}."})
    return checked


def _check_cases_open(audit: Audit) -> list[AuditCriterion]:
    if audit.status not in _OPEN_FOR_CASES:
        raise ValidationError(
            f"This audit is {audit.get_status_display().lower()}: cases can no longer change"
            + (" (reopen it to correct them)." if audit.status == AuditStatus.ANALYSED else ".")
        )
    criteria = list(audit.criteria.all())
    if not criteria:
        raise ValidationError("Set the audit's criteria before recording cases.")
    return criteria


def _start_collecting(audit: Audit, by) -> None:
    if audit.status == AuditStatus.PLANNED:
        _set_status(audit, AuditStatus.COLLECTING, by, "Data collection started")


def _save_case(audit, reference: str, answers: dict[int, str], by) -> AuditCase:
    try:
        with transaction.atomic():
            case = AuditCase.objects.create(audit=audit, reference=reference, collected_by=by)
    except IntegrityError:
        raise ValidationError(
            {"reference": f"“{reference}” is recorded already: correct that case instead."}
        ) from None
    AuditAnswer.objects.bulk_create(
        AuditAnswer(case=case, criterion_id=pk, answer=answer) for pk, answer in answers.items()
    )
    return case


@transaction.atomic
def case_record(*, by: Person | None, audit: Audit, reference: str, answers: Mapping) -> AuditCase:
    """Record one case of the sample: its reference (identifying no one) and, for every
    criterion, met, not met or not applicable. `answers` maps criteria (or their ids) to a
    `Compliance` value or a word `answer_parse` reads."""
    _lock(audit)
    _authorise(by, audit, "record audit cases", roles.AUDIT_COLLECTORS)
    criteria = _check_cases_open(audit)
    reference = _reference(reference)
    checked = _answers(answers, criteria)
    case = _save_case(audit, reference, checked, by)
    _start_collecting(audit, by)
    return case


@transaction.atomic
def case_update(
    *, by: Person | None, case: AuditCase, reference: str, answers: Mapping
) -> AuditCase:
    """Correct a case (its reference or answers) until the audit is analysed."""
    audit = _lock(case.audit)
    _authorise(by, audit, "correct audit cases", roles.AUDIT_COLLECTORS)
    criteria = _check_cases_open(audit)
    reference = _reference(reference)
    checked = _answers(answers, criteria)
    if AuditCase.objects.filter(audit=audit, reference=reference).exclude(pk=case.pk).exists():
        raise ValidationError({"reference": f"“{reference}” is another case of this audit."})
    case.reference = reference
    case.save(update_fields=["reference"])
    case.answers.all().delete()
    AuditAnswer.objects.bulk_create(
        AuditAnswer(case=case, criterion_id=pk, answer=answer) for pk, answer in checked.items()
    )
    return case


@transaction.atomic
def case_remove(*, by: Person | None, case: AuditCase) -> None:
    """Remove a case recorded by mistake, until the audit is analysed."""
    audit = _lock(case.audit)
    _authorise(by, audit, "remove audit cases", roles.AUDIT_COLLECTORS)
    _check_cases_open(audit)
    case.delete()


def _column_criteria(header: list[str], criteria: list[AuditCriterion]):
    """(index of the case column, {column index: criterion}) from the header: a column names a
    criterion by its number (1, C1, Criterion 1) or its text. Every criterion needs a column."""
    by_number = {str(c.position): c for c in criteria}
    by_text = {" ".join(c.text.lower().split()): c for c in criteria}
    case_column = None
    columns: dict[int, AuditCriterion] = {}
    problems = []
    for index, name in enumerate(header):
        key = " ".join(name.lower().split())
        if key in ("case", "case reference", "reference"):
            if case_column is not None:
                problems.append("Row 1 names the case column twice.")
            case_column = index
            continue
        if not key:
            continue
        number = key.removeprefix("criterion").removeprefix("c").strip(" .#")
        criterion = by_number.get(number) or by_text.get(key)
        if criterion is None:
            problems.append(
                f"Row 1, column {index + 1} (“{name[:40]}”): no criterion has this number or text."
            )
        elif criterion in columns.values():
            problems.append(
                f"Row 1, column {index + 1}: criterion {criterion.position} has another column."
            )
        else:
            columns[index] = criterion
    if case_column is None:
        problems.append("Row 1 must name a column “case” with each case's reference.")
    missing = [str(c.position) for c in criteria if c not in columns.values()]
    if missing:
        problems.append(f"Row 1 has no column for criterion {', '.join(missing)}.")
    if problems:
        raise ValidationError({"file": problems})
    return case_column, columns


@transaction.atomic
def cases_upload(*, by: Person | None, audit: Audit, file, name: str | None = None) -> int:
    """Record cases from a CSV or Excel file: a column “case” with each reference and one
    column per criterion (its number or text) answered met / not met / n/a (or yes / no / na,
    Y / N, 1 / 0). All or nothing: every problem is named by row and column, and nothing is
    saved while there is one. Returns the cases recorded."""
    _lock(audit)
    _authorise(by, audit, "record audit cases", roles.AUDIT_COLLECTORS)
    criteria = _check_cases_open(audit)
    try:
        header, rows = control_services.table_read(
            file, name or getattr(file, "name", "") or "", max_rows=CASES_UPLOAD_MAX_ROWS
        )
    except ValueError as error:
        raise ValidationError({"file": str(error)}) from None
    case_column, columns = _column_criteria(header, criteria)
    existing = set(AuditCase.objects.filter(audit=audit).values_list("reference", flat=True))
    problems: list[str] = []
    seen: dict[str, int] = {}
    cases = []
    for number, cells in rows:
        raw = cells[case_column] if case_column < len(cells) else None
        reference = "" if raw is None else str(raw).strip()
        where = f"Row {number}, column {case_column + 1} (case)"
        if not reference:
            problems.append(f"{where}: give the case reference.")
        elif len(reference) > REFERENCE_MAX:
            problems.append(f"{where}: longer than {REFERENCE_MAX} characters.")
        elif found := problems_without_prompt(reference, label="the reference", multiline=False):
            problems.extend(f"{where}: {problem}." for problem in found)
        elif reference in existing:
            problems.append(f"{where}: “{reference}” is recorded already.")
        elif reference in seen:
            problems.append(f"{where}: “{reference}” is also on row {seen[reference]}.")
        else:
            seen[reference] = number
        answers = {}
        for index, criterion in columns.items():
            value = cells[index] if index < len(cells) else None
            answer = answer_parse(value)
            if answer is None:
                shown = "" if value is None else str(value)[:20]
                problems.append(
                    f"Row {number}, column {index + 1} (criterion {criterion.position}): "
                    f"“{shown}” is not met, not met or n/a."
                )
            answers[criterion.pk] = answer
        cases.append((reference, answers))
    if not rows:
        problems.append("The file has no cases below its first row.")
    if problems:
        raise ValidationError({"file": problems})
    new = AuditCase.objects.bulk_create(
        AuditCase(audit=audit, reference=reference, collected_by=by) for reference, _ in cases
    )
    AuditAnswer.objects.bulk_create(
        AuditAnswer(case=case, criterion_id=pk, answer=answer)
        for case, (_, answers) in zip(new, cases, strict=True)
        for pk, answer in answers.items()
    )
    _start_collecting(audit, by)
    return len(new)


# Analysis and findings -------------------------------------------------------------------------


@transaction.atomic
def audit_analyse(*, by: Person | None, audit: Audit, replace: bool = False) -> Audit:
    """Compare the cases with the standard: the audit is analysed, and its overall compliance
    (cases meeting every criterion that applied, over cases with one that applied) is recorded
    as the value of its measure for the period that holds the audit's period. A value already
    there for that period is replaced only with `replace` (analysing again after a correction);
    otherwise the audit is refused, saying what is there."""
    _lock(audit)
    _authorise(by, audit, "analyse audits")
    if audit.status not in (AuditStatus.COLLECTING, AuditStatus.ANALYSED):
        raise ValidationError("Record the audit's cases before analysing it.")
    results = audit_results(audit)
    if not results.cases:
        raise ValidationError("Record the audit's cases before analysing it.")
    if audit.measure is not None:
        _record_on_measure(audit, results, by, replace)
    return _set_status(audit, AuditStatus.ANALYSED, by, "Analysed")


def _record_on_measure(audit: Audit, results, by, replace: bool) -> None:
    measure = audit.measure
    period = measure_period(audit)
    if results.applicable == 0:
        raise ValidationError(
            {"measure": "No case had a criterion that applied: there is no compliance to record."}
        )
    if measure.needs_denominator:
        value, denominator = float(results.all_met), float(results.applicable)
    else:
        value, denominator = round(100 * results.all_met / results.applicable, 4), None
    row = control_services.ObservationInput(
        measure=measure,
        period=period,
        value=value,
        denominator=denominator,
        note=f"Clinical audit: {audit.title}"[:500],
    )
    # The audit is the source of this value, and its auditors were authorised on the audit's
    # unit (the measure is in it): the system records it, as for an import on their behalf,
    # so a coach who runs audits but does not enter data may still analyse one.
    try:
        control_services.observations_save(
            by=None,
            rows=[row],
            replace=replace,
            reason=f"Clinical audit “{audit.title}” analysed again by {by or 'the system'}",
        )
    except control_services.ObservationConflict as conflict:
        _, old = conflict.conflicts[0]
        shown = control_selectors.period_label(period, measure.frequency)
        raise ValidationError(
            {
                "replace": f"{measure} already has {old.value:g} for {shown}; the audit would "
                f"record {value:g}. Tick “replace the value” to record the audit's."
            }
        ) from None
    except ValidationError as error:
        raise ValidationError({"measure": [f"{measure}: {m}" for m in error.messages]}) from None


def _finding_title(criterion: AuditCriterion) -> str:
    title = f"Audit finding: {criterion.text}"
    return title if len(title) <= 200 else title[:199] + "…"


@transaction.atomic
def findings_raise(*, by: Person | None, audit: Audit) -> list:
    """Raise an issue (an audit finding) for each criterion of an analysed audit that falls
    short of its expected compliance and has none yet: analysing again never raises a finding
    twice. Its owner is the audit's lead (the person raising it when there is none); each
    issue's action plan is added on the audit page. Returns the issues raised."""
    _lock(audit)
    _authorise(by, audit, "raise audit findings")
    if audit.status not in (AuditStatus.ANALYSED, AuditStatus.CLOSED):
        raise ValidationError("Analyse the audit before raising its findings.")
    criteria = list(AuditCriterion.objects.select_for_update().filter(audit=audit))
    results = audit_results(audit, criteria)
    raised = []
    for row in results.short:
        criterion = row.criterion
        if criterion.issue_id is not None:
            continue
        owner = audit.lead if audit.lead and access.can(audit.lead, audit, roles.VIEWERS) else by
        issue = issue_services.issue_raise(
            by=by,
            unit=audit.unit,
            title=_finding_title(criterion),
            source=IssueSource.AUDIT_FINDING,
            source_record=audit,
            owner=owner,
            description=(
                f"Clinical audit “{audit.title}”, criterion {criterion.position}: "
                f"{row.met} of {row.n} cases met it ({row.percent:.1f}%, 95% CI "
                f"{row.lower:.1f}% to {row.upper:.1f}%); {criterion.expected:g}% was expected."
            ),
        )
        criterion.issue = issue
        record_by(criterion, by, "Finding raised")
        criterion.save(update_fields=["issue"])
        raised.append(issue)
    return raised


def finding_action_add(
    *, by: Person | None, criterion: AuditCriterion, what: str, owner, due_on: dt.date
):
    """Add an action to the action plan of a criterion's finding (issues' `action_add`: the
    finding's owner or the unit's leads may)."""
    if criterion.issue_id is None:
        raise ValidationError("Raise the finding before planning its actions.")
    return issue_services.action_add(
        by=by, issue=criterion.issue, what=what, owner=owner, due_on=due_on
    )


# Re-audit --------------------------------------------------------------------------------------


@transaction.atomic
def reaudit_schedule(*, by: Person | None, audit: Audit, due_on: dt.date | None) -> Audit:
    """When the audit is to be repeated (None: no re-audit planned). Its lead is reminded when
    the date comes and no re-audit has been started."""
    _lock(audit)
    _authorise(by, audit, "schedule re-audits")
    if due_on is not None:
        due_on = _date(due_on, "reaudit_due", "re-audit date")
        if due_on < audit.period_end:
            raise ValidationError(
                {"reaudit_due": "The re-audit comes after the audit's period has ended."}
            )
    audit.reaudit_due = due_on
    record_by(audit, by, "Re-audit scheduled" if due_on else "Re-audit unscheduled")
    audit.save(update_fields=["reaudit_due"])
    return audit


@transaction.atomic
def reaudit_create(
    *,
    by: Person | None,
    audit: Audit,
    period_start: dt.date,
    period_end: dt.date,
    title: str = "",
    sample_size: int | None = None,
    lead: Person | None = None,
) -> Audit:
    """Repeat an analysed audit: a new audit of the same standard, measure, sample and criteria
    (copied, so they may be adjusted before collection), for a new period, naming the audit it
    repeats. An audit is repeated once; its re-audit may be repeated in turn."""
    _lock(audit)
    _authorise(by, audit, "start re-audits")
    if audit.status not in (AuditStatus.ANALYSED, AuditStatus.CLOSED):
        raise ValidationError("Analyse the audit before repeating it.")
    following = Audit.objects.filter(previous=audit).first()
    if following is not None:
        raise ValidationError(f"This audit is repeated already by “{following}”.")
    checked = _fields(
        {
            "title": title or f"Re-audit: {audit.title}"[:TITLE_MAX],
            "sample": audit.sample,
            "sample_size": sample_size if sample_size is not None else audit.sample_size,
            "period_start": period_start,
            "period_end": period_end,
        }
    )
    if checked["period_start"] <= audit.period_end:
        raise ValidationError(
            {"period_start": f"The re-audit starts after the audit's period ({audit.period_end})."}
        )
    measure = audit.measure if audit.measure is not None and audit.measure.is_active else None
    again = Audit(
        unit=audit.unit,
        standard=audit.standard,
        measure=measure,
        lead=lead if lead is not None else (audit.lead or by),
        previous=audit,
        created_by=by,
        **checked,
    )
    _check_audit(again, by)
    record_by(again, by, f"Re-audit of “{audit.title}”")
    again.save()
    for criterion in audit.criteria.all():
        copy = AuditCriterion(
            audit=again,
            position=criterion.position,
            text=criterion.text,
            expected=criterion.expected,
            exceptions=criterion.exceptions,
        )
        record_by(copy, by, "Copied from the audit repeated")
        copy.save()
    return again


def audits_remind_reaudit(*, today: dt.date | None = None) -> int:
    """Tell the lead of each audit whose re-audit is due (its date reached, no re-audit
    started) once for each date. Run daily by `qms remind-audits`. Returns reminders sent."""
    today = today or timezone.localdate()
    due = (
        Audit.objects.filter(reaudit_due__lte=today, reaudits__isnull=True, lead__isnull=False)
        .exclude(reaudit_reminded_for=F("reaudit_due"))
        .select_related("lead", "unit")
        .order_by("pk")
    )
    return sum(_remind(audit) for audit in due)


@transaction.atomic
def _remind(audit: Audit) -> int:
    # Claim first: of two runs at once, only the one whose update changed the row sends it.
    claimed = (
        Audit.objects.filter(pk=audit.pk, reaudit_due=audit.reaudit_due)
        .exclude(reaudit_reminded_for=F("reaudit_due"))
        .update(reaudit_reminded_for=F("reaudit_due"))
    )
    if not claimed or not audit.lead.is_active:
        return 0
    text = (
        f"Re-audit due {audit.reaudit_due:%d %b %Y}: “{audit.title}” ({audit.unit}). Start it "
        "from the audit's page."
    )
    return len(notify([audit.lead], kind=NotificationKind.PLANNING, text=text, subject=audit))
