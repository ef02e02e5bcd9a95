"""No query, page, export or API response reveals who raised an anonymous concern.

The raiser signs in and raises it through the page, answers a reply with the code, and the
handlers hear of it in the daily round. Then every table is read, every row written or changed
since the raiser signed in is searched for the raiser (every column that refers to a person,
and every generic link to one, holding their id; every text holding their username, name or
e-mail), and the pages that show the concern (the issue, its unit's list, the concerns' list,
the reporting page, the handler's inbox, the admin's issue and its history) are read as the
people who see them."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from helpers import make_person

from qms.culture.models import Concern
from qms.culture.services import concerns as services
from qms.culture.services import reporting as reporting_services
from qms.issues.models import Issue
from qms.people.models import Person
from qms.people.roles import Role


def _rows() -> dict[str, set[tuple]]:
    tables = connection.introspection.table_names()
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [c[0] for c in cursor.description]
            found[table] = {(tuple(columns), tuple(row)) for row in cursor.fetchall()}
    return found


def _person_columns() -> dict[str, set[str]]:
    """Per table, the columns that hold a person's id: foreign keys to people, and the id of a
    generic link (checked with its content type)."""
    columns: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Person:
                columns.setdefault(table, set()).add(field.column)
    return columns


def _generic_links() -> dict[str, list[tuple[str, str]]]:
    links: dict[str, list[tuple[str, str]]] = {}
    for model in apps.get_models():
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                ct = model._meta.get_field(field.ct_field).column
                fk = model._meta.get_field(field.fk_field).column
                links.setdefault(model._meta.db_table, []).append((ct, fk))
    return links


def _mentions(value, words) -> bool:
    if isinstance(value, bytes | memoryview):
        value = bytes(value).decode("utf-8", "ignore")
    return isinstance(value, str) and any(word.lower() in value.lower() for word in words)


def _without_choices(page: str) -> str:
    """The page without its lists to choose from: an action's owner is chosen from everyone on
    the unit's staff, the raiser among them, which says nothing about who raised what."""
    return re.sub(r"<select\b.*?</select>", "", page, flags=re.S)


@pytest.fixture
def raiser(org):
    # A distinctive id, name and e-mail, so that a match is the raiser and not a coincidence.
    for number in range(5):
        make_person(f"filler{number}", (Role.TEAM_MEMBER, org["other_ward"]))
    return make_person(
        "qzraiser",
        (Role.TEAM_MEMBER, org["ward"]),
        display_name="Quentin Zebedee",
        job_title="Healthcare support worker",
    )


def test_it_keeps_no_link_from_an_anonymous_concern_to_its_raiser(
    client, raiser, lead, quality_lead, admin, org
):
    reporting_services.reporting_culture_track(by=quality_lead, unit=org["ward"])
    client.force_login(raiser)
    client.get(reverse("culture:home"))
    before = _rows()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("culture:concern-raise", args=[org["ward"].pk]),
            {"title": "Handovers are rushed", "description": "We skip the checklist at 8.",
             "anonymous": "on"},
        )  # fmt: skip
    code = response.context["code"]
    concern = Concern.objects.get()
    services.concern_reply(by=lead, concern=concern, text="Thank you: which days?")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("culture:concern-follow-up"), {"code": code, "text": "Weekends."})
        services.concerns_announce()
    after = _rows()

    words = [raiser.username, raiser.display_name, raiser.email, "Zebedee"]
    person_columns = _person_columns()
    generic = _generic_links()
    person_type = ContentType.objects.get_for_model(Person).pk
    leaks = []
    for table, rows in after.items():
        for columns, row in rows - before.get(table, set()):
            values = dict(zip(columns, row, strict=True))
            if table == "django_session":
                continue  # the raiser's own sign-in, written before; checked below
            for column in person_columns.get(table, ()):
                if values.get(column) == raiser.pk:
                    leaks.append((table, column, values))
            for ct, fk in generic.get(table, ()):
                if values.get(ct) == person_type and values.get(fk) == raiser.pk:
                    leaks.append((table, fk, values))
            leaks += [(table, c, values) for c, v in values.items() if _mentions(v, words)]
    assert leaks == []
    # The raiser's account and session were not touched by raising it.
    raiser_before = [r for c, r in before["people_person"] if r[0] == raiser.pk]
    raiser_after = [r for c, r in after["people_person"] if r[0] == raiser.pk]
    assert raiser_before == raiser_after
    assert before["django_session"] == after["django_session"]
    # The concern and its issue hold the day only.
    issue = Issue.objects.get(pk=concern.issue_id)
    assert timezone.localtime(issue.created_at).time() == dt.time(0, 0)
    assert {row.history_date for row in issue.history.all()} == {issue.created_at}
    raiser_message = concern.messages.get(from_raiser=True)
    assert timezone.localtime(raiser_message.written_at).time() == dt.time(0, 0)

    pages = [
        (lead, issue.get_absolute_url()),
        (lead, reverse("issues:unit-issues", args=[org["ward"].pk])),
        (lead, reverse("culture:concern-list", args=[org["ward"].pk])),
        (lead, reverse("culture:reporting-unit", args=[org["ward"].pk])),
        (lead, reverse("notifications:inbox")),
        (quality_lead, issue.get_absolute_url()),
        (admin, reverse("admin:issues_issue_change", args=[issue.pk])),
        (admin, reverse("admin:issues_issue_history", args=[issue.pk])),
        (admin, reverse("admin:issues_issue_changelist")),
    ]
    for viewer, url in pages:
        client.force_login(viewer)
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _mentions(_without_choices(response.content.decode()), words), url
    # Nor the follow-up page, signed in or not.
    client.logout()
    page = client.post(reverse("culture:concern-follow-up"), {"code": code}).content.decode()
    assert "Weekends." in page and not _mentions(page, words)


def test_it_keeps_the_day_only_in_the_issues_history_copy_of_its_creation_time(member, org):
    # The history table copies every field of the issue, its creation time too: a copy to the
    # microsecond would date the concern to the raiser's request.
    concern, _ = services.concern_raise(
        by=member, unit=org["ward"], title="Handovers are rushed", anonymous=True
    )
    issue = Issue.objects.get(pk=concern.issue_id)
    day_start = issue.created_at
    assert timezone.localtime(day_start).time() == dt.time(0, 0)
    assert {row.created_at for row in issue.history.all()} == {day_start}
