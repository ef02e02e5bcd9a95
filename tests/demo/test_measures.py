"""The demo's measures: about 150 realistic measures with 2-3 years of data whose SPC results
show every kind of variation and assurance, built the same way every time and never twice."""

import datetime as dt
import random
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min
from django.test import override_settings

from qms.comments.models import Attachment, Comment
from qms.control.models import (
    Annotation,
    Measure,
    MeasureResult,
    Observation,
    Phase,
    Signal,
    SignalStatus,
    Standard,
)
from qms.control.selectors import open_signals
from qms.demo import measures, organisation
from qms.escalation.models import Escalation
from qms.issues.models import Issue
from qms.notifications.models import Notification
from qms.people.models import Membership
from qms.people.roles import Role
from qms.stats import CHARTS

# The module's demo fixture needs the test database even when run alone (no test of the
# file asks for `db` itself, and pytest-django sets up only the databases tests ask for).
pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


LATEST = {"day": 1, "week": 17, "month": 61, "quarter": 153}  # days before TODAY, at most


def build_demo(seed=2026):
    """What `qms demo-data` does: the organisation, then its measures, from one generator."""
    rng = random.Random(seed)
    organisation.build(rng)
    return measures.build(rng, today=TODAY)


def data_of_every_measure():
    return sorted(
        Observation.objects.values_list("measure__code", "period", "value", "denominator")
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One build shared by the module (it takes a few seconds); each test runs in a savepoint
    inside this transaction, which is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        counts = build_demo()
        yield counts
        transaction.set_rollback(True)


def test_it_builds_about_150_measures_of_every_kind_and_domain(demo, db):
    assert 130 <= Measure.objects.count() <= 170
    assert demo["measures"] == Measure.objects.count()
    assert set(Measure.objects.values_list("kind", flat=True)) == {
        "outcome", "process", "balancing", "structure"
    }  # fmt: skip
    assert set(Measure.objects.values_list("domain", flat=True)) == {
        "safe", "effective", "person_centred", "timely", "efficient", "equitable"
    }  # fmt: skip
    # Every chart that fits one value per period; xbar and s need several values per period
    # and the mr chart is drawn beside an i chart, not chosen on its own.
    charts = Counter(Measure.objects.values_list("chart", flat=True))
    assert set(charts) == set(CHARTS) - {"xbar", "s", "mr"}
    frequencies = Counter(Measure.objects.values_list("frequency", flat=True))
    assert frequencies["week"] + frequencies["month"] > 0.8 * Measure.objects.count()
    assert frequencies["day"] and frequencies["quarter"]


def test_every_measure_is_defined_owned_and_mostly_targeted(demo, db):
    all_measures = list(Measure.objects.select_related("unit", "owner", "standard"))
    for measure in all_measures:
        assert measure.operational_definition and measure.data_source, measure.code
        assert measure.owner is not None, measure.code
        if measure.needs_denominator:
            assert measure.numerator_definition and measure.denominator_definition, measure.code
        if measure.chart in {"p", "pp"}:
            assert (measure.multiply, measure.unit_label) == (100.0, "%"), measure.code
        if measure.target is not None:
            assert measure.target_source, measure.code
    with_target = sum(measure.target is not None for measure in all_measures)
    assert with_target > 0.6 * len(all_measures)
    assert sum(measure.standard is not None for measure in all_measures) > 40
    # Measures belong to units of the right kind and are owned by the unit's team lead.
    ward_7 = {m.code: m for m in all_measures if m.unit.code == "ward-7"}
    assert ward_7["ward-7-falls-rate"].owner.username == "lead"
    assert "ed-ed-4h" in {m.code for m in all_measures if m.unit.code == "ed"}
    team_leads = set(
        Membership.objects.filter(role=Role.TEAM_LEAD).values_list("unit_id", "person_id")
    )
    for measure in all_measures:
        if measure.unit.kind in {"ward", "team"}:
            assert (measure.unit_id, measure.owner_id) in team_leads, measure.code


def test_it_has_a_standards_library_national_and_local(demo, db):
    assert 10 <= Standard.objects.count() <= 20
    scopes = Counter(Standard.objects.values_list("scope", flat=True))
    assert scopes["national"] >= 8 and scopes["local"] >= 2
    assert not Standard.objects.filter(scope="local", unit__isnull=True).exists()
    assert not Standard.objects.filter(scope="national", unit__isnull=False).exists()
    assert all(Standard.objects.values_list("source", flat=True))
    assert Standard.objects.filter(measures__isnull=True).count() == 0  # every one is used


def test_data_spans_two_to_three_years_up_to_now(demo, db):
    for measure in Measure.objects.annotate(first=Min("observations__period")).annotate(
        last=Max("observations__period")
    ):
        if measure.chart in {"g", "t"}:
            continue  # one point per event, where the events happen to fall
        # Up to the last complete period before today, from two to three years before.
        assert (TODAY - measure.last).days <= LATEST[measure.frequency], measure.code
        assert 2 * 365 - 62 <= (measure.last - measure.first).days <= 3 * 365, measure.code
    assert (
        Observation.objects.aggregate(span=Max("period"))["span"]
        - Observation.objects.aggregate(span=Min("period"))["span"]
    ) >= dt.timedelta(days=2 * 365)
    assert Observation.objects.count() == demo["observations"] > 10_000


def test_p_and_u_charts_have_realistic_denominators(demo, db):
    for measure in Measure.objects.filter(chart__in=["p", "pp", "u", "up"]):
        values = list(measure.observations.values_list("value", "denominator"))
        assert all(denominator and denominator > 0 for _, denominator in values), measure.code
        if measure.chart in {"p", "pp"}:
            assert all(value <= denominator for value, denominator in values), measure.code


def test_the_results_show_every_variation_and_assurance(demo, db):
    results = MeasureResult.objects.all()
    assert results.count() == Measure.objects.count()
    variation = Counter(result.variation_icon.split("_")[0] for result in results)
    assert variation["common"] > 0.5 * results.count()  # most processes are stable
    assert variation["improvement"] >= 5
    assert variation["concern"] >= 5
    assert variation["neutral"] >= 1
    assurance = Counter(results.values_list("assurance_icon", flat=True))
    assert assurance["pass"] >= 3 and assurance["fail"] >= 5 and assurance["hit_or_miss"] >= 20


def test_it_raises_open_signals_and_tells_the_owners(demo, db):
    assert Signal.objects.count() == demo["signals"]
    signals = Signal.objects.filter(status=SignalStatus.OPEN)
    # The count printed is the one the report and the huddle boards show: not yet closed.
    assert demo["open_signals"] == open_signals().count() >= signals.count() >= 10
    assert demo["open_signals"] == Signal.objects.exclude(status=SignalStatus.CLOSED).count()
    kinds = Counter(signals.values_list("kind", flat=True))
    assert kinds["special_cause_concern"] >= 5 and kinds["assurance_fail"] >= 5
    # The demo lead's ward has a deterioration waiting for the team.
    news2 = signals.get(measure__code="ward-7-news2-escalation")
    # Against the limits held from its baseline, the fall shows as special cause concern.
    assert news2.explanation.endswith("special cause concern")
    assert Notification.objects.filter(signal=news2, person__username="lead").exists()
    # Every measure whose last point is special cause concern has its signal.
    for result in MeasureResult.objects.filter(variation_icon__startswith="concern"):
        assert Signal.objects.filter(measure=result.measure, kind="special_cause_concern").exists()


def test_some_signals_are_already_handled_and_escalated(demo, db):
    statuses = Counter(Signal.objects.values_list("status", flat=True))
    assert statuses["acknowledged"] >= 2 and statuses["escalated"] >= 2
    assert Escalation.objects.count() == demo["escalations"] >= 3
    assert set(Escalation.objects.values_list("status", flat=True)) >= {
        "open", "escalated", "returned"
    }  # fmt: skip
    # The Emergency Department's four-hour signal went up two levels and waits there.
    chain = Escalation.objects.filter(signal__measure__code="ed-ed-4h").order_by("pk")
    assert [(e.from_unit.code, e.to_unit.code, e.status) for e in chain] == [
        ("ed", "emergency", "escalated"),
        ("emergency", "acute", "open"),
    ]
    assert Notification.objects.filter(
        signal=chain[0].subject, person__username="quality"
    ).exists()  # the division's quality lead is told
    issue = Issue.objects.get(signals__measure__code="dn-north-missed-visits")
    assert issue.unit.code == "dn-north"


def test_changes_have_phases_with_reasons_and_annotations(demo, db):
    phases = Phase.objects.select_related("measure")
    assert phases.count() >= 8
    falls = phases.get(measure__code="ward-7-falls-rate")
    assert falls.reason.startswith("Falls bundle introduced")
    result = MeasureResult.objects.get(measure=falls.measure)
    assert {point["phase"] for point in result.points} == {1, 2}
    first, second = ([p["cl"] for p in result.points if p["phase"] == phase][0] for phase in (1, 2))
    assert second < first  # fewer falls since the bundle
    assert Annotation.objects.filter(measure__code="ward-7-news2-escalation").exists()


def test_it_starts_a_few_discussions(demo, db):
    falls = Measure.objects.get(code="ward-7-falls-rate")
    discussion = Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Measure), object_id=falls.pk
    )
    assert [c.author.username for c in discussion] == ["member", "lead"]
    (sheet,) = Attachment.objects.filter(object_id=falls.pk)
    assert (sheet.original_name, sheet.media_type) == ("Night rounding sheet.csv", "text/csv")
    escalated = Signal.objects.get(measure__code="ward-9-rn-fill", status="escalated")
    assert Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Signal), object_id=escalated.pk
    ).exists()


