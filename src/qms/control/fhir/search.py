"""Reading measures and reports for FHIR: one by id, and the searches, each limited to what the
key's account may see (quality control's VIEWERS, as on the measure pages).

Reports are the recorded observations joined with the stored SPC points of their measure's
`MeasureResult` (never recomputed here): one query for the page of observations, one for their
measures' results and one for the signals covering them, whatever the page size.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict

from qms.control.fhir import resources
from qms.control.fhir.resources import Issue, ReportSource
from qms.control.models import Frequency, Measure, MeasureResult, Observation, Signal
from qms.control.periods import period_start
from qms.control.roles import VIEWERS
from qms.people import access
from qms.people.models import Unit
from qms.text import find_control_characters

DEFAULT_COUNT = 50
MAX_COUNT = 500
# Parameters every search takes (FHIR's result parameters and the page cursor).
_COMMON = {"_count", "_cursor", "_format"}
_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}


class SearchProblem(Exception):
    """Search parameters that cannot be honoured: answered 400 with every issue."""

    def __init__(self, issues: Sequence[Issue]):
        super().__init__("; ".join(issue.diagnostics for issue in issues))
        self.issues = list(issues)


_ID = re.compile(r"^[0-9]{1,18}$")


def is_id(text: str) -> bool:
    """A record's id as sent: ASCII digits that fit a database's bigint."""
    return bool(_ID.match(text))


def _invalid(name: str, message: str) -> Issue:
    return Issue("invalid", f"Search parameter {name}: {message}", name)


# Reading one -------------------------------------------------------------------------------


def _measures() -> QuerySet[Measure]:
    return Measure.objects.select_related("unit")


def measure_read(user, measure_id: str) -> Measure:
    """The measure if the account may see it; Http404 otherwise (alike for a missing one)."""
    if not is_id(measure_id):
        raise Http404
    return access.object_or_404(user, _measures(), int(measure_id), VIEWERS)


def report_read(user, report_id: str) -> dict:
    """The MeasureReport of one recorded period; Http404 when the measure is not visible or
    the period holds no value."""
    parsed = resources.parse_report_id(report_id)
    if parsed is None:
        raise Http404
    measure = access.object_or_404(user, _measures(), parsed[0], VIEWERS)
    observation = Observation.objects.filter(measure=measure, period=parsed[1]).first()
    if observation is None:
        raise Http404
    observation.measure = measure
    (source,) = report_sources([observation])
    return resources.report_resource(source)


def report_sources(observations: Sequence[Observation]) -> list[ReportSource]:
    """Each observation with its stored point and the signals covering it: two queries. A
    point is used only when the results were computed after the value was recorded (else the
    report is pending: the refresh has not caught up with it yet)."""
    measure_ids = {observation.measure_id for observation in observations}
    results = {
        result.measure_id: result
        for result in MeasureResult.objects.filter(measure_id__in=measure_ids).only(
            "measure_id", "computed_at", "points"
        )
    }
    points: dict[int, dict[str, dict]] = {
        measure_id: {point["period"]: point for point in result.points}
        for measure_id, result in results.items()
        if result.computed_at is not None
    }
    signals = _signals_covering(observations)
    sources = []
    for observation in observations:
        result = results.get(observation.measure_id)
        computed_at = result.computed_at if result else None
        point = points.get(observation.measure_id, {}).get(observation.period.isoformat())
        if computed_at is None or observation.recorded_at > computed_at:
            point = None
        sources.append(
            ReportSource(
                measure=observation.measure,
                observation=observation,
                point=point,
                signals=[
                    signal
                    for signal in signals.get(observation.measure_id, ())
                    if signal.first_period <= observation.period <= signal.last_period
                ],
                computed_at=computed_at,
            )
        )
    return sources


def _signals_covering(observations: Sequence[Observation]) -> dict[int, list[Signal]]:
    if not observations:
        return {}
    first = min(observation.period for observation in observations)
    last = max(observation.period for observation in observations)
    found: dict[int, list[Signal]] = defaultdict(list)
    query = Signal.objects.filter(
        measure_id__in={observation.measure_id for observation in observations},
        first_period__lte=last,
        last_period__gte=first,
    ).order_by("first_period", "pk")
    for signal in query:
        found[signal.measure_id].append(signal)
    return found


# Searching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A page of a search: the resources, how many match in all, and the next page's cursor."""

    resources: list[dict]
    total: int
    next_cursor: str | None


