"""Defects found by trying issue 9 as its users would (the tester's part): forms.

Date inputs (`type="date"`) take only ISO dates: a date shown in the site's en-gb format is
shown empty by the browser, so a required date had to be typed again on every save."""

import datetime as dt
import re

from django.urls import reverse

from improvement.spread_support import *  # noqa: F403
from improvement.spread_support import ADOPTED_ON
from qms.improvement import services


def _date_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    found = re.search(r'value="([^"]*)"', tag)
    return found.group(1) if found else ""


def test_it_shows_the_adoption_dates_as_iso_dates(client, as_user, org, published, other_lead):
    as_user("other_lead")
    page = client.get(reverse("improvement:adoption-create", args=[published.pk]))
    assert dt.date.fromisoformat(_date_value(page.content.decode(), "adopted_on"))
    adoption = services.adoption_create(
        by=other_lead, package=published, unit=org["other_ward"], adopted_on=ADOPTED_ON
    )
    page = client.get(reverse("improvement:adoption-edit", args=[adoption.pk]))
    assert _date_value(page.content.decode(), "adopted_on") == ADOPTED_ON.isoformat()


HUGE = str(2**70)


def test_it_refuses_an_id_beyond_the_databases_integers_in_a_package(client, as_user, project):
    as_user("lead")
    response = client.post(
        reverse("improvement:package-create", args=[project.pk]),
        {"title": "Bundle", "summary": "What changed.", "change_ideas": [HUGE], "measures": [HUGE]},
    )
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()
    assert not project.packages.exists()


def test_it_refuses_an_id_beyond_the_databases_integers_in_an_adoption(
    client, as_user, org, published
):
    as_user("other_lead")
    response = client.post(
        reverse("improvement:adoption-create", args=[published.pk]),
        {"adopted_on": "2026-02-01", "copy_measures": [HUGE], "link_measures": ["x"]},
    )
    assert response.status_code == 400
    assert not published.adoptions.exists()
