"""A unit's API keys page: who may make, list and revoke keys (who may grant the key's role in
the unit), the key shown once, and each key's history."""

import datetime as dt
import re

import pytest
from helpers import ANONYMOUS, make_api_key

from qms.people import keys
from qms.people.models import ApiKey


def page(org):
    return f"/units/{org['ward'].pk}/api-keys/"


def new_key(**fields):
    expires = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    return {"name": "Theatre feed", "can_write": "true", "role": "team_lead",
            "expires_on": expires, **fields}  # fmt: skip


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lead", 200),
        ("quality_lead", 200),
        ("admin", 200),
        ("member", 403),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_it_shows_the_page_and_makes_keys_only_for_who_may_grant_roles(
    client, as_user, org, who, status
):
    as_user(who)
    assert client.get(page(org)).status_code == status
    response = client.post(page(org), new_key())
    assert response.status_code == status
    assert ApiKey.objects.exists() == (status == 200)


def test_it_sends_anonymous_visitors_to_log_in_and_makes_nothing(client, org):
    response = client.post(page(org), new_key())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ApiKey.objects.exists()


def test_it_answers_404_for_a_unit_that_does_not_exist(client, as_user, org):
    as_user("lead")
    assert client.get("/units/999999/api-keys/").status_code == 404


def test_it_shows_a_new_key_once_and_keeps_only_its_hash(client, as_user, org):
    lead = as_user("lead")
    response = client.post(page(org), new_key(can_write="false", role="analyst"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    key = re.search(r'id="new-key" type="text" value="([^"]+)"', html)[1]
    assert 'data-copy="new-key"' in html  # the copy button
    record = ApiKey.objects.get()
    assert (record.name, record.can_write, record.role) == ("Theatre feed", False, "analyst")
    assert record.created_by == lead
    assert record.expires_at.date() == dt.date.today() + dt.timedelta(days=90)
    assert key not in record.key_hash
    assert keys.api_key_authenticate(f"Bearer {key}") == record
    later = client.get(page(org))
    assert "Theatre feed" in later.content.decode() and key not in later.content.decode()


def test_it_lists_keys_with_scope_role_expiry_use_and_maker(client, as_user, org, lead):
    keys.api_key_create(by=lead, unit=org["ward"], name="Warehouse", can_write=True)
    make_api_key(org["other_ward"], name="Ward 8 feed")  # another unit's key: not listed
    as_user("lead")
    html = client.get(page(org)).content.decode()
    assert "Warehouse" in html and "Read and write" in html and "Team lead" in html
    assert f"by {lead}" in html and "Never" in html
    assert "Ward 8 feed" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"role": "system_administrator"}, "Select a valid choice"),
        ({"expires_on": "2001-01-01"}, "The expiry must be in the future"),
        ({"expires_on": "2999-01-01"}, "at most three years"),
        ({"name": "Feed for 943 476 5919"}, "NHS or CHI number"),
    ],
)
def test_it_names_what_is_wrong_and_makes_nothing(client, as_user, org, fields, message):
    as_user("lead")
    response = client.post(page(org), new_key(**fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_lead_cannot_give_a_key_a_role_only_an_administrator_grants(client, as_user, org):
    as_user("lead")
    html = client.get(page(org)).content.decode()
    assert 'value="system_administrator"' not in html
    assert 'value="executive"' in html


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead", 302), ("member", 403), ("partner", 403), ("outsider", 404), (ANONYMOUS, 302)],
)
def test_it_lets_only_who_may_grant_roles_revoke_a_key(client, as_user, org, lead, who, status):
    record, _ = keys.api_key_create(by=lead, unit=org["ward"], name="Feed")
    as_user(who)
    response = client.post(f"{page(org)}{record.pk}/revoke/")
    assert response.status_code == status
    record.refresh_from_db()
    assert (record.revoked_at is not None) == (who == "lead")
    if who == "lead":  # the page says who stopped the key, and its history too
        html = client.get(page(org)).content.decode()
        assert "Revoked" in html and f"by {lead}" in html
        assert record.history.count() == 2


def test_it_does_not_revoke_a_key_of_another_unit_through_this_one(client, as_user, org):
    record, _ = keys.api_key_create(by=None, unit=org["other_ward"], name="Feed")
    as_user("lead")
    response = client.post(f"{page(org)}{record.pk}/revoke/")
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.revoked_at is None


def test_the_unit_page_links_to_the_keys_only_for_who_may_manage_them(client, as_user, org):
    as_user("lead")
    assert page(org) in client.get(f"/units/{org['ward'].pk}/").content.decode()
    as_user("member")
    assert page(org) not in client.get(f"/units/{org['ward'].pk}/").content.decode()
