"""The demo board's quality control: the product library (national standards and measure
definitions, `qms.control.library`) loaded first, the standards the board's units agreed, about
150 measures defined from the library on its wards, teams, services, divisions and the board,
and 2-3 years of data that behave the way real measures do. Synthetic: every number is generated.

Each measure follows a story written down in `qms.demo.plans`: stable, improved after a change
(with a new phase and the reason for it), improving now, deteriorating now (an open signal),
drifting, seasonal (winter pressure), with one-off outliers, or simply unable to meet its target.
The noise comes from numpy, seeded from the demo's random generator and the measure's code, so
the same seed gives the same values whatever else the demo contains.

The SPC results are computed once at the end, which raises the signals; a few of them are then
handled the way teams would (acknowledged, linked to an issue, escalated up one or two levels,
returned with advice), and the rest stay open.

Deterministic and idempotent, like the organisation: standards and measures are found by code,
and data, phases, annotations and signal handling are written only for a measure that has no data
yet, so running the build again adds nothing and changes nothing. The data ends with the last
complete period before today, so the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib

import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone

from qms.comments import services as comments
from qms.control import selectors, services
from qms.control.library import DefinitionRecord, library_load, read_library
from qms.control.models import (
    Measure,
    MeasureDefinition,
    Observation,
    Signal,
    SignalKind,
    Standard,
)
from qms.control.periods import period_start
from qms.demo.plans import (
    LOCAL_STANDARDS,
    PLANS,
    PRECISION,
    Plan,
    Precision,
    Spike,
    Step,
    Trend,
    Winter,
)
from qms.escalation import services as escalation_services
from qms.escalation.models import Escalation
from qms.people.models import Membership, Person, Unit
from qms.people.roles import Role
from qms.stats.charts import EVENT_CHARTS, PROPORTIONS, RATES

# How much history each frequency gets: about two and a half years (three for quarters, two
# for daily counts, which would otherwise swamp the charts with points).
SPAN = {"day": 730, "week": 130, "month": 30, "quarter": 12}
EVENT_SPAN_DAYS = 913  # g and t charts: one point per event, over two and a half years

# The library as shipped, read once: the demo's measures are defined from it.
LIBRARY = read_library()
DEFINITIONS = {definition.code: definition for definition in LIBRARY.definitions}
STANDARDS = [*LIBRARY.standards, *LOCAL_STANDARDS]


# Building ----------------------------------------------------------------------------------


def build(rng: random.Random, *, today: dt.date | None = None) -> dict[str, int]:
    """Load the product library, create (or complete) the board's own standards and its
    measures, defined from the library, and their data, then compute the SPC results (and so
    raise the signals) for the measures given data in this run.

    Call after `organisation.build`: measures belong to its units, owned by each unit's team
    lead (or the nearest quality lead or executive above it). `today` (default: the current
    date) decides the last period of data; the same seed and day give the same values.
    Returns counts for the summary, including `signals` raised in this run.
    """
    today = today or timezone.localdate()
    seed = rng.getrandbits(32)
    units = {unit.code: unit for unit in Unit.objects.all()}
    library_load(by=None, library=LIBRARY)
    definitions = {d.code: d for d in MeasureDefinition.objects.select_related("standard")}
    local_standards = _ensure_local_standards(units)
    owners = _owners(units)
    existing = {measure.code: measure for measure in Measure.objects.all()}
    with_data = set(Observation.objects.values_list("measure_id", flat=True).distinct().order_by())

    rows: list[services.ObservationInput] = []
    changes: list[tuple[Measure, dt.date, Step | Spike]] = []
    fresh: list[Measure] = []
    for plan in PLANS:
        definition = definitions[plan.definition]
        measure = existing.get(plan.code) or _create_measure(
            plan, definition, units[plan.unit], local_standards, owners
        )
        if measure.pk in with_data:
            continue  # built before: leave it, and everything done to it since, alone
        periods, values, denominators, marks = _series(plan, definition, seed, today)
        rows += [
            services.ObservationInput(
                measure=measure, period=period, value=value, denominator=denominator
            )
            for period, value, denominator in zip(periods, values, denominators, strict=True)
        ]
        changes += [(measure, period, effect) for period, effect in marks]
        fresh.append(measure)

    if rows:
        services.observations_save(by=None, rows=rows, refresh=False)
    phases = 0
    for measure, period, effect in changes:
        if isinstance(effect, Step) and effect.phase:
            services.phase_start(by=None, measure=measure, starts_on=period, reason=effect.phase)
            phases += 1
        if effect.note:  # a phase shows its own reason on the chart; notes say the rest
            services.annotation_add(by=None, measure=measure, period=period, text=effect.note)
    # The command runs in one transaction, so the refresh that saving data would queue for the
    # commit is done here, once, for every new measure: this raises the signals.
    raised = services.results_refresh([measure.pk for measure in fresh]) if fresh else []
    handled = _handle_some_signals(raised, owners)
    _start_discussions(fresh, raised, owners)
    return {
        "standards": Standard.objects.count(),
        "measures": Measure.objects.count(),
        "observations": Observation.objects.count(),
        "observations_added": len(rows),
        "phases_added": phases,
        "signals": len(raised),
        "signals_handled": handled,
        "open_signals": selectors.open_signals().count(),  # as the report and huddle count
        "escalations": Escalation.objects.count(),
    }


def _handle_some_signals(raised: list[Signal], owners: dict[str, Person | None]) -> int:
    """What teams have already done about a few of the new signals, so the demo shows each
    state: acknowledged with a note, linked to an issue, escalated (one of them two levels up)
    and returned with advice. The rest stay open; Ward 7's are left for the demo lead.
    Returns how many signals were handled."""
    found = {(signal.measure.code, signal.kind): signal for signal in raised}
    concern, fail = SignalKind.CONCERN, SignalKind.ASSURANCE_FAIL
    handled = 0

    def pick(code: str, kind: str, unit: str) -> tuple[Signal | None, Person | None]:
        nonlocal handled
        signal, person = found.get((code, kind)), owners.get(unit)
        if signal is None or person is None:
            return None, None  # another seed told a different story: nothing to do
        handled += 1
        return signal, person

    signal, lead = pick("ward-9-rn-fill", concern, "ward-9")
    if signal:
        escalation_services.escalate(
            by=lead,
            subject=signal,
            reason="Outside our control: two registered nurse vacancies and a maternity leave. "
            "We need the service to approve agency staff until the posts are filled.",
        )
    signal, lead = pick("ed-ed-4h", fail, "ed")
    if signal:
        escalation_services.escalate(
            by=lead,
            subject=signal,
            reason="Exit block: patients waiting for ward beds stay in the department. The "
            "department cannot meet the standard by itself.",
        )
        escalation_services.escalate(
            by=owners["emergency"],
            subject=signal,
            reason="Whole-hospital flow: needs the division's bed plan and the discharge "
            "before noon work on the medical wards.",
        )
    signal, lead = pick("cmht-north-psychological-therapies-18w", fail, "cmht-north")
    if signal:
        escalation = escalation_services.escalate(
            by=lead,
            subject=signal,
            reason="Demand has outgrown the team's psychology time; we cannot recruit to the "
            "vacant post from our budget.",
        )
        escalation_services.escalation_respond(
            by=owners["adult-mental-health"],
            escalation=escalation,
            decision="return",
            response="Funding for a second psychologist is agreed from April. Until then, "
            "please offer the group programme to people waiting over 12 weeks.",
        )
    signal, lead = pick("dn-north-missed-visits", concern, "dn-north")
    if signal:
        services.signal_link_issue(
            by=lead,
            signal=signal,
            title="Missed visits when winter sickness leaves rounds uncovered",
            description="Planned visits dropped at short notice; look at how rounds are "
            "reallocated and whether the South team can help.",
        )
        services.signal_acknowledge(
            by=lead, signal=signal, note="Issue opened; huddle reviewing rounds daily."
        )
    signal, lead = pick("ward-21-violence", concern, "ward-21")
    if signal:
        services.signal_acknowledge(
            by=lead,
            signal=signal,
            note="Two patients in crisis on the same weekend. Debrief held with staff and "
            "patients; care plans updated. No change to the ward's approach needed.",
        )
    signal, lead = pick("surgery-long-waits", concern, "surgery")
    if signal:
        services.signal_acknowledge(
            by=lead,
            signal=signal,
            note="Waiting list validated; weekend orthopaedic lists agreed from next month.",
        )
    return handled


def _start_discussions(
    fresh: list[Measure], raised: list[Signal], owners: dict[str, Person | None]
) -> None:
    """A few comments and a file, so the demo shows discussions: on Ward 7's falls rate
    (between the demo lead and the demo staff nurse, who may change their own) and on Ward 9's
    escalated signal. Only for measures made in this run."""
    lead, member = owners.get("ward-7"), Person.objects.filter(username="member").first()
    falls = next((m for m in fresh if m.unit.code == "ward-7" and "fall" in m.code), None)
    if falls and lead and member:
        comments.comment_add(
            by=member,
            subject=falls,
            text="Night falls are mostly between 2 and 5 am, near the toilets. Could the "
            "intentional rounding start at 1 am?",
        )
        comments.comment_add(
            by=lead,
            subject=falls,
            text="Agreed for a month's test from Monday; the rounding sheet is attached.",
        )
        comments.attachment_add(
            by=lead,
            subject=falls,
            file=ContentFile(
                b"hour,check\r\n01:00,toilet offered\r\n03:00,toilet offered\r\n",
                name="Night rounding sheet.csv",
            ),
        )
    signal = next((s for s in raised if s.measure.code == "ward-9-rn-fill"), None)
    ward_9 = owners.get("ward-9")
    if signal and ward_9:
        comments.comment_add(
            by=ward_9,
            subject=signal,
            text="Agency requests for the night shifts went in on Monday; two of five filled.",
        )


def _ensure_local_standards(units: dict[str, Unit]) -> dict[str, Standard]:
    """The standards the board's units agreed, by the definition whose measures serve each."""
    existing = {standard.code: standard for standard in Standard.objects.all()}
    served: dict[str, Standard] = {}
    for spec in LOCAL_STANDARDS:
        standard = existing.get(spec.code) or services.standard_create(
            by=None,
            unit=units[spec.unit],
            code=spec.code,
            title=spec.title,
            statement=spec.statement,
            source=spec.source,
        )
        served.update(dict.fromkeys(spec.serves, standard))
    return served