def _single(params: QueryDict, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise SearchProblem([_invalid(name, "give it once")])
    return values[0] if values else None


def _check_names(params: QueryDict, allowed: set[str]) -> None:
    unknown = sorted(set(params) - allowed - _COMMON)
    if unknown:
        raise SearchProblem(
            [
                Issue(
                    "not-supported",
                    f"Search parameter {name} is not supported here (supported: "
                    f"{', '.join(sorted(allowed | _COMMON))}).",
                    name,
                )
                for name in unknown
            ]
        )
    for name in params:
        if any(find_control_characters(value) for value in params.getlist(name)):
            raise SearchProblem([_invalid(name, "holds control characters")])
    chosen = _single(params, "_format")
    if chosen is not None and chosen not in _JSON_FORMATS:
        raise SearchProblem([_invalid("_format", "this server answers in JSON only")])


def _page_size(params: QueryDict) -> int:
    raw = _single(params, "_count")
    if raw is None:
        return DEFAULT_COUNT
    if not is_id(raw) or not 1 <= int(raw) <= MAX_COUNT:
        raise SearchProblem([_invalid("_count", f"give a whole number from 1 to {MAX_COUNT}")])
    return int(raw)


def _encode(*parts: object) -> str:
    text = ":".join(str(part) for part in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    except (ValueError, binascii.Error, UnicodeError):
        raise SearchProblem([_invalid("_cursor", "use the next link's URL as given")]) from None


def _unit(user, params: QueryDict) -> Unit | None:
    raw = _single(params, "unit")
    if raw is None:
        return None
    if not is_id(raw):
        raise SearchProblem([_invalid("unit", "give a unit's id (a number)")])
    unit = access.units_visible_to(user).filter(pk=int(raw)).first()
    if unit is None:  # a unit the key does not see does not exist for it
        raise SearchProblem([Issue("not-found", f"No unit {raw} is visible to this key.", "unit")])
    return unit


def _measure_ids(values: Iterable[str], name: str) -> set[int]:
    """Measure ids from references: a canonical URL of this server, `Measure/12` or `12`
    (with `|version`, ignored); a comma means either. A URL of another server matches none."""
    ids: set[int] = set()
    base = resources.server_base() + "/"
    for value in values:
        for reference in value.split(","):
            reference = reference.split("|", 1)[0].strip()
            if reference.startswith(base):
                reference = reference[len(base) :]
            elif "://" in reference:
                continue  # another server's measure: not here
            reference = reference.removeprefix("Measure/")
            if not is_id(reference):
                raise SearchProblem(
                    [_invalid(name, f"{reference[:40]!r} is not a measure of this server")]
                )
            ids.add(int(reference))
    return ids


def measure_search(user, params: QueryDict) -> Found:
    """Measures the account sees, by `_id`, `identifier` ([system|]code), `url`, `status`
    (active or retired), `title` (starts with, any case), `unit` (that unit and below)."""
    _check_names(params, {"_id", "identifier", "url", "status", "title", "name", "unit"})
    count = _page_size(params)
    query = access.visible(user, _measures(), VIEWERS)
    if unit := _unit(user, params):
        query = access.in_subtree(query, unit)
    if params.getlist("_id"):
        query = query.filter(pk__in=_measure_ids(params.getlist("_id"), "_id"))
    if params.getlist("url"):
        query = query.filter(pk__in=_measure_ids(params.getlist("url"), "url"))
    for value in params.getlist("identifier"):
        query = query.filter(code__in=_codes(value))
    status = _single(params, "status")
    if status is not None:
        if status not in ("active", "retired"):
            raise SearchProblem([_invalid("status", "give active or retired")])
        query = query.filter(is_active=status == "active")
    for name in ("title", "name"):
        for value in params.getlist(name):
            query = query.filter(name__istartswith=value)
    total = query.count()
    cursor = _single(params, "_cursor")
    if cursor:
        (after,) = _cursor_parts(cursor, 1)
        query = query.filter(pk__gt=int(after))
    rows = list(query.order_by("pk")[: count + 1])
    more = len(rows) > count
    rows = rows[:count]
    return Found(
        [resources.measure_resource(measure) for measure in rows],
        total,
        _encode(rows[-1].pk) if more else None,
    )


def _codes(value: str) -> list[str]:
    codes = []
    for token in value.split(","):
        system, bar, code = token.rpartition("|")
        if bar and system and system != resources.measure_code_system():
            continue  # another system's identifier matches none of ours
        codes.append(code)
    return codes


def _cursor_parts(cursor: str, size: int) -> list[str]:
    parts = _decode(cursor)
    if len(parts) != size or not is_id(parts[0]):
        raise SearchProblem([_invalid("_cursor", "use the next link's URL as given")])
    return parts


# Dates: 2024, 2024-03, 2024-03-14, or a dateTime (its date counts).
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T[0-9:.+\-Z]*)?)?)?$")
_PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt")


