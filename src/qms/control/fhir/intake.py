"""Posted MeasureReports as observations: read, checked and saved all or nothing.

A report (or each report of a `transaction` Bundle) becomes a row of the observations import
(`imports.preview`): the same checks as the upload page and the observations API (the measure
in the key's units, the period begun and not before 1990, the value for the chart, the note
screened, one value per period), then `services.observations_save`. Each problem is an issue
naming the element it comes from, e.g. `MeasureReport.group[0].population[1].count`.

Replacing: a POST never replaces a period holding a different value (409, an issue of type
`duplicate` naming the report to PUT). A PUT to `MeasureReport/<measure id>-<period start>`
replaces it, the old value kept in history with the reason in the `change-reason` extension.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from qms.control import imports, services
from qms.control.fhir import resources, search
from qms.control.fhir.resources import Issue
from qms.control.models import Frequency, Measure, Observation
from qms.control.periods import period_label, period_start
from qms.control.roles import DATA_ENTRY, VIEWERS
from qms.control.services import ObservationConflict, ObservationInput
from qms.people import access
from qms.web import screening

# As the observations API: a request is checked and saved in one go.
MAX_ENTRIES = 10_000
REASON_MAX_LENGTH = 500
_DATE = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?)?$")
_SCORE_TOLERANCE = 1e-6
# Populations that may carry the value of a measure without a denominator (a cohort's count).
_VALUE_POPULATIONS = ("numerator", "initial-population", "measure-population")


class Refused(Exception):
    """Nothing saved: every issue, and the status to answer (400, 403 or 409)."""

    def __init__(self, issues: Sequence[Issue], status: int):
        super().__init__("; ".join(issue.diagnostics for issue in issues))
        self.issues, self.status = list(issues), status


@dataclass
class Entry:
    """One posted report on its way to becoming an observation."""

    number: int  # from 1, the row for imports' messages
    prefix: str  # FHIRPath of the report: MeasureReport, or Bundle.entry[2].resource
    replace: bool  # sent by PUT: may replace a different value
    put_id: str | None = None
    measure: Measure | None = None
    period: dt.date | None = None
    value: float | None = None
    denominator: float | None = None
    note: str = ""
    reason: str = ""
    # Which element each column of the import came from, for the issues.
    where: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def problem(self, code: str, path: str, message: str) -> None:
        self.issues.append(Issue(code, message, f"{self.prefix}{path}"))


@dataclass(frozen=True)
class Saved:
    """What was recorded: each entry's report and whether its period was new."""

    reports: list[dict]
    created: list[bool]


# Reading -----------------------------------------------------------------------------------


def entries_of(body, *, put_id: str | None = None) -> list[Entry]:
    """The reports of a body: one MeasureReport, or a transaction Bundle of them."""
    if not isinstance(body, dict):
        raise Refused([Issue("structure", "Send a MeasureReport resource as a JSON object.")], 400)
    kind = body.get("resourceType")
    if kind == "Bundle" and put_id is None:
        return _bundle_entries(body)
    if kind != "MeasureReport":
        expected = "MeasureReport" if put_id is not None else "MeasureReport or Bundle"
        raise Refused(
            [Issue("invalid", f"resourceType must be {expected}, not {kind!r}.", "resourceType")],
            400,
        )
    return [Entry(1, "MeasureReport", replace=put_id is not None, put_id=put_id)]


