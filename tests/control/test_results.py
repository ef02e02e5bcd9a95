"""SPC results are stored per measure; signals are raised once per continuing run."""

import datetime as dt

from helpers import record

from qms.control.models import MeasureResult, Notification, Signal, SignalKind

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
