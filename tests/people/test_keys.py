"""API keys (qms.people.keys): made, checked, revoked and expired; the key's account acts with
the key's role in its unit and nowhere else; `qms create-api-key`."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from helpers import make_api_key, make_person

from qms.people import access, keys
from qms.people.models import ApiKey, Membership
from qms.people.roles import Role


def test_it_keeps_only_a_hash_and_finds_the_key_by_its_header(org):
    key = make_api_key(org["ward"])
    record = ApiKey.objects.get()
    assert key not in record.key_hash and record.key_hash != key
    assert key.startswith(f"qms_{record.prefix}_")
    assert keys.api_key_authenticate(f"Bearer {key}") == record
    assert keys.api_key_authenticate(f"bearer  {key} ") == record


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Basic abc", "Bearer qms_", "Bearer qms_x_y", "Bearer other_a_b"],
)
def test_it_refuses_headers_without_a_live_key(org, header):
    make_api_key(org["ward"])
    assert keys.api_key_authenticate(header) is None


def test_it_refuses_a_key_with_one_character_changed(org):
    key = make_api_key(org["ward"])
    changed = key[:-1] + ("a" if key[-1] != "a" else "b")
    assert keys.api_key_authenticate(f"Bearer {changed}") is None


def test_it_refuses_a_revoked_or_expired_key(org, lead):
    key = make_api_key(org["ward"])
    record = ApiKey.objects.get()
    keys.api_key_revoke(by=lead, key=record)
    assert keys.api_key_authenticate(f"Bearer {key}") is None
    other = make_api_key(org["ward"], name="Other")
    ApiKey.objects.filter(name="Other").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert keys.api_key_authenticate(f"Bearer {other}") is None


def test_the_keys_account_holds_its_role_in_its_unit_alone(org):
    key = make_api_key(org["service"], write=True)
    person = keys.api_key_authenticate(f"Bearer {key}").principal
    assert access.roles_in(person, org["ward"]) == {Role.TEAM_LEAD}
    assert access.roles_in(person, org["service"]) == {Role.TEAM_LEAD}
    assert access.roles_in(person, org["division"]) == frozenset()
    assert access.roles_in(person, org["elsewhere"]) == frozenset()
    # No membership row: the account is never counted among a unit's staff.
    assert not Membership.objects.filter(person=person).exists()
    assert not person.has_usable_password()


def test_an_account_loaded_without_the_key_holds_nothing(org):
    make_api_key(org["ward"], write=True)
    principal = ApiKey.objects.get().principal
    reloaded = type(principal).objects.get(pk=principal.pk)
    assert access.roles_in(reloaded, org["ward"]) == frozenset()


def test_a_read_key_acts_as_an_analyst_and_a_write_key_as_a_team_lead(org):
    make_api_key(org["ward"], name="Reader")
    make_api_key(org["ward"], name="Writer", write=True)
    assert ApiKey.objects.get(name="Reader").role == Role.ANALYST
    assert ApiKey.objects.get(name="Writer").role == Role.TEAM_LEAD


def test_who_may_make_keys_is_who_may_grant_the_role(org, lead, member):
    record, _ = keys.api_key_create(by=lead, unit=org["ward"], name="Feed", can_write=True)
    assert record.created_by == lead
    with pytest.raises(PermissionDenied):
        keys.api_key_create(by=member, unit=org["ward"], name="Feed")
    with pytest.raises(PermissionDenied):
        keys.api_key_create(by=lead, unit=org["service"], name="Feed")
    with pytest.raises(PermissionDenied):
        keys.api_key_revoke(by=member, key=record)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"role": Role.SYSTEM_ADMINISTRATOR}, "role"),
        ({"role": Role.PARTNER}, "role"),
        ({"expires_at": timezone.now() - dt.timedelta(days=1)}, "expires_at"),
        ({"expires_at": timezone.now() + dt.timedelta(days=4 * 365)}, "expires_at"),
    ],
)
def test_it_refuses_bad_keys_naming_the_field(org, fields, field):
    arguments = {"name": "Feed", **fields}
    with pytest.raises(ValidationError) as error:
        keys.api_key_create(by=None, unit=org["ward"], **arguments)
    assert field in error.value.message_dict
    assert not ApiKey.objects.exists()


def test_history_keeps_the_keys_changes(org, lead):
    record, _ = keys.api_key_create(by=lead, unit=org["ward"], name="Feed")
    keys.api_key_revoke(by=lead, key=record)
    assert [h.history_type for h in record.history.order_by("history_id")] == ["+", "~"]


def test_the_command_prints_the_key_alone_on_the_last_line(org):
    out = io.StringIO()
    call_command(
        "create-api-key", unit=str(org["ward"].pk), name="Warehouse", write=True, stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    record = keys.api_key_authenticate(f"Bearer {key}")
    assert record.unit == org["ward"] and record.can_write and record.name == "Warehouse"


def test_the_command_names_what_is_wrong(org):
    with pytest.raises(CommandError, match="No unit"):
        call_command("create-api-key", unit="999999", name="Warehouse", stdout=io.StringIO())
    with pytest.raises(CommandError, match="name"):
        call_command("create-api-key", unit="ward", name=" ", stdout=io.StringIO())
    with pytest.raises(CommandError, match="expires_at"):
        call_command(
            "create-api-key", unit="ward", name="W", expires_in_days=0, stdout=io.StringIO()
        )
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(("unit", "days"), [("²", 30), ("١٢", 30), ("ward", 10**12)])
def test_the_command_refuses_odd_units_and_lifetimes_by_name(org, unit, days):
    # "²" passed isdigit() and crashed int(); "١٢" was read as unit 12; 10**12 days overflowed.
    with pytest.raises(CommandError, match="No unit|expires"):
        call_command(
            "create-api-key", unit=unit, name="W", expires_in_days=days, stdout=io.StringIO()
        )
    assert not ApiKey.objects.exists()


def test_a_person_with_roles_elsewhere_gains_nothing_from_a_key(org):
    person = make_person("reader", (Role.TEAM_MEMBER, org["other_ward"]))
    assert access.roles_in(person, org["ward"]) == frozenset()