def _bundle_entries(bundle: dict) -> list[Entry]:
    if bundle.get("type") != "transaction":
        message = (
            "A batch is not taken: its entries would stand or fall one by one. Send a "
            "transaction (all or nothing)."
            if bundle.get("type") == "batch"
            else "Send a Bundle of type transaction."
        )
        raise Refused([Issue("not-supported", message, "Bundle.type")], 400)
    items = bundle.get("entry")
    if not isinstance(items, list) or not items:
        raise Refused([Issue("required", "Give the reports as entries.", "Bundle.entry")], 400)
    if len(items) > MAX_ENTRIES:
        raise Refused(
            [
                Issue(
                    "too-costly", f"Send at most {MAX_ENTRIES:,} entries a request.", "Bundle.entry"
                )
            ],
            400,
        )
    entries = []
    for index, item in enumerate(items):
        prefix = f"Bundle.entry[{index}]"
        entry = Entry(index + 1, f"{prefix}.resource", replace=False)
        request = item.get("request") if isinstance(item, dict) else None
        method = request.get("method") if isinstance(request, dict) else None
        url = request.get("url") if isinstance(request, dict) else None
        if method == "PUT" and isinstance(url, str) and url.startswith("MeasureReport/"):
            entry.replace, entry.put_id = True, url.removeprefix("MeasureReport/")
        elif not (method == "POST" and url == "MeasureReport"):
            entry.issues.append(
                Issue(
                    "not-supported",
                    "Each entry's request is POST MeasureReport (record) or PUT "
                    "MeasureReport/<id> (record or replace).",
                    f"{prefix}.request",
                )
            )
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "MeasureReport":
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            entry.problem(
                "invalid", ".resourceType", f"Each entry must be a MeasureReport, not {kind!r}."
            )
        entries.append(entry)
    return entries


def resources_of(body, entries: Sequence[Entry]) -> list[dict]:
    if body.get("resourceType") == "Bundle":
        items = body["entry"]
        return [
            item["resource"] if isinstance(item, dict) and isinstance(item.get("resource"), dict)
            else {}
            for item in items[: len(entries)]
        ]  # fmt: skip
    return [body]


def read_entry(user, entry: Entry, report: dict, measures: dict | None = None) -> None:
    """Fill `entry` from its report, or add its issues. Only the elements that make an
    observation are read; the server assigns the id and computes the rest. `measures` keeps
    the measures found by reference across the entries of one request."""
    if entry.issues:
        return
    if report.get("status") != "complete":
        _required_or(entry, report, "status", "The status must be complete.")
    if report.get("type") != "summary":
        _required_or(entry, report, "type", "The type must be summary (a summary of a period).")
    found = {} if measures is None else measures
    entry.measure = _measure(user, entry, report.get("measure"), found)
    _note_and_reason(entry, report)
    if entry.measure is None:
        return
    _period(entry, report.get("period"))
    _values(entry, report.get("group"))
    if entry.put_id is not None and entry.period is not None:
        _check_put_id(entry, report.get("id"))


def _check_put_id(entry: Entry, sent_id) -> None:
    """A PUT names the report it records: the id in its URL must be the report's own (its
    measure and period), and an id in the body, if any, the same."""
    assert entry.measure is not None and entry.period is not None and entry.put_id is not None
    made = resources.report_id(entry.measure.pk, entry.period)
    if entry.put_id != made:
        where = (
            "MeasureReport.id"
            if entry.prefix == "MeasureReport"
            else entry.prefix.removesuffix(".resource") + ".request.url"
        )
        message = (
            f"This report's measure and period are report {made}, not "
            f"{entry.put_id[:40]!r}: PUT it to MeasureReport/{made}."
        )
        entry.issues.append(Issue("invalid", message, where))
    elif sent_id not in (None, made):
        entry.problem("invalid", ".id", "The id must be the one in the URL.")


def _required_or(entry: Entry, report: dict, name: str, message: str) -> None:
    code = "required" if report.get(name) is None else "value"
    entry.problem(code, f".{name}", message)


def _measure(user, entry: Entry, reference, measures: dict) -> Measure | None:
    if not isinstance(reference, str) or not reference.strip():
        entry.problem("required", ".measure", "Give the measure: its canonical URL.")
        return None
    unknown = (
        f"No measure {reference[:80]!r} is in the units this key may see: give the canonical "
        f"URL of one ({resources.server_base()}/Measure/<id>)."
    )
    if reference not in measures:
        measures[reference] = _visible_measure(user, reference)
    measure = measures[reference]
    if measure is None:
        entry.problem("not-found", ".measure", unknown)
        return None
    if not access.can(user, measure, DATA_ENTRY):
        entry.problem("forbidden", ".measure", f"This key may not record data for {measure.name}.")
        return None
    if not measure.is_active:
        entry.problem("business-rule", ".measure", f"{measure.name} is retired: it takes no data.")
        return None
    entry.where = {
        "measure": f"{entry.prefix}.measure",
        "period": f"{entry.prefix}.period.start",
        "note": _extension_path(entry, resources.EXT_NOTE),
    }
    return measure


