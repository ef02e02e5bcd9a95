"""Every write in quality control: atomic, validated, recorded in history with who did it.

Each service authorises `by` first (qms.people.access, with the groups of qms.control.roles) and
raises PermissionDenied when the person's role does not allow it, whoever calls: a view, the API,
the admin or a command.
`by=None` is the system itself and is not checked (see DEVELOPERS.md, "Who may write").
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Value
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from qms.control.explain import explain_point
from qms.control.models import (
    Annotation,
    BaselineSuggestion,
    Measure,
    MeasureDefinition,
    MeasureResult,
    Observation,
    Phase,
    Signal,
    SignalKind,
    SignalStatus,
    Standard,
    StandardScope,
    SuggestionStatus,
)
from qms.control.periods import (
    EARLIEST_PERIOD,
    current_period,
    period_label,
    period_problem,
)
from qms.control.roles import (
    DATA_ENTRY,
    MEASURE_EDITORS,
    SIGNAL_HANDLERS,
    STANDARD_EDITORS,
)
from qms.escalation.services import nearest_handlers, subject_unit
from qms.notifications.models import NotificationKind
from qms.notifications.services import notifications_mark_read_about, notify
from qms.people import access, keys
from qms.people.access import is_system_administrator
from qms.people.history import record_by
from qms.people.models import Membership, Person
from qms.people.roles import Role
from qms.stats import SpcInputError, analyse, assurance_icon
from qms.stats.charts import COUNTED, NEEDS_DENOMINATOR, PROPORTIONS, WHOLE_COUNTS

logger = logging.getLogger(__name__)

MEASURE_FIELDS = {
    "name", "code", "kind", "domain", "operational_definition", "numerator_definition",
    "denominator_definition", "data_source", "frequency", "chart", "direction", "multiply",
    "unit_label", "target", "target_source", "standard", "rules", "shift_length",
    "trend_length", "baseline_points", "owner", "is_active", "definition",
}  # fmt: skip


# Tables uploaded to other areas ------------------------------------------------------------


def table_read(stream, name: str, *, max_rows: int):
    """The header and the numbered data rows of an uploaded .csv or .xlsx table of any columns
    (`imports.read_table`, bounded as observation files are), for other areas' uploads. Raises a
    ValueError (`imports.ReadError`) whose message tells the person why the file cannot be read."""
    from qms.control import imports  # imports uses this module

    return imports.read_table(stream, name, max_rows=max_rows)


def integration_token(header: str | None):
    """The live API key (qms.people.keys) that may write, named by an `Authorization: Bearer
    <key>` header, or None, for other areas' hand-written endpoints that write (records when
    the key was last used). The key's `unit` is where its writes may go: that unit and the
    units below it. A read-only key is None here: those endpoints only write."""
    key = keys.api_key_authenticate(header)
    return key if key is not None and key.can_write else None


def measure_code_free(code: str, unit) -> str:
    """A measure code not yet taken, from `code` with the unit's id (for measures other areas
    define on a unit's behalf)."""
    return _free_code(code, unit)


# Measures ----------------------------------------------------------------------------------


@transaction.atomic
def measure_create(*, by: Person | None, unit, **fields) -> Measure:
    """Define a measure in a unit; `definition=` links it to the library definition it was
    made from (its units are then compared with others measuring the same definition)."""
    access.authorise(by, unit, MEASURE_EDITORS, "define measures")
    unknown = set(fields) - MEASURE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    measure = Measure(unit=unit, **fields)
    measure.full_clean()
    record_by(measure, by)
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, by: Person | None, measure: Measure, reason: str = "", **fields) -> Measure:
    """Change a measure's definition; its results are refreshed because the chart may differ."""
    access.authorise(by, measure, MEASURE_EDITORS, "change measures")
    unknown = set(fields) - MEASURE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    if "baseline_points" in fields and not reason.strip():
        # Compare with what is stored: a form may already have set the new value on `measure`.
        stored = Measure.objects.filter(pk=measure.pk).values_list("baseline_points", flat=True)
        if fields["baseline_points"] != stored.first():
            # Changing the baseline reclassifies past points: say why, for the history.
            raise ValidationError({"reason": "Say why the baseline changes."})
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.full_clean()
    _check_recorded_data(measure)
    record_by(measure, by, reason)
    measure.data_changed_at = timezone.now()
    measure.save()
    results_refresh([measure.pk])
    return measure


# What a copy of a measure takes from it: its whole definition, not its data, owner or code.
COPIED_FIELDS = (
    *MeasureDefinition.MEASURE_FIELDS, "shift_length", "trend_length", "baseline_points",
)  # fmt: skip


@transaction.atomic
def measure_copy(
    *, by: Person | None, measure: Measure, unit, owner: Person | None = None
) -> Measure:
    """A new measure in `unit` defined as `measure` is (name, kind, domain, definitions,
    frequency, chart, direction, rules...), with a code of its own and no data: how a unit
    adopting another's change package measures it the same way. Authorised as
    `measure_create` is, in `unit`; the caller has checked that `by` may read `measure` (a
    published package's measures are readable by any staff)."""
    access.authorise(by, unit, MEASURE_EDITORS, "define measures")
    if Measure.objects.filter(unit=unit, name=measure.name).exists():
        raise ValidationError(
            {"name": f"{unit.name} already has a measure named “{measure.name}”."}
        )
    fields = {name: getattr(measure, name) for name in COPIED_FIELDS}
    copy = Measure(
        unit=unit,
        code=_free_code(measure.code, unit),
        owner=owner,
        definition_id=measure.definition_id,  # measured the same way: still comparable
        **fields,
    )
    copy.full_clean()
    record_by(copy, by, f"Copied from {measure.name} ({measure.unit.name})")
    copy.save()
    return copy


