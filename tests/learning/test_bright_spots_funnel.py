"""Bright spots from funnel plots: a unit better than its peers beyond the 99.8% limits, in
the measure's direction of improvement, is a candidate; one worse is not; recording one seen on
the compare page is checked against the funnel that page shows."""

import datetime as dt

from learning.funnel_support import *  # noqa: F403
from learning.funnel_support import SHARE_FIELDS, measure_of
from qms.learning.models import BrightSpot, BrightSpotKind, BrightSpotStatus
from qms.learning.services import bright_spots as services


def _funnel_spots(result):
    return [spot for spot in result.raised if spot.kind == BrightSpotKind.FUNNEL]


def test_it_finds_the_unit_better_than_its_peers_and_not_the_worse_one(org, falls, quality_lead):
    found = _funnel_spots(services.bright_spots_find())
    # Falls per bed day, lower is better: Ward 7 (2 a month) is below the lower 99.8% limit,
    # Ward 8 (9 a month) above the upper one: worse, not a bright spot.
    assert [spot.measure for spot in found] == [falls["ward"]]
    finding = found[0].finding
    assert finding["comparison"] == "ratio"
    assert finding["units"] == 4
    assert finding["value"] < finding["lower998"] < 1 < finding["upper998"]
    assert finding["definition"] == "falls-rate"


def test_it_finds_a_proportion_better_upwards(org, share_definition, quality_lead):
    good = measure_of(share_definition, org["ward"], "w7-hh", 118, 120.0)
    for unit, code in (("other_ward", "w8-hh"), ("other_service", "s-hh"), ("elsewhere", "e-hh")):
        measure_of(share_definition, org[unit], code, 90, 120.0)
    found = _funnel_spots(services.bright_spots_find())
    assert [spot.measure for spot in found] == [good]
    assert found[0].finding["value"] > 95  # shown as the measure shows it: a percentage
    assert SHARE_FIELDS["unit_label"] == found[0].finding["unit_label"]


def test_it_raises_a_funnel_candidate_once(org, falls, quality_lead):
    assert len(_funnel_spots(services.bright_spots_find())) == 1
    assert _funnel_spots(services.bright_spots_find()) == []
    assert BrightSpot.objects.filter(kind=BrightSpotKind.FUNNEL).count() == 1


def test_it_finds_nothing_when_one_unit_measures_a_definition(org, rate_definition, quality_lead):
    measure_of(rate_definition, org["ward"], "only-falls", 1)
    assert _funnel_spots(services.bright_spots_find()) == []


def test_it_records_a_funnel_bright_spot_seen_on_the_compare_page(client, org, falls, quality_lead):
    client.force_login(quality_lead)
    url = f"/learn/bright-spots/new/?measure={falls['ward'].pk}&kind=funnel"
    assert "99.8% limits for its size" in client.get(url).content.decode()
    assert client.post(url, {"reason": "Half the falls of its peers."}).status_code == 302
    spot = BrightSpot.objects.get()
    assert (spot.status, spot.kind) == (BrightSpotStatus.ACCEPTED, BrightSpotKind.FUNNEL)


def test_it_refuses_to_record_the_worse_unit_as_a_bright_spot(client, org, falls, quality_lead):
    client.force_login(quality_lead)
    url = f"/learn/bright-spots/new/?measure={falls['other_ward'].pk}&kind=funnel"
    assert client.post(url, {"reason": "I think so."}).status_code == 400
    assert not BrightSpot.objects.exists()


def test_it_links_a_funnel_bright_spot_to_its_funnel_plot(client, org, falls, quality_lead):
    spot = _funnel_spots(services.bright_spots_find())[0]
    client.force_login(quality_lead)
    html = client.get(spot.get_absolute_url()).content.decode()
    assert "/learn/compare/falls-rate/" in html


def test_it_keeps_a_dismissed_funnel_finding_down_for_the_window(org, falls, quality_lead):
    spot = _funnel_spots(services.bright_spots_find())[0]
    services.bright_spot_dismiss(by=quality_lead, bright_spot=spot, reason="Under-reporting.")
    next_month = spot.period_end + dt.timedelta(days=32)
    again = services.bright_spots_find(today=next_month + dt.timedelta(days=31))
    assert _funnel_spots(again) == []
