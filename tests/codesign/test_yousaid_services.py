"""Writing the “you said, we did” board: organisers draft, change, publish and withdraw; what
followed must be of a kind the board shows and part of the unit's work; bad input names its
field and saves nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from codesign.partners_support import *  # noqa: F403
from codesign.partners_support import make_project
from qms.codesign.models import YouSaidEntry
from qms.codesign.services import yousaid as services
from qms.issues import services as issue_services

DAY = dt.date(2026, 11, 2)


def draft(by, unit, **fields):
    values = {
        "you_said": "Nights are noisy and we cannot sleep.",
        "we_did": "Quiet time from 23:00, with lights dimmed.",
        "status_on": DAY,
    }
    return services.yousaid_create(by=by, unit=unit, **{**values, **fields})


def test_it_drafts_and_publishes_an_entry(lead, org, project):
    entry = draft(lead, org["ward"], theme="Environment & Facilities", followed=project)
    assert entry.published_at is None and entry.followed == project
    entry = services.yousaid_publish(by=lead, entry=entry)
    assert entry.published
    assert services.yousaid_withdraw(by=lead, entry=entry).published_at is None
    reasons = list(entry.history.values_list("history_change_reason", flat=True))
    assert reasons[:3] == ["Withdrawn", "Published", "Drafted"]


def test_it_links_an_action(lead, org):
    issue = issue_services.issue_raise(
        by=lead, unit=org["ward"], title="Noise at night", source="feedback"
    )
    action = issue_services.action_add(
        by=lead,
        issue=issue,
        what="Quiet time from 23:00",
        owner=lead,
        due_on=dt.date.today() + dt.timedelta(days=30),
    )
    entry = draft(lead, org["ward"], followed=action, status="doing")
    assert entry.followed == action


def test_it_lets_a_coach_organise(coach, org):
    assert draft(coach, org["ward"]).created_by == coach


@pytest.mark.parametrize("who", ["member", "partner", "outsider"])
def test_it_refuses_those_who_do_not_organise(request, who, org):
    with pytest.raises(PermissionDenied):
        draft(request.getfixturevalue(who), org["ward"])
    assert not YouSaidEntry.objects.exists()


def test_it_refuses_what_followed_in_another_unit(lead, org, quality_lead):
    elsewhere = make_project(org["other_ward"], title="Ward 8's project")
    with pytest.raises(ValidationError) as error:
        draft(quality_lead, org["ward"], followed=elsewhere)
    assert "followed" in error.value.message_dict


def test_it_refuses_a_kind_the_board_does_not_show(lead, org):
    with pytest.raises(ValidationError) as error:
        draft(lead, org["ward"], followed=lead)
    assert "followed" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"you_said": "  "}, "you_said"),
        ({"we_did": ""}, "we_did"),
        ({"you_said": "x" * 601}, "you_said"),
        ({"you_said": "Patient 943 476 5919 said so"}, "you_said"),
        ({"theme": "Not a theme"}, "theme"),
        ({"status": "finished"}, "status"),
        ({"status_on": dt.date(1, 1, 1)}, "status_on"),
        ({"status_on": "yesterday"}, "status_on"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(lead, org, fields, field):
    with pytest.raises(ValidationError) as error:
        draft(lead, org["ward"], **fields)
    assert field in error.value.message_dict
    assert not YouSaidEntry.objects.exists()


def test_it_changes_an_entry_and_keeps_it_published(lead, org):
    entry = services.yousaid_publish(by=lead, entry=draft(lead, org["ward"]))
    entry = services.yousaid_update(by=lead, entry=entry, status="done", we_did="Quiet time.")
    assert entry.published and entry.status == "done" and entry.we_did == "Quiet time."
    with pytest.raises(ValidationError):
        services.yousaid_update(by=lead, entry=entry, unit=org["other_ward"])


def test_it_deletes_an_entry(lead, member, org):
    entry = draft(lead, org["ward"])
    with pytest.raises(PermissionDenied):
        services.yousaid_delete(by=member, entry=entry)
    services.yousaid_delete(by=lead, entry=entry)
    assert not YouSaidEntry.objects.exists()


@pytest.mark.parametrize(
    "act",
    [
        lambda lead, entry: services.yousaid_publish(by=lead, entry=entry),
        lambda lead, entry: services.yousaid_withdraw(by=lead, entry=entry),
        lambda lead, entry: services.yousaid_update(by=lead, entry=entry, we_did="Changed."),
        lambda lead, entry: services.yousaid_delete(by=lead, entry=entry),
    ],
    ids=["publish", "withdraw", "change", "delete"],
)
def test_it_answers_not_found_for_an_entry_deleted_a_moment_ago(lead, org, act):
    """Two organisers: one deletes the entry the other's page still shows. The second's
    change must not bring it back, nor fail with a server error."""
    entry = draft(lead, org["ward"])
    YouSaidEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(Http404):
        act(lead, entry)
    assert not YouSaidEntry.objects.exists()


def test_it_answers_a_partners_contribution(lead, org, project, guest):
    contribution = contribute(lead, project, guest)  # noqa: F405
    entry = draft(lead, org["ward"], involvement=contribution)
    assert entry.involvement == contribution
    entry = services.yousaid_update(by=lead, entry=entry, involvement=None)
    assert entry.involvement is None


def test_it_refuses_an_unconfirmed_or_other_units_contribution(lead, org, project, guest):
    own = contribute(guest, project, guest, text="Dim the lights at night.")  # noqa: F405
    assert own.status == "proposed"
    with pytest.raises(ValidationError) as error:
        draft(lead, org["ward"], involvement=own)
    assert "involvement" in error.value.message_dict
    elsewhere = make_project(org["other_ward"], title="Ward 8's project")
    other = contribute(None, elsewhere, None, group_name="Patient panel")  # noqa: F405
    with pytest.raises(ValidationError):
        draft(lead, org["ward"], involvement=other)
    assert not YouSaidEntry.objects.exists()