@transaction.atomic
def measure_create_from_library(
    *,
    by: Person | None,
    unit,
    definition: MeasureDefinition,
    owner: Person | None = None,
    target: float | None = None,
    target_source: str = "",
    reason: str = "",
) -> Measure:
    """A measure in `unit` defined as the library's `definition` is, as "Start from the
    library" on the new-measure page makes it (its code the unit's and the definition's,
    made unique if taken), linked to the definition so its units can be compared. A `target`
    the unit agreed replaces the definition's suggested one and needs its `target_source`.
    Authorised as `measure_create` is."""
    access.authorise(by, unit, MEASURE_EDITORS, "define measures")
    fields = definition.measure_fields()
    if target is not None:
        fields["target"], fields["target_source"] = target, target_source
    limit = Measure._meta.get_field("code").max_length
    code = f"{unit.code}-{definition.code}"[:limit]
    if Measure.objects.filter(code=code).exists():
        code = _free_code(code, unit)
    measure = Measure(unit=unit, code=code, owner=owner, definition=definition, **fields)
    measure.full_clean()
    record_by(measure, by, reason)
    measure.save()
    return measure


def _free_code(code: str, unit) -> str:
    """A measure code not yet taken: the original's with the unit's id, then a number."""
    from django.utils.text import slugify

    limit = Measure._meta.get_field("code").max_length
    base = slugify(f"{code}-u{unit.pk}")[: limit - 4] or f"measure-u{unit.pk}"
    taken = set(Measure.objects.filter(code__startswith=base).values_list("code", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def measure_check(measure: Measure) -> None:
    """The checks measure_update makes of a changed, unsaved measure: its fields and the data
    already recorded for it (for forms that validate before saving, such as the admin's)."""
    measure.full_clean()
    _check_recorded_data(measure)


def _check_recorded_data(measure: Measure) -> None:
    """The data already recorded must suit the new definition (a c chart cannot take a negative
    count, a p chart needs denominators no smaller than the counts); name the periods that do
    not, so nothing is saved and the chart never breaks."""
    problems = []
    for observation in measure.observations.all():
        row = ObservationInput(
            measure=measure,
            period=observation.period,
            value=observation.value,
            denominator=observation.denominator,
            note=observation.note,
        )
        for problem in check_observation(row):
            label = period_label(observation.period, measure.frequency)
            problems.append(f"{label}: {problem}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValidationError(
            "The data already recorded does not suit this definition: "
            + "; ".join(problems[:5])
            + more
        )


@transaction.atomic
def standard_create(
    *,
    by: Person | None,
    unit,
    code: str,
    title: str,
    statement: str,
    source: str,
    reason: str = "",
) -> Standard:
    """Record a standard a unit has agreed; with `unit=None`, a national standard (which
    system administrators add, in the admin, for the whole installation)."""
    _authorise_standard(by, unit)
    standard = Standard(
        code=code,
        title=title,
        statement=statement,
        source=source,
        scope=StandardScope.LOCAL if unit is not None else StandardScope.NATIONAL,
        unit=unit,
    )
    standard.full_clean()
    record_by(standard, by, reason)
    standard.save()
    return standard


STANDARD_FIELDS = {"code", "title", "statement", "source"}


@transaction.atomic
def standard_update(*, by: Person | None, standard: Standard, reason: str = "", **changes):
    """Reword a standard. Who agreed it (its unit, or national) does not change."""
    _authorise_standard(by, standard.unit)
    unknown = set(changes) - STANDARD_FIELDS
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    for name, value in changes.items():
        setattr(standard, name, value)
    standard.full_clean()
    record_by(standard, by, reason)
    standard.save()
    return standard


def _authorise_standard(by: Person | None, unit) -> None:
    if unit is not None:
        access.authorise(by, unit, STANDARD_EDITORS, "agree local standards")
    elif by is not None and not is_system_administrator(by):
        raise PermissionDenied("Only system administrators add or change national standards.")


# The product library's measure definitions ----------------------------------------------------

DEFINITION_FIELDS = {"code", *MeasureDefinition.MEASURE_FIELDS}


@transaction.atomic
def measure_definition_create(
    *, by: Person | None, reason: str = "", **fields
) -> MeasureDefinition:
    """Add a definition to the library of measure definitions (for the whole installation, like a
    national standard: system administrators, or the library load)."""
    _authorise_library(by)
    unknown = set(fields) - DEFINITION_FIELDS
    if unknown:
        raise ValidationError(f"Unknown measure definition fields: {', '.join(sorted(unknown))}")
    definition = MeasureDefinition(**fields)
    definition.full_clean()
    record_by(definition, by, reason)
    definition.save()
    return definition


@transaction.atomic
def measure_definition_update(
    *, by: Person | None, definition: MeasureDefinition, reason: str, **changes
) -> MeasureDefinition:
    """Change a library definition. Measures defined from it are copies and stay as they are."""
    _authorise_library(by)
    unknown = set(changes) - DEFINITION_FIELDS
    if unknown:
        raise ValidationError(f"Unknown measure definition fields: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(definition, name, value)
    definition.full_clean()
    record_by(definition, by, reason)
    definition.save()
    return definition


def _authorise_library(by: Person | None) -> None:
    if by is not None and not is_system_administrator(by):
        raise PermissionDenied("Only system administrators change the library of measures.")


# Observations ------------------------------------------------------------------------------


# Beyond these a value is a slip (or an attack on the charts' number formatting), not data.
LARGEST_VALUE = 1e12
SMALLEST_DENOMINATOR = 1e-6


@dataclass(frozen=True)
class ObservationInput:
    """One value to record. `row` is where it came from (a file row), for messages."""

    measure: Measure
    period: dt.date
    value: float
    denominator: float | None = None
    note: str = ""
    row: int | None = None


@dataclass(frozen=True)
class SaveSummary:
    created: int
    updated: int
    unchanged: int
    measures: int


class ObservationConflict(ValidationError):
    """Some periods already hold a different value and replacing was not confirmed."""

    def __init__(self, conflicts: list[tuple[ObservationInput, Observation]]):
        self.conflicts = conflicts
        super().__init__(
            [
                f"{_where(row)}{row.measure}, {period_label(row.period, row.measure.frequency)} "
                f"already has {old.value:g}; confirm to replace it with {row.value:g}"
                for row, old in conflicts
            ]
        )


def _where(row: ObservationInput) -> str:
    return f"Row {row.row}: " if row.row is not None else ""


def check_observation(
    row: ObservationInput, *, current: dict[str, dt.date] | None = None
) -> list[str]:
    """What is wrong with one value for its measure (empty when nothing is). `current` maps
    frequencies to their current period, for callers checking many rows at once."""
    problems = []
    measure = row.measure
    if current is not None and measure.frequency not in current:
        current[measure.frequency] = current_period(measure.frequency)
    now = current[measure.frequency] if current is not None else None
    # period_problem's bounds tested inline first: it is called only for a bad period, which
    # keeps a million-row import from paying a function call per row.
    if (now is not None and row.period > now) or row.period < EARLIEST_PERIOD:
        problems.append(period_problem(row.period, measure.frequency, today=now))
    # math, not numpy: a million scalar checks cost 0.1 s instead of 1 s.
    if not math.isfinite(row.value):
        problems.append("the value must be a number")
    elif abs(row.value) > LARGEST_VALUE:
        problems.append(f"the value is beyond ±{LARGEST_VALUE:,.0f}: check it")
    elif measure.chart in WHOLE_COUNTS and row.value != int(row.value):
        problems.append(f"a count must be a whole number, not {row.value:g}")
    if (
        row.denominator is not None
        and math.isfinite(row.denominator)
        and row.denominator != 0
        and not SMALLEST_DENOMINATOR <= abs(row.denominator) <= LARGEST_VALUE
    ):
        problems.append(
            f"the denominator must be 0 (no data) or between {SMALLEST_DENOMINATOR:g} and "
            f"{LARGEST_VALUE:,.0f}"
        )
    if measure.needs_denominator:
        if row.denominator is None or not math.isfinite(row.denominator):
            problems.append(f"{measure.name} needs a denominator")
        elif row.denominator < 0:
            problems.append("the denominator cannot be negative")
        elif measure.chart in PROPORTIONS and row.value > row.denominator:
            problems.append("the numerator is larger than the denominator")
    if measure.chart in COUNTED and row.value < 0:
        problems.append("a count cannot be negative")
    if measure.chart == "t" and row.value <= 0:
        problems.append("a time between events must be greater than 0")
    if len(row.note) > 500:
        problems.append("the note is longer than 500 characters")
    return problems


@transaction.atomic
def observations_save(
    *,
    by: Person | None,
    rows: Sequence[ObservationInput],
    replace: bool = False,
    reason: str = "",
    refresh: bool = True,
) -> SaveSummary:
    """Record values, all or none. A period that already holds a different value is replaced
    only with `replace` (the old value stays in history, with `reason`); otherwise the whole
    batch is refused with an ObservationConflict naming every such period."""
    # Per measure, not per unit, so a grant on a measure counts as it does on its page.
    if by is not None:
        for measure in {row.measure.pk: row.measure for row in rows}.values():
            access.authorise(by, measure, DATA_ENTRY, "record data")
    current: dict[str, dt.date] = {}
    problems = [
        f"{_where(row)}{problem}"
        for row in rows
        for problem in check_observation(row, current=current)
    ]
    seen: set[tuple[int, dt.date]] = set()
    for row in rows:
        key = (row.measure.pk, row.period)
        if key in seen:
            problems.append(f"{_where(row)}{row.measure} has two values for {row.period}")
        seen.add(key)
    if problems:
        raise ValidationError(problems)

    existing = _existing(rows)
    new, changed, conflicts, unchanged = [], [], [], 0
    for row in rows:
        old = existing.get((row.measure.pk, row.period))
        if old is None:
            new.append(row)
        elif (old.value, old.denominator, old.note) == (row.value, row.denominator, row.note):
            unchanged += 1
        elif not replace:
            conflicts.append((row, old))
        else:
            old.value, old.denominator, old.note = row.value, row.denominator, row.note
            changed.append(old)
    if conflicts:
        raise ObservationConflict(conflicts)
    now = timezone.now()
    if new:
        try:
            # A savepoint: someone may record the same period between the read above and this
            # insert (two people saving one form). The unique (measure, period) constraint
            # stops the second; they get the conflict message, as if they had been second to
            # read, and nothing of theirs is saved.
            with transaction.atomic():
                _insert_new(new, by=by, reason=reason, now=now)
        # COPY goes through psycopg's own cursor, whose errors Django does not wrap.
        except (IntegrityError, connection.Database.IntegrityError):
            raise _recorded_meanwhile(new) from None
    for observation in changed:
        observation.recorded_at = now
    if changed:
        bulk_update_with_history(
            changed,
            Observation,
            ["value", "denominator", "note", "recorded_at"],
            batch_size=2000,
            default_user=by,
            default_change_reason=reason or "Corrected",
        )
    measure_ids = sorted({row.measure.pk for row in rows})
    if new or changed:
        _data_changed(measure_ids)
    if refresh and (new or changed):
        transaction.on_commit(lambda: enqueue_refresh(measure_ids))
    return SaveSummary(len(new), len(changed), unchanged, len(measure_ids))


def _recorded_meanwhile(rows: Sequence[ObservationInput]) -> ValidationError:
    """The conflict for new rows whose periods were recorded by someone else while they were
    being saved (read after that save committed)."""
    recorded = _existing(rows)
    conflicts = [
        (row, recorded[key]) for row in rows if (key := (row.measure.pk, row.period)) in recorded
    ]
    if conflicts:
        return ObservationConflict(conflicts)
    # The other save was undone again before this one could see it.
    return ValidationError("Values were being saved for these periods at the same time: try again.")


# Ids per `IN (...)`: well below SQLite's historic limit of 999 parameters.
_IN_CHUNK = 500


def _existing(rows: Sequence[ObservationInput]) -> dict[tuple[int, dt.date], Observation]:
    """The recorded observations for the rows' (measure, period) pairs: one query per 500
    measures, narrowed to the rows' range of periods (not one query per measure)."""
    periods_by_measure: dict[int, set[dt.date]] = defaultdict(set)
    for row in rows:
        periods_by_measure[row.measure.pk].add(row.period)
    found = {}
    ids = sorted(periods_by_measure)
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        query = Observation.objects.filter(
            measure_id__in=chunk,
            period__gte=min(min(periods_by_measure[pk]) for pk in chunk),
            period__lte=max(max(periods_by_measure[pk]) for pk in chunk),
        )
        for observation in query.iterator(chunk_size=5000):
            if observation.period in periods_by_measure[observation.measure_id]:
                found[(observation.measure_id, observation.period)] = observation
    return found


_OBSERVATION_COLUMNS = "measure_id, period, value, denominator, note, recorded_at"
_HISTORY_COLUMNS = (
    "id, measure_id, period, value, denominator, note, recorded_at, "
    "history_date, history_change_reason, history_type, history_user_id"
)


def _insert_new(
    rows: Sequence[ObservationInput], *, by: Person | None, reason: str, now: dt.datetime
) -> None:
    """Insert new values and their "created" history rows in bulk: executemany (COPY on
    PostgreSQL) for the values, one INSERT ... SELECT per 500 measures for the history.

    Not bulk_create_with_history: building two model instances and their SQL per row costs
    ~50 µs a row, 100 s for a million-row import (issue 4 asks for 60 s in all). The history
    rows hold what django-simple-history's own would: the values, when, who, why, "+"."""
    ops = connection.ops
    table = ops.quote_name(Observation._meta.db_table)
    history = ops.quote_name(Observation.history.model._meta.db_table)
    recorded_at = ops.adapt_datetimefield_value(now)
    periods = {period: ops.adapt_datefield_value(period) for period in {r.period for r in rows}}
    values = [
        (row.measure.pk, periods[row.period], row.value, row.denominator, row.note, recorded_at)
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        (before,) = cursor.fetchone()
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({_OBSERVATION_COLUMNS}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({_OBSERVATION_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                values,
            )
        # The rows just inserted are those of these measures with a higher id than any before
        # and this save's time stamp: (measure, period) is unique, so no row is copied twice.
        measure_ids = sorted({row.measure.pk for row in rows})
        user_id = by.pk if by is not None else None
        for start in range(0, len(measure_ids), _IN_CHUNK):
            chunk = measure_ids[start : start + _IN_CHUNK]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {history} ({_HISTORY_COLUMNS}) "
                "SELECT id, measure_id, period, value, denominator, note, recorded_at, "
                f"recorded_at, %s, '+', %s FROM {table} "
                f"WHERE id > %s AND recorded_at = %s AND measure_id IN ({placeholders})",
                [reason, user_id, before, recorded_at, *chunk],
            )


@transaction.atomic
def observation_delete(*, by: Person | None, observation: Observation, reason: str) -> None:
    """Remove a value; the history keeps it, who removed it and why."""
    access.authorise(by, observation.measure, DATA_ENTRY, "remove values")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the value is being removed."})
    record_by(observation, by, reason)
    measure_id = observation.measure_id
    observation.delete()
    _data_changed([measure_id])
    transaction.on_commit(lambda: enqueue_refresh([measure_id]))


# Phases and annotations --------------------------------------------------------------------


@transaction.atomic
def phase_start(*, by: Person | None, measure: Measure, starts_on: dt.date, reason: str) -> Phase:
    """Start new limits from a period, for a reason that shows on the chart."""
    access.authorise(by, measure, MEASURE_EDITORS, "start new limits")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the limits are recalculated from here."})
    if problem := period_problem(starts_on, measure.frequency):
        raise ValidationError({"starts_on": problem})
    if Phase.objects.filter(measure=measure, starts_on=starts_on).exists():
        raise ValidationError({"starts_on": "A phase already starts at this period."})
    phase = Phase(measure=measure, starts_on=starts_on, reason=reason.strip(), created_by=by)
    record_by(phase, by, reason)
    phase.save()
    _data_changed([measure.pk])
    _supersede_suggestions(measure, starts_on, by)
    transaction.on_commit(lambda: enqueue_refresh([measure.pk]))
    return phase


@transaction.atomic
def annotation_add(*, by: Person | None, measure: Measure, period: dt.date, text: str):
    """Note on the chart what happened at a period (a change tested, a new team)."""
    access.authorise(by, measure, DATA_ENTRY, "annotate charts")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the annotation."})
    annotation = Annotation(measure=measure, period=period, text=text[:200], created_by=by)
    record_by(annotation, by)
    annotation.save()
    return annotation


# Chart markers: other areas' records on a measure's chart ---------------------------------

# What a marker's text holds at most (Annotation.text).
MARKER_TEXT_MAX = 200


@transaction.atomic
def chart_markers_set(
    *, source, markers: Iterable[tuple[Measure, dt.date, str]], by: Person | None = None
) -> list[Annotation]:
    """Put `source`'s markers on measures' charts: every annotation linked to `source` (any
    saved record with `get_absolute_url`, a PDSA cycle) is replaced by `markers`, triples of
    (measure, date, text), each on the measure's period that contains the date.

    The link is generic, so control imports nothing of the area the record belongs to. The
    record's own service has authorised the change that moves its markers, so `by` is only
    recorded as who made them (None: the system). Markers that do not change are kept as they
    are (their history too); the rest are removed and added, so the measure page's chart and
    the report's fingerprint see the change. SPC results are not touched: a marker does not
    change the analysis. Returns the source's annotations, by measure and period."""
    from qms.control.periods import period_start

    if source is None or source.pk is None:
        raise ValidationError("Chart markers need a saved record to come from.")
    source_type = ContentType.objects.get_for_model(source)
    wanted: dict[tuple[int, dt.date, str], Measure] = {}
    for measure, day, text in markers:
        if not isinstance(measure, Measure) or measure.pk is None:
            raise ValidationError(f"{measure!r} is not a saved measure.")
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            raise ValidationError(f"{day!r} is not a date.")
        text = " ".join(str(text).split())[:MARKER_TEXT_MAX]
        if not text:
            raise ValidationError({"text": "A chart marker needs a text."})
        wanted[(measure.pk, period_start(day, measure.frequency), text)] = measure
    existing = list(
        Annotation.objects.select_for_update().filter(source_type=source_type, source_id=source.pk)
    )
    kept = []
    for annotation in existing:
        key = (annotation.measure_id, annotation.period, annotation.text)
        if key in wanted:
            del wanted[key]
            kept.append(annotation)
        else:
            record_by(annotation, by, "The record it marks changed")
            annotation.delete()
    added = []
    for (_, period, text), measure in wanted.items():
        annotation = Annotation(
            measure=measure,
            period=period,
            text=text,
            source_type=source_type,
            source_id=source.pk,
            created_by=by,
        )
        record_by(annotation, by, f"Marked by {source._meta.verbose_name}")
        annotation.save()
        added.append(annotation)
    return sorted(kept + added, key=lambda a: (a.measure_id, a.period, a.pk))


@transaction.atomic
def chart_markers_clear(*, source, by: Person | None = None) -> int:
    """Take every marker `source` put on charts off them (the record is removed, or no longer
    concerns those measures). Returns how many were removed."""
    annotations = chart_markers_of(source)
    for annotation in annotations:
        record_by(annotation, by, "The record it marked was removed")
        annotation.delete()
    return len(annotations)


def chart_markers_of(source) -> list[Annotation]:
    """The annotations `source` has put on charts, by measure and period."""
    if source is None or source.pk is None:
        return []
    return list(
        Annotation.objects.filter(
            source_type=ContentType.objects.get_for_model(source), source_id=source.pk
        ).order_by("measure_id", "period", "pk")
    )


# SPC results and signals -------------------------------------------------------------------


def enqueue_refresh(measure_ids: list[int]) -> None:
    """Refresh results in the background (or at once, with the immediate task back end)."""
    from qms.control.tasks import refresh_results

    refresh_results.enqueue(measure_ids)


_ANALYSIS_OPTIONS = (
    "chart", "rules", "direction", "multiply", "shift_length", "trend_length", "baseline_points",
)  # fmt: skip


def _data_changed(measure_ids: list[int]) -> None:
    """Mark the measures' results stale, in the same transaction as the change, so a refresh
    lost with a killed process is found again (`results_refresh_stale`)."""
    now = timezone.now()
    for start in range(0, len(measure_ids), _IN_CHUNK):
        Measure.objects.filter(pk__in=measure_ids[start : start + _IN_CHUNK]).update(
            data_changed_at=now
        )


def stale_measures():
    """Measures whose data or phases changed after their results were computed, or with data
    and no results at all."""
    has_data = Observation.objects.filter(measure=OuterRef("pk"))
    return Measure.objects.filter(
        Q(result__isnull=True) & (Q(data_changed_at__isnull=False) | Exists(has_data))
        | Q(result__computed_at__isnull=True)
        | Q(data_changed_at__gt=F("result__computed_at"))
    )


def results_refresh_stale(*, measures=None, batch: int = 2000) -> int:
    """Bring every stale result up to date (of `measures`, a queryset, or all); returns how
    many measures were refreshed. What the worker runs when it starts, and
    `qms refresh-results --stale`."""
    stale = stale_measures()
    if measures is not None:
        stale = stale.filter(pk__in=measures.values("pk"))
    return results_refresh_in_batches(stale, batch=batch)


def results_refresh_in_batches(measures, *, batch: int = 2000) -> int:
    """Refresh the measures of a queryset, `batch` at a time (memory stays bounded however
    many there are); returns how many."""
    ids = list(measures.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        results_refresh(ids[start : start + batch])
    return len(ids)


def results_refresh(measure_ids: Iterable[int]) -> list[Signal]:
    """Analyse the measures in batches (one qms.stats call per chart set-up, every phase of
    every measure a series), store the results, and raise or extend signals. A batch that
    fails is split until the measure that fails is alone; its failure is recorded on its
    results and the others are stored as usual."""
    measures = list(Measure.objects.filter(pk__in=list(measure_ids)).select_related("unit"))
    groups: dict[tuple, list[Measure]] = defaultdict(list)
    for measure in measures:
        groups[tuple(getattr(measure, option) for option in _ANALYSIS_OPTIONS)].append(measure)
    raised = []
    for options, group in groups.items():
        raised += _refresh_isolated(dict(zip(_ANALYSIS_OPTIONS, options, strict=True)), group)
    return raised


def _refresh_isolated(options: dict, measures: list[Measure]) -> list[Signal]:
    try:
        with transaction.atomic():
            return _refresh_group(options, measures)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, it stays with its measure
        if len(measures) > 1:
            half = len(measures) // 2
            return _refresh_isolated(options, measures[:half]) + _refresh_isolated(
                options, measures[half:]
            )
        _record_failure(measures[0], error)
        return []


def _record_failure(measure: Measure, error: Exception) -> None:
    """Keep the last good results, say on them that the refresh failed and why, and tell the
    system administrators once per run of failures."""
    logger.exception("SPC refresh failed for measure %s (%s)", measure.pk, measure.code)
    reason = (
        str(error) if isinstance(error, SpcInputError | ValidationError) else type(error).__name__
    )
    with transaction.atomic():
        result, _ = MeasureResult.objects.get_or_create(
            measure=measure, defaults={"computed_at": None}
        )
        already_failing = result.failed_at is not None
        result.failed_at, result.failure = timezone.now(), reason[:500]
        result.save(update_fields=["failed_at", "failure"])
        if not already_failing:
            _notify_administrators(measure, reason)


def _notify_administrators(measure: Measure, reason: str) -> None:
    admins = {
        membership.person
        for membership in Membership.objects.filter(
            unit_id__in=measure.unit.ancestor_ids, role=Role.SYSTEM_ADMINISTRATOR
        ).select_related("person")
        if membership.person.is_active
    }
    text = f"The SPC results of {measure.name} ({measure.unit.name}) could not be refreshed: "
    notify(
        admins,
        kind=NotificationKind.SYSTEM,
        text=text + reason,
        subject=measure,
        link=measure.get_absolute_url() + "#results-failure",
    )


def _analyse_group(options: dict, values, denominators, periods, series_keys):
    return analyse(
        values,
        n=denominators if options["chart"] in NEEDS_DENOMINATOR else None,
        x=[period.isoformat() for period in periods],
        series=series_keys,
        chart=options["chart"],
        baseline=options["baseline_points"],
        rules=options["rules"],
        direction=options["direction"],
        multiply=options["multiply"],
        shift_length=options["shift_length"],
        trend_length=options["trend_length"],
    )


_RESULT_FIELDS = [
    "computed_at", "last_period", "last_value", "last_centre", "last_lcl", "last_ucl",
    "variation_icon", "assurance_icon", "points", "phases", "trial_limits", "failed_at", "failure",
]  # fmt: skip


def _refresh_group(options: dict, measures: list[Measure]) -> list[Signal]:
    # Taken before the data is read: a change committed while this runs leaves the measure
    # stale, so the next refresh picks it up.
    now = timezone.now()
    ids = [m.pk for m in measures]
    rows = list(
        Observation.objects.filter(measure_id__in=ids)
        .order_by("measure_id", "period")
        .values_list("measure_id", "period", "value", "denominator")
    )
    phase_starts: dict[int, list[dt.date]] = defaultdict(list)
    for measure_id, starts_on in (
        Phase.objects.filter(measure_id__in=ids)
        .order_by("starts_on")
        .values_list("measure_id", "starts_on")
    ):
        phase_starts[measure_id].append(starts_on)

    series_keys, values, denominators, periods = [], [], [], []
    for measure_id, period, value, denominator in rows:
        phase = sum(1 for start in phase_starts[measure_id] if start <= period)
        series_keys.append(f"{measure_id}:{phase}")
        values.append(value)
        denominators.append(denominator)
        periods.append(period)
    points_by_measure: dict[int, list[dict]] = defaultdict(list)
    phases_by_measure: dict[int, list[dict]] = defaultdict(list)
    variation_by_measure: dict[int, str] = {}
    if rows:
        analysis = _analyse_group(options, values, denominators, periods, series_keys)
        for chart in analysis:
            measure_id, phase = (int(part) for part in chart.series.split(":"))
            (summary,) = chart.phases  # every phase of every measure is its own series
            for record in chart.to_records():
                record.pop("series")
                record["period"] = record.pop("x")
                record["phase"] = phase + 1
                record["trial"] = summary.trial
                points_by_measure[measure_id].append(record)
            phases_by_measure[measure_id].append({**summary.to_dict(), "phase": phase + 1})
            # Phases come in order, so the last one seen holds the measure's latest point.
            variation_by_measure[measure_id] = chart.variation_icon

    previous = {r.measure_id: r for r in MeasureResult.objects.filter(measure_id__in=ids)}
    results, raised = [], []
    for measure in measures:
        points = points_by_measure.get(measure.pk, [])
        last = _last_with_value(points)
        assurance = (
            assurance_icon(
                last["lcl"], last["ucl"], measure.target, measure.direction, measure.rules
            )
            if last
            else "none"
        )
        results.append(
            MeasureResult(
                measure=measure,
                # An expression, not a literal: it keeps Django 5.2 from sending the batch to
                # PostgreSQL as UNNEST arrays, whose text quoting of the points' JSON costs
                # about 8 ms per measure in psycopg (80 s for 10,000 measures).
                computed_at=Value(now, output_field=DateTimeField()),
                last_period=last and dt.date.fromisoformat(last["period"]),
                last_value=last and last["y"],
                last_centre=last and last["cl"],
                last_lcl=last and last["lcl"],
                last_ucl=last and last["ucl"],
                variation_icon=variation_by_measure.get(measure.pk, "none"),
                assurance_icon=assurance,
                points=points,
                phases=phases_by_measure.get(measure.pk, []),
                trial_limits=bool(points and points[-1]["trial"]),
                failed_at=None,
                failure="",
            )
        )
        old = previous.get(measure.pk)
        raised += _signals_for(measure, points, assurance, old.assurance_icon if old else "none")
        _suggest_new_baseline(measure, points)
    MeasureResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["measure"],
        update_fields=_RESULT_FIELDS,
        batch_size=500,
    )
    return raised


def _last_with_value(points: list[dict]) -> dict | None:
    """The latest point that has a value (a zero-denominator period is a gap, not news)."""
    for point in reversed(points):
        if point["y"] is not None:
            return point
    return None


# Re-baselining -----------------------------------------------------------------------------

# Charts whose stored points can be turned back into the values a new phase would analyse.
_REBASELINE_CHARTS = {"run", "i", "p", "pp", "u", "up", "c", "g", "t"}


def _sustained_shift(points: list[dict], needed: int) -> list[dict] | None:
    """The points of a shift that continues to the latest point of the current phase and has
    lasted `needed` points or more (a baseline's worth), or None. Only held limits count: a
    phase with trial limits has nothing to shift from."""
    if not points or points[-1]["trial"]:
        return None
    phase = points[-1]["phase"]
    in_phase = [p for p in points if p["phase"] == phase]
    run: list[dict] = []
    side, start = 0, len(in_phase)
    for index in range(len(in_phase) - 1, -1, -1):
        point = in_phase[index]
        if point["y"] is None or not point["included"]:
            continue
        if not point["shift"] or point["cl"] is None:
            break
        here = 1 if point["y"] > point["cl"] else -1
        if side and here != side:
            break
        side, start = here, index
        run.append(point)
    if len(run) < needed:
        return None
    # A shift that began inside the baseline moved the held limits itself: not this case.
    before = sum(1 for p in in_phase[:start] if p["y"] is not None and p["included"])
    return run[::-1] if before >= needed else None


def _suggest_new_baseline(measure: Measure, points: list[dict]) -> BaselineSuggestion | None:
    """Suggest new limits from where a sustained shift began, once per start."""
    if measure.chart not in _REBASELINE_CHARTS:
        return None
    run = _sustained_shift(points, measure.baseline_points)
    if run is None:
        return None
    starts_on = dt.date.fromisoformat(run[0]["period"])
    if (
        Phase.objects.filter(measure=measure, starts_on=starts_on).exists()
        or BaselineSuggestion.objects.filter(measure=measure, starts_on=starts_on).exists()
    ):
        return None
    side = "above" if run[0]["y"] > run[0]["cl"] else "below"
    old_centre, new_centre = run[0]["cl"], _centre_from(measure, run)
    from qms.control.reports import with_unit

    label = period_label(starts_on, measure.frequency)
    suggestion = BaselineSuggestion(
        measure=measure,
        starts_on=starts_on,
        points=len(run),
        side=side,
        old_centre=old_centre,
        new_centre=new_centre,
        evidence=(
            f"The last {len(run)} points, from {label}, all lie {side} the centre line of "
            f"{with_unit(old_centre, measure.unit_label)}: a shift that has held for a "
            f"baseline's worth of points ({measure.baseline_points}) or more. New limits from "
            f"{label} would have a centre line of {with_unit(new_centre, measure.unit_label)}."
        )[:500],
    )
    record_by(suggestion, None, "Suggested by the SPC refresh")
    suggestion.save()
    notify(
        _owner_and_leads(measure),
        kind=NotificationKind.BASELINE,
        text=f"{measure.name} ({measure.unit.name}): new limits from {label} are suggested",
        subject=suggestion,
    )
    return suggestion


def _centre_from(measure: Measure, run: list[dict]) -> float:
    """The centre line a phase starting with `run` would have, from the same engine."""
    scale = measure.multiply
    values = [point["y"] / scale for point in run]
    sizes = None
    if measure.needs_denominator:
        sizes = [point["n"] for point in run]
        values = [value * size for value, size in zip(values, sizes, strict=True)]
    # Held from the same baseline as the phase accepting it would be.
    chart = analyse(
        values, n=sizes, chart=measure.chart, multiply=scale, baseline=measure.baseline_points
    )[0]
    return float(chart.cl[0])


@transaction.atomic
def baseline_suggestion_accept(*, by: Person, suggestion: BaselineSuggestion, reason: str) -> Phase:
    """Start new limits where the suggested shift began, with the lead's reason."""
    access.authorise(by, suggestion.measure, MEASURE_EDITORS, "start new limits")
    _check_open(suggestion)
    phase = phase_start(
        by=by, measure=suggestion.measure, starts_on=suggestion.starts_on, reason=reason
    )
    _decide(suggestion, by, SuggestionStatus.ACCEPTED, reason)
    return phase


@transaction.atomic
def baseline_suggestion_dismiss(
    *, by: Person, suggestion: BaselineSuggestion, reason: str = ""
) -> BaselineSuggestion:
    """Keep the current limits; the suggestion is not made again for this start."""
    access.authorise(by, suggestion.measure, MEASURE_EDITORS, "keep or change limits")
    _check_open(suggestion)
    return _decide(suggestion, by, SuggestionStatus.DISMISSED, reason)


def _supersede_suggestions(measure: Measure, starts_on: dt.date, by) -> None:
    """New limits change what a suggestion was measured against: close the open ones (except
    the one being accepted, which starts at this very period)."""
    label = period_label(starts_on, measure.frequency)
    for suggestion in BaselineSuggestion.objects.filter(
        measure=measure, status=SuggestionStatus.OPEN
    ).exclude(starts_on=starts_on):
        _decide(suggestion, by, SuggestionStatus.DISMISSED, f"New limits started from {label}")


def _check_open(suggestion: BaselineSuggestion) -> None:
    # Locked, so two leads deciding at once cannot both act on it.
    current = BaselineSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if current.status != SuggestionStatus.OPEN:
        raise ValidationError(f"This suggestion has already been {current.status}.")


def _decide(suggestion, by, status, note) -> BaselineSuggestion:
    suggestion.status, suggestion.decided_by = status, by
    suggestion.decided_at, suggestion.decision_note = timezone.now(), note.strip()[:300]
    record_by(suggestion, by, f"{status.label}: {note.strip()}"[:100])
    suggestion.save()
    return suggestion


# Signals -----------------------------------------------------------------------------------


def _signals_for(measure: Measure, points: list[dict], assurance: str, old_assurance: str):
    """Raise a signal for a new run of concern, or extend the open one for a continuing run;
    raise one when assurance turns to fail."""
    raised = []
    while points and points[-1]["y"] is None:  # a trailing gap is no news
        points = points[:-1]
    if points and points[-1]["point_type"] == "special_cause_concern":
        end = len(points) - 1
        start = end
        while start > 0 and points[start - 1]["point_type"] == "special_cause_concern":
            start -= 1
        first = dt.date.fromisoformat(points[start]["period"])
        last = dt.date.fromisoformat(points[end]["period"])
        explanation = explain_point(points, end, measure.frequency)
        current = (
            Signal.objects.filter(measure=measure, kind=SignalKind.CONCERN, last_period__gte=first)
            .exclude(status=SignalStatus.CLOSED)
            .first()
        )
        if current is not None:
            if current.last_period != last:
                current.last_period, current.explanation = last, explanation[:300]
                record_by(current, None, "The run of concern continues")
                current.save(update_fields=["last_period", "explanation"])
        else:
            raised.append(_raise(measure, SignalKind.CONCERN, first, last, explanation))
    if assurance == "fail" and old_assurance != "fail" and points:
        last = dt.date.fromisoformat(points[-1]["period"])
        open_fail = Signal.objects.filter(measure=measure, kind=SignalKind.ASSURANCE_FAIL).exclude(
            status=SignalStatus.CLOSED
        )
        if not open_fail.exists():
            raised.append(
                _raise(
                    measure,
                    SignalKind.ASSURANCE_FAIL,
                    last,
                    last,
                    f"The target of {measure.target:g}{measure.unit_label} lies beyond the "
                    "control limits on the wrong side: the process will not meet it unless it "
                    "changes",
                )
            )
    return raised


def _raise(measure, kind, first, last, explanation) -> Signal:
    signal = Signal(
        measure=measure,
        kind=kind,
        first_period=first,
        last_period=last,
        explanation=explanation[:300],
    )
    record_by(signal, None, "Raised by the SPC refresh")
    signal.save()
    _notify_about(signal)
    return signal


def _owner_and_leads(measure: Measure) -> set[Person]:
    """Who hears news of a measure: its owner and the nearest leads of its unit, if active."""
    people = set(nearest_handlers(measure.unit))
    if measure.owner is not None:
        people.add(measure.owner)
    return {person for person in people if person.is_active}


def _notify_about(signal: Signal) -> None:
    """Tell the measure's owner and the unit's team leads, in the inbox (and by e-mail,
    now or in the daily digest, as each person prefers)."""
    measure = signal.measure
    notify(
        _owner_and_leads(measure),
        kind=NotificationKind.SIGNAL,
        text=f"{measure.name} ({measure.unit.name}): {signal.explanation}",
        subject=signal,
    )


# Handling signals --------------------------------------------------------------------------


def _require_handler(by: Person, unit) -> None:
    access.authorise(by, unit, SIGNAL_HANDLERS, "handle signals and escalations")


def signal_unit(signal: Signal):
    """Where the signal sits now: the measure's unit, the unit it was last escalated to, or
    the unit that unit returned it to (qms.escalation.services.subject_unit)."""
    # .all() reads the escalations a page prefetched (one query for all its signals).
    chain = sorted(signal.escalations.all(), key=lambda e: (e.created_at, e.pk))
    return subject_unit(signal, chain=chain)


@transaction.atomic
def signal_acknowledge(*, by: Person, signal: Signal, note: str) -> Signal:
    """Say the signal has been seen and what the team is doing about it."""
    _require_handler(by, signal_unit(signal))
    if signal.status == SignalStatus.CLOSED:
        raise ValidationError("This signal is closed.")
    if not note.strip():
        raise ValidationError({"note": "Say what you found or are doing."})
    signal.status, signal.note, signal.handled_by = SignalStatus.ACKNOWLEDGED, note.strip(), by
    record_by(signal, by, "Acknowledged")
    signal.save()
    notifications_mark_read_about(subject=signal)
    return signal


@transaction.atomic
def signal_close(*, by: Person, signal: Signal, note: str) -> Signal:
    _require_handler(by, signal_unit(signal))
    if not note.strip():
        raise ValidationError({"note": "Say why the signal can be closed."})
    signal.status, signal.note, signal.handled_by = SignalStatus.CLOSED, note.strip(), by
    record_by(signal, by, "Closed")
    signal.save()
    return signal


@transaction.atomic
def signal_link_issue(*, by: Person, signal: Signal, title: str, description: str = ""):
    """Open an issue for the signal, to analyse its contributory factors: an issue of the unit
    that holds the signal now, with the signal as its source."""
    from qms.issues.services import issue_raise

    unit = signal_unit(signal)
    _require_handler(by, unit)
    issue = issue_raise(
        by=by, unit=unit, title=title, description=description, source_record=signal
    )
    signal.issue = issue
    record_by(signal, by, f"Linked to issue “{issue.title}”")
    signal.save(update_fields=["issue"])
    return issue


# Escalating signals (qms.escalation; registered in ControlConfig.ready) ----------------------


def signal_may_escalate(signal: Signal) -> None:
    """A closed signal is not escalated."""
    if signal.status == SignalStatus.CLOSED:
        raise ValidationError("This signal is closed.")


@transaction.atomic
def signal_escalated(signal: Signal, *, by: Person | None, escalation) -> None:
    """An escalated signal says so while the unit above has it."""
    signal.status = SignalStatus.ESCALATED
    record_by(signal, by, f"Escalated to {escalation.to_unit}")
    signal.save(update_fields=["status"])


@transaction.atomic
def signal_decided(signal: Signal, *, by: Person | None, escalation, decision: str) -> None:
    """Returned to the team, the signal is theirs again (acknowledged); resolved above, it is
    closed with the response as its note. Accepted, it stays escalated."""
    if decision == "return":
        signal.status = SignalStatus.ACKNOWLEDGED
    elif decision == "resolve":
        signal.status, signal.note, signal.handled_by = (
            SignalStatus.CLOSED,
            escalation.response,
            by,
        )
    else:
        return
    record_by(signal, by, escalation.get_status_display())
    signal.save()