def _visible_measure(user, reference: str) -> Measure | None:
    """The measure a reference names, if the account sees it."""
    try:
        ids = search._measure_ids([reference], "measure")
    except search.SearchProblem:
        return None
    if len(ids) != 1:
        return None
    query = access.visible(user, Measure.objects.select_related("unit"), VIEWERS)
    return query.filter(pk__in=ids).first()


def _extension_path(entry: Entry, name: str) -> str:
    return f"{entry.prefix}.extension('{resources.extension_url(name)}')"


def _date(text) -> dt.date | None:
    if not isinstance(text, str):
        return None
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match[1])
    except ValueError:
        return None


_FREQUENCY_WORDS = {
    Frequency.DAY: "a day",
    Frequency.WEEK: "a week (Monday)",
    Frequency.MONTH: "a month",
    Frequency.QUARTER: "a quarter",
}


def _period(entry: Entry, period) -> None:
    measure = entry.measure
    assert measure is not None
    if not isinstance(period, dict) or period.get("start") is None:
        entry.problem("required", ".period.start", "Give the period's start (its first day).")
        return
    start = _date(period.get("start"))
    if start is None:
        entry.problem("value", ".period.start", "The start must be a date: 2024-03-01.")
        return
    frequency = measure.frequency
    if not resources.is_period_start(start, frequency):
        first = period_start(start, frequency)
        entry.problem(
            "value",
            ".period.start",
            f"{measure.name} is {measure.get_frequency_display().lower()}: a period starts on "
            f"the first day of {_FREQUENCY_WORDS[frequency]}; {start} is in the period that "
            f"starts on {first}.",
        )
        return
    end = period.get("end")
    if end is not None and _date(end) != resources.period_end(start, frequency):
        entry.problem(
            "value",
            ".period.end",
            f"The period starting {start} ends on {resources.period_end(start, frequency)} "
            f"({period_label(start, frequency)}).",
        )
        return
    entry.period = start