def test_it_adds_and_changes_nothing_when_run_again(demo, db):
    def state():
        return (
            Standard.objects.count(),
            Measure.objects.count(),
            Observation.objects.count(),
            Phase.objects.count(),
            Annotation.objects.count(),
            Signal.objects.count(),
            Notification.objects.count(),
            Measure.history.count(),
            Observation.history.count(),
            Standard.history.count(),
            Phase.history.count(),
            Signal.history.count(),
            Escalation.objects.count(),
            Comment.objects.count(),
            list(MeasureResult.objects.order_by("pk").values_list("computed_at", flat=True)),
        )

    before = state()
    counts = build_demo()
    assert state() == before
    assert counts["observations_added"] == counts["signals"] == counts["phases_added"] == 0


def test_it_is_deterministic_for_a_seed(demo, db):
    codes = sorted(Measure.objects.values_list("code", flat=True))
    data = data_of_every_measure()
    with override_settings(SIMPLE_HISTORY_ENABLED=False):  # a clean slate, quickly
        Measure.objects.all().delete()
        Standard.objects.all().delete()
    build_demo()
    assert sorted(Measure.objects.values_list("code", flat=True)) == codes
    assert data_of_every_measure() == data


def test_another_seed_gives_other_values_for_the_same_stories():
    plan = next(plan for plan in measures.PLANS if plan.code == "ward-7-falls-rate")
    definition = measures.DEFINITIONS[plan.definition]
    first = measures._series(plan, definition, 1, TODAY)
    again = measures._series(plan, definition, 1, TODAY)
    other = measures._series(plan, definition, 2, TODAY)
    assert first == again
    assert first[0] == other[0] and first[1] != other[1]  # same periods, other values