def _owners(units: dict[str, Unit]) -> dict[str, Person | None]:
    """Each unit's measure owner: its team lead; failing that, the nearest quality lead, then
    executive, up the tree (services and divisions have no team lead of their own)."""
    by_unit: dict[tuple[int, str], Person] = {}
    memberships = Membership.objects.filter(
        role__in=[Role.TEAM_LEAD, Role.QUALITY_LEAD, Role.EXECUTIVE]
    ).select_related("person")
    for membership in memberships.order_by("person_id"):  # the longest-standing person first
        by_unit.setdefault((membership.unit_id, membership.role), membership.person)
    by_id = {unit.pk: unit for unit in units.values()}
    owners: dict[str, Person | None] = {}
    for code, unit in units.items():
        owner = by_unit.get((unit.pk, Role.TEAM_LEAD))
        for role in (Role.QUALITY_LEAD, Role.EXECUTIVE):
            node: Unit | None = unit
            while owner is None and node is not None:
                owner = by_unit.get((node.pk, role))
                node = by_id.get(node.parent_id) if node.parent_id else None
        owners[code] = owner
    return owners


def _create_measure(
    plan: Plan,
    definition: MeasureDefinition,
    unit: Unit,
    local_standards: dict[str, Standard],
    owners: dict[str, Person | None],
) -> Measure:
    """The plan's measure, defined from its library definition as a lead would: a local
    standard or a target the team agreed replaces the library's."""
    fields = definition.measure_fields()
    if plan.definition in local_standards:
        fields["standard"] = local_standards[plan.definition]
    if plan.target is not None and plan.target != definition.target:
        fields["target"], fields["target_source"] = plan.target, "Local target agreed by the team"
    return services.measure_create(
        by=None,
        unit=unit,
        code=plan.code,
        owner=owners.get(plan.unit),
        definition=definition,
        **fields,
    )