def _date_range(text: str) -> tuple[dt.date, dt.date]:
    """The days a search date covers: a year, a month or a day."""
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    year, month, day = int(match[1]), match[2], match[3]
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = dt.date(year, int(month), 1)
    if day is None:
        return start, resources.period_end(start, Frequency.MONTH)
    on = dt.date(year, int(month), int(day))
    return on, on


def _period_condition(value: str) -> Q:
    """Reports whose period (start s to end e, aligned to their measure's frequency) meets the
    search value's days [lo, hi] as FHIR defines its prefixes for ranges: ge: e ≥ lo; gt: e > hi;
    le: s ≤ hi; lt: s < lo; eq (no prefix): lo ≤ s and e ≤ hi; ne: not eq."""
    prefix, text = (value[:2], value[2:]) if value[:2] in _PREFIXES else ("eq", value)
    try:
        lo, hi = _date_range(text)
    except ValueError:
        raise SearchProblem(
            [
                _invalid(
                    "period",
                    f"{value[:40]!r} is not a date with a prefix (ge, le, gt, lt, eq, ne): "
                    "e.g. ge2024-01-01, le2024-06",
                )
            ]
        ) from None
    if prefix == "le":
        return Q(period__lte=hi)
    if prefix == "lt":
        return Q(period__lt=lo)
    # The day after the range; none after 9999-12-31 (the last day a date holds).
    after = hi + dt.timedelta(days=1) if hi < dt.date.max else None
    condition = Q()
    for frequency in Frequency.values:
        # A period reaches a day when it starts on or after the start of the period holding it.
        if prefix == "ge":
            on = Q(period__gte=period_start(lo, frequency))
        elif prefix == "gt":
            on = Q(period__gte=period_start(after, frequency)) if after else Q(pk__in=[])
        elif after is None:
            on = Q(period__gte=lo)
        else:
            on = Q(period__gte=lo, period__lt=period_start(after, frequency))
        condition |= Q(measure__frequency=frequency) & on
    return ~condition if prefix == "ne" else condition


def report_search(user, params: QueryDict) -> Found:
    """Reports of the measures the account sees, by `measure` (canonical URL or id), `period`
    (prefixed dates, each narrowing), `_id`, `reporter` (a unit: Organization/ID or its id,
    that unit alone) and `unit` (that unit and below); by measure, then period."""
    _check_names(params, {"measure", "period", "_id", "reporter", "unit"})
    count = _page_size(params)
    measures = access.visible(user, Measure.objects.all(), VIEWERS)
    if unit := _unit(user, params):
        measures = access.in_subtree(measures, unit)
    if params.getlist("measure"):
        measures = measures.filter(pk__in=_measure_ids(params.getlist("measure"), "measure"))
    if reporter := _single(params, "reporter"):
        unit_id = reporter.removeprefix("Organization/")
        if not is_id(unit_id):
            raise SearchProblem([_invalid("reporter", "give Organization/<unit id>")])
        measures = measures.filter(unit_id=int(unit_id))
    query = Observation.objects.filter(measure__in=measures)
    ids = params.getlist("_id")
    if ids:
        wanted = Q(pk__in=[])
        for value in ids:
            for token in value.split(","):
                parsed = resources.parse_report_id(token.strip())
                if parsed is None:
                    raise SearchProblem([_invalid("_id", f"{token[:40]!r} is not a report id")])
                wanted |= Q(measure_id=parsed[0], period=parsed[1])
        query = query.filter(wanted)
    for value in params.getlist("period"):
        query = query.filter(_period_condition(value))
    total = query.count()
    cursor = _single(params, "_cursor")
    if cursor:
        measure_id, period = _cursor_parts(cursor, 2)
        try:
            day = dt.date.fromisoformat(period)
        except ValueError:
            raise SearchProblem([_invalid("_cursor", "use the next link's URL as given")]) from None
        query = query.filter(
            Q(measure_id__gt=int(measure_id)) | Q(measure_id=int(measure_id), period__gt=day)
        )
    rows = list(query.select_related("measure__unit").order_by("measure_id", "period")[: count + 1])
    more = len(rows) > count
    rows = rows[:count]
    reports = [resources.report_resource(source) for source in report_sources(rows)]
    last = rows[-1] if rows else None
    return Found(
        reports, total, _encode(last.measure_id, last.period.isoformat()) if more and last else None
    )


def page_url(resource_type: str, params: QueryDict, cursor: str | None = None) -> str:
    """The URL of a search page: the same parameters, with `_cursor` for the page asked."""
    pairs = [
        (name, value) for name in params for value in params.getlist(name) if name != "_cursor"
    ]
    if cursor:
        pairs.append(("_cursor", cursor))
    query = urlencode(pairs)
    return f"{resources.server_base()}/{resource_type}" + (f"?{query}" if query else "")
