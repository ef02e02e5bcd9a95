"""Held baselines, trial limits, suggested re-baselining, gaps and periods (issue 7, SPC)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from helpers import months, record

from qms.control import services
from qms.control.models import (
    BaselineSuggestion,
    MeasureResult,
    Phase,
    SuggestionStatus,
)
from qms.notifications.models import Notification

# 30 months of hand hygiene around 80 of 100 observations.
HYGIENE = [80, 82, 79, 81, 80, 78, 83, 80, 79, 81, 82, 80, 78, 81, 80, 79, 82, 80, 81, 79]
HYGIENE += [80, 81, 79, 82, 80, 78, 81, 80, 82, 79]


@pytest.fixture
def hygiene(org, lead):
    return services.measure_create(
        by=lead, unit=org["ward"], name="Hand hygiene", code="w7-hygiene", kind="process",
        domain="safe", operational_definition="Opportunities with hand hygiene done.",
        frequency="month", chart="p", multiply=100, unit_label="%", direction="increase",
        target=95, owner=lead,
    )  # fmt: skip


def record_counts(measure, counts, *, start=dt.date(2023, 1, 1), denominator=100.0):
    return record(measure, counts, start=start, denominator=denominator)


def points_of(measure):
    return MeasureResult.objects.get(measure=measure).points


def test_it_holds_the_limits_of_the_first_20_points(hygiene):
    record_counts(hygiene, HYGIENE)
    before = points_of(hygiene)
    record_counts(hygiene, [40, 40], start=dt.date(2025, 7, 1))  # two very low months
    after = points_of(hygiene)
    assert after[0]["cl"] == pytest.approx(before[0]["cl"])
    assert after[-1]["cl"] == pytest.approx(before[0]["cl"])
    # History keeps its classification: no month of the 30 turns into a signal.
    assert [p["point_type"] for p in after[:30]] == [p["point_type"] for p in before]
    assert {p["point_type"] for p in after[:30]} == {"common_cause"}
    assert after[-1]["point_type"] == "special_cause_concern"
    assert not any(p["trial"] for p in after)


def test_it_marks_limits_as_trial_until_the_baseline_is_complete(hygiene, client, lead, org):
    record_counts(hygiene, HYGIENE[:12])
    result = MeasureResult.objects.get(measure=hygiene)
    assert result.trial_limits is True
    assert all(p["trial"] for p in result.points)
    assert result.phases[-1]["baseline"] == 12 and result.phases[-1]["trial"] is True
    client.force_login(lead)
    page = client.get(f"/control/measures/{hygiene.pk}/").content.decode()
    assert "Trial limits." in page and "12 of the 20 points" in page
    assert 'class="badge trial">trial</span>' in page
    report = client.get(f"/control/units/{org['ward'].pk}/report/").content.decode()
    assert "trial limits" in report
    csv = client.get(f"/control/units/{org['ward'].pk}/report/?format=csv").content.decode()
    assert ",trial," in csv

    record_counts(hygiene, HYGIENE[12:], start=dt.date(2024, 1, 1))
    result.refresh_from_db()
    assert result.trial_limits is False
    assert not any(p["trial"] for p in result.points)


def test_it_takes_the_baseline_length_from_the_measure(hygiene, lead):
    services.measure_update(by=lead, measure=hygiene, baseline_points=12, reason="Quarterly")
    record_counts(hygiene, HYGIENE[:12])
    assert MeasureResult.objects.get(measure=hygiene).trial_limits is False


def test_it_asks_why_the_baseline_changes(hygiene, lead):
    with pytest.raises(ValidationError) as error:
        services.measure_update(by=lead, measure=hygiene, baseline_points=15)
    assert "reason" in error.value.message_dict
    services.measure_update(by=lead, measure=hygiene, baseline_points=15, reason="MDC uses 15")
    assert hygiene.history.first().history_change_reason == "MDC uses 15"


@pytest.mark.parametrize("points", [5, 101])
def test_it_refuses_a_baseline_out_of_range(hygiene, lead, points):
    with pytest.raises(ValidationError) as error:
        services.measure_update(by=lead, measure=hygiene, baseline_points=points, reason="x")
    assert "baseline_points" in error.value.message_dict


@pytest.mark.parametrize(("shift", "trend"), [(3, 3), (6, 5), (9, 6), (20, 20)])
def test_it_accepts_rule_lengths_from_3_to_20(hygiene, lead, shift, trend):
    services.measure_update(by=lead, measure=hygiene, shift_length=shift, trend_length=trend)
    record_counts(hygiene, HYGIENE[:8])
    assert MeasureResult.objects.get(measure=hygiene).points


@pytest.mark.parametrize("length", [2, 21])
def test_it_refuses_rule_lengths_outside_3_to_20(hygiene, lead, length):
    with pytest.raises(ValidationError) as error:
        services.measure_update(by=lead, measure=hygiene, shift_length=length)
    assert "shift_length" in error.value.message_dict


# Re-baselining --------------------------------------------------------------------------------


def shifted(hygiene):
    """20 baseline months, then 20 months of a successful change (about 90%)."""
    record_counts(hygiene, HYGIENE[:20] + [90, 91, 89, 92, 90, 88, 91, 90, 92, 89] * 2)
    return BaselineSuggestion.objects.get(measure=hygiene)


def test_it_suggests_new_limits_after_a_shift_has_held_for_a_baseline(hygiene, lead):
    suggestion = shifted(hygiene)
    assert suggestion.starts_on == months(dt.date(2023, 1, 1), 21)[-1]  # where the shift began
    assert (suggestion.points, suggestion.side) == (20, "above")
    assert suggestion.new_centre == pytest.approx(90.2, abs=0.01)
    assert "The last 20 points, from Sep 2024, all lie above" in suggestion.evidence
    assert Notification.objects.filter(person=lead, link__endswith="#baseline-suggestion").exists()
    # The next refresh does not suggest it again.
    record_counts(hygiene, [90], start=dt.date(2026, 5, 1))
    assert BaselineSuggestion.objects.filter(measure=hygiene).count() == 1


def test_it_does_not_suggest_new_limits_for_a_short_shift(hygiene):
    record_counts(hygiene, HYGIENE[:20] + [90, 91, 89, 92, 90, 88, 91, 90, 92])
    assert not BaselineSuggestion.objects.exists()


def test_a_lead_accepts_new_limits_from_the_shift(hygiene, lead, client):
    suggestion = shifted(hygiene)
    client.force_login(lead)
    page = client.get(f"/control/measures/{hygiene.pk}/").content.decode()
    assert 'id="baseline-suggestion"' in page and "Start new limits from Sep 2024" in page
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/control/baseline-suggestions/{suggestion.pk}/",
            {"decision": "accept", "reason": "New hand gel at every bed"},
        )
    assert response.status_code == 302
    phase = Phase.objects.get(measure=hygiene)
    assert (phase.starts_on, phase.reason) == (suggestion.starts_on, "New hand gel at every bed")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.ACCEPTED, lead)
    points = points_of(hygiene)
    assert points[-1]["phase"] == 2 and points[-1]["cl"] == pytest.approx(90.2, abs=0.01)
    assert (
        'id="baseline-suggestion"'
        not in client.get(f"/control/measures/{hygiene.pk}/").content.decode()
    )


def test_a_lead_dismisses_a_suggestion_and_it_is_not_made_again(hygiene, lead):
    suggestion = shifted(hygiene)
    services.baseline_suggestion_dismiss(by=lead, suggestion=suggestion, reason="Audit change")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    record_counts(hygiene, [91], start=dt.date(2026, 5, 1))
    assert BaselineSuggestion.objects.filter(measure=hygiene).count() == 1
    with pytest.raises(ValidationError):  # already decided
        services.baseline_suggestion_accept(by=lead, suggestion=suggestion, reason="Now yes")
    assert not Phase.objects.exists()


def test_accepting_needs_a_reason(hygiene, lead, client):
    suggestion = shifted(hygiene)
    client.force_login(lead)
    client.post(f"/control/baseline-suggestions/{suggestion.pk}/", {"decision": "accept"})
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN and not Phase.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("partner", 403), ("outsider", 404)])
def test_only_measure_editors_decide_on_suggestions(hygiene, as_user, client, who, status):
    suggestion = shifted(hygiene)
    as_user(who)
    response = client.post(
        f"/control/baseline-suggestions/{suggestion.pk}/", {"decision": "dismiss"}
    )
    assert response.status_code == status
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN


def test_the_service_refuses_someone_without_the_role(hygiene, member):
    suggestion = shifted(hygiene)
    with pytest.raises(PermissionDenied):
        services.baseline_suggestion_dismiss(by=member, suggestion=suggestion)


# Zero denominators ---------------------------------------------------------------------------


def test_a_zero_denominator_is_a_gap_and_the_refresh_goes_on(hygiene, measure, lead):
    record_counts(hygiene, HYGIENE[:12])
    row = services.ObservationInput(measure=hygiene, period=dt.date(2024, 1, 1), value=0.0,
                                    denominator=0.0)  # fmt: skip
    falls = services.ObservationInput(measure=measure, period=dt.date(2024, 1, 1), value=4.0,
                                      denominator=1000.0)  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.observations_save(by=lead, rows=[row, falls])
    gap = points_of(hygiene)[-1]
    assert gap["y"] is None and gap["ucl"] is None and gap["lcl"] is None
    assert MeasureResult.objects.get(measure=measure).points  # refreshed with it
    result = MeasureResult.objects.get(measure=hygiene)
    assert result.last_period == dt.date(2023, 12, 1)  # the latest value, not the gap
    assert result.failed_at is None


def test_a_rate_without_exposure_has_no_infinite_limit(measure):
    record(measure, [6, 5, 7, 0, 6], denominator=0.0)
    assert all(p["ucl"] is None for p in points_of(measure))
    record(measure, [6, 5, 7], start=dt.date(2024, 6, 1))
    assert points_of(measure)[-1]["ucl"] is not None


# Periods --------------------------------------------------------------------------------------


def test_it_refuses_a_period_that_has_not_begun(hygiene, lead, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 12, 1))
    for period, words in [
        (dt.date(2027, 3, 1), "Mar 2027 has not begun yet: the current period is Dec 2026"),
        (dt.date(9999, 12, 1), "Dec 9999 has not begun yet"),
        (dt.date(1989, 12, 1), "Dec 1989 is before 1990"),
    ]:
        row = services.ObservationInput(measure=hygiene, period=period, value=1, denominator=2)
        with pytest.raises(ValidationError) as error:
            services.observations_save(by=lead, rows=[row])
        assert words in " ".join(error.value.messages)
    current = services.ObservationInput(
        measure=hygiene, period=dt.date(2026, 12, 1), value=1, denominator=2
    )
    assert services.observations_save(by=lead, rows=[current]).created == 1


def test_the_form_names_a_future_period(hygiene, lead, client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 12, 1))
    client.force_login(lead)
    response = client.post(
        f"/control/measures/{hygiene.pk}/observations/",
        {"period": "2027-03", "value": "50", "denominator": "100"},
    )
    assert response.status_code == 400
    assert "Mar 2027 has not begun yet" in response.content.decode()
    assert not hygiene.observations.exists()


def test_new_limits_cannot_start_in_the_future(hygiene, lead):
    with pytest.raises(ValidationError) as error:
        services.phase_start(
            by=lead, measure=hygiene, starts_on=dt.date(2999, 1, 1), reason="Later"
        )
    assert "has not begun yet" in " ".join(error.value.messages)


def test_dismissing_from_the_page_keeps_only_what_was_written(hygiene, lead, client):
    suggestion = shifted(hygiene)
    client.force_login(lead)
    client.post(f"/control/baseline-suggestions/{suggestion.pk}/", {"decision": "dismiss"})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decision_note) == (SuggestionStatus.DISMISSED, "")


def test_a_reason_naming_a_patient_is_refused(hygiene, lead, client):
    suggestion = shifted(hygiene)
    client.force_login(lead)
    response = client.post(
        f"/control/baseline-suggestions/{suggestion.pk}/",
        {"decision": "accept", "reason": "Patient 943 476 5919 improved"},
    )
    assert response.status_code in (302, 400)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OPEN and not Phase.objects.exists()


def test_new_limits_started_by_hand_close_an_older_suggestion(hygiene, lead):
    suggestion = shifted(hygiene)
    services.phase_start(
        by=lead, measure=hygiene, starts_on=dt.date(2025, 6, 1), reason="New audit tool"
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DISMISSED
    assert suggestion.decision_note == "New limits started from Jun 2025"
    with pytest.raises(ValidationError):
        services.baseline_suggestion_accept(by=lead, suggestion=suggestion, reason="Too late")


def test_a_shift_that_began_inside_the_baseline_is_not_suggested(hygiene):
    record_counts(hygiene, HYGIENE[:10] + [90, 91, 89, 92, 90, 88, 91, 90, 92, 89] * 3)
    assert not BaselineSuggestion.objects.exists()


def test_the_edit_page_asks_why_the_baseline_changes(hygiene, lead, client):
    client.force_login(lead)
    fields = {
        "name": hygiene.name, "code": hygiene.code, "kind": "process", "domain": "safe",
        "operational_definition": "Opportunities with hand hygiene done.", "frequency": "month",
        "chart": "p", "direction": "increase", "multiply": "100", "unit_label": "%",
        "target": "95", "rules": "mdc", "shift_length": "7", "trend_length": "7",
        "baseline_points": "6",
    }  # fmt: skip
    response = client.post(f"/control/measures/{hygiene.pk}/edit/", fields)
    assert (
        response.status_code == 400 and "Say why the baseline changes." in response.content.decode()
    )
    hygiene.refresh_from_db()
    assert hygiene.baseline_points == 20
    fields["reason"] = "A short baseline while the ward reopens"
    assert client.post(f"/control/measures/{hygiene.pk}/edit/", fields).status_code == 302
    hygiene.refresh_from_db()
    assert hygiene.baseline_points == 6


@pytest.mark.parametrize(
    ("value", "denominator", "words"),
    [
        (1e308, 1e308, "beyond ±1,000,000,000,000"),
        (1, 1e-300, "the denominator must be 0 (no data) or between"),
    ],
)
def test_it_refuses_values_that_are_slips_not_data(hygiene, lead, value, denominator, words):
    row = services.ObservationInput(
        measure=hygiene, period=dt.date(2024, 1, 1), value=value, denominator=denominator
    )
    with pytest.raises(ValidationError) as error:
        services.observations_save(by=lead, rows=[row])
    assert words in " ".join(error.value.messages)


@pytest.mark.parametrize("multiply", [0, -100, 1e308])
def test_it_refuses_a_multiplier_that_cannot_be_analysed(hygiene, lead, multiply):
    with pytest.raises(ValidationError) as error:
        services.measure_update(by=lead, measure=hygiene, multiply=multiply)
    assert "multiply" in error.value.message_dict


def test_a_count_chart_takes_whole_numbers_only(measure, lead):
    services.measure_update(by=lead, measure=measure, chart="c", multiply=1)
    row = services.ObservationInput(measure=measure, period=dt.date(2024, 1, 1), value=1.5)
    with pytest.raises(ValidationError) as error:
        services.observations_save(by=lead, rows=[row])
    assert "a count must be a whole number, not 1.5" in " ".join(error.value.messages)


def test_the_suggested_centre_is_the_one_the_new_limits_get(hygiene, lead):
    # A shift of 25 months whose last 5 are higher still: the new phase's limits come from its
    # first 20 points, and the suggestion must quote that centre line, not the mean of all 25.
    record_counts(hygiene, HYGIENE[:20] + [90, 91, 89, 92, 90, 88, 91, 90, 92, 89] * 2 + [97] * 5)
    suggestion = BaselineSuggestion.objects.get(measure=hygiene)
    assert suggestion.points == 25
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.baseline_suggestion_accept(by=lead, suggestion=suggestion, reason="New gel")
    assert points_of(hygiene)[-1]["cl"] == pytest.approx(suggestion.new_centre)
