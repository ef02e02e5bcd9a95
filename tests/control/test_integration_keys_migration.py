"""The migration turning quality control's integration keys into API keys (people.ApiKey): the
same key goes on working, now through the API too, for its unit, acting as a team lead, for a
year; a revoked one stays revoked."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from helpers import empty_database, migrate_to, schema_from_models

BEFORE = [("control", "0013_measure_definition"), ("people", "0005_api_keys")]
AFTER = [("control", "0014_integration_tokens_to_api_keys")]


@pytest.fixture
def old_state(transactional_db):
    empty_database()
    apps = migrate_to(BEFORE)
    yield apps
    schema_from_models()  # whatever happened, leave the database as the other tests expect it


def _token(apps, unit, name, secret, **fields):
    Token = apps.get_model("control", "IntegrationToken")
    prefix = secret.split("_")[1]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    return Token.objects.create(name=name, unit=unit, prefix=prefix, key_hash=digest, **fields)


def test_every_integration_key_becomes_an_api_key_that_still_works(old_state):
    apps = old_state
    Unit = apps.get_model("people", "Unit")
    Person = apps.get_model("people", "Person")
    ward = Unit.objects.create(name="Ward 7", code="ward", kind="ward", path="/1/")
    lead = Person.objects.create(username="lead", display_name="Lead")
    made = timezone.now() - dt.timedelta(days=400)
    live = _token(apps, ward, "Theatre feed", "qms_aaaa1111_secret-one", created_by=lead)
    apps.get_model("control", "IntegrationToken").objects.filter(pk=live.pk).update(created_at=made)
    _token(
        apps,
        ward,
        "Old feed",
        "qms_bbbb2222_secret-two",
        revoked_at=timezone.now(),
        revoked_by=lead,
    )
    # Someone already has the account name the key's account would take.
    Person.objects.create(username="api-key-bbbb2222", display_name="Taken")

    new_apps = migrate_to(AFTER)
    ApiKey = new_apps.get_model("people", "ApiKey")
    converted = ApiKey.objects.get(prefix="aaaa1111")
    assert converted.name == "Theatre feed" and converted.unit_id == ward.pk
    assert converted.key_hash == hashlib.sha256(b"qms_aaaa1111_secret-one").hexdigest()
    assert (converted.can_write, converted.role) == (True, "team_lead")
    assert converted.created_by_id == lead.pk and converted.created_at == made
    year = converted.expires_at - timezone.now()
    assert dt.timedelta(days=364) < year <= dt.timedelta(days=365)
    assert converted.principal.username == "api-key-aaaa1111"
    assert converted.principal.display_name == "Theatre feed (API key)"
    assert converted.principal.password.startswith("!")  # no password: cannot sign in
    (history,) = new_apps.get_model("people", "HistoricalApiKey").objects.filter(id=converted.pk)
    assert "integration key" in history.history_change_reason
    revoked = ApiKey.objects.get(prefix="bbbb2222")
    assert revoked.revoked_at is not None and revoked.revoked_by_id == lead.pk
    assert revoked.principal.username == "api-key-bbbb2222-2"

    # On the latest schema, the old key authenticates as an API key, and the revoked one not.
    migrate_to(None)
    from qms.people import keys

    assert keys.api_key_authenticate("Bearer qms_aaaa1111_secret-one").name == "Theatre feed"
    assert keys.api_key_authenticate("Bearer qms_bbbb2222_secret-two") is None
