"""Schemathesis over every operation of the generated OpenAPI document (qms.config.api), on a
small organisation with a measure, its data and results, a signal, and keys that read and
write: no server error, and every answer matches the document (status code and body).

A short, deterministic run (a few examples an operation, derandomized) for CI; whatever routes
are mounted are covered, so a new router is fuzzed the day it lands."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from helpers import make_api_key, make_measure, record
from hypothesis import HealthCheck, settings

from qms.config.wsgi import application

# A few examples an operation keeps the module near a minute on one core.
EXAMPLES = 4
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]

pytestmark = pytest.mark.django_db

# The document as the app serves it (it reads no database), one test an operation.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Valid requests (by the document) with the test's keys: the key is ours, not generated.
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    with_security_parameters=False,
)


@pytest.fixture
def same_connection():
    """Calls through the WSGI app share the test's transaction, as Django's test client's do:
    without this, the end of the first request closes the connection (and the transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(org, settings, same_connection):
    """A ward with a measure, two years of data with a shift (stored results and a signal),
    and keys of the board above it (so every unit's records are in reach)."""
    settings.QMS_API_REQUESTS_PER_MINUTE = 1_000_000
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    measure = make_measure(org["ward"], "ward-7-ulcers", name="Pressure ulcers")
    record(measure, [5, 6, 5, 4, 6, 5, 5, 6, 4, 5, 6, 5, 5, 4, 6, 5, 5, 6, 4, 5, 12, 13, 12, 14])
    return {
        "read": make_api_key(org["board"], name="Reader"),
        "write": make_api_key(org["board"], write=True, name="Writer"),
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, world):
    key = world["read"] if case.method.upper() in {"GET", "HEAD"} else world["write"]
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