def _number(value) -> float | None:
    """A finite JSON number, or None (true and false are not numbers; an integer beyond any
    float is not one either)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _populations(entry: Entry, group: dict) -> dict[str, tuple[float | None, str]]:
    """Each population's amount (its count, or the population-amount extension for one that
    is not whole) and where it is, by code; issues for malformed ones."""
    found: dict[str, tuple[float | None, str]] = {}
    populations = group.get("population", [])
    if not isinstance(populations, list):
        entry.problem("structure", ".group[0].population", "The populations must be a list.")
        return found
    for index, population in enumerate(populations):
        path = f".group[0].population[{index}]"
        if not isinstance(population, dict):
            entry.problem("structure", path, "Each population must be an object.")
            continue
        code = _population_code(population.get("code"))
        if code is None:
            entry.problem("required", f"{path}.code", "Name the population (numerator, ...).")
            continue
        amount, where = None, f"{entry.prefix}{path}.count"
        if "count" in population:
            count = population["count"]
            amount = _number(count) if isinstance(count, int) else None
            if amount is None:
                entry.problem("value", f"{path}.count", "The count must be a whole number.")
                continue
        for extension in _list(population.get("extension")):
            if isinstance(extension, dict) and extension.get("url") == resources.extension_url(
                resources.EXT_AMOUNT
            ):
                amount = _number(extension.get("valueDecimal"))
                where = f"{entry.prefix}{path}.extension('{extension['url']}')"
                if amount is None:
                    entry.problem("value", f"{path}.extension", "The amount must be a number.")
        if amount is not None and amount < 0:
            entry.problem("value", f"{path}.count", f"A count cannot be negative ({amount:g}).")
            continue
        found[code] = (amount, where)
    return found


def _list(value) -> list:
    """An element that repeats, as a list (anything else holds nothing to read)."""
    return value if isinstance(value, list) else []


def _population_code(concept) -> str | None:
    """The code of a population's CodeableConcept: its first coding's code."""
    codings = _list(concept.get("coding")) if isinstance(concept, dict) else []
    codes = [coding.get("code") for coding in codings if isinstance(coding, dict)]
    return next((code for code in codes if isinstance(code, str) and code), None)


def _values(entry: Entry, groups) -> None:
    measure = entry.measure
    assert measure is not None
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        entry.problem("required", ".group", "Give one group, with the period's value.")
        return
    group = groups[0]
    known = len(entry.issues)
    populations = _populations(entry, group)
    if len(entry.issues) > known:
        return  # a malformed population: said once, not again as a missing one
    score_path = f"{entry.prefix}.group[0].measureScore"
    score = group.get("measureScore")
    score_value = None
    if score is not None:
        score_value = _number(score.get("value")) if isinstance(score, dict) else None
        if score_value is None:
            entry.problem("value", ".group[0].measureScore", "The score's value must be a number.")
            return
    if measure.needs_denominator:
        numerator, denominator = populations.get("numerator"), populations.get("denominator")
        if numerator is None or denominator is None or None in (numerator[0], denominator[0]):
            entry.problem(
                "required",
                ".group[0].population",
                f"{measure.name} needs the numerator and denominator populations with counts.",
            )
            return
        entry.value, entry.denominator = numerator[0], denominator[0]
        entry.where |= {"value": numerator[1], "denominator": denominator[1]}
        assert entry.value is not None and entry.denominator is not None
        if score_value is not None and entry.denominator > 0:
            expected = entry.value / entry.denominator * measure.multiply
            if not math.isclose(score_value, expected, rel_tol=_SCORE_TOLERANCE, abs_tol=1e-9):
                entry.problem(
                    "value",
                    ".group[0].measureScore",
                    f"The score {score_value:g} is not numerator / denominator × "
                    f"{measure.multiply:g} = {expected:g}; send the counts (the score may be "
                    "left out).",
                )
        return
    if score_value is not None:
        entry.value = score_value
        entry.where["value"] = score_path
        return
    for code in _VALUE_POPULATIONS:
        if code in populations and populations[code][0] is not None:
            entry.value, entry.where["value"] = populations[code]
            return
    entry.problem("required", ".group[0].measureScore", "Give the period's value as the score.")


def _note_and_reason(entry: Entry, report: dict) -> None:
    extensions = report.get("extension") or []
    if not isinstance(extensions, list):
        entry.problem("structure", ".extension", "The extensions must be a list.")
        return
    for extension in extensions:
        if not isinstance(extension, dict):
            continue
        url = extension.get("url")
        for name in (resources.EXT_NOTE, resources.EXT_REASON):
            if url != resources.extension_url(name):
                continue
            text = extension.get("valueString")
            path = f".extension('{url}')"
            if not isinstance(text, str):
                entry.problem("value", path, "Give the text as valueString.")
            elif name == resources.EXT_NOTE:
                entry.note = text  # checked and screened by the import, as a file's notes
            elif len(text) > REASON_MAX_LENGTH:
                entry.problem("value", path, f"The reason is longer than {REASON_MAX_LENGTH}.")
            else:
                for message in screening.problems_without_prompt(text, label="the reason"):
                    entry.problem("invalid", path, message)
                entry.reason = text.strip()


# Checking and saving -----------------------------------------------------------------------


def check(user, entries: Sequence[Entry]) -> imports.Preview:
    """The import's checks over every readable entry; Refused with every issue (each entry's
    own and the import's), or the preview to save."""
    issues = [issue for entry in entries for issue in entry.issues]
    readable = [entry for entry in entries if not entry.issues]
    records = [
        (entry.number, entry.measure.code, entry.period, entry.value, entry.denominator, entry.note)
        for entry in readable
        if entry.measure is not None
    ]
    by_number = {entry.number: entry for entry in entries}
    checked = imports.preview(records, scope=imports.PersonScope(user))
    for problem in checked.problems:
        entry = by_number[problem.row]
        where = entry.where.get(problem.column, entry.prefix)
        code = "not-found" if problem.column == "measure" else "invalid"
        issues.append(Issue(code, _sentence(problem.message), where))
    conflicts = [
        _conflict_issue(by_number[conflict.new.row], conflict.new, conflict.old_value)
        for conflict in checked.conflicts
        if not by_number[conflict.new.row].replace
    ]
    if issues:
        status = 403 if all(issue.code == "forbidden" for issue in issues) else 400
        raise Refused(sorted(issues + conflicts, key=_order), status)
    if conflicts:
        raise Refused(conflicts, 409)
    return checked


