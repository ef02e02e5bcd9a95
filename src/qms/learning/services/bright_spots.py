"""Writes of bright spots: finding candidates in the stored results (nightly, on demand),
accepting or dismissing them, recording one a quality lead saw on the compare page, the
appreciative inquiry, and the one step onwards (a draft change package, a learning network).

Who may: the quality leads of the unit or above (`roles.BRIGHT_SPOT_DECIDERS`) decide and take
a bright spot onwards; the unit's leads, coaches and analysts (`roles.BRIGHT_SPOT_WRITERS`)
write its appreciative inquiry. `by=None` is the system (the nightly command, the demo)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.control import selectors as control_selectors
from qms.improvement import services as improvement_services
from qms.learning import roles
from qms.learning.models import (
    BrightSpot,
    BrightSpotKind,
    BrightSpotStatus,
    Generalisability,
    Network,
)
from qms.learning.services import networks as network_services
from qms.notifications.models import NotificationKind
from qms.notifications.services import notifications_mark_read_about, notify
from qms.people import access
from qms.people.history import record_by
from qms.people.models import Membership

__all__ = [
    "FUNNEL_WINDOW_MONTHS",
    "FindResult",
    "bright_spot_accept",
    "bright_spot_dismiss",
    "bright_spot_inquiry_update",
    "bright_spot_network_start",
    "bright_spot_package_create",
    "bright_spot_record",
    "bright_spots_find",
    "sustained_finding",
]

# The funnel compares each unit's last 12 months (a year smooths seasonal variation, and is
# the window NHS comparisons such as SHMI use).
FUNNEL_WINDOW_MONTHS = 12
REASON_MAX = 2000
INQUIRY_MAX = 5000


@dataclass
class FindResult:
    """What a run of the finder did: the findings in the data, the candidates raised, open ones
    brought up to date, and findings left alone because a person already decided them."""

    findings: int = 0
    raised: list[BrightSpot] = field(default_factory=list)
    refreshed: int = 0
    already_decided: int = 0


@dataclass(frozen=True)
class _Finding:
    measure: object  # control's Measure, with its unit
    kind: str
    period_end: dt.date
    data: dict


# Findings ---------------------------------------------------------------------------------------


def sustained_finding(item) -> _Finding:
    """A candidate's finding from control's SustainedImprovement: where the improvement held
    from, for how many points, the centre lines, in words."""
    found, measure = item.finding, item.measure
    label = control_selectors.period_label
    return _Finding(
        measure=measure,
        kind=BrightSpotKind.SUSTAINED,
        period_end=found.latest_period,
        data={
            "since": found.held_since.isoformat(),
            "first_period": found.first_period.isoformat() if found.first_period else None,
            "latest_period": found.latest_period.isoformat(),
            "since_label": label(found.held_since, measure.frequency),
            "latest_label": label(found.latest_period, measure.frequency),
            "points": found.held_points,
            "baseline_points": measure.baseline_points,
            "new_phase": item.new_phase,
            # A new phase: the centre lines before and since; a run: the held centre line
            # the run lies beyond, and the one new limits would have (suggested, if any).
            "centre_before": found.centre_before if item.new_phase else item.held_centre,
            "centre_after": found.centre_after,
            "direction": measure.direction,
            "explanation": found.explanation,
        },
    )


def _sustained_findings(paths: list[str] | None) -> list[_Finding]:
    found = control_selectors.sustained_improvements(unit_paths=paths)
    return [sustained_finding(item) for item in found]


def _funnel_findings(paths: list[str] | None, today: dt.date) -> list[_Finding]:
    from qms.learning.services import _bright_spots_funnel

    return _bright_spots_funnel.findings(paths, today, window_months=FUNNEL_WINDOW_MONTHS)


# Idempotence ------------------------------------------------------------------------------------


def same_finding(decided: BrightSpot, finding: _Finding) -> bool:
    """Whether a decided bright spot (accepted or dismissed) already answers this finding, so
    it is not raised again. A sustained improvement is the same while its run (or new phase)
    starts at the same period: it returns only when a new run begins. A funnel finding is the
    same while its window overlaps the decided one's: it returns once a whole new window of
    data (12 months after the decided one's end) still shows the unit better than its peers."""
    if decided.kind == BrightSpotKind.SUSTAINED:
        return decided.finding.get("since") == finding.data.get("since")
    months = (finding.period_end.year - decided.period_end.year) * 12 + (
        finding.period_end.month - decided.period_end.month
    )
    return months < FUNNEL_WINDOW_MONTHS


def _existing(findings: list[_Finding]) -> tuple[dict, dict]:
    """Open candidates by (measure, kind), and the latest decided bright spot by (measure,
    kind), for the measures of `findings`: one query."""
    ids = {f.measure.pk for f in findings}
    open_, decided = {}, {}
    for spot in BrightSpot.objects.filter(measure_id__in=ids).order_by("period_end", "pk"):
        key = (spot.measure_id, spot.kind)
        if spot.status == BrightSpotStatus.CANDIDATE:
            open_[key] = spot
        else:
            decided[key] = spot
    return open_, decided


def _deciders_above(paths: set[str]) -> dict[str, set]:
    """The active quality leads (and administrators) of each unit path or a unit above it:
    one query."""
    memberships = list(
        Membership.objects.filter(
            role__in=roles.BRIGHT_SPOT_DECIDERS, person__is_active=True
        ).select_related("person", "unit")
    )
    return {path: {m.person for m in memberships if path.startswith(m.unit.path)} for path in paths}


def _raise(finding: _Finding) -> BrightSpot | None:
    spot = BrightSpot(
        unit=finding.measure.unit,
        measure=finding.measure,
        kind=finding.kind,
        finding=finding.data,
        period_end=finding.period_end,
    )
    record_by(spot, None, "Found in the data")
    try:
        with transaction.atomic():  # another run raised it first: the constraint says so
            spot.save()
    except IntegrityError:
        return None
    return spot


def _refresh(spot: BrightSpot, finding: _Finding) -> bool:
    if finding.period_end <= spot.period_end:
        return False
    spot.finding, spot.period_end = finding.data, finding.period_end
    record_by(spot, None, "Found again in newer data")
    spot.save(update_fields=["finding", "period_end"])
    return True


def _tell(raised: list[BrightSpot]) -> None:
    deciders = _deciders_above({spot.unit.path for spot in raised})
    for spot in raised:
        notify(
            deciders[spot.unit.path],
            kind=NotificationKind.IMPROVEMENT,
            text=f"A possible bright spot in {spot.unit.name}: {spot.measure.name} "
            f"({spot.get_kind_display().lower()})",
            subject=spot,
        )


def _scope(by) -> list[str] | None:
    """The unit paths a run looks in: everywhere for the system, the units where `by` decides
    bright spots otherwise."""
    if by is None:
        return None
    paths = access.unit_paths_with_role(by, roles.BRIGHT_SPOT_DECIDERS)
    if paths is not None and not paths:
        raise PermissionDenied("Only quality leads look for bright spots.")
    return paths


def bright_spots_find(*, by=None, today: dt.date | None = None) -> FindResult:
    """Look for bright spots in the stored results, in one pass: units better than their peers
    on a funnel plot of a library definition several units measure (beyond the 99.8% limits,
    in the measure's direction of improvement), and sustained improvement on a unit's own
    chart (held for a baseline's worth of points). Each new finding becomes a candidate (one
    open per measure and kind), an open candidate is brought up to date, a finding a person
    already decided is left alone (see `same_finding`); the quality leads of the unit and above
    hear of new candidates. `by`: a quality lead asking on demand (their units only), or None
    for the nightly run (everywhere)."""
    today = today or timezone.localdate()
    paths = _scope(by)
    findings = _funnel_findings(paths, today) + _sustained_findings(paths)
    result = FindResult(findings=len(findings))
    with transaction.atomic():
        open_, decided = _existing(findings)
        for finding in findings:
            key = (finding.measure.pk, finding.kind)
            if key in open_:
                result.refreshed += _refresh(open_[key], finding)
            elif key in decided and same_finding(decided[key], finding):
                result.already_decided += 1
            elif (spot := _raise(finding)) is not None:
                open_[key] = spot
                result.raised.append(spot)
        if result.raised:
            _tell(result.raised)
    return result


# Deciding ---------------------------------------------------------------------------------------


def _text(value, *, name: str, label: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({name: f"{label}: write it, please."})
    if len(text) > limit:
        raise ValidationError({name: f"{label}: at most {limit:,} characters."})
    return text


def _locked_candidate(spot: BrightSpot) -> BrightSpot:
    current = (
        BrightSpot.objects.select_for_update().select_related("unit", "measure").get(pk=spot.pk)
    )
    if current.status != BrightSpotStatus.CANDIDATE:
        raise ValidationError(
            f"This candidate was already {current.get_status_display().lower()}"
            + (f" by {current.decided_by}" if current.decided_by else "")
            + "."
        )
    return current


def _decide(by, spot: BrightSpot, status: str, reason: str, verb: str) -> BrightSpot:
    access.authorise(by, spot, roles.BRIGHT_SPOT_DECIDERS, f"{verb} bright spots")
    reason = _text(reason, name="reason", label="Reason", limit=REASON_MAX, required=True)
    current = _locked_candidate(spot)
    current.status, current.decision_reason = status, reason
    current.decided_by, current.decided_at = by, timezone.now()
    record_by(current, by, reason)
    current.save()
    notifications_mark_read_about(subject=current)
    return current


@transaction.atomic
def bright_spot_accept(*, by, bright_spot: BrightSpot, reason: str) -> BrightSpot:
    """Accept a candidate as a bright spot, with the reason (quality leads of the unit or
    above). Once only: a second decision, even at the same moment, is refused."""
    return _decide(by, bright_spot, BrightSpotStatus.ACCEPTED, reason, "accept")


@transaction.atomic
def bright_spot_dismiss(*, by, bright_spot: BrightSpot, reason: str) -> BrightSpot:
    """Dismiss a candidate, with the reason (quality leads of the unit or above). The same
    finding is not raised again (see `same_finding`)."""
    return _decide(by, bright_spot, BrightSpotStatus.DISMISSED, reason, "dismiss")


@transaction.atomic
def bright_spot_record(
    *, by, measure, kind: str, reason: str, today: dt.date | None = None
) -> BrightSpot:
    """Record a bright spot a quality lead saw (on the compare page, or on the unit's chart),
    checked against the stored data first: the measure's unit must be better than its peers
    on the funnel now, or its improvement must have held for a baseline's worth of points.
    Accepted at once (the person recording it is the one who decides); an open candidate for
    the same measure and kind is accepted instead, and a bright spot already accepted for the
    same finding is returned as it is."""
    if kind not in BrightSpotKind.values:
        raise ValidationError({"kind": "Choose a funnel plot or a sustained improvement."})
    access.authorise(by, measure.unit, roles.BRIGHT_SPOT_DECIDERS, "record bright spots")
    finding = current_finding(measure, kind, user=by, today=today)
    if finding is None:
        raise ValidationError(
            "The data do not show this now: "
            + (
                f"{measure.unit.name} is not better than its peers beyond the 99.8% limits."
                if kind == BrightSpotKind.FUNNEL
                else f"{measure.name} shows no improvement held for "
                f"{measure.baseline_points} points."
            )
        )
    open_, decided = _existing([finding])
    key = (measure.pk, kind)
    if key in open_:
        return _decide(by, open_[key], BrightSpotStatus.ACCEPTED, reason, "accept")
    known = decided.get(key)
    if (
        known is not None
        and known.status == BrightSpotStatus.ACCEPTED
        and same_finding(known, finding)
    ):
        return known
    reason = _text(reason, name="reason", label="Reason", limit=REASON_MAX, required=True)
    spot = BrightSpot(
        unit=measure.unit,
        measure=measure,
        kind=kind,
        finding=finding.data,
        period_end=finding.period_end,
        status=BrightSpotStatus.ACCEPTED,
        decided_by=by,
        decided_at=timezone.now(),
        decision_reason=reason,
    )
    record_by(spot, by, f"Recorded: {reason}")
    spot.save()
    return spot


def current_finding(
    measure, kind: str, *, user=None, today: dt.date | None = None
) -> _Finding | None:
    """What the stored data say of one measure now, for `kind`, or None when they do not show
    a bright spot. A funnel finding is the one `user` sees on the compare page (the units they
    may see), or the whole organisation's without a user."""
    from qms.learning.services import _bright_spots_funnel

    today = today or timezone.localdate()
    if kind == BrightSpotKind.SUSTAINED:
        found = control_selectors.sustained_improvements(measure_ids=[measure.pk])
        return sustained_finding(found[0]) if found else None
    if user is not None:
        return _bright_spots_funnel.seen_by(
            user, measure, today, window_months=FUNNEL_WINDOW_MONTHS
        )
    findings = _funnel_findings([measure.unit.path], today)
    return next((f for f in findings if f.measure.pk == measure.pk), None)


# The appreciative inquiry -----------------------------------------------------------------------


@transaction.atomic
def bright_spot_inquiry_update(
    *,
    by,
    bright_spot: BrightSpot,
    what_differently: str = "",
    what_works: str = "",
    context: str = "",
    generalisability: str = Generalisability.UNKNOWN,
    conditions: str = "",
) -> BrightSpot:
    """Write what the unit does differently, what makes it work there, its context and what is
    likely to generalise, under which conditions (the unit's leads, coaches and analysts, and
    the quality leads above). Only an accepted bright spot has an inquiry."""
    access.authorise(by, bright_spot, roles.BRIGHT_SPOT_WRITERS, "write about bright spots")
    spot = BrightSpot.objects.select_for_update().get(pk=bright_spot.pk)
    if spot.status != BrightSpotStatus.ACCEPTED:
        raise ValidationError("Only an accepted bright spot has an appreciative inquiry.")
    if generalisability not in Generalisability.values:
        raise ValidationError({"generalisability": "Choose one of the options."})
    labels = {
        "what_differently": "What the team does differently",
        "what_works": "What makes it work here",
        "context": "Context",
        "conditions": "Conditions",
    }
    values = {
        "what_differently": what_differently,
        "what_works": what_works,
        "context": context,
        "conditions": conditions,
    }
    for name, value in values.items():
        setattr(spot, name, _text(value, name=name, label=labels[name], limit=INQUIRY_MAX))
    spot.generalisability = generalisability
    record_by(spot, by, "Appreciative inquiry written")
    spot.save()
    return spot


# One step onwards -------------------------------------------------------------------------------


def _accepted_locked(by, spot: BrightSpot, action: str) -> BrightSpot:
    access.authorise(by, spot, roles.BRIGHT_SPOT_DECIDERS, action)
    # Only the bright spot's row is locked (PostgreSQL cannot lock the nullable side of a
    # join: its package and network are read after).
    current = (
        BrightSpot.objects.select_for_update(of=("self",))
        .select_related("unit", "measure")
        .get(pk=spot.pk)
    )
    if current.status != BrightSpotStatus.ACCEPTED:
        raise ValidationError("Accept the bright spot first.")
    return current


def _evidence_text(spot: BrightSpot) -> str:
    parts = [f"Found from the data: {spot.finding.get('explanation', '')}".strip()]
    if spot.context:
        parts.append(f"Context: {spot.context}")
    if spot.conditions:
        parts.append(
            f"Likely to generalise: {spot.get_generalisability_display().lower()}. "
            f"Conditions: {spot.conditions}"
        )
    return "\n\n".join(parts)


@transaction.atomic
def bright_spot_package_create(*, by, bright_spot: BrightSpot):
    """Turn an accepted bright spot into a draft change package, once: a spread project in
    the bright spot's unit (its aim from the bright spot, the measure as its outcome) and its
    draft package (what the unit does differently, how they do it, context, conditions and
    the evidence from the data). Those who decide bright spots there and may start projects
    there do it; a second call returns the same package."""
    spot = _accepted_locked(by, bright_spot, "turn bright spots into change packages")
    if spot.package is not None:
        return spot.package
    if not spot.what_differently:
        raise ValidationError(
            {"what_differently": "Write what the team does differently first: it is the "
             "package's summary."}
        )  # fmt: skip
    measure, unit = spot.measure, spot.unit
    project = improvement_services.project_create(
        by=by,
        unit=unit,
        title=f"Spreading {unit.name}'s {measure.name}"[:200],
        problem=f"{unit.name} does better on {measure.name} ({spot.get_kind_display().lower()}). "
        "Other teams could learn from what it does.",
        aim=f"Teams adopting what {unit.name} does reach its results on {measure.name}.",
        stage="spreading",
        source=spot,
        measures=[(measure, "outcome")],
    )
    package = improvement_services.package_create(
        by=by,
        project=project,
        title=f"What {unit.name} does: {measure.name}"[:200],
        summary=spot.what_differently,
        how_to=spot.what_works,
        evidence=_evidence_text(spot),
        measures=[measure],
    )
    spot.package = package
    record_by(spot, by, f"Turned into the change package “{package.title}”")
    spot.save(update_fields=["package"])
    return package


@transaction.atomic
def bright_spot_network_start(*, by, bright_spot: BrightSpot) -> Network:
    """Start a learning network on an accepted bright spot, once: hosted by its unit, the topic
    from the bright spot, its measure shared and its unit the first team. Those who decide
    bright spots there and may host networks there do it; a second call returns the same
    network."""
    spot = _accepted_locked(by, bright_spot, "start networks on bright spots")
    access.authorise(by, spot.unit, roles.NETWORK_HOSTS, "host learning networks")
    if spot.network is not None:
        return spot.network
    measure, unit = spot.measure, spot.unit
    topic = f"Learning from {unit.name} on {measure.name}: {spot.finding.get('explanation', '')}"
    if spot.what_differently:
        topic += f"\n\nWhat they do differently: {spot.what_differently}"
    # The networks part's services: the host unit becomes its first team.
    network = network_services.network_create(
        by=by, unit=unit, name=f"{measure.name}: learning from {unit.name}"[:200], topic=topic
    )
    network_services.network_measure_add(by=by, network=network, measure=measure)
    spot.network = network
    record_by(spot, by, f"Started the learning network “{network.name}”")
    spot.save(update_fields=["network"])
    return network
