"""No link or button leads to a dead end: logged in as each demo role, follow every same-site
link from home, breadth-first (at most two pages of each kind, 120 pages in all), and every
page answers 200: no 403, 404 or 500 anywhere a person can click."""

import pytest
from crawl_support import build_demo, crawl
from django.db import transaction

from qms.people.models import Person

ROLES = ["board", "quality", "coach", "analyst", "lead", "member", "partner", "admin"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo build for the module; each test runs in a savepoint rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo()
        transaction.set_rollback(True)


@pytest.mark.parametrize("role", ROLES)
def test_it_leads_every_role_only_to_pages_that_open(client, demo, db, role):
    client.force_login(Person.objects.get(username=role))

    def visit(path):
        response = client.get(path, follow=True)  # /control/ opens the working unit
        return response.status_code, response.content.decode(errors="replace")

    statuses = crawl(visit, max_pages=120, per_kind=2)

    broken = {path: status for path, status in statuses.items() if status != 200}
    assert broken == {}
    assert len(statuses) >= (5 if role == "partner" else 12)  # the crawl went somewhere
