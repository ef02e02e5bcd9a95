"""The finder: sustained improvement on a unit's own chart (held for a baseline's worth of
points), idempotence, dismissed findings not raised again, quality leads told."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from learning.bright_spots_support import short, sustained, worse
from qms.learning.models import BrightSpot, BrightSpotKind, BrightSpotStatus
from qms.learning.services import bright_spots as services
from qms.notifications.models import Notification


def test_it_finds_an_improvement_held_for_a_baseline_of_points(org, quality_lead):
    measure = sustained(org["ward"])
    result = services.bright_spots_find()
    assert [spot.measure for spot in result.raised] == [measure]
    spot = result.raised[0]
    assert spot.kind == BrightSpotKind.SUSTAINED
    assert spot.status == BrightSpotStatus.CANDIDATE
    assert spot.unit == org["ward"]
    assert spot.finding["points"] >= 12
    assert spot.finding["since"] == "2024-01-01"
    assert spot.period_end.isoformat() == "2024-12-01"


def test_it_does_not_find_a_short_improvement_or_one_the_wrong_way(org, quality_lead):
    short(org["ward"])
    worse(org["other_ward"])
    assert services.bright_spots_find().raised == []
    assert not BrightSpot.objects.exists()


def test_it_finds_an_improvement_upwards_when_higher_is_better(org, quality_lead):
    from learning.bright_spots_support import BASELINE, HIGH, falls

    measure = falls(org["ward"], "visits", BASELINE + HIGH, direction="increase")
    assert [spot.measure for spot in services.bright_spots_find().raised] == [measure]


def test_it_raises_one_candidate_however_often_it_runs(org, quality_lead):
    sustained(org["ward"])
    first = services.bright_spots_find()
    second = services.bright_spots_find()
    assert len(first.raised) == 1 and second.raised == []
    assert BrightSpot.objects.count() == 1


def test_it_tells_the_quality_leads_of_the_unit_and_above_once(org, quality_lead, lead, admin):
    sustained(org["ward"])
    services.bright_spots_find()
    services.bright_spots_find()
    told = Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(BrightSpot),
        object_id=BrightSpot.objects.get().pk,
    )
    # The division's quality lead and the board's administrator; the ward's team lead does not
    # decide bright spots.
    assert sorted(n.person.username for n in told) == ["admin", "quality"]


def test_it_does_not_raise_a_dismissed_finding_again(org, quality_lead):
    sustained(org["ward"])
    spot = services.bright_spots_find().raised[0]
    services.bright_spot_dismiss(by=quality_lead, bright_spot=spot, reason="A coding change.")
    again = services.bright_spots_find()
    assert again.raised == [] and again.already_decided == 1
    assert BrightSpot.objects.count() == 1


def test_it_raises_a_new_run_after_a_dismissed_one(org, quality_lead):
    from helpers import months, record

    from learning.bright_spots_support import BASELINE, LOW, START, falls

    measure = falls(org["ward"], "falls-twice", BASELINE + LOW)
    spot = services.bright_spots_find().raised[0]
    services.bright_spot_dismiss(by=quality_lead, bright_spot=spot, reason="Too early to say.")
    # The improvement ended (back to the baseline) and a new run began.
    later = months(START, 24 + 12)[24]
    record(measure, BASELINE + LOW, start=later)
    again = services.bright_spots_find()
    assert [s.measure for s in again.raised] == [measure]
    assert again.raised[0].finding["since"] > spot.finding["since"]


def test_it_brings_an_open_candidate_up_to_date(org, quality_lead):
    from helpers import months, record

    from learning.bright_spots_support import START

    measure = sustained(org["ward"])
    spot = services.bright_spots_find().raised[0]
    record(measure, [4, 3], start=months(START, 25)[24])
    result = services.bright_spots_find()
    spot.refresh_from_db()
    assert result.refreshed == 1 and result.raised == []
    assert spot.period_end.isoformat() == "2025-02-01"


def test_it_looks_only_in_the_units_of_a_quality_lead_asking(org, quality_lead):
    sustained(org["ward"])
    sustained(org["elsewhere"], "falls-elsewhere")
    found = services.bright_spots_find(by=quality_lead).raised
    assert [spot.unit for spot in found] == [org["ward"]]


def test_it_refuses_someone_who_decides_no_bright_spots(org, lead):
    with pytest.raises(PermissionDenied):
        services.bright_spots_find(by=lead)


def test_it_runs_from_the_command(org, quality_lead, capsys):
    sustained(org["ward"])
    call_command("find-bright-spots")
    assert "1 new candidate" in capsys.readouterr().out
    assert BrightSpot.objects.filter(status=BrightSpotStatus.CANDIDATE).count() == 1


def _funnel_finding(period_end):
    return services._Finding(measure=None, kind="funnel", period_end=period_end, data={})


def test_it_raises_a_dismissed_funnel_finding_again_only_after_a_whole_new_window():
    import datetime as dt

    decided = BrightSpot(kind="funnel", period_end=dt.date(2025, 12, 31))
    assert services.same_finding(decided, _funnel_finding(dt.date(2026, 11, 30)))
    assert not services.same_finding(decided, _funnel_finding(dt.date(2026, 12, 31)))


def test_it_raises_a_dismissed_sustained_finding_again_only_for_a_new_run():
    decided = BrightSpot(kind="sustained", finding={"since": "2024-01-01"})
    same = services._Finding(None, "sustained", None, {"since": "2024-01-01"})
    later = services._Finding(None, "sustained", None, {"since": "2025-06-01"})
    assert services.same_finding(decided, same)
    assert not services.same_finding(decided, later)