def test_every_plan_fits_its_definition_and_span():
    codes = [plan.code for plan in measures.PLANS]
    assert len(codes) == len(set(codes))
    unit_codes = {code for code, *_ in organisation.UNITS}
    standard_codes = {spec.code for spec in measures.STANDARDS}
    for plan in measures.PLANS:
        definition = measures.DEFINITIONS[plan.definition]
        assert plan.unit in unit_codes
        assert definition.standard is None or definition.standard in standard_codes
        if definition.chart in {"p", "pp", "u", "up"}:
            assert plan.size > 0, plan.code
        if definition.chart in {"i"}:
            assert plan.spread > 0, plan.code
        measures._series(plan, definition, 0, TODAY)  # every story fits the span of data


def test_periods_end_with_the_last_complete_period():
    assert measures.periods_until(TODAY, "month", 2) == [dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert measures.periods_until(TODAY, "week", 1) == [dt.date(2026, 11, 16)]
    assert measures.periods_until(TODAY, "quarter", 2) == [dt.date(2026, 4, 1), dt.date(2026, 7, 1)]
    assert measures.periods_until(TODAY, "day", 1) == [dt.date(2026, 11, 25)]
    assert measures.periods_until(dt.date(2026, 1, 5), "month", 13)[0] == dt.date(2024, 12, 1)


# Every free text of the demo passes the screening for patient identifiers and control
# characters (qms.web.screening), as anything typed, uploaded or posted must.
SCREENED_TEXT = {
    Measure: ["name", "operational_definition", "numerator_definition", "denominator_definition",
              "data_source", "target_source", "unit_label"],
    Standard: ["title", "statement", "source"],
    Observation: ["note"],
    Phase: ["reason"],
    Annotation: ["text"],
    Signal: ["note"],
    Issue: ["title", "description"],
    Escalation: ["reason", "response"],
}  # fmt: skip


def test_its_free_text_passes_the_screening_for_patient_identifiers(demo, db):
    from qms.web.screening import problems_without_prompt

    checked, found = 0, []
    for model, fields in SCREENED_TEXT.items():
        for row in model.objects.values_list("pk", *fields):
            for name, text in zip(fields, row[1:], strict=True):
                checked += bool(text)
                for problem in problems_without_prompt(text, label=f"{model.__name__}.{name}"):
                    found.append((row[0], problem))
    assert checked > 500  # the demo has text to screen: names, definitions, notes, reasons
    assert found == []
