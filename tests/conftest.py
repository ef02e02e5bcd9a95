"""Shared fixtures: a small organisation and users named by their role in it.

board (board)
└── division (division)
    ├── service (service)
    │   ├── ward (ward)      lead, member, partner
    │   └── other_ward (ward)
    └── other_service (service)
elsewhere (board)            outsider
"""

import pytest
from browser_support import page  # noqa: F401  (the headless Chromium fixture)
from helpers import ANONYMOUS, make_person

from qms.people import services
from qms.people.roles import Role


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql():
    """After a test that commits (races, browser tests, migrations), empty PostgreSQL's tables
    with DELETE rather than TRUNCATE. Emptying is the same either way (as SQLite does it), but
    TRUNCATE makes new files for each of the ~200 tables, 5 to 10 s after every such test;
    DELETE of mostly empty tables takes about one. The foreign keys are checked at the commit
    (Django makes them deferred), so the order of the tables does not matter. A flush that asks
    for more (resetting sequences, cascading) is left to Django."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (built page parts are keyed on results' times,
    but a test database reuses ids)."""
    from django.core.cache import cache

    from qms.control.selectors import _BUILT

    cache.clear()
    _BUILT.clear()
    yield


@pytest.fixture(autouse=True)
def _seeded_framework(request):
    """The contributory factor framework that migration seeds, for every test with a
    database: a test that empties the database (browser tests, races) removes it for the tests
    that follow it on the same worker."""
    if {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("db")  # transactional when the test asks for that
    elif request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue("_django_db_helper")
    else:
        return
    from qms.planning.services import framework_defaults_ensure

    framework_defaults_ensure()


@pytest.fixture
def org(db):
    make = services.unit_create
    board = make(by=None, name="Test Board", code="board", kind="board")
    division = make(by=None, name="Acute Division", code="division", kind="division", parent=board)
    service = make(by=None, name="Medicine", code="service", kind="service", parent=division)
    ward = make(by=None, name="Ward 7", code="ward", kind="ward", parent=service)
    other_ward = make(by=None, name="Ward 8", code="other-ward", kind="ward", parent=service)
    other_service = make(
        by=None, name="Surgery", code="other-service", kind="service", parent=division
    )
    elsewhere = make(by=None, name="Other Board", code="elsewhere", kind="board")
    return {
        "board": board,
        "division": division,
        "service": service,
        "ward": ward,
        "other_ward": other_ward,
        "other_service": other_service,
        "elsewhere": elsewhere,
    }


@pytest.fixture
def lead(org):
    return make_person("lead", (Role.TEAM_LEAD, org["ward"]), job_title="Senior charge nurse")


@pytest.fixture
def member(org):
    return make_person("member", (Role.TEAM_MEMBER, org["ward"]), job_title="Staff nurse")


@pytest.fixture
def partner(org):
    return make_person("partner", (Role.PARTNER, org["ward"]), professional_group="public")


@pytest.fixture
def quality_lead(org):
    return make_person("quality", (Role.QUALITY_LEAD, org["division"]))


@pytest.fixture
def outsider(org):
    return make_person("outsider", (Role.TEAM_LEAD, org["elsewhere"]))


@pytest.fixture
def admin(org):
    return make_person("admin", (Role.SYSTEM_ADMINISTRATOR, org["board"]))


@pytest.fixture
def as_user(client, request, org):
    """Log the client in as the named fixture user (or no one) and return that user."""

    def login(who):
        if who == ANONYMOUS:
            return None
        user = request.getfixturevalue(who)
        client.force_login(user)
        return user

    return login
