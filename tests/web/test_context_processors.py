"""The navigation on every page: the unit switcher offers the units a person holds a role in and
the one they work in now, read in a fixed number of queries however large the organisation."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from qms.people import services
from qms.people.models import Person
from qms.people.roles import Role


def switcher_options(html) -> list[str]:
    switcher = re.search(r'<select id="unit-switch".*?</select>', html, re.S)
    assert switcher, "no unit switcher on the page"
    return [
        name.strip("\u2003") for name in re.findall(r"<option[^>]*>(.*?)</option>", switcher[0])
    ]


def queries_for(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def add_wards(parent, count):
    for number in range(count):
        code = f"{parent.code}-{number}"
        services.unit_create(by=None, name=f"Ward {code}", code=code, kind="ward", parent=parent)


def test_it_reads_as_many_queries_for_an_administrator_of_300_units_as_of_3(client, org, admin):
    client.force_login(admin)
    add_wards(org["service"], 3)
    services.person_set_current_unit(person=admin, unit=org["ward"])
    few = queries_for(client, f"/people/{admin.pk}/")
    add_wards(org["other_service"], 297)
    many = queries_for(client, f"/people/{admin.pk}/")
    assert many == few
    html = client.get(f"/people/{admin.pk}/").content.decode()
    assert switcher_options(html) == ["Test Board", "Ward 7"]  # their role's unit, and current


def test_it_offers_the_units_held_and_the_current_one_with_a_link_to_all(client, org, quality_lead):
    services.membership_add(by=None, person=quality_lead, unit=org["elsewhere"], role=Role.ANALYST)
    client.force_login(quality_lead)
    assert switcher_options(client.get("/").content.decode()) == ["Acute Division", "Other Board"]
    client.post("/units/switch/", {"unit": org["other_ward"].pk})
    html = client.get("/").content.decode()
    assert switcher_options(html) == ["Acute Division", "Ward 8", "Other Board"]
    assert f'<option value="{org["other_ward"].pk}" selected>' in html
    assert '<a href="/units/">Other units</a>' in html


def test_it_switches_to_any_unit_below_picked_from_the_tree(client, org, quality_lead):
    client.force_login(quality_lead)
    response = client.post("/units/switch/", {"unit": org["ward"].pk, "next": "/"})
    assert response.status_code == 302
    assert Person.objects.get(pk=quality_lead.pk).current_unit == org["ward"]
    assert "You are working in" in client.get("/").content.decode()


def test_it_leaves_out_a_current_unit_no_longer_in_reach(client, org, lead):
    services.person_set_current_unit(person=lead, unit=org["ward"])
    services.membership_add(by=None, person=lead, unit=org["elsewhere"], role=Role.TEAM_LEAD)
    services.membership_remove(by=None, membership=lead.memberships.get(unit=org["ward"]))
    client.force_login(lead)
    html = client.get("/").content.decode()
    assert "Ward 7" not in html
    elsewhere = org["elsewhere"].pk
    assert f'You are working in <a href="/units/{elsewhere}/">Other Board</a>' in html
