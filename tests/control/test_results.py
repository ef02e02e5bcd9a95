"""SPC results are stored per measure; signals are raised once per continuing run."""

import datetime as dt

from helpers import record

from qms.control.models import MeasureResult, Signal, SignalKind
from qms.notifications.models import Notification

STABLE = [6, 5, 7, 6, 5, 6, 7, 5, 6, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 6]


def test_it_stores_the_results_after_data_is_recorded(measure):
    record(measure, STABLE)
    result = MeasureResult.objects.get(measure=measure)
    assert len(result.points) == 20
    assert result.points[0]["period"] == "2024-01-01"
    assert result.last_value == 6.0  # 6 falls / 1000 bed days x 1000
    assert result.variation_icon == "common_cause"
    assert result.assurance_icon in {"hit_or_miss", "fail", "pass"}
    assert not Signal.objects.exists()


def test_it_raises_one_signal_for_a_continuing_run_of_concern(measure, lead):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))  # far above the upper limit
    signals = Signal.objects.filter(kind=SignalKind.CONCERN)
    assert signals.count() == 1
    signal = signals.get()
    assert "above the upper control limit" in signal.explanation
    assert Notification.objects.filter(person=lead, signal=signal).count() == 1

    record(measure, [24], start=dt.date(2025, 10, 1))  # the run continues
    assert Signal.objects.filter(kind=SignalKind.CONCERN).count() == 1
    signal.refresh_from_db()
    assert signal.last_period == dt.date(2025, 10, 1)
    assert Notification.objects.filter(person=lead).count() == 1


def test_it_raises_a_new_signal_after_the_run_has_ended(measure):
    record(measure, STABLE)
    record(measure, [25], start=dt.date(2025, 9, 1))
    record(measure, [6], start=dt.date(2025, 10, 1))  # back to normal
    record(measure, [26], start=dt.date(2025, 11, 1))  # a new excursion
    assert Signal.objects.filter(kind=SignalKind.CONCERN).count() == 2


def test_it_refuses_a_definition_that_the_recorded_data_does_not_suit(measure, lead, client):
    record(measure, STABLE, denominator=4)  # 5-7 falls on 4 bed days: fine for a rate
    client.force_login(lead)
    response = client.post(
        f"/control/measures/{measure.pk}/edit/",
        {
            "name": measure.name, "code": measure.code, "kind": "outcome", "domain": "safe",
            "operational_definition": "Now a proportion", "frequency": "month", "chart": "p",
            "direction": "decrease", "multiply": "100", "rules": "mdc", "shift_length": "7",
            "trend_length": "7", "reason": "Counting patients who fell instead",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "Jan 2024: the numerator is larger than the denominator" in response.content.decode()
    measure.refresh_from_db()
    assert measure.chart == "u"


def test_one_measure_with_unsuitable_data_does_not_stop_the_others(org, lead, measure):
    from qms.control import services
    from qms.control.models import Observation

    other = services.measure_create(
        by=lead, unit=org["ward"], name="Pressure ulcers", code="w7-ulcers", kind="outcome",
        domain="safe", operational_definition="New ulcers.", frequency="month", chart="u",
        multiply=1000, direction="decrease",
    )  # fmt: skip
    record(measure, STABLE)
    record(other, STABLE)
    # A negative count written behind the services' back (an admin fix gone wrong).
    Observation.objects.filter(measure=other).update(value=-1)
    services.results_refresh([measure.pk, other.pk])
    assert MeasureResult.objects.get(measure=measure).points


def test_a_rising_trend_below_the_centre_line_gets_the_engines_high_icon(org, lead):
    from qms.control import services

    measure = services.measure_create(
        by=lead, unit=org["ward"], name="Audit score", code="w7-audit", kind="process",
        domain="safe", operational_definition="Monthly audit score.", frequency="month",
        chart="i", direction="increase",
    )  # fmt: skip
    # Wide common-cause swings, then seven rising points that stay below the centre line.
    record(measure, [60, 40, 62, 38, 61, 39, 60, 40, 59, 41, 30, 31, 32, 33, 34, 35, 36])
    result = MeasureResult.objects.get(measure=measure)
    assert result.points[-1]["trend"] and result.points[-1]["y"] < result.points[-1]["cl"]
    assert result.variation_icon == "improvement_high"