def _order(issue: Issue) -> tuple:
    match = re.match(r"Bundle\.entry\[(\d+)\]", issue.expression or "")
    return (int(match[1]) if match else 0,)


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _conflict_issue(entry: Entry, row: ObservationInput, old_value: float) -> Issue:
    made = resources.report_id(row.measure.pk, row.period)
    return Issue(
        "duplicate",
        f"{row.measure.name} already holds {old_value:g} for "
        f"{period_label(row.period, row.measure.frequency)}. To replace it with {row.value:g}, "
        f"PUT the report to MeasureReport/{made} (the reason in the change-reason extension); "
        "nothing was saved.",
        f"{entry.prefix}.period",
    )


def save(user, entries: Sequence[Entry], checked: imports.Preview) -> Saved:
    """Record the checked rows in one transaction: POSTed ones never replacing, PUT ones
    replacing with their reason. The SPC refresh is queued once it commits."""
    by_number = {entry.number: entry for entry in entries}
    rows = checked.rows
    recorded = _recorded(rows)
    groups: dict[tuple[bool, str], list[ObservationInput]] = defaultdict(list)
    for row in rows:
        entry = by_number[row.row]
        reason = entry.reason or ("Replaced through FHIR" if entry.replace else "")
        groups[(entry.replace, reason)].append(row)
    try:
        with transaction.atomic():
            for (replace, reason), group in groups.items():
                services.observations_save(
                    by=user, rows=group, replace=replace, reason=reason, refresh=False
                )
            measure_ids = sorted({row.measure.pk for row in rows})
            transaction.on_commit(lambda: imports.refresh(measure_ids))
    except ObservationConflict as conflict:  # recorded by someone else since the check
        raise Refused(
            [
                _conflict_issue(by_number[row.row], row, old.value)
                for row, old in conflict.conflicts
            ],
            409,
        ) from None
    except ValidationError as error:  # the same period saved by another request at once
        raise Refused(
            [Issue("conflict", _sentence(message)) for message in error.messages], 409
        ) from None
    observations = _recorded_observations(rows)
    sources = search.report_sources(observations)
    return Saved(
        [resources.report_resource(source) for source in sources],
        [(row.measure.pk, row.period) not in recorded for row in rows],
    )


def _recorded_map(rows: Sequence[ObservationInput]) -> dict[tuple[int, dt.date], Observation]:
    """The recorded observations of the rows' (measure, period) pairs: one query per 500
    measures over the rows' range of periods, not a condition per row."""
    wanted = {(row.measure.pk, row.period) for row in rows}
    ids = sorted({measure_id for measure_id, _ in wanted})
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        members = set(chunk)
        periods = [period for measure_id, period in wanted if measure_id in members]
        query = Observation.objects.filter(
            measure_id__in=chunk, period__gte=min(periods), period__lte=max(periods)
        )
        for observation in query.iterator(chunk_size=5000):
            if (key := (observation.measure_id, observation.period)) in wanted:
                found[key] = observation
    return found


def _recorded(rows: Sequence[ObservationInput]) -> set[tuple[int, dt.date]]:
    return set(_recorded_map(rows))


def _recorded_observations(rows: Sequence[ObservationInput]) -> list[Observation]:
    """The saved observations, in the order of the rows (each with its measure in hand)."""
    found = _recorded_map(rows)
    observations = []
    for row in rows:
        observation = found[(row.measure.pk, row.period)]
        observation.measure = row.measure
        observations.append(observation)
    return observations
