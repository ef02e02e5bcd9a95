"""FHIR R4 resources built from quality control's records: plain dicts, ready for JSON.

Nothing here reads the database or computes SPC: the callers (`search`) hand in the measure,
its observations, the stored points of its `MeasureResult` and its signals. The URLs of the
extensions and identifier systems are under SITE_URL, so each installation names its own;
docs/fhir.md says what each means.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from qms.control.models import Frequency, Measure, MeasureKind, Observation, Signal
from qms.control.periods import period_label, period_start
from qms.stats.charts import NEEDS_DENOMINATOR, PROPORTIONS, RATES
from qms.stats.mdc import POINT_TYPES

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"

# Extensions (each under SITE_URL/fhir/StructureDefinition/): on a Measure ...
EXT_CHART = "spc-chart"
EXT_FREQUENCY = "measure-frequency"
EXT_UNIT_LABEL = "measure-unit-label"
EXT_MULTIPLIER = "measure-multiplier"
EXT_TARGET = "measure-target"
# ... on a MeasureReport's group: the stored SPC result at the report's period ...
EXT_CENTRE = "spc-centre-line"
EXT_UPPER = "spc-upper-process-limit"
EXT_LOWER = "spc-lower-process-limit"
EXT_PHASE = "spc-phase"
EXT_TRIAL = "spc-trial-limits"
EXT_POINT_TYPE = "spc-point-type"
EXT_RULE = "spc-rule"
EXT_SIGNAL = "spc-signal"
# ... on a population whose amount is not a whole number (bed days), and on a report.
EXT_AMOUNT = "population-amount"
EXT_NOTE = "observation-note"
EXT_REASON = "change-reason"

# The rules a point may break, as stored per point by qms.stats, and their codes here.
RULE_CODES = {
    "outside": "outside-limits",
    "shift": "shift",
    "trend": "trend",
    "two_of_three": "two-of-three",
}

# FHIR's measure scoring (http://terminology.hl7.org/CodeSystem/measure-scoring) by chart: a
# proportion for p charts, a ratio for rates, a cohort (a count) for c charts, and a
# continuous variable for charts of measured values.
SCORING_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-scoring"
IMPROVEMENT_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-improvement-notation"
TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-type"
POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population"


def scoring_of(chart: str) -> str:
    if chart in PROPORTIONS:
        return "proportion"
    if chart in RATES:
        return "ratio"
    if chart == "c":
        return "cohort"
    return "continuous-variable"


# FHIR ids: letters, digits, "-" and "." (64 at most).
_REPORT_ID = re.compile(r"^([0-9]{1,18})-([0-9]{4}-[0-9]{2}-[0-9]{2})$")


def site() -> str:
    return settings.SITE_URL.rstrip("/")


def server_base() -> str:
    """Where the FHIR endpoints are (the `fullUrl`s and canonical URLs start with it)."""
    return f"{site()}/fhir/r4"


def extension_url(name: str) -> str:
    return f"{site()}/fhir/StructureDefinition/{name}"


def measure_code_system() -> str:
    """The identifier system of measures' codes (Measure.identifier)."""
    return f"{site()}/fhir/sid/measure-code"


def unit_code_system() -> str:
    """The identifier system of units' codes (the Organization a measure belongs to)."""
    return f"{site()}/fhir/sid/unit-code"


def measure_url(measure_id: int) -> str:
    """The canonical URL of a measure: its address on this server."""
    return f"{server_base()}/Measure/{measure_id}"


# Periods -------------------------------------------------------------------------------------


