"""The involvement pages: the panel on a piece of work's page, logging (who may, who may not,
bad input), an entry and its confirmation, the ladder summary and its CSV, the board report."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from codesign.involvement_support import *  # noqa: F403
from codesign.involvement_support import log
from qms.codesign.models import Involvement, InvolvementStatus, Level

pytestmark = pytest.mark.django_db


def _log_url(record, model="improvement.project"):
    return reverse("codesign:involvement-log", args=[model, record.pk])


def _form(**fields):
    data = {
        "who": "group",
        "group_name": "Patient panel",
        "group_size": "6",
        "level": "4",
        "occurred_on": timezone.localdate().isoformat(),
        "contribution": "Redesigned the night checklist with us.",
        "shaped_decision": "on",
        "difference": "The checklist now asks about toileting.",
        "hours": "2",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_it_shows_the_panel_on_the_project_page_to_those_who_read_it(
    client, project, lead, member, partner, team_partner
):
    log(project, Level.CO_DESIGNING, shaped_decision=True, difference="Checklist changed")
    url = project.get_absolute_url()
    client.force_login(lead)
    page = client.get(url).content.decode()
    assert "Partners’ involvement" in page and "Co-designing" in page
    assert "Log involvement" in page
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Co-designing" in page and "Log involvement" not in page
    client.force_login(team_partner)
    page = client.get(url).content.decode()
    assert "Log your contribution" in page


def test_it_lets_an_organiser_log_a_group(client, project, lead):
    client.force_login(lead)
    response = client.post(_log_url(project), _form())
    assert response.status_code == 302
    entry = Involvement.objects.get()
    assert (entry.group_name, entry.group_size, entry.level) == ("Patient panel", 6, 4)
    assert entry.status == InvolvementStatus.CONFIRMED and entry.shaped_decision


def test_it_lets_an_organiser_log_a_partner_on_the_work(client, project, lead, team_partner):
    client.force_login(lead)
    page = client.get(_log_url(project)).content.decode()
    assert str(team_partner) in page
    response = client.post(_log_url(project), _form(who=str(team_partner.pk), group_name=""))
    assert response.status_code == 302
    assert Involvement.objects.get().partner == team_partner


def test_it_lets_a_partner_log_their_own_for_confirmation(client, project, lead, team_partner):
    client.force_login(team_partner)
    form = _form(who=None, group_name=None, group_size=None)
    assert client.post(_log_url(project), form).status_code == 302
    entry = Involvement.objects.get()
    assert entry.partner == team_partner and entry.status == InvolvementStatus.PROPOSED
    # Waiting: the partner and the organisers see it; a member of the ward does not yet.
    assert client.get(entry.get_absolute_url()).status_code == 200
    decide = reverse("codesign:involvement-decide", args=[entry.pk])
    assert client.post(decide, {"decision": "confirm"}).status_code == 403
    client.force_login(lead)
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Confirm this contribution" in page
    assert client.post(decide, {"decision": "confirm"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == InvolvementStatus.CONFIRMED


def test_it_hides_a_waiting_entry_from_others_who_read_the_work(
    client, project, team_partner, member
):
    entry = log(project, Level.INVOLVING, by=team_partner)
    client.force_login(member)
    assert client.get(entry.get_absolute_url()).status_code == 404
    assert "Waiting for confirmation" not in client.get(project.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["member", "partner"])
def test_it_refuses_logging_to_those_who_may_not(client, request, project, who):
    client.force_login(request.getfixturevalue(who))
    expected = 403 if who == "member" else 404
    assert client.get(_log_url(project)).status_code == expected
    assert client.post(_log_url(project), _form()).status_code == expected
    assert not Involvement.objects.exists()


def test_it_answers_404_for_what_cannot_be_found(client, project, lead, outsider):
    client.force_login(lead)
    for url in (
        reverse("codesign:involvement-log", args=["people.unit", project.unit_id]),
        reverse("codesign:involvement-log", args=["nonsense", 1]),
        reverse("codesign:involvement-log", args=["improvement.project", 2**64]),
        reverse("codesign:involvement-log", args=["improvement.project", 0]),
        reverse("codesign:involvement-detail", args=[2**64]),
        reverse("codesign:involvement-detail", args=[999999]),
    ):
        assert client.get(url).status_code == 404, url
    client.force_login(outsider)
    assert client.get(_log_url(project)).status_code == 404
    entry = log(project, Level.INFORMING)
    assert client.get(entry.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"level": "9"}, "level"),
        ({"level": None}, "level"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_on": "not a date"}, "occurred_on"),
        ({"contribution": ""}, "contribution"),
        ({"hours": "99"}, "hours"),
        ({"who": "999999"}, "who"),
        ({"group_name": ""}, "who"),
        ({"group_size": "-3"}, "group_size"),
        ({"contribution": "Patient NHS number 943 476 5919"}, "contribution"),
    ],
)
def test_it_refuses_bad_input_on_the_page(client, project, lead, fields, field):
    client.force_login(lead)
    response = client.post(_log_url(project), _form(**fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Involvement.objects.exists()


def test_it_refuses_get_on_decide(client, project, lead):
    entry = log(project, Level.INFORMING)
    client.force_login(lead)
    response = client.get(reverse("codesign:involvement-decide", args=[entry.pk]))
    assert response.status_code == 405


def test_it_shows_the_ladder_summary_and_its_csv_to_staff(
    client, org, project, priority, lead, member
):
    today = timezone.localdate()
    log(project, Level.CO_PRODUCING, day=today, shaped_decision=True, difference="=cmd|' /C calc")
    log(priority, Level.CONSULTING, day=today)
    client.force_login(member)
    url = reverse("codesign:involvement-ladder") + f"?unit={org['ward'].pk}"
    response = client.get(url)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.pieces == 2 and summary.shaping == 1 and summary.told_or_asked == 1
    page = response.content.decode()
    assert "50%" in page and "Fewer falls at night" in page
    csv = client.get(reverse("codesign:involvement-ladder-csv") + f"?unit={org['ward'].pk}")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Co-producing" in text and "'=cmd" in text


def test_it_refuses_the_ladder_to_partners_and_other_units(client, org, partner, lead, outsider):
    client.force_login(partner)
    # A partner reads what the rungs mean, and no unit's summary.
    response = client.get(reverse("codesign:involvement-ladder") + f"?unit={org['ward'].pk}")
    assert response.status_code == 200 and response.context["summary"] is None
    assert "Co-producing" in response.content.decode()
    assert client.get(reverse("codesign:involvement-ladder-csv")).status_code == 404
    client.force_login(outsider)
    url = reverse("codesign:involvement-ladder") + f"?unit={org['ward'].pk}"
    assert client.get(url).status_code == 400
    client.force_login(lead)
    for query in ("?unit=abc", "?unit=99999999999999999999", "?start=2026-13-01"):
        assert client.get(reverse("codesign:involvement-ladder") + query).status_code == 400
    bad = f"?unit={org['ward'].pk}&start=2026-10-01&end=2026-01-01"
    assert client.get(reverse("codesign:involvement-ladder") + bad).status_code == 400


def test_it_shows_the_ladder_on_the_board_report_for_staff(client, org, project, lead):
    log(project, Level.CO_DESIGNING, day=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(lead)
    page = client.get(reverse("control:quality-report", args=[org["ward"].pk])).content.decode()
    assert "Partners on the ladder of participation" in page
    assert "Co-designing" in page
