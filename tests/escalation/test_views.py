"""Escalating any record and answering it from its page: who may, who may not, bad input."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from helpers import make_person

from qms.escalation import services
from qms.escalation.models import Escalation
from qms.people.roles import Role


def escalate_url(record):
    return f"/escalations/escalate/control/measure/{record.pk}/"


@pytest.fixture
def service_lead(org):
    return make_person("servicelead", (Role.TEAM_LEAD, org["service"]))


@pytest.mark.parametrize(
    ("who", "status", "made"),
    [("lead", 302, True), ("quality_lead", 302, True), ("member", 403, False),
     ("partner", 403, False), ("outsider", 404, False), ("anonymous", 302, False)],
)  # fmt: skip
def test_who_may_escalate_a_record(client, as_user, blocker, who, status, made):
    as_user(who)
    response = client.post(escalate_url(blocker), {"reason": "Needs money"})
    assert response.status_code == status
    assert Escalation.objects.exists() is made
    if made:
        assert response["Location"] == blocker.get_absolute_url()


def test_unknown_or_unregistered_records_are_not_found(client, lead, blocker, org):
    client.force_login(lead)
    assert (
        client.post(escalate_url(blocker).replace(str(blocker.pk), "999999"), {}).status_code == 404
    )
    url = f"/escalations/escalate/people/unit/{org['ward'].pk}/"
    assert client.post(url, {"reason": "x"}).status_code == 404  # units are not escalated
    assert client.post("/escalations/escalate/nope/nothing/1/", {}).status_code == 404


def test_it_says_what_was_wrong_and_saves_nothing(client, lead, blocker):
    client.force_login(lead)
    response = client.post(escalate_url(blocker), {"reason": ""}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert not Escalation.objects.exists()


def test_a_reason_that_may_identify_a_patient_asks_first(client, lead, blocker):
    client.force_login(lead)
    response = client.post(escalate_url(blocker), {"reason": "Mr John Smith fell again"})
    assert response.status_code == 400
    assert "Check what you wrote" in response.content.decode()
    assert not Escalation.objects.exists()


def test_it_needs_a_post(client, lead, blocker):
    client.force_login(lead)
    assert client.get(escalate_url(blocker)).status_code == 405


@pytest.mark.parametrize(
    ("who", "status", "answered"),
    [("service_lead", 302, True), ("quality_lead", 302, True), ("lead", 403, False),
     ("member", 403, False), ("outsider", 404, False)],
)  # fmt: skip
def test_the_unit_above_answers(client, as_user, lead, blocker, who, status, answered):
    escalation = services.escalate(by=lead, subject=blocker, reason="Money")
    as_user(who)
    response = client.post(
        f"/escalations/{escalation.pk}/respond/", {"decision": "accept", "response": "Ours now"}
    )
    assert response.status_code == status
    escalation.refresh_from_db()
    assert (escalation.status == "accepted") is answered


def test_no_such_escalation(client, lead):
    client.force_login(lead)
    assert client.post("/escalations/999/respond/", {}).status_code == 404


def _render_chain(user, record):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load escalation_tags %}{% escalation_chain record %}")
    return template.render(Context({"user": user, "request": request, "record": record}))


def test_the_chain_shows_on_any_page_with_the_forms_for_who_may_use_them(
    lead, member, service_lead, blocker
):
    html = _render_chain(lead, blocker)
    assert "Not escalated" in html and escalate_url(blocker) in html
    assert escalate_url(blocker) not in _render_chain(member, blocker)
    escalation = services.escalate(by=lead, subject=blocker, reason="Needs money")
    html = _render_chain(lead, blocker)
    assert "Escalated from <strong>Ward 7</strong> to <strong>Medicine</strong>" in html
    assert "Awaiting a response" in html
    assert f"/escalations/{escalation.pk}/respond/" not in html  # the team does not answer
    answering = _render_chain(service_lead, blocker)
    assert f"/escalations/{escalation.pk}/respond/" in answering
    assert "Resolved: unblocked" in answering and "Escalate further" in answering


def test_no_escalate_form_at_the_top_of_the_organisation(org, admin, blocker):
    from helpers import make_measure

    board_measure = make_measure(org["board"], "board-blocker")
    assert "/escalations/escalate/" not in _render_chain(admin, board_measure)


def test_a_second_click_on_escalate_says_it_went_up_already(client, lead, blocker):
    client.force_login(lead)
    client.post(escalate_url(blocker), {"reason": "Needs money"})
    response = client.post(escalate_url(blocker), {"reason": "Needs money"}, follow=True)
    assert response.status_code == 200
    assert "escalated to Medicine already" in response.content.decode()
    assert Escalation.objects.count() == 1