def period_end(start: dt.date, frequency: str) -> dt.date:
    """The last day of the period that begins on `start`."""
    if frequency == Frequency.DAY:
        return start
    if frequency == Frequency.WEEK:
        return start + dt.timedelta(days=6)
    months = 3 if frequency == Frequency.QUARTER else 1
    month = start.month - 1 + months
    following = dt.date(start.year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def is_period_start(day: dt.date, frequency: str) -> bool:
    return period_start(day, frequency) == day


def report_id(measure_id: int, period: dt.date) -> str:
    """A report's id: its measure and period (`12-2024-03-01`), so the same period of the same
    measure is always the same resource, and a PUT to it replaces the value."""
    return f"{measure_id}-{period.isoformat()}"


def parse_report_id(text: str) -> tuple[int, dt.date] | None:
    match = _REPORT_ID.match(text)
    if not match:
        return None
    try:
        return int(match[1]), dt.date.fromisoformat(match[2])
    except ValueError:
        return None


# Small parts ---------------------------------------------------------------------------------


def _finite(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _decimal_extension(name: str, value) -> list[dict]:
    number = _finite(value)
    return [] if number is None else [{"url": extension_url(name), "valueDecimal": number}]


def unit_reference(unit) -> dict:
    """A unit as a reference to an Organization, by its code (QMS serves no Organization)."""
    return {
        "type": "Organization",
        "identifier": {"system": unit_code_system(), "value": unit.code},
        "display": unit.name,
    }


def _improvement(direction: str) -> dict | None:
    if direction not in ("increase", "decrease"):
        return None  # neither direction is better ("neutral"): FHIR has no code for it
    return {"coding": [{"system": IMPROVEMENT_SYSTEM, "code": direction}]}


def _kind(kind: str) -> dict:
    label = MeasureKind(kind).label if kind in MeasureKind.values else kind
    if kind in ("outcome", "process", "structure"):
        return {"coding": [{"system": TYPE_SYSTEM, "code": kind, "display": label}]}
    return {"text": label}  # a balancing measure: no code in FHIR's measure types


def _computable_name(code: str) -> str:
    """Measure.name is for machines: a letter, then letters, digits and underscores."""
    words = [word for word in re.split(r"[^A-Za-z0-9]+", code) if word]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return (name if name[:1].isalpha() else f"M{name}")[:255]


def _population(code: str, definition: str) -> dict:
    return {
        "code": {"coding": [{"system": POPULATION_SYSTEM, "code": code}]},
        "description": definition,
        "criteria": {"language": "text/plain", "expression": definition},
    }


# Measure -------------------------------------------------------------------------------------


def measure_resource(measure: Measure) -> dict:
    """The Measure: its definition, where it belongs, how it is charted and its target."""
    extensions = [
        {"url": extension_url(EXT_CHART), "valueCode": measure.chart},
        {"url": extension_url(EXT_FREQUENCY), "valueCode": measure.frequency},
        {"url": extension_url(EXT_MULTIPLIER), "valueDecimal": measure.multiply},
    ]
    if label := measure.unit_label.strip():
        extensions.append({"url": extension_url(EXT_UNIT_LABEL), "valueString": label})
    extensions += _decimal_extension(EXT_TARGET, measure.target)
    resource: dict = {
        "resourceType": "Measure",
        "id": str(measure.pk),
        "extension": extensions,
        "url": measure_url(measure.pk),
        "identifier": [{"system": measure_code_system(), "value": measure.code}],
        "name": _computable_name(measure.code),
        "title": measure.name,
        "status": "active" if measure.is_active else "retired",
        "publisher": measure.unit.name,
        "useContext": [
            {
                "code": {
                    "system": "http://terminology.hl7.org/CodeSystem/usage-context-type",
                    "code": "venue",
                },
                "valueReference": unit_reference(measure.unit),
            }
        ],
        "topic": [{"text": measure.get_domain_display()}],
        "scoring": {"coding": [{"system": SCORING_SYSTEM, "code": scoring_of(measure.chart)}]},
        "type": [_kind(measure.kind)],
    }
    # FHIR refuses empty strings: an element without text is left out.
    if measure.operational_definition.strip():
        resource["description"] = measure.operational_definition
    if measure.target is not None and measure.target_source.strip():
        resource["guidance"] = f"Target {measure.target:g}: {measure.target_source}"
    if improvement := _improvement(measure.direction):
        resource["improvementNotation"] = improvement
    populations = [
        _population(code, definition)
        for code, definition in (
            ("numerator", measure.numerator_definition),
            ("denominator", measure.denominator_definition),
        )
        if definition.strip()
    ]
    if populations:
        resource["group"] = [{"population": populations}]
    return resource


# MeasureReport -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSource:
    """What one MeasureReport is made from: the period's observation, its stored SPC point
    (None while the results do not yet hold it) and the signals whose run covers it."""

    measure: Measure
    observation: Observation
    point: dict | None
    signals: Sequence[Signal]
    computed_at: dt.datetime | None


def _count(name: str, code: str, amount: float | None) -> dict:
    population: dict = {"code": {"coding": [{"system": POPULATION_SYSTEM, "code": code}]}}
    if amount is None:
        return population
    if float(amount).is_integer():
        population["count"] = int(amount)
    else:
        population["extension"] = [{"url": extension_url(EXT_AMOUNT), "valueDecimal": amount}]
    return population


def _point_type(point: dict) -> str | None:
    code = point.get("point_type")
    if isinstance(code, int) and 0 <= code < len(POINT_TYPES):
        code = POINT_TYPES[code]
    return code.replace("_", "-") if isinstance(code, str) else None


def _spc_extensions(point: dict, signals: Iterable[Signal]) -> list[dict]:
    extensions = [
        *_decimal_extension(EXT_CENTRE, point.get("cl")),
        *_decimal_extension(EXT_UPPER, point.get("ucl")),
        *_decimal_extension(EXT_LOWER, point.get("lcl")),
    ]
    if isinstance(point.get("phase"), int):
        extensions.append({"url": extension_url(EXT_PHASE), "valueInteger": point["phase"]})
    extensions.append({"url": extension_url(EXT_TRIAL), "valueBoolean": bool(point.get("trial"))})
    if point_type := _point_type(point):
        extensions.append({"url": extension_url(EXT_POINT_TYPE), "valueCode": point_type})
    extensions += [
        {"url": extension_url(EXT_RULE), "valueCode": code}
        for field, code in RULE_CODES.items()
        if point.get(field)
    ]
    extensions += [_signal_extension(signal) for signal in signals]
    return extensions


def _signal_extension(signal: Signal) -> dict:
    parts = [
        ("id", "valueString", str(signal.pk)),
        ("kind", "valueCode", signal.kind.replace("_", "-")),
        ("status", "valueCode", signal.status),
        ("first-period", "valueDate", signal.first_period.isoformat()),
        ("last-period", "valueDate", signal.last_period.isoformat()),
        ("explanation", "valueString", signal.explanation),
    ]
    return {
        "url": extension_url(EXT_SIGNAL),
        "extension": [{"url": name, kind: value} for name, kind, value in parts if value],
    }


def report_resource(source: ReportSource) -> dict:
    """A summary MeasureReport of one period: the value (numerator and denominator where the
    measure has them) and, once the stored results hold the period, the score as charted with
    its centre line, process limits, phase, point type, rules broken and signals. Until then
    its status is `pending` and it carries the recorded counts alone."""
    measure, observation, point = source.measure, source.observation, source.point
    start = observation.period
    group: dict = {}
    if measure.chart in NEEDS_DENOMINATOR:
        group["population"] = [
            _count("numerator", "numerator", observation.value),
            _count("denominator", "denominator", observation.denominator),
        ]
    pending = point is None
    if point is not None:
        score = _finite(point.get("y"))
        if score is not None:
            quantity: dict = {"value": score}
            if label := measure.unit_label.strip():
                quantity["unit"] = label
            group["measureScore"] = quantity
        group["extension"] = _spc_extensions(point, source.signals)
    elif measure.chart not in NEEDS_DENOMINATOR:
        # Not yet charted: the value as recorded, which is the score for these charts.
        group["measureScore"] = {"value": observation.value}
        if label := measure.unit_label.strip():
            group["measureScore"]["unit"] = label
    extensions = []
    if observation.note.strip():
        extensions.append({"url": extension_url(EXT_NOTE), "valueString": observation.note})
    resource: dict = {
        "resourceType": "MeasureReport",
        "id": report_id(measure.pk, start),
    }
    if extensions:
        resource["extension"] = extensions
    resource.update(
        {
            "status": "pending" if pending else "complete",
            "type": "summary",
            "measure": measure_url(measure.pk),
            "reporter": unit_reference(measure.unit),
            "period": {
                "start": start.isoformat(),
                "end": period_end(start, measure.frequency).isoformat(),
            },
        }
    )
    if source.computed_at is not None and not pending:
        resource["date"] = source.computed_at.isoformat()
    if improvement := _improvement(measure.direction):
        resource["improvementNotation"] = improvement
    resource["group"] = [group]
    resource["text"] = {
        "status": "generated",
        "div": _narrative(measure, observation, point),
    }
    return resource


def _narrative(measure: Measure, observation: Observation, point: dict | None) -> str:
    from django.utils.html import escape

    label = period_label(observation.period, measure.frequency)
    value = f"{observation.value:g}"
    if observation.denominator is not None and measure.chart in NEEDS_DENOMINATOR:
        value += f" of {observation.denominator:g}"
    return (
        '<div xmlns="http://www.w3.org/1999/xhtml">'
        f"{escape(measure.name)}, {escape(label)}: {escape(value)}"
        f"{'' if point is not None else ' (not yet charted)'}</div>"
    )


# Bundles and outcomes ------------------------------------------------------------------------


def searchset(
    resources: Sequence[dict], *, total: int, self_url: str, next_url: str | None
) -> dict:
    links = [{"relation": "self", "url": self_url}]
    if next_url:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{server_base()}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ],
    }