# Generating the data -------------------------------------------------------------------------


def periods_until(today: dt.date, frequency: str, count: int) -> list[dt.date]:
    """The last `count` complete periods before `today`, oldest first.

    >>> periods_until(dt.date(2026, 11, 26), "month", 3)
    [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]
    >>> periods_until(dt.date(2026, 11, 26), "week", 2)
    [datetime.date(2026, 11, 9), datetime.date(2026, 11, 16)]
    """
    if frequency == "day":
        return [today - dt.timedelta(days=count - i) for i in range(count)]
    if frequency == "week":
        last = period_start(today, "week") - dt.timedelta(days=7)
        return [last - dt.timedelta(weeks=count - 1 - i) for i in range(count)]
    months = 3 if frequency == "quarter" else 1
    current = period_start(today, frequency)
    first = current.year * 12 + current.month - 1 - months * count
    return [
        dt.date((first + months * i) // 12, (first + months * i) % 12 + 1, 1) for i in range(count)
    ]


def _season(days: list[dt.date]) -> np.ndarray:
    """+1 in mid-January, -1 in mid-July."""
    ordinal = np.array([day.timetuple().tm_yday for day in days], dtype=float)
    return np.cos(2 * np.pi * (ordinal - 15) / 365.25)


def _levels(plan: Plan, days: list[dt.date]) -> tuple[np.ndarray, list[tuple[int, object]]]:
    """The true level of the process in each period (or day), and where changes happened."""
    size = len(days)
    level = np.full(size, float(plan.level))
    marks: list[tuple[int, object]] = []
    for effect in plan.story:
        if not isinstance(effect, Winter) and not 0 < effect.ago <= size:
            raise ValueError(f"{plan.code}: {effect} lies outside the {size} periods of data")
        if isinstance(effect, Step):
            start = size - effect.ago
            level[start:] = effect.to
            marks.append((start, effect))
        elif isinstance(effect, Trend):
            start = size - effect.ago
            level[start:] = np.linspace(level[start], effect.to, size - start)
    for effect in plan.story:
        if isinstance(effect, Winter):
            level *= 1 + effect.amplitude * _season(days)
    for effect in plan.story:
        if isinstance(effect, Spike):
            level[size - effect.ago] = effect.to
            marks.append((size - effect.ago, effect))
    return level, marks


def _series(
    plan: Plan, definition: MeasureDefinition | DefinitionRecord, seed: int, today: dt.date
):
    """Periods, values, denominators and marked changes of one measure, from its own stream of
    random numbers (so adding a measure never changes another's data)."""
    gen = np.random.default_rng([seed, zlib.crc32(plan.code.encode())])
    chart, multiply = definition.chart, definition.multiply
    if chart in EVENT_CHARTS:
        return _events(plan, gen, today)
    periods = periods_until(today, definition.frequency, SPAN[definition.frequency])
    level, marks = _levels(plan, periods)
    size = len(periods)
    denominators: list[float | None] = [None] * size
    if chart in PROPORTIONS:
        share = np.clip(level / multiply, 0.001, 0.999)
        if plan.spread:  # extra variation between periods, as in large real-world samples
            logit = np.log(share / (1 - share)) + gen.normal(0, plan.spread, size)
            share = 1 / (1 + np.exp(-logit))
        n = np.maximum(gen.poisson(plan.size, size), 1)
        values = gen.binomial(n, share).astype(float)
        denominators = n.astype(float).tolist()
    elif chart in RATES:
        rate = level / multiply
        if plan.spread:
            rate = rate * gen.lognormal(0, plan.spread, size)
        exposure = np.round(plan.size * gen.normal(1, 0.04, size))
        values = gen.poisson(rate * exposure).astype(float)
        denominators = exposure.tolist()
    elif chart == "c" or (chart == "run" and not plan.spread):
        values = gen.poisson(level).astype(float)
    else:  # measured values (i, run): gamma, so times and scores stay positive and skewed
        shape = (level / plan.spread) ** 2
        precision = PRECISION.get(plan.definition, Precision())
        values = np.round(gen.gamma(shape, level / shape), precision.decimals)
        if precision.ceiling is not None:
            values = np.minimum(values, precision.ceiling)
    return (
        periods,
        values.tolist(),
        denominators,
        [(periods[index], effect) for index, effect in marks],
    )


def _events(plan: Plan, gen: np.random.Generator, today: dt.date):
    """One point per event for g and t charts: the days since the previous event, dated on
    the day it happened. The story's `ago` counts days."""
    days = [today - dt.timedelta(days=EVENT_SPAN_DAYS - i) for i in range(EVENT_SPAN_DAYS)]
    level, marks = _levels(plan, days)
    happened = gen.random(len(days)) < 1 / np.maximum(level, 1.0)
    dates = [day for day, event in zip(days, happened, strict=True) if event]
    previous = days[0] - dt.timedelta(days=1)
    values = []
    for day in dates:
        values.append(float((day - previous).days))
        previous = day
    return dates, values, [None] * len(dates), [(days[index], effect) for index, effect in marks]


def summary_line(counts: dict[str, int]) -> str:
    """One line for the command's output."""
    return (
        f"Quality control: {counts['standards']} standards, {counts['measures']} measures, "
        f"{counts['observations']:,} observations; {counts['open_signals']} open signals and "
        f"{counts['escalations']} escalations ({counts['signals']} signals raised in this run)."
    )