@dataclass(frozen=True)
class Issue:
    """One problem: FHIR's issue type code (invalid, required, value, not-found, forbidden,
    duplicate, ...), what is wrong in words, and the element it is about (FHIRPath)."""

    code: str
    diagnostics: str
    expression: str | None = None
    severity: str = "error"


def operation_outcome(issues: Iterable[Issue]) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": issue.severity,
                "code": issue.code,
                "diagnostics": issue.diagnostics,
                **({"expression": [issue.expression]} if issue.expression else {}),
            }
            for issue in issues
        ],
    }


def capability_statement() -> dict:
    """What this server does: read and search Measures and MeasureReports, record reports."""
    search_measure = [
        ("_id", "token", "The measure's id."),
        ("identifier", "token", f"The measure's code ({measure_code_system()}|code)."),
        ("url", "uri", "The measure's canonical URL."),
        ("status", "token", "active or retired."),
        ("title", "string", "The title starts with this (any case)."),
        ("unit", "number", "QMS: the measures of this unit and the units below it."),
    ]
    search_report = [
        ("_id", "token", "The report's id: <measure id>-<period start>."),
        ("measure", "reference", "The measure: its canonical URL, Measure/<id> or <id>."),
        ("period", "date", "Prefixed dates (ge, le, gt, lt, eq, ne), each narrowing."),
        ("reporter", "reference", "Organization/<unit id>: that unit's measures alone."),
        ("unit", "number", "QMS: the reports of this unit and the units below it."),
    ]
    common = [("_count", "number", "Resources per page (1 to 500, 50 by default).")]

    def params(rows):
        return [
            {"name": name, "type": kind, "documentation": words}
            for name, kind, words in [*rows, *common]
        ]

    return {
        "resourceType": "CapabilityStatement",
        "id": "qms",
        "url": f"{server_base()}/metadata",
        "name": "QmsFhirServer",
        "title": "QMS: quality measures and their results",
        "status": "active",
        "date": "2026-12-02",
        "publisher": "QMS",
        "kind": "instance",
        "software": {"name": "QMS"},
        "implementation": {
            "description": "Measures and their SPC results, from QMS's stored results.",
            "url": server_base(),
        },
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Every call but this one carries an API key (Authorization: Bearer <key>), "
                    "made on a unit's API keys page or with `qms create-api-key`: it sees its "
                    "unit and the units below it, and writes only when it may. Unknown search "
                    "parameters are refused (400), not ignored. See docs/fhir.md."
                ),
                "security": {
                    "cors": False,
                    "description": "Bearer API keys, limited to a unit, to reading or writing, "
                    "to a time, and to a number of calls a minute (429 with Retry-After).",
                },
                "resource": [
                    {
                        "type": "Measure",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": params(search_measure),
                    },
                    {
                        "type": "MeasureReport",
                        "interaction": [
                            {"code": "read"},
                            {"code": "search-type"},
                            {
                                "code": "create",
                                "documentation": "Records the period's value; a period holding "
                                "another value is refused (409): PUT to replace it.",
                            },
                            {
                                "code": "update",
                                "documentation": "Records or replaces the period's value "
                                "(the reason in the change-reason extension).",
                            },
                        ],
                        "updateCreate": True,
                        "searchParam": params(search_report),
                    },
                ],
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "A Bundle of MeasureReports (POST or PUT entries), "
                        "all or nothing.",
                    }
                ],
            }
        ],
    }
